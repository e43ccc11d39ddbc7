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
    if isinstance(e, sp.Symbol):
        raise NotEnclosable(f"no value for symbol '{e}'")
    raise NotEnclosable(f"no interval rule for {type(e).__name__}")


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
            max_bits: int = 4 * DEFAULT_BITS) -> int | None:
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
