"""Exact linear algebra of PEP certificates, in one place: the dual matrix S of given multipliers, its
LDL^T as PSD evidence (over Q, or over Q(sqrt 2) for Silver-type data), and particular solutions of exact
linear systems (python-flint's rref). Used by the rational rounding and reconstruction
(:mod:`pep.certificate`), the Q(sqrt 2) reconstruction (:mod:`pep.reconstruct`) and composition
(:mod:`pep.compose`); checked independently by :mod:`pep.certcheck`.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from symbolic.qfield import QSqrt

_QSQRT_RE = re.compile(r"^\s*(?:(?P<a>-?\d+(?:/\d+)?)\s*(?P<sign>[+-])\s*)?(?P<neg>-)?"
                       r"(?:(?P<b>\d+(?:/\d+)?)\*)?sqrt\((?P<d>\d+)\)\s*$")


def parse_exact(text: Any) -> Fraction | QSqrt:
    """An exact number from an int, float (its exact binary value), Fraction, QSqrt, or a string "p/q",
    "0.25" or "a + b*sqrt(d)" (as ``str`` writes them in PEP descriptions); ValueError otherwise."""
    if isinstance(text, QSqrt | Fraction):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Fraction(text)
    if isinstance(text, float):
        return Fraction(text)  # the float's exact binary value
    if not isinstance(text, str):
        raise ValueError(f"not an exact number: {text!r}")
    try:
        return Fraction(text.strip())
    except ValueError:
        pass
    m = _QSQRT_RE.match(text)
    if not m:
        raise ValueError(f"not an exact number: {text!r}")
    b = Fraction(m["b"] or 1) * (-1 if m["neg"] else 1)
    a = Fraction(m["a"] or 0)
    if m["sign"] == "-":
        b = -b
    return QSqrt(a, b, int(m["d"]))


def to_fraction(x: Any) -> Fraction:
    """An exact rational (Fraction, int, or a QSqrt with no sqrt 2 part) as a Fraction."""
    if isinstance(x, QSqrt):
        if x.b:
            raise ValueError("irrational entry where a rational one is needed (a linear part in Q(sqrt 2))")
        return x.a
    return Fraction(x)


def as_q2(x: Any) -> QSqrt:
    """An exact number (int, Fraction, QSqrt over Q(sqrt 2)) as a QSqrt."""
    if isinstance(x, QSqrt):
        if x.d != 2:
            raise ValueError("only Q(sqrt 2) is supported")
        return x
    return QSqrt(Fraction(x), 0)


def exact_S(data: Any, lam: list[Any]) -> list[list[Any]]:
    """S = sum_i lam_i A_i - C exactly (constraints in ``data.all_constraints`` order, tau last), in the
    arithmetic of the multipliers and the data (Fractions, or Q(sqrt 2) elements)."""
    n = data.n
    S: list[list[Any]] = [[0] * n for _ in range(n)]
    half = Fraction(1, 2)

    def add(M: dict, w: Any) -> None:
        for (r, c), v in M.items():
            x = w * v * half
            S[r][c] = S[r][c] + x
            S[c][r] = S[c][r] + x

    for con, w in zip(data.all_constraints, lam, strict=True):
        if w:
            add(con.M, w)
    add(data.objective_M, -1)
    return S


def ldl_columns(S: list[list[Fraction]]) -> list[dict] | None:
    """Exact S = sum_k d_k l_k l_k^T (LDL^T, no pivoting, zero pivots allowed) as PSD evidence columns;
    None if S is not PSD. Entries in Q(sqrt 2) give columns with Q(sqrt 2) entries
    (:func:`ldl_q2`, checked by :mod:`pep.certcheck`)."""
    if any(isinstance(x, QSqrt) and x.b for row in S for x in row):
        return ldl_q2(S)
    n = len(S)
    A = [[to_fraction(x) for x in row] for row in S]
    cols = []
    for k in range(n):
        d = A[k][k]
        if d < 0:
            return None
        if d == 0:
            if any(A[i][k] for i in range(k + 1, n)):
                return None
            continue
        col = [Fraction(0)] * k + [Fraction(1)] + [A[i][k] / d for i in range(k + 1, n)]
        for i in range(k + 1, n):
            if col[i]:
                f = col[i] * d
                Ai = A[i]
                for j in range(k + 1, i + 1):
                    if col[j]:
                        Ai[j] -= f * col[j]
                        if j != i:
                            A[j][i] = Ai[j]
        den = math.lcm(*(c.denominator for c in col))
        cols.append({"d": str(d), "den": str(den), "num": [str(int(c * den)) for c in col]})
    return cols


def ldl_q2(S: list[list[Any]]) -> list[dict] | None:
    """Exact S = sum_k d_k l_k l_k^T over Q(sqrt 2) (LDL^T, no pivoting, zero pivots allowed: a zero
    pivot needs a zero column below it) as PSD evidence columns: "d" and the entries of "num" are
    rationals or ["a", "b"] (a + b sqrt 2; num entries integers), v_k = num_k / den; None if S is not
    PSD."""
    n = len(S)
    A = [[as_q2(x) for x in row] for row in S]
    cols = []
    zero = QSqrt(0, 0)
    for k in range(n):
        d = A[k][k]
        if d < 0:
            return None
        if not (d.a or d.b):
            if any(A[i][k].a or A[i][k].b for i in range(k + 1, n)):
                return None
            continue
        dinv = 1 / d
        col = [zero] * k + [QSqrt(1, 0)] + [A[i][k] * dinv for i in range(k + 1, n)]
        for i in range(k + 1, n):
            if col[i].a or col[i].b:
                f = col[i] * d
                Ai = A[i]
                for j in range(k + 1, i + 1):
                    if col[j].a or col[j].b:
                        Ai[j] = Ai[j] - f * col[j]
                        if j != i:
                            A[j][i] = Ai[j]
        den = math.lcm(*(c.a.denominator for c in col), *(c.b.denominator for c in col))
        num = [[str(int(c.a * den)), str(int(c.b * den))] if c.b else str(int(c.a * den)) for c in col]
        cols.append({"d": [str(d.a), str(d.b)] if d.b else str(d.a), "den": str(den), "num": num})
    return cols


def rref_particular(rows: list[list[Fraction]], rhs: list[Fraction], cols: int) -> list[Fraction] | None:
    """A solution of rows . x = rhs over Q with every non-pivot variable 0 (pivots: the earliest
    independent columns; python-flint's exact rref); None if the system is inconsistent."""
    import flint

    M = flint.fmpq_mat(len(rows), cols + 1)
    for i, (row, r) in enumerate(zip(rows, rhs, strict=True)):
        for j, e in enumerate(row):
            if e:
                M[i, j] = flint.fmpq(e.numerator, e.denominator)
        if r:
            M[i, cols] = flint.fmpq(r.numerator, r.denominator)
    R, rank = M.rref()
    x = [Fraction(0)] * cols
    for i in range(rank):
        j = next(j for j in range(cols + 1) if R[i, j] != 0)
        if j == cols:
            return None
        v = R[i, cols]
        x[j] = Fraction(int(v.p), int(v.q))
    return x


__all__ = ["as_q2", "exact_S", "parse_exact", "to_fraction", "ldl_columns", "ldl_q2", "rref_particular"]
