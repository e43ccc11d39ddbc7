"""Float64 and high-precision values of one quantity, compared so that disagreements are reported."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import mpmath
import sympy as sp

MP_DIGITS = 50  # the verdict rules ask for >= 50 significant digits
# float64 has a unit roundoff of 1.1e-16; a few hundred operations with moderate cancellation stay far
# below 1e-9 relative error, so a larger disagreement means float64 lost the quantity (cancellation,
# overflow, underflow) and is worth telling the user about.
FLOAT64_REL_TOL = 1e-9


def float64_value(expr: Any, subs: Mapping[Any, Any] | None = None) -> float | None:
    """The value computed in float64 the way a user's script would, or None when it fails."""
    e = sp.sympify(expr).xreplace({k: sp.Float(float(v), 17) for k, v in (subs or {}).items()})
    try:
        fn = sp.lambdify([], e, modules="math")
        value = float(fn())
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return value


def mp_value(expr: Any, subs: Mapping[Any, Any] | None = None, digits: int = MP_DIGITS) -> mpmath.mpf | None:
    """The value to ``digits`` significant digits (sympy's adaptive evalf, returned as an mpmath number)."""
    e = sp.sympify(expr).xreplace({k: sp.sympify(v) for k, v in (subs or {}).items()})
    try:
        value = e.evalf(digits + 10, maxn=4 * digits + 100)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not value.is_number or value.is_real is False or value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    with mpmath.workdps(digits + 10):
        return mpmath.mpf(str(value))


def cross_check(expr: Any, subs: Mapping[Any, Any] | None = None, digits: int = MP_DIGITS) -> dict[str, Any]:
    """Evidence entry: the float64 and mpmath values and, when they disagree, a discrepancy sentence."""
    f64 = float64_value(expr, subs)
    mp = mp_value(expr, subs, digits)
    out: dict[str, Any] = {
        "float64": None if f64 is None else repr(f64),
        "mpmath": None if mp is None else _nstr(mp, digits),
        "digits": digits,
    }
    if mp is not None and (f64 is None or not math.isfinite(f64)):
        out["discrepancy"] = f"float64 gives {f64!r} where the {digits}-digit value is {out['mpmath']}"
    elif mp is not None and f64 is not None:
        with mpmath.workdps(digits):
            err = abs(mpmath.mpf(f64) - mp)
            rel = err / abs(mp) if mp != 0 else err
        if rel > FLOAT64_REL_TOL:
            out["discrepancy"] = (f"float64 {f64!r} differs from the {digits}-digit value {out['mpmath']} "
                                  f"by {'relative ' if mp != 0 else ''}{_nstr(rel, 3)} "
                                  f"(> {FLOAT64_REL_TOL:g})")
    return out


def _nstr(value: mpmath.mpf, digits: int) -> str:
    with mpmath.workdps(digits + 10):
        return mpmath.nstr(value, digits)
