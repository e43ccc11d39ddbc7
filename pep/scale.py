"""Homogeneity of gradient-descent PEPs: solve with L = 1 and initial quantity 1, then rescale.

If f is L-smooth (m-strongly convex), f / L is 1-smooth (m/L-strongly convex) and gradient descent with
steps h_k / L on f and h_k on f / L make the same iterates: function gaps and gradients scale by L,
distances do not. Scaling x by c scales every squared quantity by c^2, so the worst case is linear in
the initial quantity. Together: a metric of "L-degree" e_M under an initial condition of L-degree e_I and
size I (R^2, D or G^2) has

    worst(L, I) = L^(e_M - e_I) * I * worst(1, 1),

where the L-degrees are: distance ||x - x*||^2 -> 0, function gap f - f* -> 1, squared gradient
norm -> 2 (f scales like L |x|^2 and grad f like L |x|). The ratio q = m / L is what the strongly convex
class depends on.
"""

from __future__ import annotations

from typing import Any

L_DEGREE = {"distance": 0, "function-gap": 1, "gradient": 2, "gradient-norm": 2, "min-gradient-norm": 2,
            "decrease": 1, "min-gradient-norm-before-last": 2}


def scale_factor(L: Any, initial_size: Any, initial: str, metric: str) -> Any:
    """``L^(e_M - e_I) * I``: multiply a normalized worst case by this to get the worst case in units."""
    try:
        exponent = L_DEGREE[metric] - L_DEGREE[initial]
    except KeyError as exc:
        raise ValueError(f"unknown initial condition or metric: {exc.args[0]}") from None
    return L**exponent * initial_size
