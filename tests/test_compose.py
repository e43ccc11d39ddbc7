"""Certificates by composition (pep.compose): N-step bounds of gradient descent as products of exact
one-step certificates, re-checked by the standard-library checker.

Independent values: the one-step worst cases of gradient descent on the smooth strongly convex class,
max(|1 - h q|, |1 - h|)^2 for ||x - x*||^2 and for f - f* (Taylor, Hendrickx and Glineur 2018, "Exact
worst-case convergence rates of the proximal gradient method", Theorem 3.3 and its distance analogue),
attained along the whole run by the quadratic q x^2 / 2, so the N-fold product is the exact N-step worst case.
"""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from pep import certcheck
from pep.compose import certify_by_composition, composable
from pep.decide import ExactBound, RateProblem, decide_rate
from pep.methods import gd, nesterov
from tests.conftest import toml_claim
from verify.verdict import Verdict

Q = F(1, 10)


def _problem(n: int, h: F = F(1), initial: str = "distance", metric: str = "distance") -> RateProblem:
    return RateProblem("smooth-strongly-convex", Q, gd([h] * n), initial, metric)


@pytest.mark.parametrize(("h", "initial", "metric"), [
    (F(1), "distance", "distance"), (F(2) / (1 + Q), "distance", "distance"),
    (F(1), "function-gap", "function-gap"), (F(1, 2), "gradient", "gradient-norm"),
])
def test_the_product_of_one_step_worst_cases_is_certified_exactly(h, initial, metric) -> None:
    n = 12
    rate = max(abs(1 - h * Q), abs(1 - h)) ** 2
    problem = _problem(n, h, initial, metric)
    attempt = certify_by_composition(problem, rate ** n)
    assert attempt.ok, attempt.reason
    assert certcheck.check(attempt.certificate)[0]
    assert F(attempt.certificate["tau"]) == rate ** n


@pytest.mark.parametrize("margin", [F(1, 10**6), F(1, 10**20), F(1, 10**30)])
def test_a_bound_a_hair_below_the_product_is_not_certified(margin) -> None:
    problem = _problem(10)
    bound = F(81, 100) ** 10 * (1 - margin)
    assert not certify_by_composition(problem, bound).ok
    decision = decide_rate(problem, ExactBound(bound))
    assert decision.verdict == "refuted", decision.reason  # the quadratic q x^2/2 attains the product


def test_tight_strongly_convex_rate_at_n40_is_certified_by_composition(run_claims) -> None:
    # the case: ||x_40 - x*||^2 <= (1 - m/L)^80 ||x_0 - x*||^2, m = 1/10, L = 1 (was inconclusive
    # after 148 s; now about 6 s: the figure is in benchmarks/README.md, not a timed test)
    claim = toml_claim(id="sc40", kind="rate", **{"class": "smooth-strongly-convex"}, L=1, m="1/10",
                       schedule="constant", h=1, N=40, initial="distance", metric="distance",
                       bound="R**2*(1 - m/L)**(2*N)")
    results, _ = run_claims(claim)
    assert results["sc40"].verdict is Verdict.CERTIFIED, results["sc40"].summary
    assert results["sc40"].evidence["certificate_attempt"]["method"] == "composition"


def test_a_tampered_composed_certificate_fails_the_check() -> None:
    problem = _problem(6)
    attempt = certify_by_composition(problem, F(81, 100) ** 6)
    assert attempt.ok
    for key in list(attempt.certificate["multipliers"])[:5]:
        bad = json.loads(json.dumps(attempt.certificate))
        if key == "initial":
            continue
        bad["multipliers"][key] = str(F(bad["multipliers"][key]) * F(11, 10))
        assert not certcheck.check(bad)[0], key


def test_composition_applies_only_where_it_is_sound() -> None:
    assert composable(_problem(3))
    assert not composable(_problem(3, metric="function-gap"))  # a different quantity after the run
    assert not composable(RateProblem("smooth", 0, gd([F(1)] * 3), "function-gap", "function-gap"))
    assert not composable(RateProblem("smooth-strongly-convex", Q, nesterov(F(1), F(1, 3), 3), "distance",
                                      "distance"))
    assert not composable(RateProblem("smooth-strongly-convex", Q, gd([F(1)] * 3), "distance", "distance",
                                      pairs=[("0", "*"), ("*", "0")]))


def test_a_period_that_contracts_though_one_of_its_steps_expands() -> None:
    # steps (3/2, 5/2) repeated, q = 1/10: h = 5/2 > 2 alone expands (worst (1 - h)^2 = 9/4 per step), but on
    # f = L x^2/2 a period multiplies x by (1 - 3/2)(1 - 5/2) = 3/4, so (9/16)^(N/2) is attained; the block
    # certificate of one period proves it for every horizon N = 2k, and a hair below is refuted
    n = 20
    steps = [F(3, 2), F(5, 2)] * (n // 2)
    problem = RateProblem("smooth-strongly-convex", Q, gd(steps), "distance", "distance")
    decision = decide_rate(problem, ExactBound(F(9, 16) ** (n // 2)))
    assert decision.verdict == "certified", decision.reason
    assert "blocks of 2" in decision.certificate.reason and decision.result is None  # no full SDP needed
    assert certcheck.check(decision.certificate.certificate)[0]
    below = decide_rate(problem, ExactBound(F(9, 16) ** (n // 2) * (1 - F(1, 10**30))))
    assert below.verdict == "refuted", below.reason


def test_a_solver_nan_in_a_block_is_a_reason_not_a_crash(monkeypatch) -> None:
    """SCS returned NaN on the block (3/2, 49/10) from a function-gap start (found on the claim
    vs.grimmer-long-step-raises-f): the block has no certificate, and no exception escapes."""
    from types import SimpleNamespace

    import pep.solve
    from pep.compose import _block

    monkeypatch.setattr(pep.solve, "solve", lambda *a, **k: SimpleNamespace(value=float("nan")))
    steps = (F(3, 2), F(49, 10))
    problem = RateProblem("smooth-convex", 0, gd(list(steps)), "function-gap", "function-gap")
    assert "no value" in _block(problem, steps)
