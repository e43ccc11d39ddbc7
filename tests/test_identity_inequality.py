"""Identity and inequality kinds: the issue's done-when cases and each verdict path."""

from __future__ import annotations

import pytest
import sympy as sp

from tests.conftest import toml_claim
from verify.verdict import Verdict

STEP = {"alpha": "2/(m + L)"}
POS = {"m": "positive", "L": "positive"}


def test_contraction_identity_refuted_with_witness(run_claims):
    results, _ = run_claims(toml_claim(id="c", kind="identity", lhs="1 - 2*alpha*m", rhs="(L - m)/(L + m)",
                                       where=STEP, assume=POS, domain=["m < L"]))
    res = results["c"]
    assert res.verdict is Verdict.REFUTED
    point = {k: sp.Rational(v) for k, v in res.evidence["witness"].items()}
    m, L = point["m"], point["L"]
    assert 0 < m < L
    assert 1 - 2 * 2 / (m + L) * m != (L - m) / (L + m)  # independent re-check of the witness


def test_contraction_identity_certified(run_claims):
    results, _ = run_claims(toml_claim(id="c", kind="identity", lhs="1 - alpha*m", rhs="(L - m)/(L + m)",
                                       where=STEP, assume=POS, domain=["m < L"]))
    assert results["c"].verdict is Verdict.CERTIFIED


def test_identity_inconclusive_when_no_proof_and_no_witness(run_claims):
    # floor(x) + floor(-x) = -1 fails only on integers, which a rational sampler of non-integers misses
    # rarely; sympy cannot prove it, so the honest answer is a refutation or an inconclusive verdict
    results, _ = run_claims(toml_claim(id="c", kind="identity", lhs="cos(x)**2", rhs="1 - sin(x)**2"))
    assert results["c"].verdict is Verdict.CERTIFIED
    results, _ = run_claims(toml_claim(id="d", kind="identity", lhs="floor(x) + floor(-x)", rhs="-1",
                                       domain=["0 < x < 1"]))
    assert results["d"].verdict is Verdict.INCONCLUSIVE
    assert "reason" in results["d"].evidence


def test_descent_inequality_certified(run_claims):
    results, _ = run_claims(toml_claim(id="c", kind="inequality", lhs="alpha*(1 - alpha*L/2)", relation="<=",
                                       rhs="1/(2*L)", assume={"alpha": "positive", "L": "positive"}))
    assert results["c"].verdict is Verdict.CERTIFIED


def test_descent_inequality_refuted(run_claims):
    results, _ = run_claims(toml_claim(id="c", kind="inequality", lhs="alpha*(1 - alpha*L/2)", relation="<=",
                                       rhs="1/(4*L)", assume={"alpha": "positive", "L": "positive"}))
    res = results["c"]
    assert res.verdict is Verdict.REFUTED
    a, L = (sp.Rational(res.evidence["witness"][k]) for k in ("alpha", "L"))
    assert a > 0 and L > 0 and a * (1 - a * L / 2) > 1 / (4 * L)


def test_domain_reparametrization_and_roots(run_claims):
    results, _ = run_claims(
        toml_claim(id="a", kind="inequality", lhs="h*(2 - h)", relation=">", rhs="0", domain=["0 < h < 2"]),
        toml_claim(id="b", kind="inequality", lhs="(kappa - 1)/(kappa + 1)", relation="<", rhs="1 - 1/kappa",
                   domain=["kappa > 1"]),
        toml_claim(id="c", kind="inequality", lhs="x**3 - x", relation="<=", rhs="0", domain=["0 <= x <= 1"]),
        toml_claim(id="d", kind="inequality", lhs="x**3 - x", relation="<=", rhs="0", domain=["0 <= x <= 2"]),
    )
    assert results["a"].verdict is Verdict.CERTIFIED
    assert results["b"].verdict is Verdict.CERTIFIED
    assert results["c"].verdict is Verdict.CERTIFIED
    assert results["d"].verdict is Verdict.REFUTED
    x = sp.Rational(results["d"].evidence["witness"]["x"])
    assert 0 <= x <= 2 and x**3 - x > 0


def test_strict_inequality_with_equality_case(run_claims):
    # (x - 1)^2 > 0 fails exactly at x = 1, which the sampler's simple values include
    results, _ = run_claims(toml_claim(id="c", kind="inequality", lhs="(x - 1)**2", relation=">", rhs="0"))
    assert results["c"].verdict is Verdict.REFUTED


def test_unused_assumption_and_where_are_errors(run_claims):
    results, _ = run_claims(
        toml_claim(id="a", kind="identity", lhs="x", rhs="x", assume={"y": "positive"}),
        toml_claim(id="b", kind="identity", lhs="x", rhs="x", where={"y": "2"}),
        toml_claim(id="c", kind="identity", lhs="x", rhs="x", assume={"x": "huge"}),
        toml_claim(id="d", kind="inequality", lhs="x", relation="=<", rhs="x"),
        toml_claim(id="e", kind="identity", lhs="x", rhs="x", domain=["x"]),
    )
    expected = {"a": "assume", "b": "where", "c": "assume", "d": "relation", "e": "domain[0]"}
    for cid, field in expected.items():
        assert results[cid].verdict is Verdict.ERROR, cid
        assert results[cid].evidence["field"] == field, cid


def test_closed_bounds_are_not_certified_by_interior_proofs(run_claims):
    # x > 0 fails at the closed end x = 0 of the domain; a proof on the interior must not certify it
    results, _ = run_claims(
        toml_claim(id="a", kind="inequality", lhs="x", relation=">", rhs="0", domain=["0 <= x <= 1"]),
        toml_claim(id="b", kind="inequality", lhs="x*y", relation=">", rhs="0",
                   assume={"x": "nonnegative", "y": "positive"}),
        toml_claim(id="c", kind="inequality", lhs="y - x", relation=">", rhs="0",
                   assume={"x": "positive", "y": "positive"}, domain=["x <= y"]),
        toml_claim(id="d", kind="inequality", lhs="x*(1 - x)", relation=">=", rhs="0",
                   domain=["0 <= x <= 1"]),
    )
    for cid in "abc":
        assert results[cid].verdict is not Verdict.CERTIFIED, cid
    assert results["a"].verdict is Verdict.REFUTED
    assert results["d"].verdict is Verdict.CERTIFIED


@pytest.mark.parametrize("assume", ["positive", "nonnegative", "negative", "nonpositive", "integer"])
def test_witnesses_respect_assumptions(run_claims, assume):
    # x*y <= -1 is false almost everywhere: any witness must still satisfy the assumptions on x and y
    results, _ = run_claims(toml_claim(id="c", kind="inequality", lhs="x*y + x", relation="<=", rhs="-1000",
                                       assume={"x": assume, "y": assume}))
    res = results["c"]
    assert res.verdict is Verdict.REFUTED
    x, y = (sp.Rational(res.evidence["witness"][k]) for k in ("x", "y"))
    for v in (x, y):
        assert {"positive": v > 0, "nonnegative": v >= 0, "negative": v < 0, "nonpositive": v <= 0,
                "integer": v.q == 1}[assume]
    assert x * y + x > -1000
