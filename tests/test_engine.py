"""The engine's rescaling against published worst cases in units (homogeneity, pep/scale.py)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from pep.engine import worst_case
from pep.scale import scale_factor


@pytest.mark.parametrize(("L", "R2"), [(1, 1), (2, 3), (Fraction(1, 4), 5)])
def test_drori_teboulle_in_units(L, R2):
    # L R^2 / (4N + 2) for h = 1 (Drori and Teboulle 2014), N = 5.
    run = worst_case("smooth-convex", [Fraction(1)] * 5, "distance", "function-gap", L=L, size=R2)
    assert math.isclose(run.value, float(L) * R2 / 22, rel_tol=1e-5)
    assert run.result.build_seconds >= 0 and run.result.solve_seconds > 0


def test_gradient_norm_after_function_gap_in_units():
    # PEPit 0.5.1 computes 2/(2N + 1) at L = D = 1, h = 1 (issue 4); in units L D 2/(2N + 1).
    run = worst_case("smooth-convex", [Fraction(1)] * 5, "function-gap", "gradient-norm", L=3, size=2)
    assert math.isclose(run.value, 3 * 2 * 2 / 11, rel_tol=1e-5)


def test_strongly_convex_distance_rate_is_scale_free():
    # max(|1 - h q|, |1 - h|)^(2N) with q = m/L: the same for (m, L) = (1, 10) and (5, 50).
    a = worst_case("smooth-strongly-convex", [Fraction(1)] * 3, "distance", "distance", L=10, m=1)
    b = worst_case("smooth-strongly-convex", [Fraction(1)] * 3, "distance", "distance", L=50, m=5)
    assert math.isclose(a.value, 0.9**6, rel_tol=1e-6) and math.isclose(b.value, 0.9**6, rel_tol=1e-6)


def test_scale_factor_degrees():
    assert scale_factor(2, 3, "distance", "function-gap") == 6
    assert scale_factor(2, 3, "gradient", "distance") == Fraction(3, 4)
    assert scale_factor(2, 3, "function-gap", "min-gradient-norm") == 6
    with pytest.raises(ValueError):
        scale_factor(2, 3, "speed", "distance")
