"""Pair generation: solve the PEP on a few interpolation pairs, add the pairs its worst case violates, repeat.

A PEP with all (N + 2)(N + 1) ordered pairs is what a claim means, but at N = 127 it has 16,512
inequalities, and an exact certificate over all of them cost about 500 s. The multipliers of an optimal
dual are sparse (the Silver and Drori-Teboulle certificates use O(N log N) and O(N) pairs), so the
decision can work on a restricted set. Soundness does not depend on the choice: dropping inequalities
only enlarges the primal, so a certificate of the restricted PEP is a certificate of the full one (its
other multipliers are 0), and a refutation is an exact instance checked against every pair of its points
(:mod:`pep.instance`). The choice only decides whether the restricted value is the full one; it is taken
as such once the restricted worst case satisfies every inequality of the full problem to
:data:`VIOLATION_TOL` (:func:`pep.fastbuild.pair_values`, which evaluates the full rows without building
them).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.progress import stage
from pep.pairs import Pair, silver_pairs, star_pairs

# From these horizons on, generated pairs pay; below them the full PEP is cheap and used as is. Measured
# at N = 40: strongly convex q = 1/10, h = 1, solve 3.3 s on all pairs, 0.8 s on 311 generated pairs;
# smooth convex, Silver (ending inside a long-step block), 1.3 s on all pairs in the dual form but 9.7 s
# generated (the restricted primal took 39,100 SCS iterations), so the convex class waits until N = 48
# (Silver N = 63: 0.7 s generated, 2.3-3.5 s on all pairs).
REDUCE_MIN_N = {"smooth-convex": 48, "smooth-strongly-convex": 32}
# SCS at eps 1e-7 (pep.solve.SCS_EPS) leaves inactive inequalities violated by up to about 1.4e-7 at a
# worst case of the full problem itself (measured: constant h = 1, N = 127, consecutive pairs), so a
# violation below this is solver noise, not a missing pair.
VIOLATION_TOL = 1e-6
# Rounds whose added pairs lower the value by less than this (SCS's accuracy in normalized values, as
# pep.decide.SOLVER_VALUE_TOL) end the generation: the worst case then sits on a face of optimal points
# (Silver N = 40: the value was right in round 1 while its G kept violating other pairs by 4e-4).
STALL_TOL = 1e-6
MAX_ROUNDS = 4  # measured: Silver, constant and random schedules of N = 50..127 need 1 round, N = 255 2
# A round warm-started from the previous one gets at most the previous round's SCS iterations (at least
# this many), then is solved cold. Measured, Silver round 2: N = 40 375 iterations warm vs 3,750 cold,
# N = 100 5,575 vs 30,825 (9 s vs 42 s); N = 255: warm still running after 400 s, cold 140 s.
WARM_MIN_ITERS = 1000
WARM_MAX_N = 127  # above it (N = 255, twice) the capped warm round ran for over 7 minutes: cold only
CLASSES = tuple(REDUCE_MIN_N)  # classes with x* (the start set uses it)


@dataclass
class Reduction:
    """The restricted pair set reached, its solution, and how. ``ok``: the restricted PEP was solved and
    either its worst case satisfies every inequality of the full problem to VIOLATION_TOL (``feasible``:
    the two values agree to solver accuracy), or adding the violated pairs no longer lowered its value
    (the worst case is one of many optimal points: likely, not proved, tight), or (``below``) its value
    was already below the bound to certify."""

    ok: bool
    feasible: bool
    pairs: list[Pair]
    result: Any
    rounds: int
    violation: float
    full_pairs: int
    seconds: float
    reason: str = ""
    below: bool = False  # stopped because the value was already below the bound to certify

    def describe(self) -> str:
        """One line for the evidence."""
        how = (f"its worst case violates the full problem's inequalities by at most {self.violation:.1e}"
               if self.feasible else "its value was already below the bound" if self.below
               else "the last round's added pairs did not lower its value")
        return (f"{len(self.pairs)} of {self.full_pairs} interpolation pairs, chosen by pair generation in "
                f"{self.rounds} round(s) ({self.seconds:.1f} s); {how}")


def reducible(problem: Any) -> bool:
    """Whether a rate problem with all pairs is large enough to be decided on generated pairs."""
    return problem.pairs is None and problem.method.N >= REDUCE_MIN_N.get(problem.fclass, math.inf)


def start_pairs(n_steps: int) -> list[Pair]:
    """The first set: every pair with x* (both ways) and the Silver-shaped windows (consecutive pairs
    included), which carry the known certificates of GD schedules."""
    return list(dict.fromkeys(star_pairs(n_steps) + silver_pairs(n_steps)))


def reduce_pairs(problem: Any, solver: Any = None, *, max_rounds: int = MAX_ROUNDS,
                 stop_below: float | None = None, start: Reduction | None = None) -> Reduction:
    """Grow a pair set from :func:`start_pairs` (or go on from an earlier ``start``, whose last solution
    is reused) until its worst case is feasible for
    the full problem, or its value stops falling, or (``stop_below``, a bound to certify) it is below
    ``stop_below`` by more than STALL_TOL: more pairs could only lower it further, and a certificate
    needs no more. Each round solves the restricted PEP (``solver``(data, previous result), default SCS
    warm-started from the previous round) and adds at most ``max(64, 2 N)`` of the largest violations."""
    from pep.fastbuild import pair_values
    from pep.solve import solve, solve_scs, warm_start_on

    def default_run(data: Any, previous: Any) -> Any:
        warm = warm_start_on(data, previous) if previous is not None and problem.solver == "scs" else None
        if warm is not None and problem.method.N <= WARM_MAX_N:  # capped: a warm start that does not pay
            cap = max(int(previous.info.get("iterations", 0)), WARM_MIN_ITERS)
            result = solve_scs(data, warm_start=warm, max_iters=cap)
            if result.ok:
                return result
        return solve(data, problem.solver)

    t0 = time.perf_counter() - (start.seconds if start is not None else 0.0)  # times and rounds in all
    done = start.rounds - 1 if start is not None else 0  # the reused round is counted once
    n_steps = problem.method.N
    full = (n_steps + 2) * (n_steps + 1)
    pairs = list(start.pairs) if start is not None else start_pairs(n_steps)
    run = solver or default_run
    per_round = max(64, 2 * n_steps)
    result, violation, previous = None, math.inf, math.inf
    for rounds in range(1, max_rounds + 1):
        if rounds == 1 and start is not None:
            result = start.result  # already solved on these pairs
        else:
            stage(f"pair generation, round {done + rounds}: solving the PEP on {len(pairs):,} of {full:,} "
                  f"pairs")
            result = run(replace(problem, pairs=pairs).float_data(), result)
        if not result.ok or not math.isfinite(result.value):
            return Reduction(False, False, pairs, result, done + rounds, violation, full,
                             time.perf_counter() - t0,
                             f"pair generation stopped: the solver did not solve the restricted PEP on "
                             f"{len(pairs)} pairs (status {result.status})")
        labels, values = pair_values(problem.fclass, float(problem.q), problem.method, result.G, result.F)
        have = np.zeros(values.shape, dtype=bool)
        index = {lab: k for k, lab in enumerate(labels)}
        for a, b in pairs:
            have[index[a], index[b]] = True
        values = np.where(have, -np.inf, values)
        violation = float(values.max())
        below = stop_below is not None and result.value < stop_below - STALL_TOL
        if violation <= VIOLATION_TOL or previous - result.value <= STALL_TOL or below:
            return Reduction(True, violation <= VIOLATION_TOL, pairs, result, done + rounds,
                             max(violation, 0.0), full, time.perf_counter() - t0, below=below)
        previous = result.value
        flat = np.argsort(values, axis=None)[::-1][:per_round]
        rows, cols = np.unravel_index(flat, values.shape)
        pairs = pairs + [(labels[i], labels[j]) for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
                         if values[i, j] > VIOLATION_TOL]
    return Reduction(False, False, pairs, result, done + max_rounds, violation, full,
                     time.perf_counter() - t0,
                     f"pair generation stopped after {max_rounds} rounds: the restricted worst case still "
                     f"violates the full problem by {violation:.1e}")


__all__ = ["CLASSES", "MAX_ROUNDS", "REDUCE_MIN_N", "STALL_TOL", "VIOLATION_TOL", "WARM_MAX_N",
           "WARM_MIN_ITERS", "Reduction", "reduce_pairs", "reducible", "start_pairs"]
