"""Class inequalities proved for every 0 < m < L (certificates symbolic in q = m/L), and the exact sign
test on (0, 1) they rest on."""

from __future__ import annotations

import pytest
import sympy as sp

from pep.parametric import sign_on_unit_interval
from tests.conftest import toml_claim
from verify.verdict import Verdict

q = sp.Symbol("q", positive=True)
R = sp.Rational


@pytest.mark.parametrize(("expr", "nonnegative"), [
    ((1 - q) / (1 + q), True),
    (q * (1 - q), True),
    ((q - R(1, 2)) ** 2, True),  # a double root inside: touches 0, never negative
    ((3 * q - 1) ** 2 * (q + 1) / (2 - q), True),
    (q**2 - 2 * q + 1 + R(1, 10**30), True),  # (1 - q)^2 + 1e-30 > 0
    (q - R(1, 2), False),
    (-q**3, False),
    (q - R(1, 10**20), False),  # negative only on (0, 1e-20)
    ((q - R(1, 3)) * (q - R(2, 3)), False),
    ((q - R(999999, 10**6)) * (q - 1) ** 2, False),  # negative on (0, 0.999999)
    (1 / (q - R(1, 3)), False),  # a pole inside
    (1 / (q - 1), False),
])
def test_sign_on_the_unit_interval(expr, nonnegative):
    # truths by hand: factor signs on (0, 1)
    assert sign_on_unit_interval(expr, q)[0] is nonnegative


COCO = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L="L", m="m", points=["x", "y"],
            lhs="inner(grad(x) - grad(y), x - y)", relation=">=")
RATE = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L="L", m="m", points=["x", "xs"],
            lhs="sqnorm(x - 2/(m + L)*grad(x) - xs)", relation="<=")


def test_cocoercivity_for_every_m_and_l(run_claims):
    # Nesterov 2004, Theorem 2.1.12; the multipliers are (1 - q)/(1 + q) on both interpolation inequalities
    res, _ = run_claims(toml_claim(id="c", rhs="m*L/(m + L)*sqnorm(x - y) + 1/(m + L)*sqnorm(grad(x) - "
                                               "grad(y))", **COCO))
    r = res["c"]
    assert r.verdict is Verdict.CERTIFIED, r.summary
    assert set(r.evidence["parametric_multipliers"].values()) == {"(1 - q)/(q + 1)"}


def test_the_one_step_strongly_convex_rate_for_every_m_and_l(run_claims):
    # step 2/(m + L): ||x+ - x*||^2 <= ((L - m)/(L + m))^2 ||x - x*||^2, tight on the quadratics m and L
    res, _ = run_claims(toml_claim(id="r", rhs="((L - m)/(L + m))**2*sqnorm(x - xs)", **RATE))
    assert res["r"].verdict is Verdict.CERTIFIED, res["r"].summary


@pytest.mark.parametrize("rhs", [
    "m*L/(m + L)*sqnorm(x - y) + 2/(m + L)*sqnorm(grad(x) - grad(y))",
    "(1 + 10**-20)*m*L/(m + L)*sqnorm(x - y) + 1/(m + L)*sqnorm(grad(x) - grad(y))",
    "m*L/(m + L)*sqnorm(x - y) + (1 + 10**-30)/(m + L)*sqnorm(grad(x) - grad(y))",
])
def test_false_variants_are_refuted_at_an_explicit_m_and_l(run_claims, rhs):
    # refuted by the quadratics f = c z^2/2 (c = m or L) for every 0 < m < L (verify.quadratic_family), the
    # violation proved by cvc5 and shown at an exact instance
    res, _ = run_claims(toml_claim(id="c", rhs=rhs, **COCO))
    assert res["c"].verdict is Verdict.REFUTED, res["c"].summary
    fam = res["c"].evidence["witness_family"]
    assert fam["for_every_parameter"] and sp.Rational(fam["instance_violation"]) > 0


def test_a_claim_false_only_between_the_samples_is_never_certified(run_claims):
    # <dg, dx> >= m (1 - (q - 19/20)(q - 24/25)) ||dx||^2: true where the product is >= 0 (every sample q),
    # false for q in (19/20, 24/25), where the factor exceeds 1 and strong convexity's m ||dx||^2 is tight
    rhs = "m*(1 - (m/L - 19/20)*(m/L - 24/25))*sqnorm(x - y)"
    res, _ = run_claims(toml_claim(id="c", rhs=rhs, **COCO))
    assert res["c"].verdict is not Verdict.CERTIFIED, res["c"].summary


def test_a_rate_one_part_in_10_to_20_too_good_is_not_certified(run_claims):
    res, _ = run_claims(toml_claim(id="r", rhs="(1 - 10**-20)*((L - m)/(L + m))**2*sqnorm(x - xs)", **RATE))
    assert res["r"].verdict is Verdict.REFUTED, res["r"].summary


def test_a_non_homogeneous_claim_is_inconclusive(run_claims):
    # true (strong convexity alone gives <dg, dx> >= m ||dx||^2) but not homogeneous in L: no certificate in
    # q alone, and no quadratic violates it
    res, _ = run_claims(toml_claim(id="c", rhs="m*sqnorm(x - y) - sqnorm(grad(x) - grad(y))/L**2", **COCO))
    assert res["c"].verdict is Verdict.INCONCLUSIVE and "homogeneous" in res["c"].summary
    # false and not homogeneous: the quadratic f = m z^2/2 refutes it for every 0 < m < L
    res, _ = run_claims(toml_claim(id="c", rhs="m*sqnorm(x - y) + sqnorm(grad(x) - grad(y))/L**2", **COCO))
    assert res["c"].verdict is Verdict.REFUTED and res["c"].evidence["witness_family"]["for_every_parameter"]


def test_symbolic_parameters_need_the_strongly_convex_class(run_claims):
    fields = {**COCO, "class": "smooth-convex"}
    fields.pop("m")
    res, _ = run_claims(toml_claim(id="c", rhs="1/L*sqnorm(grad(x) - grad(y))", **fields))
    assert res["c"].verdict is Verdict.ERROR and "field 'L'" in res["c"].summary
