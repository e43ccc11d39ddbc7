"""Fixed-step first-order methods as a step matrix H, the one description every PEP builder reads.

A method with N gradient evaluations visits z_0, ..., z_N and evaluates f and grad f at every one of them
(normalized units, L = 1):

    z_{k+1} = z_0 - sum_{i <= k} H[k][i] g_i,      g_i = grad f(z_i),   k = 0..N-1,

so H is N x N lower triangular (row k has k + 1 entries) and z_N is the output. This is the "fixed-step
first-order method" of Drori and Teboulle (2014) and of PEPit; Kim and Fessler (2016) write it in
increments, z_{k+1} = z_k - sum_{i <= k} h[k+1][i] g_i: :func:`fsfom` reads either form, and
:meth:`Method.increments` gives the second (gradient descent is one nonzero per row there).

Entries are exact (Fraction, or Q(sqrt 2) elements for Silver steps and for momentum with such
parameters) whenever the method's coefficients are; OGM beyond N = 1 has coefficients in nested quadratic
fields (theta_1 = (1 + sqrt 5)/2, ...), so its H is float64 only (``exact`` is False) and it can be solved
but not certified or refuted exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

METHODS = ("gd", "heavy-ball", "nesterov", "ogm", "fsfom")
Exact = Any  # Fraction or QSqrt (or float when the method is not exact)


@dataclass(frozen=True)
class Method:
    """A method as its step matrix H (rows of exact numbers, or floats when ``exact`` is False)."""

    name: str
    H: tuple[tuple[Any, ...], ...]
    params: dict[str, str] = field(default_factory=dict)
    exact: bool = True

    @property
    def N(self) -> int:
        """The number of gradient steps."""
        return len(self.H)

    @property
    def steps(self) -> list[Any] | None:
        """The steps h_k when the method acts as gradient descent (H[k][i] = h_i for every i <= k: also OGM
        at N = 1, heavy ball with beta = 0), else None."""
        hs = [row[-1] for row in self.H]
        return hs if all(row == tuple(hs[:len(row)]) for row in self.H) else None

    def increments(self) -> list[list[Any]]:
        """h[k][i] with z_{k+1} = z_k - sum_{i <= k} h[k][i] g_i (row k of H minus row k - 1)."""
        out = []
        for k, row in enumerate(self.H):
            prev = self.H[k - 1] if k else ()
            out.append([row[i] - (prev[i] if i < len(prev) else 0) for i in range(len(row))])
        return out

    def point_rows(self) -> list[dict[int, Any]]:
        """z_0..z_N over the Gram basis (index 0: z_0 - x* or z_0; index i + 1: g_i), zeros dropped."""
        rows: list[dict[int, Any]] = [{0: 1}]
        for row in self.H:
            z: dict[int, Any] = {0: 1}
            for i, c in enumerate(row):
                if c != 0:
                    z[i + 1] = -c
            rows.append(z)
        return rows

    def to_float(self) -> Method:
        """The same method with float64 coefficients (for cheap approximate checks)."""
        return Method(self.name, tuple(tuple(float(c) for c in row) for row in self.H), self.params, False)

    def describe(self) -> dict[str, Any]:
        """The method as JSON-ready strings: name, parameters and H (GD: its steps)."""
        out: dict[str, Any] = {"method": self.name, "method_parameters": dict(self.params)}
        if self.name == "gd":
            out["steps"] = [str(h) for h in self.H[-1]]
        else:
            out["H"] = [[str(c) for c in row] for row in self.H]
        return out


def _check_rows(H: Sequence[Sequence[Any]], what: str) -> None:
    if not H:
        raise ValueError(f"{what}: at least one step is needed")
    for k, row in enumerate(H):
        if len(row) != k + 1:
            raise ValueError(f"{what}: row {k} must have {k + 1} entries (lower triangular), has {len(row)}")


def gd(steps: Sequence[Any]) -> Method:
    """Gradient descent z_{k+1} = z_k - h_k g_k: row k of H is (h_0, ..., h_k)."""
    steps = list(steps)
    if not steps:
        raise ValueError("gradient descent: at least one step is needed")
    return Method("gd", tuple(tuple(steps[:k + 1]) for k in range(len(steps))))


def _per_step(value: Any, n: int, what: str) -> list[Any]:
    values = list(value) if isinstance(value, list | tuple) else [value] * n
    if len(values) != n:
        raise ValueError(f"{what}: {len(values)} values for N = {n} steps")
    return values


def heavy_ball(alpha: Any, beta: Any, n: int) -> Method:
    """Polyak's heavy ball z_{k+1} = z_k - alpha g_k + beta (z_k - z_{k-1}), z_{-1} = z_0; alpha, beta
    constant or one per step (lists)."""
    alphas, betas = _per_step(alpha, n, "heavy ball alpha"), _per_step(beta, n, "heavy ball beta")
    H: list[tuple[Any, ...]] = []
    move: list[Any] = []  # z_k - z_{k-1} = -sum_i move[i] g_i
    total: list[Any] = []  # z_k - z_0 = -sum_i total[i] g_i
    for k in range(n):
        move = [betas[k] * c for c in move] + [alphas[k]]
        total = [a + b for a, b in zip([*total, 0], move, strict=True)]
        H.append(tuple(total))
    return Method("heavy-ball", tuple(H), {"alpha": _text(alpha), "beta": _text(beta)})


def nesterov(alpha: Any, beta: Any, n: int) -> Method:
    """Nesterov's method x_{k+1} = y_k - alpha g(y_k), y_{k+1} = x_{k+1} + beta_k (x_{k+1} - x_k),
    y_0 = x_0: gradients at z_k = y_k (k < N), output z_N = x_N; alpha constant or per step, beta constant
    or one per step (beta_{N-1} is unused: the output is x_N)."""
    alphas, betas = _per_step(alpha, n, "Nesterov alpha"), _per_step(beta, n, "Nesterov beta")
    x_prev: list[Any] = []  # x_k - x_0 = -sum_i x_prev[i] g_i
    y: list[Any] = []
    H: list[tuple[Any, ...]] = []
    for k in range(n):
        x_new = [*y, alphas[k]]
        padded = [*x_prev] + [0] * (len(x_new) - len(x_prev))
        if k == n - 1:
            H.append(tuple(x_new))
            break
        y = [a + betas[k] * (a - b) for a, b in zip(x_new, padded, strict=True)]
        H.append(tuple(y))
        x_prev = x_new
    return Method("nesterov", tuple(H), {"alpha": _text(alpha), "beta": _text(beta)})


def ogm_thetas(n: int) -> list[float]:
    """Kim and Fessler's theta_0..theta_N: theta_0 = 1, theta_i = (1 + sqrt(1 + 4 theta_{i-1}^2))/2 for
    i < N and theta_N = (1 + sqrt(1 + 8 theta_{N-1}^2))/2 (float64; exact for N = 1: 1, 2)."""
    th = [1.0]
    for i in range(1, n + 1):
        c = 8.0 if i == n else 4.0
        th.append((1.0 + math.sqrt(1.0 + c * th[-1] ** 2)) / 2.0)
    return th


def ogm(n: int) -> Method:
    """OGM (Kim and Fessler 2016, "Optimized first-order methods for smooth convex minimization", OGM1):
    y_{i+1} = x_i - g_i, x_{i+1} = y_{i+1} + (theta_i - 1)/theta_{i+1} (y_{i+1} - y_i)
    + theta_i/theta_{i+1} (y_{i+1} - x_i); gradients at x_0..x_N, worst case f(x_N) - f* = R^2/(2 theta_N^2).
    Exact for N = 1 (theta = 1, 2: H = [[3/2]]); float64 for N >= 2."""
    if n == 1:
        return Method("ogm", ((Fraction(3, 2),),), {"N": "1"})
    th = ogm_thetas(n)
    x: list[float] = []  # x_i - x_0 = -sum x[j] g_j
    y_prev: list[float] = []  # y_i (y_0 = x_0)
    H: list[tuple[float, ...]] = []
    for i in range(n):
        y_new = [*x, 1.0]
        yp = y_prev + [0.0] * (len(y_new) - len(y_prev))
        xp = x + [0.0]
        a, b = (th[i] - 1.0) / th[i + 1], th[i] / th[i + 1]
        x = [yn + a * (yn - p) + b * (yn - q) for yn, p, q in zip(y_new, yp, xp, strict=True)]
        H.append(tuple(x))
        y_prev = y_new
    return Method("ogm", tuple(H), {"N": str(n)}, exact=False)


def fsfom(rows: Sequence[Sequence[Any]], form: str = "from-x0") -> Method:
    """A user's method: H given directly (``form = "from-x0"``: z_{k+1} = z_0 - sum H[k][i] g_i) or by
    increments (``form = "increments"``: z_{k+1} = z_k - sum h[k][i] g_i)."""
    _check_rows(rows, "H")
    if form == "from-x0":
        H = [tuple(row) for row in rows]
    elif form == "increments":
        H, acc = [], []
        for row in rows:
            acc = [a + b for a, b in zip([*acc, 0], row, strict=True)]
            H.append(tuple(acc))
    else:
        raise ValueError(f"H form must be 'from-x0' or 'increments', got {form!r}")
    return Method("fsfom", tuple(H), {"form": form})


def as_method(method_or_steps: Method | Sequence[Any]) -> Method:
    """A :class:`Method`, or gradient descent with the given steps."""
    return method_or_steps if isinstance(method_or_steps, Method) else gd(method_or_steps)


def _text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


__all__ = ["METHODS", "Method", "as_method", "fsfom", "gd", "heavy_ball", "nesterov", "ogm", "ogm_thetas"]
