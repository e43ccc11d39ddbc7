"""Property tests of step-size schedules (verify.testing): gradient descent on random functions of a class
never exceeds a published worst-case bound, and a deliberately broken bound is caught and shrunk."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from core.errors import FieldError
from verify.testing import (
    ScheduleViolation,
    check_schedule,
    piecewise_quadratic,
    smooth_convex_functions,
    smooth_strongly_convex_functions,
)

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)
SILVER_7 = ["sqrt(2)", "2", "sqrt(2)", "2 + 2*sqrt(2)", "sqrt(2)", "2", "sqrt(2)"]  # 1 + rho^(nu(t) - 1)


@PROPERTY
@given(problem=smooth_convex_functions(), n=st.integers(1, 5))
def test_constant_unit_steps_obey_drori_teboulle(problem, n):
    # Drori and Teboulle (2014), Theorem 1: with h = 1, f(x_N) - f* <= L R^2 / (4N + 2), tight
    check_schedule(problem, ["1"] * n, Fraction(1, 4 * n + 2))


@PROPERTY
@given(problem=smooth_strongly_convex_functions(m=Fraction(1, 10)), n=st.integers(1, 4))
def test_unit_steps_contract_the_distance(problem, n):
    # h = 1/L on the L-smooth m-strongly convex class: ||x+ - x*|| <= max(|1 - m/L|, |1 - 1|) ||x - x*||
    check_schedule(problem, ["1"] * n, Fraction(9, 10) ** (2 * n), metric="distance")


@PROPERTY
@given(problem=smooth_convex_functions(max_dim=2))
def test_silver_steps_obey_the_altschuler_parrilo_bound(problem):
    # Altschuler and Parrilo (2023), Theorem 1.1: N = 2^k - 1 Silver steps give
    # f(x_N) - f* <= L R^2 / (1 + sqrt(4 rho^(2k) - 3)), rho = 1 + sqrt 2; here k = 3
    check_schedule(problem, SILVER_7, "1/(1 + sqrt(4*(1 + sqrt(2))**6 - 3))")


@PROPERTY
@given(problem=smooth_convex_functions(max_dim=1))
def test_gradient_norm_after_unit_steps(problem):
    # with h = 1, ||grad f(x_N)||^2 <= L^2 R^2 / (N + 1)^2 (Taylor, Hendrickx and Glineur 2017, numerically;
    # at N = 2 the suite's exact PEP certificate proves L^2 R^2 / 9)
    check_schedule(problem, ["1", "1"], Fraction(1, 9), metric="gradient-norm")


def test_a_broken_bound_is_caught_and_shrunk():
    # a claim 10% below the tight Drori-Teboulle constant 1/6 (N = 1): Huber's function breaks it
    broken = Fraction(1, 6) * Fraction(9, 10)

    def breaks(problem):
        try:
            check_schedule(problem, ["1"], broken)
        except ScheduleViolation:
            return True
        return False

    found = find(smooth_convex_functions(max_dim=1), breaks,
                 settings=settings(max_examples=2000, derandomize=True, database=None))
    assert found.name in ("piecewise-quadratic", "mixture")
    with pytest.raises(ScheduleViolation, match="function-gap after 1 steps"):
        check_schedule(found, ["1"], broken)


def test_the_tight_huber_case_is_not_a_violation():
    # Drori-Teboulle's worst case for N = 2, h = 1 is attained exactly (x0 = 1, break at 1/5): ratio 1/10
    huber = piecewise_quadratic(Fraction(1), Fraction(0), [Fraction(1), Fraction(0)], [Fraction(1, 5)],
                                Fraction(0), Fraction(1))
    ratio = check_schedule(huber, ["1", "1"], Fraction(1, 10))
    with mpmath.workdps(60):
        assert abs(ratio - mpmath.mpf(1) / 10) < mpmath.mpf(10) ** -50, ratio
    with pytest.raises(ScheduleViolation):
        check_schedule(huber, ["1", "1"], Fraction(1, 10) * (1 - Fraction(1, 10**30)))


def test_bad_inputs_are_one_line_errors():
    huber = piecewise_quadratic(Fraction(1), Fraction(0), [Fraction(1)], [], Fraction(0), Fraction(1))
    with pytest.raises(ValueError, match="metric must be one of"):
        check_schedule(huber, ["1"], "1", metric="nope")
    with pytest.raises(FieldError, match="unknown function '__import__'"):  # parsed safely, never run
        check_schedule(huber, ["1"], "__import__('os')")
    with pytest.raises(FieldError, match="real number"):
        check_schedule(huber, ["1"], "sqrt(-1)")
    with pytest.raises(ValueError, match="0 <= m < L"):
        smooth_strongly_convex_functions(L=1, m=2).example()
