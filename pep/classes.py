"""Function classes with their interpolation inequalities (Taylor, Hendrickx and Glineur, 2017), L = 1."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pep.points import Point, add_inner, diff


def _f_terms(b: dict[int, Any], pi: Point, pj: Point) -> None:
    # f_j - f_i (f* = 0 has no index)
    if pj.f_index is not None:
        b[pj.f_index] = b.get(pj.f_index, 0) + 1
    if pi.f_index is not None:
        b[pi.f_index] = b.get(pi.f_index, 0) - 1


@dataclass(frozen=True)
class FunctionClass:
    """A class of functions, normalized to L = 1; ``q = m / L`` for the strongly convex class."""

    name: str
    q: Any = 0

    @property
    def has_minimizer(self) -> bool:
        return self.name != "smooth"

    def interpolation(self, pi: Point, pj: Point, M: dict[tuple[int, int], Any], b: dict[int, Any]) -> None:
        """Add the inequality 'f_i >= f_j + ...' for the pair (i, j) as ``tr(M G) + b.F <= 0``."""
        dx = diff(pi.x, pj.x)
        dg = diff(pi.g, pj.g)
        _f_terms(b, pi, pj)
        add_inner(M, pj.g, dx, 1)  # + <g_j, x_i - x_j>
        if self.name == "smooth-convex":
            # f_i >= f_j + <g_j, x_i - x_j> + 1/2 ||g_i - g_j||^2
            add_inner(M, dg, dg, Fraction(1, 2))
        elif self.name == "smooth-strongly-convex":
            # f_i >= f_j + <g_j, x_i - x_j> + 1/(2(1-q)) (||g_i - g_j||^2 + q ||x_i - x_j||^2
            #        - 2q <g_i - g_j, x_i - x_j>)
            w = 1 / (2 * (1 - self.q))
            add_inner(M, dg, dg, w)
            add_inner(M, dx, dx, w * self.q)
            add_inner(M, dg, dx, -2 * w * self.q)
        elif self.name == "smooth":
            # f_i >= f_j + <g_j, x_i - x_j> + 1/2 ||g_i - g_j||^2 - 1/4 ||x_i - x_j - (g_i - g_j)||^2
            add_inner(M, dg, dg, Fraction(1, 2))
            e = diff(dx, dg)
            add_inner(M, e, e, Fraction(-1, 4))
        else:
            raise ValueError(f"unknown class '{self.name}'")


CLASSES = ("smooth-convex", "smooth-strongly-convex", "smooth")


def make_class(name: str, q: Any = 0) -> FunctionClass:
    """The class by name; ``q = m/L`` in (0, 1) for smooth-strongly-convex."""
    if name not in CLASSES:
        raise ValueError(f"unknown class '{name}' (one of {', '.join(CLASSES)})")
    if name == "smooth-strongly-convex" and not 0 < q < 1:
        raise ValueError("smooth-strongly-convex needs 0 < m < L")
    return FunctionClass(name, q if name == "smooth-strongly-convex" else 0)
