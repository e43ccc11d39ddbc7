"""The chapter's theorems derived (not asserted) with sympy; each function returns what it proved.

Every function raises :class:`DerivationError` if a step fails to reduce to zero, so a returned result is
a derivation that went through. The vector steps use the Gram expansion of :mod:`symbolic.vector`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp

from symbolic.qfield import RHO, QSqrt
from symbolic.spectral import chebyshev_t
from symbolic.vector import VectorSpace


class DerivationError(AssertionError):
    """A step of a derivation did not simplify as expected."""


@dataclass
class Derivation:
    """The proved results (sympy expressions) and the steps that proved them."""

    name: str
    results: dict[str, Any] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)

    def zero(self, expr: Any, why: str) -> None:
        """Record a step whose expression must simplify to exactly 0."""
        e = sp.sympify(expr)
        for fn in (sp.expand, sp.cancel, sp.radsimp, sp.simplify):
            if fn(e) == 0:
                self.steps.append(f"{why}: {fn.__name__}(...) == 0")
                return
        raise DerivationError(f"{self.name}: step failed: {why}: {e} != 0")


def _syms(names: str, **kw: Any) -> Any:
    return sp.symbols(names, **kw)


# ---- descent lemma ------------------------------------------------------------------------------------
def descent_lemma() -> Derivation:
    """From f(y) <= f(x) + <g, y - x> + L/2 ||y - x||^2 at y = x - a g: f(y) <= f(x) - a(1 - aL/2)||g||^2;
    the best a = 1/L with decrease ||g||^2/(2L); equality for f = L/2 x^2."""
    d = Derivation("descent lemma")
    a, L = _syms("a L", positive=True)
    space = VectorSpace(["x"])
    table: dict[str, Any] = {"a": a, "L": L}
    y_bound = space.parse("f(x) + inner(grad(x), (x - a*grad(x)) - x) + L/2*sqnorm((x - a*grad(x)) - x)",
                          field="bound", symbols=table)
    G = space.gram("grad(x)", "grad(x)")
    fx = space.fvalues["x"]
    coefficient = sp.factor(sp.expand((fx - y_bound) / G))
    d.zero(coefficient - a * (1 - a * L / 2), "quadratic upper bound at y = x - a g gives a(1 - aL/2)||g||^2")
    best = sp.solve(sp.diff(coefficient, a), a)
    if best != [1 / L]:
        raise DerivationError(f"descent lemma: stationary steps {best}")
    if sp.diff(coefficient, a, 2) >= 0:
        raise DerivationError("descent lemma: not a maximum")
    decrease = sp.simplify(coefficient.subs(a, best[0]))
    d.zero(decrease - 1 / (2 * L), "at a = 1/L the decrease is ||g||^2/(2L)")
    # tightness: f(x) = L/2 x^2 in one dimension, g = L x
    x = sp.Symbol("x", real=True)
    f = lambda t: L / 2 * t**2  # noqa: E731
    d.zero(f(x - a * L * x) - (f(x) - coefficient * (L * x) ** 2), "equality for f = L/2 x^2")
    d.results.update(coefficient=coefficient, best_step=best[0], decrease=decrease / 1 * G,
                     decrease_coefficient=decrease)
    return d


# ---- co-coercivity ------------------------------------------------------------------------------------
def cocoercivity() -> Derivation:
    """Convex L-smooth: <gx - gy, x - y> >= ||gx - gy||^2/L, from the two inequalities
    f(y) >= f(x) + <gx, y - x> + ||gy - gx||^2/(2L) (descent lemma applied to f - <gx, .>). Strongly
    convex: coefficients mL/(m+L) and 1/(m+L) solved for from co-coercivity of h = f - m/2||.||^2,
    which is convex and (L-m)-smooth; equality on f = 1/2(m x1^2 + L x2^2)."""
    d = Derivation("co-coercivity")
    L, m = _syms("L m", positive=True)
    space = VectorSpace(["x", "y"])
    tab: dict[str, Any] = {"L": L, "m": m}

    def P(text: str) -> Any:
        return sp.expand(space.parse(text, field="derivation", symbols=tab))

    # phi(z) = f(z) - <gx, z> is convex, L-smooth, minimized at x; phi(x) <= phi(y - grad phi(y)/L)
    # <= phi(y) - ||grad phi(y)||^2/(2L) by the descent lemma (decrease coefficient 1/(2L))
    dl = descent_lemma()
    dec = dl.results["decrease_coefficient"].subs(sp.Symbol("L", positive=True), L)
    s1 = P(f"f(y) - f(x) - inner(grad(x), y - x) - ({dec})*sqnorm(grad(y) - grad(x))")
    s2 = P(f"f(x) - f(y) - inner(grad(y), x - y) - ({dec})*sqnorm(grad(x) - grad(y))")
    target = P("inner(grad(x) - grad(y), x - y) - sqnorm(grad(x) - grad(y))/L")
    d.zero(s1 + s2 - target, "adding the two interpolation inequalities gives the co-coercivity slack")
    d.results["convex"] = "<gx - gy, x - y> - ||gx - gy||^2/L = s1 + s2 >= 0"
    # strongly convex: grad h(z) = grad f(z) - m z, h is (L-m)-smooth and convex
    c1, c2 = sp.symbols("c1 c2")
    slack_h = P("inner(grad(x) - m*x - (grad(y) - m*y), x - y)"
                " - sqnorm(grad(x) - m*x - (grad(y) - m*y))/(L - m)")
    goal = (P("inner(grad(x) - grad(y), x - y)") - c1 * P("sqnorm(x - y)")
            - c2 * P("sqnorm(grad(x) - grad(y))"))
    scale = sp.Symbol("s")
    residual = sp.expand(scale * slack_h - goal)
    gram = sorted(residual.free_symbols - {L, m, c1, c2, scale}, key=str)
    eqs = sp.Poly(residual, *gram).coeffs()
    sol = sp.solve(eqs, [c1, c2, scale], dict=True)
    if len(sol) != 1:
        raise DerivationError(f"co-coercivity: coefficients not unique: {sol}")
    sol = sol[0]
    d.zero(sol[c1] - m * L / (m + L), "coefficient of ||x - y||^2 is mL/(m+L)")
    d.zero(sol[c2] - 1 / (m + L), "coefficient of ||gx - gy||^2 is 1/(m+L)")
    d.zero(sol[scale] - (L - m) / (L + m), "multiplier of the co-coercivity of h is (L-m)/(L+m) > 0")
    # tightness on f = 1/2 (m x1^2 + L x2^2): gx - gy = A u with u = x - y
    u1, u2 = _syms("u1 u2", real=True)
    Au = (m * u1, L * u2)
    lhs = Au[0] * u1 + Au[1] * u2
    rhs = sol[c1] * (u1**2 + u2**2) + sol[c2] * (Au[0] ** 2 + Au[1] ** 2)
    d.zero(lhs - rhs, "equality for f = 1/2(m x1^2 + L x2^2) and all x, y")
    d.results.update(mu_coefficient=sol[c1], grad_coefficient=sol[c2], multiplier=sol[scale])
    return d


# ---- Chebyshev steps ----------------------------------------------------------------------------------
def chebyshev(K: int, m: Any = None, L: Any = None) -> Derivation:
    """The K Chebyshev step sizes on [m, L], the residual identity and the exact worst case."""
    if K < 1:
        raise ValueError("K >= 1")
    d = Derivation(f"Chebyshev steps, K = {K}")
    m = sp.Symbol("m", positive=True) if m is None else sp.sympify(m)
    L = sp.Symbol("L", positive=True) if L is None else sp.sympify(L)
    th = sp.Symbol("theta", real=True)
    # T_n(cos th) = cos(n th), by induction on the three-term recurrence
    d.zero(chebyshev_t(0, sp.cos(th)) - 1, "T_0(cos th) = cos(0)")
    d.zero(chebyshev_t(1, sp.cos(th)) - sp.cos(th), "T_1(cos th) = cos(th)")
    n = sp.Symbol("n", integer=True, positive=True)
    step = 2 * sp.cos(th) * sp.cos(n * th) - sp.cos((n - 1) * th) - sp.cos((n + 1) * th)
    d.zero(sp.expand_trig(sp.expand(step.rewrite(sp.exp))),
           "cos((n+1)th) = 2 cos th cos(n th) - cos((n-1)th)")
    roots_t = [sp.cos((2 * k - 1) * sp.pi / (2 * K)) for k in range(1, K + 1)]
    for k in range(1, K + 1):
        d.zero(sp.cos(K * (2 * k - 1) * sp.pi / (2 * K)), f"T_K(t_{k}) = cos((2k-1) pi/2) = 0")
    lam = sp.Symbol("lambda", real=True)
    tmap = (L + m - 2 * lam) / (L - m)
    lam_k = [(L + m) / 2 - (L - m) / 2 * tk for tk in roots_t]
    d.steps.append("the angles (2k-1) pi/(2K) are distinct in (0, pi), where cos is injective: "
                   "K distinct roots")
    d.zero(tmap.subs(lam, lam_k[0]) - roots_t[0], "lambda_k maps to t_k")
    steps = [1 / lk for lk in lam_k]
    q = chebyshev_t(K, tmap) / chebyshev_t(K, (L + m) / (L - m))
    # p = prod(1 - lambda/lambda_k) and q: degree K, the same K distinct roots lambda_k, value 1 at 0
    d.zero(sp.Poly(sp.expand(q * chebyshev_t(K, (L + m) / (L - m))), lam).degree() - K, "deg q = K")
    d.zero(q.subs(lam, 0) - 1, "q(0) = 1")
    if K <= 3:  # beyond, the radicals of cos(pi/(2K)) make the expansion slow (minutes at K = 4)
        p = sp.Integer(1)
        for lk in lam_k:
            p *= 1 - lam / lk
        d.zero(sp.expand(p - q), "prod(1 - lambda/lambda_k) = T_K(...)/T_K(...) (expanded exactly)")
    # worst case: |T_K| <= 1 on [-1, 1] with T_K(1) = 1 at lambda = m, so max |p| = 1/T_K((L+m)/(L-m))
    s, kap = sp.Symbol("s", positive=True), sp.Symbol("kappa", positive=True)
    d.zero(chebyshev_t(K, (s + 1 / s) / 2) - (s**K + s**-K) / 2, "T_K((s + 1/s)/2) = (s^K + s^-K)/2")
    sq = sp.Symbol("q", positive=True)  # q = sqrt(kappa)
    r = (sq - 1) / (sq + 1)
    d.zero((1 / r + r) / 2 - (sq**2 + 1) / (sq**2 - 1), "(1/r + r)/2 = (kappa+1)/(kappa-1)")
    worst_r = 2 * r**K / (1 + r ** (2 * K))
    d.zero(1 / ((r**-K + r**K) / 2) - worst_r, "1/T_K((kappa+1)/(kappa-1)) = 2 r^K/(1 + r^(2K))")
    d.results.update(steps=steps, lambdas=lam_k, residual=q,
                     worst=1 / chebyshev_t(K, (L + m) / (L - m)),
                     worst_in_r=worst_r.subs(sq, sp.sqrt(kap)), r=r.subs(sq, sp.sqrt(kap)))
    return d


# ---- Silver steps -------------------------------------------------------------------------------------
def nu2(t: int) -> int:
    """The 2-adic valuation of a positive integer."""
    if t < 1:
        raise ValueError("t >= 1")
    return (t & -t).bit_length() - 1


def silver_convex(n: int) -> list[QSqrt]:
    """h_t = 1 + rho^(nu(t) - 1), t = 1..n, exactly in Q(sqrt 2)."""
    return [1 + RHO ** (nu2(t) - 1) for t in range(1, n + 1)]


def silver_recursive(k: int) -> list[QSqrt]:
    """pi_1 = [1 + rho^-1], pi_{j+1} = [pi_j, 1 + rho^(j-1)... ]: the doubling construction, length 2^k-1."""
    pi: list[QSqrt] = []
    for j in range(k):
        pi = pi + [1 + RHO ** (j - 1)] + pi
    return pi


def silver_derivation(k: int = 6) -> Derivation:
    """The formula equals the doubling construction for N = 2^j - 1, j <= k; the first steps."""
    d = Derivation("Silver convex schedule")
    for j in range(1, k + 1):
        if silver_convex(2**j - 1) != silver_recursive(j):
            raise DerivationError(f"Silver: formula != recursion for N = {2**j - 1}")
        d.steps.append(f"h_t formula == doubling construction for N = {2**j - 1} (exact in Q(sqrt 2))")
    d.zero((RHO * RHO - 2 * RHO - 1).to_sympy(), "rho^2 = 2 rho + 1")
    d.results.update(first=silver_convex(8), tables={2**j - 1: silver_recursive(j) for j in range(1, k + 1)})
    return d


def silver_strongly_convex(kappa: Any, n_max: int = 64) -> Derivation:
    """z_1 = 1/kappa, z_{2n} = z_n g(xi), xi = 1 - z_n, with g = xi + sqrt(1 + xi^2) derived as the positive
    root of g - 1/g = 2 xi; exact nested radicals for n = 1, 2, 4, ..., n_max; g -> rho as z -> 0."""
    d = Derivation(f"Silver strongly convex recursion, kappa = {kappa}")
    xi = sp.Symbol("xi", real=True)
    gg = sp.Symbol("g", real=True)
    roots = sp.solve(sp.Eq(gg**2 - 2 * xi * gg - 1, 0), gg)
    if len(roots) != 2:
        raise DerivationError(f"Silver: roots {roots}")
    d.zero(roots[0] * roots[1] + 1, "the two roots of g^2 - 2 xi g - 1 multiply to -1: one is positive")
    roots = [r for r in roots if sp.expand(r - xi - sp.sqrt(1 + xi**2)) == 0]
    if len(roots) != 1:
        raise DerivationError("Silver: the root xi + sqrt(1 + xi^2) is missing")
    d.steps.append("the positive root is xi + sqrt(1 + xi^2) > xi + |xi| >= 0")
    z = sp.Symbol("z", positive=True)
    limit = sp.limit(roots[0].subs(xi, 1 - z), z, 0, "+")
    d.zero(limit - (1 + sp.sqrt(2)), "growth factor -> 1 + sqrt 2 = rho as z_n -> 0")
    table: dict[int, Any] = {}
    zn, n = 1 / sp.sympify(kappa), 1
    while n <= n_max:
        table[n] = zn
        x = 1 - zn
        zn, n = zn * (x + sp.sqrt(1 + x**2)), 2 * n
    with mpmath.workdps(60):
        log_rho_2 = mpmath.log(2) / mpmath.log(1 + mpmath.sqrt(2))
        log_2_rho = mpmath.log(1 + mpmath.sqrt(2)) / mpmath.log(2)
    d.results.update(growth=roots[0], limit=limit, z=table, log_rho_2=mpmath.nstr(log_rho_2, 30),
                     log_2_rho=mpmath.nstr(log_2_rho, 30))
    return d


# ---- gradient descent on quadratics -------------------------------------------------------------------
def gd_quadratic() -> Derivation:
    """x_{k+1} - x* = (I - aA)(x_k - x*); the optimal constant step 2/(m+L) with rate (kappa-1)/(kappa+1);
    stability 0 < a < 2/L."""
    d = Derivation("gradient descent on quadratics")
    a = sp.Symbol("a", positive=True)
    a11, a12, a22, b1, b2, x1, x2 = sp.symbols("a11 a12 a22 b1 b2 x1 x2", real=True)
    A = sp.Matrix([[a11, a12], [a12, a22]])
    b, x = sp.Matrix([b1, b2]), sp.Matrix([x1, x2])
    xs = A.inv() * b
    new = x - a * (A * x - b)
    err = (new - xs) - (sp.eye(2) - a * A) * (x - xs)
    for e in err:
        d.zero(sp.cancel(e), "x+ - x* = (I - aA)(x - x*) (2x2 symbolic A, b)")
    m, L = sp.symbols("m L", positive=True)
    # minimize max(|1 - a m|, |1 - a L|): the two branches 1 - a m and a L - 1 balance
    best = sp.solve(sp.Eq(1 - a * m, a * L - 1), a)
    if len(best) != 1:
        raise DerivationError("no unique balancing step")
    d.zero(best[0] - 2 / (m + L), "the balancing step is 2/(m+L)")
    rate = sp.simplify(1 - best[0] * m)
    kap = sp.Symbol("kappa", positive=True)
    d.zero(rate.subs(L, kap * m) - (kap - 1) / (kap + 1), "rate (L-m)/(L+m) = (kappa-1)/(kappa+1)")
    lam = sp.Symbol("lambda", positive=True)
    stable = sp.solve_univariate_inequality(sp.Abs(1 - a * lam) < 1, a, relational=False)
    if stable != sp.Interval.open(0, 2 / lam):
        raise DerivationError(f"stability set {stable}")
    d.steps.append("|1 - a lambda| < 1 <=> 0 < a < 2/lambda; over lambda in [m, L]: 0 < a < 2/L")
    d.results.update(best_step=best[0], rate=rate, stable=sp.Interval.open(0, 2 / L))
    return d


# ---- gradient flow ------------------------------------------------------------------------------------
def gradient_flow() -> Derivation:
    """Along x'(t) = -grad f(x): d/dt ||x - x*||^2 = -2 <grad f(x), x - x*> and d/dt (f(x) - f*) =
    -||grad f(x)||^2, in the vector language (x(t + s) = x + s x' + o(s), chain rule for f)."""
    d = Derivation("gradient flow")
    space = VectorSpace(["x", "xs"])
    s = sp.Symbol("s", real=True)
    tab: dict[str, Any] = {"s": s}
    moved = space.parse("sqnorm(x + s*(-grad(x)) - xs)", field="flow", symbols=tab)
    ddist = sp.diff(sp.expand(moved), s).subs(s, 0)
    d.zero(ddist - space.parse("-2*inner(grad(x), x - xs)", field="flow", symbols=tab),
           "d/dt ||x - x*||^2 = -2 <grad f(x), x - x*>")
    dfun = space.parse("inner(grad(x), -grad(x))", field="flow", symbols=tab)  # chain rule
    d.zero(dfun + space.parse("sqnorm(grad(x))", field="flow", symbols=tab),
           "d/dt (f(x) - f*) = <grad f(x), x'> = -||grad f(x)||^2")
    d.results.update(distance=ddist, function=dfun)
    return d


ALL = {"descent-lemma": descent_lemma, "co-coercivity": cocoercivity, "gd-quadratic": gd_quadratic,
       "gradient-flow": gradient_flow, "silver-convex": silver_derivation}
