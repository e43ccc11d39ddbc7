"""Counterexamples to rate claims (pep.counterexample): explicit 1-D functions, exact instances.

Reference values are published ones, not our own output: Drori and Teboulle (2014), f(x_N) - f* <= L R^2 /
(4Nh + 2) for constant h <= 1 (tight, attained by a Huber function); the quadratic x^2/2 gives
(1 - h)^(2N)/2 (the long-step branch of their conjectured worst case max(1/(4Nh+2), (1-h)^(2N)/2));
for m-strongly convex L-smooth f, one step of length alpha gives ||x_1 - x*||^2 <= max(|1 - alpha m|,
|1 - alpha L|)^2 ||x_0 - x*||^2 (tight on quadratics); Altschuler and Parrilo's Silver bound
1/(1 + sqrt(4 rho^(2k) - 3)) for N = 2^k - 1.
"""

from __future__ import annotations

import dataclasses
import json
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pep.classes import make_class
from pep.counterexample import Refutation, refute_rate
from pep.instance import Instance, check_instance, extract_instance, parse_exact
from pep.problem import build_gd_pep
from pep.schedules import silver_steps
from pep.solve import solve
from pep.witness_functions import OneDFunction, beats, evaluate_witness, explicit_witness, run_gd
from symbolic.qfield import RHO, QSqrt


def _pep(cls: str, steps: list, initial: str, metric: str, q: Fraction | int = 0):
    data = build_gd_pep(make_class(cls, q), steps, initial, metric)
    return data, solve(data, "scs")


def _assert_json_ready(ref: Refutation) -> None:
    json.dumps(ref.evidence)
    assert isinstance(ref.summary, str) and "\n" not in ref.summary
    assert len(ref.metric_value.replace("-", "").replace(".", "").lstrip("0")) >= 40  # 50-digit string


@pytest.mark.parametrize("n_steps", [1, 2, 3, 4, 5])
def test_drori_teboulle_bound_times_0999_refuted_by_huber(n_steps: int) -> None:
    data, result = _pep("smooth-convex", [Fraction(1)] * n_steps, "distance", "function-gap")
    tight = Fraction(1, 4 * n_steps + 2)
    ref = refute_rate(data, result, Fraction(999, 1000) * tight)
    assert ref is not None and ref.kind == "explicit-function"
    _assert_json_ready(ref)
    w = ref.detail
    assert w.function.kind == "huber" and w.function.mu == 0
    assert w.metric_exact == tight  # the published worst case, attained exactly
    assert w.x0 == 1 and w.initial_value == 1
    assert ref.metric_value.startswith(str(float(tight))[:8])
    assert "c|x| - c^2/2" in ref.evidence["function"]["formula"]
    assert "convex and 1-smooth" in ref.evidence["class_membership"]


@pytest.mark.parametrize("n_steps", [1, 3, 5])
def test_true_bound_is_not_refuted(n_steps: int) -> None:
    data, result = _pep("smooth-convex", [Fraction(1)] * n_steps, "distance", "function-gap")
    tight = Fraction(1, 4 * n_steps + 2)
    assert refute_rate(data, result, tight) is None
    assert refute_rate(data, result, Fraction(101, 100) * tight) is None


def test_long_constant_step_huber_branch() -> None:
    """h = 3/2, N = 5: the worst case is 1/(4Nh + 2) = 1/32 (Huber, c = 1/16), not (1-h)^(2N)/2 = 1/2048."""
    h, n_steps = Fraction(3, 2), 5
    data, result = _pep("smooth-convex", [h] * n_steps, "distance", "function-gap")
    ref = refute_rate(data, result, Fraction(9, 10) / 32)
    assert ref is not None and ref.kind == "explicit-function"
    assert ref.detail.metric_exact == Fraction(1, 32)
    assert ref.detail.function == OneDFunction(0, Fraction(1, 16))
    assert refute_rate(data, result, Fraction(1, 32)) is None
    quad = run_gd(OneDFunction(Fraction(1)), [h] * n_steps, Fraction(1))
    assert quad[-1] ** 2 / 2 == (1 - h) ** (2 * n_steps) / 2 == Fraction(1, 2048)


def test_long_constant_step_quadratic_branch() -> None:
    """h = 19/10, N = 5: (1-h)^(2N)/2 > 1/(4Nh+2); 0.9 times it is refuted by x^2/2 itself."""
    h, n_steps = Fraction(19, 10), 5
    worst = (1 - h) ** (2 * n_steps) / 2
    assert worst > Fraction(1, 4 * n_steps * h + 2)
    data, result = _pep("smooth-convex", [h] * n_steps, "distance", "function-gap")
    ref = refute_rate(data, result, Fraction(9, 10) * worst)
    assert ref is not None and ref.kind == "explicit-function"
    assert ref.detail.function == OneDFunction(Fraction(1)) and ref.detail.metric_exact == worst
    assert refute_rate(data, result, worst) is None


def test_appendix_b_strongly_convex_claim_refuted_by_quadratic() -> None:
    """m = 1, L = 100, alpha = 0.005 (q = 1/100, h = 1/2): ||x1 - x*||^2 = 0.995^2 > (1 - 1/150)^2."""
    q, h = Fraction(1, 100), Fraction(1, 2)
    data, result = _pep("smooth-strongly-convex", [h], "distance", "distance", q)
    alpha, big_l, m = Fraction(5, 1000), 100, 1
    claimed = (1 - 2 * alpha * m / (1 + alpha * big_l)) ** 2
    assert claimed == Fraction(149, 150) ** 2
    ref = refute_rate(data, result, claimed)
    assert ref is not None and ref.kind == "explicit-function"
    assert ref.detail.function == OneDFunction(q)  # m x^2/2 in units of L
    assert ref.detail.metric_exact == max(abs(1 - h * q), abs(1 - h)) ** 2 == Fraction(199, 200) ** 2
    assert ref.metric_value.startswith("0.990025")
    assert "q x^2/2 is convex" in ref.evidence["class_membership"]
    assert refute_rate(data, result, Fraction(199, 200) ** 2) is None


@pytest.mark.parametrize("n_steps", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("solver", ["scs", "clarabel"])
def test_extracted_instance_is_exact_and_below_published_worst_case(n_steps: int, solver: str) -> None:
    """A valid exact instance is a real instance: its metric can never exceed the proven 1/(4N+2)."""
    data = build_gd_pep(make_class("smooth-convex"), [Fraction(1)] * n_steps, "distance", "function-gap")
    result = solve(data, solver)
    inst = extract_instance(data, result)
    assert inst.valid, inst.checks
    assert inst.metric_value <= Fraction(1, 4 * n_steps + 2)
    assert inst.metric_value >= Fraction(9999, 10000) / (4 * n_steps + 2)
    assert inst.initial_value <= 1
    assert inst.dimension <= 2  # rank 1, plus at most the shrinking coordinate
    assert inst.checks["interpolation_inequalities"] == (n_steps + 2) * (n_steps + 1)


def test_silver_instance_lives_in_q_sqrt2() -> None:
    steps = silver_steps(3)
    data = build_gd_pep(make_class("smooth-convex"), steps, "distance", "function-gap")
    inst = extract_instance(data, solve(data, "clarabel"))
    assert inst.valid, inst.checks
    assert any(isinstance(c, QSqrt) for v in inst.x for c in v)
    bound = 1 / (1 + (4 * RHO ** 4 - 3).to_sympy() ** 0.5)  # Altschuler-Parrilo, k = 2
    assert float(inst.metric_value) <= float(bound)
    assert "Q(sqrt 2)" in inst.checks["arithmetic"]


def test_interpolating_instance_refutation() -> None:
    """Steps (1/2, 5/2), f(x0) - f* <= 1 -> ||g_2||^2: the worst case has rank 2, so no 1-D candidate
    reaches 0.99 of it; the exact 2-D instance does."""
    data, result = _pep("smooth-convex", [Fraction(1, 2), Fraction(5, 2)], "function-gap", "gradient-norm")
    assert np.linalg.matrix_rank(result.G, tol=1e-5) == 2
    bound = Fraction(99, 100) * Fraction(result.value)
    ref = refute_rate(data, result, bound)
    assert ref is not None and ref.kind == "interpolating-instance"
    _assert_json_ready(ref)
    inst = ref.detail
    assert isinstance(inst, Instance) and inst.valid and inst.metric_value > bound
    assert check_instance(dataclasses.replace(inst))  # re-checks from scratch


def test_piecewise_function_through_one_dimensional_instance() -> None:
    """Steps (1, 3, 1): the worst case is 1-D but neither quadratic nor Huber; the explicit C^1 piecewise
    quadratic through the exact instance is built, checked and run."""
    data, result = _pep("smooth-convex", [Fraction(1), Fraction(3), Fraction(1)], "distance", "function-gap")
    bound = Fraction(99, 100) * Fraction(result.value)
    ref = refute_rate(data, result, bound)
    assert ref is not None and ref.kind == "explicit-function"
    fn, w = ref.detail.function, ref.detail
    assert fn.kind == "piecewise-quadratic" and "checked exactly" in ref.evidence["class_membership"]
    inst = extract_instance(data, result)
    assert inst.dimension == 1 and w.metric_exact == inst.metric_value > bound
    assert w.iterates == [v[0] for v in inst.x]  # gradient descent on f retraces the instance exactly
    assert [fn.value(v[0]) for v in inst.x] == inst.f
    for a, b in zip(fn.knots, fn.knots[1:], strict=False):  # slopes of f' in [0, 1]: convex, 1-smooth
        assert 0 <= (fn.grad(b) - fn.grad(a)) / (b - a) <= 1


def _valid_instance() -> tuple:
    data, result = _pep("smooth-convex", [Fraction(1)] * 3, "distance", "function-gap")
    inst = extract_instance(data, result)
    assert inst.valid
    return data, result, inst


def test_tampered_instance_is_rejected() -> None:
    _, _, inst = _valid_instance()
    rng = random.Random(5)
    k = rng.randrange(len(inst.f))
    bad = dataclasses.replace(inst, f=[v + Fraction(1, 100) if i == k else v for i, v in enumerate(inst.f)])
    assert not check_instance(bad) and bad.checks["interpolation"].startswith("FAILS")
    j = rng.randrange(1, len(inst.x))
    moved = [tuple(c + Fraction(1, 10**6) for c in v) if i == j else v for i, v in enumerate(inst.x)]
    bad2 = dataclasses.replace(inst, x=moved)
    assert not check_instance(bad2) and bad2.checks["update_rule"].startswith("FAILS")
    big = dataclasses.replace(inst, x=[tuple(2 * c for c in v) for v in inst.x])
    assert not check_instance(big)


def test_perturbed_solution_is_not_reported() -> None:
    """A worst case whose function value was inflated looks like a violation in floats; it is rejected."""
    data, result, _ = _valid_instance()
    rng = np.random.default_rng(7)
    F = result.F.copy()
    F[3] += 0.05 * (1 + rng.random())
    fake = dataclasses.replace(result, F=F, value=float(F[3]))
    inst = extract_instance(data, fake)
    assert not inst.valid and inst.checks["interpolation"].startswith("FAILS")
    assert inst.metric_value > Fraction(1, 14)  # the float claim would have "refuted" the true bound
    assert refute_rate(data, fake, Fraction(1, 14)) is None


def test_explicit_witness_without_pep() -> None:
    """The explicit search alone: function-gap initial condition met exactly, gradient-norm metric."""
    w = explicit_witness("smooth-convex", ["1"] * 2, "function-gap", "gradient-norm", "0.0001")
    assert w is not None and w.initial_value <= 1 and w.metric_exact > Fraction(1, 10000)
    assert explicit_witness("smooth-convex", ["1"] * 2, "distance", "function-gap", "1/10") is None
    assert parse_exact("1 + sqrt(2)") == RHO and parse_exact("-3/2*sqrt(2)") == QSqrt(0, Fraction(-3, 2))
    assert parse_exact("2 - sqrt(2)") == QSqrt(2, -1)


def test_silver_steps_huber_run_in_q_sqrt2() -> None:
    """For any positive steps the Huber function with c = 1/(2 sum h + 1) ends at f(x_N) = 1/(4 sum h + 2)
    (Drori-Teboulle's construction); with Silver steps the whole run is exact in Q(sqrt 2)."""
    steps = silver_steps(3)
    total = sum(steps, Fraction(0))
    value = 1 / (4 * total + 2)
    w = explicit_witness("smooth-convex", steps, "distance", "function-gap", Fraction(999, 1000) * value)
    assert w is not None and w.function == OneDFunction(0, 1 / (2 * total + 1))
    assert isinstance(w.metric_exact, QSqrt) and w.metric_exact == value
    assert all(isinstance(x, QSqrt) for x in w.iterates[1:])
    assert explicit_witness("smooth-convex", steps, "distance", "function-gap", value) is None


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.fractions(min_value=Fraction(1, 10), max_value=Fraction(19, 10), max_denominator=50),
                min_size=1, max_size=6))
def test_drori_teboulle_huber_identity_any_steps(steps: list[Fraction]) -> None:
    """For any positive steps, Huber with c = 1/(2 sum h + 1) from x0 = 1 ends at exactly 1/(4 sum h + 2);
    the exact and 50-digit runs agree; the value never beats itself as a bound."""
    total = sum(steps, Fraction(0))
    fn = OneDFunction(Fraction(0), 1 / (2 * total + 1))
    w = evaluate_witness(fn, "smooth-convex", Fraction(0), steps, "distance", "function-gap",
                         1 / (4 * total + 2))
    assert w is not None and w.metric_exact == 1 / (4 * total + 2)
    assert abs(float(w.metric_mp) - float(w.metric_exact)) < 1e-15
    assert not beats(w)
    w.bound = Fraction(999, 1000) / (4 * total + 2)
    assert beats(w)


def test_piecewise_reproduces_known_functions() -> None:
    """Through exact data of known functions, the Drori-Teboulle Huber run (convex) and x^2/2 (nonconvex
    class, where inf f must be computed), the piecewise function retraces the data exactly."""
    from pep.instance import build_instance
    from pep.piecewise import through_instance

    c, steps = Fraction(1, 7), [Fraction(1)] * 3
    xs = [1 - k * c for k in range(4)]
    rows = [(Fraction(1),)] + [(c,)] * 4
    inst = build_instance("smooth-convex", Fraction(0), steps, "distance", "function-gap", rows,
                          [c * x - c * c / 2 for x in xs])
    assert inst.valid and inst.metric_value == Fraction(1, 14)
    fn = through_instance(inst)
    assert fn is not None and fn.membership("smooth-convex", 0) is not None
    assert run_gd(fn, steps, Fraction(1))[-1] == xs[-1] and fn.value(xs[-1]) == Fraction(1, 14)
    half = [Fraction(1, 2)] * 2
    pts = [Fraction(1), Fraction(1, 2), Fraction(1, 4)]
    inst2 = build_instance("smooth", Fraction(0), half, "function-gap", "gradient-norm",
                           [(Fraction(1),)] + [(x,) for x in pts], [x * x / 2 for x in pts])
    fn2 = through_instance(inst2)
    assert fn2 is not None and fn2.floor == 0 and fn2.grad(Fraction(-3)) == -3


@pytest.mark.parametrize("steps", [[Fraction(1), Fraction(3), Fraction(1)], [Fraction(1, 2), Fraction(5, 2)]])
def test_strongly_convex_rank_one_worst_case_gets_explicit_function(steps: list[Fraction]) -> None:
    """q = 1/10, f(x0) - f* <= 1 -> ||g_N||^2: the rank-1 worst case has slopes exactly q and 1 between
    iterates; after making them exactly tight, the piecewise quadratic through it refutes 0.99 x the
    worst case, and (being a real function of the class) never exceeds the worst case."""
    q = Fraction(1, 10)
    data = build_gd_pep(make_class("smooth-strongly-convex", q), steps, "function-gap", "gradient-norm")
    result = solve(data, "clarabel")
    ref = refute_rate(data, result, Fraction(99, 100) * Fraction(result.value))
    assert ref is not None and ref.kind == "explicit-function"
    assert ref.detail.function.kind == "piecewise-quadratic"
    assert float(ref.detail.metric_exact) <= result.value * (1 + 1e-6)
    assert ref.detail.initial_value <= 1 and "[1/10, 1]" in ref.evidence["class_membership"]
