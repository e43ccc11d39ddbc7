"""Random variables in claims: ``random = { z = "normal(0, 1)" }`` with ``E(...)``, ``Var(...)`` and
``P(...)`` in expressions, evaluated exactly by ``sympy.stats``.

Not a claim kind: the ``numeric`` and ``identity`` kinds parse their expressions through
:class:`RandomLanguage` when a claim has a ``random`` table. Each ``E``/``Var``/``P`` must come out of
sympy.stats in closed form (no unevaluated integral, sum or expectation), and the closed form is cross-checked
against sympy's numerical quadrature of the same integral (an independent path: mpmath's quadrature, not
symbolic integration); an unevaluated result or a disagreement raises :class:`NotDecided`, which the
checkers turn into INCONCLUSIVE. The closed form is then compared exactly like any other expression.
"""

from __future__ import annotations

import ast
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import mpmath
import sympy as sp
from sympy import stats as st

from core.caps import DEFAULT_CAPS, Caps
from core.errors import FieldError
from core.expr import CONSTANTS, FUNCTIONS, NAME_RE, _Builder, _parse_tree, _short, parse_expr, require_real
from numeric.interval import exact_sign

DISTRIBUTIONS = ("normal(mu, sigma)", "uniform(a, b)", "bernoulli(p)", "exponential(rate)", "binomial(n, p)")
OPERATORS = ("E", "Var", "P")
MAX_BINOMIAL_N = 1000
CROSS_CHECK_TOL = mpmath.mpf("1e-10")  # relative; quadrature is accurate to ~1e-15 on these integrands


EVAL_SECONDS = 30.0  # each E/Var/P (and its quadrature cross-check) gets at most this long


class _StatsTimeout(BaseException):
    """Raised by :func:`bounded`'s own alarm."""


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Raise :class:`_StatsTimeout` after ``seconds`` (main thread, Unix), keeping any outer alarm: when an
    outer timer would fire first nothing is changed; otherwise the outer timer is re-armed afterwards with
    its remaining time, so the claim's own cap still holds."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    outer_left, outer_repeat = signal.getitimer(signal.ITIMER_REAL) if usable else (0.0, 0.0)
    if not usable or (outer_left and outer_left <= seconds):
        yield
        return
    start = time.monotonic()

    def on_alarm(signum: int, frame: object) -> None:
        raise _StatsTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - start), 1e-3),
                             outer_repeat)


class NotDecided(Exception):
    """An expectation, variance or probability that sympy.stats could not evaluate reliably."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _spec(kind: str, *args: Any) -> tuple[Any, ...]:
    return (kind, *args)


_SPEC_FUNCTIONS = {
    "normal": lambda mu, sigma: _spec("normal", mu, sigma),
    "uniform": lambda a, b: _spec("uniform", a, b),
    "bernoulli": lambda p: _spec("bernoulli", p),
    "exponential": lambda rate: _spec("exponential", rate),
    "binomial": lambda n, p: _spec("binomial", n, p),
}


def _positive(value: Any, field: str, what: str) -> None:
    if value.free_symbols or exact_sign(value) != 1:
        raise FieldError(field, f"{what} must be a constant > 0, got '{value}'")


def _probability(value: Any, field: str) -> None:
    if value.free_symbols or exact_sign(value) is None or exact_sign(value) < 0 or exact_sign(1 - value) < 0:
        raise FieldError(field, f"a probability must be a constant in [0, 1], got '{value}'")


def make_random_variable(name: str, text: Any, field: str, caps: Caps = DEFAULT_CAPS) -> Any:
    """A sympy.stats random symbol from ``"normal(0, 1)"``, ``"uniform(-1, 1)"``, ``"bernoulli(1/2)"``, ..."""
    if not isinstance(text, str):
        raise FieldError(field, f"must be a distribution such as \"normal(0, 1)\" "
                                f"({', '.join(DISTRIBUTIONS)})")
    spec = parse_expr(text, field=field, allow_new=False, functions={**FUNCTIONS, **_SPEC_FUNCTIONS},
                      caps=caps)
    if not isinstance(spec, tuple):
        raise FieldError(field, f"'{_short(text)}' is not a distribution (one of {', '.join(DISTRIBUTIONS)})")
    kind, *args = spec
    for a in args:
        if isinstance(a, tuple) or not isinstance(a, sp.Basic) or a.free_symbols:
            raise FieldError(field, f"the parameters of '{_short(text)}' must be constants")
    if kind == "normal":
        _positive(args[1], field, "sigma")
        return st.Normal(name, args[0], args[1])
    if kind == "uniform":
        if exact_sign(args[1] - args[0]) != 1:
            raise FieldError(field, f"uniform(a, b) needs a < b, got '{_short(text)}'")
        return st.Uniform(name, args[0], args[1])
    if kind == "bernoulli":
        _probability(args[0], field)
        return st.Bernoulli(name, args[0])
    if kind == "exponential":
        _positive(args[0], field, "the rate")
        return st.Exponential(name, args[0])
    n, p = args
    if not isinstance(n, sp.Integer) or not 1 <= int(n) <= MAX_BINOMIAL_N:
        raise FieldError(field, f"binomial(n, p) needs a whole n from 1 to {MAX_BINOMIAL_N}, got '{n}'")
    _probability(p, field)
    return st.Binomial(name, int(n), p)


def random_table(claim_random: Any, caps: Caps = DEFAULT_CAPS) -> dict[str, Any]:
    """The ``random`` field as ``{name: random symbol}`` (independent variables)."""
    if not isinstance(claim_random, dict) or not claim_random:
        raise FieldError("random", "must be a table such as { z = \"normal(0, 1)\" }")
    out = {}
    for name, text in claim_random.items():
        if not NAME_RE.match(name) or name in FUNCTIONS or name in CONSTANTS or name in OPERATORS:
            raise FieldError("random", f"'{name}' cannot name a random variable (reserved or not a name)")
        out[name] = make_random_variable(name, text, f"random.{name}", caps)
    return out


_RANDOM_TYPES = (st.rv.RandomSymbol,)
_UNEVALUATED = (sp.Integral, sp.Sum, st.Expectation, st.Probability, st.Variance, sp.Limit, sp.Derivative)


class _RandomBuilder(_Builder):
    """The expression builder with random variables, ``E``/``Var``/``P``, and comparisons inside ``P``."""

    def __init__(self, *args: Any, rvs: dict[str, Any], log: list[dict[str, Any]]) -> None:
        super().__init__(*args)
        self.rvs = rvs
        self.log = log
        self.inside_p = 0

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.rvs:
            return self.rvs[node.id]
        return super()._Name(node)

    def _Compare(self, node: ast.Compare) -> Any:
        if not self.inside_p:
            raise self.fail("a comparison is only allowed inside P(...)")
        ops = {ast.Lt: sp.StrictLessThan, ast.LtE: sp.LessThan, ast.Gt: sp.StrictGreaterThan,
               ast.GtE: sp.GreaterThan, ast.Eq: sp.Eq, ast.NotEq: sp.Ne}
        terms = [self.build(t) for t in [node.left, *node.comparators]]
        parts = []
        for i, op in enumerate(node.ops):
            cls = ops.get(type(op))
            if cls is None:
                raise self.fail(f"comparison '{type(op).__name__}' is not allowed")
            parts.append(cls(terms[i], terms[i + 1]))
        return sp.And(*parts) if len(parts) > 1 else parts[0]

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        if not self.inside_p:
            raise self.fail("'and'/'or' are only allowed inside P(...)")
        values = [self.build(v) for v in node.values]
        return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in OPERATORS:
            return super()._Call(node)
        if node.keywords or len(node.args) != 1:
            raise self.fail(f"'{name}' takes one argument")
        self.inside_p += name == "P"
        try:
            arg = self.build(node.args[0])
        finally:
            self.inside_p -= name == "P"
        text = ast.get_source_segment(self.text, node) or name
        return self._evaluate(name, arg, text)

    def _evaluate(self, name: str, arg: Any, text: str) -> Any:
        condition = isinstance(arg, sp.core.relational.Relational | sp.And | sp.Or | sp.Not
                               | sp.logic.boolalg.BooleanAtom)
        if name == "P" and not condition:
            raise self.fail(f"P needs a condition such as P(z > 1), got '{_short(str(arg))}'")
        if name != "P" and condition:
            raise self.fail(f"{name} needs an expression, not a condition")
        fn = {"E": st.E, "Var": st.variance, "P": st.P}[name]
        try:
            with bounded(EVAL_SECONDS):
                value = fn(arg)
        except _StatsTimeout:
            raise NotDecided(f"sympy.stats did not evaluate {text} within {EVAL_SECONDS:g} s") from None
        except Exception as exc:  # sympy.stats fails in many ways (AttributeError included) on hard inputs
            raise NotDecided(f"sympy.stats could not evaluate {text}: {type(exc).__name__}: "
                             f"{_short(str(exc), 80)}") from None
        value = sp.sympify(value)
        if value.has(sp.erfc):  # erfc = 1 - erf exactly; lets erf terms cancel (E(exp(z)) = e^(1/2))
            value = sp.expand(value.rewrite(sp.erf))
        entry: dict[str, Any] = {"call": text, "closed_form": str(value)}
        self.log.append(entry)
        if value.has(*_UNEVALUATED) or value.atoms(*_RANDOM_TYPES):
            raise NotDecided(f"sympy.stats gave no closed form for {text}: {_short(str(value), 120)}")
        entry["quadrature"] = _cross_check(name, arg, value, entry)
        return value


def _cross_check(name: str, arg: Any, value: Any, entry: dict[str, Any]) -> str | None:
    """Compare the closed form with sympy's numerical evaluation of the unevaluated integral; a mismatch is
    :class:`NotDecided`, a quadrature that cannot run is noted (the closed form stands on its own)."""
    try:
        with bounded(EVAL_SECONDS):
            return _quadrature(name, arg, value, entry)
    except _StatsTimeout:
        entry["quadrature_note"] = f"numerical quadrature took longer than {EVAL_SECONDS:g} s"
        return None


def _quadrature(name: str, arg: Any, value: Any, entry: dict[str, Any]) -> str | None:
    try:
        if name == "Var":
            unevaluated = (st.E(arg**2, evaluate=False) - st.E(arg, evaluate=False) ** 2).rewrite(sp.Integral)
        elif name == "E":
            unevaluated = st.E(arg, evaluate=False).rewrite(sp.Integral)
        else:
            unevaluated = st.P(arg, evaluate=False).rewrite(sp.Integral)
        numeric = sp.N(unevaluated, 20)
        closed = sp.N(value, 20)
        if not (numeric.is_number and closed.is_number) or numeric.has(sp.Integral):
            entry["quadrature_note"] = "no numerical quadrature (the closed form is exact)"
            return None
        a, b = mpmath.mpf(str(numeric)), mpmath.mpf(str(closed))
    except Exception as exc:  # quadrature is a cross-check only; any failure of it is reported, not fatal
        entry["quadrature_note"] = f"numerical quadrature failed ({type(exc).__name__})"
        return None
    scale = max(abs(b), mpmath.mpf(1))
    if abs(a - b) > CROSS_CHECK_TOL * scale:
        raise NotDecided(f"sympy's closed form {value} = {mpmath.nstr(b, 15)} disagrees with numerical "
                         f"quadrature {mpmath.nstr(a, 15)}")
    return mpmath.nstr(a, 15)


class RandomLanguage:
    """Expressions with random variables; ``parse`` has the signature :func:`verify.params.parse_parameters`
    expects, and ``log`` records every evaluated ``E``/``Var``/``P`` for the evidence."""

    def __init__(self, rvs: dict[str, Any]) -> None:
        self.rvs = rvs
        self.log: list[dict[str, Any]] = []

    def parse(self, text: Any, *, field: str, symbols: dict[str, Any] | None = None, allow_new: bool = True,
              caps: Caps = DEFAULT_CAPS, allow_matrix: bool = False) -> Any:
        """Parse ``text``; E/Var/P are evaluated, and no random variable may be left outside them."""
        if isinstance(text, int | float) and not isinstance(text, bool):
            return parse_expr(text, field=field, caps=caps)
        tree = _parse_tree(text, field, caps)
        table = symbols if symbols is not None else {}
        for name in self.rvs:
            if name in table and not isinstance(table[name], _RANDOM_TYPES):
                raise FieldError(field, f"'{name}' is a random variable and a parameter")
        builder = _RandomBuilder(str(text).strip(), field, table, allow_new, FUNCTIONS, caps, rvs=self.rvs,
                                 log=self.log)
        try:
            expr = builder.build(tree)
        except RecursionError:
            raise FieldError(field, f"expression nested too deeply: '{_short(str(text))}'") from None
        if not isinstance(expr, sp.Basic) or isinstance(expr, sp.core.relational.Relational | sp.And | sp.Or):
            raise FieldError(field, f"expected a number, got '{_short(str(text))}'")
        if isinstance(expr, sp.MatrixBase) and not allow_matrix:
            raise FieldError(field, f"expected a number, got a matrix: '{_short(str(text))}'")
        if expr.has(sp.erfc):  # erfc = 1 - erf exactly, so a value written with erfc compares with P(...)
            expr = sp.expand(expr.rewrite(sp.erf))
        left = sorted(str(s) for s in expr.atoms(*_RANDOM_TYPES))
        if left:
            raise FieldError(field, f"random variable '{left[0]}' outside E(...), Var(...) or P(...)")
        return require_real(expr, field, str(text))

    def evidence(self) -> dict[str, Any]:
        """The evaluated expectations for the evidence (empty when none)."""
        return {"expectations": list(self.log)} if self.log else {}


def check_random_identity(claim: Any, ctx: Any) -> Any:
    """``kind = "identity"`` with ``random``: lhs = rhs after E/Var/P are evaluated; certified by an exact
    zero proof, refuted by a parameter point re-checked exactly or by an enclosure, else inconclusive."""
    from verify.params import parse_parameters
    from verify.verdict import Outcome, Verdict
    from verify.witness import describe_point, find_violation, prove_zero

    lang = RandomLanguage(random_table(claim.get("random"), ctx.caps))
    try:
        params, exprs = parse_parameters(claim, ctx.caps, ("lhs", "rhs"), parse=lang.parse)
    except NotDecided as exc:
        return Outcome(Verdict.INCONCLUSIVE, exc.reason, {"reason": exc.reason, **lang.evidence()})
    lhs, rhs = params.substitute(exprs["lhs"]), params.substitute(exprs["rhs"])
    evidence: dict[str, Any] = {"lhs": str(lhs), "rhs": str(rhs), **lang.evidence()}
    proof = prove_zero(lhs - rhs)
    if proof:
        return Outcome(Verdict.CERTIFIED, proof, {**evidence, "method": proof})
    witness, tried = find_violation(lhs - rhs, lambda s: s != 0, params, ctx.seed)
    if witness:
        point = describe_point(witness.point)
        evidence.update(method="witness point", witness=point,
                        witness_check=f"{witness.check}: lhs - rhs = {witness.value} != 0")
        return Outcome(Verdict.REFUTED, f"lhs != rhs at {point} (lhs - rhs = {_short(witness.value, 40)}, "
                       f"{witness.check})", evidence)
    reason = f"sympy could not reduce lhs - rhs to 0, and {tried} sampled points found no difference"
    return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
