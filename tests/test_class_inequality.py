"""The class-inequality kind: certified by exact certificates (re-checked by the standard-library checker),
refuted by explicit quadratics, inconclusive when neither applies, one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

from pep import certcheck
from tests.conftest import toml_claim
from verify.verdict import Verdict

COCO = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L=10, m=1, points=["x", "y"],
            lhs="inner(grad(x) - grad(y), x - y)", relation=">=",
            rhs="m*L/(m + L)*sqnorm(x - y) + 1/(m + L)*sqnorm(grad(x) - grad(y))")


def claim(**changes: object) -> str:
    fields = {**COCO, "id": "c", **changes}
    return toml_claim(**{k: v for k, v in fields.items() if v is not None})


def test_cocoercivity_is_certified_and_the_certificate_rechecks(run_claims, tmp_path):
    # Nesterov 2004, Theorem 2.1.12: true for every m-strongly convex L-smooth f.
    results, _ = run_claims(claim())
    result = results["c"]
    assert result.verdict is Verdict.CERTIFIED, result.summary
    path = result.evidence["certificate"]
    cert = json.loads(open(path, encoding="utf-8").read())
    assert certcheck.check(cert)[0]
    assert certcheck.main([path]) == 0


def test_doubled_cocoercivity_is_refuted_by_a_quadratic(run_claims):
    results, _ = run_claims(claim(rhs="m*L/(m + L)*sqnorm(x - y) + 2/(m + L)*sqnorm(grad(x) - grad(y))"))
    result = results["c"]
    assert result.verdict is Verdict.REFUTED
    witness = result.evidence["counterexample"]
    assert witness["function"].startswith("f(x) = 1/2")
    assert float(witness["excess"].split("/")[0]) > 0


def test_non_quadratic_form_that_holds_is_inconclusive(run_claims):
    # Cauchy-Schwarz is true but not linear in the Gram entries: no quadratic breaks it, no PEP proves it.
    results, _ = run_claims(claim(**{"class": "smooth-convex"}, m=None, lhs="inner(x, y)**2", relation="<=",
                                  rhs="sqnorm(x)*sqnorm(y)"))
    assert results["c"].verdict is Verdict.INCONCLUSIVE
    assert "not linear" in results["c"].summary


def test_false_claim_without_quadratic_witness_is_not_certified(run_claims):
    # For convex L-smooth f, f(y) >= f(x) + <g_x, y - x> + 1/(2L)||g_y - g_x||^2 holds; the factor 1/L
    # in place of 1/(2L) is false (it fails on 1-D Huber functions; quadratics x^2/2 give equality at 1/2
    # and cannot break it) -- the verdict must not be certified.
    results, _ = run_claims(claim(**{"class": "smooth-convex"}, m=None, L=1, lhs="f(y)", relation=">=",
                                  rhs="f(x) + inner(grad(x), y - x) + 1/L*sqnorm(grad(y) - grad(x))"))
    assert results["c"].verdict in (Verdict.REFUTED, Verdict.INCONCLUSIVE)


@pytest.mark.parametrize(("changes", "field"), [
    ({"relation": ">"}, "relation"),
    ({"class": "smooth", "m": None, "points": ["x", "xs", "xs"]}, "points"),
    ({"class": "smooth-convex"}, "m"),
    ({"m": 10}, "m"),
    ({"m": None}, "m"),
    ({"class": "lipschitz"}, "class"),
    ({"points": "x"}, "points"),
    ({"points": ["x", "x"]}, "points"),
    ({"rhs": "t*sqnorm(x - y)"}, "rhs"),
    ({"lhs": "grad(x)"}, "lhs"),
    ({"L": -1}, "L"),
])
def test_bad_input_is_a_one_line_field_error(run_claims, changes, field):
    results, rejected = run_claims(claim(**changes))
    line = rejected[0].error.line() if rejected else results["c"].summary
    assert rejected or results["c"].verdict is Verdict.ERROR
    assert "\n" not in line and f"field '{field}'" in line, line


def test_nonconvex_class_with_a_minimizer(run_claims):
    # issue 13: the chapter's stability step <grad f(x), x - x*> >= ||grad f(x)||^2 / L needs convexity. For
    # L-smooth f with a global minimizer it fails on f = L (1 - cos x) at x = 6: 6 sin 6 < sin^2 6 (sin 6<0);
    # the descent lemma at x*, f(x) - f* <= L/2 ||x - x*||^2, holds for every L-smooth f (certified), and a
    # bound a hair below it fails on the quadratic L x^2/2
    base = dict(**{"class": "smooth"}, m=None, L=1, points=["x", "xs"])
    results, _ = run_claims(
        claim(id="stab", **base, lhs="inner(grad(x), x - xs)", relation=">=", rhs="sqnorm(grad(x))/L"),
        claim(id="gap", **base, lhs="f(x) - f(xs)", relation="<=", rhs="L/2*sqnorm(x - xs)"),
        claim(id="gap.below", **base, lhs="f(x) - f(xs)", relation="<=",
              rhs="(1 - 10**-30)*L/2*sqnorm(x - xs)"))
    stab = results["stab"]
    assert stab.verdict is Verdict.REFUTED, stab.summary
    assert "cos" in stab.evidence["counterexample"]["function"]
    assert results["gap"].verdict is Verdict.CERTIFIED, results["gap"].summary
    assert results["gap.below"].verdict is Verdict.REFUTED, results["gap.below"].summary
