"""Symbolic derivations of the chapter's theorems with sympy, and exact quadratic-field arithmetic."""

from symbolic import matrices as _matrices  # noqa: F401 - registers the matrix functions with core.expr
