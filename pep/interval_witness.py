"""Witnesses for step sizes outside Q(sqrt 2) (Chebyshev steps: cosines of multiples of pi/(2N)).

The exact PEP and its instances need steps in Q or Q(sqrt 2). For other exact steps (sympy expressions) a
witness is still rigorous: an explicit one-dimensional function of the smooth strongly convex class with
RATIONAL data (a C^1 piecewise quadratic, membership checked exactly by :mod:`pep.piecewise`), on which
gradient descent with the exact steps is run in interval arithmetic at 200 bits. The steps enter as
rigorous enclosures (:func:`numeric.interval.enclose`); f' is increasing (its slopes are >= q > 0), so
f'([a, b]) lies in [f'(a), f'(b)], computed exactly at the endpoints. The final interval contains the true
||x_N - x*||^2 / ||x_0 - x*||^2 of that function, so a lower end above a bound refutes the bound.

The function is found in floating point (a search over the curvature f'(x_k)/x_k in [q, 1] at each
iterate, subject to the one-dimensional interpolation conditions) and only then made exact; the search
decides nothing, the interval run does.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from numeric.interval import DEFAULT_BITS, enclose
from pep.piecewise import PiecewiseQuadratic, through_points

# The search keeps every secant slope of f' inside [q + SLOPE_MARGIN, 1 - SLOPE_MARGIN], so rounding its
# curvatures to rationals with denominators <= CURVATURE_DENOMINATOR (error <= 1e-8, far below the margin)
# cannot push a slope out of [q, 1]; the exact check in pep.piecewise decides membership regardless.
SLOPE_MARGIN = 1e-6
CURVATURE_DENOMINATOR = 10**8
STEP_DIGITS = 40  # the rational steps used to lay out the function's data (the run itself uses exact ones)
SEARCH_SEED = 20261204  # the search is seeded: the same steps give the same witness
MAX_SEARCH_STEPS = 64  # the search's dimension is N; beyond this it is too slow to be worth running


@dataclass
class IntervalWitness:
    """An explicit function and the rigorous enclosure of its squared distance ratio after N steps."""

    function: PiecewiseQuadratic
    membership: str
    ratio_low: Fraction  # a rational at or below the exact ||x_N - x*||^2 / ||x_0 - x*||^2
    ratio_high: Fraction  # ... and one at or above it
    iterates: list[str]  # the enclosures of x_0..x_N, for the evidence


def _bounds(x: Any) -> tuple[Fraction, Fraction]:
    """The exact rational endpoints of an mpmath interval (never through a 53-bit float)."""
    out = []
    for sign, man, exp, _ in x._mpi_:
        value = Fraction(int(man)) * (Fraction(2) ** int(exp))
        out.append(-value if sign else value)
    return out[0], out[1]


def _to_iv(value: Fraction, iv: Any) -> Any:
    return iv.mpf(value.numerator) / iv.mpf(value.denominator)


def _secants_ok(xs: np.ndarray, gs: np.ndarray, q: float) -> float:
    """How far the points (x, g) with (0, 0) are from admitting slopes in [q + margin, 1 - margin]."""
    order = np.argsort(np.append(xs, 0.0))
    x, g = np.append(xs, 0.0)[order], np.append(gs, 0.0)[order]
    dx, dg = np.diff(x), np.diff(g)
    lo, hi = q + SLOPE_MARGIN, 1 - SLOPE_MARGIN
    return float(np.sum(np.maximum(0, lo * dx - dg) + np.maximum(0, dg - hi * dx)))


def _run(curv: np.ndarray, steps: list[float]) -> tuple[np.ndarray, np.ndarray, float]:
    x, xs, gs = 1.0, [], []
    for h, c in zip(steps, curv, strict=True):
        xs.append(x)
        gs.append(c * x)
        x -= h * c * x
    return np.array(xs), np.array(gs), x


def search_curvatures(steps: list[float], q: float) -> list[float] | None:
    """Curvatures c_k = f'(x_k)/x_k in [q, 1] that (nearly) maximize |x_N| from x_0 = 1 for a 1-D function
    of the class; floating point, seeded (scipy's differential evolution), or None if N is too large."""
    from scipy.optimize import differential_evolution

    if len(steps) > MAX_SEARCH_STEPS:
        return None

    def objective(curv: np.ndarray) -> float:
        xs, gs, last = _run(curv, steps)
        return -np.log(abs(last) + 1e-300) + 1e4 * _secants_ok(xs, gs, q)

    lo, hi = q + SLOPE_MARGIN, 1 - SLOPE_MARGIN
    best = differential_evolution(objective, [(lo, hi)] * len(steps), seed=SEARCH_SEED, maxiter=2000,
                                  tol=1e-12, polish=True)
    xs, gs, _ = _run(np.clip(best.x, lo, hi), steps)
    return [float(c) for c in np.clip(best.x, lo, hi)] if _secants_ok(xs, gs, q) == 0 else None


def exact_function(q: Fraction, steps: list[Any], curvatures: list[float]) -> PiecewiseQuadratic | None:
    """The exact 1-D function of the smooth strongly convex class (L = 1) through the data that rational
    approximations of ``steps`` and ``curvatures`` lay out from x_0 = 1, or None if the data do not fit."""
    rational_steps = [_bounds(enclose(h))[0].limit_denominator(10**STEP_DIGITS) for h in steps]
    x, grads, values = Fraction(1), [], []
    for h, c in zip(rational_steps, curvatures, strict=True):
        g = Fraction(c).limit_denominator(CURVATURE_DENOMINATOR) * x
        grads.append(g)
        values.append(g * x / 2)
        x -= h * g
    return through_points("smooth-strongly-convex", q, rational_steps, Fraction(1), grads, values)


def interval_run(fn: PiecewiseQuadratic, steps: list[Any], bits: int = DEFAULT_BITS) -> list[Any]:
    """Rigorous enclosures of x_0 = fn.start, ..., x_N under x+ = x - h f'(x) with the exact ``steps``."""
    iv = mpmath.iv
    old = iv.prec
    iv.prec = bits
    try:
        hs = [enclose(h, bits=bits) for h in steps]
        xs = [_to_iv(Fraction(fn.start), iv)]
        for h in hs:
            a, b = _bounds(xs[-1])
            g = iv.mpf([_to_iv(fn.grad(a), iv).a, _to_iv(fn.grad(b), iv).b])  # f' is increasing
            xs.append(xs[-1] - h * g)
        return xs
    finally:
        iv.prec = old


def expansion_witness(q: Fraction, steps: list[Any]) -> IntervalWitness | None:
    """A function of the smooth strongly convex class (L = 1, m = q) on which gradient descent with the
    exact ``steps`` ends as far as it can be made from x* = 0, with the ratio enclosed; None if not found."""
    curvatures = search_curvatures([float(enclose(h).mid) for h in steps], float(q))
    if curvatures is None:
        return None
    fn = exact_function(q, steps, curvatures)
    if fn is None:
        return None
    why = fn.membership("smooth-strongly-convex", q)
    if why is None:
        return None
    xs = interval_run(fn, steps)
    start = Fraction(fn.start)
    a, b = _bounds(xs[-1])
    high = max(a * a, b * b)
    low = min(a * a, b * b) if a * b > 0 else Fraction(0)
    return IntervalWitness(function=fn, membership=why, ratio_low=low / start**2, ratio_high=high / start**2,
                           iterates=[_show(x) for x in xs])


def _show(x: Any) -> str:
    """An enclosure as 'lo .. hi' with 20 significant digits (display only)."""
    a, b = _bounds(x)
    return f"{mpmath.nstr(mpmath.mpf(a.numerator) / a.denominator, 20)} .. " \
           f"{mpmath.nstr(mpmath.mpf(b.numerator) / b.denominator, 20)}"
