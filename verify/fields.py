"""Parsing of the numeric fields that several claim kinds share (constants, step counts, step lists)."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

import sympy as sp

from core.caps import DEFAULT_CAPS
from core.errors import CapExceeded, FieldError
from core.expr import parse_expr, parse_number
from symbolic.qfield import QSqrt
from verify.checkers.base import Context
from verify.claims import Claim


def number_field(claim: Claim, name: str, ctx: Context, known: dict[str, Any] | None = None) -> Any:
    """The field ``name`` as an exact finite real sympy number (TOML number or exact string that may use
    the already known constants ``known``, e.g. ``{"L": 10, "m": 1}``)."""
    value = claim.get(name)
    if value is None:
        raise FieldError(name, "missing")
    return exact_number(value, name, ctx, known)


def exact_number(value: Any, name: str, ctx: Context, known: dict[str, Any] | None = None) -> Any:
    """``value`` as an exact finite real sympy number; a one-line field error otherwise."""
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(name, f"non-finite number {value}")
    if known:
        expr = parse_expr(value, field=name, symbols=dict(known), allow_new=False, caps=ctx.caps)
    else:
        expr = parse_number(value, field=name, caps=ctx.caps)
    if not (expr.is_real and expr.is_finite):
        raise FieldError(name, f"'{value}' is not a finite real number")
    return expr


def count_field(claim: Claim, ctx: Context, name: str = "N") -> int:
    """A positive step count within the ``max_steps`` cap."""
    n = claim.get(name)
    if isinstance(n, bool) or not isinstance(n, int):
        raise FieldError(name, f"must be a positive integer, got {n!r}")
    if n < 1:
        raise FieldError(name, f"must be a positive integer, got {n}")
    if n > ctx.caps.max_steps:
        raise CapExceeded("max_steps", f"N = {n} is above {ctx.caps.max_steps}", name)
    return n


def require_positive(expr: Any, name: str, what: str = "step sizes") -> None:
    """Error unless ``expr`` is provably > 0 (exactly or by an interval enclosure)."""
    from numeric.interval import sign_of

    s = sign_of(expr)
    if s is None:
        raise FieldError(name, f"cannot decide the sign of '{expr}'")
    if s <= 0:
        raise FieldError(name, f"{what} must be positive, got '{expr}'")


def steps_field(claim: Claim, ctx: Context, name: str = "steps",
                known: dict[str, Any] | None = None) -> list[Any]:
    """A non-empty list of exact positive step sizes within the ``max_steps`` cap."""
    raw = claim.get(name)
    if not isinstance(raw, list) or not raw:
        raise FieldError(name, "must be a non-empty list of step sizes")
    if len(raw) > ctx.caps.max_steps:
        raise CapExceeded("max_steps", f"{len(raw)} steps is above {ctx.caps.max_steps}", name)
    steps = []
    for i, text in enumerate(raw):
        eta = exact_number(text, f"{name}[{i}]", ctx, known)
        require_positive(eta, f"{name}[{i}]")
        steps.append(eta)
    return steps


def is_negative(expr: Any) -> bool:
    """True when the exact number is provably < 0."""
    return bool((expr < 0) is sp.true)


def to_field(expr: Any, name: str) -> Fraction | QSqrt:
    """An exact sympy number as a Fraction, or as an element of Q(sqrt 2); a field error otherwise."""
    expr = sp.Rational(expr) if isinstance(expr, sp.Float) else expr  # the float's exact binary value
    if isinstance(expr, sp.Rational):
        return Fraction(int(expr.p), int(expr.q))
    try:
        value = QSqrt.from_sympy(expr, 2)
    except ValueError:
        raise FieldError(name, f"'{expr}' must be rational or in Q(sqrt 2) to keep the PEP exact") from None
    return value.a if value.b == 0 else value


DECIMAL_RE = re.compile(r"^\s*([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$")


def rounding_unit(value_text: str, digits: int | None,
                  max_exponent: int = DEFAULT_CAPS.max_int_digits) -> tuple[sp.Rational, sp.Rational, str]:
    """The printed value, the unit of its last printed digit (or of ``digits`` significant digits), and a
    description; ``"0.980"`` has unit 1/1000, ``"3.91e-5"`` has unit 10**-7."""
    match = DECIMAL_RE.match(value_text)
    if not match:
        raise FieldError("value", f"'{value_text}' is not a decimal number as printed (e.g. 0.980, 3.91e-5)")
    sign, whole, frac, exp = match.groups()
    frac = frac or ""
    exponent = int(exp or 0)
    if abs(exponent) + len(whole) + len(frac) > max_exponent:
        # the exact value has that many digits: past the integer-digit cap it cannot even be printed
        raise FieldError("value", f"'{value_text[:40]}' has more than {max_exponent} digits (cap "
                                  "'max_int_digits')")
    value = sp.Rational(f"{sign}{whole}{'.' + frac if frac else ''}") * sp.Rational(10) ** exponent
    if digits is None:
        unit = sp.Rational(10) ** (exponent - len(frac))
        return value, unit, f"{len(frac)} printed decimals" + (f" at 10^{exponent}" if exponent else "")
    if value == 0:
        raise FieldError("digits", "significant digits are undefined for a printed value of 0")
    lead = _leading_exponent(value)
    return value, sp.Rational(10) ** (lead - digits + 1), f"{digits} significant digits"


def _leading_exponent(value: sp.Rational) -> int:
    """floor(log10(|value|)) computed exactly."""
    v = abs(value)
    e = len(str(v.p)) - len(str(v.q))
    while sp.Rational(10) ** e > v:
        e -= 1
    while sp.Rational(10) ** (e + 1) <= v:
        e += 1
    return e


def digits_field(claim: Claim) -> int | None:
    """The optional ``digits`` field: significant digits the printed value claims, 1 to 100."""
    digits = claim.get("digits")
    if digits is None:
        return None
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 100:
        raise FieldError("digits", f"must be a whole number from 1 to 100, got {digits!r}")
    return digits


def class_parameters(claim: Claim, ctx: Context) -> tuple[str, Any, Any]:
    """The claim's function class, L and m (0 unless strongly convex), validated with one-line errors."""
    from numeric.interval import sign_of
    from pep.classes import CLASSES

    fclass = claim.get("class")
    if fclass not in CLASSES:
        raise FieldError("class", f"must be one of {', '.join(CLASSES)}, got {fclass!r}")
    L = number_field(claim, "L", ctx)
    require_positive(L, "L", "L")
    m = sp.Integer(0)
    if fclass == "smooth-strongly-convex":
        m = number_field(claim, "m", ctx)
        require_positive(m, "m", "m")
        if sign_of(L - m) != 1:
            raise FieldError("m", f"need 0 < m < L, got m = {m}, L = {L}")
    elif claim.get("m") is not None:
        raise FieldError("m", f"only the class 'smooth-strongly-convex' has m (class is '{fclass}')")
    return fclass, L, m
