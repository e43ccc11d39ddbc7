"""Methods as a step matrix H (pep.methods) and rate claims about them: heavy ball, Nesterov, OGM, a user H.

Independent values: the step matrices are expanded here by hand from each method's recursion; OGM's worst
case is Kim and Fessler's L R^2 / (2 theta_N^2) (2016, Theorem 2); Drori and Teboulle's 1/(4N + 2) for
gradient descent written as a user H; heavy ball and Nesterov values are PEPit 0.5.1's (SCS 3.3.1, run side
by side with benchmarks/methods_vs_pepit.py, each method written out with PEPit's own oracles).
"""

from __future__ import annotations

import json
import math
from fractions import Fraction as F

import pytest

from pep import certcheck
from pep.classes import make_class
from pep.fastbuild import build_pep_float, from_exact
from pep.methods import fsfom, gd, heavy_ball, nesterov, ogm, ogm_thetas
from pep.problem import build_pep
from pep.solve import solve
from tests.conftest import toml_claim
from verify.verdict import Verdict

# SCS stops at eps 1e-7 (pep.solve.SCS_EPS) on values of order 1e-3..1e-1: relative agreement 1e-5 is well
# above the solver's error and far below any difference between distinct methods tried here. A test-only
# float comparison; no verdict depends on it.
SOLVER_RTOL = 1e-5


def test_step_matrices_expand_the_recursions() -> None:
    assert gd([F(1), F(2)]).H == ((1,), (1, 2))
    # heavy ball, alpha = 1, beta = 1/2: z1 = z0 - g0; z2 = z1 - g1 + (z1 - z0) / 2 = z0 - 3/2 g0 - g1
    assert heavy_ball(F(1), F(1, 2), 2).H == ((1,), (F(3, 2), 1))
    # Nesterov, alpha = 1, beta = 1/3: x1 = x0 - g0, y1 = x1 + (x1 - x0)/3 = x0 - 4/3 g0; x2 = y1 - g1
    assert nesterov(F(1), F(1, 3), 2).H == ((F(4, 3),), (F(4, 3), 1))
    assert ogm(1).H == ((F(3, 2),),)  # theta_0 = 1, theta_1 = 2: x1 = y1 + (y1 - x0)/2, y1 = x0 - g0
    assert fsfom([[1], [0, 1]], "increments").H == gd([1, 1]).H
    assert gd([F(1), F(2)]).increments() == [[1], [0, 2]]
    assert heavy_ball(F(1), 0, 3).steps == [1, 1, 1]  # no momentum: gradient descent
    assert nesterov(F(1), F(1, 3), 2).steps == [F(4, 3), 1]  # the last step has no momentum: still GD
    assert nesterov(F(1), F(1, 3), 3).H[1] == (F(13, 9), F(4, 3))  # y2 = x2 + (x2 - x1)/3
    assert nesterov(F(1), F(1, 3), 3).steps is None


@pytest.mark.parametrize("bad", [[], [[1, 2]], [[1], [1]], [[1], [1, 2, 3]]])
def test_a_user_matrix_must_be_lower_triangular(bad) -> None:
    with pytest.raises(ValueError):
        fsfom(bad)


def test_exact_and_float_builders_agree_for_every_method() -> None:
    cls = make_class("smooth-strongly-convex", F(1, 4))
    methods = (heavy_ball(F(16, 9), F(1, 9), 3), nesterov(F(1), F(1, 3), 3), ogm(1), fsfom([[1], [2, 1]]))
    for method in methods:
        exact = from_exact(build_pep(cls, method, "distance", "distance"))
        fast = build_pep_float(cls, method, "distance", "distance")
        assert abs(exact.A - fast.A).max() < 1e-12 and abs(exact.B - fast.B).max() == 0


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10])
def test_ogm_reproduces_kim_fessler(n: int) -> None:
    value = solve(build_pep_float("smooth-convex", ogm(n), "distance", "function-gap"), "scs").value
    assert math.isclose(value, 1 / (2 * ogm_thetas(n)[-1] ** 2), rel_tol=SOLVER_RTOL)


@pytest.mark.parametrize(("method", "fclass", "q", "metric", "pepit"), [
    (heavy_ball(1.0, 0.5, 5), "smooth-convex", 0.0, "function-gap", 0.060818783),
    (heavy_ball(16 / 9, 1 / 9, 4), "smooth-strongly-convex", 0.25, "distance", 0.036027681),
    (heavy_ball(1.0, 0.3, 10), "smooth-strongly-convex", 0.1, "distance", 0.042569156),
    (nesterov(1.0, [k / (k + 3) for k in range(20)], 20), "smooth-convex", 0.0, "function-gap", 0.0039525697),
])
def test_momentum_methods_match_pepit(method, fclass, q, metric, pepit) -> None:
    value = solve(build_pep_float(fclass, method, "distance", metric, q=q), "scs").value
    assert math.isclose(value, pepit, rel_tol=SOLVER_RTOL)


BASE = dict(kind="rate", **{"class": "smooth-convex"}, L=1, N=1, method="ogm", initial="distance",
            metric="function-gap", bound="L*R**2/8")


def rate(**changes: object) -> str:
    """A rate claim about a method: OGM at N = 1 with ``changes`` (None removes a field)."""
    fields = {**BASE, "id": "r", **changes}
    return toml_claim(**{k: v for k, v in fields.items() if v is not None})


def test_ogm_one_step_is_certified_and_a_hair_below_refuted(run_claims) -> None:
    margins = ("10**-6", "10**-20", "10**-30")
    results, _ = run_claims(rate(id="tight"), *(rate(id=f"below{k}", bound=f"L*R**2/8*(1 - {e})")
                                                for k, e in enumerate(margins)))
    assert results["tight"].verdict is Verdict.CERTIFIED, results["tight"].summary
    for k in range(len(margins)):
        assert results[f"below{k}"].verdict is Verdict.REFUTED, results[f"below{k}"].summary


def test_ogm_beyond_one_step_is_inconclusive_and_says_why(run_claims) -> None:
    theta = ogm_thetas(3)[-1]
    results, _ = run_claims(rate(id="o", N=3, bound="L*R**2/26"))
    r = results["o"]
    assert r.verdict is Verdict.INCONCLUSIVE and "Q(sqrt 2)" in r.summary
    assert math.isclose(float(r.evidence["solver_worst_case"]), 1 / (2 * theta**2), rel_tol=SOLVER_RTOL)


def test_heavy_ball_with_polyak_parameters_is_refuted_on_the_strongly_convex_class(run_claims) -> None:
    # kappa = 4: alpha = 4/(sqrt L + sqrt m)^2 = 16/9, beta = ((sqrt kappa - 1)/(sqrt kappa + 1))^2 = 1/9; the
    # quadratic rate (1/3)^(2N) does not hold on the class (Lessard, Recht and Packard 2016, section 4.6)
    results, _ = run_claims(rate(id="hb", method="heavy-ball", **{"class": "smooth-strongly-convex"},
                                 m="1/4", h="16/9", beta="1/9", N=4, metric="distance",
                                 bound="R**2*(1/3)**(2*N)"))
    r = results["hb"]
    assert r.verdict is Verdict.REFUTED, r.summary
    ev = r.evidence["counterexample"]
    assert ev["witness"]["method"] == "heavy-ball" and "holds exactly" in ev["witness_check"]


def test_nesterov_convex_five_steps_is_exactly_one_over_28(run_claims) -> None:
    # PEPit's value 0.035714285 for beta_k = k/(k+3), N = 5; the exact certificate proves 1/28, and the
    # exact 1-D instance attains it, so 1/28 - 1e-30 is refuted
    nest = dict(method="nesterov", beta="k/(k+3)", N=5)
    results, _ = run_claims(rate(id="t", **nest, bound="L*R**2/28"),
                            rate(id="f", **nest, bound="L*R**2*(1/28 - 10**-30)"))
    assert results["t"].verdict is Verdict.CERTIFIED, results["t"].summary
    assert results["f"].verdict is Verdict.REFUTED, results["f"].summary
    assert math.isclose(float(results["t"].evidence["solver_worst_case"]), 0.035714285, rel_tol=SOLVER_RTOL)


def test_a_user_matrix_equal_to_gradient_descent_has_its_worst_case(run_claims) -> None:
    # Drori and Teboulle: 1/(4N + 2) for h = 1, here N = 3 written as H (from x0) and as increments
    H = [[1], [1, 1], [1, 1, 1]]
    inc = [[1], [0, 1], [0, 0, 1]]
    results, _ = run_claims(rate(id="h", method="fsfom", N=None, H=H, bound="L*R**2/14"),
                            rate(id="i", method="fsfom", N=None, H=inc, H_form="increments",
                                 bound="L*R**2/14"),
                            rate(id="f", method="fsfom", N=None, H=H, bound="L*R**2*(1/14 - 10**-30)"))
    assert results["h"].verdict is Verdict.CERTIFIED and results["i"].verdict is Verdict.CERTIFIED
    assert results["f"].verdict is Verdict.REFUTED


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"method": "newton"}, "method", "one of"),
    ({"method": "heavy-ball", "beta": "1/2"}, "h", "missing"),
    ({"method": "heavy-ball", "h": 1}, "beta", "momentum"),
    ({"method": "heavy-ball", "h": 1, "beta": "1/2", "schedule": "constant"}, "schedule", "only for"),
    ({"method": "nesterov", "beta": [0, 1]}, "beta", "2 values for N = 1"),
    ({"method": "nesterov", "beta": "sqrt(3)"}, "beta", "Q(sqrt 2)"),
    ({"method": "nesterov", "beta": "nan"}, "beta", ""),
    ({"method": "nesterov", "beta": "1/k", "N": 2}, "beta", "k = 0"),
    ({"method": "ogm", "beta": "1/2"}, "beta", "not a parameter"),
    ({"method": "fsfom", "N": None, "H": [[1, 2]]}, "H", "row 0"),
    ({"method": "fsfom", "N": None, "H": "1"}, "H", "list of rows"),
    ({"method": "fsfom", "N": None, "H": [["x"]]}, "H[0][0]", ""),
    ({"method": "fsfom", "N": None, "H": [["pi"]]}, "H[0][0]", "Q(sqrt 2)"),
    ({"method": "fsfom", "N": None, "H": [[1]], "H_form": "cumulative"}, "H_form", "from-x0"),
    ({"method": "fsfom", "N": 2, "H": [[1]]}, "N", "1 rows"),
    ({"method": "fsfom", "N": None, "H": [["1e9"]]}, "method", "above"),
])
def test_bad_method_input_is_a_one_line_field_error(run_claims, changes, field, words) -> None:
    results, rejected = run_claims(rate(**changes), toml_claim(id="ok", kind="numeric", expr="1", value="1"))
    assert results["ok"].verdict is Verdict.CERTIFIED
    line = rejected[0].error.line() if rejected else results["r"].summary
    if not rejected:
        assert results["r"].verdict is Verdict.ERROR, line
    assert "\n" not in line and f"field '{field}'" in line and words in line, line


def test_a_tampered_step_matrix_fails_the_standard_library_check(run_claims, tmp_path) -> None:
    results, _ = run_claims(rate(id="n3", method="nesterov", beta="k/(k+3)", N=3, bound="2*L*R**2/(N+1)**2"))
    assert results["n3"].verdict is Verdict.CERTIFIED
    path = next((tmp_path / "certs").glob("n3*.json"))
    cert = json.loads(path.read_text())
    assert certcheck.verify(cert)[0]
    assert cert["problem"]["kind"] == "fsfom" and cert["problem"]["H"][1] == ["1", "5/4"]
    for tamper in ("problem", "both"):
        bad = json.loads(path.read_text())
        bad["problem"]["H"][1][1] = "3/2"  # a longer momentum step: the identity no longer holds
        if tamper == "both":
            bad["proves"]["H"][1][1] = "3/2"
        assert not certcheck.verify(bad)[0]
    bad = json.loads(path.read_text())
    bad["problem"]["method"] = "gd"
    assert "method" in certcheck.verify(bad)[1]
