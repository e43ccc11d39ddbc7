"""Exact worst-case instances extracted from a numeric PEP solution (points, gradients, function values).

The primal solution (G, F) of a PEP is a Gram matrix and function values in floating point. This module
turns it into an EXACT instance: coordinates of x0 - x* and of the gradients g_0..g_N in the dimension of
G's numerical rank, rationalized, with the iterates defined exactly by the method's update rule
x_{k+1} = x_0 - sum_{i <= k} H[k][i] g_i (gradient descent: x_{k+1} = x_k - h_k g_k; in Q, or in Q(sqrt 2)
for Silver steps; :mod:`pep.methods`). If rounding breaks an interpolation
inequality, the instance is shrunk toward a strictly interpolable one (a convex combination of Gram
matrices, realized exactly by appending one coordinate; see :func:`extract_instance`). Every
interpolation inequality of the class among all points (x* with g* = 0, f* = 0 included), the initial
condition and the metric are then evaluated in exact arithmetic with formulas written here from Taylor,
Hendrickx and Glineur (2017), independently of :mod:`pep.classes`. By their interpolation theorem a
function of the class passes through a valid instance, so its exact metric is a value gradient descent
attains on the class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from pep.exact import parse_exact as exact_parse
from pep.methods import Method, as_method, gd
from pep.problem import PEPData
from symbolic.qfield import QSqrt

# Eigenvalues of G below this fraction of the largest are dropped. The solvers stop at residuals of about
# 1e-7 (pep.solve.SCS_EPS, CLARABEL_TOL); eigenvalues ten to a hundred times larger than that are still
# solver noise, while the eigenvalues of a genuine worst case are of the order of the initial quantity (1).
RANK_RTOL = 1e-5
# A coordinate within SNAP_TOL of a fraction with denominator <= SNAP_DENOMINATOR is snapped to it: the
# move is far below the solver accuracy, and it recovers exact optima such as 1/7 (Drori-Teboulle).
SNAP_DENOMINATOR = 10**4
SNAP_TOL = 1e-9
# Otherwise a coordinate is rounded to the nearest fraction with denominator <= ROUND_DENOMINATOR
# (error < 1e-12, far below the solver accuracy; small enough for fast exact arithmetic).
ROUND_DENOMINATOR = 10**12
# Shrink toward feasibility: mixing weight t = b^2 with b = 2s/(1+s^2); s starts 1% above the smallest
# value that repairs every slack (computed in floats) and grows by 10% for MIX_TRIES tries. s <= 1/8
# (t <= 0.06): a larger t is no longer a "slight" shrink and is refused.
MAX_MIX_S = Fraction(1, 8)
# A refutation needs only some valid instance above the bound, not a slight shrink: when the slight mix
# fails (a solver violation far above what the quadratic's slack can absorb), refute_rate retries with
# mixing weights up to t = 1 (s <= HEAVY_MIX_S); the metric drops by the factor 1 - t, exactly accounted.
HEAVY_MIX_S = Fraction(1)
MIX_TRIES = 30
# A rank-1 worst case is also tried with every number snapped to denominators <= 10^2 .. 10^8 (no
# tolerance: the exact check decides). A valid 1-D instance admits an explicit function through it
# (pep.piecewise), which is worth a relative loss in the metric up to PREFER_1D_LOSS (below solver accuracy).
ONE_D_DENOMINATORS = tuple(10**k for k in range(2, 9))
PREFER_1D_LOSS = 1e-6
# Curvatures (as fractions of the class's range [mu_min, 1]) of the strictly interpolable 1-D quadratic
# used for shrinking; the one with the largest smallest slack is used (long steps need a small curvature so
# that the quadratic's iterates stay apart; a step with 1 - mu*h = 0 would merge two and leave a zero slack).
AUX_CURVATURES = tuple(Fraction(1, k) for k in (2, 3, 4, 5, 7, 10, 20, 50)) + (Fraction(3, 5), Fraction(3, 4))

Exact = Any  # Fraction or QSqrt


class InstanceError(ValueError):
    """The PEP data or solution cannot be turned into an instance (unknown class, no solution, ...)."""


# --- exact numbers ---------------------------------------------------------------------------------------
def parse_exact(text: Any) -> Exact:
    """:func:`pep.exact.parse_exact`, failing with an :class:`InstanceError`."""
    try:
        return exact_parse(text)
    except ValueError as exc:
        raise InstanceError(str(exc)) from None


def to_mp(value: Any) -> Any:
    """An exact number (int, Fraction, QSqrt) as an mpmath number at the current precision."""
    import mpmath

    if isinstance(value, QSqrt):
        return value.to_mpmath(mpmath.mp.dps)
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


def nstr50(value: Any, digits: int = 50) -> str:
    """``value`` (exact or mpmath) as a decimal string with ``digits`` significant digits."""
    import mpmath

    with mpmath.workdps(digits + 10):
        return mpmath.nstr(to_mp(value) if not isinstance(value, mpmath.mpf) else value, digits,
                           strip_zeros=False)


def rationalize(v: float) -> Fraction:
    """The float as a fraction: snapped to a small denominator if within SNAP_TOL, else rounded finely."""
    snapped = Fraction(v).limit_denominator(SNAP_DENOMINATOR)
    if abs(float(snapped) - v) <= SNAP_TOL:
        return snapped
    return Fraction(v).limit_denominator(ROUND_DENOMINATOR)


# --- vectors -------------------------------------------------------------------------------------------
Vec = tuple[Any, ...]


def _dot(u: Vec, v: Vec) -> Exact:
    s: Exact = Fraction(0)
    for a, b in zip(u, v, strict=True):
        if a and b:
            s = s + a * b
    return s


def _sub(u: Vec, v: Vec) -> Vec:
    return tuple(a - b for a, b in zip(u, v, strict=True))


# --- class information -----------------------------------------------------------------------------------
def class_of(data: PEPData, q: Any = None) -> tuple[str, Exact]:
    """The class name and q = m/L; q is read from the inequality interp(*,0) when not given."""
    name = data.description.get("class")
    if name not in ("smooth-convex", "smooth-strongly-convex", "smooth"):
        raise InstanceError(f"unknown function class {name!r}")
    if name != "smooth-strongly-convex":
        return name, Fraction(0)
    if q is None:
        q = data.description.get("q")
    if q is not None:
        return name, parse_exact(q)
    for con in data.constraints:
        if con.name == "interp(*,0)":
            # the pair (x*, x0) has M[0,0] = q/(2(1-q)) and M[1,1] = 1/(2(1-q))
            return name, con.M[(0, 0)] / con.M[(1, 1)]
    raise InstanceError("cannot read q from the PEP data: pass q")


def method_of(data: PEPData, method: Method | list[Any] | None = None) -> Method:
    """The exact method: given (a Method, or gradient descent's steps), or parsed from the description
    (its "steps", or its "H")."""
    if isinstance(method, Method):
        return method
    if method is not None:
        return gd([parse_exact(h) for h in method])
    desc = data.description
    if "steps" in desc:
        return gd([parse_exact(h) for h in desc["steps"]])
    return Method(desc.get("method", "fsfom"), tuple(tuple(parse_exact(c) for c in row) for row in desc["H"]))


def run_method(method: Method, x0: Vec, g: list[Vec]) -> list[Vec]:
    """x_0..x_N from x_0 and the gradients g_0..g_{N-1} (gradient descent step by step, else by H)."""
    xs = [tuple(x0)]
    steps = method.steps
    for k, row in enumerate(method.H):
        if steps is not None:
            xs.append(tuple(a - steps[k] * b for a, b in zip(xs[k], g[k], strict=True)))
            continue
        x = list(x0)
        for i, c in enumerate(row):
            if c:
                x = [a - c * b for a, b in zip(x, g[i], strict=True)]
        xs.append(tuple(x))
    return xs


def interpolation_slack(name: str, q: Exact, pi: tuple[Vec, Vec, Exact], pj: tuple[Vec, Vec, Exact]) -> Exact:
    """``f_i - (lower bound on f_i from point j)`` for the class (L = 1); >= 0 for every ordered pair iff
    the points are interpolable by a function of the class (Taylor, Hendrickx, Glineur 2017)."""
    xi, gi, fi = pi
    xj, gj, fj = pj
    dx, dg = _sub(xi, xj), _sub(gi, gj)
    base = fi - fj - _dot(gj, dx)
    if name == "smooth-convex":
        return base - Fraction(1, 2) * _dot(dg, dg)
    if name == "smooth-strongly-convex":
        w = 1 / (2 * (1 - q))
        return base - w * (_dot(dg, dg) + q * _dot(dx, dx) - 2 * q * _dot(dg, dx))
    e = _sub(dx, dg)
    return base - Fraction(1, 2) * _dot(dg, dg) + Fraction(1, 4) * _dot(e, e)


# --- the instance ----------------------------------------------------------------------------------------
@dataclass
class Instance:
    """An exact instance: x*, x_0..x_N, g_k, f_k (x* = 0, g* = 0, f* = 0 for the classes with a minimizer;
    for the nonconvex class f_k is f(x_k) minus the lower bound), its exact initial quantity and metric, and
    the result of the exact checks (``valid`` is True only if every check passed)."""

    fclass: str
    q: Exact
    method: Method
    initial: str
    metric: str
    x: list[Vec]
    g: list[Vec]
    f: list[Exact]
    initial_value: Exact = Fraction(0)
    metric_value: Exact = Fraction(0)
    valid: bool = False
    checks: dict[str, Any] = field(default_factory=dict)
    slacks: list[Exact] = field(default_factory=list, repr=False)  # of the last check, see _all_slacks
    # for a rank-1 solution: the float coordinates (x0 - x*, g_0..g_N) and f_k, from which explicit 1-D
    # functions are built even when the exact instance had to be mixed into two dimensions
    one_d_hint: tuple[list[float], list[float]] | None = field(default=None, repr=False)

    @property
    def steps(self) -> list[Exact] | None:
        """Gradient descent's steps, or None for another method."""
        return self.method.steps

    @property
    def dimension(self) -> int:
        """The dimension of the vectors."""
        return len(self.x[0]) if self.x else 0

    @property
    def has_minimizer(self) -> bool:
        """Whether x* (g* = 0, f* = 0) is one of the points."""
        return self.fclass != "smooth"

    def points(self) -> list[tuple[str, tuple[Vec, Vec, Exact]]]:
        """All labelled points (x, g, f), x* first when the class has one."""
        out = []
        if self.has_minimizer:
            zero = tuple(Fraction(0) for _ in range(self.dimension))
            out.append(("*", (zero, zero, Fraction(0))))
        out.extend((str(k), (self.x[k], self.g[k], self.f[k])) for k in range(len(self.x)))
        return out

    def evidence(self) -> dict[str, Any]:
        """The instance and its checks as JSON-ready strings."""
        return {
            "class": self.fclass + (f" (q = m/L = {self.q})" if self.fclass == "smooth-strongly-convex"
                                    else ""),
            "dimension": str(self.dimension),
            **({"steps": [str(h) for h in self.steps]} if self.method.name == "gd" else
               {"method": self.method.name, "H": [[str(c) for c in row] for row in self.method.H]}),
            "x_star": "0 (g* = 0, f* = 0)" if self.has_minimizer else "none (nonconvex class)",
            "x": [[str(c) for c in v] for v in self.x],
            "g": [[str(c) for c in v] for v in self.g],
            "f": [str(v) for v in self.f],
            "initial": f"{self.initial} = {self.initial_value}",
            "metric": f"{self.metric} = {self.metric_value}",
            "metric_50_digits": nstr50(self.metric_value),
            "checks": {k: (v if isinstance(v, str) else str(v)) for k, v in self.checks.items()},
        }


def initial_quantity(initial: str, x: list[Vec], g: list[Vec], f: list[Exact]) -> Exact:
    """||x0 - x*||^2, f(x0) - f* or ||g0||^2, exactly."""
    if initial == "distance":
        return _dot(x[0], x[0])
    if initial == "function-gap":
        return f[0]
    if initial == "gradient":
        return _dot(g[0], g[0])
    raise InstanceError(f"unknown initial condition '{initial}'")


def metric_quantity(metric: str, x: list[Vec], g: list[Vec], f: list[Exact]) -> Exact:
    """f(x_N) - f*, ||g_N||^2, ||x_N - x*||^2, min_k ||g_k||^2 (k <= N or k < N), f(x_0) - f(x_N),
    exactly."""
    if metric == "function-gap":
        return f[-1]
    if metric == "gradient-norm":
        return _dot(g[-1], g[-1])
    if metric == "distance":
        return _dot(x[-1], x[-1])
    if metric == "min-gradient-norm":
        return min(_dot(v, v) for v in g)
    if metric == "min-gradient-norm-before-last":
        return min(_dot(v, v) for v in g[:-1])
    if metric == "decrease":
        return f[0] - f[-1]
    raise InstanceError(f"unknown metric '{metric}'")


def build_instance(fclass: str, q: Exact, method: Method | list[Exact], initial: str, metric: str,
                   rows: list[Vec], f: list[Exact], check: bool = True) -> Instance:
    """The instance of basis coordinates ``rows`` (x0 - x* or x0, then g_0..g_N) with the method's iterates
    (gradient descent's steps, or a Method) computed exactly, checked (see :func:`check_instance`)."""
    method = as_method(method)
    n_steps = method.N
    if len(rows) != n_steps + 2 or len(f) < n_steps + 1:
        raise InstanceError(f"need {n_steps + 2} basis rows and {n_steps + 1} function values")
    g = [tuple(r) for r in rows[1:]]
    x = run_method(method, rows[0], g)
    inst = Instance(fclass, q, method, initial, metric, x, g, list(f[:n_steps + 1]))
    if check:
        check_instance(inst)
    return inst


def pair_slacks(inst: Instance) -> list[tuple[str, Exact]]:
    """The exact slack of the interpolation inequality of every ordered pair of distinct points."""
    pts = inst.points()
    return [(f"({li},{lj})", interpolation_slack(inst.fclass, inst.q, pi, pj))
            for li, pi in pts for lj, pj in pts if li != lj]


def _all_slacks(inst: Instance) -> list[Exact]:
    """Pair slacks, then f_k - f_low for the nonconvex class: the linear inequalities a shrink must keep."""
    out = [s for _, s in pair_slacks(inst)]
    return out + (list(inst.f) if not inst.has_minimizer else [])


def check_instance(inst: Instance) -> bool:
    """Check exactly every interpolation inequality among all points, the lower bound f_k >= 0 (nonconvex
    class), the update rule and the initial condition (<= 1); set ``valid``, ``checks`` and the values."""
    checks: dict[str, Any] = {"arithmetic": "exact (fractions.Fraction" + (
        ", Q(sqrt 2))" if any(isinstance(c, QSqrt) for row in inst.method.H for c in row) else ")")}
    ok = True
    want = run_method(inst.method, inst.x[0], inst.g)  # the update rule, re-checked: tampering fails here
    bad = next((k for k in range(inst.method.N) if want[k + 1] != tuple(inst.x[k + 1])), None)
    if bad is not None or len(inst.x) != inst.method.N + 1:
        ok = False
        checks["update_rule"] = f"FAILS at k = {bad}"
    elif inst.method.name == "gd":
        checks["update_rule"] = "x_{k+1} = x_k - h_k g_k holds exactly for k = 0..N-1"
    else:
        checks["update_rule"] = (f"x_{{k+1}} = x_0 - sum_i H[k][i] g_i ({inst.method.name}) holds exactly "
                                 f"for k = 0..N-1")
    worst: Exact | None = None
    worst_pair = ""
    slacks = pair_slacks(inst)
    inst.slacks = [s for _, s in slacks] + (list(inst.f) if not inst.has_minimizer else [])
    for pair, s in slacks:
        if worst is None or s < worst:
            worst, worst_pair = s, pair
    checks["interpolation_inequalities"] = len(slacks)
    checks["min_interpolation_slack"] = (f"{nstr50(worst, 12)} at pair {worst_pair} (exact value "
                                         f"{'0' if worst == 0 else ('> 0' if worst > 0 else '< 0')})"
                                         if worst is not None else "none")
    if worst is not None and worst < 0:
        ok = False
        checks["interpolation"] = f"FAILS: slack {nstr50(worst, 6)} < 0 at pair {worst_pair}"
    else:
        checks["interpolation"] = "every inequality holds exactly"
    if not inst.has_minimizer:
        low = min(inst.f)
        checks["lower_bound"] = "f_k >= f_low for all k" if low >= 0 else f"FAILS: min f_k = {low}"
        ok = ok and low >= 0
    inst.initial_value = initial_quantity(inst.initial, inst.x, inst.g, inst.f)
    inst.metric_value = metric_quantity(inst.metric, inst.x, inst.g, inst.f)
    if inst.initial_value > 1:
        ok = False
        checks["initial_condition"] = f"FAILS: {inst.initial} = {inst.initial_value} > 1"
    else:
        checks["initial_condition"] = f"{inst.initial} = {inst.initial_value} <= 1"
    inst.valid = ok
    inst.checks = checks
    return ok


# --- extraction ------------------------------------------------------------------------------------------
def gram_factor(G: np.ndarray, rank_rtol: float = RANK_RTOL) -> np.ndarray:
    """Rows P with P P^T ~ G, in the dimension of G's numerical rank (eigenvalues > rank_rtol * max)."""
    G = np.asarray(G, dtype=float)
    if G.ndim != 2 or G.shape[0] != G.shape[1] or not np.isfinite(G).all():
        raise InstanceError("the solution has no finite square Gram matrix")
    w, V = np.linalg.eigh((G + G.T) / 2)
    top = float(w.max())
    if top <= 0:
        raise InstanceError("the Gram matrix is zero")
    keep = w > rank_rtol * top
    P = V[:, keep] * np.sqrt(w[keep])
    P = P[:, ::-1]  # largest eigenvalue first
    for j in range(P.shape[1]):  # cosmetic: first clearly nonzero entry of each column positive
        col = P[:, j]
        big = np.flatnonzero(np.abs(col) > 1e-12)
        if big.size and col[big[0]] < 0:
            P[:, j] = -col
    return P


def _aux_rows(fclass: str, q: Exact, method: Method, mu: Fraction) -> tuple[list[Vec], list[Exact]]:
    """Basis rows and f values of the 1-D quadratic mu x^2/2 from x0 = 1 (strictly interpolable when its
    iterates are distinct and mu is strictly inside the class's curvature range)."""
    xs = [Fraction(1)]
    for row in method.H:
        xs.append(1 - sum((c * mu * x for c, x in zip(row, xs, strict=False)), Fraction(0)))
    rows = [(Fraction(1),)] + [(mu * x,) for x in xs]
    return rows, [mu * x * x / 2 for x in xs]


def _strict_aux(fclass: str, q: Exact, method: Method, initial: str,
                metric: str) -> tuple[list[Vec], list[Exact], list[Exact]] | None:
    """The strictly interpolable auxiliary instance (every slack > 0) with the largest smallest slack among
    AUX_CURVATURES, scaled to initial quantity <= 1, with its slacks; None if no curvature is strict."""
    lo = q if fclass == "smooth-strongly-convex" else Fraction(0)
    ranked = []
    for base in AUX_CURVATURES:
        mu = lo + (1 - lo) * base
        rows, f = _aux_rows(fclass, q, method, mu)
        scale = shrink_factor(initial_quantity(initial, [rows[0]], [rows[1]], f))
        rows = [tuple(scale * c for c in r) for r in rows]
        f = [scale * scale * v for v in f]
        # rank the candidates by their smallest slack in floats (cheap), then check exactly in that order
        approx = build_instance(fclass, float(q), method.to_float(), initial, metric,
                                [tuple(float(c) for c in r) for r in rows], [float(v) for v in f],
                                check=False)
        ranked.append((min(_all_slacks(approx)), rows, f))
    ranked.sort(key=lambda item: -item[0])
    for smallest, rows, f in ranked:
        if not smallest > 0:
            break
        inst = build_instance(fclass, q, method, initial, metric, rows, f, check=False)
        slacks = _all_slacks(inst)
        if min(slacks) > 0:
            return rows, f, slacks
    return None


def shrink_factor(initial_value: Exact) -> Fraction:
    """A rational sigma <= 1 with sigma^2 * initial_value <= 1 (and close to equality)."""
    if initial_value <= 1:
        return Fraction(1)
    sigma = Fraction(1 / math.sqrt(float(initial_value))).limit_denominator(10**12)
    while sigma * sigma * initial_value > 1:
        sigma -= Fraction(1, 10**12)
    return sigma


def extract_instance(data: PEPData, result: Any, *, steps: Method | list[Any] | None = None, q: Any = None,
                     rank_rtol: float = RANK_RTOL, shrink: bool = True,
                     max_mix_s: Fraction = MAX_MIX_S) -> Instance:
    """The exact instance of a numeric PEP solution (``result.G``, ``result.F``), checked exactly.

    Rationalized coordinates first; if an inequality fails, the Gram matrix is mixed with a strictly
    interpolable 1-D quadratic instance, (1 - t) G + t G_aux with 1 - t = a^2, t = b^2 rational squares
    (a = (1-s^2)/(1+s^2), b = 2s/(1+s^2)), realized exactly by the coordinates [a P | b P_aux]; every
    inequality is linear in (G, F), so its slack becomes a^2 slack + b^2 slack_aux. A final rational
    scaling (coordinates by sigma, f by sigma^2; all inequalities are homogeneous) meets the initial
    condition. The returned instance has ``valid`` False when no t (<= 0.06 for the default
    ``max_mix_s``) repairs it. A rank-1 solution is
    also snapped coarsely (ONE_D_DENOMINATORS); a valid 1-D instance is preferred when it loses at most
    PREFER_1D_LOSS (relative) against the mixed one, because an explicit function passes through it.
    """
    name, qq = class_of(data, q)
    hs = method_of(data, steps)
    initial, metric = data.description["initial"], data.description["metric"]
    if getattr(result, "G", None) is None or getattr(result, "F", None) is None:
        raise InstanceError("the PEP result has no primal solution")
    P = gram_factor(result.G, rank_rtol)
    rows = [tuple(rationalize(float(v)) for v in r) for r in P]
    F = np.asarray(result.F, dtype=float)
    if not np.isfinite(F).all():
        raise InstanceError("the PEP result has no finite function values")
    f = [rationalize(float(v)) for v in F[:hs.N + 1]]
    inst = build_instance(name, qq, hs, initial, metric, rows, f)
    numeric_rank = len(rows[0])
    history = [f"rank {numeric_rank} (eigenvalues > {rank_rtol:g} x largest kept), rationalized"]
    if not inst.valid and shrink and not _interpolation_ok_but_initial(inst):
        aux = _strict_aux(name, qq, hs, initial, metric)
        if aux is not None and inst.checks["update_rule"].startswith("x_"):
            arows, af, aux_slacks = aux
            slacks = inst.slacks
            # need b^2/a^2 >= ratio = max(-u/v) over the violated slacks u (v > 0 the auxiliary's slack);
            # with b/a = 2s/(1 - s^2): s0 = (sqrt(1 + ratio) - 1)/sqrt(ratio); tried upward from 1.01 s0
            ratio = max((float(-u / v) for u, v in zip(slacks, aux_slacks, strict=True) if u < 0),
                        default=0.0)
            s0 = (math.sqrt(1 + ratio) - 1) / math.sqrt(ratio) if ratio > 0 else 0.0
            for k in range(MIX_TRIES):
                s = Fraction(s0 * 1.01 * 1.1**k).limit_denominator(10**9)
                if s <= 0 or s > max_mix_s:
                    break
                a, b = (1 - s * s) / (1 + s * s), 2 * s / (1 + s * s)
                # linear in (G, F): the mixed slacks, before building (and fully re-checking) the instance
                if not all(a * a * u + b * b * v >= 0 for u, v in zip(slacks, aux_slacks, strict=True)):
                    continue
                rows = [tuple(a * c for c in r) + tuple(b * c for c in ar) for r, ar in
                        zip(rows, arows, strict=True)]
                f = [a * a * u + b * b * v for u, v in zip(f, af, strict=True)]
                inst = build_instance(name, qq, hs, initial, metric, rows, f)
                history.append(f"mixed with the quadratic instance: t = b^2 = {nstr50(b * b, 6)} (s = {s})")
                break
    if not inst.valid and shrink and _interpolation_ok_but_initial(inst):
        inst, rows, f = _scaled(inst, rows, f, history)
    if shrink and numeric_rank == 1 and inst.dimension > 1:
        one_d = _snapped_one_d(name, qq, hs, initial, metric, P, F)
        value = float(getattr(result, "value", math.nan))
        scale = max(abs(value) if math.isfinite(value) else 0.0, abs(float(inst.metric_value)), 1e-300)
        if one_d is not None and (not inst.valid or float(one_d.metric_value) >= float(inst.metric_value)
                                  - PREFER_1D_LOSS * scale):
            inst = one_d
            history = [history[0], "1-D: " + one_d.checks.pop("construction")]
    inst.checks["construction"] = "; ".join(history)
    inst.checks["solver_value"] = repr(float(getattr(result, "value", math.nan)))
    if numeric_rank == 1:
        inst.one_d_hint = ([float(r[0]) for r in P], [float(v) for v in F[:hs.N + 1]])
    return inst


def _snapped_one_d(name: str, q: Exact, method: Method, initial: str, metric: str, P: np.ndarray,
                   F: np.ndarray) -> Instance | None:
    """The valid 1-D instance with the largest metric among coarse snappings of a rank-1 solution."""
    best: Instance | None = None
    for den in ONE_D_DENOMINATORS:
        rows = [(Fraction(float(r[0])).limit_denominator(den),) for r in P]
        f = [Fraction(float(v)).limit_denominator(den) for v in F[:method.N + 1]]
        inst = build_instance(name, q, method, initial, metric, rows, f)
        how = f"every number snapped to denominator <= {den}"
        if not inst.valid and _interpolation_ok_but_initial(inst):
            hist = [how]
            inst, rows, f = _scaled(inst, rows, f, hist)
            how = "; ".join(hist)
        if inst.valid and (best is None or inst.metric_value > best.metric_value):
            inst.checks["construction"] = how
            best = inst
    return best


def _scaled(inst: Instance, rows: list[Vec], f: list[Exact],
            history: list[str]) -> tuple[Instance, list[Vec], list[Exact]]:
    """Scale coordinates by sigma and f by sigma^2 so that the initial condition holds."""
    sigma = shrink_factor(inst.initial_value)
    rows = [tuple(sigma * c for c in r) for r in rows]
    f = [sigma * sigma * v for v in f]
    inst = build_instance(inst.fclass, inst.q, inst.method, inst.initial, inst.metric, rows, f)
    history.append(f"scaled by sigma = {sigma} (f by sigma^2) to meet the initial condition")
    return inst, rows, f


def _interpolation_ok_but_initial(inst: Instance) -> bool:
    """Only the initial condition fails (a scaling repairs it)."""
    return (not inst.valid and not inst.checks["interpolation"].startswith("FAILS")
            and not inst.checks.get("lower_bound", "").startswith("FAILS")
            and not inst.checks["update_rule"].startswith("FAILS"))
