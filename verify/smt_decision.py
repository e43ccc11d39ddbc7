"""cvc5 as a second prover for identity and inequality claims (after the fast sympy proofs).

:func:`symbolic.smt.decide` answers for the claim's negation: "proved" becomes CERTIFIED; a model is only a
candidate, substituted exactly into the claim and re-checked here (the symbols' assumptions and the
domain exactly, the violation by an exact sign: exact rational arithmetic, an interval enclosure that
excludes 0, or an exact zero proof); only a re-checked model becomes a REFUTED witness. Anything else
falls through to the caller's witness search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from numeric.interval import exact_sign, rational_between
from symbolic.smt import DEFAULT_TIME_LIMIT_MS, SmtResult, decide
from verify.params import Parameters
from verify.witness import Witness

METHOD = "cvc5 (nonlinear real arithmetic): the negation is unsatisfiable"
# Seconds of the claim's time cap left for the caller after the solver: the witness search that follows an
# unknown answer takes about 0.5 s on the test claims, so 2 s keeps a timeout from turning into the cap.
RESERVE_SECONDS = 2.0
# An algebraic model value is first tried as a rational this close to it (a simpler witness; it must pass
# the same exact re-check), then as the exact algebraic number.
NEAR = sp.Rational(1, 10**30)


@dataclass
class SmtAttempt:
    """The solver's answer and, for a model, the exactly re-checked witness (or why it was rejected)."""

    result: SmtResult | None
    witness: Witness | None = None
    note: str = ""

    @property
    def proved(self) -> bool:
        """Whether cvc5 proved the claim."""
        return self.result is not None and self.result.status == "proved"

    def evidence(self) -> dict[str, Any]:
        """The ``smt_*`` evidence keys (none when the solver was not run)."""
        r = self.result
        if r is None:
            return {}
        out: dict[str, Any] = {"smt_solver": r.solver, "smt_status": r.status}
        if r.query:
            out["smt_query"] = r.query
        out["smt_seconds"] = round(r.seconds, 4)
        if self.witness is None and (self.note or r.reason):
            out["smt_reason"] = self.note or r.reason
        return out

    def summary_note(self) -> str:
        """One clause for an inconclusive reason: what cvc5 said."""
        r = self.result
        if r is None:
            return self.note
        return f"cvc5: {self.note or r.reason or r.status}"


def _time_limit_ms() -> int | None:
    """The per-query limit: the default, shortened to the claim's remaining time (None: no time left)."""
    from verify.dispatch import remaining_seconds  # the dispatcher imports the checkers

    left = remaining_seconds()
    if left is None:
        return DEFAULT_TIME_LIMIT_MS
    budget = int((left - RESERVE_SECONDS) * 1000)
    return min(DEFAULT_TIME_LIMIT_MS, budget) if budget > 0 else None


def smt_decide(g: Any, goal: str, params: Parameters, time_limit_ms: int | None = None) -> SmtAttempt:
    """cvc5 on ``g <goal> 0`` (goal ``>``, ``>=`` or ``==``) over the assumptions and domain of ``params``,
    a model re-checked exactly."""
    limit = time_limit_ms if time_limit_ms is not None else _time_limit_ms()
    if limit is None:
        return SmtAttempt(None, note="cvc5 not run: the claim's time is nearly used up")
    constraints = [(params.substitute(a), op, params.substitute(b)) for a, op, b in params.domain]
    result = decide(g, goal, constraints, limit)
    if result.status != "counterexample":
        return SmtAttempt(result)
    witness = recheck(g, goal, params, result.model)
    if witness is None:
        return SmtAttempt(result, note="cvc5's model does not violate the claim when re-checked exactly "
                                       "(for instance a point where the claim is undefined)")
    return SmtAttempt(result, witness)


def _violated(goal: str, sign: int) -> bool:
    return sign != 0 if goal == "==" else sign < 0 or (goal == ">" and sign == 0)


def recheck(g: Any, goal: str, params: Parameters, model: dict[Any, Any]) -> Witness | None:
    """A witness when the model (or a rational point next to it) satisfies the assumptions and the domain
    and violates ``g <goal> 0``, all decided exactly; else None."""
    candidates = [model]
    if not all(isinstance(v, sp.Rational) for v in model.values()):
        near = {s: v if isinstance(v, sp.Rational) else rational_between(v - NEAR, v + NEAR)
                for s, v in model.items()}
        if all(v is not None for v in near.values()):
            candidates.insert(0, near)
    for point in candidates:
        if not _respects_assumptions(point) or params.domain_holds(point) is not True:
            continue
        value = sp.sympify(g).xreplace(point)
        sign = exact_sign(value)
        if sign is None or not _violated(goal, sign):
            continue
        if isinstance(value, sp.Rational):
            check = "exact rational arithmetic"
            shown = str(value) if len(str(value)) < 60 else sp.N(value, 50)
        else:
            check = "exact zero proof" if sign == 0 else "interval arithmetic, >= 200 bits"
            shown = sp.N(value, 50)
        return Witness(point=point, value=str(shown), check=f"cvc5 model, re-checked by {check}")
    return None


def _respects_assumptions(point: dict[Any, Any]) -> bool:
    """Whether every value satisfies its symbol's sign and integrality assumptions, by exact signs."""
    for s, v in point.items():
        sign = exact_sign(v)
        if sign is None:
            return False
        if (s.is_positive and sign != 1) or (s.is_nonnegative and sign < 0) or (
                s.is_negative and sign != -1) or (s.is_nonpositive and sign > 0):
            return False
        if s.is_integer and not isinstance(v, sp.Integer):
            return False
    return True
