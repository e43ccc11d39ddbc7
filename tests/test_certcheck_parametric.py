"""Certificates symbolic in q = m/L saved as files and re-checked with the standard library at any rational
q: valid ones pass, tampered or malformed ones fail with one line, and the evaluator of rational functions
agrees with sympy."""

from __future__ import annotations

import ast
import copy
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from pep import certcheck, certcheck_parametric
from tests.conftest import run_cli, toml_claim
from verify.verdict import Verdict

COCO = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L="L", m="m", points=["x", "y"],
            lhs="inner(grad(x) - grad(y), x - y)", relation=">=",
            rhs="m*L/(m + L)*sqnorm(x - y) + 1/(m + L)*sqnorm(grad(x) - grad(y))")
ALLOWED = {"__future__", "fractions", "re", "sys", "pep", "certcheck"}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pc")
    (folder / "c.toml").write_text(toml_claim(id="coco", **COCO), encoding="utf-8")
    proc = run_cli("certify", str(folder / "c.toml"), "--jobs", "1", "--cert-dir", str(folder / "certs"),
                   "--json", str(folder / "r.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((folder / "r.json").read_text())["results"][0]
    assert result["verdict"] == Verdict.CERTIFIED.value
    path = folder / "certs" / "coco.json"
    assert result["evidence"]["certificate"] == str(path)
    return path


def test_the_checker_imports_only_the_standard_library_and_certcheck() -> None:
    tree = ast.parse(Path(certcheck_parametric.__file__).read_text())
    names = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for a in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert names <= ALLOWED


def test_a_saved_certificate_rechecks_at_any_q(saved: Path, capsys: pytest.CaptureFixture) -> None:
    pcert = json.loads(saved.read_text())
    assert pcert["format"] == certcheck.PARAMETRIC_FORMAT and pcert["problem"]["q"] == "q"
    # Nesterov's co-coercivity multiplier: (1 - q)/(1 + q) on each interpolation inequality
    q = sp.Symbol("q")
    assert {sp.simplify(sp.sympify(v, locals={"q": q}) - (1 - q) / (1 + q)) for v in
            pcert["multipliers"].values()} == {0}
    at = [Fraction(1, 10**6), Fraction(1, 3), Fraction(999999, 10**6)]
    ok, why = certcheck_parametric.check_at(pcert, at)
    assert ok, why
    assert certcheck.main([str(saved)]) == 0  # the ordinary checker hands it over (default q values)
    assert "OK: proves coco at q = m/L = 1/10, 1/3, 1/2, 9/10" in capsys.readouterr().out
    proc = run_cli("recheck", str(saved), "--at", "1/7", "--at", "6/7")
    assert proc.returncode == 0 and "q = m/L = 1/7, 6/7" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("edit, needle", [
    # every multiplier moved up by 10^-30: the certificate is tight, S loses PSD
    (lambda c: c["multipliers"].update({k: f"{v} + 1/{10**30}" for k, v in c["multipliers"].items()}),
     "S is not PSD"),
    # one multiplier moved: the function values no longer cancel
    (lambda c: c["multipliers"].update({"interp(x,y)": c["multipliers"]["interp(x,y)"] + f" + 1/{10**30}"}),
     "linear identity"),
    # the claim with 2/(m + L) (false): its objective's g-g coefficient doubled, S is not PSD
    (lambda c: c["problem"]["objective"].update(
        quadratic=[[a, b, f"2*({v})" if a.startswith("g:") and b.startswith("g:") else v]
                   for a, b, v in c["problem"]["objective"]["quadratic"]]), "not"),
    (lambda c: c["multipliers"].update({"interp(x,y)": "__import__('os')"}), "malformed"),
    (lambda c: c["multipliers"].update({"interp(x,y)": "(" * 3000 + "q" + ")" * 3000}), "malformed"),
    (lambda c: c["multipliers"].update({"interp(x,y)": "q**1000000000"}), "malformed"),
    (lambda c: c["multipliers"].update({"interp(x,y)": "1/(q - q)"}), "malformed"),
    (lambda c: c["problem"].update(q="1/2"), "malformed"),
    (lambda c: c.update(format="other"), "not a parametric certificate"),
])
def test_tampered_or_malformed_certificates_fail_with_one_line(saved: Path, edit, needle: str) -> None:
    pcert = copy.deepcopy(json.loads(saved.read_text()))
    edit(pcert)
    ok, why = certcheck_parametric.check_at(pcert, [Fraction(1, 3)])
    assert not ok and needle in why and "\n" not in why, why


def test_q_outside_the_interval_and_bad_at_values(saved: Path, capsys: pytest.CaptureFixture) -> None:
    pcert = json.loads(saved.read_text())
    for q in (Fraction(0), Fraction(1), Fraction(-1, 2), Fraction(3, 2)):
        ok, why = certcheck_parametric.check_at(pcert, [q])
        assert not ok and "not in (0, 1)" in why
    assert certcheck_parametric.main([str(saved), "--at", "one third"]) == 2
    assert "--at takes rationals" in capsys.readouterr().out


def test_evaluation_agrees_with_sympy() -> None:
    rng = random.Random(20261204)
    q = sp.Symbol("q")
    for _ in range(40):
        num = sum(rng.randint(-9, 9) * q**k for k in range(rng.randint(0, 4)))
        den = 1 + sum(rng.randint(0, 9) * q**k for k in range(1, rng.randint(1, 4)))
        expr = sp.cancel(num / den) * sp.Rational(rng.randint(1, 9), rng.randint(1, 9))
        at = Fraction(rng.randint(1, 99), 100)
        want = expr.subs(q, sp.Rational(at.numerator, at.denominator))
        got = certcheck_parametric.evaluate(str(expr), at)
        assert sp.Rational(got.numerator, got.denominator) == want, (str(expr), at)
    assert certcheck_parametric.evaluate("-q**2 - -1", Fraction(1, 2)) == Fraction(3, 4)
    for bad in ("q.real", "1e3", "q ** q", "exp(q)", "q q", ""):
        with pytest.raises(ValueError):
            certcheck_parametric.evaluate(bad, Fraction(1, 2))


def test_recheck_claim_ties_the_certificate_to_the_claim_text(saved: Path, tmp_path: Path) -> None:
    claims = tmp_path / "c.toml"
    claims.write_text(toml_claim(id="coco", **COCO) + toml_claim(id="other", **{**COCO, "relation": "<="}),
                      encoding="utf-8")
    good = run_cli("recheck", "--claim", str(claims), "coco", str(saved))
    assert good.returncode == 0 and ": OK: proves coco" in good.stdout, good.stdout + good.stderr
    bad = run_cli("recheck", "--claim", str(claims), "other", str(saved))
    assert bad.returncode == 1 and "names another claim" in bad.stdout, bad.stdout + bad.stderr
