"""Solver values against published anchors, the exact and float paths agree, and failures are reported."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from pep.classes import make_class
from pep.fastbuild import build_gd_pep_float
from pep.pairs import consecutive_pairs, silver_pairs
from pep.problem import build_gd_pep
from pep.schedules import silver_steps
from pep.solve import PEPResult, full_problem_violation, solve, solve_cvxpy, solve_scs

# SCS at eps 1e-7 on these normalized problems: the value is within a few 1e-7 (absolute) of the optimum
TOL = 2e-6


def _scs(cls: str, steps: list[float], initial: str, metric: str, q: float = 0.0) -> PEPResult:
    result = solve_scs(build_gd_pep_float(cls, steps, initial, metric, q=q))
    assert result.ok, result.status
    return result


@pytest.mark.parametrize("n_steps,h", [(1, 1.0), (5, 1.5), (10, 1.0), (40, 1.0), (3, 0.5), (4, 1.8)])
def test_constant_step_smooth_convex(n_steps, h):
    # Drori and Teboulle 2014 (h <= 1), Kim 2024 (1 < h < 2): max(1/(2Nh + 1), (1 - h)^(2N)) / 2
    expected = max(1 / (2 * n_steps * h + 1), (1 - h) ** (2 * n_steps)) / 2
    result = _scs("smooth-convex", [h] * n_steps, "distance", "function-gap")
    assert result.value == pytest.approx(expected, abs=TOL)
    assert result.tau == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("n_steps,expected", [(1, 0.130602), (3, 0.046918), (7, 0.018422), (15, 0.0074692)])
def test_silver_smooth_convex(n_steps, expected):
    result = _scs("smooth-convex", [float(h) for h in silver_steps(n_steps)], "distance", "function-gap")
    assert result.value == pytest.approx(expected, abs=max(TOL, 5e-7 + 1e-6 * expected))


@pytest.mark.parametrize("n_steps,h", [(1, 1.0), (3, 1.0), (2, 1.5), (4, 0.5)])
def test_strongly_convex_distance(n_steps, h):
    q = 0.1
    expected = max(abs(1 - h * q), abs(1 - h)) ** (2 * n_steps)
    result = _scs("smooth-strongly-convex", [h] * n_steps, "distance", "distance", q=q)
    assert result.value == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("n_steps", [1, 5, 10])
def test_function_gap_to_gradient_norm(n_steps):
    result = _scs("smooth-convex", [1.0] * n_steps, "function-gap", "gradient-norm")
    assert result.value == pytest.approx(2 / (2 * n_steps + 1), abs=TOL)


def test_exact_data_and_float_data_give_the_same_solution():
    fclass = make_class("smooth-convex")
    steps = silver_steps(7)
    exact = solve(build_gd_pep(fclass, steps, "distance", "function-gap"))
    fast = solve(build_gd_pep_float(fclass, steps, "distance", "function-gap"))
    assert exact.ok and fast.ok
    assert exact.value == pytest.approx(fast.value, abs=1e-9)
    assert set(exact.multipliers) == set(fast.multipliers)
    assert exact.build_seconds >= 0 and exact.solve_seconds > 0


def test_clarabel_agrees_with_scs():
    data = build_gd_pep_float("smooth-convex", [float(h) for h in silver_steps(7)], "distance",
                              "function-gap")
    scs_result, clarabel = solve(data, "scs"), solve(data, "clarabel")
    assert clarabel.ok and clarabel.solver == "clarabel"
    assert clarabel.value == pytest.approx(0.018422, abs=1e-6)
    assert clarabel.value == pytest.approx(scs_result.value, abs=TOL)
    assert clarabel.tau == pytest.approx(clarabel.value, abs=1e-7)


def test_result_holds_a_dual_certificate_candidate():
    result = _scs("smooth-convex", [1.0] * 5, "distance", "function-gap")
    assert result.G.shape == (7, 7) and result.S.shape == (7, 7) and result.F.shape == (6,)
    assert np.linalg.eigvalsh(result.G).min() > -1e-6
    assert np.linalg.eigvalsh(result.S).min() > -1e-6
    assert min(result.multipliers.values()) > -1e-6
    assert result.residuals["primal_violation"] < 1e-5
    assert result.info["iterations"] > 0


def test_restricted_pairs_give_an_upper_bound():
    steps = [float(h) for h in silver_steps(7)]
    full = _scs("smooth-convex", steps, "distance", "function-gap").value
    for pairs in (consecutive_pairs(7), silver_pairs(7)):
        restricted = solve_scs(build_gd_pep_float("smooth-convex", steps, "distance", "function-gap", pairs))
        assert restricted.ok
        assert restricted.value >= full - TOL


@pytest.mark.parametrize("n_steps,expected,digit", [(15, 0.0074692, 1e-7), (31, 0.00306703, 1e-8)])
def test_silver_pairs_are_tight(n_steps, expected, digit):
    # the restricted Silver pair set reaches the published full value, and its worst case is feasible for
    # the full problem (so the upper bound is attained)
    steps = [float(h) for h in silver_steps(n_steps)]
    result = solve_scs(build_gd_pep_float("smooth-convex", steps, "distance", "function-gap",
                                          silver_pairs(n_steps)))
    assert result.ok
    assert result.value == pytest.approx(expected, abs=digit / 2 + 1e-8)  # to the anchor's last digit
    full = build_gd_pep_float("smooth-convex", steps, "distance", "function-gap")
    assert full_problem_violation(full, result) < 1e-6


def test_solver_failure_is_reported_not_a_number():
    data = build_gd_pep_float("smooth-convex", [float(h) for h in silver_steps(15)], "distance",
                              "function-gap")
    result = solve_scs(data, max_iters=5)
    assert not result.ok
    assert result.status != "solved" and "inaccurate" in result.status
    assert math.isnan(result.value)


def test_unknown_solver():
    data = build_gd_pep_float("smooth-convex", [1.0], "distance", "function-gap")
    with pytest.raises(ValueError):
        solve(data, "mosek")


def test_cvxpy_scs_path():
    data = build_gd_pep(make_class("smooth-convex"), [Fraction(1)] * 3, "distance", "function-gap")
    result = solve_cvxpy(data, "scs")
    assert result.ok and result.value == pytest.approx(1 / 14, abs=TOL)
