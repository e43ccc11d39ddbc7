"""Symbolic derivations of the chapter's theorems with sympy, and exact quadratic-field arithmetic."""
