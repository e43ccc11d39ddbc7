"""``kind = "quadratic"``: worst-case rates of gradient descent on quadratics with spectrum in [m, L].

Fields: ``m``, ``L`` (numbers or exact strings, 0 <= m < L); the schedule: ``steps`` (a list of exact step
sizes), or ``schedule = "constant"`` with ``alpha`` and ``N``, or ``schedule = "chebyshev"`` with ``N``;
``metric`` (``distance-ratio``, ``function-gap-ratio``, ``gradient-ratio``); ``bound`` (a constant
expression); ``relation`` (``<=`` by default, ``<``, or ``==`` for an exact rate). See
:mod:`symbolic.spectral` for the reduction to max over [m, L] of |p(lambda)| and how it is decided.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from core.errors import FieldError
from numeric.interval import exact_sign
from symbolic.spectral import (
    LAM,
    METRICS,
    RELATIONS,
    chebyshev_steps,
    closed_form_worst,
    compare,
    decide_polynomial,
    residual,
    run_gd,
)
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.fields import count_field, number_field, require_positive, steps_field
from verify.verdict import Outcome, Verdict

SCHEDULES = ("constant", "chebyshev")


@register
class QuadraticChecker(Checker):
    """Exact worst case over the spectrum [m, L] of the residual polynomial of a step-size schedule."""

    kind = "quadratic"
    required = ("m", "L", "metric", "bound")
    optional = ("steps", "schedule", "alpha", "N", "relation", "method", "beta")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        if claim.get("method", "gd") != "gd":  # heavy ball, Nesterov (verify/checkers/momentum.py)
            from verify.checkers.momentum import check_momentum
            return check_momentum(claim, ctx)
        if claim.get("beta") is not None:
            raise FieldError("beta", "a momentum needs method = \"heavy-ball\" or \"nesterov\"")
        m, L = number_field(claim, "m", ctx), number_field(claim, "L", ctx)
        if (m < 0) is sp.true:
            raise FieldError("m", f"must be >= 0, got {m}")
        if exact_sign(L - m) != 1:
            raise FieldError("L", f"need m < L, got m = {m}, L = {L}")
        metric = claim.get("metric")
        if metric not in METRICS:
            raise FieldError("metric", f"must be one of {', '.join(METRICS)}, got {metric!r}")
        relation = claim.get("relation", "<=")
        if relation not in (*RELATIONS, "!="):
            raise FieldError("relation", f"must be one of {', '.join(RELATIONS)}, !=, got {relation!r}")
        negate = relation == "!="  # decided as "==", then negated
        if negate:
            relation = "=="
        bound = number_field(claim, "bound", ctx)
        steps, p, closed = self._schedule(claim, ctx, m, L)
        power = 2 if metric == "function-gap-ratio" else 1
        evidence: dict[str, Any] = {"m": str(m), "L": str(L), "metric": metric, "relation": relation,
                                    "bound": str(bound), "steps": len(steps)}
        if closed is not None:
            kind, n, alpha = closed
            worst_abs, at = closed_form_worst(kind, m, L, n, alpha)
            worst = worst_abs**power
            holds = compare(worst, bound, relation)
            method = ("constant step: |1 - alpha lambda| is convex, so the maximum is at lambda = m or L"
                      if kind == "constant" else
                      "Chebyshev steps: p = T_N((L+m-2 lambda)/(L-m))/T_N((L+m)/(L-m)) and |T_N| <= 1 on "
                      "[-1, 1] with equality at the ends, so the maximum is 1/T_N((L+m)/(L-m))")
            witness_lambda = at if holds is False else None
            exact_at = worst
        else:
            dec = decide_polynomial(p, m, L, metric, bound, relation)
            holds, method, worst, at, witness_lambda = dec.holds, dec.method, dec.worst, dec.worst_at, \
                dec.witness_lambda
            evidence.update(dec.detail)
            exact_at = None
        evidence["method"] = method
        if worst is not None:
            evidence["worst_case"] = _show(worst)
            evidence["attained_at_lambda"] = _show(at)
        if negate:  # "!=": the negation of the exact "==" decision; refuted where the bound is attained
            evidence["relation"] = relation = "!="
            if holds is not None:
                holds, witness_lambda = not holds, (at if holds else None)
            if holds is False and (witness_lambda is None or exact_sign(witness_lambda) == 0):
                holds = None  # attained only as a supremum at lambda -> 0 (m = 0): not refuted
        if holds is None:
            reason = f"could not separate the worst case from the bound ({method})"
            evidence["reason"] = reason
            return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
        if holds:
            shown = f"worst {metric} = {_show(worst)}" if worst is not None else f"worst {metric}"
            return Outcome(Verdict.CERTIFIED, f"{shown} {relation} {bound} ({method})", evidence)
        if witness_lambda is not None and exact_sign(witness_lambda) == 0:
            # m = 0 and the failure is at lambda = 0, where x_0 is already a minimizer: refute only with a
            # positive eigenvalue that itself violates the relation, exactly
            witness_lambda, exact_at = _positive_violator(steps, L, power, bound, relation), None
            if witness_lambda is None:
                reason = ("the bound fails only in the limit lambda -> 0 (m = 0), where the worst case is a "
                          "supremum that no quadratic with a positive eigenvalue attains")
                evidence["reason"] = reason
                return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
        witness = self._witness(witness_lambda, m, L, steps, metric, p, power, exact_at, bound)
        evidence["witness"] = witness
        what = "exceeds" if relation != "==" or (worst is not None and compare(worst, bound, "<=") is False) \
            else "differs from"
        what = "equals" if negate else what
        summary = (f"worst {metric} {what} the bound {bound}: at lambda = {witness['lambda']}, "
                   f"|p|^{power} = {witness['exact_value']}; diag quadratic re-run at 50 digits gives "
                   f"{witness['run_50_digits'][metric.replace('-', '_')]}")
        return Outcome(Verdict.REFUTED, summary, evidence)

    def _schedule(self, claim: Claim, ctx: Context, m: Any, L: Any) -> tuple[list[Any], Any, Any]:
        has_steps = claim.get("steps") is not None
        schedule = claim.get("schedule")
        if has_steps == (schedule is not None):
            raise FieldError("steps", "give either 'steps' (a list) or 'schedule' (constant, chebyshev)")
        if has_steps:
            for name in ("alpha", "N"):
                if claim.get(name) is not None:
                    raise FieldError(name, "only with a 'schedule'")
            steps = steps_field(claim, ctx)
            return steps, residual(steps), None
        if schedule not in SCHEDULES:
            raise FieldError("schedule", f"must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
        n = count_field(claim, ctx)
        if schedule == "constant":
            alpha = number_field(claim, "alpha", ctx)
            require_positive(alpha, "alpha")
            return [alpha] * n, None, ("constant", n, alpha)
        if claim.get("alpha") is not None:
            raise FieldError("alpha", "not used by the chebyshev schedule")
        return chebyshev_steps(n, m, L), None, ("chebyshev", n, None)

    def _witness(self, lam: Any, m: Any, L: Any, steps: list[Any], metric: str, p: Any,
                 power: int, exact: Any, bound: Any) -> dict[str, Any]:
        """The worst eigenvalue, a 2-D diagonal quadratic diag(lam, other) and x_0 = (1, 0), re-run."""
        other = L if lam == m else m
        if exact is None:
            exact = abs(sp.sympify(p if p is not None else residual(steps)).subs(LAM, lam)) ** power
        gd = run_gd([lam, other], steps, [1, 0])
        with mpmath.workdps(50):
            rerun, b = mpmath.mpf(gd[metric]), mpmath.mpf(sp.N(bound, 60))
            gap = mpmath.nstr(rerun - b, 10)
        return {"lambda": _show(lam), "quadratic": f"f(x) = 1/2 ({_show(lam)} x1^2 + {_show(other)} x2^2)",
                "x0": "(1, 0)", "exact_value": _show(exact),
                "exact": _exact_text(exact),
                "run_50_digits": {k.replace("-", "_"): v for k, v in gd.items()}, "run_excess_50_digits": gap}


POSITIVE_PROBES = 200  # eigenvalues L/2^k, k = 1..200, tried for a witness when m = 0


def _positive_violator(steps: list[Any], L: Any, power: int, bound: Any, relation: str) -> Any:
    """An eigenvalue L/2^k > 0 at which |p|^power provably breaks ``relation bound``, or None."""
    p = residual(steps)
    for k in range(1, POSITIVE_PROBES + 1):
        lam = L / sp.Integer(2) ** k
        if compare(abs(p.subs(LAM, lam)) ** power, bound, relation if relation != "==" else "<=") is False:
            return lam
    return None


EXACT_TEXT_CHARS = 4000  # longest exact value kept in the evidence (the expression cap's size)


def _exact_text(value: Any) -> str:
    """The exact value as sympy prints it, or its 50 digits when that text is very long."""
    text = str(value)
    return text if len(text) <= EXACT_TEXT_CHARS else str(sp.N(value, 50))


def _show(value: Any) -> str:
    value = sp.sympify(value)
    if isinstance(value, sp.Rational) and len(str(value)) <= 60:
        return str(value)
    text = str(value)
    if len(text) <= 60 and not value.has(sp.CRootOf):
        return f"{text} = {sp.N(value, 30)}"
    return str(sp.N(value, 50))
