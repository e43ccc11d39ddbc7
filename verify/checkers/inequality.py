"""``kind = "inequality"``: lhs (<, <=, >, >=) rhs for all parameters in the assumptions and domain."""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from core.errors import FieldError
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.params import parse_parameters
from verify.positivity import prove_sign
from verify.smt_decision import METHOD as SMT_METHOD
from verify.smt_decision import smt_decide
from verify.verdict import Outcome, Verdict
from verify.witness import SAMPLES, describe_point, find_violation, short_text

RELATIONS = ("<", "<=", ">", ">=")


@register
class InequalityChecker(Checker):
    """Certified by a symbolic sign proof or cvc5, refuted by a rigorously re-checked point."""

    kind = "inequality"
    required = ("lhs", "relation", "rhs")
    optional = ("where", "assume", "domain")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        relation = claim.get("relation")
        if relation == "!=":  # lhs != rhs everywhere (verify/checkers/not_equal.py)
            from verify.checkers.not_equal import check_not_equal
            return check_not_equal(claim, ctx)
        if relation not in RELATIONS:
            raise FieldError("relation", f"'{relation}' is not one of {', '.join(RELATIONS)}, !=")
        params, exprs = parse_parameters(claim, ctx.caps, ("lhs", "rhs"))
        lhs, rhs = params.substitute(exprs["lhs"]), params.substitute(exprs["rhs"])
        # g must be > 0 (strict) or >= 0 for the claim to hold
        g = rhs - lhs if relation in ("<", "<=") else lhs - rhs
        strict = relation in ("<", ">")
        evidence: dict[str, Any] = {"lhs": str(lhs), "relation": relation, "rhs": str(rhs),
                                    "difference": f"{'rhs - lhs' if relation in ('<', '<=') else 'lhs - rhs'}"
                                                  f" = {g}"}
        proof = prove_sign(g, strict, params)
        if proof:
            return Outcome(Verdict.CERTIFIED, short_text(proof, 140), {**evidence, "method": proof})

        # the sympy proofs failed: cvc5 decides the negation (a model is re-checked exactly)
        attempt = smt_decide(g, ">" if strict else ">=", params)
        evidence.update(attempt.evidence())
        if attempt.proved:
            return Outcome(Verdict.CERTIFIED, SMT_METHOD, {**evidence, "method": SMT_METHOD})

        def violated(sign: int) -> bool:
            return sign < 0 or (strict and sign == 0)

        witness, tried = attempt.witness, 0
        if witness is None:
            witness, tried = find_violation(g, violated, params, ctx.seed,
                                            score=lambda v: -v if not math.isnan(v) else -math.inf)
        if witness:
            point = describe_point(witness.point)
            values = {"lhs": str(sp.N(lhs.xreplace(witness.point), 50)),
                      "rhs": str(sp.N(rhs.xreplace(witness.point), 50))}
            method = "witness point (a cvc5 model)" if witness is attempt.witness else "witness point"
            evidence.update(method=method, witness=point, values=values,
                            witness_check=f"{witness.check}: the difference is {witness.value}")
            return Outcome(Verdict.REFUTED, f"fails at {point}: lhs = {short_text(values['lhs'])}, "
                           f"rhs = {short_text(values['rhs'])} ({witness.check})", evidence)
        reason = (f"no symbolic proof found (assumptions, positive reparametrization, root isolation; "
                  f"{attempt.summary_note()}) and {tried} sampled points satisfy the inequality")
        evidence.update(reason=reason, samples={"points": tried, "target": SAMPLES})
        return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
