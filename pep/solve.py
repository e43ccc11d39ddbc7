"""Solving a PEP numerically: straight to SCS (the fast path), or through cvxpy (SCS, Clarabel).

Every solver takes either exact :class:`~pep.problem.PEPData` (converted entry by entry) or the float
matrix form :class:`~pep.fastbuild.FloatPEP` of :func:`pep.fastbuild.build_gd_pep_float` (built with
numpy, for large N). ``build_seconds`` covers the conversion to matrix form (and cvxpy's compile on the
cvxpy path); ``solve_seconds`` the solver's own run, its setup included (SCS's factorization, also reported
as ``info["setup_seconds"]``).

A floating SDP value is neither an upper nor a lower bound (solver residuals go both ways); it is the raw
material of a certificate or of a counterexample, never a verdict on its own. A run that does not end
with status ``solved`` / ``optimal`` reports ``value = nan`` (its last iterate is kept in ``info``); a
solver that raises reports status ``solver_error: <its message>``.

Limits (see docs/claims.md, caps): inside :func:`deadline` every solver call gets only the time left
(SCS ``time_limit_secs``, Clarabel ``time_limit``) and raises :class:`SolverTimeLimit` once it is gone. A
compiled call that neither its own time limit nor Ctrl-C reaches (SCS's factorization of a large problem,
Clarabel, anything through cvxpy) runs in a forked child process, killed at the deadline or on Ctrl-C
(:func:`run_compiled`). SCS's own Ctrl-C handler (status ``interrupted``) becomes ``KeyboardInterrupt``.
A package that is not installed raises :class:`MissingPackage` naming it.
"""

from __future__ import annotations

import importlib
import math
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sps

from pep.fastbuild import SQRT2, FloatPEP, from_exact, smat, svec, svec_index, svec_position
from pep.problem import PEPData

# SCS's default tolerances (1e-4) leave errors of the order 1e-4 in the value (measured through PEPit);
# 1e-7 keeps the value within about 1e-6, which is what refutation margins and certificate rounding need.
SCS_EPS = 1e-7
SCS_MAX_ITERS = 200_000
# Measured on Silver N = 31..127 (see benchmarks/README.md): SCS's own defaults for the other settings
# (normalize, adaptive scale, Anderson acceleration off) were the fastest at eps 1e-7.
SCS_SETTINGS: dict[str, Any] = {}
CLARABEL_TOL = 1e-9  # Clarabel's interior point converges to high accuracy cheaply at these sizes
# Clarabel's threaded factorization (rayon) deadlocks in a forked child once this process has started its
# thread pool (seen: a child stuck in rayon's LockLatch for the whole time cap). With one thread it starts
# none, and it was no slower on the 2-core machine (the certificate's dual at n = 33: 0.23 s vs 0.28 s).
CLARABEL_THREADS = 1
SOLVERS = ("scs", "scs-cvxpy", "clarabel")
SCS_INTERRUPTED = -5  # SCS's status_val when its own SIGINT handler stopped the solve (SCS_SIGINT)
# SCS's setup (the KKT factorization: one compiled call that neither time_limit_secs nor its Ctrl-C handler
# reaches) measured, full pairs of smooth-convex, constant h = 1: 0.07 s at 4.9e4 nonzeros in A (N = 50),
# 0.5 s at 1.3e5 (N = 70), 1.05 s at 3.6e5 (N = 100), 5.5 s at 1.2e6 (N = 150), 34 s at 2.8e6 (N = 200).
# From ISOLATE_MIN_NNZ on (setup above about 0.1 s) a solve runs in a child process that can be killed.
ISOLATE_MIN_NNZ = 50_000
# Clarabel reacts to neither Ctrl-C nor (within an iteration) its time limit; the certificate's dual took
# 0.16 s at PSD size n = 20, 0.54 s at n = 28, 2.4 s at n = 42: above ISOLATE_MIN_PSD_N it runs in a child.
ISOLATE_MIN_PSD_N = 20
# Without a deadline, a child given an explicit time limit may overrun it by this much (returning its last
# iterate and pickling the answer) before it is killed.
CHILD_GRACE_SECONDS = 2.0
T = TypeVar("T")


class SolverTimeLimit(Exception):
    """The deadline of :func:`deadline` passed before or during a solver call; its numbers are no use."""


class SolverError(RuntimeError):
    """A solver in a child process raised or died; the message is the solver's (or the exit signal)."""


class MissingPackage(ImportError):
    """A package the requested path needs is not installed (an input/setup error, never "no proof")."""

    def __init__(self, package: str) -> None:
        super().__init__(f"package '{package}' is not installed: pip install {package}")
        self.package = package


def require(package: str) -> ModuleType:
    """Import ``package`` or raise :class:`MissingPackage` naming it."""
    try:
        return importlib.import_module(package)
    except ImportError:
        raise MissingPackage(package) from None


_deadlines: list[float] = []  # time.monotonic() deadlines, innermost last


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Let every solver call inside the block run for at most ``seconds`` in all (None: no limit)."""
    if seconds is None:
        yield
        return
    outer = _deadlines[-1] if _deadlines else math.inf
    _deadlines.append(min(outer, time.monotonic() + seconds))
    try:
        yield
    finally:
        _deadlines.pop()


def remaining() -> float | None:
    """Seconds left before the innermost :func:`deadline` (may be <= 0); None outside one."""
    return _deadlines[-1] - time.monotonic() if _deadlines else None


def solver_limit(time_limit: float | None = None) -> float | None:
    """The seconds a solver call may take: ``time_limit`` capped by the deadline (None: unlimited).

    Raises :class:`SolverTimeLimit` when the deadline has already passed."""
    left = remaining()
    if left is not None and left <= 0:
        raise SolverTimeLimit("the time limit was reached before the solver started")
    if time_limit is None:
        return left
    return time_limit if left is None else min(time_limit, left)


def check_deadline(what: str = "the solver") -> None:
    """Raise :class:`SolverTimeLimit` if the deadline passed (e.g. while ``what`` ran: its result is cut)."""
    left = remaining()
    if left is not None and left <= 0:
        raise SolverTimeLimit(f"{what} was stopped at the time limit")


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, at most 200 characters (for a status or a reason)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def run_compiled(call: Callable[[], T], *, isolate: bool, limit: float | None = None) -> T:
    """``call()`` in this process, or (``isolate``) in a forked child killed at the deadline (or at
    ``limit`` plus CHILD_GRACE_SECONDS), on Ctrl-C or on any exception here (e.g. the claim's alarm).

    The child's result comes back pickled; its exception comes back as :class:`SolverError`."""
    if not isolate:
        return call()
    ctx = multiprocessing.get_context("fork")  # the child inherits the problem data: nothing to send
    receiver, sender = ctx.Pipe(duplex=False)

    def child() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills us
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        try:
            answer: tuple[str, Any] = ("ok", call())
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent as a message
            answer = ("error", one_line(exc))
        sender.send(answer)

    proc = ctx.Process(target=child, daemon=True)
    try:
        proc.start()
        sender.close()  # the child holds the only writer: its death is EOF here
        left = remaining()
        waits = [w for w in (left, None if limit is None else limit + CHILD_GRACE_SECONDS) if w is not None]
        if not receiver.poll(max(0.0, min(waits)) if waits else None):
            raise SolverTimeLimit("the solver was stopped at the time limit")
        try:
            kind, payload = receiver.recv()
        except EOFError:
            proc.join(1.0)  # for its exit code
            raise SolverError(f"the solver process ended without an answer (exit code {proc.exitcode}; "
                              f"a negative code is the signal, -9 often means out of memory)") from None
    finally:  # also on Ctrl-C and on the claim's alarm
        if proc.pid is not None:
            if proc.is_alive():
                proc.kill()
            proc.join()
        sender.close()
        receiver.close()
    if kind == "error":
        raise SolverError(payload)
    return payload


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


def scs_form_data(fp: FloatPEP, form: str) -> tuple[sps.csc_matrix, np.ndarray, np.ndarray, dict[str, Any]]:
    """SCS's ``(A, b, c, cones)`` (min c.x s.t. Ax + s = b, s in cones) for the PEP in either form.

    ``primal``: x = [svec(G); F], maximize <C, G> + c.F s.t. A svec(G) + B F <= rhs, G PSD.
    ``dual``: x = lambda, minimize rhs.lambda s.t. B^T lambda = c, lambda >= 0, A^T lambda - C PSD; SCS's dual
    variables are then the worst case itself (svec(G) on the PSD rows, -F on the equality rows).
    """
    n, m, nsv, nf = fp.n, fp.m, fp.nsv, fp.nf
    if form == "dual":
        A = sps.vstack([fp.B.T, -sps.eye(m), -fp.A.T], format="csc")
        return A, np.concatenate([fp.c, np.zeros(m), -fp.C]), np.asarray(fp.rhs, float), {"z": nf, "l": m,
                                                                                          "s": [n]}
    if form != "primal":
        raise ValueError(f"unknown SCS form '{form}' (primal or dual)")
    top = sps.hstack([fp.A, fp.B], format="csc")
    psd = -sps.eye(nsv, nsv + nf, format="csc")
    return (sps.vstack([top, psd], format="csc"), np.concatenate([fp.rhs, np.zeros(nsv)]),
            -np.concatenate([fp.C, fp.c]), {"l": m, "s": [n]})


DUAL_FORM_METRICS = ("function-gap", "distance")


def default_form(fp: FloatPEP) -> str:
    """The form SCS converges faster on, as measured (benchmarks/scs_scaling.py, --forms).

    The dual for the smooth convex class with a function-gap or distance metric when every pair is
    interpolated (Silver N = 63: 750 iterations against the primal's 14,075 and PEPit's 6,375; h = 1,
    N = 20: 175 against 275); the primal elsewhere (gradient norm: the dual takes 2-3x the iterations;
    strongly convex q = 1/10, N = 40: 2,450 against the dual's 27,625).
    """
    desc = fp.description
    dual = desc.get("class") == "smooth-convex" and desc.get("metric") in DUAL_FORM_METRICS
    # With a restricted pair set (m well below svec's size) the dual is the slower one: Silver N = 127 on its
    # Silver pairs 6.6 s primal against 50 s dual; N = 63 dyadic pairs 27,550 iterations against 107,650.
    return "dual" if dual and fp.m >= fp.nsv else "primal"


def solve_scs(data: PEPData | FloatPEP, eps: float = SCS_EPS, max_iters: int = SCS_MAX_ITERS,
              verbose: bool = False, *, settings: dict[str, Any] | None = None,
              warm_start: dict[str, np.ndarray] | None = None,
              time_limit: float | None = None, form: str | None = None) -> PEPResult:
    """Hand the PEP straight to SCS in the primal or the dual form (``form``, default :func:`default_form`).

    Either way the result carries the worst case (G, F), the multipliers and S, and ``value`` is the
    primal objective <C, G> + c.F. ``settings`` overrides SCS options (e.g. ``scale``,
    ``acceleration_lookback``); ``warm_start`` is ``{"x", "y", "s"}`` in SCS's variables of the same form
    (see :func:`scs_warm_start`); ``time_limit`` in seconds (capped by the active :func:`deadline`).
    """
    scs = require("scs")

    t0 = time.perf_counter()
    fp = as_float(data)
    n, m, nsv, nf = fp.n, fp.m, fp.nsv, fp.nf
    form = form or (warm_start or {}).get("form") or default_form(fp)
    Afull, bfull, cfull, cones = scs_form_data(fp, form)
    opts: dict[str, Any] = {"eps_abs": eps, "eps_rel": eps, "max_iters": max_iters, "verbose": verbose,
                            **SCS_SETTINGS, **(settings or {})}
    limit = solver_limit(time_limit)
    if limit is not None:
        opts["time_limit_secs"] = max(float(limit), 1e-3)  # 0 would mean "no limit" to SCS
    build = time.perf_counter() - t0

    def call() -> dict[str, Any]:
        t1 = time.perf_counter()
        solver = scs.SCS({"A": Afull, "b": bfull, "c": cfull}, cones, **opts)
        setup = time.perf_counter() - t1
        if warm_start is not None:
            sol = solver.solve(warm_start=True, x=warm_start["x"], y=warm_start["y"], s=warm_start["s"])
        else:
            sol = solver.solve()
        return {"x": np.asarray(sol["x"]), "y": np.asarray(sol["y"]), "s": np.asarray(sol["s"]),
                "info": dict(sol["info"]), "setup": setup}

    t1 = time.perf_counter()
    try:
        sol = run_compiled(call, isolate=Afull.nnz >= ISOLATE_MIN_NNZ, limit=limit)
    except SolverTimeLimit:
        raise
    except Exception as exc:  # noqa: BLE001 - any solver crash (e.g. "ScsWork allocation error") is a status
        check_deadline("SCS")
        return failed_result(fp, "scs", f"solver_error: {one_line(exc)}", build, time.perf_counter() - t1)
    solve_time = time.perf_counter() - t1
    info = sol["info"]
    if int(info.get("status_val", 0)) == SCS_INTERRUPTED:
        raise KeyboardInterrupt("SCS was interrupted")
    check_deadline("SCS")
    x, y = sol["x"], sol["y"]
    if form == "dual":
        lam, G, F, S = x, smat(y[nf + m:], n), -y[:nf], smat(sol["s"][nf + m:], n)
        primal_value, dual_value = float(info["dobj"]), float(info["pobj"])
        res_primal, res_dual = float(info["res_dual"]), float(info["res_pri"])  # of the PEP, not of SCS's
    else:
        lam, G, F, S = y[:m], smat(x[:nsv], n), x[nsv:], smat(y[m:], n)
        primal_value, dual_value = float(-info["pobj"]), float(-info["dobj"])
        res_primal, res_dual = float(info["res_pri"]), float(info["res_dual"])
    mult = dict(zip(fp.names, (float(v) for v in lam), strict=True))
    raw = str(info["status"])
    status = "solved" if raw == "solved" else raw
    value = primal_value if status == "solved" else math.nan
    res = {"primal": res_primal, "dual": res_dual, "gap": float(info["gap"])}
    res.update(solution_residuals(fp, G, F, lam, S))
    return PEPResult(value=value, status=status, solver="scs", G=G, F=F, multipliers=mult, S=S,
                     residuals=res, build_seconds=build, solve_seconds=solve_time,
                     info={"iterations": int(info["iter"]), "primal_value": primal_value,
                           "dual_value": dual_value, "scs_status": raw, "m": m, "n": n, "form": form,
                           "nnz": int(Afull.nnz), "scale": float(info.get("scale", math.nan)),
                           "setup_seconds": sol["setup"],
                           "warm": {"x": x, "y": y, "s": sol["s"], "form": form}})


def failed_result(fp: FloatPEP, solver: str, status: str, build: float, solve_time: float) -> PEPResult:
    """The result of a solver that raised: no numbers (value and instance nan), the message as status."""
    nan_n = np.full((fp.n, fp.n), np.nan)
    return PEPResult(value=math.nan, status=status, solver=solver, residuals={}, G=nan_n,
                     F=np.full(fp.nf, np.nan), multipliers=dict.fromkeys(fp.names, math.nan), S=nan_n.copy(),
                     build_seconds=build, solve_seconds=solve_time, info={"m": fp.m, "n": fp.n})


def scs_warm_start(previous: PEPResult) -> dict[str, np.ndarray]:
    """SCS's (x, y, s) of a previous run on the same problem, for ``solve_scs(..., warm_start=...)``."""
    return previous.info["warm"]


def warm_start_on(fp: FloatPEP, previous: PEPResult) -> dict[str, Any] | None:
    """SCS's (x, y, s) for ``fp`` in the primal form from a primal run on the same points with other
    interpolation pairs (pair generation): the worst case as is, the multipliers matched by name (0 for a
    new pair), S as is; None when the runs do not match."""
    warm = previous.info.get("warm")
    if not warm or warm.get("form") != "primal" or previous.G.shape != (fp.n, fp.n) \
            or previous.F.shape != (fp.nf,):
        return None
    A, b, _, _ = scs_form_data(fp, "primal")
    x = np.asarray(warm["x"])
    lam = np.array([previous.multipliers.get(name, 0.0) for name in fp.names])
    y = np.concatenate([lam, np.asarray(warm["y"])[-fp.nsv:]])
    return {"x": x, "y": y, "s": b - A @ x, "form": "primal"}


def _vec_map(n: int) -> sps.csr_matrix:
    """The matrix T with ``a . svec(G) = (a @ T) . vec(G)`` (column-major vec of the full matrix)."""
    r, c = np.indices((n, n))
    r, c = r.ravel(order="F"), c.ravel(order="F")
    pos = svec_position(r, c, n)
    vals = np.where(r == c, 1.0, 1.0 / SQRT2)
    cols = c * n + r
    return sps.csr_matrix((vals, (pos, cols)), shape=(n * (n + 1) // 2, n * n))


def solve_cvxpy(data: PEPData | FloatPEP, solver: str = "clarabel") -> PEPResult:
    """The same problem through cvxpy, one vectorized constraint for all inequalities.

    The solve runs in a child process (cvxpy maps SCS's Ctrl-C status to a generic failure, and Clarabel
    reacts to neither Ctrl-C nor, within an iteration, its time limit)."""
    cp = require("cvxpy")
    require("clarabel" if solver == "clarabel" else "scs")

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
    limit = solver_limit()
    if solver == "clarabel":
        kwargs = {"tol_gap_abs": CLARABEL_TOL, "tol_gap_rel": CLARABEL_TOL, "tol_feas": CLARABEL_TOL,
                  "max_threads": CLARABEL_THREADS}
        if limit is not None:
            kwargs["time_limit"] = max(float(limit), 1e-3)
        name = cp.CLARABEL
    else:
        kwargs = {"eps_abs": SCS_EPS, "eps_rel": SCS_EPS, "max_iters": SCS_MAX_ITERS}
        if limit is not None:
            kwargs["time_limit_secs"] = max(float(limit), 1e-3)
        name = cp.SCS
    problem.get_problem_data(name)  # compile once here so that build and solve times are separate
    build = time.perf_counter() - t0

    def call() -> dict[str, Any]:
        try:
            problem.solve(solver=name, **kwargs)
        except cp.error.SolverError as exc:  # e.g. Clarabel giving up on an unbounded problem
            return {"failure": " ".join(str(exc).split())[:200]}
        return {"failure": None, "status": str(problem.status), "value": problem.value, "G": G.value,
                "F": F.value, "lam": ineq.dual_value, "S": psd.dual_value}

    t1 = time.perf_counter()
    try:
        out = run_compiled(call, isolate=True, limit=limit)
    except SolverError as exc:  # the child raised (the message is the solver's) or died
        out = {"failure": str(exc)}
    check_deadline(solver)
    solve_time = time.perf_counter() - t1
    if out["failure"] is not None:
        return failed_result(fp, solver, f"solver_error: {out['failure']}", build, solve_time)
    status = "optimal" if out["status"] == cp.OPTIMAL else out["status"]
    lam = np.asarray(out["lam"] if out["lam"] is not None else np.full(m, np.nan)).ravel()
    mult = dict(zip(fp.names, (float(v) for v in lam), strict=True))
    Gv = np.asarray(out["G"]) if out["G"] is not None else np.full((n, n), np.nan)
    Fv = np.asarray(out["F"]) if out["F"] is not None else np.full(fp.nf, np.nan)
    Sv = np.asarray(out["S"]) if out["S"] is not None else np.full((n, n), np.nan)
    value = float(out["value"]) if status == "optimal" else math.nan
    res = solution_residuals(fp, Gv, Fv, lam, Sv)
    res["primal"] = res.get("primal_violation", math.nan)
    return PEPResult(value=value, status=status, solver=solver, G=Gv, F=Fv, multipliers=mult, S=Sv,
                     residuals=res, build_seconds=build, solve_seconds=solve_time,
                     info={"m": m, "n": n, "primal_value": float(out["value"])
                           if out["value"] is not None else math.nan})


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


__all__ = ["PEPResult", "SOLVERS", "SCS_EPS", "SCS_MAX_ITERS", "CLARABEL_TOL", "MissingPackage",
           "SolverError", "SolverTimeLimit", "as_float", "check_deadline", "deadline", "default_form",
           "failed_result", "full_problem_violation", "one_line", "remaining", "require", "run_compiled",
           "scs_warm_start", "scs_form_data", "smat", "solve", "solve_cvxpy", "solve_scs", "solver_limit",
           "svec_index", "warm_start_on"]
