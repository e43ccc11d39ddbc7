"""Rigorous enclosures of sympy expressions with mpmath's interval context.

An enclosure is an interval guaranteed to contain the exact value; a sign read off an enclosure that
excludes zero is therefore a proof of that sign, which is what REFUTED witnesses and transcendental
numeric claims rely on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mpmath
import sympy as sp

DEFAULT_BITS = 200  # about 60 decimal digits: above the 50 digits the verdict rules ask for


class NotEnclosable(Exception):
    """The expression uses an operation without a rigorous interval version here, or leaves its domain."""


def _iv() -> Any:
    return mpmath.iv


def enclose(expr: Any, subs: Mapping[Any, Any] | None = None, bits: int = DEFAULT_BITS) -> Any:
    """An mpmath ``iv.mpf`` interval containing the exact value of ``expr`` with ``subs`` applied."""
    iv = _iv()
    old = iv.prec
    iv.prec = bits
    try:
        return _enc(sp.sympify(expr), dict(subs or {}), iv)
    except (ZeroDivisionError, ValueError, ArithmeticError) as exc:
        raise NotEnclosable(f"{type(exc).__name__}: {exc}") from None
    finally:
        iv.prec = old


def _enc(e: Any, subs: dict[Any, Any], iv: Any) -> Any:
    if e in subs:
        return _enc(sp.sympify(subs[e]), {}, iv)
    if isinstance(e, sp.Integer):
        return iv.mpf(int(e))
    if isinstance(e, sp.Rational):
        return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
    if e is sp.pi:
        return iv.pi
    if e is sp.E:
        return iv.e
    if isinstance(e, sp.Add):
        total = iv.mpf(0)
        for a in e.args:
            total = total + _enc(a, subs, iv)
        return total
    if isinstance(e, sp.Mul):
        prod = iv.mpf(1)
        for a in e.args:
            prod = prod * _enc(a, subs, iv)
        return prod
    if isinstance(e, sp.Pow):
        return _pow(e, subs, iv)
    if isinstance(e, sp.exp):
        return iv.exp(_enc(e.args[0], subs, iv))
    if isinstance(e, sp.log):
        x = _enc(e.args[0], subs, iv)
        if x.a <= 0:
            raise NotEnclosable("log of an interval that reaches 0 or below")
        return iv.log(x)
    if isinstance(e, sp.Abs):
        return abs(_enc(e.args[0], subs, iv))
    simple = {sp.sin: iv.sin, sp.cos: iv.cos}
    for cls, fn in simple.items():
        if isinstance(e, cls):
            return fn(_enc(e.args[0], subs, iv))
    if isinstance(e, sp.cosh | sp.sinh):
        x = _enc(e.args[0], subs, iv)
        plus, minus = iv.exp(x), iv.exp(-x)
        return (plus + minus) / 2 if isinstance(e, sp.cosh) else (plus - minus) / 2
    if isinstance(e, sp.Min | sp.Max):
        parts = [_enc(a, subs, iv) for a in e.args]
        pick = min if isinstance(e, sp.Min) else max
        return iv.mpf([pick(p.a for p in parts), pick(p.b for p in parts)])
    if isinstance(e, sp.CRootOf):
        return _root(e, iv)
    if isinstance(e, sp.erf | sp.erfc):
        from numeric.special import erf_interval, erfc_interval  # rigorous series / tail bounds
        fn = erf_interval if isinstance(e, sp.erf) else erfc_interval
        return fn(_enc(e.args[0], subs, iv), iv)
    if isinstance(e, sp.Symbol):
        raise NotEnclosable(f"no value for symbol '{e}'")
    raise NotEnclosable(f"no interval rule for {type(e).__name__}")


def _root(e: sp.CRootOf, iv: Any) -> Any:
    """A real root of a rational polynomial: its exact isolating interval, bisected (exactly, by sympy)
    below the working precision, then widened outward by the rational-to-interval conversion."""
    if not e.is_real:
        raise NotEnclosable("complex root")
    box = e._get_interval()
    width = sp.Rational(1, 2) ** (iv.prec + 8) * max(1, abs(int(box.a)), abs(int(box.b)))
    box = box.refine_size(width)
    lo, hi = sp.Rational(box.a), sp.Rational(box.b)
    left = iv.mpf(int(lo.p)) / iv.mpf(int(lo.q))
    right = iv.mpf(int(hi.p)) / iv.mpf(int(hi.q))
    return iv.mpf([left.a, right.b])


def _pow(e: sp.Pow, subs: dict[Any, Any], iv: Any) -> Any:
    base, exp = e.args
    b = _enc(base, subs, iv)
    if isinstance(exp, sp.Integer):
        n = int(exp)
        if n >= 0:
            return b**n
        if b.a <= 0 <= b.b:
            raise NotEnclosable("negative power of an interval containing 0")
        return iv.mpf(1) / b ** (-n)
    if exp == sp.Rational(1, 2):
        if b.a < 0:
            raise NotEnclosable("square root of an interval reaching below 0")
        return iv.sqrt(b)
    if b.a <= 0:
        raise NotEnclosable("non-integer power of an interval reaching 0 or below")
    return iv.exp(_enc(exp, subs, iv) * iv.log(b))


def sign_of(expr: Any, subs: Mapping[Any, Any] | None = None, bits: int = DEFAULT_BITS,
            max_bits: int = 16 * DEFAULT_BITS) -> int | None:
    """The sign (-1, 0, 1) of ``expr`` at ``subs``, proved exactly or by an enclosure; None if undecided.

    Rational values are decided exactly; otherwise the precision doubles until the enclosure excludes 0
    or ``max_bits`` is reached (an exact zero that is not rational is left undecided: None).
    """
    value = sp.sympify(expr).xreplace({k: sp.sympify(v) for k, v in (subs or {}).items()})
    if isinstance(value, sp.Rational):
        return int(bool(value > 0)) - int(bool(value < 0))
    while bits <= max_bits:
        try:
            box = enclose(value, None, bits)
        except NotEnclosable:
            return None
        if box.a > 0:
            return 1
        if box.b < 0:
            return -1
        bits *= 2
    return None


def zero_proof(expr: Any) -> str | None:
    """The name of an exact rewrite that turns ``expr`` into the literal 0 (expand, cancel, radsimp,
    simplify without float conversion) or, for an algebraic constant, "minimal polynomial x"; None when
    nothing proves it. Never a numeric tolerance: None means "not proved", not "nonzero"."""
    value = sp.sympify(expr)
    if value.has(sp.Float):
        return None  # a Float is an approximation; its zero would be a rounding
    if isinstance(value, sp.Rational):
        return "the difference is exactly 0" if value == 0 else None
    rewrites = (("expand", sp.expand), ("cancel", lambda v: sp.cancel(sp.together(v))),
                ("radsimp", sp.radsimp), ("simplify", lambda v: sp.simplify(v, rational=False)))
    for name, fn in rewrites:
        try:
            if fn(value) == 0:
                return f"sympy {name} gives 0"
        except (TypeError, ValueError, NotImplementedError, RecursionError, sp.PolynomialError):
            continue
    if value.free_symbols:
        return None
    try:
        poly = sp.minimal_polynomial(value, sp.Dummy("x"))
    except (NotImplementedError, ValueError, TypeError, RecursionError, sp.polys.polyerrors.NotAlgebraic,
            sp.PolynomialError):
        return None
    return "its minimal polynomial is x" if poly.is_Symbol else None


def is_exact_zero(expr: Any) -> bool:
    """True only with a proof (:func:`zero_proof`) that the constant ``expr`` is 0."""
    return zero_proof(expr) is not None


def exact_sign(expr: Any, bits: int = DEFAULT_BITS, max_bits: int = 16 * DEFAULT_BITS) -> int | None:
    """The sign of a constant with a proof: exact for rationals, an enclosure excluding 0 (up to
    ``max_bits``), or an exact zero proof (:func:`is_exact_zero`); None when none of these succeeds."""
    value = sp.sympify(expr)
    if value.has(sp.Float):
        return None
    sign = sign_of(value, bits=bits, max_bits=max_bits)
    if sign is not None:
        return sign
    return 0 if is_exact_zero(value) else None


def rational_between(left: Any, right: Any, bits: int = DEFAULT_BITS,
                     max_bits: int = 16 * DEFAULT_BITS) -> sp.Rational | None:
    """An exact rational strictly between two constants ``left < right`` (either may be None for an
    infinite end), proved by enclosures; None when the enclosures cannot separate them."""
    if left is None and right is None:
        return sp.Integer(0)
    while bits <= max_bits:
        try:
            lo = enclose(left, None, bits) if left is not None else None
            hi = enclose(right, None, bits) if right is not None else None
        except NotEnclosable:
            return None
        if lo is None:
            return sp.Integer(int(mpmath.floor(hi.a)) - 1)
        if hi is None:
            return sp.Integer(int(mpmath.ceil(lo.b)) + 1)
        if lo.b < hi.a:
            return (_exact(lo.b) + _exact(hi.a)) / 2
        bits *= 2
    return None


def _exact(x: Any) -> sp.Rational:
    """The exact binary value of an mpmath number or interval end, read from its raw tuple: ``mpmath.mpf(x)``
    would round it to 53 bits, and ``man_exp`` drops the sign."""
    raw = x._mpi_[0] if hasattr(x, "_mpi_") else x._mpf_ if hasattr(x, "_mpf_") else mpmath.mpf(x)._mpf_
    sign, man, exp, _ = raw
    if not man and exp:
        raise NotEnclosable("an infinite or NaN interval end")
    return (-1) ** int(sign) * sp.Integer(int(man)) * sp.Integer(2) ** int(exp)
