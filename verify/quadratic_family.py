"""A witness family for class inequalities with symbolic parameters: the one-dimensional quadratics
f(z) = c z^2 / 2 with curvature c = m or c = L (both in the smooth strongly convex class for every
0 < m < L), minimizer x* = 0, and the other points at small integers. The claim's excess becomes a
rational function V of the parameters; cvc5 proves V > 0 on the whole domain (the claim fails for every
parameter value, and the family says how) or finds a point of the domain where V > 0, re-checked exactly.

Why a family: "refuted at m = 1/10, L = 1" says the claim is false; "refuted for every alpha L < 1 by
f = m z^2/2" says how false, which is what an author needs to mend a rate (Appendix B, Theorem 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import sympy as sp

from numeric.interval import exact_sign
from symbolic.vector import MINIMIZER, VectorSpace
from verify.params import Parameters
from verify.smt_decision import smt_decide

POINT_VALUES = (1, 0, -1)  # the values tried for each point other than x*: a violation of a quadratic
# inequality by a 1-D quadratic shows at some pair of such values (scaling makes the size irrelevant)
MAX_ASSIGNMENTS = 9  # point assignments tried per curvature (3^2 for two points): each costs a cvc5 call


@dataclass
class FamilyRefutation:
    """The function, the points, the violation V(parameters) > 0, and where it is proved or shown."""

    curvature: Any
    points: dict[str, int]
    violation: Any
    everywhere: bool  # V > 0 proved on the whole domain (else: at ``instance`` only)
    instance: dict[str, str]  # a parameter point of the domain where V > 0, checked exactly
    instance_value: str
    smt: dict[str, Any]

    def describe(self, names: list[str]) -> str:
        pts = ", ".join(f"{p} = {v}" for p, v in self.points.items())
        where = (f"for every ({', '.join(names)}) in the domain (cvc5: V <= 0 is unsatisfiable there)"
                 if self.everywhere else
                 "at " + ", ".join(f"{k} = {v}" for k, v in self.instance.items()))
        return (f"f(z) = {self.curvature}*z**2/2 with x* = 0 and {pts} violates it {where}: "
                f"the excess is V = {self.violation} > 0")

    def evidence(self) -> dict[str, Any]:
        return {"function": f"f(z) = {self.curvature}*z**2/2 on the real line (curvature {self.curvature}, "
                            f"in the class for every 0 < m < L), minimizer x* = 0",
                "points": {p: str(v) for p, v in self.points.items()}, "violation": str(self.violation),
                "for_every_parameter": self.everywhere, "instance": self.instance,
                "instance_violation": self.instance_value, **self.smt}


def _values(space: VectorSpace, assignment: dict[str, int], c: Any) -> dict[Any, Any]:
    """Gram entries and function values of the quadratic c z^2/2 at the assigned points."""
    def vector(name: str) -> Any:
        if name.startswith("grad(") and name.endswith(")"):
            p = name[5:-1]
            return 0 if p == MINIMIZER else c * assignment[p]
        return 0 if name == MINIMIZER else assignment[name]

    subs: dict[Any, Any] = {sym: vector(a) * vector(b) for (a, b), sym in space.gram_symbols().items()}
    for p, sym in space.fvalues.items():
        z = 0 if p == MINIMIZER else assignment[p]
        subs[sym] = c * z * z / 2
    return subs


def _assignments(space: VectorSpace) -> list[dict[str, int]]:
    free = [p for p in space.points if p != MINIMIZER]
    out = []
    for values in product(POINT_VALUES, repeat=len(free)):
        if any(values):
            out.append(dict(zip(free, values, strict=True)))
    return out[:MAX_ASSIGNMENTS]


def refute_by_quadratics(excess: Any, space: VectorSpace, L: Any, m: Any, params: Parameters
                         ) -> FamilyRefutation | None:
    """A quadratic of the family with excess > 0 (the claim needs excess <= 0), for the whole domain of
    ``params`` when cvc5 proves it, else at one exactly checked point of the domain; None if none found."""
    found: FamilyRefutation | None = None
    for c in (m, L):
        for assignment in _assignments(space):
            V = sp.cancel(sp.together(excess.xreplace(_values(space, assignment, c))))
            if V.free_symbols - set(params.symbols.values()):
                continue
            everywhere = smt_decide(V, ">", params)
            if everywhere.proved:
                point = smt_decide(sp.Integer(-1), ">", params).witness  # any point of the domain
                if point is not None:
                    value = V.xreplace(point.point)
                    if exact_sign(value) == 1:
                        return FamilyRefutation(c, assignment, V, True, _shown(point.point), str(value),
                                                everywhere.evidence())
                continue
            if found is None:  # a point of the domain where V > 0: the claim fails there
                somewhere = smt_decide(-V, ">=", params)
                w = somewhere.witness
                if w is not None and exact_sign(V.xreplace(w.point)) == 1:
                    found = FamilyRefutation(c, assignment, V, False, _shown(w.point),
                                             str(V.xreplace(w.point)), somewhere.evidence())
    return found


def _shown(point: dict[Any, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted(point.items(), key=lambda kv: str(kv[0]))}


__all__ = ["FamilyRefutation", "refute_by_quadratics"]
