"""Grimmer, Shu and Wang's optimized basic schedules, exact, against the published numbers."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symbolic.composed_steps import gsw_bound, gsw_steps

# Das Gupta, Van Parys and Ryu (BnB-PEP, arXiv 2203.07305), numerically optimal steps for n = 1..5 and 7
# (their tables; they agree with the composed schedules of Grimmer, Shu and Wang, arXiv 2410.16249), and
# the worst cases 1/(2 + 4 sum h) printed there (Table 11: 0.065946 at n = 2).
BNB_STEPS = {
    1: [1.5],
    2: [1.414214, 1.876768],
    3: [1.414214, 2.414208, 1.5],
    4: [1.414214, 1.601232, 3.005144, 1.5],
    5: [1.414214, 2.0, 1.414214, 3.557647, 1.5],
}
BNB_7_SUM = (1.6012326607 + 1.4142183813 + 2.2605675429 + 1.4142145780 + 4.8269205756 + 1.4142155048
             + 1.8767663274)


@pytest.mark.parametrize("n", sorted(BNB_STEPS))
def test_steps_match_the_numerically_optimal_ones(n: int) -> None:
    with mpmath.workdps(30):
        ours = [mpmath.mpf(sp.N(h, 30)) for h in gsw_steps(n)]
    assert len(ours) == n
    assert all(abs(a - b) < 1e-5 for a, b in zip(ours, BNB_STEPS[n], strict=True))


def test_closed_forms_of_the_small_schedules() -> None:
    assert gsw_steps(1) == [sp.Rational(3, 2)]
    assert gsw_steps(3) == [sp.sqrt(2), 1 + sp.sqrt(2), sp.Rational(3, 2)]  # in Q(sqrt 2): exact PEP possible
    assert sp.simplify(gsw_steps(2)[1] - (3 + sp.sqrt(9 + 8 * sp.sqrt(2))) / 4) == 0
    assert abs(float(sp.N(sp.Add(*gsw_steps(7)), 20)) - BNB_7_SUM) < 1e-4  # a permutation of BnB-PEP's n = 7
    assert abs(float(sp.N(sp.sympify(gsw_bound(2).replace("L*R**2", "1")), 20)) - 0.065946) < 1e-6


def test_bad_lengths() -> None:
    with pytest.raises(ValueError):
        gsw_steps(0)
    with pytest.raises(ValueError):
        gsw_steps(13)
