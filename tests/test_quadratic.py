"""``kind = "quadratic"``: the issue's done-when cases, every verdict path, bad input."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from tests.conftest import toml_claim
from verify.verdict import Verdict

BASE = {"m": 1, "L": 100}


def q(**fields):
    fields.setdefault("id", "q")
    fields.setdefault("kind", "quadratic")
    for k, v in BASE.items():
        fields.setdefault(k, v)
    return toml_claim(**fields)


def one(run_claims, **fields):
    results, rejected = run_claims(q(**fields))
    assert not rejected, rejected
    return results["q"]


def test_optimal_constant_step_exact_rate_certified(run_claims):
    res = one(run_claims, schedule="constant", alpha="2/101", N=1, metric="distance-ratio", bound="99/101",
              relation="==")
    assert res.verdict is Verdict.CERTIFIED
    assert res.evidence["worst_case"] == "99/101"


def test_wrong_rate_refuted_with_diagonal_witness(run_claims):
    res = one(run_claims, schedule="constant", alpha="2/101", N=1, metric="distance-ratio", bound="97/101",
              relation="==")
    assert res.verdict is Verdict.REFUTED
    w = res.evidence["witness"]
    lam = Fraction(w["lambda"])
    assert 1 <= lam <= 100
    # independent: one step on diag(lam, .) from (1, 0) gives |1 - 2 lam/101|, which must exceed 97/101
    assert abs(1 - Fraction(2, 101) * lam) > Fraction(97, 101)
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(w["run_50_digits"]["distance_ratio"]) - mpmath.mpf(99) / 101) < 1e-45


def test_constant_step_many_iterations_fast(run_claims):
    res = one(run_claims, schedule="constant", alpha="2/101", N=300, metric="function-gap-ratio",
              bound="(99/101)**600", relation="==")
    assert res.verdict is Verdict.CERTIFIED


def test_chebyshev_worst_case_exact(run_claims):
    r = "((sqrt(100) - 1)/(sqrt(100) + 1))"
    res = one(run_claims, schedule="chebyshev", N=5, metric="distance-ratio", bound=f"2*{r}**5/(1 + {r}**10)",
              relation="==")
    assert res.verdict is Verdict.CERTIFIED
    # independent: 1/T_5(101/99) = 1/cosh(5 acosh(101/99)), and 2 r^5/(1 + r^10) with r = 9/11
    with mpmath.workdps(50):
        value = 1 / mpmath.cosh(5 * mpmath.acosh(mpmath.mpf(101) / 99))
        r_ = mpmath.mpf(9) / 11
        assert abs(value - 2 * r_**5 / (1 + r_**10)) < 1e-45
        a, b = (int(t) for t in res.evidence["worst_case"].split("/"))
        assert abs(mpmath.mpf(a) / b - value) < 1e-45


def test_chebyshev_r_to_the_k_refuted(run_claims):
    res = one(run_claims, schedule="chebyshev", N=5, metric="distance-ratio",
              bound="((sqrt(100) - 1)/(sqrt(100) + 1))**5")
    assert res.verdict is Verdict.REFUTED
    with mpmath.workdps(50):
        rerun = mpmath.mpf(res.evidence["witness"]["run_50_digits"]["distance_ratio"])
        assert rerun > (mpmath.mpf(9) / 11) ** 5


def test_general_steps_exact_paths(run_claims):
    # two optimal steps: function gap (99/101)^4, exactly
    res = one(run_claims, steps=["2/101", "2/101"], metric="function-gap-ratio", bound="(99/101)**4",
              relation="==")
    assert res.verdict is Verdict.CERTIFIED
    # steps 1/100 then 1: p = (1 - lam/100)(1 - lam); max |p| on [1, 100] by hand: at the critical point
    # lam = 101/2, |p| = (99/200)(99/2) = 9801/400 (the ends give 0)
    res = one(run_claims, steps=["1/100", "1"], metric="gradient-ratio", bound="9801/400", relation="==")
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, steps=["1/100", "1"], metric="gradient-ratio", bound="9801/400", relation="<")
    assert res.verdict is Verdict.REFUTED  # attained, so not strict
    res = one(run_claims, steps=["1/100", "1"], metric="distance-ratio", bound="9802/400", relation="==")
    assert res.verdict is Verdict.REFUTED  # the maximum is below the bound
    res = one(run_claims, steps=["1/100", "1"], metric="distance-ratio", bound="9802/400", relation="<")
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, steps=["1/100", "1"], metric="distance-ratio", bound="24")
    assert res.verdict is Verdict.REFUTED
    lam = Fraction(res.evidence["witness"]["lambda"])
    assert abs((1 - lam / 100) * (1 - lam)) > 24 and 1 <= lam <= 100


def test_irrational_critical_point(run_claims):
    # p = (1 - lam/2)(1 - lam/3)(1 - lam/5) on [1, 4]; compare with a dense mpmath scan
    with mpmath.workdps(30):
        scan = max(abs((1 - t / 2) * (1 - t / 3) * (1 - t / 5)) for t in mpmath.linspace(1, 4, 30001))
    lo, hi = scan - mpmath.mpf(10) ** -6, scan + mpmath.mpf(10) ** -6
    common = {"m": 1, "L": 4, "steps": ["1/2", "1/3", "1/5"], "metric": "distance-ratio"}
    res = one(run_claims, **common, bound=mpmath.nstr(hi, 12))
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, **common, bound=mpmath.nstr(lo, 12))
    assert res.verdict is Verdict.REFUTED


def test_interval_branch_and_bound_paths(run_claims):
    res = one(run_claims, steps=["2/101", "sqrt(2)/101"], metric="gradient-ratio", bound="1")
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, steps=["sqrt(2)/101"], metric="distance-ratio", bound="1/2")
    assert res.verdict is Verdict.REFUTED
    # the bound equals the worst case exactly (at lambda = 1): intervals cannot separate -> inconclusive
    res = one(run_claims, steps=["sqrt(2)/100"], metric="distance-ratio", bound="1 - sqrt(2)/100")
    assert res.verdict is Verdict.INCONCLUSIVE
    assert "reason" in res.evidence


@pytest.mark.parametrize("fields, field", [
    ({"steps": ["nan"], "metric": "distance-ratio", "bound": 1}, "steps[0]"),
    ({"steps": ["-1/100"], "metric": "distance-ratio", "bound": 1}, "steps[0]"),
    ({"steps": ["0"], "metric": "distance-ratio", "bound": 1}, "steps[0]"),
    ({"steps": [], "metric": "distance-ratio", "bound": 1}, "steps"),
    ({"steps": "1/100", "metric": "distance-ratio", "bound": 1}, "steps"),
    ({"m": 100, "L": 1, "steps": ["1/100"], "metric": "distance-ratio", "bound": 1}, "L"),
    ({"m": 5, "L": 5, "steps": ["1/100"], "metric": "distance-ratio", "bound": 1}, "L"),
    ({"m": -1, "steps": ["1/100"], "metric": "distance-ratio", "bound": 1}, "m"),
    ({"schedule": "constant", "alpha": "1/100", "N": 10**6, "metric": "distance-ratio", "bound": 1}, "N"),
    ({"schedule": "chebyshev", "N": 0, "metric": "distance-ratio", "bound": 1}, "N"),
    ({"schedule": "chebyshev", "N": 2.5, "metric": "distance-ratio", "bound": 1}, "N"),
    ({"schedule": "constant", "N": 3, "metric": "distance-ratio", "bound": 1}, "alpha"),
    ({"schedule": "constant", "alpha": "-2", "N": 3, "metric": "distance-ratio", "bound": 1}, "alpha"),
    ({"schedule": "polyak", "N": 3, "metric": "distance-ratio", "bound": 1}, "schedule"),
    ({"steps": ["1/100"], "schedule": "constant", "metric": "distance-ratio", "bound": 1}, "steps"),
    ({"steps": ["1/100"], "metric": "distance", "bound": 1}, "metric"),
    ({"steps": ["1/100"], "metric": "distance-ratio", "bound": 1, "relation": ">="}, "relation"),
    ({"steps": ["1/100"], "metric": "distance-ratio", "bound": "x"}, "bound"),
    ({"steps": ["1/100"], "metric": "distance-ratio", "bound": "1/0"}, "bound"),
])
def test_bad_input_is_a_one_line_error(run_claims, fields, field):
    res = one(run_claims, **fields)
    assert res.verdict is Verdict.ERROR
    assert f"field '{field}'" in res.summary and "internal error" not in res.summary


def test_nan_float_and_too_many_steps(run_claims, tmp_path):
    results, _ = run_claims('[[claim]]\nid = "q"\nkind = "quadratic"\nstatement = "s"\nm = 1\nL = 2\n'
                            'steps = [nan]\nmetric = "distance-ratio"\nbound = 1\n')
    assert results["q"].verdict is Verdict.ERROR and "steps[0]" in results["q"].summary
    res = one(run_claims, steps=["1/100"] * 2000, metric="distance-ratio", bound=1)
    assert res.verdict is Verdict.ERROR and "max_steps" in res.summary


def test_unknown_field_rejected(run_claims):
    _, rejected = run_claims(q(steps=["1/100"], metric="distance-ratio", bound=1, kappa=3))
    assert rejected and "kappa" in rejected[0].error.line()
