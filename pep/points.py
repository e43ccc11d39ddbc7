"""The points of a PEP (the iterates of a method, and x*) as vectors over the Gram basis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Point:
    """A point x (vector over the basis), its gradient g, and the index of f(x) - f* in F (None for x*)."""

    label: str
    x: dict[int, Any]
    g: dict[int, Any]
    f_index: int | None


def iterate_points(method: Any, with_minimizer: bool) -> list[Point]:
    """x*, z_0, ..., z_N of a :class:`pep.methods.Method` (or gradient descent with a list of steps):
    basis 0 is z0 - x* (or z0), basis k+1 is g_k, and z_{k+1} = z_0 - sum_i H[k][i] g_i."""
    from pep.methods import as_method

    points = [Point("*", {}, {}, None)] if with_minimizer else []
    for k, x in enumerate(as_method(method).point_rows()):
        points.append(Point(str(k), x, {k + 1: 1}, k))
    return points


def diff(u: dict[int, Any], v: dict[int, Any]) -> dict[int, Any]:
    """``u - v`` for vectors given as {basis index: coefficient}."""
    out = dict(u)
    for k, x in v.items():
        value = out.get(k, 0) - x
        if value == 0:
            out.pop(k, None)
        else:
            out[k] = value
    return out


def add_inner(M: dict[tuple[int, int], Any], u: dict[int, Any], v: dict[int, Any], scale: Any = 1) -> None:
    """Add ``scale * <u, v>`` to the Gram-coefficient entries ``M``."""
    for r, a in u.items():
        for c, b in v.items():
            value = M.get((r, c), 0) + scale * a * b
            if value == 0:
                M.pop((r, c), None)
            else:
                M[(r, c)] = value
