"""Heavy ball and Nesterov momentum on quadratics with spectrum in [m, L], decided exactly.

With x_{-1} = x_0 and a constant step alpha and momentum beta, on f = 1/2 sum lambda_i x_i^2 each coordinate
evolves by a 2 x 2 linear recursion on (x_k, x_{k-1}):

* heavy ball  x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1}):
  T(lambda) = [[1 + beta - alpha lambda, -beta], [1, 0]];
* Nesterov    y_k = x_k + beta (x_k - x_{k-1}), x_{k+1} = y_k - alpha grad f(y_k):
  T(lambda) = [[(1 + beta) c, -beta c], [1, 0]] with c = 1 - alpha lambda.

So x_N = p_N(lambda) x_0 with p_0 = 1, p_1 = 1 - alpha lambda and p_{k+1} = t p_k - q p_{k-1} (t the trace and
q the determinant of T): the worst N-step ratios are max over [m, L] of |p_N| (distance, gradient) or p_N^2
(function gap), decided like gradient descent's residual polynomials (:mod:`symbolic.spectral`).

The asymptotic rate (``metric = "rate"``, the spectral radius of T(lambda), which is lim sup ||x_k||^(1/k) on
the worst quadratic) is max over lambda in [m, L] of rho(T(lambda)), and with beta >= 0 that maximum is at
lambda = m or lambda = L:

* heavy ball: q = beta is constant and rho = sqrt(beta) when t^2 < 4 beta, else (|t| + sqrt(t^2 - 4 beta))/2,
  a non-decreasing function of |t|; t is affine in lambda, so |t| is convex and largest at an end;
* Nesterov: with c = 1 - alpha lambda (affine in lambda), rho(c) = sqrt(beta c) for
  0 <= c < 4 beta/(1+beta)^2, ((1+beta) c + sqrt((1+beta)^2 c^2 - 4 beta c))/2 above it (its derivative
  is >= (1+beta)/2 > 0), and
  ((1+beta)|c| + sqrt((1+beta)^2 c^2 + 4 beta |c|))/2 for c < 0: decreasing for c <= 0, increasing for
  c >= 0 (continuous at the switches), so its maximum on an interval of c is at an end.

Each spectral radius is the exact closed form of the larger root modulus of z^2 - t z + q.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from numeric.interval import exact_sign
from symbolic.spectral import LAM

METHODS = ("heavy-ball", "nesterov")


def trace_det(method: str, alpha: Any, beta: Any, lam: Any) -> tuple[Any, Any]:
    """The trace t and determinant q of the 2 x 2 iteration matrix at eigenvalue ``lam``."""
    if method == "heavy-ball":
        return 1 + beta - alpha * lam, beta
    c = 1 - alpha * lam
    return (1 + beta) * c, beta * c


def iteration_matrix(method: str, alpha: Any, beta: Any, lam: Any) -> sp.ImmutableMatrix:
    """T(lambda) acting on (x_k, x_{k-1})."""
    t, q = trace_det(method, alpha, beta, lam)
    return sp.ImmutableMatrix([[t, -q], [1, 0]])


class Undecided(Exception):
    """A sign that exact arithmetic could not decide."""


def _sign(value: Any) -> int:
    s = exact_sign(sp.sympify(value))
    if s is None:
        raise Undecided(f"cannot decide the sign of {value}")
    return s


def spectral_radius(t: Any, q: Any) -> tuple[Any, str]:
    """The exact spectral radius of [[t, -q], [1, 0]] (roots of z^2 - t z + q) and which case applies."""
    t, q = sp.sympify(t), sp.sympify(q)
    disc = sp.expand(t * t - 4 * q)
    s = _sign(disc)
    if s < 0:
        return sp.sqrt(q), "complex pair: |z| = sqrt(q)"
    abs_t = t if _sign(t) >= 0 else -t
    if s == 0:
        return abs_t / 2, "double root: |z| = |t|/2"
    return (abs_t + sp.sqrt(disc)) / 2, "real roots: (|t| + sqrt(t^2 - 4q))/2"


def worst_rate(method: str, alpha: Any, beta: Any, m: Any, L: Any) -> tuple[Any, Any, dict[str, Any]]:
    """max over [m, L] of rho(T(lambda)) (at an end, see the module docstring), the eigenvalue attaining
    it, and the two ends' radii."""
    ends = {}
    for lam in (m, L):
        t, q = trace_det(method, alpha, beta, lam)
        ends[lam] = spectral_radius(t, q)
    (rm, how_m), (rl, how_l) = ends[m], ends[L]
    worst, at = (rm, m) if _sign(rm - rl) >= 0 else (rl, L)
    detail = {"rho_at_m": _show(rm), "rho_at_m_case": how_m, "rho_at_L": _show(rl), "rho_at_L_case": how_l}
    return worst, at, detail


def residual(method: str, alpha: Any, beta: Any, n: int) -> Any:
    """p_n(lambda) with x_n = p_n(lambda) x_0 (x_{-1} = x_0), expanded."""
    t, q = trace_det(method, alpha, beta, LAM)
    prev, cur = sp.Integer(1), sp.expand(1 - alpha * LAM)
    if n == 0:
        return prev
    for _ in range(n - 1):
        prev, cur = cur, sp.expand(t * cur - q * prev)
    return cur


def run(method: str, alpha: Any, beta: Any, eigs: list[Any], x0: list[Any], n: int,
        dps: int = 50) -> dict[str, str]:
    """The method run for n steps on f = 1/2 sum lambda_i x_i^2 (x* = 0) at ``dps`` digits: the ratios."""
    with mpmath.workdps(dps + 10):
        a, b = mpmath.mpf(sp.N(alpha, dps + 10)), mpmath.mpf(sp.N(beta, dps + 10))
        lam = [mpmath.mpf(sp.N(e, dps + 10)) for e in eigs]
        x = [mpmath.mpf(sp.N(v, dps + 10)) for v in x0]
        start, prev = list(x), list(x)
        for _ in range(n):
            if method == "heavy-ball":
                new = [xi - a * li * xi + b * (xi - pi) for xi, pi, li in zip(x, prev, lam, strict=True)]
            else:
                y = [xi + b * (xi - pi) for xi, pi in zip(x, prev, strict=True)]
                new = [yi - a * li * yi for yi, li in zip(y, lam, strict=True)]
            prev, x = x, new

        def norm(v: list[Any]) -> Any:
            return mpmath.sqrt(sum(t * t for t in v))

        def fval(v: list[Any]) -> Any:
            return sum(li * t * t for li, t in zip(lam, v, strict=True)) / 2

        out = {"distance-ratio": norm(x) / norm(start), "function-gap-ratio": fval(x) / fval(start),
               "gradient-ratio": norm([li * t for li, t in zip(lam, x, strict=True)])
               / norm([li * t for li, t in zip(lam, start, strict=True)])}
        return {k: mpmath.nstr(v, dps) for k, v in out.items()}


def _show(value: Any) -> str:
    value = sp.sympify(value)
    if isinstance(value, sp.Rational):
        return str(value)
    return f"{value} = {sp.N(value, 30)}"
