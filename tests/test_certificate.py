"""Exact PEP certificates against published worst cases (Drori-Teboulle, Altschuler-Parrilo, Nesterov)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from pep import certcheck
from pep.certificate import (
    certify_bound,
    decode,
    encode,
    ldl_columns,
    parse_exact,
    rational_below_inv_one_plus_sqrt,
    silver_rate_x,
)
from pep.classes import make_class
from pep.pairs import silver_pairs
from pep.points import add_inner
from pep.pointset import build_points_pep, points_basis
from pep.problem import build_gd_pep
from pep.reconstruct import ldl_q2, recognize_q2, split_solve
from pep.schedules import constant_steps, silver_steps
from symbolic.qfield import QSqrt

RHO = 1 + math.sqrt(2)



def uses_q2_evidence(cert: dict) -> bool:
    """Whether a certificate's PSD evidence has Q(sqrt 2) entries."""
    return any(isinstance(col.get("d"), list) or any(isinstance(x, list) for x in col["num"])
               for col in cert["psd"].get("columns", []))


def dt_pep(n_steps: int):
    return build_gd_pep(make_class("smooth-convex"), constant_steps(n_steps, Fraction(1)), "distance",
                        "function-gap")


@pytest.mark.parametrize("n_steps", [1, 2, 3, 5, 8])
def test_drori_teboulle_tight_bound_certified(n_steps: int) -> None:
    # Drori and Teboulle (2014): h = 1, f(x_N) - f* <= L R^2 / (4N + 2), attained (tight)
    bound = Fraction(1, 4 * n_steps + 2)
    att = certify_bound(dt_pep(n_steps), bound)
    assert att.ok, att.reason
    assert att.method == "reconstruction"
    assert decode(att.certificate["tau"]) == bound
    assert certcheck.check(att.certificate)[0]
    assert att.check_seconds <= att.seconds


@pytest.mark.parametrize("n_steps", [2, 5])
def test_drori_teboulle_below_worst_case_not_certified(n_steps: int) -> None:
    att = certify_bound(dt_pep(n_steps), Fraction(999, 1000 * (4 * n_steps + 2)))
    assert not att.ok and att.certificate is None
    assert "exceeds" in att.reason and "\n" not in att.reason


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_silver_rate_certified_in_q_sqrt2(k: int) -> None:
    # Altschuler and Parrilo (arXiv 2309.16530): N = 2^k - 1 Silver steps,
    # f(x_N) - f* <= L R^2 / (1 + sqrt(4 rho^(2k) - 3))
    n_steps = 2**k - 1
    x = silver_rate_x(k)
    tau = rational_below_inv_one_plus_sqrt(x)
    published = 1 / (1 + math.sqrt(4 * RHO ** (2 * k) - 3))
    assert tau <= published and float(tau) > published - 1e-11
    pairs = silver_pairs(n_steps) if k >= 4 else None
    data = build_gd_pep(make_class("smooth-convex"), silver_steps(n_steps), "distance", "function-gap",
                        pairs=pairs)
    att = certify_bound(data, tau, bound_below=x)
    assert att.ok, att.reason
    cert = att.certificate
    assert cert["bound_below"]["x"] == encode(x)
    assert any(isinstance(h, list) for h in cert["problem"]["steps"]) or k == 1
    assert certcheck.check(cert)[0]


def test_silver_bound_below_is_checked() -> None:
    x = silver_rate_x(2)
    tau = rational_below_inv_one_plus_sqrt(x)
    data = build_gd_pep(make_class("smooth-convex"), silver_steps(3), "distance", "function-gap")
    att = certify_bound(data, tau, bound_below=x)
    assert att.ok
    cert = dict(att.certificate)
    cert["bound_below"] = {"form": "1/(1 + sqrt(x))", "x": encode(x + 1)}  # a smaller published bound
    ok, reason = certcheck.check(cert)
    assert not ok and "1/(1 + sqrt(x))" in reason


def test_rational_below_inv_one_plus_sqrt() -> None:
    for k in range(1, 8):
        x = silver_rate_x(k)
        tau = rational_below_inv_one_plus_sqrt(x)
        y = 1 / tau - 1
        assert y > 0 and y * y >= x
        assert float(tau) == pytest.approx(1 / (1 + math.sqrt(float(x))), rel=1e-9)


@pytest.mark.parametrize("n_steps", [1, 3])
def test_strongly_convex_contraction_tight(n_steps: int) -> None:
    # h = 1/L on m-strongly convex L-smooth f: |x_N - x*|^2 <= (1 - m/L)^(2N) |x_0 - x*|^2, attained by
    # the quadratic m/2 x^2 (Nesterov 2004, Thm 2.1.15 with the tight rate of Taylor, Hendrickx, Glineur)
    q = Fraction(1, 10)
    data = build_gd_pep(make_class("smooth-strongly-convex", q), constant_steps(n_steps, Fraction(1)),
                        "distance", "distance")
    att = certify_bound(data, (1 - q) ** (2 * n_steps))
    assert att.ok, att.reason
    assert att.certificate["problem"]["q"] == "1/10"
    assert not certify_bound(data, Fraction(99, 100) * (1 - q) ** (2 * n_steps)).ok


def cocoercivity(coef: Fraction):
    # Nesterov (2004), Thm 2.1.12: <g_x - g_y, x - y> >= mL/(m+L)|x - y|^2 + 1/(m+L)|g_x - g_y|^2;
    # maximize rhs - lhs (L = 1, m = q)
    q = Fraction(1, 10)
    xi, gi, _ = points_basis(["x", "y"])
    dx, dg = {xi["x"]: 1, xi["y"]: -1}, {gi["x"]: 1, gi["y"]: -1}
    M: dict = {}
    add_inner(M, dx, dx, q / (1 + q))
    add_inner(M, dg, dg, coef / (1 + q))
    add_inner(M, dg, dx, -1)
    return build_points_pep(make_class("smooth-strongly-convex", q), ["x", "y"], M, {})


def test_cocoercivity_certified() -> None:
    att = certify_bound(cocoercivity(Fraction(1)), 0)
    assert att.ok, att.reason
    assert att.certificate["problem"]["kind"] == "points"
    assert certcheck.check(att.certificate)[0]


def test_cocoercivity_with_twice_the_gradient_term_not_certified() -> None:
    att = certify_bound(cocoercivity(Fraction(2)), 0)
    assert not att.ok and "exceeds" in att.reason


def test_minimizer_point_convex() -> None:
    # f(x) - f* >= |grad f(x)|^2 / (2L) for smooth convex f (Nesterov, Thm 2.1.5)
    xi, gi, fi = points_basis(["x", "xs"])
    assert "xs" not in gi
    M: dict = {}
    add_inner(M, {gi["x"]: 1}, {gi["x"]: 1}, Fraction(1, 2))
    data = build_points_pep(make_class("smooth-convex"), ["x", "xs"], M, {fi["x"]: -1, fi["xs"]: 1})
    att = certify_bound(data, 0)
    assert att.ok, att.reason


def test_encoding_round_trip() -> None:
    for x in (Fraction(-3, 7), Fraction(5), QSqrt(Fraction(1, 2), -3), QSqrt(0, 1), QSqrt(2, 0)):
        assert decode(encode(x)) == x
        assert parse_exact(str(x)) == x
    for h in silver_steps(15):
        assert parse_exact(str(h)) == h


# --- tight bounds in Q(sqrt 2): exact reconstruction over Q(sqrt 2) -----------------------------------
SQRT2 = QSqrt(0, 1)


def huber_or_quadratic(n_steps: int, h: QSqrt) -> QSqrt:
    """Drori and Teboulle (2014), Kim (2024): constant h in (0, 2), smooth convex, distance -> function gap
    (L = R = 1): the worst case is max(1/(2 N h + 1), (1 - h)^(2N)) / 2."""
    return max(1 / (2 * n_steps * h + 1), (1 - h) ** (2 * n_steps)) / 2


Q2_TIGHT = [
    ("N=1, h=sqrt2", [SQRT2], (2 * SQRT2 - 1) / 14),
    ("N=2, h=sqrt2", [SQRT2] * 2, (4 * SQRT2 - 1) / 62),
    *[(f"N={n}, h=2-sqrt2", [2 - SQRT2] * n, 1 / (2 * (2 * n * (2 - SQRT2) + 1))) for n in range(1, 6)],
    ("Silver N=3", None, (4 * SQRT2 - 5) / 14),  # 1/(2(2 sum h + 1)), sum h = 2 + 2 sqrt 2; PEPit 0.046918
    ("N=1, h=2sqrt2-1", [2 * SQRT2 - 1] * 1, 6 - 4 * SQRT2),  # the quadratic term (1 - h)^2 / 2 wins
]


def q2_pep(steps: list | None):
    return build_gd_pep(make_class("smooth-convex"), steps or silver_steps(3), "distance", "function-gap")


def test_q2_examples_match_the_closed_form() -> None:
    assert float(Q2_TIGHT[0][2]) == pytest.approx(0.130602, abs=1e-6)
    assert float(Q2_TIGHT[5 + 2][2]) == pytest.approx(0.046918, abs=1e-6)
    # N = 2, h = sqrt 2: the Huber term wins, 1/(4 sqrt 2 + 1) > (1 - sqrt 2)^4 = 17 - 12 sqrt 2
    assert 1 / (4 * SQRT2 + 1) > (1 - SQRT2) ** 4 == 17 - 12 * SQRT2
    for _, steps, bound in Q2_TIGHT:
        if steps is not None:
            assert huber_or_quadratic(len(steps), steps[0]) == bound
    s3 = silver_steps(3)
    assert 1 / (2 * (2 * sum(s3, QSqrt(0, 0)) + 1)) == Q2_TIGHT[7][2]


@pytest.mark.parametrize(("name", "steps", "bound"), Q2_TIGHT, ids=[c[0] for c in Q2_TIGHT])
def test_q2_tight_bound_certified_exactly(name: str, steps: list | None, bound: QSqrt) -> None:
    data = q2_pep(steps)
    att = certify_bound(data, bound)
    assert att.ok, att.reason
    assert att.method == "reconstruction"
    cert = att.certificate
    assert decode(cert["tau"]) == bound and decode(cert["bound"]) == bound
    assert uses_q2_evidence(cert)
    ok, why = certcheck.check(cert)
    assert ok, why
    # the exact LDL^T: T = S, and S is singular (tight)
    assert any(isinstance(decode(v), QSqrt) for v in cert["multipliers"].values())
    assert len(cert["psd"]["columns"]) < data.n
    low = certify_bound(data, bound * Fraction(999_999, 1_000_000))
    assert not low.ok and low.certificate is None
    assert "exceeds" in low.reason and "\n" not in low.reason


def test_q2_certificate_tampering_is_caught() -> None:
    att = certify_bound(q2_pep([SQRT2]), (2 * SQRT2 - 1) / 14)
    assert att.ok, att.reason
    cert = json.loads(json.dumps(att.certificate))
    assert certcheck.check(cert)[0]
    col = next(c for c in cert["psd"]["columns"] if any(isinstance(x, list) for x in c["num"]))
    i = next(i for i, x in enumerate(col["num"]) if isinstance(x, list))
    a, b = col["num"][i]
    col["num"][i] = [a, str(int(b) + 1)]
    assert not certcheck.check(cert)[0]
    col["num"][i] = [a, b]
    col["d"] = ["0", "-1"]
    ok, why = certcheck.check(cert)
    assert not ok and "malformed" in why
    cert = json.loads(json.dumps(att.certificate))
    cert["tau"] = cert["multipliers"]["initial"] = encode((2 * SQRT2 - 1) / 14 - Fraction(1, 10**12))
    assert not certcheck.check(cert)[0]
    cert = json.loads(json.dumps(att.certificate))
    cert["multipliers"]["interp(*,0)"] = encode(decode(cert["multipliers"]["interp(*,0)"]) + SQRT2 / 10**9)
    assert not certcheck.check(cert)[0]


def test_q2_checker_agrees_on_rational_evidence() -> None:
    att = certify_bound(dt_pep(3), Fraction(1, 14))
    assert att.ok and not uses_q2_evidence(att.certificate)


def test_ldl_q2_singular_and_indefinite() -> None:
    c = 1 / (1 + 2 * SQRT2)
    v = [QSqrt(1, 0), c, c]
    P = [[2 * v[i] * v[j] for j in range(3)] for i in range(3)]  # rank one, irrational kernel
    cols = ldl_q2(P)
    assert cols is not None and len(cols) == 1
    assert certcheck.psd_evidence([[certcheck.Q2(x.a, x.b) for x in row] for row in P],
                                     {"columns": cols}) is None
    assert ldl_columns(P) == cols
    P[2][2] = P[2][2] - QSqrt(0, Fraction(1, 10**9))  # the same minus a tiny diagonal entry: indefinite
    assert ldl_q2(P) is None
    assert ldl_q2([[QSqrt(0, 0), QSqrt(1, 0)], [QSqrt(1, 0), QSqrt(1, 0)]]) is None  # zero pivot, column not


def test_recognize_and_split_solve() -> None:
    for x in ((2 * SQRT2 - 1) / 7, (21 + 10 * SQRT2) / 241, QSqrt(Fraction(-3, 5), 0), 17 - 12 * SQRT2):
        assert recognize_q2(float(x), 1e-11, 10**5) == x
    # x + sqrt2 y = 1 + 2 sqrt 2, x - y = 0 -> x = y = (1 + 2 sqrt 2)/(1 + sqrt 2) = 3 - sqrt 2
    E = [[QSqrt(1, 0), SQRT2], [QSqrt(1, 0), QSqrt(-1, 0)]]
    x = split_solve(E, [1 + 2 * SQRT2, QSqrt(0, 0)], [1.6, 1.6], [0, 1])
    assert x == [3 - SQRT2, 3 - SQRT2]
    assert split_solve(E + [[QSqrt(1, 0), QSqrt(0, 0)]], [1 + 2 * SQRT2, QSqrt(0, 0), QSqrt(1, 0)],
                       [1.6, 1.6], [0, 1]) is None


def test_plain_checker_never_accepts_q2_evidence_by_accident() -> None:
    # pep.certcheck reads PSD columns as rationals: a Q(sqrt 2) column is rejected (malformed), never
    # misread. (If pep.certcheck gains the Q(sqrt 2) extension, it must accept it instead.)
    att = certify_bound(q2_pep([SQRT2]), (2 * SQRT2 - 1) / 14)
    ok, why = certcheck.check(att.certificate)
    if not ok:
        assert "malformed" in why


def test_rounding_from_the_solves_own_dual_and_the_quick_mode() -> None:
    """A loose bound (1/20 against Drori-Teboulle's tight 1/22 for h = 1, N = 5) is certified from the
    solve's own multipliers without a margin solve; ``quick`` without a solution tries nothing else."""
    from fractions import Fraction

    from pep.certificate import certify_bound
    from pep.decide import RateProblem
    from pep.methods import gd
    from pep.solve import solve

    problem = RateProblem("smooth-convex", 0, gd([Fraction(1)] * 5), "distance", "function-gap")
    data = problem.exact_data()
    result = solve(problem.float_data())
    attempt = certify_bound(data, Fraction(1, 20), warm=result, numeric_value=result.value, quick=True)
    assert attempt.ok and "the solve's own dual" in attempt.reason
    cold = certify_bound(data, Fraction(1, 20), quick=True)
    assert not cold.ok and "no numeric solution to round" in cold.reason
    below = certify_bound(data, Fraction(1, 22) * (1 - Fraction(1, 10**30)), warm=result,
                          numeric_value=result.value)
    assert not below.ok  # below the tight worst case: no certificate can exist
