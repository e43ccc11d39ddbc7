"""``kind = "inequality"`` with ``relation = "!="``: lhs != rhs for all parameters in the assumptions and
domain. Certified when lhs - rhs is proved > 0 everywhere or < 0 everywhere (:func:`verify.positivity.
prove_sign`; a constant difference by its exact sign); refuted by a point inside the assumptions and domain
where lhs - rhs is exactly 0 (exact rational arithmetic, or an exact zero proof for a constant).
"""

from __future__ import annotations

from typing import Any

from numeric.interval import exact_sign
from verify.checkers.base import Context
from verify.claims import Claim
from verify.params import parse_parameters
from verify.positivity import prove_sign
from verify.verdict import Outcome, Verdict
from verify.witness import SAMPLES, describe_point, find_violation, short_text


def check_not_equal(claim: Claim, ctx: Context) -> Outcome:
    """Decide lhs != rhs on the claim's domain."""
    params, exprs = parse_parameters(claim, ctx.caps, ("lhs", "rhs"))
    lhs, rhs = params.substitute(exprs["lhs"]), params.substitute(exprs["rhs"])
    diff = lhs - rhs
    evidence: dict[str, Any] = {"lhs": str(lhs), "relation": "!=", "rhs": str(rhs),
                                "difference": f"lhs - rhs = {diff}"}
    if not getattr(diff, "free_symbols", set()):
        s = exact_sign(diff)
        if s is None:
            reason = "the sign of the constant lhs - rhs could not be decided exactly"
            return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
        method = f"lhs - rhs is a constant of exact sign {s}"
        verdict = Verdict.CERTIFIED if s != 0 else Verdict.REFUTED
        return Outcome(verdict, method, {**evidence, "method": method})
    for g, side in ((diff, "lhs - rhs > 0"), (-diff, "lhs - rhs < 0")):
        proof = prove_sign(g, True, params)
        if proof:
            method = f"{side} everywhere, so lhs != rhs: {proof}"
            return Outcome(Verdict.CERTIFIED, short_text(method, 140), {**evidence, "method": method})
    witness, tried = find_violation(diff, lambda s: s == 0, params, ctx.seed)
    if witness:
        point = describe_point(witness.point)
        evidence.update(method="witness point", witness=point,
                        witness_check=f"{witness.check}: lhs - rhs = {witness.value}")
        return Outcome(Verdict.REFUTED, f"lhs = rhs at {point} ({witness.check})", evidence)
    reason = (f"no proof that lhs - rhs keeps one sign, and none of {tried} sampled points makes it exactly "
              "0 (a zero at an irrational point is not found by sampling)")
    evidence.update(reason=reason, samples={"points": tried, "target": SAMPLES})
    return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
