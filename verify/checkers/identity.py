"""``kind = "identity"``: lhs = rhs for all parameters in the assumptions and domain."""

from __future__ import annotations

from typing import Any

import sympy as sp

from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.params import parse_parameters
from verify.verdict import Outcome, Verdict
from verify.witness import SAMPLES, find_violation


def prove_zero(diff: Any) -> str | None:
    """A sentence naming the sympy routine that reduces ``diff`` to 0, or None."""
    for name, fn in (("expand", sp.expand), ("cancel", sp.cancel), ("radsimp", sp.radsimp),
                     ("simplify", sp.simplify)):
        try:
            if fn(diff) == 0:
                return f"sympy {name}(lhs - rhs) == 0"
        except (TypeError, ValueError, NotImplementedError, RecursionError):
            continue
    return None


def describe_point(point: dict[Any, sp.Rational]) -> dict[str, str]:
    """A witness point as ``{name: exact value}``."""
    return {str(k): str(v) for k, v in sorted(point.items(), key=lambda kv: str(kv[0]))}


@register
class IdentityChecker(Checker):
    """Certified by a sympy simplification to zero, refuted by a rigorously re-checked point."""

    kind = "identity"
    required = ("lhs", "rhs")
    optional = ("where", "assume", "domain")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        params, exprs = parse_parameters(claim, ctx.caps, ("lhs", "rhs"))
        lhs, rhs = params.substitute(exprs["lhs"]), params.substitute(exprs["rhs"])
        diff = lhs - rhs
        evidence: dict[str, Any] = {"lhs": str(lhs), "rhs": str(rhs)}
        proof = prove_zero(diff)
        if proof:
            return Outcome(Verdict.CERTIFIED, proof, {**evidence, "method": proof})
        witness, tried = find_violation(diff, lambda s: s != 0, params, ctx.seed)
        if witness:
            point = describe_point(witness.point)
            values = {"lhs": str(sp.N(lhs.xreplace(witness.point), 50)),
                      "rhs": str(sp.N(rhs.xreplace(witness.point), 50)), "lhs - rhs": witness.value}
            evidence.update(method="witness point", witness=point, values=values,
                            witness_check=f"{witness.check}: lhs - rhs = {witness.value} != 0")
            return Outcome(Verdict.REFUTED, f"lhs != rhs at {point} (lhs - rhs = {_short(witness.value)}, "
                           f"{witness.check})", evidence)
        reason = f"sympy could not reduce lhs - rhs to 0, and {tried} sampled points found no difference"
        evidence.update(reason=reason, samples={"points": tried, "target": SAMPLES})
        return Outcome(Verdict.INCONCLUSIVE, reason, evidence)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
