"""Solving a PEP numerically: straight to SCS (the fast path), or through cvxpy (SCS, Clarabel).

Every solver takes either exact :class:`~pep.problem.PEPData` (converted entry by entry) or the float
matrix form :class:`~pep.fastbuild.FloatPEP` of :func:`pep.fastbuild.build_gd_pep_float` (built with
numpy, for large N). ``build_seconds`` covers the conversion to matrix form (and cvxpy's compile on the
cvxpy path); ``solve_seconds`` the solver's own run, its setup included (SCS's factorization, also reported
as ``info["setup_seconds"]``).

A floating SDP value is neither an upper nor a lower bound (solver residuals go both ways); it is the raw
material of a certificate or of a counterexample, never a verdict on its own. A run that does not end
with status ``solved`` / ``optimal`` reports ``value = nan`` (its last iterate is kept in ``info``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sps

from pep.fastbuild import SQRT2, FloatPEP, from_exact, smat, svec, svec_position
from pep.problem import PEPData

# SCS's default tolerances (1e-4) leave errors of the order 1e-4 in the value (measured through PEPit);
# 1e-7 keeps the value within about 1e-6, which is what refutation margins and certificate rounding need.
SCS_EPS = 1e-7
SCS_MAX_ITERS = 200_000
# Measured on Silver N = 31..127 (see benchmarks/README.md): SCS's own defaults for the other settings
# (normalize, adaptive scale, Anderson acceleration off) were the fastest at eps 1e-7.
SCS_SETTINGS: dict[str, Any] = {}
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
        """Whether the solver reports an optimal solution at the requested accuracy."""
        return self.status in ("solved", "optimal")

    @property
    def tau(self) -> float:
        """The multiplier of the initial condition: the dual bound on the worst case."""
        return self.multipliers.get("initial", math.nan)


def as_float(data: PEPData | FloatPEP) -> FloatPEP:
    """The float matrix form of either kind of problem data."""
    return data if isinstance(data, FloatPEP) else from_exact(data)


def svec_index(n: int) -> np.ndarray:
    """``idx[r, c]``: position of entry (r, c) in SCS's lower-triangular column-major svec."""
    r, c = np.indices((n, n))
    return svec_position(r, c, n)


def solution_residuals(fp: FloatPEP, G: np.ndarray, F: np.ndarray, y: np.ndarray | None,
                       S: np.ndarray) -> dict[str, float]:
    """Our own check of a solution: worst primal violation, the dual equality on F, and the PSD margins."""
    out: dict[str, float] = {}
    if np.isfinite(G).all() and np.isfinite(F).all():
        lhs = fp.A @ svec(G) + fp.B @ F
        out["primal_violation"] = float(max(0.0, (lhs - fp.rhs).max()))
        out["min_eig_G"] = float(np.linalg.eigvalsh(G).min())
    if y is not None and np.isfinite(y).all():
        out["dual_F_residual"] = float(np.abs(fp.B.T @ y - fp.c).max()) if fp.nf else 0.0
        out["min_multiplier"] = float(y.min())
    if np.isfinite(S).all():
        out["min_eig_S"] = float(np.linalg.eigvalsh(S).min())
    return out


def solve_scs(data: PEPData | FloatPEP, eps: float = SCS_EPS, max_iters: int = SCS_MAX_ITERS,
              verbose: bool = False, *, settings: dict[str, Any] | None = None,
              warm_start: dict[str, np.ndarray] | None = None,
              time_limit: float | None = None) -> PEPResult:
    """Hand the PEP straight to SCS: x = [svec(G); F], maximize <C, G> + c.F.

    ``settings`` overrides SCS options (e.g. ``scale``, ``acceleration_lookback``); ``warm_start`` is
    ``{"x", "y", "s"}`` in SCS's variables (see :func:`scs_warm_start`); ``time_limit`` in seconds.
    """
    import scs

    t0 = time.perf_counter()
    fp = as_float(data)
    n, m, nsv, nf = fp.n, fp.m, fp.nsv, fp.nf
    top = sps.hstack([fp.A, fp.B], format="csc")
    psd = -sps.eye(nsv, nsv + nf, format="csc")
    Afull = sps.vstack([top, psd], format="csc")
    bfull = np.concatenate([fp.rhs, np.zeros(nsv)])
    cfull = -np.concatenate([fp.C, fp.c])
    opts: dict[str, Any] = {"eps_abs": eps, "eps_rel": eps, "max_iters": max_iters, "verbose": verbose,
                            **SCS_SETTINGS, **(settings or {})}
    if time_limit is not None:
        opts["time_limit_secs"] = float(time_limit)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    solver = scs.SCS({"A": Afull, "b": bfull, "c": cfull}, {"l": m, "s": [n]}, **opts)
    setup = time.perf_counter() - t1
    if warm_start is not None:
        sol = solver.solve(warm_start=True, x=warm_start["x"], y=warm_start["y"], s=warm_start["s"])
    else:
        sol = solver.solve()
    solve_time = time.perf_counter() - t1
    info = sol["info"]
    x, y = np.asarray(sol["x"]), np.asarray(sol["y"])
    G = smat(x[:nsv], n)
    F = x[nsv:]
    mult = dict(zip(fp.names, (float(v) for v in y[:m]), strict=True))
    S = smat(y[m:], n)
    raw = str(info["status"])
    status = "solved" if raw == "solved" else raw
    value = float(-info["pobj"]) if status == "solved" else math.nan
    res = {"primal": float(info["res_pri"]), "dual": float(info["res_dual"]), "gap": float(info["gap"])}
    res.update(solution_residuals(fp, G, F, y[:m], S))
    return PEPResult(value=value, status=status, solver="scs", G=G, F=F, multipliers=mult, S=S,
                     residuals=res, build_seconds=build, solve_seconds=solve_time,
                     info={"iterations": int(info["iter"]), "primal_value": float(-info["pobj"]),
                           "dual_value": float(-info["dobj"]), "scs_status": raw, "m": m, "n": n,
                           "nnz": int(Afull.nnz), "scale": float(info.get("scale", math.nan)),
                           "setup_seconds": setup,
                           "warm": {"x": x, "y": y, "s": np.asarray(sol["s"])}})


def scs_warm_start(previous: PEPResult) -> dict[str, np.ndarray]:
    """SCS's (x, y, s) of a previous run on the same problem, for ``solve_scs(..., warm_start=...)``."""
    return previous.info["warm"]


def _vec_map(n: int) -> sps.csr_matrix:
    """The matrix T with ``a . svec(G) = (a @ T) . vec(G)`` (column-major vec of the full matrix)."""
    r, c = np.indices((n, n))
    r, c = r.ravel(order="F"), c.ravel(order="F")
    pos = svec_position(r, c, n)
    vals = np.where(r == c, 1.0, 1.0 / SQRT2)
    cols = c * n + r
    return sps.csr_matrix((vals, (pos, cols)), shape=(n * (n + 1) // 2, n * n))


def solve_cvxpy(data: PEPData | FloatPEP, solver: str = "clarabel") -> PEPResult:
    """The same problem through cvxpy, one vectorized constraint for all inequalities."""
    import cvxpy as cp

    t0 = time.perf_counter()
    fp = as_float(data)
    n, m = fp.n, fp.m
    T = _vec_map(n)
    A = (fp.A @ T).tocsr()
    Cm = np.reshape(fp.C @ T, (n, n), order="F")
    G = cp.Variable((n, n), symmetric=True)
    F = cp.Variable(fp.nf)
    ineq = A @ cp.vec(G, order="F") + fp.B @ F <= fp.rhs
    psd = G >> 0
    problem = cp.Problem(cp.Maximize(cp.sum(cp.multiply(Cm, G)) + fp.c @ F), [ineq, psd])
    kwargs: dict[str, Any]
    if solver == "clarabel":
        kwargs = {"tol_gap_abs": CLARABEL_TOL, "tol_gap_rel": CLARABEL_TOL, "tol_feas": CLARABEL_TOL}
        name = cp.CLARABEL
    else:
        kwargs = {"eps_abs": SCS_EPS, "eps_rel": SCS_EPS, "max_iters": SCS_MAX_ITERS}
        name = cp.SCS
    problem.get_problem_data(name)  # compile once here so that build and solve times are separate
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    try:
        problem.solve(solver=name, **kwargs)
        failure = None
    except cp.error.SolverError as exc:  # e.g. Clarabel giving up on an unbounded problem
        failure = " ".join(str(exc).split())[:200]
    solve_time = time.perf_counter() - t1
    if failure is not None:
        status = f"solver_error: {failure}"
    else:
        status = "optimal" if problem.status == cp.OPTIMAL else str(problem.status)
    lam = np.asarray(ineq.dual_value if ineq.dual_value is not None else np.full(m, np.nan)).ravel()
    mult = dict(zip(fp.names, (float(v) for v in lam), strict=True))
    Gv = np.asarray(G.value) if G.value is not None else np.full((n, n), np.nan)
    Fv = np.asarray(F.value) if F.value is not None else np.full(fp.nf, np.nan)
    Sv = np.asarray(psd.dual_value) if psd.dual_value is not None else np.full((n, n), np.nan)
    value = float(problem.value) if status == "optimal" else math.nan
    res = solution_residuals(fp, Gv, Fv, lam, Sv)
    res["primal"] = res.get("primal_violation", math.nan)
    return PEPResult(value=value, status=status, solver=solver, G=Gv, F=Fv, multipliers=mult, S=Sv,
                     residuals=res, build_seconds=build, solve_seconds=solve_time,
                     info={"m": m, "n": n, "primal_value": float(problem.value)
                           if problem.value is not None else math.nan})


def full_problem_violation(full: PEPData | FloatPEP, result: PEPResult) -> float:
    """Largest violation of ``full``'s inequalities at ``result``'s worst case (G, F).

    For a restricted pair set: ``result.value`` is an upper bound on the full worst case; when the
    restricted worst case also satisfies every inequality of the full problem (violation at the solver's
    tolerance), it is feasible there too, so both values agree up to the solver's accuracy.
    """
    fp = as_float(full)
    if fp.n != result.G.shape[0] or fp.nf != result.F.shape[0]:
        raise ValueError("the full problem and the result have different sizes")
    return float((fp.A @ svec(result.G) + fp.B @ result.F - fp.rhs).max())


def solve(data: PEPData | FloatPEP, solver: str = "scs") -> PEPResult:
    """Solve with ``"scs"`` (direct, the default for speed), ``"scs-cvxpy"`` or ``"clarabel"``."""
    if solver == "scs":
        return solve_scs(data)
    if solver in ("scs-cvxpy", "clarabel"):
        return solve_cvxpy(data, "scs" if solver == "scs-cvxpy" else "clarabel")
    raise ValueError(f"unknown solver '{solver}' (one of {', '.join(SOLVERS)})")


__all__ = ["PEPResult", "SOLVERS", "SCS_EPS", "SCS_MAX_ITERS", "CLARABEL_TOL", "as_float",
           "full_problem_violation", "scs_warm_start", "smat", "solve", "solve_cvxpy", "solve_scs",
           "svec_index"]
