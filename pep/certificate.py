"""Exact certificates that a PEP's worst case is at most a bound: numeric dual, exact repair, exact check.

A certificate of ``worst case <= bound`` is a dual feasible point (see :mod:`pep.problem`): tau <= bound,
multipliers >= 0, the linear identity exact, and S = tau A0 + sum lam_i A_i - C PSD, with PSD evidence
``S - sum_k d_k v_k v_k^T`` diagonally dominant (d_k >= 0). Two methods:

- "rounding" (a bound with slack): solve the dual with tau fixed at the bound, maximizing the smallest
  eigenvalue t of S; round the multipliers to dyadic rationals, repair the linear equalities exactly by
  solving for a set of large multipliers, and take v_k from a float Cholesky factor of S - (t/2) I rounded
  to dyadic numbers: the margin absorbs every rounding error. Works over Q(sqrt 2) (Silver steps).
- "reconstruction" (a tight bound, rational data): S is singular at the optimum. Solve the PEP to high
  accuracy (Clarabel), read the kernel of S, rationalize a basis W of it (bounded denominators), impose
  S W = 0 and the linear equalities exactly on the multipliers that are not negligible (the others are
  set to 0), solve exactly for a set of large ones, and factor S = L D L^T exactly (zero pivots allowed).
  With Q(sqrt 2) data (or an irrational bound) the same is done over Q(sqrt 2) by :mod:`pep.reconstruct`
  (Newton refinement on the optimal face, integer-relation recognition of the kernel, exact solve,
  LDL^T over Q(sqrt 2)); its PSD evidence has Q(sqrt 2) entries and is checked by
  :mod:`pep.certcheck` (PSD columns with Q(sqrt 2) entries).

Either way the certificate is then verified by :func:`pep.certcheck.check`, which rebuilds the
inequalities from the certificate's own problem description with the standard library only.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sps

from core.progress import stage
from pep import certcheck
from pep.exact import exact_S, ldl_columns, parse_exact, row_dots, rref_particular, to_fraction
from pep.fastbuild import from_exact, svec_index, svec_position
from pep.problem import PEPData
from pep.reconstruct import reconstruct_q2
from pep.solve import (
    CLARABEL_THREADS,
    ISOLATE_MIN_NNZ,
    ISOLATE_MIN_PSD_N,
    SCS_INTERRUPTED,
    MissingPackage,
    SolverError,
    SolverTimeLimit,
    check_deadline,
    require,
    run_compiled,
    solver_limit,
)
from symbolic.qfield import QSqrt

FORMAT = certcheck.FORMAT  # the checker owns the format
CLARABEL_MAX_N = 34  # above this Clarabel (dense PSD block in its KKT system) is slower than SCS


@dataclass
class CertificateAttempt:
    """The outcome of :func:`certify_bound`: a checked certificate (JSON-ready) or why there is none."""

    ok: bool
    certificate: dict | None
    reason: str
    seconds: float
    check_seconds: float
    method: str
    suspect: bool = False  # a failed attempt whose numbers suggest the bound is false: refute first


# --- exact numbers <-> JSON ---------------------------------------------------------------------------
def encode(x: Any) -> str | list[str]:
    """A rational as "p/q" (or "p"), an element a + b sqrt 2 of Q(sqrt 2) as ["a", "b"]."""
    if isinstance(x, QSqrt):
        if x.d != 2:
            raise ValueError("only Q(sqrt 2) is supported")
        return [str(x.a), str(x.b)] if x.b else str(x.a)
    if isinstance(x, int | Fraction) and not isinstance(x, bool):
        return str(Fraction(x))
    raise ValueError(f"not an exact number: {x!r}")


def decode(x: Any) -> Fraction | QSqrt:
    """The inverse of :func:`encode`."""
    if isinstance(x, list):
        return QSqrt(Fraction(x[0]), Fraction(x[1]))
    return Fraction(str(x))


def save_certificate(cert: dict, path: str | Path, proves: dict | None = None) -> Path:
    """Write the certificate as JSON (creating the folder), with ``proves`` (the claim it proves, see
    :func:`verify.certificates.statement_of`) right after the format; returns the path."""
    path = Path(path)
    doc = {"format": FORMAT} | ({"proves": proves} if proves is not None else {})
    doc |= {k: v for k, v in cert.items() if k not in doc}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path


# --- the problem description a checker can rebuild ----------------------------------------------------
def describe(data: PEPData, problem: dict | None = None) -> dict:
    """The certificate's problem description, from ``data.description`` completed by ``problem``."""
    desc = dict(data.description)
    desc.update(problem or {})
    if desc.get("kind") == "points":
        return {k: desc[k] for k in ("kind", "class", "q", "points", "objective")}
    cls = desc["class"]
    q = desc.get("q")
    if cls == "smooth-strongly-convex" and q is None:
        # recover q = m/L from interp(0,*): w*q on |x_0|^2 and w on |g_0|^2
        con = next((c for c in data.constraints if c.name == "interp(0,*)"), None)
        if con is None:
            raise ValueError("q is not in the description: pass problem={'q': ...}")
        q = con.M[(0, 0)] / con.M[(1, 1)]
    pairs = [list(re.fullmatch(r"interp\((.+),(.+)\)", c.name).groups()) for c in data.constraints
             if c.name.startswith("interp(")]
    head: dict[str, Any] = {"kind": "gd", "class": cls, "q": encode(q if q is not None else 0)}
    if "steps" in desc:
        head["steps"] = [encode(parse_exact(h)) for h in desc["steps"]]
    else:  # another fixed-step first-order method: its H (see pep.methods)
        head |= {"kind": "fsfom", "method": desc["method"],
                 "H": [[encode(parse_exact(c)) for c in row] for row in desc["H"]]}
    return head | {"initial": desc["initial"], "metric": desc["metric"], "pairs": pairs}


# --- float data and numeric duals ---------------------------------------------------------------------
def _float_columns(data: PEPData, order: str) -> tuple[sps.csc_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """svec(A_i) as columns (constraints, initial last), svec(C), the b_i as columns, and c, in the solver's
    svec order (:func:`pep.fastbuild.from_exact` is the one exact-to-float conversion)."""
    fp = from_exact(data)
    n = data.n
    A, C = fp.A.T.tocsc(), fp.C
    if order != "scs":  # move each SCS svec position to the solver's
        r, c = np.tril_indices(n)
        perm = np.empty(fp.nsv, dtype=np.int64)
        perm[svec_position(r, c, n)] = svec_position(r, c, n, order)
        A = sps.csc_matrix((A.data, perm[A.indices], A.indptr), shape=A.shape)
        A.sort_indices()
        C = np.zeros(fp.nsv)
        C[perm] = fp.C
    return A, C, fp.B.T.toarray(), fp.c


def solve_dual(data: PEPData, tau: float | None = None, solver: str | None = None,
               time_limit: float | None = None, cap: float = 1.0, eps: float = 1e-9,
               warm: Any = None) -> dict[str, Any]:
    """The PEP dual numerically: min tau (``tau`` None) or, tau fixed, max t with S - t I PSD, t <= cap.

    Variables x = (lambda_1..lambda_m, tau, t). Returns multipliers (initial last), tau, t, status, S.
    ``warm``, a :class:`pep.solve.PEPResult` of the same PEP, starts SCS from its multipliers and worst
    case (the solve that found the value has done most of the work)."""
    n, m = data.n, len(data.all_constraints)
    solver = solver or ("clarabel" if n <= CLARABEL_MAX_N else "scs")
    order = "clarabel" if solver == "clarabel" else "scs"
    A, Cv, Bm, cvec = _float_columns(data, order)
    nsv = A.shape[0]
    nv = m + 1  # lambdas (initial = tau is column m - 1) and t
    pos = svec_index(n, order)
    eye = np.zeros(nsv)
    eye[[pos[i, i] for i in range(n)]] = 1.0
    zero_rows = [sps.hstack([sps.csr_matrix(Bm), sps.csr_matrix((data.nf, 1))])]
    zero_b = [cvec]
    if tau is None:
        zero_rows.append(sps.csr_matrix(([1.0], ([0], [m])), shape=(1, nv)))  # t = 0
        zero_b.append(np.zeros(1))
    else:
        zero_rows.append(sps.csr_matrix(([1.0], ([0], [m - 1])), shape=(1, nv)))
        zero_b.append(np.array([tau]))
    nonneg = [-sps.eye(m, nv)]
    nonneg_b = [np.zeros(m)]
    if tau is not None:
        nonneg.append(sps.csr_matrix(([1.0], ([0], [m])), shape=(1, nv)))
        nonneg_b.append(np.array([cap]))
    psd = -sps.hstack([A, sps.csc_matrix(-eye.reshape(-1, 1))])
    Afull = sps.vstack([*zero_rows, *nonneg, psd], format="csc")
    bfull = np.concatenate([*zero_b, *nonneg_b, -Cv])
    qvec = np.zeros(nv)
    if tau is None:
        qvec[m - 1] = 1.0
    else:
        qvec[m] = -1.0
    nz = sum(r.shape[0] for r in zero_rows)
    nl = sum(r.shape[0] for r in nonneg)
    t0 = time.perf_counter()
    limit = solver_limit(time_limit)  # the explicit limit, capped by the claim's deadline
    if solver == "clarabel":
        clarabel = require("clarabel")

        def call() -> tuple[np.ndarray, np.ndarray, str]:
            settings = clarabel.DefaultSettings()
            settings.verbose = False
            settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = 1e-11
            settings.tol_ktratio = 1e-9
            settings.max_iter = 300
            settings.max_threads = CLARABEL_THREADS
            if limit is not None:
                settings.time_limit = max(float(limit), 1e-3)
            cones = [clarabel.ZeroConeT(nz), clarabel.NonnegativeConeT(nl), clarabel.PSDTriangleConeT(n)]
            P = sps.csc_matrix((nv, nv))
            sol = clarabel.DefaultSolver(P, qvec, Afull, bfull, cones, settings).solve()
            return np.array(sol.x), np.array(sol.z)[-nsv:], str(sol.status)

        isolate = n > ISOLATE_MIN_PSD_N
    else:
        scs = require("scs")
        kw: dict[str, Any] = {"eps_abs": eps, "eps_rel": eps, "max_iters": 100_000, "verbose": False}
        if limit is not None:
            kw["time_limit_secs"] = max(float(limit), 1e-3)

        start = None if warm is None else _scs_start(data, warm, tau, A, Cv, pos, Afull, bfull, nz + nl)

        def call() -> tuple[np.ndarray, np.ndarray, str]:
            work = scs.SCS({"A": Afull, "b": bfull, "c": qvec}, {"z": nz, "l": nl, "s": [n]}, **kw)
            sol = work.solve() if start is None else work.solve(warm_start=True, **start)
            if int(sol["info"].get("status_val", 0)) == SCS_INTERRUPTED:
                raise KeyboardInterrupt("SCS was interrupted")
            return np.asarray(sol["x"]), np.asarray(sol["y"])[-nsv:], str(sol["info"]["status"])

        isolate = Afull.nnz >= ISOLATE_MIN_NNZ
    try:
        x, zpsd, status = run_compiled(call, isolate=isolate, limit=limit)
    except SolverError as exc:  # in a child: a solver crash, or SCS's Ctrl-C status (the run stops)
        if "KeyboardInterrupt" in str(exc):
            raise KeyboardInterrupt(str(exc)) from None
        raise
    check_deadline(solver)
    good = status in ("Solved", "AlmostSolved") if solver == "clarabel" else status.startswith("solved")
    lam = np.maximum(x[:m], 0.0)
    svec = A @ lam - Cv
    r2 = math.sqrt(2.0)
    scale = np.where(np.eye(n, dtype=bool), 1.0, 1.0 / r2)
    S, G = svec[pos] * scale, zpsd[pos] * scale
    return {"lam": lam, "tau": float(x[m - 1]), "t": float(x[m]), "ok": good, "status": status, "S": S,
            "G": G, "solver": solver, "seconds": time.perf_counter() - t0}


def _scs_start(data: PEPData, warm: Any, tau: float | None, A: sps.csc_matrix, Cv: np.ndarray,
               pos: np.ndarray, Afull: sps.csc_matrix, bfull: np.ndarray, nlin: int) -> dict[str, np.ndarray]:
    """SCS's (x, y, s) for :func:`solve_dual` from a solved PEP: its multipliers (tau replaced), t at the
    smallest eigenvalue of S, the worst case G scaled to trace 1 as the PSD dual."""
    names = [c.name for c in data.all_constraints]
    lam = np.array([max(warm.multipliers.get(nm, 0.0), 0.0) for nm in names])
    if tau is not None:
        lam[-1] = tau
    n = data.n
    r2 = math.sqrt(2.0)
    scale = np.where(np.eye(n, dtype=bool), 1.0, 1.0 / r2)
    S = (A @ lam - Cv)[pos] * scale
    t = float(np.linalg.eigvalsh(S)[0])
    x = np.concatenate([lam, [t]])
    G = np.asarray(warm.G, dtype=float)
    trace = float(np.trace(G)) if G.shape == (n, n) else 0.0
    y = np.zeros(Afull.shape[0])
    if trace > 0:
        iu = np.triu_indices(n)
        y[nlin + pos[iu]] = (G / trace * np.where(np.eye(n, dtype=bool), 1.0, r2))[iu]
    return {"x": x, "y": y, "s": bfull - Afull @ x}


# --- exact pieces -------------------------------------------------------------------------------------
def _rref_fix(E: list[list[Fraction]], rhs: list[Fraction], guess: list[Fraction],
              exact_fallback: bool = True) -> list[Fraction] | None:
    """Exact solution of E x = rhs equal to ``guess`` off a pivot set (earliest independent columns);
    None if inconsistent."""
    resid = [r - d for r, d in zip(rhs, row_dots(E, guess), strict=True)]
    delta = rref_particular(E, resid, len(guess), exact_fallback=exact_fallback)
    if delta is None:
        return None
    return [g + d for g, d in zip(guess, delta, strict=True)]



def _rounding_columns(S: list[list[Any]], bits: int) -> tuple[list[dict] | None, str]:
    """PSD evidence for an S with margin: a float Cholesky factor of S - (lambda_min/2) I, dyadic."""
    Sf = np.array([[float(x) for x in row] for row in S])
    n = len(S)
    emin = float(np.linalg.eigvalsh(Sf).min())
    if emin <= 0:
        return None, f"the repaired S is not positive definite (smallest eigenvalue {emin:.2e})"
    eps = emin / 2
    Lc = np.linalg.cholesky(Sf - eps * np.eye(n))
    need = math.log2(8 * n * n * max(1.0, float(np.abs(Lc).max())) / eps)
    p = max(bits, int(need) + 4)
    den = 1 << p
    cols = []
    for k in range(n):
        v = [int(round(x * den)) for x in Lc[:, k]]
        if any(v):
            cols.append({"d": "1", "den": str(den), "num": [str(x) for x in v]})
    return cols, f"margin {emin:.2e}, {p}-bit dyadic factor"


def _dyadic(x: float, bits: int = 40) -> Fraction:
    return Fraction(round(x * (1 << bits)), 1 << bits) if x > 0 else Fraction(0)


def _b_system(data: PEPData, tau: Any) -> tuple[list[list[Fraction]], list[Fraction]]:
    """The nf linear equalities sum_i lam_i b_i = c - tau b0 over the non-initial multipliers."""
    nf, cons = data.nf, data.constraints
    E = [[Fraction(0)] * len(cons) for _ in range(nf)]
    for i, con in enumerate(cons):
        for k, v in con.b.items():
            E[k][i] += to_fraction(v)
    rhs = [to_fraction(data.objective_b.get(k, 0)) - tau * to_fraction(data.initial.b.get(k, 0))
           for k in range(nf)]
    return E, rhs


def _is_rational(data: PEPData) -> bool:
    return all(not isinstance(v, QSqrt) or not v.b for con in data.all_constraints
               for v in [*con.M.values(), *con.b.values()]) and all(
        not isinstance(v, QSqrt) or not v.b for v in [*data.objective_M.values(), *data.objective_b.values()])


# --- the two methods ----------------------------------------------------------------------------------
def _by_size(values: np.ndarray, idx: list[int]) -> list[int]:
    return sorted(idx, key=lambda i: -values[i])


def _precorrect(E: list[list[Fraction]], rhs: list[Fraction], lam: np.ndarray) -> np.ndarray:
    """Float correction of lam onto E lam = rhs, relative changes of least norm (keeps lam >= 0 and S
    close): delta = W^2 E^T (E W^2 E^T)^+ residual, W = diag(lam)."""
    Ef = np.array([[float(x) for x in row] for row in E])
    rf = np.array([float(x) for x in rhs])
    for _ in range(2):
        w2 = lam * lam
        y = np.linalg.lstsq((Ef * w2) @ Ef.T, rf - Ef @ lam, rcond=None)[0]
        lam = np.maximum(lam + w2 * (Ef.T @ y), 0.0)
    return lam


def _repair(E: list[list[Fraction]], rhs: list[Fraction], lam_num: np.ndarray, unknowns: list[int],
            rounding: Any, exact_fallback: bool = True) -> list[Fraction] | None:
    """Multipliers (all constraints) that satisfy E lam = rhs exactly, zero off ``unknowns``."""
    order = _by_size(lam_num, unknowns)
    sub = [[row[i] for i in order] for row in E]
    guess = [rounding(float(lam_num[i])) for i in order]
    x = _rref_fix(sub, rhs, guess, exact_fallback)
    if x is None:
        return None
    out = [Fraction(0)] * len(E[0])
    for i, v in zip(order, x, strict=True):
        out[i] = v
    return out


MARGIN_EPS = (1e-4, 1e-5, 1e-6)  # SCS tolerances of the margin solve, loosest (fastest) first
# A margin solve at SCS tolerance eps rounds to a certificate when eps <= EPS_PER_MARGIN * (tau - value):
# measured on Silver with silver_pairs, N = 127 (tau - value = 1.0e-7: 1e-4 failed, 1e-5 certified) and
# N = 255 (1.5e-8: 1e-4 and 1e-5 failed, 1e-6 certified; each failed solve cost 5-6 minutes).
EPS_PER_MARGIN = 100.0


def margin_eps(tau: Fraction, value: float | None) -> tuple[float, ...]:
    """The tolerances worth trying for a bound ``tau`` above the solver's worst case ``value``: those a
    margin this small can absorb (all of them when the value is unknown or not below tau)."""
    if value is None or not math.isfinite(value) or value >= float(tau):
        return MARGIN_EPS
    usable = tuple(e for e in MARGIN_EPS if e <= EPS_PER_MARGIN * (float(tau) - value))
    return usable or MARGIN_EPS[-1:]


def rounded_dual(data: PEPData, tau: Fraction, time_limit: float | None, warm: Any = None,
                 margin_solves: bool = True) -> tuple[list | None, list | None, str]:
    """Exact multipliers for the bound ``tau`` from a dual solved with a margin: dyadic rounding, repaired
    to the exact linear identity, S with PSD evidence (None and the reason when no eps works). ``warm``:
    the PEP's numeric solution. Its own multipliers are tried first with tau in place of the worst case (no
    second solve: enough when the bound is loose), then they start the margin solves (see
    :func:`solve_dual`); ``margin_solves`` False stops after the first."""
    t0 = time.perf_counter()
    E, rhs = _b_system(data, tau)
    reason = ""
    value = getattr(warm, "value", None)
    if warm is not None and value is not None and math.isfinite(value) and value < float(tau):
        names = [c.name for c in data.constraints]
        lam_warm = np.array([max(warm.multipliers.get(nm, 0.0), 0.0) for nm in names])
        full, cols, info = _round_multipliers(data, tau, E, rhs, lam_warm)
        if full is not None:
            return full, cols, f"the solve's own dual (no margin solve), {info}"
        reason = f"the solve's own dual: {info}"
    for eps in margin_eps(tau, value) if margin_solves else ():
        stage(f"exact certificate: margin solve of the dual at eps {eps:g}")
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            return None, None, reason or "time limit"
        sol = solve_dual(data, float(tau), time_limit=left, eps=eps, warm=warm)
        if not sol["ok"] or sol["t"] <= 1e-9:
            return None, None, (f"no margin at tau = bound ({sol['solver']}: {sol['status']}, "
                                f"t = {sol['t']:.2e})")
        full, cols, info = _round_multipliers(data, tau, E, rhs, sol["lam"][:-1])
        if full is not None:
            return full, cols, f"{sol['solver']} eps {eps:g}, {info}"
        reason = f"eps {eps:g}: {info}"
    return None, None, reason or "no numeric solution to round and no margin solve asked for"


def _round_multipliers(data: PEPData, tau: Fraction, E: list[list[Fraction]], rhs: list[Fraction],
                       lam_numeric: np.ndarray) -> tuple[list | None, list | None, str]:
    """Numeric multipliers (initial condition excluded) rounded to dyadics, repaired to the exact linear
    identity, with tau appended and S's PSD evidence; (None, None, why) when a step fails."""
    lam_num = _precorrect(E, rhs, lam_numeric)
    m = len(data.constraints)
    lam = _repair(E, rhs, lam_num, [i for i in range(m) if lam_num[i] > 1e-13], _dyadic)
    if lam is None:
        return None, None, "the linear equalities could not be repaired exactly"
    if min(lam, default=0) < 0:
        return None, None, "repairing the linear equalities made a multiplier negative"
    full = [*lam, tau]
    cols, info = _rounding_columns(exact_S(data, full), 30)
    if cols is None:
        return None, None, info
    return full, cols, info


def _kernel_bases(S: np.ndarray, G: np.ndarray) -> tuple[list[list[list[Fraction]]], str]:
    """Candidate rational bases W (columns, identity on pivot rows) of the numeric kernel of S, by
    increasing denominator bound (each candidate is then tested exactly). The kernel's dimension k is
    read from S, its basis from the top k eigenvectors of the worst-case Gram matrix G (range(G) lies in
    ker(S); an interior-point G is far more accurate there than S's near-null eigenvectors)."""
    import scipy.linalg

    w = np.linalg.eigvalsh(S)
    scale = max(1.0, float(np.abs(w).max()))
    k = int(np.sum(w < 1e-6 * scale))
    if k == 0:
        return [[]], "no kernel"
    wg, Vg = np.linalg.eigh(G)
    good_g = np.isfinite(wg).all() and wg[-k] > 1e-6 * max(1.0, wg[-1])
    Vk = Vg[:, -k:] if good_g else np.linalg.eigh(S)[1][:, :k]
    _, _, piv = scipy.linalg.qr(Vk.T, pivoting=True)
    Wf = Vk @ np.linalg.inv(Vk[piv[:k], :])
    out: list[list[list[Fraction]]] = []
    for max_den, tol in ((100, 1e-4), (10**4, 1e-5), (10**6, 1e-8)):
        W = [[Fraction(float(Wf[r, j])).limit_denominator(max_den) for r in range(S.shape[0])]
             for j in range(k)]
        err = max(abs(float(W[j][r]) - Wf[r, j]) for j in range(k) for r in range(S.shape[0]))
        if err < tol and W not in out:
            out.append(W)
    return out, f"kernel of dimension {k}"


def _tau_candidates(tau_num: float, bound: Fraction) -> list[Fraction]:
    """The bound if the numeric optimum is at it, then rational reconstructions of the optimum <= bound
    (a bound a hair above a rational worst case, e.g. 1/42 (1 + 1e-30), is proved through 1/42)."""
    out = [bound] if abs(tau_num - float(bound)) <= 1e-7 * (1 + abs(float(bound))) else []
    for max_den in (100, 10**4, 10**6):
        t = Fraction(tau_num).limit_denominator(max_den)
        if abs(float(t) - tau_num) <= 1e-8 * (1 + abs(tau_num)) and t <= bound and t not in out:
            out.append(t)
    return out


ZERO = Fraction(0)  # shared: Fractions are immutable, and most entries of A w are zero


def _symmetric_times(w: list[Fraction], n: int) -> Any:
    """M -> A w for the symmetric A whose upper entries M[(r, c)] hold A[r][c] + A[c][r] (the svec form of
    the PEP data), exactly: integer sums over one common denominator per M (Fraction arithmetic entry by
    entry took 0.6 s of the N = 40 face)."""
    dw = math.lcm(*(x.denominator for x in w)) if w else 1
    wn = [x.numerator * (dw // x.denominator) for x in w]  # w = wn / dw

    def times(M: dict) -> list[Fraction]:
        entries = [(r, c, to_fraction(v)) for (r, c), v in M.items()]
        den = 2 * math.lcm(*(v.denominator for _, _, v in entries)) if entries else 1
        acc = [0] * n
        for r, c, v in entries:
            k = v.numerator * (den // v.denominator)  # 2 v = k / (den / 2): half of M's entry is k / den
            acc[r] += k * wn[c]
            acc[c] += k * wn[r]
        return [Fraction(a, den * dw) if a else ZERO for a in acc]

    return times


# A face whose exact S has a float eigenvalue below -FACE_PSD_SCREEN |S| is not PSD and is skipped; the
# others go to the exact check (an S exactly PSD with a zero eigenvalue shows about -1e-15 |S| in floats).
# A screen only: what certifies is the exact elimination in pep.certcheck.
FACE_PSD_SCREEN = 1e-9


def _exact_face(data: PEPData, tau: Fraction, W: list[list[Fraction]], lam_num: np.ndarray,
                exact_fallback: bool = True) -> tuple[list | None, list | None, str]:
    """Multipliers with S W = 0 and the linear equalities exact at ``tau`` (S's PSD is then proved by the
    checker); ``exact_fallback`` False, a quick try: one threshold and only the float-guided exact solve
    (see :func:`rref_particular`)."""
    cons = data.constraints
    m = len(cons)
    E, rhs = _b_system(data, tau)
    for w in W:  # S(lam) w = 0: sum_i lam_i A_i w = C w - tau A0 w
        times = _symmetric_times(w, data.n)
        cols = [times(con.M) for con in cons]
        Cw, A0w = times(data.objective_M), times(data.initial.M)
        for r in range(data.n):
            E.append([col[r] for col in cols])
            rhs.append(Cw[r] - tau * A0w[r])
    top = float(lam_num.max()) if m else 1.0
    reason = "no threshold gave a consistent exact system"
    for thr in (1e-7, 1e-5, 1e-9, 1e-4) if exact_fallback else (1e-7,):  # a quick try: the likeliest only
        unknowns = [i for i in range(m) if lam_num[i] > thr * top]
        lam = _repair(E, rhs, lam_num, unknowns, lambda x: _dyadic(x, 24), exact_fallback)
        if lam is None:
            continue
        if min(lam, default=0) < 0:
            reason = "the exact system forces a negative multiplier"
            continue
        full = [*lam, tau]
        S = np.array([[float(x) for x in row] for row in exact_S(data, full)])
        low = float(np.linalg.eigvalsh(S)[0]) if S.size else 0.0
        if low < -FACE_PSD_SCREEN * max(1.0, float(np.abs(S).max(initial=0.0))):
            reason = f"the reconstructed S is not PSD (smallest eigenvalue {low:.2e})"
            continue
        # PSD is proved by the standard-library checker's exact elimination (checked_certificate)
        return full, certcheck.ELIMINATION, f"{len(unknowns)} unknown multipliers, S PSD by exact elimination"
    return None, None, reason


def reconstructed_dual(data: PEPData, bound: Fraction, time_limit: float | None, warm: Any = None
                       ) -> tuple[list | None, list | None, str]:
    """Exact multipliers for a tight ``bound``: a rational tau and kernel basis of S read from a numeric
    solution, and the multipliers solved exactly on that face (None and the reason when none fits).

    ``warm``, the solve that found the worst case, is tried first (no second solve: at N = 40 with h = 1
    its SCS solution at eps 1e-7 already gives the face); then a high-accuracy Clarabel dual."""
    reason = ""
    if warm is not None and getattr(warm, "ok", False) and math.isfinite(warm.value):
        names = [c.name for c in data.constraints]
        lam = np.array([max(warm.multipliers.get(nm, 0.0), 0.0) for nm in names])
        found = _face_from(data, bound, warm.value, np.asarray(warm.S), np.asarray(warm.G), lam,
                           exact_fallback=False)
        if found[0] is not None:
            return found[0], found[1], f"from the solve's own solution, {found[2]}"
        reason = f"from the solve's own solution: {found[2]}; "
    stage("exact certificate: high-accuracy dual (Clarabel) for the face")
    sol = solve_dual(data, None, solver="clarabel", time_limit=time_limit)
    if not sol["ok"]:
        hint = " (the dual is infeasible: the PEP is unbounded)" if "Infeasible" in sol["status"] else ""
        return None, None, f"{reason}high-accuracy solve failed ({sol['status']}){hint}"
    lam, cols, why = _face_from(data, bound, sol["tau"], sol["S"], sol["G"], sol["lam"][:-1])
    return lam, cols, why if lam is not None else reason + why


def _face_from(data: PEPData, bound: Fraction, value: float, S: np.ndarray, G: np.ndarray,
               lam_num: np.ndarray, exact_fallback: bool = True) -> tuple[list | None, list | None, str]:
    """The exact face read from one numeric solution (worst case ``value``, dual S, primal G, multipliers)."""
    if value > float(bound) + 1e-7 * (1 + abs(float(bound))):
        return None, None, f"the numeric worst case {value:.10g} exceeds the bound {float(bound):.10g}"
    taus = _tau_candidates(value, bound)
    bases, info = _kernel_bases(S, G)
    if not taus or not bases:
        return None, None, f"no rational reconstruction of the optimum {value:.10g} or of the kernel"
    reason = ""
    for tau in taus:
        for W in bases:
            lam, cols, why = _exact_face(data, tau, W, lam_num, exact_fallback)
            if lam is not None:
                dens = max((x.denominator for row in W for x in row), default=1)
                return lam, cols, f"tau = {tau}, {info} (denominators <= {dens}), {why}"
            reason = why
    return None, None, reason


# A solver value within TIGHT_RTOL |bound| + TIGHT_ATOL of the bound leaves rounding no margin to work with:
# SCS and Clarabel stop at about 1e-7 in absolute terms (pep.solve.SCS_EPS), so a value that close is "at
# the bound" (h = 1, N = 40: SCS gives 0.006172828 for 1/162, 1.8e-6 relative, 1.1e-8 absolute). This only
# orders the attempts; either one is checked exactly.
TIGHT_RTOL = 1e-6
TIGHT_ATOL = 1e-7


def certify_bound(data: PEPData, bound: Any, *, time_limit: float | None = None, problem: dict | None = None,
                  bound_below: Any = None, numeric_value: float | None = None, warm: Any = None,
                  quick: bool = False) -> CertificateAttempt:
    """Try to prove ``worst case <= bound`` (normalized units) with an exactly checked dual certificate.

    ``problem`` completes ``data.description`` (e.g. {"q": ...}); ``bound_below`` = x adds the exact proof
    that bound <= 1/(1 + sqrt(x)) (for published bounds outside Q(sqrt 2), e.g. the Silver rate).
    ``numeric_value``, the solver's worst case when known: at the bound (a tight claim, no margin for
    rounding) the exact reconstruction is tried first. ``warm``, the solver's result for the same PEP,
    starts the margin solve of the rounding attempt (SCS only; Clarabel starts cold). ``quick``: only
    the rounding of ``warm``'s own dual, no further solve (a cheap first try, e.g. on generated pairs)."""
    t0 = time.perf_counter()
    bound = parse_exact(bound)

    def fail(reason: str, method: str) -> CertificateAttempt:
        return CertificateAttempt(False, None, reason, time.perf_counter() - t0, 0.0, method)

    try:
        desc = describe(data, problem)
    except (KeyError, ValueError) as exc:
        return fail(f"the problem cannot be described for a checker: {exc}", "none")
    # tau: the bound itself when rational, else a rational just below it
    if isinstance(bound, QSqrt) and bound.b:
        tau = Fraction(float(bound) * (1 - 1e-12)).limit_denominator(10**15)
        while tau > bound:
            tau -= Fraction(1, 10**15)
    else:
        tau = to_fraction(bound)
    if tau < 0:
        return fail(f"negative bound {bound}", "none")
    attempts = []
    tight = numeric_value is not None and abs(numeric_value - float(bound)) <= (
        TIGHT_RTOL * abs(float(bound)) + TIGHT_ATOL)
    order = ("rounding",) if quick else (("reconstruction", "rounding") if tight
                                         else ("rounding", "reconstruction"))
    for method in order:
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            attempts.append(f"{method}: time limit")
            break
        stage(f"exact certificate: {method} (tau = {_short_number(tau)})")
        try:
            if method == "rounding":
                lam, cols, info = rounded_dual(data, tau, left, warm, margin_solves=not quick)
            elif _is_rational(data) and not (isinstance(bound, QSqrt) and bound.b):
                lam, cols, info = reconstructed_dual(data, tau, left, warm)
            else:  # Q(sqrt 2) data or bound: the exact bound itself is the candidate tau
                lam, cols, info = reconstruct_q2(data, bound, left, solve_dual)
        except (SolverTimeLimit, MissingPackage):
            raise  # the claim's time cap, a missing package: not "no certificate"
        except Exception as exc:  # noqa: BLE001 - a failed search is "no certificate", never a verdict
            first = str(exc).splitlines()[0] if str(exc) else ""
            lam, cols, info = None, None, f"{type(exc).__name__}: {first}"
        if lam is None:
            attempts.append(f"{method}: {info}")
            continue
        attempt = checked_certificate(data, desc, bound, lam, cols, method, info, t0, bound_below)
        if attempt.ok:
            return attempt
        attempts.append(attempt.reason)
    return fail("; ".join(attempts), "none")


def checked_certificate(data: PEPData, desc: dict, bound: Any, lam: list[Any], cols: list[dict], method: str,
                        info: str, t0: float, bound_below: Any = None) -> CertificateAttempt:
    """The certificate of multipliers ``lam`` (constraint order, tau last) and PSD columns, re-checked by
    the standard-library checker :func:`pep.certcheck.check` before it counts."""
    names = [c.name for c in data.all_constraints]
    cert = {"format": FORMAT, "problem": desc, "bound": encode(bound), "tau": encode(lam[-1]),
            "multipliers": {nm: encode(v) for nm, v in zip(names, lam, strict=True) if v},
            "psd": {"basis": desc.get("basis", data.description.get("basis", [])),
                    **({"method": cols} if cols == certcheck.ELIMINATION else {"columns": cols})},
            "method": method}
    cert["multipliers"]["initial"] = encode(lam[-1])
    if bound_below is not None:
        cert["bound_below"] = {"form": "1/(1 + sqrt(x))", "x": encode(parse_exact(bound_below))}
    t1 = time.perf_counter()
    stage(f"standard-library check of the {method} certificate ({len(cert['multipliers'])} multipliers)")
    ok, why = certcheck.check(cert)
    check_seconds = time.perf_counter() - t1
    if ok:
        return CertificateAttempt(True, cert, f"{method}: {info}; {why}", time.perf_counter() - t0,
                                  check_seconds, method)
    return CertificateAttempt(False, None, f"{method}: exact check failed: {why}", time.perf_counter() - t0,
                              check_seconds, method)


def _short_number(x: Any) -> str:
    """An exact number for a progress line: its float value when its text is long."""
    text = str(x)
    return text if len(text) <= 24 else f"{float(x):.10g}"


def rational_below_inv_one_plus_sqrt(x: Any, digits: int = 12) -> Fraction:
    """A rational tau <= 1/(1 + sqrt(x)) (x >= 0 in Q or Q(sqrt 2)), proved exactly by squaring: the way
    to state a bound such as the Silver rate 1/(1 + sqrt(4 rho^(2k) - 3)) inside Q."""
    x = parse_exact(x)
    value = 1 / (1 + math.sqrt(float(x)))
    step = Fraction(1, 10**digits)
    tau = Fraction(math.floor(value * 10**digits), 10**digits)
    while True:
        y = 1 / tau - 1
        if y >= 0 and y * y - x >= 0:
            return tau
        tau -= step


def silver_rate_x(k: int) -> QSqrt:
    """x = 4 rho^(2k) - 3 (rho = 1 + sqrt 2): Altschuler and Parrilo's bound is 1/(1 + sqrt(x))."""
    return 4 * QSqrt(1, 1) ** (2 * k) - 3


__all__ = ["CertificateAttempt", "certify_bound", "checked_certificate", "exact_S", "save_certificate",
           "encode", "decode", "parse_exact", "solve_dual", "ldl_columns", "describe",
           "rational_below_inv_one_plus_sqrt", "reconstructed_dual", "rounded_dual", "silver_rate_x"]
