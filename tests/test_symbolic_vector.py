"""The vector language: Gram expansion, certified and refuted vector identities, bad input."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp

from core.errors import FieldError
from symbolic.vector import VectorSpace, expand_to_gram
from tests.conftest import toml_claim
from verify.verdict import Verdict

LHS = "sqnorm(x - alpha*grad(x) - xs)"
RHS = "sqnorm(x - xs) - 2*alpha*inner(grad(x), x - xs) + alpha**2*sqnorm(grad(x))"
RHS_FLIPPED = "sqnorm(x - xs) + 2*alpha*inner(grad(x), x - xs) + alpha**2*sqnorm(grad(x))"


def _dot(u, v):
    return sum((a * b for a, b in zip(u, v, strict=True)), Fraction(0))


def test_issue_identity_certified(run_claims):
    results, rejected = run_claims(toml_claim(id="v", kind="identity", points=["x", "xs"], lhs=LHS, rhs=RHS))
    assert not rejected
    assert results["v"].verdict is Verdict.CERTIFIED
    assert "Gram" in results["v"].summary


def test_flipped_sign_refuted_with_explicit_vectors(run_claims):
    results, _ = run_claims(toml_claim(id="v", kind="identity", points=["x", "xs"], lhs=LHS, rhs=RHS_FLIPPED,
                                       assume={"alpha": "positive"}))
    res = results["v"]
    assert res.verdict is Verdict.REFUTED
    w = res.evidence["witness"]
    assert w["dimension"] == 2
    # independent re-check in coordinates with Fractions: lhs - rhs = -4 alpha <g, x - xs> != 0
    x = [Fraction(c) for c in w["points"]["x"]]
    xs = [Fraction(c) for c in w["points"]["xs"]]
    g = [Fraction(c) for c in w["gradients"]["x"]]
    alpha = Fraction(w["parameters"]["alpha"])
    assert alpha > 0
    step = [a - alpha * b - c for a, b, c in zip(x, g, xs, strict=True)]
    d = [a - c for a, c in zip(x, xs, strict=True)]
    lhs = _dot(step, step)
    rhs = _dot(d, d) + 2 * alpha * _dot(g, d) + alpha**2 * _dot(g, g)
    assert lhs != rhs
    assert str(lhs - rhs) in res.evidence["witness_check"]


def test_gram_expansion_matches_coordinates():
    rng = random.Random(7)
    space = VectorSpace(["x", "y", "xs"])
    text = "inner(x - 3*grad(y), 2*y - xs/5) + a*sqnorm(grad(x) - grad(y)) - f(x) + f(xs)"
    expr, _ = expand_to_gram(text, space, {"a": sp.Symbol("a", real=True)})
    for _ in range(5):
        dim = 3
        vec = {k: [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(dim)] for k in
               ("x", "y", "xs", "gx", "gy")}
        fx, fs, a = Fraction(rng.randint(0, 9)), Fraction(-1), Fraction(rng.randint(-5, 5), 3)
        u = [p - 3 * q for p, q in zip(vec["x"], vec["gy"], strict=True)]
        v = [2 * p - q / 5 for p, q in zip(vec["y"], vec["xs"], strict=True)]
        w = [p - q for p, q in zip(vec["gx"], vec["gy"], strict=True)]
        expected = _dot(u, v) + a * _dot(w, w) - fx + fs
        label = {"x": "x", "y": "y", "xs": "xs", "grad(x)": "gx", "grad(y)": "gy"}
        subs = {space.gram(p, q): sp.Rational(str(_dot(vec[label[p]], vec[label[q]])))
                for p in space.basis for q in space.basis}
        subs.update({space.fvalues["x"]: sp.Rational(str(fx)), space.fvalues["xs"]: sp.Rational(str(fs)),
                     sp.Symbol("a", real=True): sp.Rational(str(a))})
        assert expr.xreplace(subs) == sp.Rational(str(expected))


def test_minimizer_gradient_is_zero(run_claims):
    results, _ = run_claims(toml_claim(id="v", kind="identity", points=["x", "xs"],
                                       lhs="inner(grad(x) - grad(xs), x - xs)", rhs="inner(grad(x), x - xs)"))
    assert results["v"].verdict is Verdict.CERTIFIED


def test_vector_identity_with_where_and_domain(run_claims):
    # one gradient step with alpha = 1/L: ||x+ - xs||^2 expanded
    results, _ = run_claims(toml_claim(id="v", kind="identity", points=["x", "xs"],
                                       lhs="sqnorm(x - alpha*grad(x) - xs)",
                                       rhs="sqnorm(x - xs) - 2/L*inner(grad(x), x - xs)"
                                           " + sqnorm(grad(x))/L**2",
                                       where={"alpha": "1/L"}, assume={"L": "positive"}))
    assert results["v"].verdict is Verdict.CERTIFIED


def test_inconclusive_when_true_only_for_gram_matrices(run_claims):
    # |<x, x>| = ||x||^2 holds for every real vector, but not for an arbitrary real Gram symbol
    results, _ = run_claims(toml_claim(id="v", kind="identity", points=["x"], lhs="abs(inner(x, x))",
                                       rhs="sqnorm(x)"))
    assert results["v"].verdict is Verdict.INCONCLUSIVE
    assert "reason" in results["v"].evidence


@pytest.mark.parametrize("lhs", ["x", "x*y", "x + 1", "f(x + y)", "grad(2*x)", "sqrt(x)", "x**2",
                                 "inner(x, 1)", "1/x", "f(z)"])
def test_type_errors_are_field_errors(run_claims, lhs):
    results, _ = run_claims(toml_claim(id="v", kind="identity", points=["x", "y"], lhs=lhs, rhs="0"))
    res = results["v"]
    assert res.verdict is Verdict.ERROR
    assert "lhs" in res.summary and "Traceback" not in res.summary


@pytest.mark.parametrize("points", [[], ["x", "x"], ["1x"], ["sqrt"], ["grad"], "x", [1]])
def test_bad_points(run_claims, points):
    results, rejected = run_claims(toml_claim(id="v", kind="identity", points=points, lhs="sqnorm(x)",
                                              rhs="0"))
    assert results["v"].verdict is Verdict.ERROR
    assert "points" in results["v"].summary


def test_point_name_clashing_with_parameter(run_claims):
    results, _ = run_claims(toml_claim(id="v", kind="identity", points=["x"], lhs="sqnorm(x)", rhs="x",
                                       assume={"x": "positive"}))
    assert results["v"].verdict is Verdict.ERROR


def test_parse_errors_direct():
    space = VectorSpace(["x"])
    with pytest.raises(FieldError):
        space.parse("2*x", field="e")
    assert space.parse("sqnorm(2*x)", field="e") == 4 * space.gram("x", "x")
