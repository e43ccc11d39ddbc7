"""``kind = "numeric"``: a printed number or a comparison checked against an exact expression."""

from __future__ import annotations

from typing import Any

import sympy as sp

from core.errors import FieldError
from numeric.evaluate import cross_check
from numeric.interval import is_exact_zero, sign_of
from symbolic.matrices import is_matrix
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.checkers.expectation import NotDecided
from verify.checkers.numeric_ext import NumericLanguage, check_matrix_value
from verify.claims import Claim
from verify.fields import digits_field, rounding_unit
from verify.verdict import Outcome, Verdict

RELATIONS = ("approx", "==", "!=", "<", "<=", ">", ">=")


def decide_sign(expr: Any, bits: int) -> tuple[int | None, str]:
    """Sign of a constant expression with how it was decided (exact, an enclosure, or a symbolic zero)."""
    if isinstance(expr, sp.Float):
        expr = sp.Rational(expr)  # the exact binary value of a float, never a nearby "nice" number
    if isinstance(expr, sp.Rational):
        return int(bool(expr > 0)) - int(bool(expr < 0)), "exact rational arithmetic"
    sign = sign_of(expr, bits=bits, max_bits=max(bits, 16 * bits))
    if sign is not None:
        return sign, f"interval arithmetic (mpmath iv, {bits}+ bits)"
    if is_exact_zero(expr):
        return 0, "an exact rewrite (or the minimal polynomial) proves the difference is 0"
    return None, "neither an enclosure excluding 0 nor an exact proof of 0 was found"


@register
class NumericChecker(Checker):
    """A number as printed (``approx``) or a comparison between two constant expressions."""

    kind = "numeric"
    required = ("expr", "value")
    optional = ("relation", "digits", "where", "random", "arithmetic")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        relation = claim.get("relation", "approx")
        if relation not in RELATIONS:
            raise FieldError("relation", f"'{relation}' is not one of {', '.join(RELATIONS)}")
        if claim.get("arithmetic") is not None:  # machine arithmetic (verify/checkers/float_arith.py)
            from verify.checkers.float_arith import check_arithmetic
            return check_arithmetic(claim, ctx)
        lang = NumericLanguage(claim, ctx)  # optional where (constants, matrices) and random variables
        try:
            expr = lang.parse(claim.get("expr"), "expr", allow_matrix=True)
            if is_matrix(expr):
                value = lang.parse(claim.get("value"), "value", allow_matrix=True)
                return check_matrix_value(expr, value, relation, lang)
        except NotDecided as exc:
            return Outcome(Verdict.INCONCLUSIVE, exc.reason, {"reason": exc.reason, **lang.evidence()})
        digits = digits_field(claim)
        bits = 200  # ~60 decimal digits, above the 50 the rules require; doubled up to 4x when needed
        evidence: dict[str, Any] = {"expr": str(expr), "values": cross_check(expr), **lang.evidence()}
        if isinstance(expr, sp.Rational):
            evidence["values"]["exact"] = str(expr)
        if evidence["values"].get("discrepancy"):
            evidence["discrepancy"] = evidence["values"]["discrepancy"]
        if relation == "approx":
            raw = claim.get("value")
            text = raw if isinstance(raw, str) else repr(raw) if isinstance(raw, int | float) else None
            if text is None or isinstance(raw, bool):
                raise FieldError("value", "must be the number as printed, e.g. \"0.980\"")
            value, unit, how = rounding_unit(text, digits, ctx.caps.max_int_digits)
            half = unit / 2
            low_sign, m1 = decide_sign(expr - (value - half), bits)
            high_sign, m2 = decide_sign((value + half) - expr, bits)
            evidence.update(value=text, rounding=f"{how}: |expr - {text}| <= {half}",
                            interval=[str(value - half), str(value + half)], method=m1)
            if low_sign is None or high_sign is None:
                return Outcome(Verdict.INCONCLUSIVE, f"could not decide whether {expr} rounds to {text}",
                               {**evidence, "reason": m1 if low_sign is None else m2})
            shown = _brief(evidence["values"]["mpmath"])
            if low_sign >= 0 and high_sign >= 0:
                return Outcome(Verdict.CERTIFIED, f"{expr} = {shown} rounds to {text} ({how})", evidence)
            evidence["witness"] = {"expr": str(expr), "value": evidence["values"]["mpmath"], "printed": text}
            evidence["witness_check"] = f"{m1}: value outside [{value - half}, {value + half}]"
            return Outcome(Verdict.REFUTED, f"{expr} = {shown} does not round to {text} ({how})", evidence)
        if digits is not None:
            raise FieldError("digits", "only meaningful with relation = \"approx\"")
        try:
            value = lang.parse(claim.get("value"), "value")
        except NotDecided as exc:
            return Outcome(Verdict.INCONCLUSIVE, exc.reason, {**evidence, "reason": exc.reason})
        evidence.update(lang.evidence())
        sign, method = decide_sign(expr - value, bits)
        evidence.update(value=str(value), relation=relation, method=method,
                        value_values=cross_check(value))
        if sign is None:
            return Outcome(Verdict.INCONCLUSIVE, f"could not decide {expr} {relation} {value}",
                           {**evidence, "reason": method})
        holds = {"==": sign == 0, "!=": sign != 0, "<": sign < 0, "<=": sign <= 0, ">": sign > 0,
                 ">=": sign >= 0}[relation]
        lhs_text = _brief(evidence["values"]["mpmath"])
        if holds:
            return Outcome(Verdict.CERTIFIED, f"{expr} {relation} {value} ({method})", evidence)
        evidence["witness"] = {"expr": lhs_text, "value": evidence["value_values"]["mpmath"]}
        return Outcome(Verdict.REFUTED, f"{expr} = {lhs_text} is not {relation} {value} ({method})", evidence)


def _brief(text: str | None, digits: int = 20) -> str:
    """A long decimal cut to about ``digits`` significant characters for one-line summaries."""
    if text is None:
        return "?"
    mant, _, exp = text.partition("e")
    if len(mant) > digits + 2:
        mant = mant[: digits + 2] + "..."
    return mant + ("e" + exp if exp else "")
