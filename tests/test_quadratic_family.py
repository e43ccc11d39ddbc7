"""Class inequalities with symbolic parameters refuted by a family of quadratics for every parameter value
(issue 14: Appendix B Theorem 5 for every alpha L < 1), never when the claim is true on its domain, and by
margins down to 1e-30 when it is false."""

from __future__ import annotations

import pytest
import sympy as sp

from tests.conftest import toml_claim
from verify.verdict import Verdict

STEP = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L="L", m="m", points=["x", "xs"],
            lhs="sqnorm(x - alpha*grad(x) - xs)", relation="<=", assume={"alpha": "positive"})
a, L, m = sp.symbols("alpha L m", positive=True)


def test_theorem5_is_refuted_for_every_alpha_below_1_over_L(run_claims):
    rhs = "(1 - 2*alpha*m/(1 + alpha*L))**2*sqnorm(x - xs)"
    results, rejected = run_claims(toml_claim(id="t5", rhs=rhs, domain=["alpha*L < 1"], **STEP))
    assert not rejected
    res = results["t5"]
    assert res.verdict is Verdict.REFUTED, res.summary
    fam = res.evidence["witness_family"]
    assert fam["for_every_parameter"] is True and fam["function"].startswith("f(z) = m*z**2/2")
    # independently: on f = m z^2/2 from x = 1 one step gives (1 - alpha m)^2, and
    # (1 - a m)^2 - (1 - 2 a m/(1 + a L))^2 = [a m (1 - a L)/(1 + a L)] [2 - a m - 2 a m/(1 + a L)],
    # both factors > 0 when 0 < a m < a L < 1 (by hand)
    V = sp.sympify(fam["violation"], locals={"alpha": a, "L": L, "m": m})
    assert sp.simplify(V - ((1 - a * m) ** 2 - (1 - 2 * a * m / (1 + a * L)) ** 2)) == 0
    inst = {s: sp.Rational(fam["instance"][str(s)]) for s in (a, L, m)}
    assert 0 < inst[m] < inst[L] and inst[a] * inst[L] < 1 and V.xreplace(inst) > 0


@pytest.mark.parametrize("eps", ["10**-6", "10**-20", "10**-30"])
def test_true_claims_on_their_domain_are_never_refuted_and_false_ones_are(run_claims, eps):
    claims = {
        # nonexpansive for alpha <= 2/L (true): only a domain a hair wider is false (alpha L slightly > 2)
        "nonexp": (dict(rhs="sqnorm(x - xs)", domain=["alpha*L <= 2"]), True),
        "nonexp.wide": (dict(rhs="sqnorm(x - xs)", domain=[f"alpha*L <= 2 + {eps}"]), False),
        # contraction (1 - alpha m)^2 for alpha L <= 1 (true, tight at f = m z^2/2)
        "contract": (dict(rhs="(1 - alpha*m)**2*sqnorm(x - xs)", domain=["alpha*L <= 1"]), True),
        "contract.loose": (dict(rhs=f"(1 + {eps})*(1 - alpha*m)**2*sqnorm(x - xs)", domain=["alpha*L <= 1"]),
                           True),
        "contract.tight-minus": (dict(rhs=f"(1 - {eps})*(1 - alpha*m)**2*sqnorm(x - xs)",
                                      domain=["alpha*L <= 1"]), False),
    }
    tables = [toml_claim(id=cid, **STEP, **fields) for cid, (fields, _) in claims.items()]
    results, rejected = run_claims(*tables)
    assert not rejected
    for cid, (_, true) in claims.items():
        res = results[cid]
        if true:
            assert res.verdict is not Verdict.REFUTED, (cid, res.summary)
        else:
            assert res.verdict is Verdict.REFUTED, (cid, res.summary)
            fam = res.evidence["witness_family"]
            inst = {s: sp.Rational(fam["instance"][str(s)]) for s in (a, L, m)}
            V = sp.sympify(fam["violation"], locals={"alpha": a, "L": L, "m": m}).xreplace(inst)
            assert V > 0 and 0 < inst[m] < inst[L], cid


def test_a_domain_narrower_than_the_class_is_respected(run_claims):
    rate = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L="L", m="m",
                points=["x", "xs"], lhs="sqnorm(x - 1/L*grad(x) - xs)", relation="<=")
    results, _ = run_claims(
        # GD with 1/L contracts by (1 - m/L)^2 (true everywhere): certified on a smaller domain too
        toml_claim(id="in", rhs="(1 - m/L)**2*sqnorm(x - xs)", domain=["2*m < L"], **rate),
        # (1 - m/L)^4 is false for every 0 < m < L (f = m z^2/2): refuted inside the domain
        toml_claim(id="out", rhs="(1 - m/L)**4*sqnorm(x - xs)", domain=["2*m < L"], **rate))
    assert results["in"].verdict is Verdict.CERTIFIED, results["in"].summary
    assert results["out"].verdict is Verdict.REFUTED, results["out"].summary
    inst = results["out"].evidence["witness_family"]["instance"]
    assert 2 * sp.Rational(inst["m"]) < sp.Rational(inst["L"])


def test_bad_parameter_fields_are_one_line_errors(run_claims):
    numeric = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L=1, m="1/10",
                   points=["x", "xs"], lhs="sqnorm(x - alpha*grad(x) - xs)", relation="<=",
                   rhs="sqnorm(x - xs)", assume={"alpha": "positive"})
    bad = {
        "numeric-with-assume": numeric,
        "undeclared": {**STEP, "assume": {}, "rhs": "sqnorm(x - xs)"},
        "class-parameter": {**STEP, "assume": {"alpha": "positive", "m": "positive"},
                            "rhs": "sqnorm(x - xs)"},
        "bad-domain": {**STEP, "rhs": "sqnorm(x - xs)", "domain": ["alpha*L <"]},
    }
    results, rejected = run_claims(*[toml_claim(id=cid, **f) for cid, f in bad.items()])
    for cid in bad:
        res = results.get(cid)
        assert res is not None and res.verdict is Verdict.ERROR, (cid, res and res.summary)
        assert "\n" not in res.summary and "Traceback" not in res.summary
        assert any(f in res.summary for f in ("assume", "domain")), (cid, res.summary)
