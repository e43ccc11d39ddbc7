"""``kind = "numeric"`` with ``arithmetic = "float16" | "bfloat16" | "float32" | "float64"``: what a machine
format computes for ``expr``, operation by operation (:mod:`numeric.floatformat`), compared with ``value``.

The verdict is about the format's IEEE operations with correctly rounded elementary functions (the
*reference*, computed exactly); numpy (ml_dtypes for bfloat16) computes the same expression alongside. When
the two results make the claim true or false alike, that is the verdict; when they do not (numpy's ``exp``
or ``sin`` rounded differently and that changes the answer), the claim is inconclusive with both values.
The exact (real-number) value of the expression is in the evidence too.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from core.errors import CapExceeded, ClaimError, FieldError
from core.expr import _parse_tree, parse_expr
from numeric.floatformat import FORMATS, NotAllowed, Undecided, describe, evaluate
from numeric.interval import exact_sign
from verify.checkers.base import Context
from verify.claims import Claim
from verify.verdict import Outcome, Verdict

SPECIAL_VALUES = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "nan": math.nan}
MAX_STEPS_SHOWN = 60


def _libraries(fmt_name: str) -> dict[str, str]:
    out = {"numpy": np.__version__}
    if fmt_name == "bfloat16":
        import ml_dtypes

        out["ml_dtypes"] = ml_dtypes.__version__
    return out


def _exact_value(text: str, ctx: Context) -> tuple[Any, str | None]:
    """The expression's real-number value (sympy), or None with the reason (e.g. a division by zero)."""
    try:
        value = parse_expr(text, field="expr", allow_new=False, caps=ctx.caps)
    except CapExceeded:
        raise
    except ClaimError as exc:
        return None, exc.message
    return value, None


def _truth(result: float, relation: str, value: Any, value_special: float | None, printed: Any) -> bool:
    """Whether ``result relation value`` holds (``printed``: the (value, half unit) of approx)."""
    if math.isnan(result):
        special_nan = value_special is not None and math.isnan(value_special)
        return {"==": special_nan, "!=": not special_nan}.get(relation, False)
    if value_special is not None:
        if math.isnan(value_special):
            return relation == "!="
        target = value_special
        if math.isinf(result) and result == target:
            sign = 0
        else:
            sign = (result > target) - (result < target)  # an infinity on one side at least
    elif math.isinf(result):
        if relation == "approx":
            return False
        sign = 1 if result > 0 else -1
    elif relation == "approx":
        center, half = printed
        q = sp.Rational(Fraction(result).numerator, Fraction(result).denominator)
        return bool(abs(q - center) <= half)
    else:
        q = sp.Rational(Fraction(result).numerator, Fraction(result).denominator)
        s = exact_sign(q - value)
        if s is None:
            raise Undecided(f"could not compare {result!r} with {value} exactly")
        sign = s
    return {"==": sign == 0, "!=": sign != 0, "<": sign < 0, "<=": sign <= 0, ">": sign > 0,
            ">=": sign >= 0}[relation]


def check_arithmetic(claim: Claim, ctx: Context) -> Outcome:
    """Decide a numeric claim about ``expr`` computed in a machine format."""
    from verify.fields import digits_field, rounding_unit

    fmt_name = claim.get("arithmetic")
    if fmt_name not in FORMATS:
        raise FieldError("arithmetic", f"must be one of {', '.join(FORMATS)}, got {fmt_name!r}")
    for other in ("where", "random"):
        if claim.get(other) is not None:
            raise FieldError(other, "cannot be combined with 'arithmetic'")
    fmt = FORMATS[fmt_name]
    relation = claim.get("relation", "approx")
    text = claim.get("expr")
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = repr(text)
    tree = _parse_tree(text, "expr", ctx.caps)
    try:
        ev = evaluate(tree, fmt, str(text).strip(), ctx.caps.max_exponent)
    except NotAllowed as exc:
        raise FieldError("expr", str(exc)) from None
    except Undecided as exc:
        return Outcome(Verdict.INCONCLUSIVE, str(exc), {"reason": str(exc), "arithmetic": fmt_name})
    raw = claim.get("value")
    value_special = SPECIAL_VALUES.get(raw.strip().lower()) if isinstance(raw, str) else None
    if isinstance(raw, float) and not math.isfinite(raw):
        value_special = raw
    value, printed = None, None
    digits = digits_field(claim)
    if digits is not None and relation != "approx":
        raise FieldError("digits", "only meaningful with relation = \"approx\"")
    if relation == "approx":
        if value_special is not None:
            raise FieldError("value", "inf and nan are compared with == or !=, not approx")
        shown = raw if isinstance(raw, str) else repr(raw) if isinstance(raw, int | float) else None
        if shown is None or isinstance(raw, bool):
            raise FieldError("value", "must be the number as printed, e.g. \"0.980\"")
        center, unit, _how = rounding_unit(shown, digits, ctx.caps.max_int_digits)
        printed = (center, unit / 2)
    elif value_special is None:
        value = parse_expr(raw, field="value", allow_new=False, caps=ctx.caps)
    exact, exact_reason = _exact_value(str(text), ctx)
    evidence: dict[str, Any] = {
        "arithmetic": fmt_name, "expr": str(text).strip(), "relation": relation,
        "value": raw if isinstance(raw, str) else repr(raw),
        "result": describe(ev.result, fmt), "result_exact": _exact_binary(ev.result),
        "numpy_result": None if ev.numpy is None else describe(ev.numpy, fmt),
        "exact_value": str(exact) if exact is not None else None,
        "exact_value_50_digits": _digits50(exact),
        "rounding": "IEEE 754 round to nearest, ties to even; elementary functions correctly rounded",
        "libraries": _libraries(fmt_name),
    }
    if exact is None:
        evidence["exact_value_note"] = exact_reason
    steps = [{"op": s.op, "args": [describe(a, fmt) for a in s.args], "result": describe(s.result, fmt),
              "computed_by": s.computed_by,
              "numpy": None if s.numpy is None else describe(s.numpy, fmt), "numpy_agrees": s.agrees()}
             for s in ev.steps if s.op not in ("literal",) or len(ev.steps) <= MAX_STEPS_SHOWN]
    evidence["operations"] = steps[:MAX_STEPS_SHOWN]
    if len(steps) > MAX_STEPS_SHOWN:
        evidence["operations_omitted"] = len(steps) - MAX_STEPS_SHOWN
    differ = [s for s in ev.steps if s.agrees() is False]
    if differ:
        evidence["numpy_differs"] = [f"{s.op}({', '.join(describe(a, fmt) for a in s.args)}): reference "
                                     f"{describe(s.result, fmt)}, numpy {describe(s.numpy, fmt)}"
                                     for s in differ[:10]]
    try:
        holds = _truth(ev.result, relation, value, value_special, printed)
        holds_np = None if ev.numpy is None else _truth(ev.numpy, relation, value, value_special, printed)
    except Undecided as exc:
        return Outcome(Verdict.INCONCLUSIVE, str(exc), {**evidence, "reason": str(exc)})
    shown_value = evidence["value"]
    summary = (f"{fmt_name}: {evidence['expr']} computes {evidence['result']} (exact value "
               f"{_brief(evidence['exact_value_50_digits'])})")
    if holds_np is not None and holds_np != holds:
        reason = (f"the claim {'holds' if holds else 'fails'} with correctly rounded operations but "
                  f"{'holds' if holds_np else 'fails'} with numpy's result {evidence['numpy_result']}")
        return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
    evidence["numpy_agrees"] = holds_np is not None
    if holds:
        return Outcome(Verdict.CERTIFIED, f"{summary} {relation} {shown_value}", evidence)
    evidence["witness"] = {"result": evidence["result"], "numpy_result": evidence["numpy_result"],
                           "exact_value": evidence["exact_value_50_digits"]}
    return Outcome(Verdict.REFUTED, f"{summary}, not {relation} {shown_value}", evidence)


def _exact_binary(x: float) -> str:
    """The exact value of a float as a fraction (or the special value)."""
    if not math.isfinite(x):
        return repr(x)
    q = Fraction(x)
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _digits50(value: Any) -> str | None:
    if value is None:
        return None
    try:
        v = sp.N(value, 50)
    except (TypeError, ValueError):
        return None
    if not v.is_number or v.has(sp.zoo, sp.nan):
        return None
    with mpmath.workdps(60):
        return mpmath.nstr(mpmath.mpf(str(v)), 50) if v.is_real else str(v)


def _brief(text: str | None) -> str:
    if text is None:
        return "undefined"
    mant, _, exp = text.partition("e")
    return (mant[:14] + ("..." if len(mant) > 14 else "")) + ("e" + exp if exp else "")
