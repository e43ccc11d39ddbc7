"""The PEP of a "class inequality": a quadratic form in named points, gradients and values, maximized.

Points are named (e.g. ``["x", "y"]``); the name ``"xs"`` is reserved for a global minimizer: its
gradient is 0 (no basis vector) and, for the nonconvex class "smooth", ``f(xs) <= f(p)`` is added for
every other point p (for the convex classes it already follows from the interpolation inequalities).
``f(xs)`` is a variable like every other value (not fixed to 0), so only translation-invariant forms
(or forms in f(p) - f(xs)) have a finite worst case.

Basis of the Gram matrix: ``x_p`` for every point in the given order, then ``g_p`` for every point but
``"xs"`` (see :func:`points_basis`); F holds f(p) for every point in the given order. Constraints: the
class's interpolation inequality for every ordered pair, and the normalization tr(G) <= 1 as the
"initial" condition (the form is homogeneous: scaling points and gradients by c and values by c^2 maps the
class to itself and the form by c^2). The claim "form <= 0 on the class" is then certified by
``certify_bound(data, 0)``. The certificate stores the form (symbols "x:p", "g:p", "f:p"); a checker
trusts that it is the claim's expansion.
"""

from __future__ import annotations

from typing import Any

from pep.certificate import encode
from pep.classes import FunctionClass
from pep.points import Point
from pep.problem import Constraint, PEPData

MINIMIZER = "xs"


def points_basis(points: list[str]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Index maps (x_p -> basis index, g_p -> basis index, f(p) -> index in F)."""
    if len(set(points)) != len(points) or not points:
        raise ValueError("points must be distinct names, at least one")
    xi = {p: i for i, p in enumerate(points)}
    gl = [p for p in points if p != MINIMIZER]
    gi = {p: len(points) + i for i, p in enumerate(gl)}
    fi = {p: i for i, p in enumerate(points)}
    return xi, gi, fi


def interpolation_constraints(fclass: FunctionClass, pts: list[Point]) -> list[Constraint]:
    """The class's interpolation inequality for every ordered pair of distinct points."""
    constraints = []
    for pi in pts:
        for pj in pts:
            if pi is not pj:
                M: dict[tuple[int, int], Any] = {}
                b: dict[int, Any] = {}
                fclass.interpolation(pi, pj, M, b)
                constraints.append(Constraint(f"interp({pi.label},{pj.label})", M, b))
    return constraints


def build_points_pep(fclass: FunctionClass, points: list[str], objective_M: dict[tuple[int, int], Any],
                     objective_b: dict[int, Any], *, describe: bool = True) -> PEPData:
    """Maximize tr(objective_M G) + objective_b.F over the class at the named points, tr(G) <= 1.

    ``describe = False`` leaves out the checker's problem description (for data symbolic in q, which has
    no JSON form: see :mod:`pep.parametric`)."""
    xi, gi, fi = points_basis(points)
    n = len(xi) + len(gi)
    pts = [Point(p, {xi[p]: 1}, {gi[p]: 1} if p in gi else {}, fi[p]) for p in points]
    constraints = interpolation_constraints(fclass, pts)
    if fclass.name == "smooth" and MINIMIZER in fi:
        for p in points:
            if p != MINIMIZER:
                constraints.append(Constraint(f"lower-bound({p})", {}, {fi[MINIMIZER]: 1, fi[p]: -1}))
    initial = Constraint("initial", {(i, i): 1 for i in range(n)}, {}, 1)
    if not describe:
        return PEPData(n=n, nf=len(points), constraints=constraints, initial=initial,
                       objective_M=dict(objective_M), objective_b=dict(objective_b), description={})
    names = {**{i: f"x:{p}" for p, i in xi.items()}, **{i: f"g:{p}" for p, i in gi.items()}}
    fnames = {i: f"f:{p}" for p, i in fi.items()}
    objective = {"quadratic": [[names[r], names[c], encode(v)] for (r, c), v in objective_M.items() if v],
                 "linear": [[fnames[k], encode(v)] for k, v in objective_b.items() if v]}
    q = -1 if fclass.name == "smooth" else fclass.q
    description = {"kind": "points", "class": fclass.name, "q": encode(q), "points": list(points),
                   "objective": objective, "basis": [names[i] for i in range(n)]}
    return PEPData(n=n, nf=len(points), constraints=constraints, initial=initial,
                   objective_M=dict(objective_M), objective_b=dict(objective_b), description=description)


__all__ = ["MINIMIZER", "points_basis", "build_points_pep", "interpolation_constraints"]
