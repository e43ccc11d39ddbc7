"""Worst cases of gradient descent on quadratics, decided exactly.

Gradient descent with steps eta_1..eta_N on f(x) = 1/2 x^T A x - b^T x (spectrum of A in [m, L]) gives
x_N - x* = p(A)(x_0 - x*) with the residual polynomial p(lambda) = prod_k (1 - eta_k lambda). Over all
such quadratics and starting points:

* distance ratio ||x_N - x*|| / ||x_0 - x*||  -> max over lambda in [m, L] of |p(lambda)|;
* gradient ratio ||grad f(x_N)|| / ||grad f(x_0)|| -> the same maximum (grad f(x) = A(x - x*) commutes
  with p(A));
* function-gap ratio (f(x_N) - f*) / (f(x_0) - f*) -> max of p(lambda)^2.

Each worst case is attained by a 2-D diagonal quadratic with the worst eigenvalue as one entry and x_0 - x*
along its eigenvector, so it is an exact rate (a supremum when m = 0 and the worst eigenvalue is 0).

Decisions: for a constant step the maximum is at an end of [m, L] (|1 - alpha lambda| is convex); for
Chebyshev steps it is 1/T_N((L+m)/(L-m)) (|T_N| <= 1 on [-1, 1], equality at the ends); for a general
schedule with rational coefficients "B -/+ p >= 0 on [m, L]" is decided by exact real-root isolation
(rational isolating intervals, rational test points between roots); for irrational coefficients a
rigorous interval branch and bound is used, inconclusive when it cannot separate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from numeric.interval import NotEnclosable, enclose, exact_sign, sign_of

LAM = sp.Symbol("lambda", real=True)
METRICS = ("distance-ratio", "function-gap-ratio", "gradient-ratio")
RELATIONS = ("<=", "<", "==")
BB_PIECES = 4096  # most sub-intervals of the interval branch and bound


def chebyshev_t(n: int, t: Any) -> Any:
    """T_n(t) by the three-term recurrence (exact for exact t)."""
    a, b = sp.Integer(1), t
    if n == 0:
        return a
    for _ in range(n - 1):
        a, b = b, sp.expand(2 * t * b - a)
    return b


def chebyshev_residual(n: int, m: Any, L: Any) -> Any:
    """p(lambda) = T_n((L + m - 2 lambda)/(L - m)) / T_n((L + m)/(L - m)), a polynomial in LAM."""
    t = (L + m - 2 * LAM) / (L - m)
    return sp.expand(chebyshev_t(n, t) / chebyshev_t(n, (L + m) / (L - m)))


def chebyshev_steps(n: int, m: Any, L: Any) -> list[Any]:
    """The step sizes 1/lambda_k, lambda_k = (L+m)/2 + (L-m)/2 cos((2k-1) pi/(2n)), k = 1..n (exact)."""
    return [1 / ((L + m) / 2 + (L - m) / 2 * sp.cos((2 * k - 1) * sp.pi / (2 * n))) for k in range(1, n + 1)]


def residual(steps: list[Any]) -> Any:
    """prod_k (1 - eta_k lambda), expanded."""
    p = sp.Integer(1)
    for eta in steps:
        p = sp.expand(p * (1 - eta * LAM))
    return p


@dataclass
class Decision:
    """The outcome of comparing a worst case with a bound."""

    holds: bool | None  # None: undecided
    method: str
    worst: Any = None  # exact worst value when known (sympy), else None
    worst_at: Any = None  # an eigenvalue attaining it (sympy), when known
    witness_lambda: Any = None  # an eigenvalue where the relation fails (for refutations)
    detail: dict[str, Any] = field(default_factory=dict)


def _sign(expr: Any) -> int | None:
    """Exact sign of a constant (rational arithmetic, an enclosure excluding 0, or an exact zero proof)."""
    return exact_sign(expr)


def compare(worst: Any, bound: Any, relation: str) -> bool | None:
    """Whether ``worst relation bound`` holds, exactly (None when the sign cannot be decided)."""
    s = _sign(worst - bound)
    if s is None:
        return None
    return {"<=": s <= 0, "<": s < 0, "==": s == 0}[relation]


def closed_form_worst(kind: str, m: Any, L: Any, n: int, alpha: Any = None) -> tuple[Any, Any]:
    """max over [m, L] of |p| for a constant step (ends of the interval) or Chebyshev steps; with the
    eigenvalue attaining it."""
    if kind == "constant":
        a, b = abs(1 - alpha * m) ** n, abs(1 - alpha * L) ** n
        s = _sign(a - b)
        if s is None:
            raise ValueError("cannot order the two ends")
        return (a, m) if s >= 0 else (b, L)
    if kind == "chebyshev":
        return 1 / abs(chebyshev_t(n, (L + m) / (L - m))), m
    raise ValueError(kind)


def _rational_poly(expr: Any) -> sp.Poly | None:
    poly = sp.Poly(expr, LAM)
    if all(isinstance(c, sp.Rational) for c in poly.all_coeffs()):
        return poly
    return None


def _roots_in(poly: sp.Poly, lo: sp.Rational, hi: sp.Rational) -> list[tuple[sp.Rational, sp.Rational]]:
    """Disjoint rational isolating intervals (a, b) of the distinct real roots of ``poly`` meeting
    [lo, hi]."""
    if poly.degree() <= 0:
        return []
    sqf = poly.sqf_part()
    out = []
    for (a, b), _mult in sqf.intervals():
        a, b = sp.Rational(a), sp.Rational(b)
        if b < lo or a > hi:
            continue
        out.append((a, b))
    return sorted(out)


def sign_profile(poly: sp.Poly, lo: sp.Rational, hi: sp.Rational) -> tuple[str, Any]:
    """Exact classification of a rational polynomial on [lo, hi]: ``("neg", x)`` with a rational x where it
    is negative, ``("zero", root)`` when it is >= 0 and vanishes somewhere (root exact), else ``("pos",
    None)``."""
    tests = {lo, hi}
    roots = _roots_in(poly, lo, hi)
    edges = [lo] + [e for ab in roots for e in ab] + [hi]
    edges = sorted(e for e in edges if lo <= e <= hi)
    for a, b in zip(edges, edges[1:], strict=False):
        if a < b:
            tests.add((a + b) / 2)
    for a, b in roots:
        # refine until the isolating interval's ends are on one side each; test the ends too
        if lo <= a <= hi:
            tests.add(a)
        if lo <= b <= hi:
            tests.add(b)
    worst = None
    for x in sorted(tests):
        v = poly.eval(x)
        if v < 0 and (worst is None or v < worst[1]):
            worst = (x, v)
    if worst is not None:
        return "neg", worst[0]
    # no negative value at test points: sign is constant (>= 0) between consecutive roots; find a zero
    for x in sorted(tests):
        if poly.eval(x) == 0:
            return "zero", x
    for a, b in roots:
        # a root strictly inside (a, b) within [lo, hi]
        if a >= lo and b <= hi:
            return "zero", sp.CRootOf(poly, _root_index(poly, a, b))
        # the isolating interval straddles an end: the root is in [lo, hi] iff the sign changes there
        if _has_root_between(poly, max(a, lo), min(b, hi)):
            return "zero", sp.CRootOf(poly, _root_index(poly, a, b))
    return "pos", None


def _has_root_between(poly: sp.Poly, a: sp.Rational, b: sp.Rational) -> bool:
    return a <= b and poly.count_roots(a, b) > 0


def _root_index(poly: sp.Poly, a: sp.Rational, b: sp.Rational) -> int:
    roots = sp.Poly(poly, LAM).real_roots()
    for i, r in enumerate(roots):
        if a <= r <= b:
            return i
    raise ValueError("root not found")


def decide_polynomial(p: Any, m: Any, L: Any, metric: str, bound: Any, relation: str) -> Decision:
    """Decide ``worst(metric) relation bound`` for a residual polynomial ``p`` (exact when rational)."""
    power = 2 if metric == "function-gap-ratio" else 1
    rational = all(isinstance(v, sp.Rational) for v in (m, L, bound)) and _rational_poly(p) is not None
    if not rational:
        return _branch_and_bound(p, m, L, power, bound, relation)
    polys = [sp.Poly(bound - p**2, LAM)] if power == 2 else [sp.Poly(bound - p, LAM), sp.Poly(bound + p, LAM)]
    profiles = [sign_profile(q, m, L) for q in polys]
    worst, worst_at = exact_worst(p, m, L, power)
    detail = {"profiles": [k for k, _ in profiles]}
    method = "exact real-root isolation of bound -/+ p(lambda) on [m, L] (rational arithmetic)"
    neg = [x for k, x in profiles if k == "neg"]
    zero = [x for k, x in profiles if k == "zero"]
    if neg:
        return Decision(False, method, worst, worst_at, neg[0], detail)
    if relation == "<=":
        return Decision(True, method, worst, worst_at, None, detail)
    if relation == "<":
        return Decision(not zero, method, worst, worst_at, zero[0] if zero else None, detail)
    # "==": max <= bound holds; equality iff the bound is attained
    return Decision(bool(zero), method, worst, worst_at, None if zero else worst_at, detail)


def exact_worst(p: Any, m: Any, L: Any, power: int) -> tuple[Any, Any]:
    """The exact maximum of |p|^power on [m, L] (rational p): ends and real critical points; sympy values
    (CRootOf for irrational critical points)."""
    poly = sp.Poly(p, LAM)
    cands: list[Any] = [m, L]
    dp = poly.diff(LAM)
    if dp.degree() > 0:
        for r in sp.Poly(dp, LAM).real_roots():
            if _sign(r - m) == 1 and _sign(L - r) == 1:
                cands.append(r)
    best, at = None, None
    for c in cands:
        v = abs(poly.eval(c)) if isinstance(c, sp.Rational) else abs(p.subs(LAM, c))
        if best is None:
            best, at = v, c
            continue
        s = _sign(v - best)
        if s is None:
            raise ValueError(f"cannot order the candidate maxima {best} and {v}")
        if s > 0 or (s == 0 and isinstance(c, sp.Rational) and not isinstance(at, sp.Rational)):
            best, at = v, c
    return best**power, at


def _iv_poly(coeffs: list[Any], x: Any) -> Any:
    acc = mpmath.iv.mpf(0)
    for c in coeffs:
        acc = acc * x + c
    return acc


def _ends(x: Any) -> tuple[Any, Any]:
    """The exact endpoints of an mpmath interval as plain mpf numbers (exact comparisons, no None)."""
    a, b = x._mpi_
    return mpmath.mp.make_mpf(a), mpmath.mp.make_mpf(b)


def _to_rational(x: Any) -> sp.Rational:
    # the raw tuple: mpmath.mpf(x) would round to 53 bits, and man_exp is unsigned (the sign is _mpf_[0])
    sign, man, exp, _ = x._mpf_ if hasattr(x, "_mpf_") else mpmath.mpf(x)._mpf_
    return (-1) ** int(sign) * sp.Rational(int(man)) * sp.Integer(2) ** int(exp)


def _branch_and_bound(p: Any, m: Any, L: Any, power: int, bound: Any, relation: str) -> Decision:
    """Rigorous enclosure of max |p|^power on [m, L] by interval Horner evaluation on sub-intervals.

    Every sub-interval's upper end is an exact endpoint of an outward-rounded interval, compared with the
    exact lower endpoint of the bound's enclosure by plain (exact) mpf comparison."""
    method = "interval branch and bound (mpmath iv, 200 bits)"
    old = mpmath.iv.prec
    mpmath.iv.prec = 200
    try:
        try:
            coeffs = [enclose(c) for c in sp.Poly(p, LAM).all_coeffs()]
            lo_e, hi_e, b_enc = enclose(m), enclose(L), enclose(bound)
        except NotEnclosable as exc:
            return Decision(None, f"{method}: {exc}")
        b_lo, _ = _ends(b_enc)
        start, _ = _ends(lo_e)
        _, stop = _ends(hi_e)
        pieces = [(start, stop)]
        while True:
            ups = []
            for a, b in pieces:
                v = abs(_iv_poly(coeffs, mpmath.iv.mpf([a, b]))) ** power
                ups.append((_ends(v)[1], a, b))
            upper = max(u for u, _, _ in ups)
            if upper < b_lo or len(pieces) >= BB_PIECES:
                break
            new = []
            for u, a, b in ups:
                if u >= b_lo:
                    mid = (a + b) / 2
                    new += [(a, mid), (mid, b)]
                else:
                    new.append((a, b))
            pieces = new
    finally:
        mpmath.iv.prec = old
    # a lower bound from rational sample points inside [m, L]
    lo_r = m if isinstance(m, sp.Rational) else _to_rational(_ends(lo_e)[1])
    hi_r = L if isinstance(L, sp.Rational) else _to_rational(_ends(hi_e)[0])
    grid = [lo_r + (hi_r - lo_r) * sp.Rational(i, 64) for i in range(65)] if hi_r > lo_r else [lo_r]
    values = [(x, abs(sp.sympify(p).subs(LAM, x)) ** power) for x in grid]
    best_x, worst_val = max(values, key=lambda t: sp.N(t[1], 30))
    detail = {"upper_enclosure": mpmath.nstr(upper, 20), "pieces": len(pieces)}
    # a sampled point that provably exceeds the bound refutes every relation
    if sign_of(worst_val - bound) == 1 and _sign(best_x - m) >= 0 and _sign(L - best_x) >= 0:
        return Decision(False, method, None, None, best_x, detail)
    if upper < b_lo:
        return Decision(relation != "==", method, None, None, None if relation != "==" else best_x, detail)
    return Decision(None, method, None, None, None, detail)


def run_gd(eigs: list[Any], steps: list[Any], x0: list[Any], dps: int = 50) -> dict[str, Any]:
    """Gradient descent x <- x - eta A x on f = 1/2 sum lambda_i x_i^2 (x* = 0), at ``dps`` digits; the
    three ratios after all steps."""
    with mpmath.workdps(dps + 10):
        lam = [mpmath.mpf(sp.N(e, dps + 10)) if not isinstance(e, mpmath.mpf) else e for e in eigs]
        x = [mpmath.mpf(sp.N(v, dps + 10)) for v in x0]
        x_start = list(x)
        for eta in steps:
            e = mpmath.mpf(sp.N(eta, dps + 10))
            x = [xi - e * li * xi for xi, li in zip(x, lam, strict=True)]

        def norm(v: list[Any]) -> Any:
            return mpmath.sqrt(sum(t * t for t in v))

        def fval(v: list[Any]) -> Any:
            return sum(li * t * t for li, t in zip(lam, v, strict=True)) / 2

        out = {"distance-ratio": norm(x) / norm(x_start),
               "function-gap-ratio": fval(x) / fval(x_start),
               "gradient-ratio": norm([li * t for li, t in zip(lam, x, strict=True)])
               / norm([li * t for li, t in zip(lam, x_start, strict=True)])}
        return {k: mpmath.nstr(v, dps) for k, v in out.items()}


def as_fraction(x: sp.Rational) -> Fraction:
    """A sympy rational as a Fraction."""
    return Fraction(int(x.p), int(x.q))
