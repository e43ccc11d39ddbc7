"""Named restricted sets of interpolation pairs for gradient-descent PEPs (labels "*", "0", ..., "N").

Keeping only some interpolation inequalities drops constraints from the primal (multipliers fixed at 0
in the dual), so a restricted PEP's value is an UPPER bound on the true worst case, and a certificate for
it is still a valid proof. It is tight when the dropped multipliers are zero at an optimum of the full
problem; ``benchmarks/README.md`` records where that was measured.
"""

from __future__ import annotations

from collections.abc import Callable

from symbolic.derivations import nu2

Pair = tuple[str, str]


def star_pairs(n_steps: int) -> list[Pair]:
    """(i, *) and (*, i) for every iterate i = 0..N."""
    return [p for i in range(n_steps + 1) for p in ((str(i), "*"), ("*", str(i)))]


def consecutive_pairs(n_steps: int, star: bool = True) -> list[Pair]:
    """(i, i+1) and (i+1, i) for i = 0..N-1, plus the pairs with x* when ``star``."""
    out = [p for i in range(n_steps) for p in ((str(i), str(i + 1)), (str(i + 1), str(i)))]
    return (star_pairs(n_steps) if star else []) + out


def dyadic_pairs(n_steps: int, star: bool = True) -> list[Pair]:
    """(i, j) and (j, i) whenever |i - j| is a power of two, plus the pairs with x* when ``star``.

    This contains the pairs of the recursive Silver certificates (consecutive iterates and the
    pairs i, i +- 2^k that glue two halves of the schedule).
    """
    out: list[Pair] = []
    d = 1
    while d <= n_steps:
        out += [p for i in range(n_steps + 1 - d) for p in ((str(i), str(i + d)), (str(i + d), str(i)))]
        d *= 2
    return (star_pairs(n_steps) if star else []) + out


def silver_pairs(n_steps: int, reach: int = 0) -> list[Pair]:
    """A restricted set shaped like the Silver certificates (found from sparse optimal duals at N = 15, 31).

    (*, i) for every i, and (i, j) for 0 < |i - j| <= 2^(nu(i+1) + reach), nu the 2-adic valuation: the
    iterate before a long step sees the blocks on both sides of it. About 2 N (log2 N / 2 + reach + 1)
    pairs instead of (N + 2)(N + 1). Made for N = 2^k - 1 (tight at N = 15, 31, 63; at N = 127 its worst
    case satisfies the full problem to 1.5e-10); at other N it can be loose or even unbounded (N = 40).
    """
    out: list[Pair] = [("*", str(i)) for i in range(n_steps + 1)]
    for i in range(n_steps + 1):
        w = 2 ** (nu2(i + 1) + reach)
        out += [(str(i), str(j)) for j in range(max(0, i - w), min(n_steps, i + w) + 1) if j != i]
    return out


def all_pairs(n_steps: int, star: bool = True) -> list[Pair]:
    """Every ordered pair of distinct points (the unrestricted PEP)."""
    labels = (["*"] if star else []) + [str(i) for i in range(n_steps + 1)]
    return [(a, b) for a in labels for b in labels if a != b]


PAIR_SETS: dict[str, Callable[[int], list[Pair]]] = {
    "all": all_pairs, "star": star_pairs, "consecutive": consecutive_pairs, "dyadic": dyadic_pairs,
    "silver": silver_pairs,
}


def pair_set(name: str, n_steps: int) -> list[Pair]:
    """The named pair set for N steps (one of :data:`PAIR_SETS`)."""
    try:
        return PAIR_SETS[name](n_steps)
    except KeyError:
        raise ValueError(f"unknown pair set '{name}' (one of {', '.join(PAIR_SETS)})") from None


__all__ = ["PAIR_SETS", "Pair", "all_pairs", "consecutive_pairs", "dyadic_pairs", "pair_set", "silver_pairs",
           "star_pairs"]
