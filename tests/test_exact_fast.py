"""The exact linear algebra's fast paths against independent computations: the checker's exact elimination
(PSD or not) against sympy's eigenvalues and constructed matrices, the float-guided particular solution
against the exact rref, and the integer sums against Fraction arithmetic entry by entry."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp

from pep import certcheck
from pep.classes import make_class
from pep.exact import (
    _exact_S_entrywise,
    _rref_solution,
    _square_particular,
    exact_S,
    row_dots,
    rref_particular,
)
from pep.problem import build_gd_pep
from pep.schedules import constant_steps

SEED = 20261204


def _rand_fraction(rng: random.Random, den: int = 9) -> Fraction:
    return Fraction(rng.randint(-9, 9), rng.randint(1, den))


def _gram(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """B^T B: PSD by construction, singular when B has fewer rows than columns."""
    n = len(rows[0])
    return [[sum((r[i] * r[j] for r in rows), Fraction(0)) for j in range(n)] for i in range(n)]


@pytest.mark.parametrize("trial", range(12))
def test_elimination_decides_psd_like_sympy(trial: int) -> None:
    rng = random.Random(SEED + trial)
    n = rng.randint(1, 6)
    rank = rng.randint(0, n)
    B = [[_rand_fraction(rng) for _ in range(n)] for _ in range(rank)] or [[Fraction(0)] * n]
    S = _gram(B)
    assert certcheck.psd_by_elimination(S) is None
    # subtracting 10^-30 on a diagonal entry: indefinite exactly when that coordinate meets the kernel;
    # the truth from every principal minor (exact determinants by sympy), a criterion the checker does
    # not use
    for k in range(n):
        T = [row[:] for row in S]
        T[k][k] -= Fraction(1, 10**30)
        assert (certcheck.psd_by_elimination(T) is None) == _all_principal_minors_nonnegative(T), (S, k)
        kernel = sp.Matrix(_sympy_rows(S)).nullspace()
        if any(v[k] != 0 for v in kernel):
            assert certcheck.psd_by_elimination(T) is not None


def _sympy_rows(S: list[list[Fraction]]) -> list[list[sp.Rational]]:
    return [[sp.Rational(x.numerator, x.denominator) for x in row] for row in S]


def _all_principal_minors_nonnegative(S: list[list[Fraction]]) -> bool:
    """A symmetric matrix is PSD iff every principal minor is >= 0 (Sylvester's criterion, all minors)."""
    from itertools import combinations

    M = sp.Matrix(_sympy_rows(S))
    n = len(S)
    return all(M.extract(list(idx), list(idx)).det() >= 0 for r in range(1, n + 1)
               for idx in combinations(range(n), r))


def test_elimination_rejects_each_kind_of_failure() -> None:
    F = Fraction
    assert certcheck.psd_by_elimination([[F(-1, 10**30)]]) is not None  # a negative pivot
    assert "zero" in certcheck.psd_by_elimination([[F(0), F(1)], [F(1), F(5)]])  # zero pivot, nonzero row
    assert certcheck.psd_by_elimination([[F(0), F(0)], [F(0), F(5)]]) is None  # zero row: dropped
    assert "symmetric" in certcheck.psd_by_elimination([[F(1), F(0)], [F(1, 2), F(1)]])
    assert "rational" in certcheck.psd_by_elimination([[certcheck.Q2(F(1), F(1))]])
    assert "square" in certcheck.psd_by_elimination([[F(1), F(0)]])
    assert certcheck.psd_by_elimination([]) is None
    # [[1, 1], [1, 1 - 10^-30]]: determinant -10^-30 < 0, caught at the second pivot
    assert certcheck.psd_by_elimination([[F(1), F(1)], [F(1), 1 - F(1, 10**30)]]) is not None
    assert certcheck.psd_by_elimination([[F(1), F(1)], [F(1), 1 + F(1, 10**30)]]) is None


@pytest.mark.parametrize("trial", range(10))
def test_particular_solution_matches_the_exact_rref(trial: int) -> None:
    rng = random.Random(SEED + 100 + trial)
    rows_n, cols = rng.randint(1, 8), rng.randint(1, 14)
    base = [[_rand_fraction(rng) if rng.random() < 0.6 else Fraction(0) for _ in range(cols)]
            for _ in range(rows_n)]
    if rows_n > 1 and trial % 2:  # dependent rows
        base[-1] = [a + 2 * b for a, b in zip(base[0], base[1], strict=True)]
    x0 = [_rand_fraction(rng) for _ in range(cols)]
    rhs = row_dots(base, x0)  # consistent by construction
    fast, exact = rref_particular(base, rhs, cols), _rref_solution(base, rhs, cols)
    assert exact is not None and fast is not None
    for x in (fast, exact):
        assert [sum((a * b for a, b in zip(row, x, strict=True)), Fraction(0)) for row in base] == rhs
    assert fast == exact  # the same pivots: the earliest independent columns
    # an inconsistent system (a zero row with right side 1): no solution on either path
    bad_rows, bad_rhs = [*base, [Fraction(0)] * cols], [*rhs, Fraction(1)]
    assert rref_particular(bad_rows, bad_rhs, cols) is None
    assert _square_particular(bad_rows, bad_rhs, cols) is None


def test_row_dots_equal_fraction_sums() -> None:
    rng = random.Random(SEED + 200)
    rows = [[_rand_fraction(rng, 10**6) for _ in range(9)] for _ in range(5)]
    x = [Fraction(rng.randint(-10**9, 10**9), 2**rng.randint(0, 60)) for _ in range(9)]
    assert row_dots(rows, x) == [sum((a * b for a, b in zip(r, x, strict=True)), Fraction(0)) for r in rows]
    huge = [Fraction(1, 3**k) for k in range(3000, 3009)]  # a common denominator over the bit cap
    assert row_dots(rows, huge) == [sum((a * b for a, b in zip(r, huge, strict=True)), Fraction(0))
                                    for r in rows]


def test_exact_S_in_integers_equals_entrywise() -> None:
    rng = random.Random(SEED + 300)
    data = build_gd_pep(make_class("smooth-convex"), constant_steps(3, Fraction(1)), "distance",
                        "function-gap")
    lam = [Fraction(rng.randint(0, 50), rng.randint(1, 2**20)) for _ in data.all_constraints]
    assert exact_S(data, lam) == _exact_S_entrywise(data, lam)
