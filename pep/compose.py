"""Certificates by composition: an N-step bound of gradient descent as a product of one-step bounds.

When the metric measures the same quantity as the initial condition (distance -> distance, function gap
-> function gap, squared gradient -> squared gradient), a one-step certificate for step h says

    metric(x_1) - tau_h metric(x_0) + sum_c lam_c c = -S_h   (S_h PSD, over x_0 - x*, g_0, g_1).

Relabelling it to step k (points k, k + 1), weighting it by w_k = tau_{k+1} ... tau_{N-1} and summing over k
telescopes to metric(x_N) - (tau_0 ... tau_{N-1}) metric(x_0) + sum w_k lam_c c = -sum w_k S_k: an exact
certificate of the N-step PEP with tau = the product, whose S (a sum of PSD forms) gets its own exact
LDL^T and whose whole identity is re-checked by :mod:`pep.certcheck` like any other. It costs one tiny
PEP per distinct step instead of one large SDP, and is tight whenever the one-step worst cases are attained
by a common function along the whole run (quadratics for the strongly convex contraction of GD).
"""

from __future__ import annotations

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
_INTERP = re.compile(r"interp\(([^,()]+),([^,()]+)\)")


def composable(problem: Any) -> bool:
    """Gradient descent, a class with a minimizer, all pairs, and a metric of the initial quantity."""
    return (problem.method.steps is not None and problem.fclass != "smooth" and problem.pairs is None
            and (problem.initial, problem.metric) in COMPOSABLE)


def _one_step(problem: Any, h: Any) -> tuple[Any, dict[str, Any]] | str:
    """The exact one-step worst case tau_h and its certificate's multipliers, or why there is none."""
    from pep.problem import build_pep
    from pep.solve import solve

    data = build_pep(problem.normalized_class(), gd([h]), problem.initial, problem.metric)
    value = solve(problem.float_data(gd([h])), problem.solver).value
    candidates = []
    for den in TAU_DENOMINATORS:
        t = Fraction(value).limit_denominator(den)
        if abs(float(t) - value) <= 1e-7 * (1 + abs(value)) and t not in candidates:
            candidates.append(t)
    candidates.sort()
    reasons = []
    for tau in candidates:
        attempt = certify_bound(data, tau)
        if attempt.ok:
            mult = {k: decode(v) for k, v in attempt.certificate["multipliers"].items()}
            return tau, mult
        reasons.append(f"{tau}: {attempt.reason[:80]}")
    return f"no exact one-step certificate for h = {h} ({'; '.join(reasons) or 'no rational candidate'})"


def certify_by_composition(problem: Any, data: Any, bound: Any) -> CertificateAttempt:
    """An exact certificate of ``worst case <= bound`` from one-step certificates (see the module
    docstring); ``data`` is the problem's exact PEP. A failed attempt says why (never a verdict)."""
    t0 = time.perf_counter()

    def fail(reason: str) -> CertificateAttempt:
        return CertificateAttempt(False, None, f"composition: {reason}", time.perf_counter() - t0, 0.0,
                                  "composition")

    steps = problem.method.steps
    one: dict[Any, tuple[Any, dict[str, Any]]] = {}
    for h in steps:
        if h not in one:
            got = _one_step(problem, h)
            if isinstance(got, str):
                return fail(got)
            one[h] = got
    product: Any = Fraction(1)
    for h in steps:
        product = product * one[h][0]
    if product > bound:
        return fail(f"the product of the one-step worst cases, {float(product):.10g}, exceeds the bound "
                    f"{float(bound):.10g}")
    index = {c.name: i for i, c in enumerate(data.all_constraints)}
    lam: list[Any] = [0] * len(index)
    weight: Any = Fraction(1)
    for k in range(len(steps) - 1, -1, -1):
        tau, mult = one[steps[k]]
        for name, v in mult.items():
            if name == "initial":
                continue
            m = _INTERP.fullmatch(name)
            if not m:
                return fail(f"the one-step certificate uses {name!r}, which composition cannot relabel")
            a, b = (lab if lab == "*" else str(k + int(lab)) for lab in m.groups())
            lam[index[f"interp({a},{b})"]] += weight * v
        weight = weight * tau
    lam[-1] = product
    cols = ldl_columns(exact_S(data, lam))
    if cols is None:
        return fail("the composed S is not PSD (exact LDL^T)")
    info = (f"{len(one)} distinct one-step certificate(s), tau = product of the one-step worst cases "
            f"{', '.join(str(t) for t, _ in one.values())}")
    return checked_certificate(data, describe(data), bound, lam, cols, "composition", info, t0)


__all__ = ["COMPOSABLE", "certify_by_composition", "composable"]
