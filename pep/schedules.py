"""Step-size schedules h_0, ..., h_{N-1} (normalized: x_{k+1} = x_k - (h_k / L) grad f(x_k)), exact.

Rational steps are :class:`fractions.Fraction`; the Silver schedule lives in Q(sqrt 2)
(:class:`symbolic.qfield.QSqrt`), so the PEP data and its certificate stay exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from symbolic.derivations import silver_convex
from symbolic.qfield import QSqrt

MAX_STEPS = 1024  # cap on N: the PEP has (N + 2)^2 interpolation inequalities and an (N + 2)^2 PSD block
SCHEDULES = ("constant", "silver")


def silver_steps(n_steps: int) -> list[QSqrt]:
    """Altschuler and Parrilo's Silver schedule h_t = 1 + rho^(nu(t) - 1), t = 1..N, rho = 1 + sqrt 2
    (derived and checked against the doubling construction in :mod:`symbolic.derivations`)."""
    check_length(n_steps)
    return silver_convex(n_steps)


def constant_steps(n_steps: int, h: Any) -> list[Any]:
    """N copies of h."""
    check_length(n_steps)
    check_step(h, 0)
    return [h] * n_steps


def check_length(n_steps: int) -> None:
    """N must be an integer in [1, MAX_STEPS]."""
    if isinstance(n_steps, bool) or not isinstance(n_steps, int):
        raise ValueError(f"N must be an integer, got {n_steps!r}")
    if n_steps < 1:
        raise ValueError(f"N must be >= 1, got {n_steps}")
    if n_steps > MAX_STEPS:
        raise ValueError(f"N = {n_steps} is above the cap of {MAX_STEPS} steps")


def check_step(h: Any, index: int) -> None:
    """A step must be an exact positive number (Fraction, int or QSqrt)."""
    if isinstance(h, bool) or not isinstance(h, int | Fraction | QSqrt):
        raise ValueError(f"step h_{index} = {h!r} is not an exact number")
    if not h > 0:
        raise ValueError(f"step h_{index} = {h} must be positive")


def make_schedule(name: str, n_steps: int, h: Any = None) -> list[Any]:
    """The named schedule of length N (``h`` for ``constant``)."""
    if name == "constant":
        if h is None:
            raise ValueError("schedule 'constant' needs h")
        return constant_steps(n_steps, h)
    if name == "silver":
        return silver_steps(n_steps)
    raise ValueError(f"unknown schedule '{name}' (one of {', '.join(SCHEDULES)})")
