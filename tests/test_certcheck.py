"""The standalone certificate checker: valid certificates pass; tampered, malformed, trivial or oversized
ones fail with one line (each cap by a crafted file), never a traceback."""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

from pep import certcheck
from pep.certificate import certify_bound, rational_below_inv_one_plus_sqrt, save_certificate, silver_rate_x
from pep.classes import make_class
from pep.problem import build_gd_pep
from pep.schedules import constant_steps, silver_steps
from tests.test_recheck_claim import certify_small

STDLIB = {"__future__", "fractions", "hashlib", "json", "math", "re", "sys", "time"}
# A crafted number over a cap must be refused from its text: far below the time a 10^999999999 would take.
FAST_SECONDS = 2.0


@pytest.fixture(scope="module")
def dt_cert() -> dict:
    # Drori and Teboulle (2014), N = 4, h = 1: worst case 1/(4N + 2) = 1/18, tight
    data = build_gd_pep(make_class("smooth-convex"), constant_steps(4, Fraction(1)), "distance",
                        "function-gap")
    att = certify_bound(data, Fraction(1, 18))
    assert att.ok, att.reason
    return att.certificate


@pytest.fixture(scope="module")
def silver_cert() -> dict:
    # Altschuler and Parrilo: N = 7 Silver steps, bound 1/(1 + sqrt(4 rho^6 - 3)), over Q(sqrt 2)
    x = silver_rate_x(3)
    data = build_gd_pep(make_class("smooth-convex"), silver_steps(7), "distance", "function-gap")
    att = certify_bound(data, rational_below_inv_one_plus_sqrt(x), bound_below=x)
    assert att.ok, att.reason
    return att.certificate


def test_checker_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(certcheck.__file__).read_text())
    names = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for a in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    # the one import of the suite's own: the parametric checker beside it (itself standard library only,
    # tests/test_certcheck_parametric.py), imported only for a file of that format
    assert names - {"pep", "certcheck_parametric"} <= STDLIB
    # short enough to read in a quarter of an hour: Q(sqrt 2) evidence, exact elimination, caps, the
    # statement check, any method's step matrix H and the six metrics included
    assert len(Path(certcheck.__file__).read_text().splitlines()) <= 700


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Certificates of small claims (Drori-Teboulle N = 1, 2; co-coercivity), saved by the suite."""
    return certify_small(tmp_path_factory.mktemp("small"))[1]


def test_saved_certificates_recheck(small: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    assert certcheck.main([str(p) for p in small.values()]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(": OK: proves " in line for line in out)
    # Drori and Teboulle: L R^2 / (4N + 2) = 1/6 at N = 1
    assert any("proves dt.n1: smooth-convex, L=1, N=1" in line and "tau = 1/6 " in line for line in out)


def test_a_certificate_that_names_no_claim_is_refused(tmp_path: Path, dt_cert: dict,
                                                      capsys: pytest.CaptureFixture) -> None:
    path = save_certificate(dt_cert, tmp_path / "dt.json")  # valid mathematics, no "proves" block
    assert certcheck.main([str(path)]) == 1
    assert "INVALID: names no claim" in capsys.readouterr().out
    assert {k: v for k, v in json.loads(path.read_text()).items()} == dt_cert
    for fmt, words in (("gradverify-pep-certificate/1", "names no claim: re-certify"),
                       ("gradverify-pep-certificate/99", "unknown format"), (None, "unknown format")):
        cert = dict(dt_cert, format=fmt)
        ok, reason = certcheck.check(cert)
        assert not ok and words in reason


def _scaled(value: object, factor: Fraction) -> object:
    if isinstance(value, list):
        return [str(Fraction(value[0]) * factor), str(Fraction(value[1]) * factor)]
    return str(Fraction(value) * factor)


@pytest.mark.parametrize("which", ["dt", "silver"])
def test_tampered_multiplier_rejected(which: str, dt_cert: dict, silver_cert: dict) -> None:
    cert = copy.deepcopy(dt_cert if which == "dt" else silver_cert)
    name = next(n for n in sorted(cert["multipliers"]) if n.startswith("interp("))
    cert["multipliers"][name] = _scaled(cert["multipliers"][name], Fraction(1001, 1000))
    ok, reason = certcheck.check(cert)
    assert not ok and "\n" not in reason and reason


@pytest.fixture(scope="module")
def dt_loose_cert() -> dict:
    # the same PEP with a bound above its worst case (1/17 > 1/18): a rounded certificate with LDL columns
    data = build_gd_pep(make_class("smooth-convex"), constant_steps(4, Fraction(1)), "distance",
                        "function-gap")
    att = certify_bound(data, Fraction(1, 17))
    assert att.ok and att.method == "rounding", att.reason
    return att.certificate


def test_tight_certificates_prove_psd_by_exact_elimination(dt_cert: dict) -> None:
    assert dt_cert["psd"]["method"] == certcheck.ELIMINATION and "columns" not in dt_cert["psd"]
    for method, needle in (("cholesky", "unknown PSD evidence method"), (None, "unknown PSD evidence")):
        cert = copy.deepcopy(dt_cert)
        cert["psd"]["method"] = method
        ok, reason = certcheck.check(cert)
        assert not ok and needle in reason and "\n" not in reason
    cert = copy.deepcopy(dt_cert)  # evidence dropped: the checker does not assume S PSD
    del cert["psd"]["method"]
    ok, reason = certcheck.check(cert)
    assert not ok and "malformed" in reason


def test_tampered_factor_entry_rejected(dt_loose_cert: dict) -> None:
    # a rounded certificate's S - T has a margin: a change of one unit in the last place is absorbed by it
    # (and still proves S PSD), a change of the factor's size is not
    cert = copy.deepcopy(dt_loose_cert)
    col = cert["psd"]["columns"][0]
    col["num"][0] = str(int(col["num"][0]) + int(col["den"]))
    ok, reason = certcheck.check(cert)
    assert not ok and "PSD" in reason


def test_tampered_problem_rejected(dt_cert: dict, silver_cert: dict) -> None:
    # a different method whose worst case is above the bound (steps 1, 1, 3, 1: 0.0741 > 1/18 by Clarabel)
    # or unknown (9/10); 11/10 would not do: its worst case is 0.0543 < 1/18, so the multipliers still
    # prove the bound for it (S stays positive definite, smallest eigenvalue 6.6e-4) and the checker is
    # right to accept that
    for step in ("3", "9/10"):
        cert = copy.deepcopy(dt_cert)
        cert["problem"]["steps"][2] = step
        assert not certcheck.check(cert)[0], step
    cert = copy.deepcopy(silver_cert)
    cert["problem"]["class"] = "smooth"  # a larger class: the multipliers no longer prove anything
    assert not certcheck.check(cert)[0]


@pytest.mark.parametrize("edit, needle", [
    (lambda c: c.update(bound="1/19"), "exceeds the bound"),
    (lambda c: c["multipliers"].update({"interp(0,1)": "-1/5"}), "negative"),
    (lambda c: c["multipliers"].update({"interp(0,9)": "1/5"}), "bad points"),
    (lambda c: c["multipliers"].update({"interp(2,2)": "1/5"}), "not valid"),
    (lambda c: c["multipliers"].update({"min-grad(1)": "1/5"}), "not valid"),
    (lambda c: c["multipliers"].update({"hello(1)": "1/5"}), "unknown inequality"),
    (lambda c: c.update(tau="1/17"), "tau"),
    (lambda c: c.pop("psd"), "malformed"),
    (lambda c: c["problem"].update(kind="other"), "malformed"),
])
def test_invalid_certificates(dt_cert: dict, edit, needle: str) -> None:
    cert = copy.deepcopy(dt_cert)
    edit(cert)
    ok, reason = certcheck.check(cert)
    assert not ok and needle in reason and "\n" not in reason


def test_main_exit_codes(tmp_path: Path, small: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    good = small["dt.n2"]
    bad_cert = json.loads(good.read_text())
    bad_cert["tau"] = bad_cert["multipliers"]["initial"] = "1/20"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_cert))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    missing = tmp_path / "missing.json"
    assert certcheck.main([str(good), str(bad)]) == 1
    assert certcheck.main([str(good), str(broken)]) == 2
    assert certcheck.main([str(missing)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    assert "INVALID" in lines[1] and "unreadable" in lines[3] and "unreadable" in lines[4]


def test_runs_as_a_script_with_the_standard_library_alone(small: dict[str, Path]) -> None:
    # -S: no site-packages, -I: no user paths or environment: nothing but the standard library
    proc = subprocess.run([sys.executable, "-S", "-I", certcheck.__file__, str(small["coco"])],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and ": OK: proves coco: " in proc.stdout, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "pep.certcheck", str(small["dt.n1"])], capture_output=True,
                          text=True, cwd=Path(certcheck.__file__).parents[1], timeout=60)
    assert proc.returncode == 0 and ": OK: proves dt.n1: " in proc.stdout


# --- caps: a crafted file per cap is refused in one line, quickly ---------------------------------------
def _deep(depth: int) -> object:
    node: object = []
    for _ in range(depth - 1):
        node = [node]
    return node


def _many(n: int) -> dict:
    return {f"interp({i},{i + 1})": "1" for i in range(n)} | {"initial": "1/10"}


def _one_column(cert: dict) -> dict:
    """The certificate with LDL-column PSD evidence (one column of the right length) in place of the tight
    certificates' exact elimination: for the caps that concern columns."""
    cert["psd"].pop("method", None)
    cert["psd"]["columns"] = [{"d": "1", "den": "1", "num": ["0"] * len(cert["psd"]["basis"])}]
    return cert


CAPS = [
    ("MAX_DIGITS", lambda c: c["multipliers"].update({"interp(0,1)": "7" * 2001 + "/3"})),
    ("MAX_DIGITS", lambda c: c["multipliers"].update({"interp(0,1)": "1/" + "3" * 2001})),
    ("MAX_DIGITS", lambda c: _one_column(c)["psd"]["columns"][0].update(den="9" * 2001)),
    ("MAX_EXPONENT", lambda c: c.update(bound="1e999999999")),
    ("MAX_EXPONENT", lambda c: c["multipliers"].update({"interp(0,1)": "1.5e-999999999"})),
    ("MAX_DEPTH", lambda c: c["proves"]["claim_table"].update(extra=_deep(40))),
    ("MAX_STEPS", lambda c: c["problem"].update(steps=["1"] * 257)),
    ("MAX_MULTIPLIERS", lambda c: c.update(multipliers=_many(70_001))),
    ("MAX_COLUMNS", lambda c: c["psd"].update(columns=[_one_column(c)["psd"]["columns"][0]] * 259)),
    ("MAX_POINTS", lambda c: c["problem"].update(points=[f"p{i}" for i in range(33)])),
]


@pytest.mark.parametrize(("cap", "edit"), CAPS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CAPS)])
def test_each_cap_gives_one_invalid_line(tmp_path: Path, small: dict[str, Path],
                                         capsys: pytest.CaptureFixture, cap: str, edit) -> None:
    cert = json.loads(small["coco" if cap == "MAX_POINTS" else "dt.n2"].read_text())
    edit(cert)
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(cert))
    start = time.perf_counter()
    assert certcheck.main([str(path)]) == 1
    assert time.perf_counter() - start < FAST_SECONDS
    out = capsys.readouterr()
    assert out.out.count("\n") == 1 and ": INVALID: " in out.out and f"cap {cap}" in out.out and not out.err


@pytest.mark.parametrize("raw", [
    b" " * (certcheck.MAX_FILE_BYTES + 1),  # MAX_FILE_BYTES
    b"[" * 100_000 + b"]" * 100_000,  # MAX_DEPTH, beyond the parser's recursion limit
    b'{"bound": ' + b"9" * 5000 + b"}",  # MAX_DIGITS in a bare JSON integer
], ids=["size", "depth", "json-integer"])
def test_caps_on_the_raw_file(tmp_path: Path, raw: bytes, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "crafted.json"
    path.write_bytes(raw)
    assert certcheck.main([str(path)]) == 1
    out = capsys.readouterr()
    assert out.out.count("\n") == 1 and ": INVALID: " in out.out and "(cap MAX_" in out.out and not out.err


def test_q2_evidence_basis_cap() -> None:
    n_steps = certcheck.MAX_Q2_BASIS  # basis n_steps + 2 > MAX_Q2_BASIS
    cert = {"format": certcheck.FORMAT, "bound": "1", "tau": "1", "multipliers": {"initial": "1"},
            "problem": {"kind": "gd", "class": "smooth-convex", "q": "0", "steps": ["1"] * n_steps,
                        "initial": "distance", "metric": "distance"},
            "psd": {"columns": [{"d": ["1", "1"], "den": "1", "num": ["0"] * (n_steps + 2)}]}}
    ok, reason = certcheck.check(cert)
    assert not ok and "cap MAX_Q2_BASIS" in reason


def test_time_cap(dt_cert: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(certcheck, "MAX_SECONDS", -1.0)  # every check is already over time
    ok, reason = certcheck.check(dt_cert)
    assert not ok and "cap MAX_SECONDS" in reason


# --- a certificate must prove something, and what it says it proves -----------------------------------
def _zero_objective(c: dict) -> None:
    for block in ("problem", "proves"):
        for entry in c[block]["objective"]["quadratic"]:
            entry[2] = "0"


TRIVIAL = [
    ("coco", lambda c: [c[b].update(objective={"quadratic": [], "linear": []})
                        for b in ("problem", "proves")], "objective is empty or zero"),
    ("coco", _zero_objective, "objective is empty or zero"),
    ("coco", lambda c: c.update(bound="1/2"), "bound must be 0"),
    ("dt.n2", lambda c: [c["problem"].update(steps=[]), c["proves"].update(steps=[], N=0)], "zero steps"),
    ("dt.n2", lambda c: c.update(multipliers={"initial": c["tau"]}), "no inequality"),
    ("dt.n2", lambda c: c.update(bound="1/9"), "not the stated normalized bound"),
    ("dt.n2", lambda c: c["problem"].update(metric="gradient-norm"), "metric is not the stated"),
    ("dt.n2", lambda c: c["proves"].update(statement="f(x_2) - f* <= 0"), "differs from the claim table"),
    ("dt.n2", lambda c: c["proves"]["claim_table"].update(bound="0"), "claim_sha256 is not the SHA-256"),
    ("dt.n2", lambda c: c["proves"].update(L="2"), "proves.L differs"),
    ("dt.n1", lambda c: c["proves"].update(kind="class-inequality"), "differs from the claim table's 'kind'"),
    ("coco", lambda c: c["problem"].update(q="1/11"), "q is not the claim's m/L"),
]


@pytest.mark.parametrize(("which", "edit", "words"), TRIVIAL)
def test_trivial_or_misstated_certificates_are_refused(tmp_path: Path, small: dict[str, Path],
                                                       capsys: pytest.CaptureFixture, which: str, edit,
                                                       words: str) -> None:
    cert = json.loads(small[which].read_text())
    edit(cert)
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(cert))
    assert certcheck.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and ": INVALID: " in out and words in out, out


def test_untrusted_text_is_shown_escaped(tmp_path: Path, small: dict[str, Path],
                                         capsys: pytest.CaptureFixture) -> None:
    cert = json.loads(small["dt.n2"].read_text())
    cert["proves"]["bound"] = cert["proves"]["claim_table"]["bound"] = "L*R**2\x1b[2J\n/(4*N + 2)"
    cert["proves"]["claim_sha256"] = certcheck.claim_hash(cert["proves"]["claim_table"])
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(cert))
    certcheck.main([str(path)])
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "\x1b" not in out and "\\u001b" in out
