"""Deterministic matplotlib pictures (SVG) for rate claims, schedules, counterexamples and mathtext.

Each plot function takes an evidence dict and returns SVG bytes, or None when the evidence holds nothing to
plot. Fixed hash salt, no date and path-glyphs make the bytes depend on the data only.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

RC = {"svg.hashsalt": "gradverify-report", "svg.fonttype": "path", "font.family": "DejaVu Sans",
      "font.size": 9, "axes.titlesize": 9, "path.simplify": False}
MAX_POINTS = 2000  # points per curve: more are thinned evenly (a picture shows the shape, not every point)
COLORS = {"worst": "#1f4e9c", "bound": "#b22222", "curve": "#444444", "iterate": "#d2691e"}


def number(value: Any) -> float | None:
    """A float from a number or a numeric string ("3/4", "1e-3"); None when it is not a finite number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, str):
            text = value.strip()
            result = float(Fraction(text)) if "/" in text else float(text)
        else:
            result = float(value)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def _numbers(values: Any) -> list[float | None]:
    if not isinstance(values, list | tuple):
        return []
    return [number(v) for v in values]


def _thin(points: list[Any], limit: int = MAX_POINTS) -> list[Any]:
    """At most ``limit`` of ``points``, evenly spaced, keeping the first and the last."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def _svg(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context(RC), quiet():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buf.getvalue()


def _figure(width: float = 5.2, height: float = 2.8) -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height))


def rate_series(evidence: Mapping[str, Any]) -> tuple[list[float], list[float | None], list[float | None]]:
    """(N, worst case, bound) from ``series`` [{N, worst_case, bound}] or ``plot`` {type: rate, ...}."""
    series = evidence.get("series")
    if isinstance(series, list) and series:
        rows = [r for r in series if isinstance(r, Mapping)]
        ns = [number(r.get("N", r.get("n"))) for r in rows]
        worst = [number(r.get("worst_case")) for r in rows]
        bound = [number(r.get("bound")) for r in rows]
    else:
        plot = evidence.get("plot")
        if not (isinstance(plot, Mapping) and plot.get("type") == "rate"):
            return [], [], []
        ns, worst = _numbers(plot.get("N")), _numbers(plot.get("worst_case"))
        bound = _numbers(plot.get("bound"))
    keep = [i for i, n in enumerate(ns) if n is not None and n > 0]
    pick = lambda xs: [xs[i] if i < len(xs) else None for i in keep]  # noqa: E731
    return [ns[i] for i in keep], pick(worst), pick(bound)  # type: ignore[misc]


def rate_plot(evidence: Mapping[str, Any]) -> bytes | None:
    """Worst case against N next to the claimed bound, log-log; None without a usable series."""
    ns, worst, bound = rate_series(evidence)
    pts_w = _thin([(n, w) for n, w in zip(ns, worst, strict=True) if w is not None and w > 0])
    pts_b = _thin([(n, b) for n, b in zip(ns, bound, strict=True) if b is not None and b > 0])
    if not pts_w and not pts_b:
        return None
    fig = _figure()
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        if pts_w:
            ax.plot(*zip(*pts_w, strict=True), "o-", color=COLORS["worst"], label="worst case (computed)",
                    markersize=4)
        if pts_b:
            ax.plot(*zip(*pts_b, strict=True), "s--", color=COLORS["bound"], label="claimed bound",
                    markersize=3.5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N (iterations)")
        ax.set_ylabel("worst case")
        ax.grid(True, which="both", alpha=0.3, linewidth=0.5)
        ax.legend(frameon=False)
    return _svg(fig)


def schedule_steps(evidence: Mapping[str, Any]) -> list[float]:
    """Step sizes from ``steps`` (a list of numbers/strings) or ``plot`` {type: schedule, steps}."""
    steps = evidence.get("steps")
    if not (isinstance(steps, list) and steps and not isinstance(steps[0], Mapping)):
        plot = evidence.get("plot")
        steps = plot.get("steps") if isinstance(plot, Mapping) and plot.get("type") == "schedule" else None
    values = _numbers(steps)
    if not values or any(v is None for v in values):
        return []
    return [v for v in values if v is not None]


def schedule_plot(evidence: Mapping[str, Any]) -> bytes | None:
    """The step sizes h_k against k; None when there is no numeric schedule."""
    steps = schedule_steps(evidence)
    if not steps:
        return None
    fig = _figure(height=2.4)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        ks, hs = zip(*_thin(list(enumerate(steps))), strict=True)
        ax.vlines(ks, 0, hs, color=COLORS["worst"], linewidth=1.2)
        ax.plot(ks, hs, "o", color=COLORS["worst"], markersize=4)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xlabel("k")
        ax.set_ylabel("step size $h_k$")
        if len(steps) <= 20:
            ax.set_xticks(list(ks))
        ax.grid(True, alpha=0.3, linewidth=0.5)
    return _svg(fig)


def counterexample_data(evidence: Mapping[str, Any]) -> dict[str, Any] | None:
    """The explicit counterexample: ``counterexample``, ``function`` or ``plot`` of type function."""
    for key in ("counterexample", "function"):
        value = evidence.get(key)
        if isinstance(value, Mapping):
            data = dict(value)
            inner = data.get("function")
            return {**data, **inner} if isinstance(inner, Mapping) else data
    plot = evidence.get("plot")
    if isinstance(plot, Mapping) and plot.get("type") == "function":
        return dict(plot)
    return None


def _finite_pairs(xs: Iterable[float | None], ys: Iterable[float | None]) -> list[tuple[float, float]]:
    return [(x, y) for x, y in zip(xs, ys, strict=False) if x is not None and y is not None]


def function_plot(evidence: Mapping[str, Any]) -> bytes | None:
    """The counterexample function (sampled x, f) and the run's iterates on it; None when nothing numeric."""
    data = counterexample_data(evidence)
    if data is None:
        return None
    curve = _thin(_finite_pairs(_numbers(data.get("x")), _numbers(data.get("f"))))
    iterates = _numbers(data.get("iterates"))
    fvals = _numbers(data.get("values", data.get("f_iterates")))
    known = [v for v in iterates if v is not None]
    formula = data.get("formula", data.get("function"))
    if not curve and known and isinstance(formula, str):
        lo, hi = min(known), max(known)
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        curve = formula_curve(formula, lo - pad, hi + pad)
    if not curve and not known:
        return None
    fig = _figure(height=3.0)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        if curve:
            ax.plot(*zip(*sorted(curve), strict=True), "-", color=COLORS["curve"], linewidth=1.2, label="f")
        pts = _thin(_finite_pairs(iterates, fvals))
        if not pts and curve and iterates:
            xs, ys = zip(*sorted(curve), strict=True)
            pts = [(x, _interp(x, xs, ys)) for x in _thin(iterates) if x is not None]
        if pts:
            px, py = zip(*pts, strict=True)
            ax.plot(px, py, "o-", color=COLORS["iterate"], markersize=4, linewidth=0.8, alpha=0.9,
                    label="iterates $x_k$")
            for k, (x, y) in enumerate(pts[:12]):
                ax.annotate(str(k), (x, y), textcoords="offset points", xytext=(3, 4), fontsize=7)
            ax.set_xlabel("x")
            ax.set_ylabel("f(x)")
        else:
            kv = _thin([(k, v) for k, v in enumerate(iterates) if v is not None])
            ax.plot([k for k, _ in kv], [v for _, v in kv], "o-", color=COLORS["iterate"], markersize=4,
                    label="iterates $x_k$")
            ax.set_xlabel("k")
            ax.set_ylabel("$x_k$")
        ax.grid(True, alpha=0.3, linewidth=0.5)
        ax.legend(frameon=False)
    return _svg(fig)


def formula_curve(formula: str, lo: float, hi: float, samples: int = 241) -> list[tuple[float, float]]:
    """Samples of a one-variable formula ("f(x) = x**2/2", ``^`` allowed) parsed by the suite's safe parser.

    Returns [] when the formula is not a real function of one variable; the plot then shows the iterates only.
    """
    text = formula.split("=", 1)[1] if "=" in formula else formula
    try:
        import sympy as sp

        from core.expr import parse_expr

        expr = parse_expr(text.replace("^", "**"), field="function")
        if len(expr.free_symbols) != 1:
            return []
        fn = sp.lambdify(next(iter(expr.free_symbols)), expr, "math")
    except Exception:  # an optional decoration: any parse failure just means no curve
        return []
    points = []
    for i in range(samples):
        x = lo + (hi - lo) * i / (samples - 1)
        try:
            y = float(fn(x))
        except (ValueError, ArithmeticError, TypeError):
            continue
        if math.isfinite(y):
            points.append((x, y))
    return points


def _interp(x: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    if x <= xs[0]:
        return ys[0]
    for (x0, y0), (x1, y1) in zip(zip(xs, ys, strict=True), zip(xs[1:], ys[1:], strict=True), strict=True):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return ys[-1]


@functools.lru_cache(maxsize=256)
def mathtext_svg(latex: str) -> bytes | None:
    """One LaTeX math segment typeset by matplotlib's mathtext as a tight SVG; None if mathtext rejects it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure(0.1, 0.1)
    with matplotlib.rc_context({**RC, "mathtext.fontset": "cm", "font.size": 11}), quiet():
        fig.text(0, 0, f"${latex}$")
        try:
            FigureCanvasAgg(fig).draw()
            buf = io.BytesIO()
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight",
                        pad_inches=0.01, transparent=True)
        except (ValueError, RuntimeError):
            return None
    return buf.getvalue()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence matplotlib's log messages and warnings (missing glyphs) so the command line stays clean."""
    logger = logging.getLogger("matplotlib")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
