"""Issue 11's hostile inputs, each reproduced: claims false by a hair, broken promises of the command line.

Every expected verdict below is derived by hand in the comment beside it, never from the suite's output.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
import sympy as sp

from core.errors import ClaimError, printable
from tests.conftest import REPO, toml_claim
from verify import cli
from verify.output import write_atomic
from verify.verdict import Verdict

DECISION_PACKAGES = ("verify", "symbolic", "pep", "numeric")


def quadratic(**fields: object) -> str:
    base = {"kind": "quadratic", "m": 1, "L": 10, "metric": "distance-ratio"}
    return toml_claim(**{**base, **fields})


@pytest.mark.parametrize("margin", [20, 25, 30])
def test_expanding_by_a_hair_is_refuted(run_claims, margin):
    # alpha = (2 + 10^-k)/10 on [1, 10]: |1 - 10 alpha| = 1 + 10^-k > 1, so "does not expand" is false
    res, _ = run_claims(quadratic(id="hair", schedule="constant", alpha=f"(2 + 10**-{margin})/10", N=1,
                                  bound="1", relation="<="))
    assert res["hair"].verdict is Verdict.REFUTED
    exact = sp.Rational(res["hair"].evidence["witness"]["exact"])
    assert exact == 1 + sp.Rational(1, 10**margin)


def test_true_by_a_hair_is_certified(run_claims):
    # alpha = (2 - 10^-30)/10: |1 - alpha| = 4/5 + 10^-31 and |1 - 10 alpha| = 1 - 10^-30, both < 1
    res, _ = run_claims(quadratic(id="hair", schedule="constant", alpha="(2 - 10**-30)/10", N=1,
                                  bound="1", relation="<"))
    assert res["hair"].verdict is Verdict.CERTIFIED


def test_1024_steps_do_not_reach_the_minimizer(run_claims):
    # alpha = 1/10 on [1, 10]: the worst factor is (9/10)^1024 > 0 at lambda = 1
    res, _ = run_claims(quadratic(id="exact", schedule="constant", alpha="1/10", N=1024, bound="0"))
    assert res["exact"].verdict is Verdict.REFUTED


SQRT2_M1 = "0.414213562373095048801688724209698078569"  # sqrt(2) - 1 truncated to 39 digits: below it


@pytest.mark.parametrize(("bound", "relation", "verdict"), [
    ("sqrt(2) - 1", "==", Verdict.CERTIFIED),
    (SQRT2_M1, "==", Verdict.REFUTED),
    (SQRT2_M1, "<=", Verdict.REFUTED),
    (f"{SQRT2_M1} + 10**-39", "<=", Verdict.CERTIFIED),
    ("sqrt(2) - 1", "<", Verdict.REFUTED),
])
def test_irrational_worst_case_against_a_close_rational(run_claims, bound, relation, verdict):
    # one step alpha = 1/sqrt(2) on [1, 2]: |1 - alpha| = 1 - 1/sqrt(2) ~ 0.293 and |1 - 2 alpha| =
    # sqrt(2) - 1 ~ 0.41421356237309504880168872420969807856967..., the worst case, irrational
    res, _ = run_claims(quadratic(id="closed", m=1, L=2, schedule="constant", alpha="1/sqrt(2)", N=1,
                                  bound=bound, relation=relation),
                        quadratic(id="steps", m=1, L=2, steps=["1/sqrt(2)"], bound=bound, relation=relation))
    assert res["closed"].verdict is verdict, res["closed"].summary
    # the general-schedule path (interval branch and bound) may not decide, but never contradicts
    assert res["steps"].verdict in (verdict, Verdict.INCONCLUSIVE), res["steps"].summary


def test_m_zero_witness_has_a_positive_eigenvalue(run_claims):
    # m = 0, alpha = 1/10, N = 3: sup over (0, 10] of (1 - lambda/10)^3 is 1 (lambda -> 0); a bound 1/2 fails
    # already at lambda = 5/4 where (7/8)^3 = 343/512 > 1/2, and the function-gap ratio 0/0 at lambda = 0
    # must not be evaluated
    res, _ = run_claims(quadratic(id="m0", m=0, schedule="constant", alpha="1/10", N=3, bound="1/2"),
                        quadratic(id="m0gap", m=0, steps=["1/10", "1/5"], metric="function-gap-ratio",
                                  bound="1/2"))
    for key in ("m0", "m0gap"):
        assert res[key].verdict is Verdict.REFUTED, res[key].summary
        assert sp.Rational(res[key].evidence["witness"]["lambda"]) > 0


def test_m_zero_supremum_not_attained_is_inconclusive(run_claims):
    # |1 - lambda/10| < 1 for every lambda in (0, 10]: "< 1" fails only in the limit lambda -> 0
    res, _ = run_claims(quadratic(id="sup", m=0, schedule="constant", alpha="1/10", N=1, bound="1",
                                  relation="<"))
    assert res["sup"].verdict is Verdict.INCONCLUSIVE


def _calls(tree: ast.AST, name: str) -> list[int]:
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute | ast.Name)
            and (getattr(n, "attr", None) == name or getattr(n, "id", None) == name)]


def test_no_decision_module_calls_nsimplify():
    found = []
    for pkg in DECISION_PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            lines = _calls(ast.parse(path.read_text(encoding="utf-8")), "nsimplify")
            found += [f"{path.relative_to(REPO)}:{n}" for n in lines]
    assert not found, f"nsimplify rounds exact values: {found}"


def test_error_verdict_makes_certify_and_show_exit_2(tmp_path, capsys):
    path = tmp_path / "c.toml"
    # sqrt(-1) is not a real number: an error found while checking, not while loading
    path.write_text(toml_claim(id="ok", kind="numeric", expr="1/2", value="0.5")
                    + toml_claim(id="bad", kind="numeric", expr="sqrt(-1)", value="1.0"), encoding="utf-8")
    assert cli.main(["certify", str(path), "--quiet"]) == 2
    assert cli.main(["show", "bad", str(path)]) == 2
    assert cli.main(["show", "ok", str(path)]) == 0


@pytest.mark.parametrize(("field", "text", "message"), [
    ("expr", "sqrt(-1)", "not a real number"),
    ("expr", "log(0)", "not a real number"),
    ("value", "1e10000", "more than 2000 digits"),
])
def test_bad_values_are_field_errors(run_claims, field, text, message):
    fields = {"kind": "numeric", "expr": "2", "value": "2.0", field: text}
    res, _ = run_claims(toml_claim(id="c", **fields))
    assert res["c"].verdict is Verdict.ERROR
    assert f"field '{field}'" in res["c"].summary and message in res["c"].summary


def test_assume_reads_the_claim_as_written(run_claims):
    # sympy cancels x while parsing: (a x^2/2)/(a x)^2 = 1/(2a); x still appears in the claim
    res, _ = run_claims(toml_claim(id="c", kind="identity", lhs="(a/2*x**2)/(a*x)**2", rhs="1/(2*a)",
                                   assume={"x": "positive", "a": "positive"}))
    assert res["c"].verdict is Verdict.CERTIFIED


def test_unwritable_json_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    claims = tmp_path / "c.toml"
    claims.write_text(toml_claim(id="ok", kind="numeric", expr="1/2", value="0.5"), encoding="utf-8")
    monkeypatch.setattr(cli, "run", lambda *a, **k: pytest.fail("claims ran before the output was checked"))
    assert cli.main(["certify", str(claims), "--json", str(blocker / "r.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--json" in err[0] and "Traceback" not in err[0]


def test_results_are_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    target.write_text("old", encoding="utf-8")

    def die(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", die)
    with pytest.raises(OSError):
        write_atomic(target, "new" * 1000)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left


def test_ctrl_c_writes_the_results_gathered(tmp_path, capsys, monkeypatch):
    claims = tmp_path / "c.toml"
    claims.write_text("".join(toml_claim(id=f"c{i}", kind="numeric", expr="1/2", value="0.5")
                              for i in range(3)), encoding="utf-8")
    from verify import dispatch

    real = dispatch.check_claim

    def interrupt_second(claim, ctx):
        if claim.id == "c1":
            raise KeyboardInterrupt
        return real(claim, ctx)

    monkeypatch.setattr(dispatch, "check_claim", interrupt_second)
    out = tmp_path / "r.json"
    assert cli.main(["certify", str(claims), "--json", str(out), "--jobs", "1"]) == 130
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in doc["results"]] == ["c0"] and doc["complete"] is False


def test_ctrl_c_with_worker_processes_writes_the_results_gathered(tmp_path, capsys, monkeypatch):
    from verify.parallel import MIN_PARALLEL

    # Ctrl-C reaches the main process while it waits for the workers: it stops them and writes what it has
    claims = tmp_path / "c.toml"
    claims.write_text("".join(toml_claim(id=f"c{i}", kind="numeric", expr="1/2", value="0.5")
                              for i in range(MIN_PARALLEL)), encoding="utf-8")
    real = cli._print_result

    def interrupt_after_first(i, n, result, quiet):
        real(i, n, result, quiet)
        if i == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_print_result", interrupt_after_first)
    out = tmp_path / "r.json"
    assert cli.main(["certify", str(claims), "--json", str(out), "--jobs", "2"]) == 130
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in doc["results"]] == ["c0"] and doc["complete"] is False


def test_unreadable_folders_broken_links_and_loops_are_errors(tmp_path, capsys, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.toml").write_text(toml_claim(id="a", kind="numeric", expr="1", value="1"),
                                             encoding="utf-8")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a loop back to the top
    (tmp_path / "broken.toml").symlink_to(tmp_path / "nowhere.toml")
    (tmp_path / "locked").mkdir()
    real_iterdir = Path.iterdir

    def iterdir(self: Path):
        if self.name == "locked":  # root reads any folder, so the denial is simulated
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    assert cli.main(["certify", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "broken.toml: broken link" in err
    assert "symlink loop" in err
    assert "locked: cannot read folder: Permission denied" in err


def test_error_lines_escape_control_and_bidi_characters():
    line = ClaimError("bad \x1b[2J value\u202e", field="f\x07", claim_id="id\u2066x", file="a.toml").line()
    assert "\x1b" not in line and "\u202e" not in line and "\u2066" not in line and "\x07" not in line
    assert "\\u001b" in line and "\\u202e" in line
    assert printable("L R^2/(4N+2) ≤ √2") == "L R^2/(4N+2) ≤ √2"  # ordinary text is untouched
