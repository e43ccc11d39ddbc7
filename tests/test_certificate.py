"""Exact PEP certificates against published worst cases (Drori-Teboulle, Altschuler-Parrilo, Nesterov)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from pep import certcheck
from pep.certificate import (
    certify_bound,
    decode,
    encode,
    parse_exact,
    rational_below_inv_one_plus_sqrt,
    silver_rate_x,
)
from pep.classes import make_class
from pep.pairs import silver_pairs
from pep.points import add_inner
from pep.pointset import build_points_pep, points_basis
from pep.problem import build_gd_pep
from pep.schedules import constant_steps, silver_steps
from symbolic.qfield import QSqrt

RHO = 1 + math.sqrt(2)


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
