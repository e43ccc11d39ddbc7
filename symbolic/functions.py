"""Exact calculus on an explicit formula f of named real variables, for the ``function`` claim kind.

* Derivatives at a point: f may be piecewise (``abs``, ``max``, ``min``, ``floor``, ``ceiling``); at a point
  where every such piece has a strictly active branch (``abs(u)`` with u != 0, a unique strict maximum, a
  non-integer ``floor`` argument, all decided by exact signs), f equals a smooth expression on a neighborhood
  (:func:`localize`) and is differentiated there. At a kink the derivative is not taken
  (:class:`NotDifferentiable`), never guessed (sympy would differentiate ``abs`` to ``sign`` and give 0).
  The point must be interior to f's domain: logarithm and fractional-power arguments > 0, denominators != 0.
* The definiteness of a constant symmetric matrix: the inertia from Descartes' rule of signs on its
  characteristic polynomial, which has only real roots, with exact coefficient signs.
* Stationary points of a smooth f with a polynomial system grad f = 0 (after clearing denominators): for
  each variable, the univariate polynomial of the lex Groebner basis with that variable last contains every
  solution's coordinate among its roots; every combination of exact real roots is tested exactly, so the
  returned set is complete (zero-dimensional systems only).
* Iterates of GD, Newton, Polyak, exact line search, Armijo backtracking, heavy ball and Nesterov, in exact
  arithmetic.

Nothing here imports the ``verify`` package; undecidable signs raise :class:`Undecided`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from numeric.interval import exact_sign, is_exact_zero
from symbolic.matrices import real_eigenvalues

NONSMOOTH = (sp.Abs, sp.Max, sp.Min, sp.floor, sp.ceiling)
MAX_COMBINATIONS = 4096  # candidate stationary points tested (product of the coordinates' root counts)
MAX_OPS = 20_000  # size of an exact iterate's expression before the run stops
MAX_DIGITS = 2000  # digits of a rational iterate's numerator or denominator


class Undecided(Exception):
    """An exact sign (or another step) could not be decided."""


class NotDifferentiable(Exception):
    """f has a kink at the point, or is not defined (or not differentiable) on a neighborhood of it."""


class MethodUndefined(Exception):
    """A method's step is undefined (singular Hessian, unbounded line search, no Armijo step)."""


class TooLarge(Exception):
    """Exact iterates grew past the size caps."""


def sign(value: Any, what: str = "a value") -> int:
    """The exact sign of a constant, or :class:`Undecided`."""
    s = exact_sign(sp.sympify(value))
    if s is None:
        raise Undecided(f"cannot decide the sign of {what} '{_short(value)}' exactly")
    return s


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_smooth(f: Any) -> bool:
    """Whether f has no piecewise function (abs, max, min, floor, ceiling)."""
    return not f.has(*NONSMOOTH)


def is_polynomial(f: Any, variables: list[sp.Symbol]) -> bool:
    """Whether f is a polynomial in the variables."""
    return bool(f.is_polynomial(*variables))


def total_degree(f: Any, variables: list[sp.Symbol]) -> int:
    """The total degree of a polynomial f."""
    return sp.Poly(f, *variables).total_degree()


def domain_conditions(f: Any) -> list[tuple[Any, str]]:
    """Conditions ``(u, kind)`` under which f is defined and smooth near a point: kind "pos" (u > 0: log and
    fractional powers), "nonzero" (u != 0: negative powers), "gt1" (u > 1: acosh), "cos" (cos u != 0: tan)."""
    out: list[tuple[Any, str]] = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.log):
            out.append((node.args[0], "pos"))
        elif isinstance(node, sp.Pow):
            base, exp = node.args
            if not exp.is_Integer:
                out.append((base, "pos"))
            elif exp < 0:
                out.append((base, "nonzero"))
        elif isinstance(node, sp.acosh):
            out.append((node.args[0] - 1, "pos"))
        elif isinstance(node, sp.tan):
            out.append((sp.cos(node.args[0]), "nonzero"))
    return [c for c in out if c[0].free_symbols]


def check_interior(f: Any, point: dict[Any, Any]) -> None:
    """:class:`NotDifferentiable` unless the point is interior to f's domain (exact signs)."""
    for u, kind in domain_conditions(f):
        v = u.xreplace(point)
        s = sign(v, "a domain condition")
        if (kind == "pos" and s <= 0) or (kind == "nonzero" and s == 0):
            need = "> 0" if kind == "pos" else "!= 0"
            raise NotDifferentiable(f"the point is not interior to the domain of f: need {u} {need}, got {v}")


def localize(f: Any, point: dict[Any, Any]) -> Any:
    """A smooth expression equal to f on a neighborhood of ``point`` (every piece strictly active there)."""
    if is_smooth(f):
        return f
    args = [localize(a, point) for a in f.args] if f.args else []
    if isinstance(f, sp.Abs):
        u = args[0]
        s = sign(u.xreplace(point), f"the argument of {f}")
        if s == 0:
            raise NotDifferentiable(f"kink of {f} at the point (its argument is 0)")
        return u if s > 0 else -u
    if isinstance(f, sp.Max | sp.Min):
        values = [a.xreplace(point) for a in args]
        best = 0
        for i in range(1, len(args)):
            d = sign(values[i] - values[best], f"a difference of the arguments of {f}")
            if (d > 0) == isinstance(f, sp.Max) and d != 0:
                best = i
        for i in range(len(args)):
            if i != best and sign(values[i] - values[best], f"the arguments of {f}") == 0:
                raise NotDifferentiable(f"kink of {f} at the point (two arguments tie)")
        return args[best]
    if isinstance(f, sp.floor | sp.ceiling):
        v = args[0].xreplace(point)
        fl = sp.floor(v) if isinstance(f, sp.floor) else sp.ceiling(v)
        if not isinstance(fl, sp.Integer) or sign(v - fl, f"the argument of {f}") == 0:
            raise NotDifferentiable(f"jump of {f} at the point (integer argument)")
        return fl
    return f.func(*args) if args else f


def evaluate(expr: Any, point: dict[Any, Any]) -> Any:
    """The exact value at ``point``; :class:`NotDifferentiable` when it is not a finite real number."""
    value = expr.xreplace(point)
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) or value.free_symbols:
        raise NotDifferentiable(f"not a finite real number at the point: {_short(value)}")
    return value


def tidy(value: Any) -> Any:
    """An exact value in a shorter equal form (rationals as they are; radicals simplified exactly)."""
    if isinstance(value, sp.Rational):
        return value
    try:
        return sp.radsimp(sp.cancel(value))
    except (TypeError, ValueError, sp.PolynomialError):
        return value


@dataclass
class Function:
    """f with its variables; derivatives at points (localized when f is piecewise)."""

    f: Any
    variables: list[sp.Symbol]
    _grad: list[Any] | None = None
    _hess: Any = None

    def __post_init__(self) -> None:
        if is_smooth(self.f):
            self._grad = [sp.diff(self.f, v) for v in self.variables]
            self._hess = sp.hessian(self.f, self.variables)

    def point(self, values: list[Any]) -> dict[Any, Any]:
        """A point as a substitution."""
        return dict(zip(self.variables, values, strict=True))

    def value(self, values: list[Any]) -> Any:
        """f at the point."""
        return tidy(evaluate(self.f, self.point(values)))

    def _local(self, p: dict[Any, Any]) -> tuple[list[Any], Any]:
        check_interior(self.f, p)
        if self._grad is not None:
            return self._grad, self._hess
        g = localize(self.f, p)
        return [sp.diff(g, v) for v in self.variables], sp.hessian(g, self.variables)

    def gradient(self, values: list[Any]) -> list[Any]:
        """The exact gradient at the point."""
        p = self.point(values)
        grad, _ = self._local(p)
        return [tidy(evaluate(d, p)) for d in grad]

    def hessian(self, values: list[Any]) -> sp.ImmutableMatrix:
        """The exact Hessian at the point."""
        p = self.point(values)
        _, hess = self._local(p)
        return sp.ImmutableMatrix(hess.applyfunc(lambda e: tidy(evaluate(e, p))))


def inertia(h: Any) -> tuple[int, int, int]:
    """(positive, negative, zero) eigenvalue counts of a constant symmetric matrix, exactly (Descartes' rule
    is exact for a polynomial with only real roots)."""
    n = h.rows
    coeffs = list(h.charpoly().all_coeffs())
    signs = [sign(c, "a coefficient of the characteristic polynomial") for c in coeffs]
    zeros = 0
    while zeros < len(signs) and signs[len(signs) - 1 - zeros] == 0:
        zeros += 1

    def changes(seq: list[int]) -> int:
        nz = [s for s in seq if s != 0]
        return sum(1 for a, b in zip(nz, nz[1:], strict=False) if a != b)

    pos = changes(signs)
    # p(-lambda): the coefficient of lambda^k gets (-1)^k; all_coeffs runs from degree n down to 0
    neg = changes([s * (-1) ** (n - i) for i, s in enumerate(signs)])
    if pos + neg + zeros != n:
        raise Undecided("inconsistent inertia (the matrix may not be symmetric)")
    return pos, neg, zeros


DEFINITENESS = ("positive-definite", "positive-semidefinite", "negative-definite", "negative-semidefinite",
                "indefinite")


def definiteness_holds(name: str, pos: int, neg: int, zero: int) -> bool:
    """Whether a matrix of inertia (pos, neg, zero) has the named definiteness."""
    return {"positive-definite": neg == 0 and zero == 0, "positive-semidefinite": neg == 0,
            "negative-definite": pos == 0 and zero == 0, "negative-semidefinite": pos == 0,
            "indefinite": pos > 0 and neg > 0}[name]


def principal_minors(m: Any) -> list[tuple[tuple[int, ...], Any]]:
    """All principal minors (index set, determinant)."""
    n = m.rows
    out = []
    for size in range(1, n + 1):
        for idx in itertools.combinations(range(n), size):
            out.append((idx, sp.factor(sp.cancel(m.extract(list(idx), list(idx)).det(method="berkowitz")))))
    return out


def stationary_points(f: Any, variables: list[sp.Symbol]) -> list[list[Any]]:
    """Every real stationary point of a smooth f whose gradient's numerators form a zero-dimensional
    polynomial system, exactly; :class:`Undecided` otherwise."""
    if not is_smooth(f):
        raise Undecided("f is piecewise: stationary points are found for smooth f only")
    nums, dens = [], []
    for v in variables:
        n, d = sp.fraction(sp.cancel(sp.together(sp.diff(f, v))))
        if not (n.is_polynomial(*variables) and d.is_polynomial(*variables)):
            raise Undecided("the gradient is not a rational function of the variables")
        nums.append(sp.expand(n))
        dens.append(d)
    if all(n == 0 for n in nums):
        raise Undecided("the gradient vanishes identically (every point is stationary)")
    eqs = [n for n in nums if n != 0]
    try:
        basis = sp.groebner(eqs, *variables, order="lex")
    except (sp.PolynomialError, NotImplementedError, sp.polys.polyerrors.CoercionFailed) as exc:
        raise Undecided(f"Groebner basis failed: {exc}") from None
    if list(basis.exprs) == [1]:
        return []
    if not basis.is_zero_dimensional:
        raise Undecided("the stationary set is not zero-dimensional (infinitely many complex solutions)")
    coordinate_roots = []
    for v in variables:
        order = [w for w in variables if w != v] + [v]
        gb = sp.groebner(eqs, *order, order="lex")
        uni = [g for g in gb.exprs if g.free_symbols <= {v}]
        if not uni:
            raise Undecided(f"no univariate polynomial in {v}")
        poly = sp.Poly(uni[-1], v)
        if not all(c.is_Rational for c in poly.all_coeffs()):
            raise Undecided("the elimination polynomial has irrational coefficients")
        roots = sorted(set(poly.real_roots()), key=lambda r: sp.N(r, 30))
        coordinate_roots.append(roots)
    total = 1
    for r in coordinate_roots:
        total *= max(len(r), 1)
    if total > MAX_COMBINATIONS:
        raise Undecided(f"{total} candidate points are more than {MAX_COMBINATIONS}")
    out = []
    for combo in itertools.product(*coordinate_roots):
        p = dict(zip(variables, combo, strict=True))
        ok = True
        for n in eqs:
            s = exact_sign(n.xreplace(p))
            if s is None:
                if is_exact_zero(sp.expand(n.xreplace(p))):
                    continue
                raise Undecided(f"cannot decide whether a candidate point {list(combo)} is stationary")
            if s != 0:
                ok = False
                break
        if not ok:
            continue
        for d in dens:
            if sign(d.xreplace(p), "a denominator at a stationary point") == 0:
                ok = False
        if ok:
            try:  # a solution outside f's domain (log(x) + x at x = -1) is no stationary point
                check_interior(f, p)
            except NotDifferentiable:
                ok = False
        if ok:
            out.append([tidy(c) for c in combo])
    return out


# iterative methods ----------------------------------------------------------------------------------------
K_SYMBOL = sp.Symbol("k", integer=True, nonnegative=True)


@dataclass
class Method:
    """A method and its exact parameters (``step``/``momentum`` may use the iteration index k)."""

    name: str
    step: Any = None
    momentum: Any = None
    f_star: Any = None
    alpha0: Any = None
    c: Any = None
    tau: Any = None
    max_backtracks: int = 60


@dataclass
class Run:
    """Exact iterates x_0..x_K with per-step notes (step sizes used, backtracks)."""

    iterates: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped: str | None = None


def _check_size(x: list[Any], k: int) -> None:
    for v in x:
        if isinstance(v, sp.Rational):
            if max(len(str(abs(v.p))), len(str(v.q))) > MAX_DIGITS:
                raise TooLarge(f"iterate {k} has more than {MAX_DIGITS} digits")
        elif sp.count_ops(v) > MAX_OPS:
            raise TooLarge(f"iterate {k} is an exact expression with more than {MAX_OPS} operations")


def _dot(a: list[Any], b: list[Any]) -> Any:
    return sum((x * y for x, y in zip(a, b, strict=True)), sp.Integer(0))


def _at_k(expr: Any, k: int) -> Any:
    return sp.sympify(expr).xreplace({K_SYMBOL: sp.Integer(k)})


def run_method(fn: Function, method: Method, start: list[Any], steps: int,
               stop: Callable[[int, list[Any]], bool] | None = None) -> Run:
    """Run ``steps`` iterations exactly (``stop(k, x_k)`` ends the run early when it returns True)."""
    out = Run(iterates=[list(start)])
    x, prev = list(start), list(start)
    if stop is not None and stop(0, x):
        return out
    for k in range(steps):
        g = fn.gradient(x)
        name = method.name
        if name in ("gd", "heavy-ball", "nesterov"):
            alpha = _at_k(method.step, k)
            beta = _at_k(method.momentum, k) if name != "gd" else 0
            if name == "nesterov":
                y = [tidy(xi + beta * (xi - pi)) for xi, pi in zip(x, prev, strict=True)]
                gy = fn.gradient(y)
                new = [yi - alpha * gi for yi, gi in zip(y, gy, strict=True)]
            else:
                new = [xi - alpha * gi + beta * (xi - pi) for xi, gi, pi in zip(x, g, prev, strict=True)]
            note = f"alpha = {alpha}" + (f", beta = {beta}" if name != "gd" else "")
        elif name == "newton":
            h = fn.hessian(x)
            if sign(h.det(), "the Hessian's determinant") == 0:
                raise MethodUndefined(f"the Hessian at x_{k} is singular")
            d = list(h.LUsolve(sp.Matrix(g)))
            t = _at_k(method.step, k) if method.step is not None else sp.Integer(1)
            new = [xi - t * di for xi, di in zip(x, d, strict=True)]
            note = f"Newton direction {[str(tidy(v)) for v in d]}" + (f", step {t}" if t != 1 else "")
        elif name == "polyak":
            gg = _dot(g, g)
            if sign(gg, "the squared gradient norm") == 0:
                new, note = list(x), "gradient 0: stays"
            else:
                alpha = tidy((fn.value(x) - method.f_star) / gg)
                new = [xi - alpha * gi for xi, gi in zip(x, g, strict=True)]
                note = f"alpha = {alpha}"
        elif name == "exact-line-search":
            alpha, note = _line_search(fn, x, g, k)
            new = [xi - alpha * gi for xi, gi in zip(x, g, strict=True)]
        elif name == "armijo":
            alpha, note = _armijo(fn, x, g, method, k)
            new = [xi - alpha * gi for xi, gi in zip(x, g, strict=True)]
        else:
            raise ValueError(f"unknown method {name}")
        prev, x = x, [tidy(v) for v in new]
        _check_size(x, k + 1)
        out.iterates.append(x)
        out.notes.append(note)
        if stop is not None and stop(k + 1, x):
            break
    return out


def _line_search(fn: Function, x: list[Any], g: list[Any], k: int) -> tuple[Any, str]:
    """argmin over alpha >= 0 of f(x - alpha g) for a polynomial f, exactly."""
    if all(sign(v, "a gradient entry") == 0 for v in g):
        return sp.Integer(0), "gradient 0: stays"
    a = sp.Dummy("a")
    phi = sp.expand(fn.f.xreplace({v: xi - a * gi for v, xi, gi in zip(fn.variables, x, g, strict=True)}))
    if not is_smooth(fn.f) or not phi.is_polynomial(a):
        raise MethodUndefined("exact line search needs a polynomial f")
    poly = sp.Poly(phi, a)
    if poly.degree() < 1 or sign(poly.LC(), "the leading coefficient of the line function") <= 0:
        raise MethodUndefined(f"f is unbounded below along -grad f(x_{k}): no exact line search step")
    dpoly = poly.diff(a)
    if not all(c.is_Rational for c in dpoly.all_coeffs()):
        if poly.degree() == 2:
            c2, c1, _ = poly.all_coeffs()
            alpha = tidy(-c1 / (2 * c2))
            if sign(alpha, "the line search step") < 0:
                alpha = sp.Integer(0)
            return alpha, f"alpha = {alpha} (exact line search, quadratic line function)"
        raise Undecided("exact line search with irrational coefficients beyond quadratics")
    candidates = [sp.Integer(0)] + [r for r in dpoly.real_roots() if sign(r, "a critical step") > 0]
    best, best_value = None, None
    for c in candidates:
        value = poly.eval(c) if isinstance(c, sp.Rational) else phi.xreplace({a: c})
        if best is None or sign(value - best_value, "a difference of line values") < 0:
            best, best_value = c, value
    return best, f"alpha = {best} (exact line search)"


def _armijo(fn: Function, x: list[Any], g: list[Any], method: Method, k: int) -> tuple[Any, str]:
    """Backtracking from alpha0 by tau until f(x - alpha g) <= f(x) - c alpha ||g||^2, exactly."""
    fx, gg = fn.value(x), _dot(g, g)
    alpha = method.alpha0
    for j in range(method.max_backtracks + 1):
        trial = fn.value([xi - alpha * gi for xi, gi in zip(x, g, strict=True)])
        if sign(fx - method.c * alpha * gg - trial, "the Armijo condition") >= 0:
            return alpha, f"alpha = {alpha} after {j} backtrack{'s' if j != 1 else ''}"
        alpha = alpha * method.tau
    raise MethodUndefined(f"no Armijo step at x_{k} within {method.max_backtracks} backtracks")


def sorted_eigenvalues(h: Any) -> list[Any]:
    """The exact eigenvalues of a constant symmetric matrix in increasing order."""
    try:
        return real_eigenvalues(sp.ImmutableMatrix(h))
    except ValueError as exc:
        raise Undecided(str(exc)) from None
