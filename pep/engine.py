"""The PEP engine's front door: the worst case of gradient descent in the user's units.

>>> from fractions import Fraction
>>> run = worst_case("smooth-convex", [Fraction(1)] * 5, "distance", "function-gap", L=2)
>>> round(run.value, 5)   # L R^2 / (4 N h + 2) with L = 2, R = 1, N = 5, h = 1
0.09091

The problem is built (vectorized float64, :mod:`pep.fastbuild`) and solved with L = 1 and initial
quantity 1 (see :mod:`pep.scale`); ``value`` is rescaled, ``result`` is the raw normalized solution (dual
multipliers, primal instance, times). Exact data for certificates: :func:`pep.problem.build_gd_pep`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pep.classes import make_class
from pep.fastbuild import FloatPEP, build_gd_pep_float
from pep.scale import scale_factor
from pep.solve import PEPResult, solve


@dataclass
class WorstCase:
    """A solved PEP: the worst case in units, the factor from normalized units, the data and the solution."""

    value: float
    scale: Any
    data: FloatPEP
    result: PEPResult


def normalized_class(name: str, L: Any = 1, m: Any = 0) -> Any:
    """The class with L = 1 and q = m / L (exact when L and m are)."""
    return make_class(name, m / L if name == "smooth-strongly-convex" else 0)


def worst_case(fclass: str, steps: list[Any], initial: str, metric: str, *, L: Any = 1, m: Any = 0,
               size: Any = 1, pairs: list[tuple[str, str]] | None = None, solver: str = "scs") -> WorstCase:
    """Worst ``metric`` after gradient descent with normalized steps ``steps`` (x+ = x - h/L grad f) over
    the class, given ``initial`` <= ``size`` (R^2, D or G^2)."""
    data = build_gd_pep_float(normalized_class(fclass, L, m), steps, initial, metric, pairs)
    result = solve(data, solver)
    factor = scale_factor(L, size, initial, metric)
    return WorstCase(value=result.value * float(factor), scale=factor, data=data, result=result)
