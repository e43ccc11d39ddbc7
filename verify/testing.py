"""Property testing of step-size schedules: hypothesis strategies for functions of a class with known L, m
and minimizer, and a runner that applies gradient descent and checks a claimed worst-case bound.

A researcher's three-line test (see README, "Property-testing a schedule")::

    @given(smooth_convex_functions())
    def test_my_schedule(problem):
        check_schedule(problem, steps=["3/2", "49/10", "3/2"], bound="1/(2 + 4*79/10)")

Every run is in mpmath at WORK_DIGITS digits from an exact start, so a tight bound attained exactly (a Huber
function on constant steps) does not fail by rounding; a violation is reported with the function, the start
point and the iterates, and hypothesis shrinks it. This is testing, not proof: a pass is never a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp
from hypothesis import strategies as st

from core.errors import FieldError
from core.expr import parse_expr

# 60 digits: N <= 1024 steps of size <= 1e8 (the rate kind's caps) lose at most about 10^(3 + 8) units in the
# last place, leaving more than 40 correct digits; VIOLATION_TOL (relative, 1e-40) is far above that error and
# far below any violation a schedule can have that matters (the suite's soundness corpus goes to 1e-30).
WORK_DIGITS = 60
VIOLATION_TOL = mpmath.mpf("1e-40")
METRICS = ("function-gap", "distance", "gradient-norm")
# how the normalized bound scales: metric <= bound * L^a * R^2
L_POWER = {"function-gap": 1, "distance": 0, "gradient-norm": 2}


@dataclass(frozen=True)
class TestFunction:
    """A function of the class (L-smooth, m-strongly convex) with its minimizer, value and a start point."""

    name: str
    L: Fraction
    m: Fraction
    x_star: tuple[Fraction, ...]
    x0: tuple[Fraction, ...]
    value: Callable[[list[Any]], Any] = field(repr=False, compare=False)
    gradient: Callable[[list[Any]], list[Any]] = field(repr=False, compare=False)
    parameters: str = ""

    __test__ = False  # not a pytest test class

    def __repr__(self) -> str:
        return (f"TestFunction({self.name}, L={self.L}, m={self.m}, x*={_show(self.x_star)}, "
                f"x0={_show(self.x0)}, {self.parameters})")


class ScheduleViolation(AssertionError):
    """Gradient descent with the schedule exceeded the claimed bound on a function of the class."""


def _show(v: Sequence[Fraction]) -> str:
    return "(" + ", ".join(str(x) for x in v) + ")"


def exact_number(text: Any, what: str) -> Any:
    """A claim-style number (int, Fraction, or a string like "1/(2 + 4*79/10)" or "1 + sqrt(2)"), exact."""
    if isinstance(text, Fraction):
        return sp.Rational(text.numerator, text.denominator)
    expr = parse_expr(text, field=what, allow_new=False)
    if not expr.is_real or expr.free_symbols:
        raise FieldError(what, f"must be a real number, got {text!r}")
    return expr


def _mp(x: Any) -> Any:
    """An exact number as an mpf of WORK_DIGITS digits (also when built outside a workdps block)."""
    with mpmath.workdps(WORK_DIGITS):
        if isinstance(x, Fraction):
            return mpmath.mpf(x.numerator) / x.denominator
        return mpmath.mpf(x) if isinstance(x, int) else mpmath.mpf(sp.N(x, WORK_DIGITS + 10))


def run_schedule(problem: TestFunction, steps: Sequence[Any]) -> list[list[Any]]:
    """The iterates x_0..x_N of x_{k+1} = x_k - (h_k / L) grad f(x_k), at WORK_DIGITS digits."""
    with mpmath.workdps(WORK_DIGITS):
        hs = [_mp(exact_number(h, "steps")) for h in steps]
        x = [_mp(c) for c in problem.x0]
        L = _mp(problem.L)
        out = [x]
        for h in hs:
            g = problem.gradient(x)
            x = [xi - h / L * gi for xi, gi in zip(x, g, strict=True)]
            out.append(x)
        return out


def check_schedule(problem: TestFunction, steps: Sequence[Any], bound: Any,
                   metric: str = "function-gap") -> Any:
    """Run the schedule on ``problem`` and raise :class:`ScheduleViolation` if metric(x_N) > bound L^a R^2
    (R = ||x_0 - x*||); returns the ratio metric / (L^a R^2)."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    with mpmath.workdps(WORK_DIGITS):
        b = _mp(exact_number(bound, "bound"))
        xs = run_schedule(problem, steps)
        star = [_mp(c) for c in problem.x_star]
        r2 = sum((a - s) ** 2 for a, s in zip(xs[0], star, strict=True))
        if r2 == 0:
            return mpmath.mpf(0)
        last = xs[-1]
        if metric == "function-gap":
            value = problem.value(last) - problem.value(star)
        elif metric == "distance":
            value = sum((a - s) ** 2 for a, s in zip(last, star, strict=True))
        else:
            value = sum(g**2 for g in problem.gradient(last))
        scale = _mp(problem.L) ** L_POWER[metric] * r2
        if value > b * scale * (1 + VIOLATION_TOL):
            raise ScheduleViolation(
                f"{metric} after {len(steps)} steps is {mpmath.nstr(value / scale, 20)} "
                f"L^{L_POWER[metric]} R^2 > bound {mpmath.nstr(b, 20)} on {problem!r}")
        return value / scale


# --- function families -------------------------------------------------------------------------------------
def _sum_sq(v: list[Any]) -> Any:
    return sum(c * c for c in v)


def quadratic(L: Fraction, m: Fraction, eigenvalues: Sequence[Fraction], x_star: Sequence[Fraction],
              x0: Sequence[Fraction]) -> TestFunction:
    """f(x) = 1/2 sum_i lambda_i (x_i - x*_i)^2 with every lambda_i in [m, L]."""
    lam = [_mp(e) for e in eigenvalues]
    xs = [_mp(c) for c in x_star]

    def value(x: list[Any]) -> Any:
        return sum(a * (xi - si) ** 2 for a, xi, si in zip(lam, x, xs, strict=True)) / 2

    def gradient(x: list[Any]) -> list[Any]:
        return [a * (xi - si) for a, xi, si in zip(lam, x, xs, strict=True)]

    return TestFunction("quadratic", L, m, tuple(x_star), tuple(x0), value, gradient,
                        "eigenvalues " + _show(eigenvalues))


def piecewise_quadratic(L: Fraction, m: Fraction, slopes: Sequence[Fraction], breaks: Sequence[Fraction],
                        x_star: Fraction, x0: Fraction) -> TestFunction:
    """A 1-D C^1 function with f' piecewise linear, f'(x*) = 0 and slope slopes[j] on the j-th interval of
    |t| (t = x - x*) split at ``breaks`` (increasing, positive): convex with curvature in [m, L]; slopes
    (L, 0) is Huber's function, the worst case of gradient descent (Drori and Teboulle 2014)."""
    s = [_mp(c) for c in slopes]
    b = [mpmath.mpf(0)] + [_mp(c) for c in breaks]
    xs = _mp(x_star)

    def deriv(t: Any) -> Any:
        a, sign, d = abs(t), (1 if t >= 0 else -1), mpmath.mpf(0)
        for j, slope in enumerate(s):
            hi = b[j + 1] if j + 1 < len(b) else mpmath.inf
            d += slope * (min(a, hi) - b[j])
            if a <= hi:
                break
        return sign * d

    def primitive(t: Any) -> Any:
        a, total, d = abs(t), mpmath.mpf(0), mpmath.mpf(0)
        for j, slope in enumerate(s):
            hi = b[j + 1] if j + 1 < len(b) else mpmath.inf
            w = min(a, hi) - b[j]
            total += d * w + slope * w * w / 2
            d += slope * w
            if a <= hi:
                break
        return total

    return TestFunction("piecewise-quadratic", L, m, (x_star,), (x0,), lambda x: primitive(x[0] - xs),
                        lambda x: [deriv(x[0] - xs)], f"slopes {_show(slopes)} breaks {_show(breaks)}")


def tilted(base: str, L: Fraction, m: Fraction, rows: Sequence[Sequence[Fraction]],
           x_star: Sequence[Fraction], x0: Sequence[Fraction]) -> TestFunction:
    """c phi(x) - c <grad phi(x*), x> + m/2 ||x - x*||^2 for phi = log-sum-exp or logistic loss of rows a_i:
    minimizer x*, curvature in [m, L] with c = (L - m) / L_phi and L_phi the rows' smoothness bound
    (log-sum-exp: max ||a_i||^2; logistic: sum ||a_i||^2 / 4)."""
    A = [[_mp(c) for c in row] for row in rows]
    norms = [sum(c * c for c in row) for row in rows]
    l_phi = max(norms) if base == "log-sum-exp" else sum(norms, Fraction(0)) / 4
    c = _mp(L - m) / _mp(l_phi) if l_phi else mpmath.mpf(0)
    xs = [_mp(v) for v in x_star]
    mm = _mp(m)

    def phi(x: list[Any]) -> tuple[Any, list[Any]]:
        z = [sum(a * xi for a, xi in zip(row, x, strict=True)) for row in A]
        if base == "log-sum-exp":
            top = max(z)
            w = [mpmath.exp(zi - top) for zi in z]
            total = sum(w)
            return top + mpmath.log(total), [sum(wi * row[j] for wi, row in zip(w, A, strict=True)) / total
                                             for j in range(len(x))]
        sig = [1 / (1 + mpmath.exp(-zi)) for zi in z]
        val = sum(mpmath.log1p(mpmath.exp(zi)) if zi < 0 else zi + mpmath.log1p(mpmath.exp(-zi)) for zi in z)
        return val, [sum(si * row[j] for si, row in zip(sig, A, strict=True)) for j in range(len(x))]

    with mpmath.workdps(WORK_DIGITS):
        _, g_star = phi(xs)

    def value(x: list[Any]) -> Any:
        v, _ = phi(x)
        return c * (v - sum(g * xi for g, xi in zip(g_star, x, strict=True))) + mm / 2 * _sum_sq(
            [xi - si for xi, si in zip(x, xs, strict=True)])

    def gradient(x: list[Any]) -> list[Any]:
        _, g = phi(x)
        return [c * (gi - gs) + mm * (xi - si) for gi, gs, xi, si in zip(g, g_star, x, xs, strict=True)]

    return TestFunction(base, L, m, tuple(x_star), tuple(x0), value, gradient, "rows " + "; ".join(
        _show(r) for r in rows))


def mixture(weight: Fraction, first: TestFunction, second: TestFunction) -> TestFunction:
    """w f1 + (1 - w) f2 of two functions of the same class and minimizer (the class is convex)."""
    w1, w2 = _mp(weight), _mp(1 - weight)
    return TestFunction(
        "mixture", first.L, first.m, first.x_star, first.x0,
        lambda x: w1 * first.value(x) + w2 * second.value(x),
        lambda x: [w1 * a + w2 * b for a, b in zip(first.gradient(x), second.gradient(x), strict=True)],
        f"{weight} x [{first!r}] + {1 - weight} x [{second!r}]")


# --- strategies --------------------------------------------------------------------------------------------
def _fractions(lo: Fraction, hi: Fraction) -> st.SearchStrategy[Fraction]:
    """Rationals in [lo, hi], the ends included and drawn often (the extremes carry the worst cases)."""
    inner = st.integers(0, 64).map(lambda k: lo + (hi - lo) * Fraction(k, 64))
    return st.one_of(st.sampled_from([lo, hi]), inner)


_COORD = st.integers(-8, 8).map(lambda k: Fraction(k, 2))


@st.composite
def functions(draw: st.DrawFn, L: Any = 1, m: Any = 0, max_dim: int = 3) -> TestFunction:
    """A function of the class with curvature in [m, L] (m = 0: smooth convex), any of the families."""
    L, m = Fraction(L), Fraction(m)
    if not 0 <= m < L:
        raise ValueError(f"need 0 <= m < L, got m = {m}, L = {L}")
    dim = draw(st.integers(1, max_dim))
    x_star = tuple(draw(st.lists(_COORD, min_size=dim, max_size=dim)))
    x0 = tuple(draw(st.lists(_COORD, min_size=dim, max_size=dim)))
    return draw(_family(L, m, dim, x_star, x0, depth=1))


def _family(L: Fraction, m: Fraction, dim: int, x_star: tuple, x0: tuple, depth: int) -> Any:
    families = [
        st.lists(_fractions(m, L), min_size=dim, max_size=dim).map(
            lambda lam: quadratic(L, m, lam, x_star, x0)),
        st.tuples(st.sampled_from(["log-sum-exp", "logistic"]),
                  st.lists(st.lists(st.integers(-3, 3).map(Fraction), min_size=dim, max_size=dim),
                           min_size=1, max_size=4)).map(
            lambda br: tilted(br[0], L, m, br[1], x_star, x0)),
    ]
    if dim == 1:
        families.append(st.integers(1, 3).flatmap(lambda k: st.tuples(
            st.lists(_fractions(m, L), min_size=k, max_size=k),
            st.lists(st.integers(1, 16).map(lambda j: Fraction(j, 4)), min_size=k - 1, max_size=k - 1,
                     unique=True).map(sorted))).map(
            lambda sb: piecewise_quadratic(L, m, sb[0], sb[1], x_star[0], x0[0])))
    if depth > 0:
        families.append(st.tuples(_fractions(Fraction(0), Fraction(1)), _family(L, m, dim, x_star, x0, 0),
                                  _family(L, m, dim, x_star, x0, 0)).map(lambda t: mixture(*t)))
    return st.one_of(families)


def smooth_convex_functions(L: Any = 1, max_dim: int = 3) -> st.SearchStrategy[TestFunction]:
    """L-smooth convex functions with a known minimizer, and a start point."""
    return functions(L=L, m=0, max_dim=max_dim)


def smooth_strongly_convex_functions(L: Any = 1, m: Any = Fraction(1, 10),
                                     max_dim: int = 3) -> st.SearchStrategy[TestFunction]:
    """L-smooth m-strongly convex functions with a known minimizer, and a start point."""
    return functions(L=L, m=m, max_dim=max_dim)
