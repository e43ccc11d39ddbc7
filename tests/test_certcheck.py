"""The standalone certificate checker: valid certificates pass, tampered or malformed ones fail, one line."""

from __future__ import annotations

import ast
import copy
import json
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from pep import certcheck
from pep.certificate import certify_bound, rational_below_inv_one_plus_sqrt, save_certificate, silver_rate_x
from pep.classes import make_class
from pep.problem import build_gd_pep
from pep.schedules import constant_steps, silver_steps

STDLIB = {"__future__", "fractions", "json", "math", "re", "sys"}


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
    assert names <= STDLIB
    # short enough to read in ten minutes, Q(sqrt 2) evidence included
    assert len(Path(certcheck.__file__).read_text().splitlines()) <= 350


def test_saved_certificates_recheck(tmp_path: Path, dt_cert: dict, silver_cert: dict,
                                    capsys: pytest.CaptureFixture) -> None:
    paths = [str(save_certificate(dt_cert, tmp_path / "dt.json")),
             str(save_certificate(silver_cert, tmp_path / "sub" / "silver.json"))]
    assert certcheck.main(paths) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(": OK: " in line for line in out)
    assert json.loads(Path(paths[0]).read_text()) == dt_cert


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


def test_tampered_factor_entry_rejected(dt_cert: dict) -> None:
    cert = copy.deepcopy(dt_cert)
    col = cert["psd"]["columns"][1]
    col["num"][-1] = str(int(col["num"][-1]) + 1)
    ok, reason = certcheck.check(cert)
    assert not ok and "PSD" in reason


def test_tampered_problem_rejected(dt_cert: dict, silver_cert: dict) -> None:
    cert = copy.deepcopy(dt_cert)
    cert["problem"]["steps"][2] = "11/10"  # a different method
    assert not certcheck.check(cert)[0]
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


def test_main_exit_codes(tmp_path: Path, dt_cert: dict, capsys: pytest.CaptureFixture) -> None:
    good = save_certificate(dt_cert, tmp_path / "good.json")
    bad_cert = copy.deepcopy(dt_cert)
    bad_cert["tau"] = bad_cert["multipliers"]["initial"] = "1/20"
    bad = save_certificate(bad_cert, tmp_path / "bad.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    missing = tmp_path / "missing.json"
    assert certcheck.main([str(good), str(bad)]) == 1
    assert certcheck.main([str(good), str(broken)]) == 2
    assert certcheck.main([str(missing)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    assert "INVALID" in lines[1] and "unreadable" in lines[3] and "unreadable" in lines[4]


def test_module_entry_point(tmp_path: Path, dt_cert: dict) -> None:
    import subprocess

    path = save_certificate(dt_cert, tmp_path / "c.json")
    proc = subprocess.run([sys.executable, "-m", "pep.certcheck", str(path)], capture_output=True, text=True,
                          cwd=Path(certcheck.__file__).parents[1], timeout=60)
    assert proc.returncode == 0 and ": OK: " in proc.stdout
