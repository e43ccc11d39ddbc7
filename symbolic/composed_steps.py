"""Grimmer, Shu and Wang's optimized basic schedules (arXiv 2410.16249), exact, by their composition rule.

A block is a list of normalized steps h (x+ = x - (h/L) grad f) with sum sigma. The s-blocks (their
rate 1/(1 + sigma) for the gradient-type bound) and the f-blocks (f(x_n) - f* <= L R^2/(2 + 4 sigma),
their Definition 1 with rho = 1/(1 + 2 sigma)) are built recursively, each joining two smaller blocks A, B
by one middle step mu:
    s-block of length m: A = s(floor(m/2)), B = s(m - 1 - floor(m/2)),
        mu = (-sA - sB + sqrt((sA + sB + 2)^2 + 4 (sA + 1)(sB + 1))) / 2;
    f-block of length n: A = s(k), B = f(n - 1 - k), the split k maximizing the sum,
        mu = (3 - 2 sB + sqrt((2 sB + 1)(2 sB + 8 sA + 9))) / 4.
These formulas are the composition rule as PEPit's implementation of the OBS-F schedules states it (facts,
not code). The results agree with the printed tables: n = 1: 3/2; n = 2: sqrt 2, (3 + sqrt(9 + 8 sqrt 2))/4
(2410.16249, the basic f-composable table); n = 3: sqrt 2, 1 + sqrt 2, 3/2; and with Das Gupta, Van Parys
and Ryu's numerically optimal steps (BnB-PEP, arXiv 2203.07305, Tables 11-12) for n = 1..5 and 7.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from numeric.interval import sign_of

# The nested radicals (and the exact comparisons choosing each split) grow fast with n: measured on this
# 2-core machine n = 8 takes 3.4 s, n = 10 11 s, n = 12 25 s, n = 24 more than 10 minutes; so the cap.
MAX_COMPOSED_STEPS = 12


def _sum(block: tuple[sp.Expr, ...]) -> sp.Expr:
    return sp.Add(*block) if block else sp.Integer(0)


@cache
def s_block(m: int) -> tuple[sp.Expr, ...]:
    """The s-composable block of length m (exact nested radicals)."""
    if m == 0:
        return ()
    a, b = s_block(m // 2), s_block(m - 1 - m // 2)
    sa, sb = _sum(a), _sum(b)
    mu = (-sa - sb + sp.sqrt((sa + sb + 2) ** 2 + 4 * (sa + 1) * (sb + 1))) / 2
    return (*a, sp.sqrtdenest(sp.radsimp(mu)), *b)


@cache
def f_block(n: int) -> tuple[sp.Expr, ...]:
    """The f-composable block of length n: f(x_n) - f* <= L R^2/(2 + 4 sum(h)) (tight, per the paper)."""
    if not 0 <= n <= MAX_COMPOSED_STEPS:
        raise ValueError(f"n = {n} must be in 0..{MAX_COMPOSED_STEPS}")
    if n == 0:
        return ()
    best: tuple[sp.Expr, ...] | None = None
    for k in range(n):
        a, b = s_block(k), f_block(n - 1 - k)
        sa, sb = _sum(a), _sum(b)
        mu = (3 - 2 * sb + sp.sqrt((2 * sb + 1) * (2 * sb + 8 * sa + 9))) / 4
        candidate = (*a, sp.sqrtdenest(sp.radsimp(mu)), *b)
        # the split only chooses which schedule to return; the rate claims built from it decide nothing here
        if best is None or sign_of(_sum(candidate) - _sum(best)) == 1:
            best = candidate
    assert best is not None
    return best


def gsw_steps(n: int) -> list[sp.Expr]:
    """Grimmer, Shu and Wang's optimized basic schedule for n steps (their OBS-F), exact."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return list(f_block(n))


def gsw_bound(n: int) -> str:
    """Their tight bound L R^2/(2 + 4 sum(h)) as a rate claim's bound expression."""
    return f"L*R**2/(2 + 4*({_sum(f_block(n))}))"
