"""Deciding large rate claims on generated interpolation pairs (pep.active_pairs), and the warm margin solve.

Expected values are from the literature: gradient descent with h = 1 on L-smooth convex f has the tight
worst case f(x_N) - f* = L R^2 / (4 N + 2) (Drori and Teboulle 2014), attained by a Huber function."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

import pep.active_pairs as active_pairs
from pep import certcheck
from pep.active_pairs import Reduction, reduce_pairs, reducible, start_pairs
from pep.certificate import MARGIN_EPS, margin_eps
from pep.decide import ExactBound, RateProblem, decide_rate
from pep.fastbuild import build_pep_float, pair_values, svec
from pep.methods import gd, heavy_ball
from pep.pairs import all_pairs, star_pairs
from pep.solve import solve

N_BIG = active_pairs.REDUCE_MIN_N["smooth-convex"]  # the smallest convex horizon decided on generated pairs


def _constant(n: int, pairs: list | None = None) -> RateProblem:
    return RateProblem("smooth-convex", 0, gd([Fraction(1)] * n), "distance", "function-gap", pairs)


@pytest.mark.parametrize(("fclass", "q", "method", "initial", "metric"), [
    ("smooth-convex", 0.0, gd([1.5, 0.5, 2.0, 1.0]), "distance", "function-gap"),
    ("smooth-strongly-convex", 0.2, heavy_ball(1, 0.3, 5), "distance", "distance"),
    ("smooth", 0.0, gd([1, 1, 1]), "function-gap", "gradient-norm"),
])
def test_pair_values_are_the_builders_rows(fclass: str, q: float, method: object, initial: str,
                                           metric: str) -> None:
    """The full problem's interpolation rows, evaluated without building them, equal the built rows."""
    fp = build_pep_float(fclass, method, initial, metric, q=q)
    rng = np.random.default_rng(7)
    Z = rng.standard_normal((fp.n, fp.n))
    G, F = Z @ Z.T, rng.standard_normal(fp.nf)
    rows = fp.A @ svec(G) + fp.B @ F - fp.rhs
    labels, values = pair_values(fclass, q, method, G, F)
    where = {lab: k for k, lab in enumerate(labels)}
    checked = 0
    for r, name in enumerate(fp.names):
        if name.startswith("interp("):
            a, b = name[len("interp("):-1].split(",")
            assert values[where[a], where[b]] == pytest.approx(rows[r], abs=1e-12)
            checked += 1
    assert checked == len(labels) * (len(labels) - 1)


def test_start_pairs_hold_star_and_consecutive() -> None:
    pairs = set(start_pairs(10))
    assert set(star_pairs(10)) <= pairs
    assert {(str(i), str(i + 1)) for i in range(10)} <= pairs
    assert pairs <= set(all_pairs(10))


def test_reducible_only_large_problems_with_all_pairs() -> None:
    assert reducible(_constant(N_BIG))
    assert not reducible(_constant(N_BIG - 1))
    assert not reducible(_constant(N_BIG, star_pairs(N_BIG)))


def test_reduction_reaches_the_full_value() -> None:
    """h = 1, N = N_BIG: one round, far fewer pairs, the worst case 1/(4N + 2), feasible for all pairs."""
    red = reduce_pairs(_constant(N_BIG))
    assert red.ok and red.feasible and red.rounds == 1
    assert len(red.pairs) < red.full_pairs / 4 and red.full_pairs == (N_BIG + 2) * (N_BIG + 1)
    assert red.result.value == pytest.approx(1 / (4 * N_BIG + 2), abs=1e-6)
    assert f"of {red.full_pairs} interpolation pairs" in red.describe()


STUB_N = 20  # 462 pairs: more are missing from start_pairs than one round adds (64)


def _stub(values: list[float], status: str = "solved") -> object:
    """A solver that returns a fixed, infeasible worst case (random G) with the given values in turn."""
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((STUB_N + 2, STUB_N + 2))
    runs = iter(values)

    def run(_data: object, _previous: object) -> SimpleNamespace:
        return SimpleNamespace(ok=status == "solved", value=next(runs), status=status, G=Z @ Z.T,
                               F=rng.standard_normal(STUB_N + 1))
    return run


def test_reduction_stalls_when_the_value_stops_falling() -> None:
    red = reduce_pairs(_constant(STUB_N), _stub([0.5, 0.5 - 1e-9]))
    assert red.ok and not red.feasible and red.rounds == 2
    assert "did not lower its value" in red.describe()


def test_reduction_stops_below_the_bound_to_certify() -> None:
    """A value already below the bound needs no more pairs for a certificate (more only lower it)."""
    red = reduce_pairs(_constant(STUB_N), _stub([0.5]), stop_below=0.6)
    assert red.ok and red.below and not red.feasible and red.rounds == 1
    assert "already below the bound" in red.describe()
    more = reduce_pairs(_constant(STUB_N), _stub([0.5]), stop_below=0.5, start=red)
    assert more.ok and not more.below and more.rounds == 2  # round 1 reused red's solution: one solve
    assert more.seconds >= red.seconds  # the time of both calls
    assert set(red.pairs) < set(more.pairs)


def test_reduction_fails_on_a_failed_solve_and_after_max_rounds() -> None:
    failed = reduce_pairs(_constant(STUB_N), _stub([float("nan")], status="infeasible"))
    assert not failed.ok and "status infeasible" in failed.reason
    slow = reduce_pairs(_constant(STUB_N), _stub([0.9, 0.8, 0.7]), max_rounds=3)
    assert not slow.ok and "after 3 rounds" in slow.reason


@pytest.mark.parametrize("scale", [Fraction(1), 1 + Fraction(1, 10**30)])
def test_large_claim_certified_on_generated_pairs(scale: Fraction) -> None:
    """The tight bound (and a hair above it) is certified by a certificate that names only generated
    pairs; the standard-library checker accepts it as it stands."""
    bound = Fraction(1, 4 * N_BIG + 2) * scale
    d = decide_rate(_constant(N_BIG), ExactBound(bound))
    assert d.verdict == "certified", d.reason
    assert d.reduction is not None and d.reduction.feasible
    assert f"of {d.reduction.full_pairs} interpolation pairs" in d.reason
    cert = d.certificate.certificate
    used = {k for k in cert["multipliers"] if k.startswith("interp(")}
    assert used <= {f"interp({a},{b})" for a, b in d.reduction.pairs}
    assert len(used) < d.reduction.full_pairs
    ok, why = certcheck.check(cert)
    assert ok, why


def test_large_claim_refuted_a_hair_below() -> None:
    bound = Fraction(1, 4 * N_BIG + 2) * (1 - Fraction(1, 10**30))
    d = decide_rate(_constant(N_BIG), ExactBound(bound))
    assert d.verdict == "refuted", d.reason
    assert d.refutation.kind == "explicit-function"


def test_undecided_on_loose_pairs_falls_back_to_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reduction that is not feasible for the full problem (star pairs only: worst case 1/2 instead of
    1/14 at N = 3) and does not decide hands the claim to the full PEP, which certifies 1/10."""
    small = _constant(3)
    loose = solve(_constant(3, star_pairs(3)).float_data())
    assert loose.value == pytest.approx(0.5, abs=1e-6)
    fake = Reduction(True, False, star_pairs(3), loose, 1, 0.4, 20, 0.0)
    monkeypatch.setattr(active_pairs, "reducible", lambda _p: True)
    monkeypatch.setattr(active_pairs, "reduce_pairs", lambda _p, **_kw: fake)
    d = decide_rate(small, ExactBound(Fraction(1, 10)))
    assert d.verdict == "certified" and d.reduction is None
    assert "of 20 interpolation pairs" not in d.reason


def test_margin_eps_skips_tolerances_the_margin_cannot_absorb() -> None:
    """Measured (benchmarks/README.md): at N = 127 a margin of 1e-7 needs eps 1e-5; at N = 255 1.5e-8
    needs 1e-6; an unknown or negative margin tries them all."""
    tau = Fraction(1, 1000)
    assert margin_eps(tau, float(tau) - 1e-7) == (1e-5, 1e-6)
    assert margin_eps(tau, float(tau) - 1.5e-8) == (1e-6,)
    assert margin_eps(tau, float(tau) - 1e-12) == (1e-6,)
    assert margin_eps(tau, float(tau) - 1e-3) == MARGIN_EPS
    assert margin_eps(tau, None) == MARGIN_EPS
    assert margin_eps(tau, float(tau) + 1e-9) == MARGIN_EPS


def test_no_fallback_when_all_pairs_are_over_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    failed = Reduction(False, False, star_pairs(3), None, 1, 1.0, 20, 0.0, "pair generation stopped: test")
    monkeypatch.setattr(active_pairs, "reducible", lambda _p: True)
    monkeypatch.setattr(active_pairs, "reduce_pairs", lambda _p, **_kw: failed)
    d = decide_rate(_constant(3), ExactBound(Fraction(1, 10)), full_fits=False)
    assert d.verdict == "inconclusive"
    assert "pair generation stopped: test" in d.reason and "over the memory cap" in d.reason


def test_a_loose_restricted_worst_case_refutes_nothing() -> None:
    """Soundness of refuting on generated pairs: the worst case of star pairs only (1/2 at N = 3) violates
    the full problem; handed to the refuter with the restricted data, it must not refute the true bound
    1/10 (the tight worst case is 1/14), since every instance is checked against all pairs of its points."""
    from pep.counterexample import refute_rate

    loose = _constant(3, star_pairs(3))
    result = solve(loose.float_data())
    assert result.value > 0.4
    assert refute_rate(loose.exact_data(), result, Fraction(1, 10), steps=loose.method, q=0) is None
    # the same data does refute a bound below the true worst case 1/14 (by 1e-30), so the test can fail
    below = Fraction(1, 14) * (1 - Fraction(1, 10**30))
    assert refute_rate(loose.exact_data(), result, below, steps=loose.method, q=0) is not None

