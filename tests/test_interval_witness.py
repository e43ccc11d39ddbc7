"""pep.interval_witness: Chebyshev steps expand on the smooth strongly convex class (a rigorous witness)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp

from pep.interval_witness import expansion_witness
from symbolic.spectral import chebyshev_steps


def _independent_ratio(fn, q_steps_kappa: tuple[int, int], digits: int = 60) -> mpmath.mpf:
    """x_N^2 / x_0^2 by a plain 60-digit run, the Chebyshev steps recomputed from mpmath's cos."""
    n, kappa = q_steps_kappa
    with mpmath.workdps(digits):
        x = mpmath.mpf(fn.start.numerator) / fn.start.denominator
        x0 = x
        knots = [mpmath.mpf(t.numerator) / t.denominator for t in fn.knots]
        ders = [mpmath.mpf(d.numerator) / d.denominator for d in fn.slopes]
        for k in range(1, n + 1):
            angle = (2 * k - 1) * mpmath.pi / (2 * n)
            lam = (kappa + 1) / mpmath.mpf(2) + (kappa - 1) / mpmath.mpf(2) * mpmath.cos(angle)
            h = kappa / lam  # L = kappa, m = 1, normalized by L
            if x < knots[0]:  # outside the knots f' continues with the tails' curvature
                g = ders[0] + (x - knots[0]) * fn.left.numerator / fn.left.denominator
            elif x > knots[-1]:
                g = ders[-1] + (x - knots[-1]) * fn.right.numerator / fn.right.denominator
            else:
                i = max(j for j in range(len(knots) - 1) if knots[j] <= x)
                g = ders[i] + (ders[i + 1] - ders[i]) / (knots[i + 1] - knots[i]) * (x - knots[i])
            x = x - h * g
        return (x / x0) ** 2


def test_chebyshev_steps_expand_on_the_strongly_convex_class() -> None:
    """K = 8, m = 1, L = 10 (issue 17): the eight Chebyshev steps, exact, multiply ||x - x*||^2 by > 31."""
    steps = [10 * h for h in chebyshev_steps(8, sp.Integer(1), sp.Integer(10))]
    w = expansion_witness(Fraction(1, 10), steps)
    assert w is not None
    # membership, recomputed here: every slope of f' in [1/10, 1], f'(0) = 0 (so x* = 0)
    t, d = w.function.knots, w.function.slopes
    slopes = [(d[i + 1] - d[i]) / (t[i + 1] - t[i]) for i in range(len(t) - 1)]
    assert all(Fraction(1, 10) <= s <= 1 for s in [*slopes, w.function.left, w.function.right])
    assert w.function.grad(Fraction(0)) == 0
    assert w.ratio_low > 31 and w.ratio_high - w.ratio_low < Fraction(1, 10**40)
    independent = _independent_ratio(w.function, (8, 10))
    with mpmath.workdps(60):
        low = mpmath.mpf(w.ratio_low.numerator) / w.ratio_low.denominator
        assert abs(independent - low) < mpmath.mpf(10) ** -40
