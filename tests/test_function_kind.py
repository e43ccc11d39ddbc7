"""``kind = "function"``: every quantity against values computed by hand or by an independent library
(fractions, mpmath, numpy), perturbations of true tight claims that must not certify, and field errors."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from tests.conftest import toml_claim
from verify.verdict import Verdict

EPS = [1, 5, 10, 20, 30]  # relative perturbations 10^-e


def fn(**fields):
    fields.setdefault("id", "c")
    fields.setdefault("kind", "function")
    return toml_claim(**fields)


def one(run_claims, **fields):
    results, rejected = run_claims(fn(**fields))
    assert not rejected, [r.error.line() for r in rejected]
    return results["c"]


def perturbed(text: str, e: int, sign: int = 1) -> str:
    return f"({text})*(1 + {sign}*10**-{e})"


QUAD = {"f": "x1**2 + 4*x2**2", "variables": ["x1", "x2"]}


def test_gradient_hessian_directional_by_hand(run_claims):
    at = {"x1": "1", "x2": "1"}
    assert one(run_claims, **QUAD, quantity="gradient", at=at, value=["2", "8"]).verdict is Verdict.CERTIFIED
    res = one(run_claims, **QUAD, quantity="gradient-norm", at=at, value="sqrt(68)")
    assert res.verdict is Verdict.CERTIFIED
    assert abs(float(res.evidence["computed_50_digits"]) - np.hypot(2, 8)) < 1e-12
    assert one(run_claims, **QUAD, quantity="hessian", at=at,
               value=[["2", "0"], ["0", "8"]]).verdict is Verdict.CERTIFIED
    res = one(run_claims, f="x1**2 + x2**2", variables=["x1", "x2"], quantity="directional-derivative",
              at={"x1": "1", "x2": "0"}, direction={"x1": "1/sqrt(2)", "x2": "1/sqrt(2)"}, value="sqrt(2)")
    assert res.verdict is Verdict.CERTIFIED


@pytest.mark.parametrize("e", EPS)
@pytest.mark.parametrize("sign", [1, -1])
def test_perturbed_gradient_norm_never_certified(run_claims, e, sign):
    res = one(run_claims, **QUAD, quantity="gradient-norm", at={"x1": "1", "x2": "1"},
              value=perturbed("sqrt(68)", e, sign))
    assert res.verdict is Verdict.REFUTED
    res = one(run_claims, **QUAD, quantity="gradient", at={"x1": "1", "x2": "1"},
              value=["2", perturbed("8", e, sign)])
    assert res.verdict is Verdict.REFUTED


def test_non_polynomial_gradient_against_mpmath(run_claims):
    # d/dx [exp(x) sin(y)] = exp(x) sin(y) at (1/2, 1/3); mpmath's diff is an independent numerical derivative
    f = "exp(x)*sin(y) + log(1 + x**2)"
    exact = "exp(1/2)*sin(1/3) + 1/(1 + 1/4)"
    res = one(run_claims, f=f, variables=["x", "y"], quantity="gradient", at={"x": "1/2", "y": "1/3"},
              value=[exact, "exp(1/2)*cos(1/3)"])
    assert res.verdict is Verdict.CERTIFIED
    with mpmath.workdps(30):
        g = mpmath.diff(lambda x: mpmath.exp(x) * mpmath.sin(mpmath.mpf(1) / 3) + mpmath.log(1 + x**2),
                        mpmath.mpf(1) / 2)
        assert abs(mpmath.mpf(res.evidence["computed_50_digits"][0]) - g) < 1e-20
    for e in EPS:
        res = one(run_claims, f=f, variables=["x", "y"], quantity="gradient", at={"x": "1/2", "y": "1/3"},
                  value=[perturbed(exact, e), "exp(1/2)*cos(1/3)"])
        assert res.verdict is not Verdict.CERTIFIED


def test_kink_is_not_differentiated(run_claims):
    # sympy would give sign(0) = 0 and Heaviside(0) = 1/2: wrong claims about a non-differentiable point
    for f, value in (("abs(x)", ["0"]), ("max(x, 0)", ["1/2"]), ("max(x, 0)", ["0"])):
        res = one(run_claims, f=f, variables=["x"], quantity="gradient", at={"x": "0"}, value=value)
        assert res.verdict is Verdict.INCONCLUSIVE, f
    res = one(run_claims, f="abs(x) + max(y, 2*y)", variables=["x", "y"], quantity="gradient",
              at={"x": "-3", "y": "1"}, value=["-1", "2"])
    assert res.verdict is Verdict.CERTIFIED
    # boundary of the domain: x**(3/2) is not differentiable (two-sided) at 0
    res = one(run_claims, f="x**(3/2)", variables=["x"], quantity="gradient", at={"x": "0"}, value=["0"])
    assert res.verdict is Verdict.INCONCLUSIVE


def test_saddle_and_classifications(run_claims):
    saddle = {"f": "x**2 - y**2", "variables": ["x", "y"], "at": {"x": "0", "y": "0"}}
    assert one(run_claims, **saddle, quantity="definiteness", value="indefinite").verdict is Verdict.CERTIFIED
    assert one(run_claims, **saddle, quantity="classification", value="saddle").verdict is Verdict.CERTIFIED
    for wrong in ("minimum", "maximum"):
        assert one(run_claims, **saddle, quantity="classification", value=wrong).verdict is Verdict.REFUTED
    assert one(run_claims, **saddle, quantity="classification", value="minimum",
               relation="!=").verdict is Verdict.CERTIFIED
    # a non-stationary point is none of the three
    res = one(run_claims, f="x**2 - y**2", variables=["x", "y"], at={"x": "1", "y": "0"},
              quantity="classification", value="saddle")
    assert res.verdict is Verdict.REFUTED
    # x^4 - 2x^2: local max at 0 (H = -4), minima at +-1 (H = 8)
    w = {"f": "x**4 - 2*x**2", "variables": ["x"], "quantity": "classification"}
    assert one(run_claims, **w, at={"x": "0"}, value="maximum").verdict is Verdict.CERTIFIED
    assert one(run_claims, **w, at={"x": "1"}, value="minimum").verdict is Verdict.CERTIFIED
    # x^4 at 0: H = 0, the second-order test decides nothing
    assert one(run_claims, f="x**4", variables=["x"], quantity="classification", at={"x": "0"},
               value="minimum").verdict is Verdict.INCONCLUSIVE
    # x^2 + y^3 at 0: H = diag(2, 0) is PSD singular: no maximum, the rest undecided
    z = {"f": "x**2 + y**3", "variables": ["x", "y"], "at": {"x": "0", "y": "0"},
         "quantity": "classification"}
    assert one(run_claims, **z, value="maximum").verdict is Verdict.REFUTED
    assert one(run_claims, **z, value="minimum").verdict is Verdict.INCONCLUSIVE


def test_definiteness_irrational_matrix(run_claims):
    # H = [[2, sqrt(2)], [sqrt(2), 1]] has det 0: positive semidefinite, not definite
    base = {"f": "x**2 + sqrt(2)*x*y + y**2/2", "variables": ["x", "y"], "at": {"x": "0", "y": "0"},
            "quantity": "definiteness"}
    assert one(run_claims, **base, value="positive-semidefinite").verdict is Verdict.CERTIFIED
    assert one(run_claims, **base, value="positive-definite").verdict is Verdict.REFUTED
    near = dict(base, f="x**2 + sqrt(2)*(1 + 10**-30)*x*y + y**2/2")
    assert one(run_claims, **near, value="positive-semidefinite").verdict is Verdict.REFUTED
    assert one(run_claims, **near, value="indefinite").verdict is Verdict.CERTIFIED


def test_stationary_points_complete(run_claims):
    f = {"f": "x**3 - 3*x + y**2", "variables": ["x", "y"], "quantity": "stationary-points"}
    res = one(run_claims, **f, value=[{"x": "1", "y": "0"}, {"x": "-1", "y": "0"}])
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, **f, value=[{"x": "1", "y": "0"}])
    assert res.verdict is Verdict.REFUTED
    assert res.evidence["witness"]["stationary_point_not_listed"] == ["-1", "0"]
    assert one(run_claims, **f, value=[{"x": "1", "y": "0"}, {"x": "-1", "y": "10**-30"}]).verdict is \
        Verdict.REFUTED
    # irrational stationary points: x^4 - 4x^2 has x = 0, +-sqrt(2)
    res = one(run_claims, f="x**4 - 4*x**2", variables=["x"], quantity="stationary-points",
              value=[["0"], ["sqrt(2)"], ["-sqrt(2)"]])
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, f="x**4 - 4*x**2", variables=["x"], quantity="stationary-points",
              value=[["0"], ["sqrt(2)"], ["-sqrt(2)*(1 + 10**-30)"]])
    assert res.verdict is Verdict.REFUTED
    # log(x) + x: the gradient's numerator vanishes at x = -1, outside the domain of f
    res = one(run_claims, f="log(x) + x", variables=["x"], quantity="stationary-points", value=[])
    assert res.verdict is Verdict.CERTIFIED
    res = one(run_claims, f="log(x) + x", variables=["x"], quantity="stationary-points", value=[["-1"]])
    assert res.verdict is Verdict.REFUTED
    # a line of minima is not zero-dimensional
    res = one(run_claims, f="(x - y)**2", variables=["x", "y"], quantity="stationary-points",
              value=[{"x": "0", "y": "0"}])
    assert res.verdict is Verdict.INCONCLUSIVE


def gd_fraction(grad, x0, alpha, k):
    x = [Fraction(v) for v in x0]
    for _ in range(k):
        g = grad(x)
        x = [xi - alpha * gi for xi, gi in zip(x, g, strict=True)]
    return x


def test_gd_iterates_against_fractions(run_claims):
    # Example 3: A = diag(100, 1), alpha = 0.019, from (1, 1); the book prints x_2 = (0.81, 0.9624)
    expected = gd_fraction(lambda x: [100 * x[0], x[1]], ["1", "1"], Fraction(19, 1000), 2)
    assert expected == [Fraction(81, 100), Fraction(962361, 1000000)]
    base = {"f": "(100*x1**2 + x2**2)/2", "variables": ["x1", "x2"], "quantity": "iterate",
            "method": {"name": "gd", "step": "0.019"}, "start": {"x1": "1", "x2": "1"}, "K": 2}
    res = one(run_claims, **base, value=["0.81", "0.9624"])
    assert res.verdict is Verdict.REFUTED
    assert res.evidence["iterates"][2]["x"] == ["81/100", "962361/1000000"]
    assert one(run_claims, **base, value=["0.81", "0.9624"], relation="approx").verdict is Verdict.CERTIFIED
    assert one(run_claims, **base, value=["0.81", "0.962361"]).verdict is Verdict.CERTIFIED
    for e in EPS:
        assert one(run_claims, **base, value=["0.81", perturbed("0.962361", e)]).verdict is Verdict.REFUTED


def test_methods_against_independent_runs(run_claims):
    # heavy ball and Nesterov on diag(1, 10) in fractions, written out independently
    a, b = Fraction(1, 10), Fraction(1, 2)
    lam = [Fraction(1), Fraction(10)]

    def hb(steps):
        x, prev = [Fraction(1), Fraction(1)], [Fraction(1), Fraction(1)]
        for _ in range(steps):
            x, prev = [xi - a * li * xi + b * (xi - pi) for xi, pi, li in zip(x, prev, lam, strict=True)], x
        return x

    def nes(steps):
        x, prev = [Fraction(1), Fraction(1)], [Fraction(1), Fraction(1)]
        for _ in range(steps):
            y = [xi + b * (xi - pi) for xi, pi in zip(x, prev, strict=True)]
            x, prev = [yi - a * li * yi for yi, li in zip(y, lam, strict=True)], x
        return x

    base = {"f": "(x1**2 + 10*x2**2)/2", "variables": ["x1", "x2"], "start": {"x1": "1", "x2": "1"}, "K": 7,
            "quantity": "iterate"}
    for name, ref in (("heavy-ball", hb), ("nesterov", nes)):
        res = one(run_claims, **base, method={"name": name, "step": "1/10", "momentum": "1/2"},
                  value=[str(v) for v in ref(7)])
        assert res.verdict is Verdict.CERTIFIED, name
    # Newton on a non-quadratic: one step of x - f'/f'' for f = x^4 + x from x = 1: 1 - 5/12 = 7/12
    res = one(run_claims, f="x**4 + x", variables=["x"], quantity="iterate", method={"name": "newton"},
              start={"x": "1"}, K=1, value=["7/12"])
    assert res.verdict is Verdict.CERTIFIED
    # Polyak and exact line search on a quadratic
    res = one(run_claims, f="(x - 3)**2/2", variables=["x"], quantity="iterate",
              method={"name": "polyak", "f_star": "0"}, start={"x": "0"}, K=4, value=["45/16"])
    assert res.verdict is Verdict.CERTIFIED
    # exact line search on x^2 + 10 y^2 from (1, 1): alpha = g.g / g.Hg = (4 + 400)/(8 + 8000)
    g = [2, 20]
    alpha = Fraction(g[0] ** 2 + g[1] ** 2, 2 * g[0] ** 2 + 20 * g[1] ** 2)
    x1 = [1 - alpha * g[0], 1 - alpha * g[1]]
    res = one(run_claims, f="x**2 + 10*y**2", variables=["x", "y"], quantity="iterate",
              method={"name": "exact-line-search"}, start={"x": "1", "y": "1"}, K=1,
              value=[str(v) for v in x1])
    assert res.verdict is Verdict.CERTIFIED
    # Armijo on x^4 from 1 (c = tau = 1/2) accepts 1/16 after four backtracks
    res = one(run_claims, f="x**4", variables=["x"], quantity="iterate",
              method={"name": "armijo", "alpha0": "1", "c": "1/2", "tau": "1/2"}, start={"x": "1"}, K=1,
              value=["3/4"])
    assert res.verdict is Verdict.CERTIFIED and "after 4 backtracks" in res.evidence["steps"][0]


def test_iterations_to_tolerance_against_numpy(run_claims):
    # GD with alpha = 2/101 on diag(1, 100) from (1, 1) until |grad| <= 1e-6; counted independently in float64
    # (far from the threshold: the float count equals the exact one here)
    x = np.array([1.0, 1.0])
    k = 0
    while np.linalg.norm(np.array([1.0, 100.0]) * x) > 1e-6:
        x = x - 2 / 101 * np.array([1.0, 100.0]) * x
        k += 1
    base = {"f": "(x1**2 + 100*x2**2)/2", "variables": ["x1", "x2"], "quantity": "iterations",
            "method": {"name": "gd", "step": "2/101"}, "start": {"x1": "1", "x2": "1"}, "tolerance": "1e-6"}
    assert one(run_claims, **base, K=1000, value=k).verdict is Verdict.CERTIFIED
    assert one(run_claims, **base, K=1000, value=k - 1).verdict is Verdict.REFUTED
    assert one(run_claims, **base, K=10, value=5, relation="<=").verdict is Verdict.REFUTED
    assert one(run_claims, **base, K=10, value=5000).verdict is Verdict.INCONCLUSIVE


def test_newton_jumps_onto_the_saddle(run_claims):
    # the book: Newton "amplifies the gradient ... causing divergence"; in fact x_1 = x_0 - H^-1 grad = 0
    res = one(run_claims, f="x**2 - y**2", variables=["x", "y"], quantity="iterate",
              method={"name": "newton"}, start={"x": "0.1", "y": "0.1"}, K=1, relation="!=", value=["0", "0"])
    assert res.verdict is Verdict.REFUTED
    assert res.evidence["iterates"][1]["x"] == ["0", "0"]


def test_convexity(run_claims):
    c = {"quantity": "convexity"}
    assert one(run_claims, **c, f="x**2 + 10*y**2", variables=["x", "y"], value="strongly-convex",
               m="2").verdict is Verdict.CERTIFIED
    for e in EPS:
        res = one(run_claims, **c, f="x**2 + 10*y**2", variables=["x", "y"], value="strongly-convex",
                  m=perturbed("2", e))
        assert res.verdict is Verdict.REFUTED
    res = one(run_claims, **c, f="x**2 - y**2", variables=["x", "y"], value="convex")
    assert res.verdict is Verdict.REFUTED
    assert one(run_claims, **c, f="x**4", variables=["x"], value="convex").verdict is Verdict.CERTIFIED
    assert one(run_claims, **c, f="x**4", variables=["x"], value="strongly-convex", m="12",
               box={"x": ["1", "2"]}).verdict is Verdict.CERTIFIED
    assert one(run_claims, **c, f="x**4", variables=["x"], value="strongly-convex", m="12*(1 + 10**-30)",
               box={"x": ["1", "2"]}).verdict is Verdict.REFUTED
    assert one(run_claims, **c, f="max(0, 1 - x) + abs(y)", variables=["x", "y"],
               value="convex").verdict is Verdict.CERTIFIED
    assert one(run_claims, **c, f="min(x, 0)", variables=["x"], value="convex").verdict is Verdict.REFUTED
    assert one(run_claims, **c, f="log(x)", variables=["x"], value="concave",
               box={"x": ["1/2", "3"]}).verdict is Verdict.CERTIFIED
    # f is not defined on the whole box: no certificate
    assert one(run_claims, **c, f="-log(x)", variables=["x"], value="convex",
               box={"x": ["-1", "3"]}).verdict is not Verdict.CERTIFIED


def test_smoothness(run_claims):
    s = {"quantity": "smoothness"}
    res = one(run_claims, **s, f="x**2 + 10*y**2", variables=["x", "y"], value="20")
    assert res.verdict is Verdict.CERTIFIED
    # a rotated quadratic: L is the largest eigenvalue of [[2, 1], [1, 2]] = 3 (numpy independently)
    assert max(np.linalg.eigvalsh([[2.0, 1.0], [1.0, 2.0]])) == pytest.approx(3)
    assert one(run_claims, **s, f="x**2 + x*y + y**2", variables=["x", "y"],
               value="3").verdict is Verdict.CERTIFIED
    x4 = {"f": "x**4", "variables": ["x"], "box": {"x": ["-1", "1"]}}
    assert one(run_claims, **s, **x4, value="12").verdict is Verdict.CERTIFIED
    for e in EPS:
        assert one(run_claims, **s, **x4, value=perturbed("12", e, -1)).verdict is Verdict.REFUTED
        assert one(run_claims, **s, **x4, value=perturbed("12", e, 1)).verdict is not Verdict.CERTIFIED
        assert one(run_claims, **s, **x4, value=perturbed("12", e, -1),
                   relation="<=").verdict is Verdict.REFUTED
    assert one(run_claims, **s, f="x**4", variables=["x"], value="inf").verdict is Verdict.CERTIFIED
    assert one(run_claims, **s, f="x**2", variables=["x"], value="inf").verdict is Verdict.REFUTED


@pytest.mark.parametrize(("fields", "field"), [
    ({"quantity": "gradient", "value": ["1"]}, "at"),
    ({"quantity": "gradient", "at": {"x": "1"}, "value": ["1"], "variables": ["x", "x"]}, "variables"),
    ({"quantity": "gradient", "at": {"y": "1"}, "value": ["1"]}, "at.y"),
    ({"quantity": "speed", "value": "1"}, "quantity"),
    ({"quantity": "gradient", "at": {"x": "1"}, "value": ["1"], "relation": "<"}, "relation"),
    ({"quantity": "iterate", "start": {"x": "1"}, "K": 2, "value": ["1"], "method": {"name": "sgd"}},
     "method.name"),
    ({"quantity": "iterate", "start": {"x": "1"}, "K": 2, "value": ["1"], "method": {"name": "gd"}},
     "method.step"),
    ({"quantity": "iterate", "start": {"x": "1"}, "K": 2, "value": ["1"],
      "method": {"name": "gd", "step": "1", "beta": "1"}}, "method.beta"),
    ({"quantity": "iterate", "start": {"x": "1"}, "K": -1, "value": ["1"],
      "method": {"name": "gd", "step": "1"}}, "K"),
    ({"quantity": "convexity", "value": "strongly-convex"}, "m"),
    ({"quantity": "convexity", "value": "round"}, "value"),
    ({"quantity": "classification", "at": {"x": "0"}, "value": "peak"}, "value"),
    ({"quantity": "gradient", "at": {"x": "1"}, "value": ["1"], "f": "x + zz"}, "f"),
    ({"quantity": "smoothness", "value": "1", "box": {"x": ["1", "0"]}}, "box.x"),
])
def test_bad_fields_are_one_line_errors(run_claims, fields, field):
    fields = {"f": "x**2", "variables": ["x"], **fields}
    res = one(run_claims, **fields)
    assert res.verdict is Verdict.ERROR
    line = res.summary
    assert "claims.toml" in line and "claim 'c'" in line and f"field '{field}'" in line, line
    assert "\n" not in line


def test_doc_examples_run(tmp_path):
    """The TOML blocks of docs/claims.md's function and momentum sections parse and get the verdicts the
    text gives them (certified)."""
    import re

    from tests.conftest import REPO
    from verify.checkers import Context
    from verify.dispatch import check_claim, load_claims

    text = (REPO / "docs" / "claims.md").read_text(encoding="utf-8")
    section = text[text.index("### `function`"):text.index("## Caps")]
    blocks = re.findall(r"```toml\n(.*?)```", section, re.S)
    full = [b for b in blocks if b.lstrip().startswith("[[claim]]")]
    path = tmp_path / "doc.toml"
    path.write_text("".join(full), encoding="utf-8")
    claims, rejected = load_claims([path])
    assert not rejected and claims
    for claim in claims:
        assert check_claim(claim, Context()).verdict is Verdict.CERTIFIED, claim.id
