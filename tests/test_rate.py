"""The rate kind: every bad-input path gives a one-line field error; the verdict paths follow the published
worst cases (Drori and Teboulle 2014; the strongly convex one-step rate max(|1 - hq|, |1 - h|)^2)."""

from __future__ import annotations

import json
import math

import pytest

from tests.conftest import toml_claim
from verify.verdict import Verdict

BASE = dict(kind="rate", **{"class": "smooth-convex"}, L=1, schedule="constant", h=1, N=5,
            initial="distance", metric="function-gap", bound="L*R**2/(4*N*h + 2)")


def rate(**changes: object) -> str:
    """A rate claim: the Drori-Teboulle anchor with ``changes`` (None removes a field)."""
    fields = {**BASE, "id": "r", **changes}
    return toml_claim(**{k: v for k, v in fields.items() if v is not None})


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"N": 0}, "N", "positive integer"),
    ({"N": 5000}, "N", "max_steps"),
    ({"N": 1000, "class": "smooth-strongly-convex", "m": "1/2", "metric": "distance", "bound": "R**2"},
     "N", "pep_size"),
    ({"N": 2.5}, "N", "positive integer"),
    ({"h": -1}, "h", "positive"),
    ({"h": 0}, "h", "positive"),
    ({"h": "nan"}, "h", ""),
    ({"h": "1/0"}, "h", ""),
    ({"schedule": None, "h": None, "N": None, "steps": ["1", "-1/2"]}, "steps[1]", "positive"),
    ({"schedule": None, "h": None, "N": None, "steps": []}, "steps", "non-empty"),
    ({"schedule": None, "h": None, "N": 3, "steps": ["1", "1"]}, "N", "2 entries"),
    ({"steps": ["1"]}, "steps", "either"),
    ({"schedule": "chebyshev"}, "schedule", "one of"),
    ({"schedule": "silver"}, "h", "not used"),
    ({"class": "lipschitz"}, "class", "one of"),
    ({"class": "smooth-strongly-convex"}, "m", "needs m"),
    ({"class": "smooth-strongly-convex", "m": 1}, "m", "m < L"),
    ({"class": "smooth-strongly-convex", "m": 2}, "m", "m < L"),
    ({"class": "smooth-strongly-convex", "m": -1}, "m", "> 0"),
    ({"m": "1/2"}, "m", "only the class"),
    ({"class": "smooth"}, "initial", "no minimizer"),
    ({"metric": "speed"}, "metric", "one of"),
    ({"initial": "hope"}, "initial", "one of"),
    ({"method": "heavy-ball"}, "schedule", "only for method = 'gd'"),
    ({"solver": "mosek"}, "solver", "one of"),
    ({"pairs": "some"}, "pairs", "one of"),
    ({"pairs": "silver", "class": "smooth", "initial": "function-gap", "bound": "L*D"}, "pairs", "x*"),
    ({"L": 0}, "L", "positive"),
    ({"bound": "R"}, "bound", "homogeneous"),
    ({"bound": "L*R**2*t"}, "bound", "unknown"),
    ({"bound": "__import__('os')"}, "bound", ""),
])
def test_bad_input_is_a_one_line_field_error(run_claims, changes, field, words):
    results, rejected = run_claims(rate(**changes), toml_claim(id="ok", kind="numeric", expr="1", value="1"))
    assert results["ok"].verdict is Verdict.CERTIFIED  # the other claims are still checked
    if rejected:
        line = rejected[0].error.line()
    else:
        assert results["r"].verdict is Verdict.ERROR, results["r"].summary
        line = results["r"].summary
    assert "\n" not in line and "'r'" in line and f"field '{field}'" in line and words in line, line


def test_unknown_field_is_rejected(run_claims):
    _, rejected = run_claims(rate(speed=3))
    assert rejected and "field 'speed'" in rejected[0].error.line()


def test_true_claim_is_never_refuted_and_false_one_never_certified(run_claims):
    results, _ = run_claims(rate(id="true"), rate(id="false", bound="9/10*L*R**2/(4*N*h + 2)"))
    assert results["true"].verdict in (Verdict.CERTIFIED, Verdict.INCONCLUSIVE)
    assert results["false"].verdict in (Verdict.REFUTED, Verdict.INCONCLUSIVE)
    value = float(results["true"].evidence["solver_worst_case"])
    assert math.isclose(value, 1 / 22, rel_tol=1e-5)  # Drori and Teboulle: 1/(4N + 2), N = 5
    json.dumps(results["true"].evidence)  # the evidence is JSON-ready


def test_homogeneity_units(run_claims):
    # L = 4, R^2 = 1: the worst case is L R^2/(4N + 2); a bound written in units is normalized by L R^2.
    results, _ = run_claims(rate(id="u", L=4, bound="L*R**2/(4*N*h + 2)"))
    assert results["u"].evidence["bound_normalized"] == "1/22"


def test_strongly_convex_anchor_value(run_claims):
    # One step h = 1/2 with q = 1/100: max(|1 - h q|, |1 - h|)^2 = 0.995^2 (distance -> distance).
    results, _ = run_claims(rate(id="s", **{"class": "smooth-strongly-convex"}, L=100, m=1, schedule=None,
                                 h=None, N=None, steps=["1/2"], metric="distance", bound="R**2"))
    value = float(results["s"].evidence["solver_worst_case"])
    assert math.isclose(value, 0.995**2, rel_tol=1e-6)
    assert results["s"].verdict is not Verdict.REFUTED


def test_unconverged_solver_is_inconclusive(run_claims, monkeypatch):
    import pep.solve

    real = pep.solve.solve

    def starved(data, solver="scs"):
        return pep.solve.solve_scs(data, max_iters=2)

    monkeypatch.setattr(pep.solve, "solve", starved)
    results, _ = run_claims(rate(id="slow"))
    monkeypatch.setattr(pep.solve, "solve", real)
    assert results["slow"].verdict is Verdict.INCONCLUSIVE
    assert "did not converge" in results["slow"].summary


def test_restricted_pairs_give_the_same_certified_verdict(run_claims):
    # Consecutive pairs and the pairs with x* suffice for constant h = 1 (the Drori-Teboulle certificate
    # uses only those), so the tight bound stays certifiable from the smaller SDP.
    results, _ = run_claims(rate(id="p", pairs="consecutive"))
    assert results["p"].verdict is Verdict.CERTIFIED, results["p"].summary
    assert "consecutive" in results["p"].evidence["interpolation_pairs"]


def test_bound_float64_underflow_is_reported(run_claims):
    # (m/L)^40 with L/m = 1e10 is 1e-400: 0.0 in float64, exact at 50 digits; the evidence must say so.
    results, _ = run_claims(rate(id="k", **{"class": "smooth-strongly-convex"}, L=10**10, m=1, schedule=None,
                                 h=None, N=None, steps=["1/2"], metric="distance", bound="(m/L)**40*R**2"))
    check = results["k"].evidence["bound_crosscheck"]
    assert check["float64"] == "0.0" and check["mpmath"].startswith("1.0e-400")
    assert "discrepancy" in check


def test_silver_bound_is_proved_inside_the_certificate(run_claims):
    # Altschuler and Parrilo, k = 2 (N = 3): 1/(1 + sqrt(4 rho^4 - 3)), 4 rho^4 - 3 = 65 + 48 sqrt 2.
    results, _ = run_claims(rate(id="s", schedule="silver", h=None, N=3,
                                 bound="L*R**2/(1 + sqrt(4*(1 + sqrt(2))**4 - 3))"))
    result = results["s"]
    assert result.verdict is Verdict.CERTIFIED, result.summary
    cert = json.loads(open(result.evidence["certificate"], encoding="utf-8").read())
    assert cert["bound_below"]["x"] == ["65", "48"]
    from pep import certcheck

    ok, why = certcheck.check(cert)
    assert ok and "1/(1 + sqrt(x))" in why
    cert["bound_below"]["x"] = ["66", "48"]  # a larger x: the decimal is no longer proved below the bound
    assert certcheck.check(cert)[0] is False


def test_b20_holds_at_one_over_l_and_fails_for_shorter_steps(run_claims):
    # Seed 002 B.20: min_{k < K} ||g_k||^2 <= 2 L (f(x_0) - f*)/K for alpha <= 1/L. The descent-lemma sum
    # gives 2 (f(x_0) - f*)/(alpha (2 - L alpha) K), equal to the book's only at alpha = 1/L.
    b20 = dict(**{"class": "smooth"}, initial="function-gap", metric="min-gradient-norm-before-last", N=10)
    results, _ = run_claims(rate(id="at", **b20, h=1, bound="2*L*D/N"),
                            rate(id="short", **b20, h="1/2", bound="2*L*D/N"),
                            rate(id="fixed", **b20, h="1/2", bound="2*D/((h/L)*(2 - h)*N)"))
    assert results["at"].verdict is Verdict.CERTIFIED, results["at"].summary
    assert results["short"].verdict is Verdict.REFUTED, results["short"].summary
    assert results["short"].evidence["counterexample_kind"] == "explicit-function"
    assert results["fixed"].verdict is Verdict.CERTIFIED, results["fixed"].summary


def test_decrease_metric_is_tight_at_half_l_r_squared(run_claims):
    # f(x_0) - f(x_N) <= f(x_0) - f* <= L R^2/2 (smoothness at x*); f = L x^2/2 with h = 1 reaches x* in
    # one step, so the bound is attained and a hair below it is refuted
    dec = dict(metric="decrease", N=4)
    results, _ = run_claims(rate(id="t", **dec, bound="L*R**2/2"),
                            rate(id="f", **dec, bound="L*R**2/2*(1 - 10**-30)"))
    assert results["t"].verdict is Verdict.CERTIFIED, results["t"].summary
    assert results["f"].verdict is Verdict.REFUTED, results["f"].summary
