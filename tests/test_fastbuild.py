"""The vectorized float builder gives the exact builder's data (in float) for every class/initial/metric."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from pep.classes import make_class
from pep.fastbuild import build_gd_pep_float, from_exact, smat, svec
from pep.pairs import all_pairs, consecutive_pairs, dyadic_pairs, pair_set, silver_pairs, star_pairs
from pep.problem import build_gd_pep
from pep.schedules import silver_steps

CLASSES = {"smooth-convex": 0, "smooth-strongly-convex": Fraction(1, 10), "smooth": 0}
INITIALS = ("distance", "function-gap", "gradient")
METRICS = ("function-gap", "gradient-norm", "min-gradient-norm", "distance")
STEPS = {"rational": [Fraction(3, 2), Fraction(1, 3), Fraction(2)], "silver": silver_steps(3)}
RESTRICTED = [("*", "0"), ("0", "1"), ("1", "0"), ("3", "*"), ("2", "0"), ("0", "3"), ("1", "2")]

COMBOS = [(c, i, m) for c, i, m in itertools.product(CLASSES, INITIALS, METRICS)
          if not (c == "smooth" and "distance" in (i, m))]


def _same(exact, fast) -> None:
    """Equal names, sparsity and entries (to round-off)."""
    assert fast.names == exact.names
    assert (fast.n, fast.nf, fast.m) == (exact.n, exact.nf, exact.m)
    assert fast.A.nnz == exact.A.nnz and fast.B.nnz == exact.B.nnz
    assert abs(fast.A - exact.A).max() <= 1e-12 * max(1.0, abs(exact.A).max())
    assert abs(fast.B - exact.B).max() == 0
    np.testing.assert_allclose(fast.rhs, exact.rhs, atol=0)
    np.testing.assert_allclose(fast.C, exact.C, atol=1e-12)
    np.testing.assert_allclose(fast.c, exact.c, atol=0)


@pytest.mark.parametrize("schedule", sorted(STEPS))
@pytest.mark.parametrize("cls,initial,metric", COMBOS)
def test_float_builder_matches_exact(cls, initial, metric, schedule):
    fclass = make_class(cls, CLASSES[cls])
    steps = STEPS[schedule]
    _same(from_exact(build_gd_pep(fclass, steps, initial, metric)),
          build_gd_pep_float(fclass, steps, initial, metric))


@pytest.mark.parametrize("cls,initial,metric", COMBOS)
def test_float_builder_matches_exact_restricted(cls, initial, metric):
    fclass = make_class(cls, CLASSES[cls])
    pairs = [p for p in RESTRICTED if cls != "smooth" or "*" not in p]
    steps = STEPS["rational"]
    _same(from_exact(build_gd_pep(fclass, steps, initial, metric, pairs)),
          build_gd_pep_float(fclass, steps, initial, metric, pairs))


def test_class_by_name_and_float_steps():
    exact = from_exact(build_gd_pep(make_class("smooth-strongly-convex", Fraction(1, 4)), silver_steps(7),
                                    "distance", "distance"))
    fast = build_gd_pep_float("smooth-strongly-convex", [float(h) for h in silver_steps(7)], "distance",
                              "distance", q=0.25)
    _same(exact, fast)


@pytest.mark.parametrize("bad", [
    {"fclass": "smooth-concave"}, {"initial": "energy"}, {"metric": "iterate"}, {"method": []},
    {"method": [1.0, -1.0]}, {"method": [float("nan")]}, {"method": [0.0]},
    {"fclass": "smooth", "initial": "distance"}, {"fclass": "smooth", "metric": "distance"},
    {"fclass": "smooth-strongly-convex", "q": 1.0}, {"pairs": [("0", "9")]},
])
def test_bad_input(bad):
    args = {"fclass": "smooth-convex", "method": [1.0, 1.0], "initial": "distance", "metric": "function-gap",
            **bad}
    with pytest.raises(ValueError):
        build_gd_pep_float(**args)


def test_svec_round_trip():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 6))
    X = X + X.T
    np.testing.assert_allclose(smat(svec(X), 6), X)
    Y = rng.standard_normal((6, 6))
    Y = Y + Y.T
    assert svec(X) @ svec(Y) == pytest.approx(np.trace(X @ Y))


def test_pair_sets():
    n = 7
    assert len(all_pairs(n)) == 9 * 8
    assert len(star_pairs(n)) == 2 * 8
    assert len(consecutive_pairs(n)) == 16 + 14
    assert set(consecutive_pairs(n)) <= set(dyadic_pairs(n))
    assert ("0", "4") in dyadic_pairs(n) and ("0", "3") not in dyadic_pairs(n)
    silver = set(silver_pairs(n))
    assert set(consecutive_pairs(n, star=False)) <= silver
    assert ("*", "3") in silver and ("3", "*") not in silver
    assert ("3", "7") in silver and ("7", "0") in silver and ("0", "2") not in silver
    assert len(silver_pairs(127)) == 1144 and len(silver_pairs(127, reach=1)) == 1786
    assert pair_set("all", n) == all_pairs(n)
    with pytest.raises(ValueError):
        pair_set("nearest", n)
    full = build_gd_pep_float("smooth-convex", [1.0] * n, "distance", "function-gap", all_pairs(n))
    assert full.names == build_gd_pep_float("smooth-convex", [1.0] * n, "distance", "function-gap").names
