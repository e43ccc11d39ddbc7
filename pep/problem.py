"""Performance-estimation problems (PEP) of fixed-step first-order methods, as exact data.

Homogeneity: the worst case scales as a power of L and of the initial radius, so every problem is built
with L = 1 and the initial quantity (R^2, D or G^2) equal to 1, and :func:`pep.scale.rescale` restores
units. Steps are normalized: x_{k+1} = x_k - (h_k / L) grad f(x_k) for gradient descent, and in general
x_{k+1} = x_0 - sum_{i <= k} (H[k][i] / L) grad f(x_i) (:mod:`pep.methods`).

Variables. The Gram matrix G (PSD, size n) of the basis ``x0 - x*, g_0, ..., g_N`` (for the nonconvex
class, which has no minimizer, ``x0, g_0, ..., g_N``) and a vector F of linear variables: F_k = f(x_k) - f*
for k = 0..N, and for the metric min-gradient-norm one more entry t (the epigraph variable).

Constraints, each ``tr(M G) + b.F <= rhs`` with M given by its entries (not necessarily symmetric;
``tr(M G) = sum M[r, c] G[r, c]`` because G is symmetric):
- one interpolation inequality of the class for every ordered pair of points (rhs 0);
- extra linear inequalities (rhs 0): t <= ||g_k||^2 for min-gradient-norm, f_k >= f* for the nonconvex class;
- the initial condition (rhs 1).
Objective: maximize tr(C G) + c.F.

Dual (what a certificate exhibits): tau >= 0 for the initial condition, lambda_i >= 0 for the others, with
  S = tau*A0 + sum_i lambda_i*A_i - C  positive semidefinite   (A = symmetric part of M)
  tau*b0 + sum_i lambda_i*b_i - c = 0.
Then every feasible (G, F) has objective <= tau: tr(C G) + c.F = tau*(tr(A0 G) + b0.F) + sum lambda_i
(tr(A_i G) + b_i.F) - tr(S G) <= tau. Entries are exact (fractions.Fraction, or Q(sqrt 2) elements for the
Silver schedule): the same data serves the float solver and the exact certificate check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pep.classes import FunctionClass
from pep.methods import Method, as_method
from pep.points import Point, add_inner, iterate_points

INITIAL_CONDITIONS = ("distance", "function-gap", "gradient")
METRICS = ("function-gap", "gradient-norm", "min-gradient-norm", "distance", "decrease",
           "min-gradient-norm-before-last")
# metrics with an epigraph variable t <= ||g_k||^2 (over every iterate, or over x_0..x_{N-1})
MIN_METRICS = {"min-gradient-norm": True, "min-gradient-norm-before-last": False}


@dataclass
class Constraint:
    """``tr(M G) + b.F <= rhs``; ``M`` and ``b`` hold only their nonzero entries."""

    name: str
    M: dict[tuple[int, int], Any]
    b: dict[int, Any]
    rhs: int = 0


@dataclass
class PEPData:
    """A PEP in exact form (see the module docstring for the primal and the dual)."""

    n: int
    nf: int
    constraints: list[Constraint]
    initial: Constraint
    objective_M: dict[tuple[int, int], Any]
    objective_b: dict[int, Any]
    description: dict[str, Any] = field(default_factory=dict)

    @property
    def all_constraints(self) -> list[Constraint]:
        """Every inequality, the initial condition last."""
        return [*self.constraints, self.initial]


def build_pep(fclass: FunctionClass, method: Method | list[Any], initial: str, metric: str,
              pairs: list[tuple[str, str]] | None = None) -> PEPData:
    """The PEP of the method (a :class:`pep.methods.Method`, or a list of gradient-descent steps).

    ``pairs`` restricts the interpolation inequalities to the named ordered pairs (labels ``"*"``,
    ``"0"``, ..., ``"N"``); the value is then an upper bound that is still a valid proof.
    """
    if initial not in INITIAL_CONDITIONS:
        raise ValueError(f"unknown initial condition '{initial}'")
    if metric not in METRICS:
        raise ValueError(f"unknown metric '{metric}'")
    method = as_method(method)
    if not method.exact:
        raise ValueError(f"the {method.name} method's coefficients are float64 only: no exact PEP")
    n_steps = method.N
    has_star = fclass.has_minimizer
    if not has_star and (initial == "distance" or metric == "distance"):
        raise ValueError("the nonconvex class has no minimizer: distance conditions are undefined")
    points = iterate_points(method, has_star)
    n = n_steps + 2
    nf = n_steps + 1 + (1 if metric in MIN_METRICS else 0)
    by_label = {p.label: p for p in points}
    wanted = set(pairs) if pairs is not None else None
    constraints = []
    for pi in points:
        for pj in points:
            if pi is pj or (wanted is not None and (pi.label, pj.label) not in wanted):
                continue
            if pi.label == "*" and pj.label == "*":
                continue
            M: dict[tuple[int, int], Any] = {}
            b: dict[int, Any] = {}
            fclass.interpolation(pi, pj, M, b)
            constraints.append(Constraint(f"interp({pi.label},{pj.label})", M, b))
    if not has_star:
        for p in points:
            constraints.append(Constraint(f"lower-bound({p.label})", {}, {p.f_index: -1}))
    x0 = by_label["0"]
    xn = by_label[str(n_steps)]
    if metric in MIN_METRICS:
        t_index = n_steps + 1
        for p in points:
            if p.label == "*" or p is xn and not MIN_METRICS[metric]:
                continue
            M = {}
            add_inner(M, p.g, p.g, -1)
            constraints.append(Constraint(f"min-grad({p.label})", M, {t_index: 1}))
    init_M: dict[tuple[int, int], Any] = {}
    init_b: dict[int, Any] = {}
    if initial == "distance":
        add_inner(init_M, x0.x, x0.x)
    elif initial == "function-gap":
        init_b[x0.f_index] = 1
    else:
        add_inner(init_M, x0.g, x0.g)
    obj_M: dict[tuple[int, int], Any] = {}
    obj_b: dict[int, Any] = {}
    if metric == "function-gap":
        obj_b[xn.f_index] = 1
    elif metric == "gradient-norm":
        add_inner(obj_M, xn.g, xn.g)
    elif metric == "distance":
        add_inner(obj_M, xn.x, xn.x)
    elif metric == "decrease":  # f(x_0) - f(x_N)
        obj_b[x0.f_index] = 1
        obj_b[xn.f_index] = -1
    else:
        obj_b[n_steps + 1] = 1
    return PEPData(n=n, nf=nf, constraints=constraints, initial=Constraint("initial", init_M, init_b, 1),
                   objective_M=obj_M, objective_b=obj_b,
                   description={"class": fclass.name, "q": fclass.q, "N": n_steps, "initial": initial,
                                "metric": metric,
                                **method.describe(),
                                "basis": ["x0 - x*" if has_star else "x0"] + [f"g{k}" for k in
                                                                               range(n_steps + 1)]})


build_gd_pep = build_pep  # the name from when gradient descent was the only method


__all__ = ["Constraint", "PEPData", "Point", "build_pep", "build_gd_pep", "INITIAL_CONDITIONS", "METRICS"]
