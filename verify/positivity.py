"""Symbolic proofs that an expression is >= 0 (or > 0) on a claim's assumptions and domain.

Three sound strategies, tried in order:
1. sympy's assumption system on the factored expression (e.g. ``(L*a - 1)**2/(2*L)`` with L > 0);
2. a positive reparametrization of the domain (``0 < h < 2`` becomes ``h = 2t/(1+t)``, ``m < L`` becomes
   ``L = m + d``, with t, d > 0), after which a numerator and denominator whose every coefficient has one
   sign prove the sign (every monomial in positive variables is positive);
3. for a rational function of one variable, exact isolation of the real roots of numerator and
   denominator and an exact sign test between them.
Each returns a sentence saying what was proved, or None.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from numeric.interval import exact_sign, rational_between
from verify.params import Parameters

_Z = sp.Integer(0)


def prove_sign(g: Any, strict: bool, params: Parameters) -> str | None:
    """A proof sentence that ``g > 0`` (strict) or ``g >= 0`` holds on the domain, else None."""
    for strategy in (_by_assumptions, _by_reparametrization, _by_roots):
        try:
            proof = strategy(g, strict, params)
        except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, NotImplementedError,
                TypeError, ValueError, ZeroDivisionError):
            proof = None
        if proof:
            return proof
    return None


def _by_assumptions(g: Any, strict: bool, params: Parameters) -> str | None:
    f = sp.factor(sp.cancel(sp.together(g)))
    ok = f.is_positive if strict else f.is_nonnegative
    if ok:
        return f"sympy's assumptions prove {f} {'>' if strict else '>='} 0"
    return None


def _positive_map(params: Parameters, symbols: set[Any]) -> tuple[dict[Any, Any], list[str], bool] | None:
    """Substitutions by positive symbols whose image covers the domain's interior, or None when a symbol
    is unconstrained. The flag says whether a closed bound (<=, >=, nonnegative) was replaced by an open
    one, in which case only the interior of the domain is covered."""
    lower: dict[Any, tuple[Any, bool]] = {}
    upper: dict[Any, tuple[Any, bool]] = {}
    orders: list[tuple[Any, Any, bool]] = []

    def tighten(table: dict[Any, tuple[Any, bool]], s: Any, value: Any, closed: bool, pick: Any) -> None:
        old = table.get(s)
        if old is None or pick(value, old[0]) != old[0] or (value == old[0] and not closed):
            table[s] = (value, closed)

    for a, b, closed in params.ordered_domain():
        if isinstance(b, sp.Symbol) and a.is_number:
            tighten(lower, b, a, closed, max)
        elif isinstance(a, sp.Symbol) and b.is_number:
            tighten(upper, a, b, closed, min)
        elif isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol):
            orders.append((a, b, closed))
    for s in symbols:
        if s.is_nonnegative:
            tighten(lower, s, _Z, not s.is_positive, max)
    mapping: dict[Any, Any] = {}
    notes: list[str] = []
    closed_used = False
    for s in sorted(symbols, key=lambda x: x.name):
        lo, hi = lower.get(s), upper.get(s)
        t = sp.Symbol(f"_t_{s.name}", positive=True)
        if lo is not None and hi is not None:
            if not hi[0] > lo[0]:
                return None
            mapping[s] = lo[0] + (hi[0] - lo[0]) * t / (1 + t)
            notes.append(f"{s} = {lo[0]} + ({hi[0] - lo[0]})*t/(1 + t)")
            closed_used |= lo[1] or hi[1]
        elif lo is not None:
            mapping[s] = lo[0] + t
            notes.append(f"{s} = {lo[0]} + t" if lo[0] != 0 else f"{s} > 0")
            closed_used |= lo[1]
    left_sides = {a for a, _, _ in orders}
    for a, b, closed in orders:
        # every domain point with a < b has d = b - a > 0, so b = a + d covers the domain
        if a in mapping and b in symbols and b not in left_sides:
            d = sp.Symbol(f"_d_{b.name}", positive=True)
            mapping[b] = mapping[a] + d
            notes.append(f"{b} = {a} + d")
            closed_used |= closed
    if any(s not in mapping for s in symbols):
        return None
    return mapping, notes, closed_used


def _one_signed(poly_expr: Any, gens: list[Any]) -> int | None:
    """+1 / -1 when every coefficient is >= 0 / <= 0 (and the polynomial is not 0), else None."""
    poly = sp.Poly(sp.expand(poly_expr), *gens) if gens else None
    coeffs = poly.coeffs() if poly is not None else [sp.expand(poly_expr)]
    if not all(c.is_Rational for c in coeffs) or all(c == 0 for c in coeffs):
        return None
    if all(c >= 0 for c in coeffs):
        return 1
    if all(c <= 0 for c in coeffs):
        return -1
    return None


def _by_reparametrization(g: Any, strict: bool, params: Parameters) -> str | None:
    symbols = set(g.free_symbols)
    if not symbols:
        return None
    found = _positive_map(params, symbols)
    if not found:
        return None
    mapping, notes, closed_used = found
    if closed_used and (strict or g.has(sp.floor, sp.ceiling)):
        # only the interior is covered: a non-strict claim extends to the boundary by continuity of g
        # (every allowed function but floor and ceiling is continuous where defined); a strict one does not
        return None
    h = sp.cancel(sp.together(g.xreplace(mapping)))
    num, den = sp.fraction(h)
    gens = sorted(h.free_symbols, key=lambda x: x.name)
    signs = []
    for part in (num, den):
        factors = sp.factor_list(part, *gens) if gens else (part, [])
        sign = 1 if factors[0] > 0 else -1 if factors[0] < 0 else 0
        for factor, mult in factors[1]:
            fs = _one_signed(factor, gens)
            if fs is None and mult % 2 == 1:
                return None
            if fs is None and strict:
                return None  # an even power may vanish: only >= 0 is proved
            sign *= 1 if mult % 2 == 0 else fs
        signs.append(sign)
    if signs[0] * signs[1] > 0:
        return ("with " + ", ".join(notes) + f" (all new variables positive), the difference is {h}: "
                "numerator and denominator factor into terms of fixed sign")
    return None


def _by_roots(g: Any, strict: bool, params: Parameters) -> str | None:
    symbols = list(g.free_symbols)
    if len(symbols) != 1:
        return None
    x = symbols[0]
    lo, hi, lo_closed, hi_closed = _interval_of(x, params)
    num, den = sp.fraction(sp.cancel(sp.together(g)))
    if not (num.is_polynomial(x) and den.is_polynomial(x)):
        return None
    num_poly, den_poly = sp.Poly(num, x), sp.Poly(den, x)
    # numerator and denominator are coprime after cancel, so their real roots are distinct; each list is
    # sorted by exact isolation, and the merge orders them by exact signs of differences
    poles = den_poly.real_roots()
    roots = _merge_sorted(num_poly.real_roots(), poles)
    if roots is None:
        return None
    inside = []
    for r in roots:
        above = 1 if lo is None else exact_sign(r - lo)
        below = 1 if hi is None else exact_sign(hi - r)
        if above is None or below is None:
            return None  # cannot place the root against the interval's ends
        if above == 1 and below == 1:
            inside.append(r)
    if any(any(r is pole for pole in poles) for r in inside):
        return None  # a pole inside the domain
    if strict and inside:
        return None
    for end, closed in ((lo, lo_closed), (hi, hi_closed)):
        if end is not None and closed:
            if exact_sign(den.xreplace({x: end})) in (0, None):
                return None
            if not _sign_ok(g.xreplace({x: end}), strict):
                return None
    cuts = [lo] + inside + [hi]
    for left, right in zip(cuts, cuts[1:], strict=False):
        probe = rational_between(left, right)
        if probe is None or not _sign_ok(g.xreplace({x: probe}), strict):
            return None
    where = f"({lo if lo is not None else '-oo'}, {hi if hi is not None else 'oo'})"
    return (f"exact real-root isolation: on {where} the only sign changes of {sp.factor(g)} could be at "
            f"{[str(r) for r in inside] or 'no points'}; exact signs between them are all positive")


def _sign_ok(value: Any, strict: bool) -> bool:
    """Whether a constant is proved > 0 (strict) or >= 0."""
    s = exact_sign(value)
    return s is not None and (s > 0 if strict else s >= 0)


def _merge_sorted(a: list[Any], b: list[Any]) -> list[Any] | None:
    """Two exactly sorted lists of distinct real algebraic numbers merged by exact comparisons."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s = exact_sign(a[i] - b[j])
        if s is None or s == 0:
            return None
        if s < 0:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    return out + a[i:] + b[j:]


def _interval_of(x: Any, params: Parameters) -> tuple[Any, Any, bool, bool]:
    """Constant bounds on ``x`` from its assumptions and the domain, with whether each is closed."""
    lo = _Z if x.is_nonnegative else None
    lo_closed = bool(x.is_nonnegative and not x.is_positive)
    hi = _Z if x.is_nonpositive else None
    hi_closed = bool(x.is_nonpositive and not x.is_negative)
    for a, op, b in params.domain:
        a, b = params.substitute(a), params.substitute(b)
        closed = op in ("<=", ">=")
        if op in (">", ">="):
            a, b = b, a
        if op == "==":
            continue
        # a bound replaces the current one only when exactly tighter (an undecided order keeps the
        # looser bound: proving on a larger interval is still a proof)
        if b == x and a.is_number and (lo is None or exact_sign(a - lo) == 1 or (a == lo and not closed)):
            lo, lo_closed = a, closed
        elif a == x and b.is_number and (hi is None or exact_sign(hi - b) == 1 or (b == hi and not closed)):
            hi, hi_closed = b, closed
    return lo, hi, lo_closed, hi_closed
