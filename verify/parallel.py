"""Claims checked in parallel: worker processes on this machine (``--jobs N``) or a Dask cluster
(``--scheduler ADDRESS``), with the results reported in claim order, identical to a serial run.

Each claim runs in the main thread of a process (a pool worker, or a fresh ``python -m verify.worker`` started
by the Dask task), so the per-claim time cap (SIGALRM, :func:`verify.dispatch.time_limit`) holds everywhere.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from core.errors import ClaimError
from verify.checkers import Context
from verify.claims import Claim
from verify.dispatch import check_claim, run
from verify.verdict import Result, Verdict

# Workers are started from a fork server that has imported the suite once: a clean process to fork from
# (forking this process, which may hold solver threads, could deadlock), without each worker paying the
# import of sympy, cvxpy and the checkers again.
PRELOAD = ["verify.dispatch", "verify.checkers"]
# Starting the pool costs about a second (the fork server imports the suite): fewer claims run serially.
MIN_PARALLEL = 8


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _in_order(futures: list[Future], claims: list[Claim],
              on_result: Callable[[int, int, Result], None] | None) -> list[Result]:
    """Wait for each future in claim order and report it as soon as all earlier ones are reported."""
    results = []
    for i, future in enumerate(futures, start=1):
        result = future.result()
        results.append(result)
        if on_result:
            on_result(i, len(claims), result)
    return results


def run_parallel(claims: list[Claim], ctx: Context, jobs: int,
                 on_result: Callable[[int, int, Result], None] | None = None) -> list[Result]:
    """Check claims in ``jobs`` worker processes; results in claim order (Ctrl-C stops the workers)."""
    if jobs <= 1 or len(claims) < MIN_PARALLEL:
        return run(claims, ctx, on_result)
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(claims)), mp_context=_context())
    try:
        futures = [pool.submit(check_claim, claim, ctx) for claim in claims]
        return _in_order(futures, claims, on_result)
    except BaseException:
        _stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the running workers at once."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()


# A worker that exits without a result (killed, out of memory) is reported after the claim's cap plus this
# margin for starting Python and importing the suite (about 3 s here).
START_MARGIN = 60.0


def check_isolated(claim: Claim, ctx: Context) -> Result:
    """``check_claim`` in a fresh Python process (``python -m verify.worker``): a Dask task runs in a
    worker thread of a daemonic process, where neither the time cap's alarm nor a process pool works."""
    try:
        done = subprocess.run([sys.executable, "-m", "verify.worker"], input=pickle.dumps((claim, ctx)),
                              capture_output=True, timeout=ctx.caps.seconds + START_MARGIN, check=False)
        if done.returncode == 0:
            return pickle.loads(done.stdout)
        reason = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
    except subprocess.TimeoutExpired:
        reason = f"the worker process did not finish within {ctx.caps.seconds + START_MARGIN:g} s"
    error = ClaimError(f"internal error: worker process failed: {reason}", file=claim.file, claim_id=claim.id)
    return Result(id=claim.id, verdict=Verdict.ERROR, summary=error.line(), evidence={"error": error.line()},
                  seconds=0.0, **claim.result_meta())


def run_dask(claims: list[Claim], ctx: Context, scheduler: str | Any,
             on_result: Callable[[int, int, Result], None] | None = None) -> list[Result]:
    """Check claims on the Dask cluster at ``scheduler`` (an address, or a ``distributed.Client``)."""
    from distributed import Client  # optional: only a run with --scheduler needs it

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = client.map(check_isolated, claims, ctx=ctx, pure=False)
        try:
            return _in_order(futures, claims, on_result)
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if client is not scheduler:
            client.close()

