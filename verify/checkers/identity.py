"""``kind = "identity"``: lhs = rhs for all parameters in the assumptions and domain."""

from __future__ import annotations

import random
from typing import Any

import sympy as sp

from core.errors import FieldError
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.params import parse_parameters
from verify.smt_decision import METHOD as SMT_METHOD
from verify.smt_decision import smt_decide
from verify.verdict import Outcome, Verdict
from verify.witness import SAMPLES, describe_point, find_violation, prove_zero, sample_points, short_text


@register
class IdentityChecker(Checker):
    """Certified by a sympy simplification to zero or cvc5, refuted by a rigorously re-checked point."""

    kind = "identity"
    required = ("lhs", "rhs")
    optional = ("where", "assume", "domain", "points", "random")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        if claim.get("random") is not None:  # E/Var/P of random variables (verify/checkers/expectation.py)
            from verify.checkers.expectation import check_random_identity
            return check_random_identity(claim, ctx)
        if claim.get("points") is not None:
            return check_vector_identity(claim, ctx)
        params, exprs = parse_parameters(claim, ctx.caps, ("lhs", "rhs"))
        lhs, rhs = params.substitute(exprs["lhs"]), params.substitute(exprs["rhs"])
        diff = lhs - rhs
        evidence: dict[str, Any] = {"lhs": str(lhs), "rhs": str(rhs)}
        proof = prove_zero(diff)
        if proof:
            return Outcome(Verdict.CERTIFIED, proof, {**evidence, "method": proof})
        # sympy did not reduce lhs - rhs to 0: cvc5 decides lhs - rhs != 0 (a model is re-checked exactly)
        attempt = smt_decide(diff, "==", params)
        evidence.update(attempt.evidence())
        if attempt.proved:
            return Outcome(Verdict.CERTIFIED, SMT_METHOD, {**evidence, "method": SMT_METHOD})
        witness, tried = attempt.witness, 0
        if witness is None:
            witness, tried = find_violation(diff, lambda s: s != 0, params, ctx.seed)
        if witness:
            point = describe_point(witness.point)
            values = {"lhs": str(sp.N(lhs.xreplace(witness.point), 50)),
                      "rhs": str(sp.N(rhs.xreplace(witness.point), 50)), "lhs_minus_rhs": witness.value}
            method = "witness point (a cvc5 model)" if witness is attempt.witness else "witness point"
            evidence.update(method=method, witness=point, values=values,
                            witness_check=f"{witness.check}: lhs - rhs = {witness.value} != 0")
            return Outcome(Verdict.REFUTED, f"lhs != rhs at {point} (lhs - rhs = "
                                            f"{short_text(witness.value)}, {witness.check})", evidence)
        reason = (f"sympy could not reduce lhs - rhs to 0 ({attempt.summary_note()}), and {tried} sampled "
                  "points found no difference")
        evidence.update(reason=reason, samples={"points": tried, "target": SAMPLES})
        return Outcome(Verdict.INCONCLUSIVE, reason, evidence)


def check_vector_identity(claim: Claim, ctx: Context) -> Outcome:
    """``points = [...]``: lhs and rhs in the vector language of :mod:`symbolic.vector`, expanded into Gram
    entries and function values; certified when the difference is zero for independent Gram symbols (that
    is, for all vectors), refuted by explicit rational vectors re-checked exactly."""
    from symbolic.vector import VectorSpace, find_gram_witness

    points = claim.get("points")
    if not isinstance(points, list):
        raise FieldError("points", "must be a list of point names such as [\"x\", \"xs\"]")
    space = VectorSpace(points)
    params, exprs = parse_parameters(claim, ctx.caps, ("lhs", "rhs"), parse=space.parse)
    lhs, rhs = params.substitute(exprs["lhs"]), params.substitute(exprs["rhs"])
    diff = lhs - rhs
    evidence: dict[str, Any] = {"lhs_gram": str(sp.expand(lhs)),
                                "rhs_gram": str(sp.expand(rhs)), "basis": list(space.basis)}
    proof = prove_zero(diff)
    if proof:
        method = f"bilinear expansion into Gram entries and function values, then {proof}"
        return Outcome(Verdict.CERTIFIED, method, {**evidence, "method": method})
    gram = set(space.gram_symbols().values()) | set(space.fvalues.values())
    param_syms = sorted((diff.free_symbols | {s for a, _, b in params.domain
                                              for s in params.substitute(b - a).free_symbols}) - gram,
                        key=lambda s: s.name)
    rng = random.Random(ctx.seed)
    param_points = list(sample_points(param_syms, params, rng, count=60)) if param_syms else [{}]
    witness = find_gram_witness(diff, space, param_points, ctx.seed)
    if witness:
        desc = witness.describe()
        check = "exact rational arithmetic" if isinstance(witness.value, sp.Rational) else (
            "interval arithmetic, >= 200 bits")
        evidence.update(method="explicit vectors", witness=desc,
                        witness_check=f"{check}: lhs - rhs = {witness.value} != 0")
        return Outcome(Verdict.REFUTED, f"lhs != rhs for explicit vectors in R^{witness.dimension} "
                       f"(lhs - rhs = {short_text(str(witness.value))}, {check})", evidence)
    reason = ("sympy could not reduce the Gram form of lhs - rhs to 0, and random rational vectors found "
              "no difference")
    evidence.update(reason=reason)
    return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
