"""Search for a parameter point that breaks a claim; every candidate is re-checked exactly or rigorously.

Points are exact rationals drawn with a seeded generator inside the symbols' assumptions and the
claim's domain; float64 only screens candidates, it never decides a verdict.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sympy as sp

from numeric.interval import sign_of, zero_proof
from verify.params import Parameters

SAMPLES = 600  # points screened per claim: enough to hit any violated region of non-negligible measure
SIMPLE_FIRST = 40  # leading points drawn from small simple values only
LOCAL_STEPS = 200  # hill-climbing steps from the most nearly violating points
SIMPLE = [sp.Rational(v) for v in ("1", "2", "1/2", "3", "1/3", "10", "1/10", "100", "1/100", "5", "7/3")]


@dataclass
class Witness:
    """A point where the claim fails, with the violated quantity's exact or enclosed sign."""

    point: dict[Any, sp.Rational]
    value: str
    check: str


def _bounds(params: Parameters) -> dict[Any, list[Any]]:
    """Constant bounds on single symbols read from the domain (``0 < h <= 2``): [lo, hi, lo_closed,
    hi_closed]."""
    out: dict[Any, list[Any]] = {}
    for a, b, closed in params.ordered_domain():
        if isinstance(a, sp.Symbol) and b.is_Rational:
            entry = out.setdefault(a, [None, None, False, False])
            entry[1], entry[3] = b, closed
        elif isinstance(b, sp.Symbol) and a.is_Rational:
            entry = out.setdefault(b, [None, None, False, False])
            entry[0], entry[2] = a, closed
    return out


def _log_uniform(rng: random.Random) -> sp.Rational:
    return sp.Rational(round(10 ** rng.uniform(-3, 3), 6)).limit_denominator(10**6) or sp.Rational(1, 1000)


def _value(sym: Any, rng: random.Random, bounds: list[Any] | None, simple: bool = False) -> sp.Rational:
    """A random exact value inside the symbol's assumptions and constant domain bounds."""
    lo, hi, lo_closed, hi_closed = bounds if bounds else (None, None, False, False)
    if sym.is_nonnegative:
        if lo is None or lo < 0:
            lo, lo_closed = sp.Integer(0), not sym.is_positive
    if sym.is_nonpositive:
        if hi is None or hi > 0:
            hi, hi_closed = sp.Integer(0), not sym.is_negative
    ends = [e for e, closed in ((lo, lo_closed), (hi, hi_closed)) if e is not None and closed]
    if ends and rng.random() < (0.3 if simple else 0.05):
        return sp.Rational(rng.choice(ends))  # closed ends are where claims most often break
    if sym.is_integer:
        a = int(sp.ceiling(lo)) if lo is not None else -20
        b = int(sp.floor(hi)) if hi is not None else 20
        return sp.Integer(rng.randint(min(a, b), max(a, b)))
    if lo is not None and hi is not None:
        if simple:
            return lo + (hi - lo) * rng.choice([sp.Rational(1, 2), sp.Rational(1, 4), sp.Rational(3, 4)])
        t = sp.Rational(rng.randint(1, 999), 1000) if rng.random() < 0.8 else sp.Rational(
            rng.choice([1, 9999]), 10000)
        return lo + (hi - lo) * t
    base = rng.choice(SIMPLE) if simple or rng.random() < 0.3 else _log_uniform(rng)
    if lo is not None:
        return lo + base
    if hi is not None:
        return hi - base
    return base if rng.random() < 0.6 else (-base if rng.random() < 0.8 else sp.Integer(0))


def sample_points(symbols: list[Any], params: Parameters, rng: random.Random,
                  count: int = SAMPLES) -> Iterator[dict[Any, sp.Rational]]:
    """Exact rational points satisfying the assumptions and (checked exactly) the domain."""
    bounds = _bounds(params)
    produced = tries = 0
    while produced < count and tries < 20 * count:
        tries += 1
        # simple values (1, 2, 1/2, ...) first, so that witnesses are easy to read
        point = {s: _value(s, rng, bounds.get(s), simple=tries <= SIMPLE_FIRST) for s in symbols}
        if _respects_assumptions(point) and params.domain_holds(point):
            produced += 1
            yield point


def _float_fn(expr: Any, symbols: list[Any]) -> Callable[..., float]:
    fn = sp.lambdify(symbols, expr, modules="math")

    def call(*args: float) -> float:
        try:
            return float(fn(*args))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return math.nan

    return call


def find_violation(expr: Any, bad: Callable[[int], bool], params: Parameters, seed: int,
                   score: Callable[[float], float] | None = None) -> tuple[Witness | None, int]:
    """A point where ``bad(sign(expr))`` holds, re-checked exactly or by a >= 200-bit enclosure.

    ``score`` maps a float value to how strongly it violates (larger is worse); it guides a short local
    search from the most promising sampled points. Returns the witness (or None) and the points tried.
    """
    rng = random.Random(seed)
    symbols = sorted(expr.free_symbols | {s for a, _, b in params.domain
                                          for s in (params.substitute(b - a)).free_symbols},
                     key=lambda s: s.name)
    if not symbols:
        return _recheck(expr, {}, bad), 1
    fn = _float_fn(expr, symbols)
    scored: list[tuple[float, dict[Any, sp.Rational]]] = []
    tried = 0
    for point in sample_points(symbols, params, rng):
        tried += 1
        val = fn(*[float(point[s]) for s in symbols])
        if math.isnan(val):
            continue
        if score is None or score(val) >= 0:
            witness = _recheck(expr, point, bad)
            if witness:
                return witness, tried
        if score is not None:
            scored.append((score(val), point))
    if score is None:
        return None, tried
    scored.sort(key=lambda t: -t[0])
    for _, start in scored[:5]:
        witness, steps = _climb(expr, fn, symbols, start, params, bad, score, rng)
        tried += steps
        if witness:
            return witness, tried
    return None, tried


def _climb(expr: Any, fn: Callable[..., float], symbols: list[Any], start: dict[Any, sp.Rational],
           params: Parameters, bad: Callable[[int], bool], score: Callable[[float], float],
           rng: random.Random) -> tuple[Witness | None, int]:
    point = dict(start)
    best = score(fn(*[float(point[s]) for s in symbols]))
    step = 0.5
    for i in range(LOCAL_STEPS):
        sym = rng.choice(symbols)
        trial = dict(point)
        factor = sp.Rational(1 + rng.uniform(-step, step)).limit_denominator(10**6)
        if point[sym] != 0:
            trial[sym] = point[sym] * factor
        else:
            trial[sym] = sp.Rational(rng.uniform(-1, 1)).limit_denominator(100)
        if sym.is_integer:
            trial[sym] = sp.Integer(round(trial[sym]))
        if not params.domain_holds(trial) or not _respects_assumptions(trial):
            continue
        val = score(fn(*[float(trial[s]) for s in symbols]))
        if math.isnan(val) or val <= best:
            step = max(step * 0.9, 1e-4)
            continue
        point, best = trial, val
        if best >= 0:
            witness = _recheck(expr, point, bad)
            if witness:
                return witness, i + 1
    return None, LOCAL_STEPS


def _respects_assumptions(point: dict[Any, sp.Rational]) -> bool:
    """Whether every value satisfies its symbol's sign and integrality assumptions."""
    for s, v in point.items():
        if (s.is_positive and v <= 0) or (s.is_nonnegative and v < 0) or (s.is_negative and v >= 0) or (
                s.is_nonpositive and v > 0) or (s.is_integer and not v.is_integer):
            return False
    return True


def _recheck(expr: Any, point: dict[Any, sp.Rational], bad: Callable[[int], bool]) -> Witness | None:
    value = sp.sympify(expr).xreplace(point)
    sign = sign_of(value)
    if sign is None or not bad(sign):
        return None
    exact = isinstance(value, sp.Rational)
    how = "exact rational arithmetic" if exact else "interval arithmetic, >= 200 bits"
    shown = str(value) if isinstance(value, sp.Rational) and len(str(value)) < 60 else sp.N(value, 50)
    return Witness(point=point, value=str(shown), check=how)


def prove_zero(diff: Any) -> str | None:
    """A sentence naming the exact sympy rewrite that reduces ``diff`` to 0, or None."""
    proof = zero_proof(diff)
    return f"lhs - rhs: {proof}" if proof else None


def describe_point(point: dict[Any, sp.Rational]) -> dict[str, str]:
    """A witness point as ``{name: exact value}``."""
    return {str(k): str(v) for k, v in sorted(point.items(), key=lambda kv: str(kv[0]))}


def short_text(text: str, limit: int = 24) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis), for evidence lines."""
    return text if len(text) <= limit else text[:limit] + "..."
