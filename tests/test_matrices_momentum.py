"""Matrices in expressions (exact, checked against numpy), heavy ball and Nesterov in the quadratic kind
(checked against numpy's eigenvalues of the 2 x 2 iteration matrix on a dense grid of the spectrum),
``relation = "!="``, and the sign of interval ends (a regression: ``man_exp`` is unsigned)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from core.errors import FieldError
from core.expr import parse_expr
from tests.conftest import toml_claim
from verify.verdict import Verdict

EPS = [1, 5, 10, 20, 30]


def one(run_claims, **fields):
    fields.setdefault("id", "c")
    results, rejected = run_claims(toml_claim(**fields))
    assert not rejected, [r.error.line() for r in rejected]
    return results["c"]


@pytest.mark.parametrize("rows", [
    [[1, 0], [0, 100]], [[2, 1], [1, 3]], [[4, 1, 0], [1, 3, 1], [0, 1, 2]], [[1, 2], [3, 4]],
    [[2, 1, 5], [0, 3, 1], [1, 0, 4]], [[0, -1, 0], [1, 0, 0], [0, 0, 2]],
])
def test_matrix_functions_match_numpy(rows):
    text = str(rows)
    a = np.array(rows, dtype=float)
    sym = a.T.tolist() == a.tolist()
    values = {
        "det": np.linalg.det(a), "norm2": np.linalg.norm(a, 2), "cond": np.linalg.cond(a, 2),
        "rho": max(abs(np.linalg.eigvals(a))), "trace": np.trace(a),
    }
    for name, ref in values.items():
        got = parse_expr(f"{name}({text})", field="e")
        assert float(sp.N(got, 30)) == pytest.approx(float(ref), rel=1e-10), name
    if sym:
        for k, ref in enumerate(sorted(np.linalg.eigvalsh(a)), start=1):
            got = parse_expr(f"eig({text}, {k})", field="e")
            assert float(sp.N(got, 30)) == pytest.approx(ref, rel=1e-10)
    inv = parse_expr(f"inv({text})", field="e", allow_matrix=True)
    assert np.allclose(np.array(inv.tolist(), dtype=float), np.linalg.inv(a), rtol=1e-12)


def test_condition_number_and_rate_claims(run_claims):
    where = {"A": "[[1, 0], [0, 100]]"}
    assert one(run_claims, kind="numeric", where=where, expr="cond(A)", relation="==",
               value="100").verdict is Verdict.CERTIFIED
    rate = {"kind": "numeric", "where": {**where, "m": "eig(A, 1)", "L": "eig(A, 2)"},
            "expr": "rho(eye(2) - 2/(m + L)*A)", "relation": "=="}
    assert one(run_claims, **rate, value="99/101").verdict is Verdict.CERTIFIED
    for e in EPS:
        for s in (1, -1):
            assert one(run_claims, **rate, value=f"99/101*(1 + {s}*10**-{e})").verdict is Verdict.REFUTED
            assert one(run_claims, kind="numeric", where=where, expr="cond(A)", relation="==",
                       value=f"100*(1 + {s}*10**-{e})").verdict is Verdict.REFUTED
    # irrational: cond([[1, 2], [3, 4]]) = (sqrt(221) + 15)/2 / ... check against numpy at 1e-12, then exactly
    c = float(np.linalg.cond(np.array([[1.0, 2.0], [3.0, 4.0]])))
    exact = "sqrt((15 + sqrt(221))/(15 - sqrt(221)))"
    assert float(sp.N(parse_expr(exact, field="e"), 30)) == pytest.approx(c, rel=1e-12)
    res = one(run_claims, kind="numeric", expr="cond([[1, 2], [3, 4]])", relation="==", value=exact)
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, kind="numeric", expr="cond([[1, 2], [3, 4]])", relation="==",
              value=f"{exact}*(1 + 10**-30)")
    assert res.verdict is Verdict.REFUTED


def test_matrix_values_and_identities(run_claims):
    assert one(run_claims, kind="numeric", expr="eig([[2, 1], [1, 2]])", relation="==",
               value="[1, 3]").verdict is Verdict.CERTIFIED
    assert one(run_claims, kind="numeric", expr="eig([[2, 1], [1, 2]])", relation="==",
               value="[1, 3 + 10**-30]").verdict is Verdict.REFUTED
    assert one(run_claims, kind="numeric", expr="inv([[2, 0], [0, -2]])", relation="!=",
               value="[[1/2, 0], [0, 1/2]]").verdict is Verdict.CERTIFIED
    # symbolic entries in an identity
    assert one(run_claims, kind="identity", where={"A": "[[a, b], [c, d]]"}, lhs="det(A)",
               rhs="a*d - b*c").verdict is Verdict.CERTIFIED
    assert one(run_claims, kind="identity", where={"A": "[[a, b], [b, a]]"}, lhs="trace(A**2)",
               rhs="2*a**2 + 2*b**2").verdict is Verdict.CERTIFIED


@pytest.mark.parametrize(("text", "message"), [
    ("[[1, 2], [3]]", "rows of different lengths"), ("[[1, 1], [1, 1]]**-1", "singular"),
    ("cond([[1, 1], [1, 1]])", "singular"), ("eig([[0, -1], [1, 0]])", "non-real"),
    ("[[1, 2], [3, 4]] + 1", "matrix and a number"), ("sqrt([[1, 0], [0, 1]])", "takes numbers"),
    ("[[1, 0], [0, 1]]**(1/2)", "whole exponent"), ("[1, 2]", "expected a number"),
    ("[[1, 2], [3, 4]]*[1, 2, 3]", "size mismatch"),
    ("rho([[5, -2, 1], [0, 3, 7], [2, 1, 6]])", "degree >= 3"),  # documented: not supported
])
def test_matrix_errors_are_field_errors(text, message):
    with pytest.raises(FieldError) as info:
        parse_expr(text, field="expr")
    assert info.value.field == "expr" and message in info.value.message


def test_matrix_in_where_must_be_defined_first(run_claims):
    res = one(run_claims, kind="identity", where={"B": "2*A", "A": "[[1, 0], [0, 1]]"}, lhs="trace(B)",
              rhs="4")
    assert res.verdict is Verdict.ERROR and "field 'where.B'" in res.summary


def test_matrix_function_names_still_name_parameters(run_claims):
    res = one(run_claims, kind="identity", lhs="rho*cond", rhs="cond*rho")
    assert res.verdict is Verdict.CERTIFIED


# momentum ---------------------------------------------------------------------------------------------------
def grid_rate(method, alpha, beta, m, L, n=4001):
    """max over a dense grid of lambda in [m, L] of numpy's spectral radius of the 2 x 2 iteration matrix."""
    worst = 0.0
    for lam in np.linspace(m, L, n):
        if method == "heavy-ball":
            t, q = 1 + beta - alpha * lam, beta
        else:
            c = 1 - alpha * lam
            t, q = (1 + beta) * c, beta * c
        worst = max(worst, max(abs(np.linalg.eigvals(np.array([[t, -q], [1.0, 0.0]])))))
    return worst


HB = {"kind": "quadratic", "method": "heavy-ball", "alpha": "4/(sqrt(L) + sqrt(m))**2",
      "beta": "((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**2", "metric": "rate"}


@pytest.mark.parametrize("L", [10, 100, 1000])
def test_heavy_ball_optimal_rate(run_claims, L):
    k = L
    alpha = 4 / (np.sqrt(L) + 1) ** 2
    beta = ((np.sqrt(k) - 1) / (np.sqrt(k) + 1)) ** 2
    ref = (np.sqrt(k) - 1) / (np.sqrt(k) + 1)
    # the double root makes numpy's eigenvalues accurate only to ~sqrt(machine epsilon)
    assert grid_rate("heavy-ball", alpha, beta, 1, L) == pytest.approx(ref, rel=1e-6)
    claim = {**HB, "m": 1, "L": L}
    assert one(run_claims, **claim, bound="(sqrt(kappa) - 1)/(sqrt(kappa) + 1)",
               relation="==").verdict is Verdict.CERTIFIED
    res = one(run_claims, **claim, bound="(kappa - 1)/(kappa + 1)", relation="<")
    assert res.verdict is Verdict.CERTIFIED
    for e in EPS:
        r = "(sqrt(kappa) - 1)/(sqrt(kappa) + 1)"
        assert one(run_claims, **claim, bound=f"{r}*(1 - 10**-{e})").verdict is Verdict.REFUTED
        assert one(run_claims, **claim, bound=f"{r}*(1 + 10**-{e})", relation="==").verdict is Verdict.REFUTED
        res = one(run_claims, **claim, bound=f"{r}*(1 + 10**-{e})", relation="!=")
        assert res.verdict is Verdict.CERTIFIED


@pytest.mark.parametrize(("method", "alpha", "beta"), [
    ("heavy-ball", "1/100", "1/2"), ("heavy-ball", "3/200", "9/10"), ("nesterov", "1/100", "9/11"),
    ("nesterov", "1/50", "1/3"), ("nesterov", "1/200", "0"),
])
def test_momentum_rates_match_numpy_grid(run_claims, method, alpha, beta):
    a, b = float(sp.Rational(alpha)), float(sp.Rational(beta))
    ref = grid_rate(method, a, b, 1, 100)
    res = one(run_claims, kind="quadratic", method=method, m=1, L=100, alpha=alpha, beta=beta, metric="rate",
              bound="2")
    assert res.verdict is Verdict.CERTIFIED
    value = mpmath.mpf(res.evidence["worst_rate"].split(" = ")[-1])
    assert float(value) == pytest.approx(ref, rel=1e-6)


def test_momentum_n_step_ratio_against_rerun(run_claims):
    # heavy ball's transient: with the optimal parameters the distance can grow before it decays
    claim = {**HB, "m": 1, "L": 100, "metric": "distance-ratio", "N": 3}
    res = one(run_claims, **claim, bound="1")
    assert res.verdict is Verdict.REFUTED
    lam = float(sp.Rational(res.evidence["witness"]["lambda"]))
    x, prev = 1.0, 1.0
    for _ in range(3):
        x, prev = x - 4 / 121 * lam * x + 81 / 121 * (x - prev), x
    assert abs(x) > 1 and float(res.evidence["witness"]["run_50_digits"]["distance_ratio"]) == \
        pytest.approx(abs(x), rel=1e-12)
    # N = 15 and 20 against the float64 recursion on a dense grid of [1, 100] (the maxima are far from 1)
    for n in (15, 20):
        worst = 0.0
        for lam in np.linspace(1, 100, 2001):
            x, prev = 1.0, 1.0
            for _ in range(n):
                x, prev = x - 4 / 121 * lam * x + 81 / 121 * (x - prev), x
            worst = max(worst, abs(x))
        assert abs(worst - 1) > 1e-3
        expected = Verdict.CERTIFIED if worst < 1 else Verdict.REFUTED
        assert one(run_claims, **dict(claim, N=n), bound="1").verdict is expected, (n, worst)


@pytest.mark.parametrize(("fields", "field"), [
    ({"beta": "-1/2"}, "beta"), ({"alpha": "0"}, "alpha"), ({"metric": "rate", "N": 3}, "N"),
    ({"m": 0}, "m"), ({"metric": "speed"}, "metric"), ({"relation": ">"}, "relation"),
    ({"method": "adam"}, "method"),
])
def test_momentum_field_errors(run_claims, fields, field):
    claim = {**HB, "m": 1, "L": 100, "bound": "1", **fields}
    res = one(run_claims, **claim)
    assert res.verdict is Verdict.ERROR and f"field '{field}'" in res.summary and "claim 'c'" in res.summary


# != ---------------------------------------------------------------------------------------------------------
def test_not_equal_relations(run_claims):
    res = one(run_claims, kind="numeric", expr="sqrt(2)**2", relation="!=", value="2")
    assert res.verdict is Verdict.REFUTED
    assert one(run_claims, kind="numeric", expr="sqrt(2)", relation="!=",
               value="1.4142135623730950488016887242").verdict is Verdict.CERTIFIED
    assert one(run_claims, kind="numeric", expr="pi", relation="!=", value="pi").verdict is Verdict.REFUTED
    for e in EPS:
        assert one(run_claims, kind="numeric", expr="pi", relation="!=",
                   value=f"pi*(1 + 10**-{e})").verdict is Verdict.CERTIFIED
    res = one(run_claims, kind="inequality", lhs="x**2 + 1", relation="!=", rhs="0")
    assert res.verdict is Verdict.CERTIFIED
    assert one(run_claims, kind="inequality", lhs="x**2", relation="!=", rhs="4").verdict is Verdict.REFUTED
    q = {"kind": "quadratic", "m": 1, "L": 100, "schedule": "constant", "alpha": "2/101", "N": 1,
         "metric": "distance-ratio", "relation": "!="}
    assert one(run_claims, **q, bound="99/101").verdict is Verdict.REFUTED
    for e in EPS:
        assert one(run_claims, **q, bound=f"99/101*(1 + 10**-{e})").verdict is Verdict.CERTIFIED


# interval ends ----------------------------------------------------------------------------------------------
def test_interval_ends_keep_their_sign_and_precision(run_claims):
    from numeric.interval import _exact, rational_between

    iv = mpmath.iv
    old = iv.prec
    iv.prec = 200
    try:
        third = iv.mpf(-1) / 3
        assert _exact(third.a) <= sp.Rational(-1, 3) <= _exact(third.b)
        assert abs(_exact(third.a) + sp.Rational(1, 3)) < sp.Rational(1, 2**190)
    finally:
        iv.prec = old
    a, b = -sp.sqrt(5), -sp.sqrt(5) + sp.Rational(1, 10**30)
    r = rational_between(a, b)
    assert (r - a).evalf(60) > 0 and (b - r).evalf(60) > 0
    # x^2 + 5x + 5 < 0 at x = -5/2: this was falsely certified when the probe between the two negative roots
    # came out positive
    res = one(run_claims, kind="inequality", lhs="x**2 + 5*x + 5", relation=">=", rhs="0", domain=["x < 0"])
    assert res.verdict is Verdict.REFUTED
