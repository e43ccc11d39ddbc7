"""Benchmark: why SCS needs more iterations on our PEP than on PEPit's, and what changes the count.

Run by hand, not a test; installs nothing:

    python benchmarks/scs_scaling.py                  # every row and variant (~15 min; PEPit N = 63 ~6 min)
    python benchmarks/scs_scaling.py --quick          # the small rows only (about 1 min)
    python benchmarks/scs_scaling.py --rows silver:63 --variants ours,pepit-form,dual
    PEPIT_PYTHON=/path/to/venv/bin/python python benchmarks/scs_scaling.py

Rows (all pairs, normalized L = R = 1, exact values known):
- ``silver:N`` smooth convex, Silver steps (pep.schedules.silver_steps), distance -> function gap;
  N = 2^k - 1 has the worst case 1 / (4 rho^k - 2), rho = 1 + sqrt 2;
- ``h1:N`` smooth convex, constant h = 1, distance -> function gap: 1 / (4N + 2);
- ``sc:N`` smooth strongly convex q = m/L = 1/10, constant h = 1, distance -> distance: (1 - q)^(2N).

Variants. ``ours`` is ``pep.solve.solve_scs`` as the project calls it (its form from
``pep.solve.default_form``: the dual on full-pair smooth convex rows, the primal elsewhere); every other
one hands SCS (same build, same eps and max_iters) a reformulation of the same FloatPEP, or ours with one
setting changed:
- ``pepit-form``: the SCS data cvxpy builds for PEPit's model, rebuilt from ours: x* its own Gram basis
  vector (basis x*, x0, g_0..g_N instead of x0 - x*, g_0..g_N), f* its own variable, the objective as an
  epigraph (maximize t, t <= objective) and cvxpy's variables for a symmetric matrix (the entries G_ij,
  not sqrt 2 G_ij as in SCS's svec). ``+xstar``, ``+fstar``, ``+epigraph``, ``+offdiag`` apply one piece;
- ``direct``/``dual``: ``solve_scs``'s primal and dual forms. The dual is the PEP's dual (pep.problem's
  docstring) as SCS's primal: min tau s.t. B^T lambda = c, lambda >= 0, sum lambda_i A_i - C PSD (cvxpy
  does not dualize these problems: it hands SCS the primal);
- basis / row / objective scalings, and SCS settings (``scale``, ``alpha``, ``rho_x``, Anderson lookback,
  ``normalize``, eps, linear solver);
- ``pepit``: PEPit 0.5.1 itself through cvxpy and SCS, in a subprocess of ``PEPIT_PYTHON`` (default
  /tmp/pepitenv/bin/python); its iterations are SCS's own count, captured by wrapping ``scs.solve``.

Columns: SCS iterations, seconds inside SCS (setup + iterations; the machine is shared, so times carry
up to 2x noise, iterations none), the value (SCS's primal objective, PEPit's returned value) and its
absolute error against the exact value; ``ok`` marks a solved run within ACCURACY of it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pep.fastbuild import SQRT2, FloatPEP, build_pep_float, svec, svec_position  # noqa: E402
from pep.schedules import silver_steps  # noqa: E402
from pep.solve import SCS_EPS, SCS_MAX_ITERS, scs_form_data, solve_scs  # noqa: E402

RHO = 1.0 + math.sqrt(2.0)
SC_Q = 0.1
# A run is "ok" when solved and its value is within 1e-7 of the exact one: SCS stops at eps_abs = eps_rel =
# 1e-7 (pep.solve.SCS_EPS) on values below 1, so its duality gap, hence the value's error, is of that order
# (measured: 1e-12 to 3e-8 on every row below); a variant above it is less accurate than the default.
ACCURACY = 1e-7
# Per SCS call: 300 s keeps one hand run bounded (the slowest solved variant measured, row-normalized Silver
# N = 63, took 74 s); a run cut there reports status "solved (inaccurate - reached time_limit_secs)".
TIME_LIMIT = 300.0
# PEPit's N = 63 model alone takes about 300 s to build (cvxpy's compile), its SCS 50 s: 900 s is room.
PEPIT_TIMEOUT = 900.0
PEPIT_PYTHON = os.environ.get("PEPIT_PYTHON", "/tmp/pepitenv/bin/python")
ROWS = ("silver:15", "silver:31", "silver:63", "h1:31", "sc:20", "sc:40")
QUICK_ROWS = ("silver:15", "silver:31", "h1:31", "sc:20")


@dataclass
class Row:
    """One test problem: its FloatPEP, the exact worst case, and how PEPit writes it."""

    name: str
    fp: FloatPEP
    exact: float
    pepit: dict[str, Any]


@dataclass
class ScsData:
    """SCS's data ``min c.x s.t. A x + s = b, s in cones``; value = sign * pobj / objective_scale."""

    A: sps.csc_matrix
    b: np.ndarray
    c: np.ndarray
    cones: dict[str, Any]
    sign: float = -1.0
    objective_scale: float = 1.0
    settings: dict[str, Any] = field(default_factory=dict)


def make_row(spec: str) -> Row:
    """The problem named ``kind:N`` (see the module docstring)."""
    kind, n_text = spec.split(":")
    n_steps = int(n_text)
    if kind == "silver":
        k = round(math.log2(n_steps + 1))
        if 2 ** k - 1 != n_steps:
            raise ValueError("the exact Silver value is known at N = 2^k - 1 only")
        steps = [float(h) for h in silver_steps(n_steps)]
        fp = build_pep_float("smooth-convex", steps, "distance", "function-gap")
        return Row(spec, fp, 1.0 / (4.0 * RHO ** k - 2.0), {"cls": "smooth-convex", "steps": steps,
                                                             "metric": "function-gap"})
    if kind == "h1":
        steps = [1.0] * n_steps
        fp = build_pep_float("smooth-convex", steps, "distance", "function-gap")
        return Row(spec, fp, 1.0 / (4 * n_steps + 2), {"cls": "smooth-convex", "steps": steps,
                                                       "metric": "function-gap"})
    if kind == "sc":
        steps = [1.0] * n_steps
        fp = build_pep_float("smooth-strongly-convex", steps, "distance", "distance", q=SC_Q)
        return Row(spec, fp, (1.0 - SC_Q) ** (2 * n_steps), {"cls": "smooth-strongly-convex", "q": SC_Q,
                                                            "steps": steps, "metric": "distance"})
    raise ValueError(f"unknown row '{spec}' (silver:N, h1:N or sc:N)")


# ---------------------------------------------------------------- reformulations of the same FloatPEP


def primal_data(fp: FloatPEP) -> ScsData:
    """What ``solve_scs(form="primal")`` hands SCS: x = [svec(G); F], [A B] x <= rhs, -svec(G) PSD."""
    return ScsData(*scs_form_data(fp, "primal"))


def svec_congruence(P: np.ndarray) -> sps.csr_matrix:
    """K with ``svec(P X P^T) = K svec(X)`` for every symmetric X (P of shape n_new x n_old)."""
    n_new, n_old = P.shape
    rows, cols, vals = [], [], []
    r_idx, c_idx = np.tril_indices(n_old)
    for r, c, pos in zip(r_idx, c_idx, svec_position(r_idx, c_idx, n_old), strict=True):
        unit = np.zeros((n_old, n_old))
        unit[r, c] = unit[c, r] = 1.0 if r == c else 1.0 / SQRT2  # the symmetric X with svec(X) = e_pos
        image = svec(P @ unit @ P.T)
        nz = np.flatnonzero(image)
        rows.extend(nz.tolist())
        cols.extend([int(pos)] * nz.size)
        vals.extend(image[nz].tolist())
    return sps.csr_matrix((vals, (rows, cols)), shape=(n_new * (n_new + 1) // 2, n_old * (n_old + 1) // 2))


def pepit_like(fp: FloatPEP, xstar: bool = False, fstar: bool = False, epigraph: bool = False,
               offdiag: bool = False) -> ScsData:
    """Our FloatPEP rewritten toward the data cvxpy builds for PEPit (each difference a flag)."""
    n, nf = fp.n, fp.nf
    A, B, C, cvec = fp.A.tocsr(), fp.B.tocsr(), fp.C.copy(), fp.c.copy()
    if xstar:
        # basis x*, x0, g_0..: the old first vector x0 - x* is e_1 - e_0, G = P^T G' P,
        # tr(M G) = tr(P M P^T G')
        P = np.zeros((n + 1, n))
        P[0, 0], P[1, 0] = -1.0, 1.0
        P[np.arange(2, n + 1), np.arange(1, n)] = 1.0
        K = svec_congruence(P)
        A, C, n = (A @ K.T).tocsr(), K @ C, n + 1
    if fstar:
        # F'_0 = f*, F'_{k+1} = f_k: ours f_k - f* = F'_{k+1} - F'_0
        B = sps.hstack([sps.csr_matrix(-np.asarray(B.sum(axis=1))), B]).tocsr()
        cvec = np.concatenate([[-cvec.sum()], cvec])
        nf += 1
    top = sps.hstack([A, B]).tocsr()
    objective = np.concatenate([C, cvec])
    rhs = fp.rhs
    if epigraph:
        m = top.shape[0]
        last = sps.hstack([sps.csr_matrix(-objective.reshape(1, -1)), sps.csr_matrix([[1.0]])])
        top = sps.vstack([sps.hstack([top, sps.csr_matrix((m, 1))]), last]).tocsr()
        objective = np.concatenate([np.zeros_like(objective), [1.0]])
        rhs = np.concatenate([rhs, [0.0]])
        nf += 1
    nsv = n * (n + 1) // 2
    A_full = sps.vstack([top, -sps.eye(nsv, nsv + nf)], format="csc")
    c_full = -objective
    if offdiag:
        # cvxpy's variable is G_ij, SCS's svec entry sqrt 2 G_ij: x = D z, the PSD rows become -D
        r, c = np.tril_indices(n)
        d = np.ones(nsv + nf)
        d[svec_position(r, c, n)] = np.where(r == c, 1.0, SQRT2)
        A_full, c_full = (A_full @ sps.diags(d)).tocsc(), c_full * d
    return ScsData(A_full, np.concatenate([rhs, np.zeros(nsv)]), c_full, {"l": top.shape[0], "s": [n]})


def dual_data(fp: FloatPEP) -> ScsData:
    """What ``solve_scs(form="dual")`` hands SCS: min rhs.lambda, B^T lambda = c, lambda >= 0,
    A^T lambda - C PSD."""
    return ScsData(*scs_form_data(fp, "dual"), sign=1.0)


def basis_scaled(fp: FloatPEP, x0: float = 1.0, grad: float = 1.0) -> ScsData:
    """The Gram basis rescaled, G = D G' D with D = diag(x0, grad, ..., grad): svec columns times d_r d_c."""
    data = primal_data(fp)
    d_basis = np.full(fp.n, grad)
    d_basis[0] = x0
    r, c = np.tril_indices(fp.n)
    d = np.ones(fp.nsv + fp.nf)
    d[svec_position(r, c, fp.n)] = d_basis[r] * d_basis[c]
    top = data.A[:fp.m] @ sps.diags(d)  # the PSD block stays -I: it now holds svec(G'), still PSD
    data.A = sps.vstack([top, data.A[fp.m:]], format="csc")
    data.c = data.c * d
    return data


def row_normalized(fp: FloatPEP) -> ScsData:
    """Every inequality row of [A B] divided by its 2-norm (rhs too) before SCS's own equilibration."""
    data = primal_data(fp)
    top = data.A[:fp.m].tocsr()
    norms = np.sqrt(np.asarray(top.multiply(top).sum(axis=1)).ravel())
    e = np.concatenate([1.0 / norms, np.ones(fp.nsv)])
    data.A, data.b = (sps.diags(e) @ data.A).tocsc(), data.b * e
    return data


def objective_scaled(fp: FloatPEP, k: float) -> ScsData:
    """The objective times k (the value is divided back)."""
    data = primal_data(fp)
    data.c, data.objective_scale = data.c * k, k
    return data


def with_settings(**settings: Any) -> Callable[[FloatPEP], ScsData]:
    """Our primal data with SCS settings changed."""
    def build(fp: FloatPEP) -> ScsData:
        """Our primal data, these settings."""
        data = primal_data(fp)
        data.settings = settings
        return data
    return build


VARIANTS: dict[str, Callable[[FloatPEP], ScsData]] = {
    "direct": primal_data,
    "pepit-form": lambda fp: pepit_like(fp, True, True, True, True),
    "+xstar": lambda fp: pepit_like(fp, xstar=True),
    "+fstar": lambda fp: pepit_like(fp, fstar=True),
    "+epigraph": lambda fp: pepit_like(fp, epigraph=True),
    "+offdiag": lambda fp: pepit_like(fp, offdiag=True),
    "dual": dual_data,
    "rownorm": row_normalized,
    "grad x0.5": lambda fp: basis_scaled(fp, grad=0.5),
    "grad x2": lambda fp: basis_scaled(fp, grad=2.0),
    "x0 x2": lambda fp: basis_scaled(fp, x0=2.0),
    "obj x10": lambda fp: objective_scaled(fp, 10.0),
    "obj x0.1": lambda fp: objective_scaled(fp, 0.1),
    "scale 0.3": with_settings(scale=0.3),
    "scale 0.01": with_settings(scale=0.01),
    "alpha 1.8": with_settings(alpha=1.8),
    "rho_x 1e-3": with_settings(rho_x=1e-3),
    "lookback 0": with_settings(acceleration_lookback=0),
    "normalize off": with_settings(normalize=False),
    "eps 1e-6": with_settings(eps_abs=1e-6, eps_rel=1e-6),
    "qdldl": with_settings(linear_solver="qdldl"),
}
ALL = ("ours", *VARIANTS, "pepit")


# ---------------------------------------------------------------- running


def run_ours(row: Row) -> dict[str, Any]:
    """``pep.solve.solve_scs`` with its defaults (what the project runs)."""
    result = solve_scs(row.fp, time_limit=TIME_LIMIT)
    return {"status": result.info.get("scs_status", result.status),
            "iterations": result.info.get("iterations"), "seconds": result.solve_seconds,
            "value": result.info.get("primal_value", math.nan), "form": result.info.get("form")}


def run_variant(row: Row, build: Callable[[FloatPEP], ScsData]) -> dict[str, Any]:
    """SCS on one reformulation, with pep.solve's eps and max_iters unless the variant changes them."""
    import scs

    data = build(row.fp)
    opts: dict[str, Any] = {"eps_abs": SCS_EPS, "eps_rel": SCS_EPS, "max_iters": SCS_MAX_ITERS,
                            "verbose": False, "time_limit_secs": TIME_LIMIT, **data.settings}
    t0 = time.perf_counter()
    sol = scs.SCS({"A": data.A, "b": data.b, "c": data.c}, data.cones, **opts).solve()
    seconds = time.perf_counter() - t0
    info = sol["info"]
    return {"status": info["status"], "iterations": int(info["iter"]), "seconds": seconds,
            "value": data.sign * float(info["pobj"]) / data.objective_scale}


PEPIT_WORKER = r"""
import json, sys, time
import cvxpy as cp
import scs
from PEPit import PEP
from PEPit.functions import SmoothConvexFunction, SmoothStronglyConvexFunction

cfg = json.loads(sys.argv[1])
seen = {"iter": 0, "seconds": 0.0, "status": "none"}
plain = scs.solve
def timed(*args, **kwargs):
    t = time.perf_counter()
    out = plain(*args, **kwargs)
    seen.update(iter=int(out["info"]["iter"]), status=str(out["info"]["status"]),
                seconds=seen["seconds"] + time.perf_counter() - t)
    return out
scs.solve = timed
problem = PEP()
if cfg["cls"] == "smooth-convex":
    func = problem.declare_function(SmoothConvexFunction, L=1)
else:
    func = problem.declare_function(SmoothStronglyConvexFunction, L=1, mu=cfg["q"])
xs = func.stationary_point()
fs = func(xs)
x0 = problem.set_initial_point()
problem.set_initial_condition((x0 - xs) ** 2 <= 1)
x = x0
for h in cfg["steps"]:
    x = x - h * func.gradient(x)
problem.set_performance_metric(func(x) - fs if cfg["metric"] == "function-gap" else (x - xs) ** 2)
t0 = time.perf_counter()
value = problem.solve(verbose=0, solver=cp.SCS, eps_abs=cfg["eps"], eps_rel=cfg["eps"],
                      max_iters=cfg["max_iters"])
print(json.dumps({"value": float(value), "iterations": seen["iter"], "seconds": seen["seconds"],
                  "status": seen["status"], "total": time.perf_counter() - t0}))
"""


def pepit_available() -> str | None:
    """None when PEPit imports in PEPIT_PYTHON, else why not."""
    if not Path(PEPIT_PYTHON).exists():
        return f"{PEPIT_PYTHON} not found"
    probe = subprocess.run([PEPIT_PYTHON, "-c", "import PEPit, cvxpy, scs"], capture_output=True, text=True)
    return None if probe.returncode == 0 else (probe.stderr.strip().splitlines() or ["import failed"])[-1]


def run_pepit(row: Row, timeout: float) -> dict[str, Any]:
    """PEPit on the row's problem, same eps and max_iters, in a subprocess of PEPIT_PYTHON."""
    cfg = {**row.pepit, "eps": SCS_EPS, "max_iters": SCS_MAX_ITERS}
    try:
        proc = subprocess.run([PEPIT_PYTHON, "-c", PEPIT_WORKER, json.dumps(cfg)], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"timeout {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"status": f"error: {(proc.stderr.strip().splitlines() or ['no output'])[-1][:60]}"}
    return json.loads(lines[-1])


def cell(x: Any, spec: str) -> str:
    """A number formatted, or '-' when missing."""
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else format(x, spec)


def main() -> None:
    """Parse the flags, run every (row, variant) and print one table line each."""
    global TIME_LIMIT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"rows {', '.join(QUICK_ROWS)} only")
    parser.add_argument("--rows", help=f"comma-separated (default {','.join(ROWS)})")
    parser.add_argument("--variants", help=f"comma-separated, from: {', '.join(ALL)} (default all)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, help="seconds per SCS call")
    parser.add_argument("--pepit-timeout", type=float, default=PEPIT_TIMEOUT)
    args = parser.parse_args()
    TIME_LIMIT = args.time_limit
    rows = args.rows.split(",") if args.rows else list(QUICK_ROWS if args.quick else ROWS)
    variants = args.variants.split(",") if args.variants else list(ALL)
    unknown = [v for v in variants if v not in ALL]
    if unknown:
        parser.error(f"unknown variants {unknown}")
    no_pepit = pepit_available() if "pepit" in variants else None
    if no_pepit is not None:
        print(f"note: PEPit skipped ({no_pepit}); create the venv or set PEPIT_PYTHON")
        variants = [v for v in variants if v != "pepit"]
    header = (f"{'row':10} {'variant':14} {'status':10} {'iters':>7} {'seconds':>8} {'value':>14} "
              f"{'abs error':>9} {'ok':>3}")
    print(header)
    print("-" * len(header))
    for spec in rows:
        row = make_row(spec)
        for name in variants:
            if name == "ours":
                out = run_ours(row)
            elif name == "pepit":
                out = run_pepit(row, args.pepit_timeout)
            else:
                out = run_variant(row, VARIANTS[name])
            value = out.get("value", math.nan)
            err = value - row.exact if isinstance(value, float) and math.isfinite(value) else math.nan
            ok = out.get("status") == "solved" and abs(err) <= ACCURACY
            status = str(out.get('status'))[:10]
            print(f"{spec:10} {name:14} {status:10} {cell(out.get('iterations'), 'd'):>7} "
                  f"{cell(out.get('seconds'), '.2f'):>8} {cell(value, '.10f'):>14} {cell(err, '+.1e'):>9} "
                  f"{'yes' if ok else 'NO':>3}", flush=True)


if __name__ == "__main__":
    main()
