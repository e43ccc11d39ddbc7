"""``arithmetic = "float16" | "bfloat16" | "float32" | "float64"`` (checked against numpy/ml_dtypes casts and
operations and against mpmath) and ``random`` with ``E``/``Var``/``P`` (checked against mpmath quadrature)."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import ml_dtypes
import mpmath
import numpy as np
import pytest

from numeric.floatformat import FORMATS, add, div, elementary, mul, round_fraction, sqrt
from tests.conftest import toml_claim
from verify.verdict import Verdict

EPS = [1, 5, 10, 20, 30]
DTYPES = {"float16": np.float16, "bfloat16": ml_dtypes.bfloat16, "float32": np.float32, "float64": np.float64}


def one(run_claims, **fields):
    fields.setdefault("id", "c")
    fields.setdefault("kind", "numeric")
    results, rejected = run_claims(toml_claim(**fields))
    assert not rejected, [r.error.line() for r in rejected]
    return results["c"]


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32"])
def test_rounding_and_basic_operations_match_numpy(name):
    fmt, dt = FORMATS[name], DTYPES[name]
    rng = random.Random(7)
    with np.errstate(all="ignore"):
        _compare_with_numpy(fmt, dt, rng)


def _compare_with_numpy(fmt, dt, rng):
    for _ in range(3000):
        # a float64 value rounded to the format by numpy's cast (correctly rounded from float64) equals ours
        v = rng.uniform(-1, 1) * 10 ** rng.uniform(-9, 9)
        assert round_fraction(Fraction(v), fmt) == float(dt(v)) or math.isinf(float(dt(v)))
        a, b = float(dt(v)), float(dt(rng.uniform(-1, 1) * 10 ** rng.uniform(-9, 9)))
        for ours, theirs in ((add, np.add), (mul, np.multiply), (div, np.divide)):
            x, y = ours(a, b, fmt), float(theirs(dt(a), dt(b)))
            assert x == y or (math.isnan(x) and math.isnan(y)), (ours.__name__, a, b)
        assert sqrt(abs(a), fmt) == float(np.sqrt(dt(abs(a))))


def test_float64_operations_match_python():
    fmt = FORMATS["float64"]
    rng = random.Random(8)
    for _ in range(5000):
        a = rng.uniform(-1, 1) * 10 ** rng.uniform(-300, 300)
        b = rng.uniform(-1, 1) * 10 ** rng.uniform(-300, 300)
        assert add(a, b, fmt) == a + b and mul(a, b, fmt) == a * b and div(a, b, fmt) == a / b
        assert sqrt(abs(a), fmt) == math.sqrt(abs(a))


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("fn", ["exp", "log", "sin", "cos", "tanh_free_sinh"])
def test_elementary_functions_are_correctly_rounded(name, fn):
    fn = "sinh" if fn == "tanh_free_sinh" else fn
    fmt, dt = FORMATS[name], DTYPES[name]
    rng = random.Random(9)
    for _ in range(60):
        x = float(dt(rng.uniform(0.01, 9)))
        got, _ = elementary(fn, x, fmt)
        with mpmath.workprec(500):
            ref = getattr(mpmath, fn)(mpmath.mpf(x))
            sign, man, exp, _ = ref._mpf_
            exact = (-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp)
        assert got == round_fraction(exact, fmt), (fn, x)


@pytest.mark.parametrize(("fmt", "expected"), [
    ("float16", Verdict.CERTIFIED), ("bfloat16", Verdict.CERTIFIED), ("float32", Verdict.CERTIFIED),
    ("float64", Verdict.REFUTED)])
def test_sigmoid_minus_500(run_claims, fmt, expected):
    res = one(run_claims, arithmetic=fmt, expr="1/(1 + exp(500))", relation="==", value="0")
    assert res.verdict is expected
    dt = DTYPES[fmt]
    with np.errstate(all="ignore"):
        direct = float(dt(1) / (dt(1) + np.exp(dt(500))))
    assert res.evidence["numpy_result"] == res.evidence["result"]
    assert float(res.evidence["result"]) == direct
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(res.evidence["exact_value_50_digits"]) - 1 / (1 + mpmath.exp(500))) < \
            mpmath.mpf(10) ** -260
    assert all("computed_by" in step for step in res.evidence["operations"])


def test_float_results_and_perturbations(run_claims):
    # 0.1 + 0.2 in float64 is 0.30000000000000004 = 5404319552844596 / 2^54 exactly
    assert Fraction(0.1 + 0.2) == Fraction(5404319552844596, 2**54)
    assert Fraction(0.1) + Fraction(0.2) != Fraction(0.1 + 0.2)  # the double sum is a rounding
    res = one(run_claims, arithmetic="float64", expr="0.1 + 0.2", relation="==",
              value="5404319552844596/2**54")
    assert res.verdict is Verdict.CERTIFIED
    for e in EPS:
        for s in (1, -1):
            res = one(run_claims, arithmetic="float64", expr="0.1 + 0.2", relation="==",
                      value=f"5404319552844596/2**54*(1 + {s}*10**-{e})")
            assert res.verdict is Verdict.REFUTED
    # float16: 65504 + 16 overflows (the midpoint to 65536 rounds to even, past the largest float16)
    assert float(np.float16(65504) + np.float16(16)) == math.inf
    assert one(run_claims, arithmetic="float16", expr="65504 + 16", relation="==", value="inf").verdict is \
        Verdict.CERTIFIED
    assert one(run_claims, arithmetic="float16", expr="65504 + 15", relation="<=", value="65504").verdict is \
        Verdict.CERTIFIED
    # float32 subnormals: 1e-40 is not 0
    assert float(np.float32(1e-20) * np.float32(1e-20)) != 0
    assert one(run_claims, arithmetic="float32", expr="1e-20*1e-20", relation="==", value="0").verdict is \
        Verdict.REFUTED
    assert one(run_claims, arithmetic="float64", expr="exp(1000) - exp(1000)", relation="==",
               value="nan").verdict is Verdict.CERTIFIED
    assert one(run_claims, arithmetic="float32", expr="(1 + 1e-8) - 1", value="0",
               relation="==").verdict is Verdict.CERTIFIED


@pytest.mark.parametrize(("fields", "field"), [
    ({"arithmetic": "float128", "expr": "1", "value": "1"}, "arithmetic"),
    ({"arithmetic": "float32", "expr": "x + 1", "value": "1"}, "expr"),
    ({"arithmetic": "float32", "expr": "atan(1)", "value": "1"}, "expr"),
    ({"arithmetic": "float32", "expr": "1", "value": "1", "where": {"a": "1"}}, "where"),
    ({"arithmetic": "float32", "expr": "1", "value": "inf", "relation": "approx"}, "value"),
])
def test_arithmetic_field_errors(run_claims, fields, field):
    res = one(run_claims, **fields)
    assert res.verdict is Verdict.ERROR and f"field '{field}'" in res.summary and "claim 'c'" in res.summary


# random variables -------------------------------------------------------------------------------------------
def quad(f):
    with mpmath.workdps(30):
        return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi),
                           [-mpmath.inf, 0, mpmath.inf])


def test_relu_expectations_against_quadrature(run_claims):
    z = {"random": {"z": "normal(0, 1)"}, "relation": "=="}
    res = one(run_claims, **z, expr="E(max(z, 0))", value="1/sqrt(2*pi)")
    assert res.verdict is Verdict.CERTIFIED
    with mpmath.workdps(30):
        assert abs(quad(lambda t: max(t, 0)) - 1 / mpmath.sqrt(2 * mpmath.pi)) < 1e-25
    assert res.evidence["expectations"][0]["call"] == "E(max(z, 0))"
    for e in EPS:
        for s in (1, -1):
            assert one(run_claims, **z, expr="E(max(z, 0))",
                       value=f"1/sqrt(2*pi)*(1 + {s}*10**-{e})").verdict is Verdict.REFUTED
    var = one(run_claims, **z, expr="Var(max(z, 0))", value="(1 - 1/pi)/2")
    assert var.verdict is Verdict.CERTIFIED
    with mpmath.workdps(30):
        m1, m2 = quad(lambda t: max(t, 0)), quad(lambda t: max(t, 0) ** 2)
        assert abs(m2 - m1**2 - (1 - 1 / mpmath.pi) / 2) < 1e-25
    # E[z | z > 0] = sqrt(2/pi), not 1/sqrt(2 pi)
    assert one(run_claims, **z, expr="E(max(z, 0))/P(z > 0)", value="1/sqrt(2*pi)").verdict is Verdict.REFUTED
    assert one(run_claims, **z, expr="E(max(z, 0))/P(z > 0)", value="sqrt(2/pi)").verdict is Verdict.CERTIFIED


def test_probabilities_and_discrete(run_claims):
    # P(z > 1) = erfc(1/sqrt 2)/2 (mpmath ncdf independently)
    res = one(run_claims, random={"z": "normal(0, 1)"}, expr="P(z > 1)", value="0.1587")
    assert res.verdict is Verdict.CERTIFIED
    with mpmath.workdps(30):
        assert abs(1 - mpmath.ncdf(1) - mpmath.mpf("0.15865525393145705141")) < 1e-18
    for e in EPS:
        res = one(run_claims, random={"z": "normal(0, 1)"}, expr="P(z > 1)", relation="==",
                  value=f"erfc(1/sqrt(2))/2*(1 + 10**-{e})")
        assert res.verdict is Verdict.REFUTED
    assert one(run_claims, random={"z": "normal(0, 1)"}, expr="P(z > 1)", relation="==",
               value="erfc(1/sqrt(2))/2").verdict is Verdict.CERTIFIED
    both = {"random": {"u": "uniform(-1, 1)", "b": "bernoulli(1/2)"}, "relation": "=="}
    assert one(run_claims, **both, expr="E(b*u + b)", value="1/2").verdict is Verdict.CERTIFIED
    assert one(run_claims, **both, expr="E(max(u, 0))", value="1/4").verdict is Verdict.CERTIFIED
    assert one(run_claims, random={"n": "binomial(10, 1/3)"}, relation="==", expr="Var(n)",
               value="20/9").verdict is Verdict.CERTIFIED


def test_random_identity_with_parameters(run_claims):
    base = {"kind": "identity", "random": {"z": "normal(0, 1)"}}
    assert one(run_claims, **base, lhs="E((z + a)**2)", rhs="1 + a**2").verdict is Verdict.CERTIFIED
    assert one(run_claims, **base, lhs="E((z + a)**2)", rhs="1 + a**2 + 10**-30").verdict is Verdict.REFUTED
    assert one(run_claims, **base, lhs="E(max(s*z, 0))", rhs="s/sqrt(2*pi)",
               assume={"s": "positive"}).verdict is Verdict.CERTIFIED


def test_unevaluated_expectation_is_inconclusive(run_claims):
    # sympy.stats cannot integrate this mixture of continuous and discrete variables
    res = one(run_claims, random={"u": "uniform(-1, 1)", "b": "bernoulli(1/2)"}, expr="P(u > 0 and b > 0)",
              relation="==", value="1/4")
    assert res.verdict is Verdict.INCONCLUSIVE and res.evidence["reason"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"random": {"z": "normal(0, -1)"}, "expr": "E(z)", "value": "0"}, "random.z"),
    ({"random": {"z": "uniform(1, 1)"}, "expr": "E(z)", "value": "0"}, "random.z"),
    ({"random": {"z": "bernoulli(2)"}, "expr": "E(z)", "value": "0"}, "random.z"),
    ({"random": {"z": "cauchy(0, 1)"}, "expr": "E(z)", "value": "0"}, "random.z"),
    ({"random": {"E": "normal(0, 1)"}, "expr": "1", "value": "1"}, "random"),
    ({"random": {"z": "normal(0, 1)"}, "expr": "z + 1", "value": "1"}, "expr"),
    ({"random": {"z": "normal(0, 1)"}, "expr": "E(z > 1)", "value": "1"}, "expr"),
    ({"random": {"z": "normal(0, 1)"}, "expr": "P(z)", "value": "1"}, "expr"),
    ({"random": {"z": "normal(0, 1)"}, "expr": "E(z) > 1", "value": "1"}, "expr"),
])
def test_random_field_errors(run_claims, fields, field):
    res = one(run_claims, relation="==", **fields)
    assert res.verdict is Verdict.ERROR and f"field '{field}'" in res.summary, res.summary
