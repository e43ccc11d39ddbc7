"""``kind = "quadratic"`` with ``method = "heavy-ball"`` or ``"nesterov"``: momentum on quadratics with
spectrum in [m, L], decided exactly (:mod:`symbolic.momentum`).

Fields besides the quadratic kind's ``m``, ``L``, ``bound``, ``relation``: ``alpha`` (step) and ``beta``
(momentum), exact and possibly in ``m``, ``L`` and ``kappa = L/m``; ``metric = "rate"`` (the worst asymptotic
rate, max over [m, L] of the spectral radius of the 2 x 2 iteration matrix) or one of the N-step ratios with
``N``. Not a claim kind of its own: :mod:`verify.checkers.quadratic` hands these claims over.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from core.errors import FieldError
from numeric.interval import exact_sign
from symbolic.momentum import METHODS, Undecided, iteration_matrix, residual, run, trace_det, worst_rate
from symbolic.spectral import LAM, METRICS, compare, decide_polynomial
from verify.checkers.base import Context
from verify.claims import Claim
from verify.fields import count_field, exact_number, number_field
from verify.verdict import Outcome, Verdict

MOMENTUM_METRICS = ("rate", *METRICS)
MOMENTUM_RELATIONS = ("<=", "<", "==", "!=")


def _show(value: Any) -> str:
    value = sp.sympify(value)
    if not isinstance(value, sp.Rational) and not value.has(sp.CRootOf):
        value = sp.radsimp(sp.cancel(value))  # an equal, shorter form for display only
    if isinstance(value, sp.Rational) and len(str(value)) <= 60:
        return str(value)
    text = str(value)
    if len(text) <= 80 and not value.has(sp.CRootOf):
        return f"{text} = {sp.N(value, 30)}"
    return str(sp.N(value, 50))


def check_momentum(claim: Claim, ctx: Context) -> Outcome:
    """Decide a heavy-ball or Nesterov claim on quadratics exactly."""
    method = claim.get("method")
    if method not in METHODS:
        raise FieldError("method", f"must be gd, {' or '.join(METHODS)}, got {method!r}")
    for name in ("steps", "schedule"):
        if claim.get(name) is not None:
            raise FieldError(name, f"not used with method = \"{method}\" (give alpha and beta)")
    m, L = number_field(claim, "m", ctx), number_field(claim, "L", ctx)
    if exact_sign(m) != 1:
        raise FieldError("m", f"momentum claims need m > 0, got {m}")
    if exact_sign(L - m) != 1:
        raise FieldError("L", f"need m < L, got m = {m}, L = {L}")
    known = {"m": m, "L": L, "kappa": L / m}
    alpha = exact_number(claim.get("alpha"), "alpha", ctx, known) if claim.get("alpha") is not None else None
    beta = exact_number(claim.get("beta"), "beta", ctx, known) if claim.get("beta") is not None else None
    if alpha is None or exact_sign(alpha) != 1:
        raise FieldError("alpha", f"needs a step alpha > 0, got {claim.get('alpha')!r}")
    if beta is None or exact_sign(beta) not in (0, 1):
        raise FieldError("beta", f"needs a momentum beta >= 0, got {claim.get('beta')!r}")
    metric = claim.get("metric")
    if metric not in MOMENTUM_METRICS:
        raise FieldError("metric", f"must be one of {', '.join(MOMENTUM_METRICS)}, got {metric!r}")
    relation = claim.get("relation", "<=")
    if relation not in MOMENTUM_RELATIONS:
        raise FieldError("relation", f"must be one of {', '.join(MOMENTUM_RELATIONS)}, got {relation!r}")
    bound = exact_number(claim.get("bound"), "bound", ctx, known)
    inner = "==" if relation == "!=" else relation  # "!=" is decided as "==" and negated
    evidence: dict[str, Any] = {"method": method, "m": str(m), "L": str(L), "alpha": str(alpha),
                                "beta": str(beta), "metric": metric, "relation": relation,
                                "bound": str(bound)}
    try:
        if metric == "rate":
            if claim.get("N") is not None:
                raise FieldError("N", "not used with metric = \"rate\" (an asymptotic rate)")
            return _rate(method, alpha, beta, m, L, bound, relation, inner, evidence)
        n = count_field(claim, ctx)
        return _ratio(method, alpha, beta, m, L, n, metric, bound, relation, inner, evidence)
    except Undecided as exc:
        reason = f"could not decide exactly: {exc}"
        return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})


def _rate(method: str, alpha: Any, beta: Any, m: Any, L: Any, bound: Any, relation: str, inner: str,
          evidence: dict[str, Any]) -> Outcome:
    worst, at, detail = worst_rate(method, alpha, beta, m, L)
    evidence.update(detail)
    evidence["decision"] = ("max over [m, L] of the spectral radius of the 2 x 2 iteration matrix, which is "
                            "at lambda = m or L (quasi-convexity, symbolic/momentum.py); exact closed forms")
    evidence["worst_rate"] = _show(worst)
    evidence["attained_at_lambda"] = _show(at)
    holds = compare(worst, bound, inner)
    if holds is None:
        reason = f"could not compare the worst rate {_show(worst)} with {bound} exactly"
        return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
    if relation == "!=":
        holds = not holds
    if holds:
        return Outcome(Verdict.CERTIFIED, f"worst rate of {method} = {_show(worst)} {relation} {bound}",
                       evidence)
    t, q = trace_det(method, alpha, beta, at)
    z = sp.Symbol("z")
    evidence["witness"] = {
        "lambda": _show(at), "quadratic": f"f(x) = 1/2 {_show(at)} x^2",
        "iteration_matrix": [[str(e) for e in row]
                             for row in iteration_matrix(method, alpha, beta, at).tolist()],
        "characteristic_polynomial": str(sp.expand(z**2 - t * z + q)),
        "spectral_radius": _show(worst), "spectral_radius_50_digits": str(sp.N(worst, 50)),
    }
    return Outcome(Verdict.REFUTED, f"at lambda = {_show(at)} the spectral radius is {_show(worst)}, not "
                   f"{relation} {bound}", evidence)


def _ratio(method: str, alpha: Any, beta: Any, m: Any, L: Any, n: int, metric: str, bound: Any, relation: str,
           inner: str, evidence: dict[str, Any]) -> Outcome:
    p = residual(method, alpha, beta, n)
    power = 2 if metric == "function-gap-ratio" else 1
    dec = decide_polynomial(p, m, L, metric, bound, inner)
    evidence.update(N=n, decision=f"x_N = p_N(lambda) x_0 with p_N from the 2 x 2 recursion; {dec.method}",
                    **{k.replace(" ", "_"): v for k, v in dec.detail.items()})
    if dec.worst is not None:
        evidence["worst_case"] = _show(dec.worst)
        evidence["attained_at_lambda"] = _show(dec.worst_at)
    holds, witness = dec.holds, dec.witness_lambda
    if holds is None:
        reason = f"could not separate the worst case from the bound ({dec.method})"
        return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
    if relation == "!=":
        holds, witness = not holds, (dec.worst_at if holds else None)
    if holds:
        return Outcome(Verdict.CERTIFIED, f"worst {metric} of {n} {method} steps {relation} {bound} "
                       f"({dec.method})", evidence)
    if witness is None:
        reason = "the relation fails but no witness eigenvalue was produced"
        return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
    other = L if witness == m else m
    exact = abs(p.subs(LAM, witness)) ** power
    rerun = run(method, alpha, beta, [witness, other], [1, 0], n)
    evidence["witness"] = {"lambda": _show(witness),
                           "quadratic": f"f(x) = 1/2 ({_show(witness)} x1^2 + {_show(other)} x2^2)",
                           "x0": "(1, 0), x_{-1} = x_0", "exact_value": _show(exact),
                           "run_50_digits": {k.replace("-", "_"): v for k, v in rerun.items()}}
    return Outcome(Verdict.REFUTED, f"at lambda = {_show(witness)}, |p_N|^{power} = {_show(exact)}, not "
                   f"{relation} {bound}; re-run at 50 digits gives {rerun[metric]}", evidence)
