"""Each derivation against an independent numeric evaluation (mpmath, seeded random points)."""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from symbolic import derivations as D
from symbolic.qfield import QSqrt

mp = mpmath.mp


def test_descent_lemma_numeric():
    d = D.descent_lemma()
    a, L = sp.Symbol("a", positive=True), sp.Symbol("L", positive=True)
    coef = sp.lambdify((a, L), d.results["coefficient"], "mpmath")
    assert d.results["best_step"] == 1 / L
    rng = random.Random(1)
    with mpmath.workdps(50):
        for _ in range(50):
            Lv, av = mpmath.mpf(rng.uniform(0.1, 10)), mpmath.mpf(rng.uniform(0, 3))
            x = mpmath.mpf(rng.uniform(-5, 5))
            # f = L log cosh(x) is L-smooth (f'' = L sech^2 <= L); the lemma's bound must hold
            f = lambda t: Lv * mpmath.log(mpmath.cosh(t))  # noqa: B023, E731
            g = Lv * mpmath.tanh(x)
            assert f(x - av * g) <= f(x) - coef(av, Lv) * g**2 + mpmath.mpf(10) ** -40
            # tight on L/2 x^2
            q = lambda t: Lv / 2 * t**2  # noqa: B023, E731
            assert abs(q(x - av * Lv * x) - (q(x) - coef(av, Lv) * (Lv * x) ** 2)) < mpmath.mpf(10) ** -40
        # best step by a grid search: maximize a(1 - aL/2) for L = 4 -> a = 1/4, value 1/8
        grid = [mpmath.mpf(i) / 1000 for i in range(1, 500)]
        best = max(grid, key=lambda s: coef(s, 4))
        assert abs(best - mpmath.mpf(1) / 4) < 2e-3 and abs(coef(best, 4) - mpmath.mpf(1) / 8) < 1e-5


def test_cocoercivity_numeric():
    d = D.cocoercivity()
    m, L = sp.Symbol("m", positive=True), sp.Symbol("L", positive=True)
    c1 = sp.lambdify((m, L), d.results["mu_coefficient"])
    c2 = sp.lambdify((m, L), d.results["grad_coefficient"])
    rng = random.Random(2)
    for _ in range(100):
        mv = rng.uniform(0.1, 2)
        Lv = mv + rng.uniform(0.1, 20)
        # a random 2-D quadratic with eigenvalues in [m, L] and a random rotation
        th = rng.uniform(0, 3.2)
        l1, l2 = rng.uniform(mv, Lv), rng.uniform(mv, Lv)
        c, s = mpmath.cos(th), mpmath.sin(th)
        A = mpmath.matrix([[c, -s], [s, c]]) * mpmath.diag([l1, l2]) * mpmath.matrix([[c, s], [-s, c]])
        u = mpmath.matrix([rng.uniform(-3, 3), rng.uniform(-3, 3)])
        du = A * u
        lhs = (du.T * u)[0]
        assert lhs >= c1(mv, Lv) * (u.T * u)[0] + c2(mv, Lv) * (du.T * du)[0] - 1e-9
        assert lhs >= (du.T * du)[0] / Lv - 1e-9  # the convex statement
        # tight on diag(m, L)
        A2 = mpmath.diag([mv, Lv])
        d2 = A2 * u
        gap = (d2.T * u)[0] - c1(mv, Lv) * (u.T * u)[0] - c2(mv, Lv) * (d2.T * d2)[0]
        assert abs(gap) < 1e-9


def test_chebyshev_numeric():
    K = 5
    d = D.chebyshev(K, 1, 100)
    with mpmath.workdps(50):
        steps = [mpmath.mpf(sp.N(s, 60)) for s in d.results["steps"]]
        # independent: T_5((101 - 2 lam)/99)/T_5(101/99) with T_n(t) = cosh(n acosh t) / cos(n acos t)
        def T(n, t):
            return mpmath.cos(n * mpmath.acos(t)) if abs(t) <= 1 else mpmath.cosh(n * mpmath.acosh(t))

        for lam in [mpmath.mpf(v) / 7 for v in range(7, 701, 37)]:
            prod = mpmath.fprod(1 - s * lam for s in steps)
            assert abs(prod - T(K, (101 - 2 * lam) / 99) / T(K, mpmath.mpf(101) / 99)) < 1e-40
        worst = max(abs(mpmath.fprod(1 - s * lam for s in steps)) for lam in mpmath.linspace(1, 100, 4001))
        exact = 1 / T(K, mpmath.mpf(101) / 99)
        r = mpmath.mpf(9) / 11
        assert abs(exact - 2 * r**5 / (1 + r**10)) < 1e-45
        assert abs(worst - exact) < 1e-6 and worst <= exact + 1e-45
        assert abs(mpmath.mpf(sp.N(d.results["worst"], 60)) - exact) < 1e-45
    kap = sp.Symbol("kappa", positive=True)
    assert sp.N(d.results["worst_in_r"].subs(kap, 100), 50) == sp.N(d.results["worst"], 50)


def test_chebyshev_symbolic_small_k():
    for K in (1, 2, 3):
        d = D.chebyshev(K)
        assert any("expanded exactly" in s for s in d.steps)


def test_silver_convex_first_eight():
    # by hand: rho^-1 = sqrt2 - 1, so h = sqrt2, 2, sqrt2, 2 + sqrt2, sqrt2, 2, sqrt2, 1 + rho^2 = 4 + 2 sqrt2
    s2 = QSqrt.sqrt(2)
    assert D.silver_convex(8) == [s2, QSqrt(2), s2, 2 + s2, s2, QSqrt(2), s2, 4 + 2 * s2]
    d = D.silver_derivation(5)
    assert len(d.results["tables"][31]) == 31
    assert [D.nu2(t) for t in range(1, 9)] == [0, 1, 0, 2, 0, 1, 0, 3]


def test_silver_strongly_convex_against_mpmath():
    for kappa in (10, 100):
        d = D.silver_strongly_convex(kappa)
        with mpmath.workdps(70):
            z, n = mpmath.mpf(1) / kappa, 1
            while n <= 64:
                exact = mpmath.mpf(sp.N(d.results["z"][n], 60))
                assert abs(exact - z) < mpmath.mpf(10) ** -50
                xi = 1 - z
                z, n = z * (xi + mpmath.sqrt(1 + xi * xi)), 2 * n
    assert d.results["log_rho_2"].startswith("0.78643970135739488468")
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(d.results["log_2_rho"]) * mpmath.mpf(d.results["log_rho_2"]) - 1) < 1e-28
    # growth factor near z = 0 approaches 1 + sqrt 2
    g = d.results["growth"].subs(sp.Symbol("xi", real=True), 1 - sp.Rational(1, 10**8))
    assert abs(float(g) - (1 + 2**0.5)) < 1e-7


def test_gd_quadratic_numeric():
    d = D.gd_quadratic()
    m, L = sp.symbols("m L", positive=True)
    rng = random.Random(3)
    for _ in range(20):
        mv = rng.uniform(0.1, 3)
        Lv = mv * rng.uniform(1.5, 50)
        a = float(d.results["best_step"].subs({m: mv, L: Lv}))
        rate = float(d.results["rate"].subs({m: mv, L: Lv}))
        # independent: grid search of max(|1 - a m|, |1 - a L|) over a
        grid = [i * (2 / Lv) / 20000 for i in range(1, 20000)]
        best = min(grid, key=lambda s: max(abs(1 - s * mv), abs(1 - s * Lv)))
        assert abs(best - a) < 2 * (2 / Lv) / 20000
        assert abs(max(abs(1 - a * mv), abs(1 - a * Lv)) - rate) < 1e-12
        # stability: just above 2/L diverges on lambda = L, just below contracts
        assert abs(1 - 1.01 * 2 / Lv * Lv) > 1 and abs(1 - 0.99 * 2 / Lv * Lv) < 1


def test_gradient_flow_numeric():
    d = D.gradient_flow()
    assert str(d.results["function"]) == "-<grad(x),grad(x)>"
    with mpmath.workdps(40):
        A = mpmath.diag([1, 4])
        x0 = mpmath.matrix([1, -2])

        def x(t):
            return mpmath.matrix([mpmath.exp(-t) * x0[0], mpmath.exp(-4 * t) * x0[1]])

        t = mpmath.mpf("0.3")
        dist = mpmath.diff(lambda s: (x(s).T * x(s))[0], t)
        g = A * x(t)
        assert abs(dist - (-2 * (g.T * x(t))[0])) < 1e-25
        fval = mpmath.diff(lambda s: (x(s).T * A * x(s))[0] / 2, t)
        assert abs(fval - (-(g.T * g)[0])) < 1e-25


def test_silver_table_command_prints_exact_steps_and_agrees_with_mpmath(capsys):
    from symbolic.__main__ import main

    assert main(["silver", "--kappa", "10", "--n-max", "8"]) == 0
    out = capsys.readouterr().out
    # Altschuler and Parrilo: h = sqrt 2, 2, sqrt 2, 2 + sqrt 2, sqrt 2, 2, sqrt 2, 4 + 2 sqrt 2
    assert "sqrt(2), 2, sqrt(2), 2 + sqrt(2), sqrt(2), 2, sqrt(2), 4 + 2*sqrt(2)" in out
    assert "9/100 + sqrt(181)/100" in out  # z_2 = z_1 (xi + sqrt(1 + xi^2)) with z_1 = 1/10, xi = 9/10
    assert "(ok)" in out
