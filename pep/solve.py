"""Solving a :class:`~pep.problem.PEPData` numerically: straight to SCS, or through cvxpy (SCS, Clarabel).

A floating SDP value is neither an upper nor a lower bound (solver residuals go both ways); it is the raw
material of a certificate or of a counterexample, never a verdict on its own.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sps

from pep.problem import PEPData

SQRT2 = math.sqrt(2.0)
# SCS's default tolerances (1e-4) leave errors of the order 1e-4 in the value (measured through PEPit);
# 1e-7 keeps the value within about 1e-6, which is what refutation margins and certificate rounding need.
SCS_EPS = 1e-7
SCS_MAX_ITERS = 200_000
CLARABEL_TOL = 1e-9  # Clarabel's interior point converges to high accuracy cheaply at these sizes
SOLVERS = ("scs", "scs-cvxpy", "clarabel")


@dataclass
class PEPResult:
    """A numeric PEP solution: value (normalized L = 1, initial quantity 1), status, residuals, the primal
    worst-case instance (G, F), the dual multipliers by constraint name, the dual PSD matrix S, and times."""

    value: float
    status: str
    solver: str
    residuals: dict[str, float]
    G: np.ndarray
    F: np.ndarray
    multipliers: dict[str, float]
    S: np.ndarray
    build_seconds: float
    solve_seconds: float
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the solver reports an optimal (possibly inaccurate-flagged) solution."""
        return self.status in ("solved", "optimal")

    @property
    def tau(self) -> float:
        """The multiplier of the initial condition: the dual bound on the worst case."""
        return self.multipliers.get("initial", math.nan)


def svec_index(n: int) -> np.ndarray:
    """``idx[r, c]``: position of entry (r, c), r >= c, in SCS's lower-triangular column-major svec."""
    idx = np.full((n, n), -1, dtype=np.int64)
    k = 0
    for c in range(n):
        for r in range(c, n):
            idx[r, c] = idx[c, r] = k
            k += 1
    return idx


def _svec_rows(data: PEPData) -> tuple[sps.csr_matrix, sps.csr_matrix, np.ndarray]:
    """Constraint data in float: rows over svec(G), rows over F, and right-hand sides."""
    n = data.n
    idx = svec_index(n)
    rows, cols, vals = [], [], []
    frows, fcols, fvals = [], [], []
    cons = data.all_constraints
    for i, con in enumerate(cons):
        for (r, c), v in con.M.items():
            rows.append(i)
            cols.append(idx[r, c])
            vals.append(float(v) if r == c else float(v) / SQRT2)
        for k, v in con.b.items():
            frows.append(i)
            fcols.append(k)
            fvals.append(float(v))
    m = len(cons)
    A = sps.csr_matrix((vals, (rows, cols)), shape=(m, n * (n + 1) // 2))
    B = sps.csr_matrix((fvals, (frows, fcols)), shape=(m, data.nf))
    rhs = np.array([float(c.rhs) for c in cons])
    return A, B, rhs


def _objective(data: PEPData) -> tuple[np.ndarray, np.ndarray]:
    idx = svec_index(data.n)
    C = np.zeros(data.n * (data.n + 1) // 2)
    for (r, c), v in data.objective_M.items():
        C[idx[r, c]] += float(v) if r == c else float(v) / SQRT2
    cvec = np.zeros(data.nf)
    for k, v in data.objective_b.items():
        cvec[k] += float(v)
    return C, cvec


def smat(v: np.ndarray, n: int) -> np.ndarray:
    """The symmetric matrix of an SCS svec."""
    idx = svec_index(n)
    out = np.empty((n, n))
    for r in range(n):
        for c in range(n):
            out[r, c] = v[idx[r, c]] if r == c else v[idx[r, c]] / SQRT2
    return out


def solve_scs(data: PEPData, eps: float = SCS_EPS, max_iters: int = SCS_MAX_ITERS,
              verbose: bool = False) -> PEPResult:
    """Hand the PEP straight to SCS: x = [svec(G); F], maximize <C, G> + c.F."""
    import scs

    t0 = time.perf_counter()
    A, B, rhs = _svec_rows(data)
    C, cvec = _objective(data)
    n, m, nsv = data.n, A.shape[0], A.shape[1]
    psd = -sps.eye(nsv, nsv + data.nf, format="csc")
    Afull = sps.vstack([sps.hstack([A, B]), psd], format="csc")
    bfull = np.concatenate([rhs, np.zeros(nsv)])
    cfull = -np.concatenate([C, cvec])
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    solver = scs.SCS({"A": Afull, "b": bfull, "c": cfull}, {"l": m, "s": [n]}, eps_abs=eps, eps_rel=eps,
                     max_iters=max_iters, verbose=verbose)
    sol = solver.solve()
    solve = time.perf_counter() - t1
    info = sol["info"]
    x, y = sol["x"], sol["y"]
    G = smat(x[:nsv], n)
    F = x[nsv:]
    names = [c.name for c in data.all_constraints]
    mult = dict(zip(names, (float(v) for v in y[:m]), strict=True))
    S = smat(y[m:], n)
    status = "solved" if info["status"] == "solved" else str(info["status"])
    value = float(-info["pobj"]) if status == "solved" else math.nan
    return PEPResult(value=value, status=status, solver="scs", G=G, F=F, multipliers=mult, S=S,
                     residuals={"primal": float(info["res_pri"]), "dual": float(info["res_dual"]),
                                "gap": float(info["gap"])},
                     build_seconds=build, solve_seconds=solve,
                     info={"iterations": int(info["iter"]), "dual_value": float(-info["dobj"])})


def solve_cvxpy(data: PEPData, solver: str = "clarabel") -> PEPResult:
    """The same problem through cvxpy, one vectorized constraint for all inequalities."""
    import cvxpy as cp

    t0 = time.perf_counter()
    n = data.n
    rows, cols, vals, frows, fcols, fvals = [], [], [], [], [], []
    cons = data.all_constraints
    for i, con in enumerate(cons):
        for (r, c), v in con.M.items():
            rows.append(i)
            cols.append(c * n + r)  # column-major vec(G)
            vals.append(float(v))
        for k, v in con.b.items():
            frows.append(i)
            fcols.append(k)
            fvals.append(float(v))
    m = len(cons)
    A = sps.csr_matrix((vals, (rows, cols)), shape=(m, n * n))
    B = sps.csr_matrix((fvals, (frows, fcols)), shape=(m, data.nf))
    rhs = np.array([float(c.rhs) for c in cons])
    Cm = np.zeros((n, n))
    for (r, c), v in data.objective_M.items():
        Cm[r, c] += float(v)
    cvec = np.zeros(data.nf)
    for k, v in data.objective_b.items():
        cvec[k] += float(v)
    G = cp.Variable((n, n), symmetric=True)
    F = cp.Variable(data.nf)
    ineq = A @ cp.vec(G, order="F") + B @ F <= rhs
    psd = G >> 0
    problem = cp.Problem(cp.Maximize(cp.sum(cp.multiply(Cm, G)) + cvec @ F), [ineq, psd])
    kwargs: dict[str, Any] = {}
    if solver == "clarabel":
        kwargs = {"tol_gap_abs": CLARABEL_TOL, "tol_gap_rel": CLARABEL_TOL, "tol_feas": CLARABEL_TOL}
        name = cp.CLARABEL
    else:
        kwargs = {"eps_abs": SCS_EPS, "eps_rel": SCS_EPS, "max_iters": SCS_MAX_ITERS}
        name = cp.SCS
    problem.get_problem_data(name)  # compile once here so that build and solve times are separate
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    problem.solve(solver=name, **kwargs)
    solve = time.perf_counter() - t1
    status = "optimal" if problem.status == cp.OPTIMAL else str(problem.status)
    lam = np.asarray(ineq.dual_value if ineq.dual_value is not None else np.full(m, np.nan)).ravel()
    mult = dict(zip([c.name for c in cons], (float(v) for v in lam), strict=True))
    Gv = np.asarray(G.value) if G.value is not None else np.full((n, n), np.nan)
    Fv = np.asarray(F.value) if F.value is not None else np.full(data.nf, np.nan)
    Sv = np.asarray(psd.dual_value) if psd.dual_value is not None else np.full((n, n), np.nan)
    value = float(problem.value) if status == "optimal" else math.nan
    res = _residuals(data, Gv, Fv, mult, Sv)
    return PEPResult(value=value, status=status, solver=solver, G=Gv, F=Fv, multipliers=mult, S=Sv,
                     residuals=res, build_seconds=build, solve_seconds=solve)


def _residuals(data: PEPData, G: np.ndarray, F: np.ndarray, mult: dict[str, float],
               S: np.ndarray) -> dict[str, float]:
    """Largest primal violation and smallest eigenvalue of G (primal), and of S (dual)."""
    worst = 0.0
    for con in data.all_constraints:
        lhs = sum(float(v) * G[r, c] for (r, c), v in con.M.items()) + sum(float(v) * F[k]
                                                                           for k, v in con.b.items())
        worst = max(worst, lhs - con.rhs)
    return {"primal": worst, "min_eig_G": float(np.linalg.eigvalsh(G).min()),
            "min_eig_S": float(np.linalg.eigvalsh(S).min()) if np.isfinite(S).all() else math.nan}


def solve(data: PEPData, solver: str = "scs") -> PEPResult:
    """Solve with ``"scs"`` (direct, the default for speed), ``"scs-cvxpy"`` or ``"clarabel"``."""
    if solver == "scs":
        return solve_scs(data)
    if solver in ("scs-cvxpy", "clarabel"):
        return solve_cvxpy(data, "scs" if solver == "scs-cvxpy" else "clarabel")
    raise ValueError(f"unknown solver '{solver}' (one of {', '.join(SOLVERS)})")
