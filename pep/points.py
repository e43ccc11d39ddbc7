"""The points of a gradient-descent PEP as vectors over the Gram basis."""

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


def iterate_points(steps: list[Any], with_minimizer: bool) -> list[Point]:
    """x*, x_0, ..., x_N with x_{k+1} = x_k - h_k g_k; basis 0 is x0 - x* (or x0), basis k+1 is g_k."""
    points = []
    if with_minimizer:
        points.append(Point("*", {}, {}, None))
    x: dict[int, Any] = {0: 1}
    for k in range(len(steps) + 1):
        points.append(Point(str(k), dict(x), {k + 1: 1}, k))
        if k < len(steps):
            x = dict(x)
            x[k + 1] = x.get(k + 1, 0) - steps[k]
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
