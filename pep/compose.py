"""Certificates by composition: an N-step bound of gradient descent as a product of one-step (or
one-period) bounds.

When the metric measures the same quantity as the initial condition (distance -> distance, function gap
-> function gap, squared gradient -> squared gradient), a one-step certificate for step h says

    metric(x_1) - tau_h metric(x_0) + sum_c lam_c c = -S_h   (S_h PSD, over x_0 - x*, g_0, g_1).

Relabelling it to step k (points k, k + 1), weighting it by w_k = tau_{k+1} ... tau_{N-1} and summing over k
telescopes to metric(x_N) - (tau_0 ... tau_{N-1}) metric(x_0) + sum w_k lam_c c = -sum w_k S_k: an exact
certificate of the N-step PEP with tau = the product, whose S (a sum of PSD forms) gets its own exact
LDL^T and whose whole identity is re-checked by :mod:`pep.certcheck` like any other. It costs one tiny
PEP per distinct step instead of one large SDP, and is tight whenever the one-step worst cases are attained
by a common function along the whole run (quadratics for the strongly convex contraction of GD). The same
with blocks: a periodic schedule (N = k p) composes from one certificate of its period, which is how long
steps that expand on their own (h > 2) are shown to contract over a period, for every horizon k p.
"""

from __future__ import annotations

import math
import re
import time
from fractions import Fraction
from typing import Any

from pep.certificate import (
    CertificateAttempt,
    certify_bound,
    checked_certificate,
    decode,
    describe,
    exact_S,
    ldl_columns,
)
from pep.methods import gd

COMPOSABLE = {("distance", "distance"), ("function-gap", "function-gap"), ("gradient", "gradient-norm")}
# One-step worst cases are reconstructed from the solver's value as fractions with denominators up to
# these, within 1e-7 (relative) of it: SCS's accuracy (pep.solve.SCS_EPS). The exact certificate then
# decides whether a candidate is right; the smallest that certifies is used.
TAU_DENOMINATORS = (100, 10**4, 10**6, 10**8)
# A period longer than this is not tried as a block: its PEP would no longer be "tiny" (a block of p steps
# is a (p + 2)-point PEP, solved and certified exactly).
MAX_BLOCK = 12
_INTERP = re.compile(r"interp\(([^,()]+),([^,()]+)\)")


def composable(problem: Any) -> bool:
    """Gradient descent, a class with a minimizer, all pairs, and a metric of the initial quantity."""
    return (problem.method.steps is not None and problem.fclass != "smooth" and problem.pairs is None
            and (problem.initial, problem.metric) in COMPOSABLE)


def _block(problem: Any, hs: tuple[Any, ...]) -> tuple[Any, dict[str, Any]] | str:
    """The exact worst case tau of the steps ``hs`` from a normalized start and its certificate's
    multipliers, or why there is none."""
    from pep.problem import build_pep
    from pep.solve import solve

    data = build_pep(problem.normalized_class(), gd(list(hs)), problem.initial, problem.metric)
    value = solve(problem.float_data(gd(list(hs))), problem.solver).value
    if value is None or not math.isfinite(value):
        return f"the solver gave no value for the block ({', '.join(str(h) for h in hs)})"
    candidates = []
    for den in TAU_DENOMINATORS:
        t = Fraction(value).limit_denominator(den)
        if abs(float(t) - value) <= 1e-7 * (1 + abs(value)) and t not in candidates:
            candidates.append(t)
    candidates.sort()
    reasons = []
    for tau in candidates:
        attempt = certify_bound(data, tau, numeric_value=value)
        if attempt.ok:
            mult = {k: decode(v) for k, v in attempt.certificate["multipliers"].items()}
            return tau, mult
        reasons.append(f"{tau}: {attempt.reason[:80]}")
    shown = ", ".join(str(h) for h in hs)
    return f"no exact certificate for the block ({shown}) ({'; '.join(reasons) or 'no rational candidate'})"


def periods(steps: list[Any]) -> list[int]:
    """Block lengths to compose with: 1, then the schedule's period p when it repeats (N = k p, 1 < p <=
    MAX_BLOCK): long steps that expand alone can contract over a period."""
    n = len(steps)
    out = [1]
    for p in range(2, min(MAX_BLOCK, n - 1) + 1):
        if n % p == 0 and all(steps[i] == steps[i % p] for i in range(n)):
            out.append(p)
            break
    return out


def certify_by_composition(problem: Any, bound: Any) -> CertificateAttempt:
    """An exact certificate of ``worst case <= bound`` from one-step or one-period certificates (see the
    module docstring). Its problem has only the interpolation pairs the certificate uses (a proof for the
    full problem too: the other inequalities get multiplier 0), so the full exact PEP is never built.
    A failed attempt says why (never a verdict)."""
    t0 = time.perf_counter()
    reasons, suspect = [], True
    for p in periods(problem.method.steps):
        attempt = _compose(problem, bound, p, t0)
        if attempt.ok:
            return attempt
        reasons.append(attempt.reason)
        suspect = suspect and attempt.suspect
    return CertificateAttempt(False, None, "composition: " + "; ".join(reasons), time.perf_counter() - t0,
                              0.0, "composition", suspect)


def _compose(problem: Any, bound: Any, p: int, t0: float) -> CertificateAttempt:
    from pep.problem import build_pep

    def fail(reason: str) -> CertificateAttempt:
        return CertificateAttempt(False, None, f"blocks of {p}: {reason}", time.perf_counter() - t0, 0.0,
                                  "composition")

    steps = problem.method.steps
    blocks = [tuple(steps[i:i + p]) for i in range(0, len(steps), p)]
    known: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}
    for hs in blocks:
        if hs not in known:
            got = _block(problem, hs)
            if isinstance(got, str):
                return fail(got)
            known[hs] = got
    product: Any = Fraction(1)
    for hs in blocks:
        product = product * known[hs][0]
    if product > bound:
        out = fail(f"the product of the blocks' worst cases, {float(product):.10g}, exceeds the bound "
                   f"{float(bound):.10g}")
        out.suspect = True  # often attained (one function along the run): a refutation is worth trying
        return out
    weights: dict[tuple[str, str], Any] = {}
    weight: Any = Fraction(1)
    for j in range(len(blocks) - 1, -1, -1):
        tau, mult = known[blocks[j]]
        start = j * p
        for name, v in mult.items():
            if name == "initial":
                continue
            m = _INTERP.fullmatch(name)
            if not m:
                return fail(f"the block certificate uses {name!r}, which composition cannot relabel")
            pair = tuple(lab if lab == "*" else str(start + int(lab)) for lab in m.groups())
            weights[pair] = weights.get(pair, 0) + weight * v
        weight = weight * tau
    data = build_pep(problem.normalized_class(), problem.method, problem.initial, problem.metric,
                     pairs=list(weights))
    index = {c.name: i for i, c in enumerate(data.all_constraints)}
    lam: list[Any] = [0] * len(index)
    for (a, b), w in weights.items():
        lam[index[f"interp({a},{b})"]] = w
    lam[-1] = product
    cols = ldl_columns(exact_S(data, lam))
    if cols is None:
        return fail("the composed S is not PSD (exact LDL^T)")
    info = (f"{len(known)} distinct certificate(s) of blocks of {p} step(s), tau = the product of their "
            f"worst cases {', '.join(str(t) for t, _ in known.values())}")
    return checked_certificate(data, describe(data), bound, lam, cols, "composition", info, t0)


__all__ = ["COMPOSABLE", "certify_by_composition", "composable", "periods"]
