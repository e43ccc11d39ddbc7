"""Matrix literals of the expression language, pure sympy: what the parser at the bottom needs to build
``[[a, b], [c, d]]`` and to tell a matrix from a number (the matrix functions themselves are in
:mod:`symbolic.matrices`, which registers them with :mod:`core.expr`)."""

from __future__ import annotations

from typing import Any

import sympy as sp

MAX_DIM = 10  # rows and columns of a matrix literal or a result


def is_matrix(value: Any) -> bool:
    """Whether ``value`` is a sympy matrix."""
    return isinstance(value, sp.MatrixBase)


def matrix_literal(rows: list[Any]) -> sp.ImmutableMatrix:
    """``[a, b]`` (a column vector) or ``[[a, b], [c, d]]`` (rows) as an exact immutable matrix."""
    if not rows:
        raise ValueError("empty matrix")
    nested = [isinstance(r, list) for r in rows]
    if any(nested) and not all(nested):
        raise ValueError("mixes numbers and rows: write [[a, b], [c, d]] or [a, b]")
    table = rows if all(nested) else [[r] for r in rows]
    width = len(table[0])
    if width == 0 or any(len(r) != width for r in table):
        raise ValueError("rows of different lengths")
    if len(table) > MAX_DIM or width > MAX_DIM:
        raise ValueError(f"larger than {MAX_DIM} x {MAX_DIM}")
    for row in table:
        for entry in row:
            if isinstance(entry, list) or is_matrix(entry):
                raise ValueError("entries must be numbers (no nested matrices)")
    return sp.ImmutableMatrix(table)


__all__ = ["MAX_DIM", "is_matrix", "matrix_literal"]
