"""An explicit C^1 piecewise-quadratic function through a one-dimensional exact instance.

Between consecutive data points x_a < x_b (gradients g_a, g_b, values f_a, f_b) the derivative must go from
g_a to g_b with slopes in [lo, hi] (lo = q for the strongly convex class, 0 for the convex one, -1 for the
nonconvex one; hi = 1) and integrate to f_b - f_a. The lowest such derivative is
max(g_a + lo (x - x_a), g_b - hi (x_b - x)), the highest min(g_a + hi (x - x_a), g_b - lo (x_b - x)); a convex
combination lambda low + (1 - lambda) high still has slopes in [lo, hi] and its integral is linear in
lambda, so the exact lambda matching f_b - f_a is found whenever the data allow it. Outside the data the
derivative continues with slope lo (convex classes: f stays convex) or 1 (nonconvex: f grows, so it is
bounded below). Everything is exact (Q, or Q(sqrt 2)); every slope, f(x_k) = f_k and f'(x_k) = g_k are
checked exactly, and for the nonconvex class inf f is computed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from pep.instance import Exact, Instance, to_mp


@dataclass(eq=False)
class PiecewiseQuadratic:
    """f' continuous and linear between ``knots`` (values ``slopes`` there), f(knots[0]) = ``value0``;
    curvature ``left``/``right`` outside; ``floor`` = inf f (``value`` returns f - floor); ``start`` is
    the instance's x0."""

    knots: list[Exact]
    slopes: list[Exact]
    value0: Exact
    left: Exact
    right: Exact
    lo: Exact
    start: Exact
    floor: Exact = Fraction(0)
    values: list[Exact] = field(default_factory=list)
    kind: str = "piecewise-quadratic"

    def __post_init__(self) -> None:
        vals = [self.value0]
        for i in range(len(self.knots) - 1):
            step = self.knots[i + 1] - self.knots[i]
            vals.append(vals[-1] + (self.slopes[i] + self.slopes[i + 1]) / 2 * step)
        self.values = vals

    def _locate(self, x: Any) -> int:
        """-1 left of the knots, len - 1 right of them, else the segment index."""
        mp = isinstance(x, mpmath.mpf)
        knots = [to_mp(t) for t in self.knots] if mp else self.knots
        if x < knots[0]:
            return -1
        for i in range(len(knots) - 1):
            if x <= knots[i + 1]:
                return i
        return len(knots) - 1

    def _conv(self, v: Any, x: Any) -> Any:
        return to_mp(v) if isinstance(x, mpmath.mpf) else v

    def grad(self, x: Any) -> Any:
        """f'(x)."""
        i, c = self._locate(x), self._conv
        if i == -1:
            return c(self.slopes[0], x) + c(self.left, x) * (x - c(self.knots[0], x))
        if i == len(self.knots) - 1:
            return c(self.slopes[-1], x) + c(self.right, x) * (x - c(self.knots[-1], x))
        t0, t1 = c(self.knots[i], x), c(self.knots[i + 1], x)
        d0, d1 = c(self.slopes[i], x), c(self.slopes[i + 1], x)
        return d0 + (d1 - d0) / (t1 - t0) * (x - t0)

    def value(self, x: Any) -> Any:
        """f(x) - inf f."""
        i, c = self._locate(x), self._conv
        if i == -1:
            t, d, v, k = self.knots[0], self.slopes[0], self.values[0], self.left
        elif i == len(self.knots) - 1:
            t, d, v, k = self.knots[-1], self.slopes[-1], self.values[-1], self.right
        else:
            t, d, v = self.knots[i], self.slopes[i], self.values[i]
            k = (self.slopes[i + 1] - d) / (self.knots[i + 1] - t)
        t, d, v, k = c(t, x), c(d, x), c(v, x), c(k, x)
        return v + d * (x - t) + k * (x - t) ** 2 / 2 - c(self.floor, x)

    def formula(self) -> str:
        """A readable description (knots and derivative values)."""
        knots = ", ".join(str(t) for t in self.knots)
        slopes = ", ".join(str(d) for d in self.slopes)
        return (f"f C^1 piecewise quadratic: f' linear between knots t = [{knots}] with f'(t) = [{slopes}], "
                f"f(t_0) - inf f = {self.values[0] - self.floor}; f'' = {self.left} left of t_0, "
                f"{self.right} right of t_last")

    def membership(self, fclass: str, q: Exact) -> str | None:
        """Why f is in the class: every slope of f' checked exactly in [lo, 1]."""
        lo = q if fclass == "smooth-strongly-convex" else (0 if fclass == "smooth-convex" else -1)
        segs = [(self.slopes[i + 1] - self.slopes[i]) / (self.knots[i + 1] - self.knots[i])
                for i in range(len(self.knots) - 1)]
        if not all(lo <= s <= 1 for s in [*segs, self.left, self.right]):
            return None
        tail = {"smooth-strongly-convex": f"f - q x^2/2 is convex and f is 1-smooth (q = {q})",
                "smooth-convex": "f is convex and 1-smooth", "smooth": "f is 1-smooth"}[fclass]
        return (f"f' is continuous and piecewise linear; each of its {len(segs) + 2} slopes is checked "
                f"exactly to lie in [{lo}, 1]: {tail}; inf f = {self.floor} (f - inf f is reported)")


def _segment(xa: Exact, ga: Exact, fa: Exact, xb: Exact, gb: Exact, fb: Exact, lo: Exact,
             hi: Exact) -> list[tuple[Exact, Exact]] | None:
    """Knots (x, f'(x)) of an exact derivative from (xa, ga) to (xb, gb) with slopes in [lo, hi] whose
    integral is fb - fa, or as close to it as the slopes allow; None when the slopes cannot connect."""
    d, dg = xb - xa, gb - ga
    if not (lo * d <= dg <= hi * d):
        return None
    x_low = xa if hi == lo else (dg - hi * xb + lo * xa) / (lo - hi)
    x_high = xa if hi == lo else (dg - lo * xb + hi * xa) / (hi - lo)
    low = [(xa, ga), (x_low, ga + lo * (x_low - xa)), (xb, gb)]
    high = [(xa, ga), (x_high, ga + hi * (x_high - xa)), (xb, gb)]

    def integral(path: list[tuple[Exact, Exact]]) -> Exact:
        return sum(((p[1] + r[1]) / 2 * (r[0] - p[0]) for p, r in zip(path, path[1:], strict=False)),
                   Fraction(0))

    def at(path: list[tuple[Exact, Exact]], x: Exact) -> Exact:
        for p, r in zip(path, path[1:], strict=False):
            if p[0] <= x <= r[0]:
                return p[1] if r[0] == p[0] else p[1] + (r[1] - p[1]) / (r[0] - p[0]) * (x - p[0])
        raise ValueError("outside the segment")

    i_low, i_high = integral(low), integral(high)
    lam = Fraction(0) if i_high == i_low else (i_high - (fb - fa)) / (i_high - i_low)
    lam = min(max(lam, Fraction(0)), Fraction(1))  # the f values are only a target: clip to the feasible
    xs = sorted({xa, x_low, x_high, xb})
    return [(x, lam * at(low, x) + (1 - lam) * at(high, x)) for x in xs]


def through_points(fclass: str, q: Exact, steps: list[Exact], x0: Exact, grads: list[Exact],
                   values: list[Exact]) -> PiecewiseQuadratic | None:
    """The explicit 1-D function of the class with f'(x_k) = g_k at the iterates x_{k+1} = x_k - h_k g_k
    (and f'(0) = 0 for the classes with a minimizer), f(x_k) as close to ``values`` as the slopes allow;
    inf f computed exactly. None when the gradients cannot be connected with slopes in [lo, 1]."""
    lo = {"smooth-strongly-convex": q, "smooth-convex": Fraction(0)}.get(fclass, Fraction(-1))
    xs_run = [x0]
    for h, g in zip(steps, grads, strict=False):
        xs_run.append(xs_run[-1] - h * g)
    data = list(zip(xs_run, grads, values, strict=False))
    if fclass != "smooth":
        data.append((Fraction(0), Fraction(0), Fraction(0)))
    pts: dict[Any, tuple[Exact, Exact]] = {}
    for x, g, f in data:
        if x in pts and pts[x][0] != g:
            return None
        pts.setdefault(x, (g, f))
    xs = sorted(pts)
    knots: list[tuple[Exact, Exact]] = [(xs[0], pts[xs[0]][0])]
    for a, b in zip(xs, xs[1:], strict=False):
        seg = _segment(a, *pts[a], b, *pts[b], lo, 1)
        if seg is None:
            return None
        knots.extend(p for p in seg[1:] if p[0] != knots[-1][0])
    outer = lo if fclass != "smooth" else Fraction(1)
    fn = PiecewiseQuadratic([k[0] for k in knots], [k[1] for k in knots], pts[xs[0]][1], outer, outer, lo, x0)
    floor = _infimum(fn)
    if floor is None:
        return None
    fn.floor = floor
    if any(fn.grad(x) != g for x, g, _ in data) or fn.membership(fclass, q) is None:
        return None
    return fn


def through_instance(inst: Instance) -> PiecewiseQuadratic | None:
    """The explicit function through a one-dimensional instance (see :func:`through_points`), or None."""
    if inst.dimension != 1:
        return None
    return through_points(inst.fclass, inst.q, inst.steps, inst.x[0][0], [g[0] for g in inst.g], inst.f)


def _infimum(fn: PiecewiseQuadratic) -> Exact | None:
    """inf f, exactly: the minimum over the knots and the zeros of f'; None if f is unbounded below."""
    cands = list(fn.knots)
    for i in range(len(fn.knots) - 1):
        d0, d1 = fn.slopes[i], fn.slopes[i + 1]
        if d0 < 0 < d1 or d1 < 0 < d0:
            cands.append(fn.knots[i] + d0 * (fn.knots[i + 1] - fn.knots[i]) / (d0 - d1))
    ends = ((fn.knots[0], fn.slopes[0], fn.left, -1), (fn.knots[-1], fn.slopes[-1], fn.right, 1))
    for end, d, k, side in ends:
        if side * d < 0 or (d == 0 and k < 0):  # f decreases when leaving the knots on this side
            if not k > 0:
                return None  # f' never changes sign out there: f is unbounded below
            cands.append(end - d / k)
    return min(fn.value(x) for x in cands)


# A consecutive pair of a rank-1 worst case whose slope (g_b - g_a)/(x_b - x_a) is within TIGHT_TOL of a
# curvature bound (lo or 1), or whose points are within TIGHT_TOL of each other, is taken as exactly
# tight: the solver's accuracy (about 1e-7 on the coordinates) cannot tell such slopes from the bound, and a
# tight slope is what worst cases are made of (pieces of curvature exactly lo or 1).
TIGHT_TOL = 1e-6


def repair_one_d(fclass: str, q: Exact, steps: list[Exact], coords: list[float]) -> list[Fraction] | None:
    """Rational (x0, g_0..g_N) near ``coords`` on which every nearly tight slope is exactly tight.

    The iterates are linear in u = (x0, g_0..g_N), so "slope = bound" and "x_a = x_b, g_a = g_b" are
    homogeneous linear equations E u = 0; u is the projection of ``coords`` on the exact null space of E,
    with rationalized coefficients. Rational steps only (None otherwise)."""
    import sympy as sp

    if not all(isinstance(h, Fraction | int) for h in steps):
        return None
    lo = {"smooth-strongly-convex": q, "smooth-convex": Fraction(0)}.get(fclass, Fraction(-1))
    n = len(steps) + 2
    # rows over u: x_k = x0 - sum_{j<k} h_j g_j and g_k, for k = 0..N, plus x* = 0, g* = 0
    xrows, grows = [], []
    for k in range(len(steps) + 1):
        xr = [Fraction(0)] * n
        xr[0] = Fraction(1)
        for j in range(k):
            xr[j + 1] -= Fraction(steps[j])
        gr = [Fraction(0)] * n
        gr[k + 1] = Fraction(1)
        xrows.append(xr)
        grows.append(gr)
    if fclass != "smooth":
        xrows.append([Fraction(0)] * n)
        grows.append([Fraction(0)] * n)

    def val(row: list[Fraction]) -> float:
        return sum(float(a) * c for a, c in zip(row, coords, strict=True))

    order = sorted(range(len(xrows)), key=lambda i: val(xrows[i]))
    eqs = []
    for a, b in zip(order, order[1:], strict=False):
        dx = [u - v for u, v in zip(xrows[b], xrows[a], strict=True)]
        dg = [u - v for u, v in zip(grows[b], grows[a], strict=True)]
        if abs(val(dx)) < TIGHT_TOL:
            eqs += [dx, dg]
            continue
        slope = val(dg) / val(dx)
        for bound in (lo, Fraction(1)):
            if abs(slope - float(bound)) < TIGHT_TOL:
                eqs.append([u - bound * v for u, v in zip(dg, dx, strict=True)])
    if not eqs:
        return [Fraction(c).limit_denominator(10**12) for c in coords]
    E = sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in row] for row in eqs])
    basis = E.nullspace()
    if not basis:
        return None
    B = [[Fraction(int(sp.fraction(v)[0]), int(sp.fraction(v)[1])) for v in vec] for vec in basis]
    Bf = np.array([[float(v) for v in vec] for vec in B]).T
    coef, *_ = np.linalg.lstsq(Bf, np.array(coords), rcond=None)
    c = [Fraction(float(v)).limit_denominator(10**12) for v in coef]
    return [sum((ci * vec[i] for ci, vec in zip(c, B, strict=True)), Fraction(0)) for i in range(n)]
