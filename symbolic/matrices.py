"""Exact matrix functions for the claim language: literals, ``inv``, ``det``, ``eig``, ``norm2``, ``cond``,
``rho``, ``transpose``, ``trace``, ``dot``, ``eye``, ``diag``.

Every value is a sympy ``ImmutableMatrix`` over exact numbers (rationals or algebraic numbers). Eigenvalues of
a rational matrix come from the exact factorization of its characteristic polynomial over Q: linear factors
give rationals, quadratic ones radicals, higher ones ``CRootOf`` (exact real algebraic numbers); a 2 x 2
matrix with irrational entries uses the quadratic formula. Orderings are decided by
:func:`numeric.interval.exact_sign` (exact, or an enclosure excluding 0, or an exact zero proof); an order
that cannot be decided is a ``ValueError`` (the parser turns it into a one-line field error), never a
guess. Functions raise ``ValueError``/``TypeError`` for bad arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from core.expr import register_matrix_functions
from core.matrix_literals import MAX_DIM, is_matrix
from numeric.interval import exact_sign

_X = sp.Dummy("x")


def _need_matrix(a: Any, name: str) -> sp.MatrixBase:
    if not is_matrix(a):
        raise TypeError(f"'{name}' needs a matrix, got a number")
    return a


def _need_square(a: Any, name: str) -> sp.MatrixBase:
    a = _need_matrix(a, name)
    if a.rows != a.cols:
        raise ValueError(f"'{name}' needs a square matrix, got {a.rows} x {a.cols}")
    return a


def _sign(value: Any, what: str) -> int:
    s = exact_sign(value)
    if s is None:
        raise ValueError(f"cannot decide the sign of {what} '{_short(value)}' exactly")
    return s


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_rational_matrix(a: sp.MatrixBase) -> bool:
    return all(isinstance(e, sp.Rational) for e in a)


def det(a: Any) -> Any:
    """The determinant (exact)."""
    a = _need_square(a, "det")
    return sp.expand(a.det(method="bareiss")) if not _is_rational_matrix(a) else a.det(method="bareiss")


def inv(a: Any) -> sp.ImmutableMatrix:
    """The exact inverse; an error for a matrix that is singular (or whose determinant's sign is unknown)."""
    a = _need_square(a, "inv")
    d = det(a)
    if not d.free_symbols:
        if _sign(d, "the determinant") == 0:
            raise ValueError("singular matrix (determinant 0)")
    elif sp.expand(d) == 0:
        raise ValueError("singular matrix (determinant 0)")
    result = a.inv(method="LU") if _is_rational_matrix(a) else a.adjugate() / d
    return sp.ImmutableMatrix(result.applyfunc(sp.cancel if not _is_rational_matrix(a) else lambda t: t))


def transpose(a: Any) -> sp.ImmutableMatrix:
    """The transpose."""
    return sp.ImmutableMatrix(_need_matrix(a, "transpose").T)


def trace(a: Any) -> Any:
    """The trace."""
    return _need_square(a, "trace").trace()


def dot(u: Any, v: Any) -> Any:
    """The inner product of two vectors of one length (rows or columns)."""
    u, v = _need_matrix(u, "dot"), _need_matrix(v, "dot")
    if 1 not in u.shape or 1 not in v.shape or len(u) != len(v):
        raise ValueError(f"'dot' needs two vectors of one length, got {u.shape} and {v.shape}")
    return sp.expand(sum((a * b for a, b in zip(u, v, strict=True)), sp.Integer(0)))


def eye(n: Any) -> sp.ImmutableMatrix:
    """The n x n identity."""
    if not isinstance(n, sp.Integer) or not 1 <= int(n) <= MAX_DIM:
        raise ValueError(f"'eye' needs a whole number from 1 to {MAX_DIM}")
    return sp.ImmutableMatrix(sp.eye(int(n)))


def diag(*entries: Any) -> sp.ImmutableMatrix:
    """The diagonal matrix with the given entries."""
    if not entries or len(entries) > MAX_DIM:
        raise ValueError(f"'diag' needs 1 to {MAX_DIM} numbers")
    if any(is_matrix(e) for e in entries):
        raise TypeError("'diag' takes numbers, not matrices")
    return sp.ImmutableMatrix(sp.diag(*entries))


def _roots_with_multiplicity(a: sp.MatrixBase) -> list[Any]:
    """All complex eigenvalues, repeated by multiplicity, as exact sympy numbers."""
    n = a.rows
    if _is_rational_matrix(a):
        poly = sp.Poly(a.charpoly().all_coeffs(), _X)
        out: list[Any] = []
        for factor, mult in poly.factor_list()[1]:
            deg = factor.degree()
            if deg == 1:
                c1, c0 = factor.all_coeffs()
                roots = [sp.Rational(-c0, c1)]
            elif deg == 2:
                qa, qb, qc = factor.all_coeffs()
                disc = qb * qb - 4 * qa * qc
                roots = [(-qb - sp.sqrt(disc)) / (2 * qa), (-qb + sp.sqrt(disc)) / (2 * qa)]
            else:
                roots = list(factor.all_roots())
            out.extend(r for r in roots for _ in range(mult))
        return out
    if n == 1:
        return [a[0, 0]]
    if n == 2:
        tr, dt = sp.expand(a.trace()), sp.expand(a.det())
        disc = sp.expand(tr**2 - 4 * dt)
        if _sign(disc, "the discriminant") == 0:
            return [tr / 2, tr / 2]
        return [(tr - sp.sqrt(disc)) / 2, (tr + sp.sqrt(disc)) / 2]
    out = []
    for value, mult in a.eigenvals().items():
        out.extend([value] * mult)
    if len(out) != n:
        raise ValueError("sympy could not find every eigenvalue exactly")
    return out


def _is_real(value: Any) -> bool:
    if isinstance(value, sp.CRootOf):
        return bool(value.is_real)
    if value.is_real:
        return True
    if value.is_real is False:
        return False
    im = sp.im(sp.expand_complex(value))
    s = exact_sign(im)
    if s is None:
        raise ValueError(f"cannot decide whether the eigenvalue '{_short(value)}' is real")
    return s == 0


def sort_exact(values: list[Any]) -> list[Any]:
    """Real numbers in increasing order, every comparison decided exactly."""
    out: list[Any] = []
    for v in values:
        i = len(out)
        while i > 0 and _sign(out[i - 1] - v, "an eigenvalue difference") > 0:
            i -= 1
        out.insert(i, v)
    return out


def max_exact(values: list[Any]) -> Any:
    """The largest of real numbers, decided exactly."""
    return sort_exact(values)[-1]


def real_eigenvalues(a: Any) -> list[Any]:
    """The eigenvalues in increasing order, with multiplicity; an error when one is not real."""
    a = _need_square(a, "eig")
    if a.free_symbols:
        raise ValueError("eigenvalues of a matrix with symbols are not supported")
    values = _roots_with_multiplicity(a)
    for v in values:
        if not _is_real(v):
            raise ValueError("the matrix has non-real eigenvalues (use rho for the spectral radius)")
    return sort_exact([sp.radsimp(v) if not isinstance(v, sp.CRootOf | sp.Rational) else v for v in values])


def eig(a: Any, k: Any = None) -> Any:
    """``eig(A)``: the sorted eigenvalues as a column vector; ``eig(A, k)``: the k-th smallest (from 1)."""
    values = real_eigenvalues(a)
    if k is None:
        return sp.ImmutableMatrix(values)
    if not isinstance(k, sp.Integer) or not 1 <= int(k) <= len(values):
        raise ValueError(f"'eig(A, k)' needs k from 1 to {len(values)}")
    return values[int(k) - 1]


def _modulus(value: Any) -> Any:
    if isinstance(value, sp.CRootOf):
        if value.is_real:
            return value if _sign(value, "an eigenvalue") >= 0 else -value
        raise ValueError("modulus of a complex root of a factor of degree >= 3 is not supported")
    if _is_real(value):
        return value if _sign(value, "an eigenvalue") >= 0 else -value
    re, im = sp.re(sp.expand_complex(value)), sp.im(sp.expand_complex(value))
    return sp.sqrt(sp.expand(re**2 + im**2))


def rho(a: Any) -> Any:
    """The spectral radius max |lambda| (complex eigenvalues included)."""
    a = _need_square(a, "rho")
    if a.free_symbols:
        raise ValueError("the spectral radius of a matrix with symbols is not supported")
    return max_exact([sp.radsimp(_modulus(v)) for v in _roots_with_multiplicity(a)])


def singular_values(a: Any) -> list[Any]:
    """The singular values in increasing order (square roots of the eigenvalues of A^T A)."""
    a = _need_matrix(a, "norm2")
    gram = sp.ImmutableMatrix((a.T * a).applyfunc(sp.expand))
    return [sp.sqrt(v) for v in real_eigenvalues(gram)]


def norm2(a: Any) -> Any:
    """The Euclidean norm of a vector, the spectral norm (largest singular value) of a matrix."""
    a = _need_matrix(a, "norm2")
    if 1 in a.shape:
        return sp.sqrt(sp.expand(sum((e**2 for e in a), sp.Integer(0))))
    return singular_values(a)[-1]


def cond(a: Any) -> Any:
    """The 2-norm condition number sigma_max / sigma_min of a nonsingular square matrix."""
    a = _need_square(a, "cond")
    values = singular_values(a)
    if _sign(values[0], "the smallest singular value") == 0:
        raise ValueError("singular matrix: the condition number is infinite")
    return sp.radsimp(values[-1] / values[0])


MATRIX_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "inv": inv, "det": det, "eig": eig, "norm2": norm2, "cond": cond, "rho": rho, "transpose": transpose,
    "trace": trace, "dot": dot, "eye": eye, "diag": diag,
}
register_matrix_functions(MATRIX_FUNCTIONS)  # the parser (core.expr) imports nothing above core
