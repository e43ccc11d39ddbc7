"""Benchmark: our PEP engine against PEPit on gradient descent (smooth convex and strongly convex).

Run by hand, not a test; installs nothing:

    python benchmarks/pep_vs_pepit.py                       # N in 5 10 20 40 63 127, both schedules
    python benchmarks/pep_vs_pepit.py --N 40 --schedule constant --timeout 300
    python benchmarks/pep_vs_pepit.py --class smooth-strongly-convex --q 0.1 --N 20 40 --schedule constant
    PEPIT_PYTHON=/path/to/venv/bin/python python benchmarks/pep_vs_pepit.py --certify

Classes: ``smooth-convex`` (distance -> function gap) and ``smooth-strongly-convex`` (distance -> distance,
m/L = ``--q``). From N = 48 (convex) or 32 (strongly convex) on, ours solves by default on generated
pairs (``pep.active_pairs``, what ``python -m verify certify`` does with all pairs): a restricted set
grown until its worst case satisfies the full problem; the script prints the largest violation of the
full problem's inequalities.
``--ours-pairs all`` forces the full problem; ``silver`` / ``consecutive`` name a fixed set.
``--certify`` adds the time of the exact decision of the literature's bound (``pep.decide.decide_rate``,
exact certificate and its standard-library check included): Drori-Teboulle's 1/(4 N h + 2) for constant
steps (tight), Altschuler-Parrilo's 1/(1 + sqrt(4 rho^(2k) - 3)) for Silver at N = 2^k - 1, (1 - q)^(2N)
for h = 1 on the strongly convex class (tight). PEPit has no counterpart: its column stays empty.

Every (tool, N, schedule) runs in its own subprocess (this file with ``--worker``), so that a timeout or a
memory blow-up of one run does not kill the script. Both tools use SCS with the same tolerances
(``pep.solve.SCS_EPS``, ``SCS_MAX_ITERS``) on the same float steps. Times per run: process start +
imports (wall time from spawning to the end of the imports), model building (everything outside SCS) and
SCS (its setup and iterations, measured by wrapping ``scs.SCS`` / ``scs.solve`` in the worker, which is
how PEPit's split is obtained without touching PEPit), and peak memory (``ru_maxrss`` of the child).
"""

from __future__ import annotations

import time

_T_START = time.time()  # noqa: E402 -- before any import: the start of this process

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_N = (5, 10, 20, 40, 63, 127)


def _steps(schedule: str, n_steps: int, h: float) -> list[float]:
    """The float steps of the schedule (the same list for both tools)."""
    if schedule == "silver":
        from pep.schedules import silver_steps

        return [float(s) for s in silver_steps(n_steps)]
    return [h] * n_steps


class _ScsTimer:
    """Wrap ``scs.SCS`` (setup and solve) and ``scs.solve`` to add up the seconds spent inside SCS.

    Nested calls (``scs.solve`` builds an ``SCS`` object itself) are counted once.
    """

    def __init__(self) -> None:
        import scs

        self.seconds = 0.0
        self.depth = 0
        timer = self
        base = scs.SCS

        class TimedSCS(base):  # type: ignore[misc, valid-type]
            """SCS whose setup and solve are timed."""

            def __init__(self, *args, **kwargs):
                """SCS's setup (factorization), timed."""
                timer.run(super().__init__, *args, **kwargs)

            def solve(self, *args, **kwargs):
                """SCS's iterations, timed."""
                return timer.run(super().solve, *args, **kwargs)

        scs.SCS = TimedSCS
        if hasattr(scs, "solve"):
            plain = scs.solve
            scs.solve = lambda *args, **kwargs: timer.run(plain, *args, **kwargs)

    def run(self, fn, *args, **kwargs):
        """Call ``fn``, timing it unless an outer SCS call is already being timed."""
        self.depth += 1
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.depth -= 1
            if self.depth == 0:
                self.seconds += time.perf_counter() - t


def _ours_pairs(choice: str, fclass: str, n_steps: int) -> str:
    """The pair set ours uses: ``all``, or under ``auto`` generated pairs from the class's REDUCE_MIN_N on
    (as the claim checker does)."""
    if choice != "auto":
        return choice
    from pep.active_pairs import REDUCE_MIN_N

    return "generated" if n_steps >= REDUCE_MIN_N[fclass] else "all"


def _metric(fclass: str) -> str:
    return "function-gap" if fclass == "smooth-convex" else "distance"


def _problem(fclass: str, q: float, schedule: str, n_steps: int, h: float, pairs: list | None = None):
    """The exact rate problem (steps exact: Fractions of the float h, or Silver's Q(sqrt 2) steps)."""
    from fractions import Fraction

    from pep.decide import RateProblem
    from pep.methods import gd
    from pep.schedules import silver_steps

    steps = silver_steps(n_steps) if schedule == "silver" else [Fraction(h)] * n_steps
    qq = Fraction(str(q)) if fclass == "smooth-strongly-convex" else 0  # 0.1 as 1/10, not its binary float
    return RateProblem(fclass, qq, gd(steps), "distance", _metric(fclass), pairs)


def _literature_bound(fclass: str, q: float, schedule: str, n_steps: int, h: float):
    """The bound --certify decides (see the module docstring), or None where there is none here."""
    from fractions import Fraction

    from pep.certificate import rational_below_inv_one_plus_sqrt, silver_rate_x
    from pep.decide import ExactBound

    if fclass == "smooth-strongly-convex":
        tight = h == 1 and schedule == "constant"
        return ExactBound((1 - Fraction(str(q))) ** (2 * n_steps)) if tight else None
    if schedule == "constant":
        return ExactBound(1 / (4 * n_steps * Fraction(h) + 2))
    k = (n_steps + 1).bit_length() - 1
    if n_steps + 1 != 2 ** k:
        return None
    x = silver_rate_x(k)
    return ExactBound(below=rational_below_inv_one_plus_sqrt(x), sqrt_form=x)


def _worker_ours(n_steps: int, schedule: str, h: float, t_import: float, pairs: str = "all",
                 fclass: str = "smooth-convex", q: float = 0.1, certify: bool = False) -> dict:
    """Build with the float builder and solve with SCS directly (all pairs, a named set, or generated)."""
    from pep.active_pairs import reduce_pairs
    from pep.decide import decide_rate
    from pep.fastbuild import build_pep_float, pair_values
    from pep.pairs import pair_set
    from pep.solve import solve_scs

    problem = _problem(fclass, q, schedule, n_steps, h)
    t0 = time.perf_counter()
    out: dict = {"import": t_import, "pairs": pairs}
    if pairs == "generated":
        red = reduce_pairs(problem)
        result = red.result
        out.update(build=red.seconds - result.solve_seconds, solve=result.solve_seconds,
                   generation=red.describe(), full_violation=red.violation)
    else:
        chosen = None if pairs == "all" else pair_set(pairs, n_steps)
        data = build_pep_float(fclass, problem.method, "distance", _metric(fclass), chosen, q=q)
        build = time.perf_counter() - t0
        result = solve_scs(data)
        out.update(build=build + result.build_seconds, solve=result.solve_seconds)
        if chosen is not None:  # an upper bound; its worst case checked against the full problem's rows
            labels, values = pair_values(fclass, q if fclass != "smooth-convex" else 0.0, problem.method,
                                         result.G, result.F)
            out["full_violation"] = float(values.max())
    out.update(value=result.info["primal_value"], dual_value=result.info["dual_value"], status=result.status,
               iterations=result.info["iterations"])
    bound = _literature_bound(fclass, q, schedule, n_steps, h) if certify else None
    if bound is not None:
        t1 = time.perf_counter()
        decision = decide_rate(problem, bound)
        out["decide"] = time.perf_counter() - t1
        out["verdict"] = decision.verdict
        cert = decision.certificate
        if cert is not None:
            out["certificate"] = cert.seconds
            out["check"] = cert.check_seconds
    return out


def _worker_pepit(n_steps: int, schedule: str, h: float, t_import: float, fclass: str = "smooth-convex",
                  q: float = 0.1) -> dict:
    """The same problem written with PEPit's front end, solved through cvxpy with SCS."""
    import cvxpy as cp
    from PEPit import PEP
    from PEPit.functions import SmoothConvexFunction, SmoothStronglyConvexFunction

    from pep.solve import SCS_EPS, SCS_MAX_ITERS

    timer = _ScsTimer()
    steps = _steps(schedule, n_steps, h)
    t0 = time.perf_counter()
    problem = PEP()
    if fclass == "smooth-convex":
        func = problem.declare_function(SmoothConvexFunction, L=1)
    else:
        func = problem.declare_function(SmoothStronglyConvexFunction, L=1, mu=q)
    xs = func.stationary_point()
    fs = func(xs)
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    x = x0
    for step in steps:
        x = x - step * func.gradient(x)
    problem.set_performance_metric(func(x) - fs if fclass == "smooth-convex" else (x - xs) ** 2)
    value = problem.solve(verbose=0, solver=cp.SCS, eps_abs=SCS_EPS, eps_rel=SCS_EPS, max_iters=SCS_MAX_ITERS)
    total = time.perf_counter() - t0
    return {"value": float(value), "status": "returned", "build": total - timer.seconds,
            "solve": timer.seconds, "import": t_import}


def worker(args: argparse.Namespace) -> None:
    """Run one problem with one tool and print one JSON line."""
    sys.path.insert(0, str(REPO))
    t0 = time.time()
    if args.worker == "pepit":
        try:
            import cvxpy  # noqa: F401
            import PEPit  # noqa: F401
        except ImportError as exc:
            print(json.dumps({"error": f"PEPit missing: {exc}"}))
            return
    import numpy  # noqa: F401
    import scipy.sparse  # noqa: F401
    import scs  # noqa: F401

    import pep.fastbuild  # noqa: F401
    import pep.solve  # noqa: F401

    t_import = time.time()
    if args.worker == "pepit":
        out = _worker_pepit(args.N, args.schedule, args.h, t_import, args.fclass, args.q)
    else:
        out = _worker_ours(args.N, args.schedule, args.h, t_import,
                           _ours_pairs(args.ours_pairs, args.fclass, args.N), args.fclass, args.q,
                           args.certify)
    out["import_only"] = t_import - t0
    print(json.dumps(out))


def spawn_measured(tool: str, n_steps: int, schedule: str, h: float, timeout: float,
                   pairs: str = "all", extra: list[str] | None = None, python: str | None = None) -> dict:
    """One run in a child process: its JSON answer or why it has none, and its peak memory (``os.wait4``)."""
    cmd = [python or sys.executable, str(Path(__file__).resolve()), "--worker", tool, "--N", str(n_steps),
           "--schedule", schedule, "--h", str(h), "--ours-pairs", pairs, *(extra or [])]
    t_spawn = time.time()
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"pep_bench_{os.getpid()}_{tool}_{n_steps}.out"
    with open(out_path, "w", encoding="utf-8") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, text=True, cwd=REPO)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.time() - t_spawn > timeout:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.time() - t_spawn
    text = out_path.read_text(encoding="utf-8")
    out_path.unlink(missing_ok=True)
    result: dict = {"wall": wall, "peak_mb": usage.ru_maxrss / 1024}
    if timed_out:
        result["error"] = f"timeout after {timeout:.0f} s"
        return result
    lines = [ln for ln in text.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (text.strip().splitlines() or ["no output"])[-1]
        result["error"] = f"exit {proc.returncode}: {tail[:100]}"
        return result
    result.update(json.loads(lines[-1]))
    if "import" in result:
        result["start_import"] = result["import"] - t_spawn
    return result


def _fmt(x: float | None, spec: str = ".2f") -> str:
    """A table cell: the number formatted, or '-' when missing."""
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def main() -> None:
    """Parse the flags, run both tools per N and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, nargs="*", default=list(DEFAULT_N))
    parser.add_argument("--schedule", choices=("constant", "silver", "both"), default="both")
    parser.add_argument("--h", type=float, default=1.0, help="the constant step (schedule constant)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per PEPit run")
    parser.add_argument("--ours-timeout", type=float, default=600.0, help="seconds per run of ours")
    parser.add_argument("--skip-pepit", action="store_true")
    parser.add_argument("--ours-pairs", choices=("auto", "all", "generated", "silver", "consecutive"),
                        default="auto",
                        help="ours on all pairs, generated pairs or a named set (checked against the full "
                             "problem); auto: generated from N = 48 (convex) or 32 (strongly convex)")
    parser.add_argument("--class", dest="fclass", choices=("smooth-convex", "smooth-strongly-convex"),
                        default="smooth-convex")
    parser.add_argument("--q", type=float, default=0.1, help="m/L for the strongly convex class")
    parser.add_argument("--certify", action="store_true",
                        help="also time ours deciding the literature's bound exactly (certificate included)")
    parser.add_argument("--pepit-python", default=os.environ.get("PEPIT_PYTHON", sys.executable),
                        help="the interpreter with PEPit and cvxpy (default: $PEPIT_PYTHON or this one)")
    parser.add_argument("--worker", choices=("ours", "pepit"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.N = args.N[0] if isinstance(args.N, list) else args.N
        worker(args)
        return
    if not args.skip_pepit:
        probe = subprocess.run([args.pepit_python, "-c", "import PEPit, cvxpy"], capture_output=True,
                               text=True)
        if probe.returncode != 0:
            sys.exit("PEPit (and cvxpy) are needed for the comparison: pip install 'PEPit>=0.5' "
                     "(this script installs nothing), or pass --skip-pepit to time ours alone")
    schedules = ("constant", "silver") if args.schedule == "both" else (args.schedule,)
    header = (f"{'sched':8} {'N':>4} | {'ours build':>10} {'ours SCS':>9} {'ours MB':>8} | "
              f"{'PEPit build':>11} {'PEPit SCS':>9} {'PEPit MB':>8} | {'ratio':>6} | "
              f"{'ours value':>12} {'PEPit value':>12} {'rel diff':>8} | start+import ours/PEPit")
    print(header)
    print("-" * len(header))
    for schedule in schedules:
        for n_steps in args.N:
            pairs = _ours_pairs(args.ours_pairs, args.fclass, n_steps)
            extra = ["--class", args.fclass, "--q", str(args.q)]
            ours = spawn_measured("ours", n_steps, schedule, args.h, args.ours_timeout, pairs,
                                  extra + (["--certify"] if args.certify else []))
            theirs = ({"error": "skipped"} if args.skip_pepit
                      else spawn_measured("pepit", n_steps, schedule, args.h, args.timeout, "all", extra,
                                          args.pepit_python))
            o_tot = ours.get("build", math.nan) + ours.get("solve", math.nan)
            p_tot = theirs.get("build", math.nan) + theirs.get("solve", math.nan)
            ratio = p_tot / o_tot if o_tot > 0 else math.nan
            ov, pv = ours.get("value", math.nan), theirs.get("value", math.nan)
            rel = abs(ov - pv) / max(abs(pv), 1e-300) if math.isfinite(ov) and math.isfinite(pv) else math.nan
            name = "silver" if schedule == "silver" else f"h={args.h:g}"
            p_build = _fmt(theirs.get("build")) if "error" not in theirs else theirs["error"][:11]
            print(f"{name:8} {n_steps:>4} | {_fmt(ours.get('build'), '.3f'):>10} "
                  f"{_fmt(ours.get('solve')):>9} {_fmt(ours.get('peak_mb'), '.0f'):>8} | {p_build:>11} "
                  f"{_fmt(theirs.get('solve')):>9} {_fmt(theirs.get('peak_mb'), '.0f'):>8} | "
                  f"{_fmt(ratio, '.1f'):>6} | {_fmt(ov, '.8f'):>12} {_fmt(pv, '.8f'):>12} "
                  f"{_fmt(rel, '.1e'):>8} | {_fmt(ours.get('start_import'))} / "
                  f"{_fmt(theirs.get('start_import'))} s", flush=True)
            if "generation" in ours:
                print(f"    ours on {ours['generation']}", flush=True)
            elif "full_violation" in ours:
                print(f"    ours on the '{pairs}' pair set ({ours.get('iterations')} SCS iterations): an "
                      f"upper bound; its worst case violates the full problem by "
                      f"{ours['full_violation']:.1e}",
                      flush=True)
            if "decide" in ours:
                print(f"    ours, exact decision of the literature's bound: {ours['verdict']} in "
                      f"{ours['decide']:.2f} s (certificate {_fmt(ours.get('certificate'))} s, of which the "
                      f"standard-library check {_fmt(ours.get('check'))} s; the solve above "
                      f"{_fmt(o_tot)} s)", flush=True)
            for tool, res in (("ours", ours), ("PEPit", theirs)):
                if "error" in res and res["error"] != "skipped":
                    print(f"    {tool}: {res['error']} (wall {res.get('wall', 0):.0f} s, "
                          f"peak {res.get('peak_mb', 0):.0f} MB)", flush=True)
                elif res.get("status") not in (None, "solved", "returned"):
                    print(f"    {tool}: status {res['status']}", flush=True)


if __name__ == "__main__":
    main()
