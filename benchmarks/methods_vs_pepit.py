"""Benchmark: worst cases of heavy ball, Nesterov and OGM, ours (pep.methods) against PEPit side by side.

Run by hand, not a test; installs nothing:

    python benchmarks/methods_vs_pepit.py                    # every row
    PEPIT_PYTHON=/path/to/venv/bin/python python benchmarks/methods_vs_pepit.py

PEPit runs in a subprocess of ``PEPIT_PYTHON`` (default: this interpreter), where each method is written
out step by step with PEPit's own oracles (``func.gradient``), independently of our step matrix H. Both use
SCS at the same tolerance (pep.solve.SCS_EPS). Printed per row: both worst cases, their relative gap, the
published value where there is one (OGM: L R^2 / (2 theta_N^2), Kim and Fessler 2016), and the times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# (name, class, q = m/L, method, parameters, N, initial, metric)
ROWS = [
    ("heavy-ball", "smooth-convex", 0.0, {"h": 1.0, "beta": 0.5}, 5, "distance", "function-gap"),
    ("heavy-ball", "smooth-strongly-convex", 0.25, {"h": 16 / 9, "beta": 1 / 9}, 4, "distance", "distance"),
    ("heavy-ball", "smooth-strongly-convex", 0.1, {"h": 1.0, "beta": 0.3}, 10, "distance", "distance"),
    ("nesterov", "smooth-convex", 0.0, {"h": 1.0, "beta": "k/(k+3)"}, 5, "distance", "function-gap"),
    ("nesterov", "smooth-convex", 0.0, {"h": 1.0, "beta": "k/(k+3)"}, 20, "distance", "function-gap"),
    ("nesterov", "smooth-strongly-convex", 0.25, {"h": 1.0, "beta": 1 / 3}, 10, "distance", "distance"),
    ("ogm", "smooth-convex", 0.0, {}, 1, "distance", "function-gap"),
    ("ogm", "smooth-convex", 0.0, {}, 5, "distance", "function-gap"),
    ("ogm", "smooth-convex", 0.0, {}, 20, "distance", "function-gap"),
]


def _betas(beta: object, n: int) -> list[float]:
    """beta_k for k = 0..N-1 (a constant, or the expression "k/(k+3)")."""
    if beta == "k/(k+3)":
        return [k / (k + 3) for k in range(n)]
    return [float(beta)] * n  # type: ignore[arg-type]


def ours(row: tuple) -> dict:
    """Our worst case: the method's H, the float builder, SCS."""
    from pep.fastbuild import build_pep_float
    from pep.methods import heavy_ball, nesterov, ogm
    from pep.solve import solve

    name, fclass, q, params, n, initial, metric = row
    t = time.perf_counter()
    if name == "ogm":
        method = ogm(n)
    else:
        build = heavy_ball if name == "heavy-ball" else nesterov
        method = build(params["h"], _betas(params["beta"], n), n)
    result = solve(build_pep_float(fclass, method, initial, metric, q=q), "scs")
    return {"value": result.value, "seconds": time.perf_counter() - t}


PEPIT_SCRIPT = r'''
import json, sys, time
import cvxpy
from PEPit import PEP
from PEPit.functions import SmoothConvexFunction, SmoothStronglyConvexFunction
t = time.perf_counter()  # after the imports: model building and SCS, as for ours
name, fclass, q, params, n, initial, metric, betas, thetas, eps = json.loads(sys.argv[1])
problem = PEP()
if fclass == "smooth-convex":
    func = problem.declare_function(SmoothConvexFunction, L=1)
else:
    func = problem.declare_function(SmoothStronglyConvexFunction, L=1, mu=q)
xs = func.stationary_point()
x0 = problem.set_initial_point()
problem.set_initial_condition((x0 - xs) ** 2 <= 1)
x_prev, x = x0, x0
if name == "heavy-ball":
    for k in range(n):
        x_prev, x = x, x - params["h"] * func.gradient(x) + betas[k] * (x - x_prev)
    out = x
elif name == "nesterov":
    y = x0
    for k in range(n):
        x_prev, x = x, y - params["h"] * func.gradient(y)
        y = x + betas[k] * (x - x_prev)
    out = x
else:  # OGM1, Kim and Fessler (2016)
    y_prev = x0
    for i in range(n):
        y = x - func.gradient(x)
        x = y + (thetas[i] - 1) / thetas[i + 1] * (y - y_prev) + thetas[i] / thetas[i + 1] * (y - x)
        y_prev = y
    out = x
if metric == "function-gap":
    problem.set_performance_metric(func(out) - func(xs))
else:
    problem.set_performance_metric((out - xs) ** 2)
value = problem.solve(wrapper="cvxpy", solver=cvxpy.SCS, eps=eps, verbose=0)
print(json.dumps({"value": value, "seconds": time.perf_counter() - t}))
'''


def pepit(row: tuple, python: str) -> dict | str:
    """PEPit's worst case of the same method, in a subprocess; an error text when it cannot run."""
    from pep.methods import ogm_thetas
    from pep.solve import SCS_EPS

    name, fclass, q, params, n, initial, metric = row
    arg = json.dumps([name, fclass, q, params, n, initial, metric,
                      _betas(params.get("beta", 0), n), ogm_thetas(n), SCS_EPS])
    try:
        done = subprocess.run([python, "-c", PEPIT_SCRIPT, arg], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"not run: {exc}"
    if done.returncode:
        return "not run: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(done.stdout.strip().splitlines()[-1])


def published(row: tuple) -> float | None:
    """The literature's worst case where there is one (OGM: 1 / (2 theta_N^2), Kim and Fessler 2016)."""
    from pep.methods import ogm_thetas

    if row[0] == "ogm":
        return 1.0 / (2.0 * ogm_thetas(row[4])[-1] ** 2)
    return None


def main() -> int:
    """Print the side-by-side table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pepit-python", default=os.environ.get("PEPIT_PYTHON", sys.executable))
    args = parser.parse_args()
    print(f"{'method':<11} {'class':<23} {'N':>3} {'ours':>14} {'PEPit':>14} {'rel gap':>9} {'published':>14}"
          f" {'ours s':>7} {'PEPit s':>8} {'speedup':>8}")
    for row in ROWS:
        a = ours(row)
        b = pepit(row, args.pepit_python)
        lit = published(row)
        bv = b["value"] if isinstance(b, dict) else float("nan")
        bs = b["seconds"] if isinstance(b, dict) else float("nan")
        gap = abs(a["value"] - bv) / max(abs(bv), 1e-300)
        print(f"{row[0]:<11} {row[1]:<23} {row[4]:>3} {a['value']:>14.8g} {bv:>14.8g} {gap:>9.1e} "
              f"{(f'{lit:.8g}' if lit is not None else '-'):>14} {a['seconds']:>7.2f} {bs:>8.2f} "
              f"{bs / a['seconds']:>8.1f}")
        if isinstance(b, str):
            print("   PEPit", b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
