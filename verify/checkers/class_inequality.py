"""``kind = "class-inequality"``: an inequality over named points that must hold for every function of a
class, e.g. co-coercivity. Decided as a small PEP: certified by an exact dual certificate with bound 0,
refuted by an explicit quadratic of the class evaluated exactly. See docs/claims.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import sympy as sp

from core.errors import FieldError
from numeric.interval import sign_of
from symbolic.vector import MINIMIZER, VectorSpace, expand_to_gram
from verify.certificates import record_attempt
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.fields import class_parameters, to_field
from verify.limits import pep_limits
from verify.verdict import Outcome, Verdict

RELATIONS = ("<=", ">=")
WITNESS_TRIES = 60  # random integer configurations per quadratic; each is decided exactly
# Solver values of the normalized problem (tr G <= 1) above this are treated as "the claim fails"; SCS at
# eps 1e-7 leaves errors about 1e-6 at this scale.
SOLVER_VALUE_TOL = 1e-6


@dataclass
class ClassInequality:
    """The parsed claim: class, L, m, the points, and ``excess`` = (what must be <= 0) in Gram symbols."""

    fclass: str
    L: Any
    m: Any
    space: VectorSpace
    excess: Any
    text: str

    @property
    def is_quadratic_form(self) -> bool:
        """Linear in the Gram entries and values (what a PEP certificate can prove)."""
        unknowns = set(self.space.gram_symbols().values()) | set(self.space.fvalues.values())
        if not unknowns:
            return True
        if not self.excess.is_polynomial(*unknowns):
            return False
        return sp.Poly(self.excess, *unknowns).total_degree() <= 1


@register
class ClassInequalityChecker(Checker):
    """An inequality in the vector language that must hold for all f in a class and all points."""

    kind = "class-inequality"
    required = ("class", "L", "points", "lhs", "relation", "rhs")
    optional = ("m", "assume", "domain")  # assume and domain: with symbolic L and m only

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        from verify.checkers.class_symbolic import check_symbolic, is_symbolic

        if is_symbolic(claim):
            with pep_limits(ctx):
                return check_symbolic(claim, ctx, self.check)
        for name in ("assume", "domain"):
            if claim.get(name) is not None:
                raise FieldError(name, "other parameters and a domain need symbolic L and m (L = \"L\", "
                                       "m = \"m\"); with numbers, write the numbers in lhs and rhs")
        ineq = parse(claim, ctx)
        evidence: dict[str, Any] = {"class": ineq.fclass, "L": str(ineq.L), "m": str(ineq.m),
                                    "points": list(ineq.space.points),
                                    "excess_gram": str(ineq.excess)}
        witness = quadratic_witness(ineq, ctx.seed)
        if witness is None and ineq.fclass == "smooth" and ineq.space.minimizer:
            witness = cosine_witness(ineq, ctx.seed)
        if witness is not None:
            evidence["counterexample"] = witness
            summary = (f"fails for {witness['function']} at the points {witness['points']}: "
                       f"{ineq.text} evaluates to {witness['excess']} > 0 (exact)")
            return Outcome(Verdict.REFUTED, summary, evidence)
        if not ineq.is_quadratic_form:
            reason = ("no quadratic counterexample, and the inequality is not linear in inner products and "
                      "function values (not homogeneous of degree 2), so no PEP certificate applies")
            evidence["reason"] = reason
            return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
        with pep_limits(ctx):  # the solver gets the claim's remaining time; a missing package is an error
            return certify(ineq, evidence, ctx, claim)


def parse(claim: Claim, ctx: Context) -> ClassInequality:
    """Validate the fields and expand (lhs - rhs or rhs - lhs) into Gram entries and function values."""
    fclass, L, m = class_parameters(claim, ctx)
    points = claim.get("points")
    if not isinstance(points, list):
        raise FieldError("points", "must be a list of point names such as [\"x\", \"y\"]")
    relation = claim.get("relation")
    if relation not in RELATIONS:
        raise FieldError("relation", f"must be one of {', '.join(RELATIONS)} (a strict inequality fails "
                                     f"at coinciding points), got {relation!r}")
    space = VectorSpace(points)
    params = {"L": L, "m": m}
    lhs, _ = expand_to_gram(claim.get("lhs"), space, dict(params), field="lhs", caps=ctx.caps)
    rhs, _ = expand_to_gram(claim.get("rhs"), space, dict(params), field="rhs", caps=ctx.caps)
    unknowns = set(space.gram_symbols().values()) | set(space.fvalues.values())
    for name, side in (("lhs", lhs), ("rhs", rhs)):
        extra = side.free_symbols - unknowns
        if extra:
            names = ", ".join(sorted(map(str, extra)))
            raise FieldError(name, f"unknown parameter(s) {names}: only L and m may appear")
    excess = sp.expand(lhs - rhs if relation == "<=" else rhs - lhs)
    text = f"({claim.get('lhs')}) - ({claim.get('rhs')})" if relation == "<=" else \
        f"({claim.get('rhs')}) - ({claim.get('lhs')})"
    return ClassInequality(fclass, L, m, space, excess, text)


def _curvatures(ineq: ClassInequality) -> list[Any]:
    """Eigenvalues a quadratic of the class may use: [m, L] (strongly convex), [0, L] (convex),
    [-L, L] (smooth)."""
    if ineq.fclass == "smooth-strongly-convex":
        return [ineq.m, ineq.L, (ineq.m + ineq.L) / 2]
    if ineq.fclass == "smooth-convex":
        return [sp.Integer(0), ineq.L, ineq.L / 2]
    if ineq.space.minimizer:  # a quadratic with a global minimizer has no negative curvature
        return [ineq.L / 4, ineq.L, ineq.L / 2]
    return [-ineq.L, ineq.L, sp.Integer(0)]


def quadratic_witness(ineq: ClassInequality, seed: int) -> dict[str, Any] | None:
    """A diagonal quadratic f(x) = 1/2 sum a_i x_i^2 of the class and integer points where the excess is
    > 0, decided exactly; None if none is found. (Its minimizer is 0, so xs = 0.)"""
    rng = random.Random(seed)
    space = ineq.space
    curv = _curvatures(ineq)
    for dim in (1, 2, 3):
        for _ in range(WITNESS_TRIES):
            # the ends and the middle of the curvature interval, and (every third try) a random rational
            # in it: a violation can sit at an interior curvature when the form is concave in it
            diag = [rng.choice(curv) if rng.random() < 2 / 3 else
                    curv[0] + (curv[1] - curv[0]) * sp.Rational(rng.randint(1, 19), 20) for _ in range(dim)]
            pts = {p: ([sp.Integer(0)] * dim if p == MINIMIZER else
                       [sp.Integer(rng.randint(-4, 4)) for _ in range(dim)]) for p in space.points}
            if space.minimizer and any(a == 0 for a in diag):
                diag = [a if a != 0 else ineq.L / 2 for a in diag]  # keep 0 the unique minimizer
            vec = dict(pts)
            vec.update({f"grad({p})": [a * x for a, x in zip(diag, pts[p], strict=True)]
                        for p in space.points if p != MINIMIZER})
            subs = {sym: sum((x * y for x, y in zip(vec[a], vec[b], strict=True)), sp.Integer(0))
                    for (a, b), sym in space.gram_symbols().items()}
            subs.update({sym: sum((a * x * x for a, x in zip(diag, pts[p], strict=True)), sp.Integer(0)) / 2
                         for p, sym in space.fvalues.items()})
            value = ineq.excess.xreplace(subs)  # exact: rational points, exact coefficients
            if sign_of(value) == 1:
                shown = " + ".join(f"({a}) x{i + 1}^2" for i, a in enumerate(diag))
                return {"function": f"f(x) = 1/2 [{shown}]", "dimension": dim,
                        "points": {p: [str(c) for c in v] for p, v in pts.items()},
                        "excess": str(value), "class_membership":
                        f"a quadratic with Hessian eigenvalues {sorted(set(map(str, diag)))} in "
                        f"{_interval(ineq)}"}
    return None


def cosine_witness(ineq: ClassInequality, seed: int) -> dict[str, Any] | None:
    """For the nonconvex class with a minimizer: f(x) = L sum_i (1 - cos x_i), L-smooth (Hessian entries
    L cos x_i in [-L, L]) with global minimum 0 at xs = 0, at integer points where the excess is > 0, its
    sign decided by a rigorous interval enclosure (sin and cos of integers are transcendental); None if
    none is found."""
    rng = random.Random(seed)
    space = ineq.space
    for dim in (1, 2):
        for _ in range(WITNESS_TRIES):
            pts = {p: ([sp.Integer(0)] * dim if p == MINIMIZER else
                       [sp.Integer(rng.randint(-7, 7)) for _ in range(dim)]) for p in space.points}
            vec = dict(pts)
            vec.update({f"grad({p})": [ineq.L * sp.sin(x) for x in pts[p]]
                        for p in space.points if p != MINIMIZER})
            subs = {sym: sum((x * y for x, y in zip(vec[a], vec[b], strict=True)), sp.Integer(0))
                    for (a, b), sym in space.gram_symbols().items()}
            subs.update({sym: ineq.L * sum((1 - sp.cos(x) for x in pts[p]), sp.Integer(0))
                         for p, sym in space.fvalues.items()})
            value = ineq.excess.xreplace(subs)
            if sign_of(value) == 1:
                shown = " + ".join(f"(1 - cos x{i + 1})" for i in range(dim))
                return {"function": f"f(x) = {ineq.L} [{shown}]", "dimension": dim,
                        "points": {p: [str(c) for c in v] for p, v in pts.items()},
                        "excess": f"{sp.N(value, 50)} (exact value {value}; its sign by a rigorous "
                                  f"interval enclosure)",
                        "class_membership": f"Hessian diag({ineq.L} cos x_i): eigenvalues in [-{ineq.L}, "
                                            f"{ineq.L}]; global minimum 0 at xs = 0"}
    return None


def _interval(ineq: ClassInequality) -> str:
    lo = {"smooth-strongly-convex": ineq.m, "smooth-convex": 0, "smooth": -ineq.L}[ineq.fclass]
    return f"[{lo}, {ineq.L}]"


def certify(ineq: ClassInequality, evidence: dict[str, Any], ctx: Context, claim: Claim) -> Outcome:
    """Build the point-set PEP (normalized to L = 1), solve it, and ask for an exact certificate of 0."""
    try:
        from pep.certificate import certify_bound
        from pep.pointset import build_points_pep
    except ImportError:
        reason = "no quadratic counterexample; exact certificates are not available in this build"
        evidence["reason"] = reason
        return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
    from pep.engine import normalized_class
    from pep.solve import solve

    q = to_field(ineq.m / ineq.L, "m") if ineq.fclass == "smooth-strongly-convex" else 0
    excess = normalize(ineq)
    objective_M, objective_b = gram_form_to_objective(excess, ineq.space)
    data = build_points_pep(normalized_class(ineq.fclass, 1, q), list(ineq.space.points),
                            objective_M, objective_b)
    result = solve(data, "scs")
    evidence.update({"solver_status": result.status, "solver_worst_case": f"{result.value:.6g}"})
    attempt = certify_bound(data, 0)
    record_attempt(attempt, evidence, ctx, claim)
    if attempt.ok:
        return Outcome(Verdict.CERTIFIED, f"exact certificate: {ineq.text} <= 0 for every {ineq.fclass} "
                                          f"function and all points, in every dimension", evidence)
    above = result.ok and result.value > SOLVER_VALUE_TOL
    relaxed = ineq.fclass == "smooth" and ineq.space.minimizer
    hint = ("> 0, but for the nonconvex class f(xs) <= f(p) is imposed at the named points only (a "
            "relaxation: a proof may need more points, e.g. x - grad(x)/L), so this suggests nothing"
            if relaxed else "> 0: the claim probably fails on a non-quadratic function")
    reason = (f"no quadratic counterexample and no exact certificate ({attempt.reason}); the solver's "
              f"worst case is {result.value:.3g} " + (hint if above else "(floating evidence only)"))
    evidence["reason"] = reason
    return Outcome(Verdict.INCONCLUSIVE, reason, evidence)


def gram_form_to_objective(excess: Any, space: VectorSpace) -> tuple[dict[tuple[int, int], Any],
                                                                      dict[int, Any]]:
    """Exact objective entries over the point-set PEP's basis (the same order as ``space.basis``: points,
    then gradients at points other than xs) and values (the order of ``space.points``)."""
    objective_M: dict[tuple[int, int], Any] = {}
    for (a, b), sym in space.gram_symbols().items():
        coeff = excess.coeff(sym)
        if coeff != 0:
            objective_M[(space.basis.index(a), space.basis.index(b))] = to_field(coeff, "lhs")
    objective_b = {space.points.index(p): to_field(excess.coeff(sym), "lhs")
                   for p, sym in space.fvalues.items() if excess.coeff(sym) != 0}
    return objective_M, objective_b


def normalize(ineq: ClassInequality) -> Any:
    """The excess for g = f / L (1-smooth): f(p) -> L g(p), grad f -> L grad g; the sign is unchanged
    after dividing by L."""
    subs = {sym: ineq.L * sym for sym in ineq.space.fvalues.values()}
    for (a, b), sym in ineq.space.gram_symbols().items():
        power = a.startswith("grad(") + b.startswith("grad(")
        subs[sym] = ineq.L**power * sym
    return sp.expand(ineq.excess.xreplace(subs) / ineq.L)
