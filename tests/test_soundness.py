"""Soundness of the PEP-based kinds (``rate``, ``class-inequality``) under property-based testing.

CERTIFIED must mean proved and REFUTED must mean a checked witness. Random small problems (N <= 4, rational
steps in (0, 3), every class / initial / metric combination) are compared with a trusted reference worst
case: a published closed form where there is one (smooth convex, distance -> function gap, constant
h in (0, 2): max(1/(4Nh + 2), (1 - h)^(2N)/2), Drori and Teboulle 2014, Kim et al. / Rotaru et al. 2024;
strongly convex, distance -> distance, constant h: max(|1 - hq|, |1 - h|)^(2N)), else a Clarabel solve.
A bound 2% below the reference must never be certified, one 2% above it never refuted.

Class inequalities c <dg, dx> >= a |dx|^2 + b |dg|^2 on S(m, L) (dx = x - y, dg = grad f(x) - grad f(y))
have an exact answer: the two-point interpolation condition <dg - m dx, L dx - dg> >= 0 is all that links
dx and dg, and writing |dg| = lam |dx| (lam in [m, L]) the smallest and largest <dg, dx> allowed are
(mL + lam^2)/(m + L) |dx|^2 (reached in 2-D) and lam |dx|^2 (a quadratic). The inequality is linear in
<dg, dx>, and (mL + lam^2)/(m + L) is linear in lam^2 and equals lam at lam = m, L, so the claim holds iff
g(lam) = c lam - b lam^2 - a >= 0 on [m, L]: at the ends, and at c/(2b) when b < 0.

Everything is seeded (``derandomize``); the whole file runs in about a minute on two cores.
"""

from __future__ import annotations

import copy
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
from cvxpy.error import SolverError
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from pep import certcheck
from pep.certificate import certify_bound, exact_S
from pep.classes import make_class
from pep.counterexample import refute_rate
from pep.points import add_inner
from pep.pointset import build_points_pep
from pep.problem import build_gd_pep
from pep.scale import L_DEGREE
from pep.solve import solve
from tests.conftest import toml_claim
from verify.checkers import Context
from verify.dispatch import check_claim, load_claims
from verify.verdict import Verdict

F = Fraction
# no shrinking: it would re-run the slow solves many times; a failure prints the example as drawn
FAST = dict(deadline=None, derandomize=True, database=None, phases=(Phase.explicit, Phase.generate),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

INITIALS = {"smooth": ("function-gap", "gradient"),
            "smooth-convex": ("distance", "function-gap", "gradient"),
            "smooth-strongly-convex": ("distance", "function-gap", "gradient")}
METRICS = {"smooth": ("function-gap", "gradient-norm", "min-gradient-norm"),
           "smooth-convex": ("function-gap", "gradient-norm", "min-gradient-norm", "distance"),
           "smooth-strongly-convex": ("function-gap", "gradient-norm", "min-gradient-norm", "distance")}
SIZE = {"distance": "R**2", "function-gap": "D", "gradient": "G**2"}
# Unbounded worst cases (no finite reference): a convex function can be linear far away (a small gradient
# or gap says nothing about the distance, and a small gradient nothing about the gap); the nonconvex class
# the same for the gap.
UNBOUNDED = {("smooth-convex", "gradient", "function-gap"), ("smooth-convex", "gradient", "distance"),
             ("smooth-convex", "function-gap", "distance"), ("smooth", "gradient", "function-gap")}


# --- problems and references ----------------------------------------------------------------------------
def rational(lo_num: int, hi_num: int, max_den: int = 8) -> st.SearchStrategy[Fraction]:
    """A rational p/d, d <= max_den, strictly between lo_num and hi_num (integers)."""
    return st.integers(2, max_den).flatmap(
        lambda d: st.integers(lo_num * d + 1, hi_num * d - 1).map(lambda p: F(p, d)))


@st.composite
def problems(draw, max_n: int = 4, classes: tuple[str, ...] = ("smooth-convex", "smooth-strongly-convex",
                                                                "smooth")) -> dict:
    cls = draw(st.sampled_from(classes))
    q = draw(rational(0, 1, 12)) if cls == "smooth-strongly-convex" else F(0)
    n = draw(st.integers(1, max_n))
    if draw(st.booleans()):
        steps = [draw(rational(0, 3))] * n
    else:
        steps = [draw(rational(0, 3)) for _ in range(n)]
    initial = draw(st.sampled_from(INITIALS[cls]))
    metric = draw(st.sampled_from(METRICS[cls]))
    assume((cls, initial, metric) not in UNBOUNDED)
    return {"class": cls, "q": q, "steps": steps, "initial": initial, "metric": metric}


def closed_form(p: dict) -> Fraction | None:
    """A published exact worst case, when there is one."""
    steps, n = p["steps"], len(p["steps"])
    if len(set(steps)) != 1:
        return None
    h = steps[0]
    if (p["class"], p["initial"], p["metric"]) == ("smooth-convex", "distance", "function-gap") and h < 2:
        return max(1 / (4 * n * h + 2), (1 - h) ** (2 * n) / 2)
    if (p["class"], p["initial"], p["metric"]) == ("smooth-strongly-convex", "distance", "distance"):
        return max(abs(1 - h * p["q"]), abs(1 - h)) ** (2 * n)
    return None


def build(p: dict):
    return build_gd_pep(make_class(p["class"], p["q"]), p["steps"], p["initial"], p["metric"])


def reference(p: dict, data) -> tuple[Fraction, float] | None:
    """(trusted worst case as a fraction, Clarabel's float value); None when the PEP is unbounded."""
    try:
        res = solve(data, "clarabel")
    except SolverError:  # kept for older builds; solve() now reports a solver_error status instead
        return None
    if not res.ok:
        return None
    exact = closed_form(p)
    if exact is not None:
        assert abs(res.value - float(exact)) <= 1e-6 * max(1.0, float(exact)), (p, res.value, exact)
        return exact, res.value
    if res.value < 1e-6 or res.value > 1e4:
        return None
    return F(res.value).limit_denominator(10**9), res.value


def solved(p: dict) -> tuple | None:
    data = build(p)
    ref = reference(p, data)
    if ref is None:
        return None
    return data, ref[0], ref[1]


# --- Property 1 (engine): no false certificate, no false refutation ------------------------------------
@settings(max_examples=40, **FAST)
@given(p=problems())
def test_false_bound_never_certified_true_bound_never_refuted(p):
    got = solved(p)
    assume(got is not None)
    data, ref, _ = got
    low, high = ref * F(98, 100), ref * F(102, 100)
    att = certify_bound(data, low)
    assert not att.ok, (p, ref, att.reason)
    scs = solve(data, "scs")
    assert refute_rate(data, scs, high, steps=p["steps"], q=p["q"]) is None, (p, ref)


@settings(max_examples=25, **FAST)
@given(p=problems(max_n=3, classes=("smooth-convex", "smooth-strongly-convex")).map(
    lambda p: {**p, "steps": [p["steps"][0]] * len(p["steps"]), "initial": "distance",
               "metric": "function-gap" if p["class"] == "smooth-convex" else "distance"}).filter(
    lambda p: closed_form(p) is not None))
def test_tight_closed_form_is_never_refuted_and_just_below_never_certified(p):
    """At the exact published worst case: the bound itself is true (never refuted, perhaps certified);
    a bound 1e-6 relative below it is false (never certified)."""
    exact = closed_form(p)
    data = build(p)
    assert refute_rate(data, solve(data, "scs"), exact, steps=p["steps"], q=p["q"]) is None, p
    att = certify_bound(data, exact * (1 - F(1, 10**6)))
    assert not att.ok, (p, att.reason)
    att = certify_bound(data, exact)
    if att.ok:
        assert certcheck.check(att.certificate)[0]


@pytest.mark.parametrize("combo", sorted(UNBOUNDED))
def test_unbounded_worst_case_is_never_certified(combo):
    cls, initial, metric = combo
    data = build({"class": cls, "q": F(0), "steps": [F(1), F(3, 2)], "initial": initial, "metric": metric})
    for bound in (F(10), F(10**6)):
        assert not certify_bound(data, bound).ok, (combo, bound)


# --- Property 2: certificates recheck, and tampering is caught (or harmless) ---------------------------
def principal_minors_nonnegative(S: list[list[Fraction]]) -> bool:
    """Exact PSD test for a small symmetric matrix: every principal minor >= 0."""
    n = len(S)

    def det(rows: list[int]) -> Fraction:
        A = [[F(S[r][c]) for c in rows] for r in rows]
        d, k = F(1), len(A)
        for i in range(k):
            piv = next((r for r in range(i, k) if A[r][i] != 0), None)
            if piv is None:
                return F(0)
            if piv != i:
                A[i], A[piv] = A[piv], A[i]
                d = -d
            d *= A[i][i]
            for r in range(i + 1, k):
                f = A[r][i] / A[i][i]
                for c in range(i, k):
                    A[r][c] -= f * A[i][c]
        return d

    return all(det([i for i in range(n) if mask >> i & 1]) >= 0 for mask in range(1, 1 << n))


def problem_of(cert: dict) -> dict:
    pr = cert["problem"]
    return {"class": pr["class"], "q": F(pr["q"]), "steps": [F(h) for h in pr["steps"]],
            "initial": pr["initial"], "metric": pr["metric"]}


def assert_sound_if_accepted(cert: dict, what: str) -> None:
    """A certificate the checker accepts must state something true: tau >= the worst case of the problem
    it describes (Clarabel, to 1e-6)."""
    ok, why = certcheck.check(cert)
    if not ok:
        return
    p = problem_of(cert)
    try:
        res = solve(build(p), "clarabel")
    except SolverError:
        return
    tau = float(F(cert["tau"]))
    assert res.ok and res.value <= tau + 1e-6 * (1 + tau), (what, p, tau, res.value, why)


@settings(max_examples=50, **FAST)
@given(p=problems(), pick=st.data())
def test_certificates_recheck_and_tampering_is_caught(p, pick):
    got = solved(p)
    assume(got is not None)
    data, ref, value = got
    att = certify_bound(data, ref * F(102, 100))
    assume(att.ok)
    cert = att.certificate
    ok, why = certcheck.check(cert)
    assert ok, why
    tau = F(cert["tau"])
    assert value <= float(tau) * (1 + 1e-7) + 1e-9, (p, tau, value)
    # the S the checker proves PSD (its own construction) agrees with the producer's, and is PSD exactly
    names = [c.name for c in data.all_constraints]
    lam = [F(cert["multipliers"].get(nm, "0")) for nm in names]
    S = [[F(x) for x in row] for row in exact_S(data, lam)]
    assert principal_minors_nonnegative(S), p
    mult = {k: certcheck.num(v) for k, v in cert["multipliers"].items()}
    form, n, _ = certcheck.build(cert["problem"], mult)
    assert all(form.K[r][c].b == 0 and form.K[r][c].a == S[r][c] for r in range(n) for c in range(n)), p

    # (a) one nonzero multiplier zeroed or halved: every inequality used (interp, min-grad, lower-bound)
    # has a nonzero linear part in the function values, so the linear identity must break; "initial" must
    # agree with tau.
    nonzero = sorted(k for k, v in cert["multipliers"].items() if F(v) != 0)
    name = pick.draw(st.sampled_from(nonzero), label="multiplier")
    how = pick.draw(st.sampled_from(["zero", "half"]), label="how")
    bad = copy.deepcopy(cert)
    v = F(bad["multipliers"][name])
    bad["multipliers"][name] = str(v / 2 if how == "half" else 0)
    assert not certcheck.check(bad)[0], (p, name, how)

    # (b) one PSD column entry changed: S is unchanged, so an accepted certificate must still be right
    cols = cert["psd"].get("columns", [])  # none for exact elimination (tight certificates)
    if cols:
        bad = copy.deepcopy(cert)
        k = pick.draw(st.integers(0, len(cols) - 1), label="column")
        i = pick.draw(st.integers(0, len(cols[k]["num"]) - 1), label="entry")
        delta = pick.draw(st.sampled_from(["zero", "double", "plus-den", "negate"]), label="delta")
        x, den = int(cols[k]["num"][i]), int(cols[k]["den"])
        bad["psd"]["columns"][k]["num"][i] = str({"zero": 0, "double": 2 * x, "plus-den": x + den,
                                                  "negate": -x}[delta])
        if certcheck.check(bad)[0]:
            assert principal_minors_nonnegative(S)

    # (c) tau and its multiplier lowered together by 2%: now below the worst case, must not pass
    bad = copy.deepcopy(cert)
    bad["tau"] = bad["multipliers"]["initial"] = str(tau * F(98, 100) if value > 0 else tau)
    if float(tau) * 0.98 < value * (1 - 1e-6):
        assert not certcheck.check(bad)[0], p
    assert_sound_if_accepted(bad, "tau lowered")

    # (d) the described problem changed (a step, q, or the class): accepted only if still true
    bad = copy.deepcopy(cert)
    j = pick.draw(st.integers(0, len(p["steps"]) - 1), label="step")
    bad["problem"]["steps"][j] = str(F(bad["problem"]["steps"][j]) + F(1, 3))
    assert_sound_if_accepted(bad, "step changed")
    if p["class"] == "smooth-strongly-convex":
        bad = copy.deepcopy(cert)
        bad["problem"]["q"] = str(p["q"] / 2)
        assert_sound_if_accepted(bad, "q halved")

    # (e) the bound lowered below tau must fail
    bad = copy.deepcopy(cert)
    bad["bound"] = str(tau - F(1, 10**9))
    assert not certcheck.check(bad)[0]


# --- claim files ----------------------------------------------------------------------------------------
def run_tables(*tables: str) -> dict:
    """Check claim tables (a file in a temporary folder); results by id."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.toml"
        path.write_text("".join(tables), encoding="utf-8")
        claims, rejected = load_claims([path])
        assert not rejected, [r.error.line() for r in rejected]
        ctx = Context(cert_dir=Path(tmp) / "certs")
        return {c.id: check_claim(c, ctx) for c in claims}


def rate_table(cid: str, p: dict, c: Fraction, L: Fraction, symbolic: bool = True) -> str:
    """A rate claim whose normalized bound is ``c``: written as c * L^e * size (``symbolic``) or with the
    number c * L^e in place of L^e."""
    e = L_DEGREE[p["metric"]] - L_DEGREE[p["initial"]]
    coeff = f"({c})*L**({e})" if symbolic else f"({c * L ** e})"
    fields = dict(id=cid, kind="rate", **{"class": p["class"]}, L=str(L),
                  steps=[str(h) for h in p["steps"]], initial=p["initial"], metric=p["metric"],
                  bound=f"{coeff}*{SIZE[p['initial']]}")
    if p["class"] == "smooth-strongly-convex":
        fields["m"] = str(p["q"] * L)
    return toml_claim(**fields)


@settings(max_examples=12, **FAST)
@given(p=problems(max_n=3), L=rational(0, 20, 7))
def test_rate_claims_never_lie_and_are_homogeneous(p, L):
    """Property 1 through claim files, and Property 4: L = 1 and L = random give the same verdicts."""
    got = solved(p)
    assume(got is not None)
    _, ref, _ = got
    low, high = ref * F(98, 100), ref * F(102, 100)
    res = run_tables(rate_table("low1", p, low, F(1)), rate_table("high1", p, high, F(1)),
                     rate_table("low-l", p, low, L, symbolic=False), rate_table("high-l", p, high, L))
    for cid in ("low1", "low-l"):
        assert res[cid].verdict in (Verdict.REFUTED, Verdict.INCONCLUSIVE), (p, cid, res[cid].summary)
    for cid in ("high1", "high-l"):
        assert res[cid].verdict in (Verdict.CERTIFIED, Verdict.INCONCLUSIVE), (p, cid, res[cid].summary)
    assert res["low1"].verdict is res["low-l"].verdict, (p, L, res["low1"].summary, res["low-l"].summary)
    assert res["high1"].verdict is res["high-l"].verdict, (p, L, res["high1"].summary, res["high-l"].summary)


# --- Property 3: class inequalities ---------------------------------------------------------------------
def inequality_holds(a: Fraction, b: Fraction, c: Fraction, m: Fraction, L: Fraction) -> bool:
    """Exact truth of c <dg, dx> >= a |dx|^2 + b |dg|^2 on S(m, L) (see the module docstring)."""
    def g(lam: Fraction) -> Fraction:
        return c * lam - b * lam * lam - a

    lams = [m, L] + ([c / (2 * b)] if b < 0 and m < c / (2 * b) < L else [])
    return min(g(x) for x in lams) >= 0


def points_data(a: Fraction, b: Fraction, c: Fraction, q: Fraction):
    """The normalized (L = 1) point-set PEP of a |dx|^2 + b |dg|^2 - c <dg, dx> <= 0."""
    dx, dg = {0: 1, 1: -1}, {2: 1, 3: -1}
    M: dict = {}
    add_inner(M, dx, dx, a)
    add_inner(M, dg, dg, b)
    add_inner(M, dg, dx, -c)
    return build_points_pep(make_class("smooth-strongly-convex", q), ["x", "y"], M, {})


@st.composite
def coefficients(draw) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """(a, b, c, q) with L = 1: near the co-coercivity pair, scaled, perturbed, or random."""
    q = draw(rational(0, 1, 10))
    a0, b0 = q / (1 + q), 1 / (1 + q)
    kind = draw(st.sampled_from(["scaled-down", "scaled-up", "random", "boundary", "boundary-plus"]))
    if kind == "scaled-down":  # t * co-coercivity, t in [0, 1]: true
        t = F(draw(st.integers(0, 20)), 20)
        return t * a0, t * b0, F(1), q
    if kind == "scaled-up":  # (1 + s) * co-coercivity, s in [0.05, 1]: false
        s = F(draw(st.integers(1, 20)), 20)
        return (1 + s) * a0, (1 + s) * b0, F(1), q
    if kind.startswith("boundary"):  # a = min(g(q) = 0, g(1) = 0 lines): true; a hair above: false
        b = F(draw(st.integers(-20, 40)), 20)
        a = min(q - b * q * q, 1 - b) + (F(1, 1000) if kind == "boundary-plus" else 0)
        return a, b, F(1), q
    a = F(draw(st.integers(-20, 20)), 20)
    b = F(draw(st.integers(-20, 20)), 20)
    c = F(draw(st.integers(-4, 8)), 4)
    return a, b, c, q


@settings(max_examples=150, **FAST)
@given(coefs=coefficients())
def test_class_inequality_certificate_matches_exact_truth(coefs):
    a, b, c, q = coefs
    truth = inequality_holds(a, b, c, q, F(1))
    att = certify_bound(points_data(a, b, c, q), 0)
    if att.ok:
        assert truth, ("false inequality certified", a, b, c, q, att.reason)
        assert certcheck.check(att.certificate)[0]


@settings(max_examples=8, **FAST)
@given(coefs=coefficients(), L=rational(0, 12, 5))
def test_class_inequality_claims_never_lie(coefs, L):
    a, b, c, q = coefs
    m = q * L
    # in units: <dg, dx> and |dg|^2 scale as L, L^2 (normalized: grad f = L grad g)
    au, bu = a * L, b / L
    truth = inequality_holds(au, bu, c, m, L)
    assert truth == inequality_holds(a, b, c, q, F(1))
    res = run_tables(toml_claim(id="ci", kind="class-inequality", **{"class": "smooth-strongly-convex"},
                                L=str(L), m=str(m), points=["x", "y"],
                                lhs=f"({c})*inner(grad(x) - grad(y), x - y)", relation=">=",
                                rhs=f"({au})*sqnorm(x - y) + ({bu})*sqnorm(grad(x) - grad(y))"))
    verdict = res["ci"].verdict
    bad = Verdict.REFUTED if truth else Verdict.CERTIFIED
    assert verdict is not bad, (a, b, c, q, L, truth, res["ci"].summary)


@pytest.mark.parametrize("s", [F(1, 20), F(1, 2), F(1)])
def test_scaled_up_cocoercivity_is_never_certified(s):
    q = F(1, 10)
    a, b = (1 + s) * q / (1 + q), (1 + s) / (1 + q)
    assert not inequality_holds(a, b, F(1), q, F(1))
    assert not certify_bound(points_data(a, b, F(1), q), 0).ok


def test_clarabel_failure_is_inconclusive_not_an_internal_error():
    # regression: solver = 'clarabel' on an unbounded PEP (smooth, h = 2) raised cvxpy's SolverError in
    # pep.solve.solve_cvxpy, giving an internal error instead of inconclusive
    res = run_tables(toml_claim(id="c", kind="rate", **{"class": "smooth"}, L=1, steps=["2", "2", "2", "2"],
                                initial="function-gap", metric="gradient-norm", bound="10*L*D",
                                solver="clarabel"))
    assert res["c"].verdict is Verdict.INCONCLUSIVE, res["c"].summary
