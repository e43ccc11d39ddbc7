"""A real-arithmetic decision procedure: sympy claims translated exactly into SMT-LIB and decided by cvc5.

The question put to the solver is always the claim's negation: "is there a point where the assumptions and
the domain hold and the claim fails?". cvc5's nonlinear real arithmetic (cylindrical algebraic coverings,
option ``nl-cov``) is complete for polynomial constraints, so

* ``unsat`` proves the claim (status "proved");
* ``sat`` gives a model, which is only a *candidate*: its values are converted exactly (rationals, or real
  algebraic numbers as ``CRootOf``) and the caller must re-check the violation in exact arithmetic
  (status "counterexample");
* anything else (a timeout, an incomplete answer, a construct without an exact translation, a model value
  that cannot be converted exactly) is status "unknown" with the reason.

The translation is exact; nothing is rounded:

* rationals, symbols, ``+``, ``*``, integer powers (the base multiplied out);
* a quotient ``a/b``: a fresh variable ``d`` with ``b != 0 => d*b = a``;
* a rational power ``a**(p/q)`` (``sqrt``: q = 2): a fresh ``r`` with ``a >= 0 => (r >= 0 and r**q = a)``,
  then ``r**p``;
* ``Abs``, ``Max``, ``Min``: ``ite`` case splits (exact, total);
* a symbol's sign assumption (positive, nonnegative, ...) and every domain constraint: assertions; an
  integer symbol is relaxed to a real one (a proof over the reals covers the integers; a model that is not
  an integer fails the caller's re-check).

Partial operations are handled conservatively: every quotient and root of the claim contributes its
definedness condition (``b != 0``, ``a >= 0``), and the negation is "undefined somewhere on the domain, or
violated", so a claim is proved only where it is defined on the whole domain (as the sympy provers do: a
pole in the domain is never certified). A domain constraint holds only where it is defined.
"""

from __future__ import annotations

import os
import pickle
import re
import select
import signal
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

import cvc5
import sympy as sp

from numeric.interval import exact_sign

# Per-query wall-clock limit (cvc5 option tlimit-per). The coverings decide the polynomial claims of the
# registry and the tests in well under 0.5 s; a query still open after 5 s is doubly exponential in
# the number of variables and rarely finishes within minutes, and 5 s stays far below the default
# 120 s per-claim cap (core/caps.py). A timeout is "unknown", never a verdict.
DEFAULT_TIME_LIMIT_MS = 5000
# cvc5 does not always honour tlimit-per: inside one step of the coverings (libpoly) it checks no clock
# (measured: a 4-variable sextic ran 106 s at a 50 ms limit). Every query therefore runs in a forked child
# killed this long after its limit; the margin covers the fork, the parse and the model's exact conversion
# (together under 0.1 s on the tests' queries).
KILL_GRACE_SECONDS = 1.0
MAX_POWER = 64  # largest integer exponent multiplied out: the text grows linearly, the coverings' cost
#                 with the degree; beyond it no query of a claim finishes within the time limit
MAX_ROOT = 16   # largest root index q of a**(p/q) (sqrt is 2): r**q = a is multiplied out like a power
LOGIC = "QF_NRA"
GOALS = (">", ">=", "==")
_RELATIONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "="}
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# words an SMT-LIB symbol may not be (reserved words, and the core and real-arithmetic function symbols
# cvc5 refuses to shadow); a claim's symbol with such a name is declared under a fresh name
_RESERVED = {"abs", "and", "or", "not", "xor", "ite", "distinct", "true", "false", "let", "par", "as",
             "match", "exists", "forall", "lambda", "to_real", "to_int", "is_int", "div", "mod"}


@dataclass
class SmtResult:
    """What cvc5 said about a claim's negation, with the exact query so that anyone can re-run it."""

    status: str  # "proved" | "counterexample" | "unknown"
    solver: str  # "cvc5 <version>"
    query: str  # the SMT-LIB 2.6 text given to the solver ("" when the claim could not be translated)
    seconds: float
    model: dict[Any, Any] = field(default_factory=dict)  # sympy symbol -> exact value (counterexample)
    reason: str = ""  # why "unknown"; for "counterexample", a note on the candidate


class Untranslatable(Exception):
    """The expression uses a construct without an exact real-arithmetic translation."""


@cache
def solver_name() -> str:
    """The solver and its version, e.g. ``cvc5 1.4.2``."""
    version = cvc5.Solver(cvc5.TermManager()).getVersion()
    if isinstance(version, bytes):
        version = version.decode("utf-8", "replace")
    return f"cvc5 {version}"


def _literal(q: sp.Rational) -> str:
    """An exact SMT-LIB real literal."""
    num = str(abs(q.p)) if q.p >= 0 else f"(- {abs(q.p)})"
    return num if q.q == 1 else f"(/ {num} {q.q})"


def _merge(*parts: Iterable[str]) -> tuple[str, ...]:
    """Definedness conditions of several subterms, in order and without repetition."""
    out: dict[str, None] = {}
    for part in parts:
        out.update(dict.fromkeys(part))
    return tuple(out)


class _Translator:
    """Turns sympy expressions into SMT-LIB terms; collects the fresh variables and their definitions."""

    def __init__(self) -> None:
        self.names: dict[Any, str] = {}
        self.aux: list[str] = []
        self.definitions: list[str] = []
        self.notes: list[str] = []
        self._memo: dict[Any, tuple[str, tuple[str, ...]]] = {}
        self._count = 0

    def fresh(self, stem: str) -> str:
        self._count += 1
        return f"{stem}!{self._count}"  # "!" never occurs in a claim's names

    def symbol(self, s: Any) -> str:
        if s not in self.names:
            if s.is_real is not True:
                raise Untranslatable(f"symbol '{s}' is not known to be real")
            name = str(s.name)
            taken = set(self.names.values())
            if not _PLAIN.match(name) or name in _RESERVED or name in taken:
                name = self.fresh("sym")
            self.names[s] = name
        return self.names[s]

    def term(self, e: Any) -> tuple[str, tuple[str, ...]]:
        """The SMT-LIB term of ``e`` and the conditions under which ``e`` is defined."""
        e = sp.sympify(e)
        if e in self._memo:
            return self._memo[e]
        out = self._term(e)
        self._memo[e] = out
        return out

    def _term(self, e: Any) -> tuple[str, tuple[str, ...]]:
        if isinstance(e, sp.Symbol):
            return self.symbol(e), ()
        if isinstance(e, sp.Rational):
            return _literal(e), ()
        if isinstance(e, sp.Float):
            raise Untranslatable(f"the floating-point number {e} (an approximation)")
        if isinstance(e, sp.Add):
            parts = [self.term(a) for a in e.args]
            return f"(+ {' '.join(t for t, _ in parts)})", _merge(*(c for _, c in parts))
        if isinstance(e, sp.Mul):
            return self._mul(e)
        if isinstance(e, sp.Pow):
            return self._pow(e)
        if isinstance(e, sp.Abs):
            a, conds = self.term(e.args[0])
            v = self.fresh("abs")
            return f"(let (({v} {a})) (ite (>= {v} 0) {v} (- {v})))", conds
        if isinstance(e, sp.Max | sp.Min):
            op = ">=" if isinstance(e, sp.Max) else "<="
            parts = [self.term(a) for a in e.args]
            cur = parts[0][0]
            for t, _ in parts[1:]:
                u, v = self.fresh("m"), self.fresh("m")
                cur = f"(let (({u} {cur}) ({v} {t})) (ite ({op} {u} {v}) {u} {v}))"
            return cur, _merge(*(c for _, c in parts))
        raise Untranslatable(f"{type(e).__name__} ({_short(e)}) has no exact real-arithmetic translation")

    def _product(self, factors: Sequence[Any]) -> tuple[str, tuple[str, ...]]:
        parts = [self.term(f) for f in factors]
        if not parts:
            return "1", ()
        text = parts[0][0] if len(parts) == 1 else f"(* {' '.join(t for t, _ in parts)})"
        return text, _merge(*(c for _, c in parts))

    def _mul(self, e: sp.Mul) -> tuple[str, tuple[str, ...]]:
        num, den = [], []
        for a in e.args:
            if isinstance(a, sp.Pow) and a.exp.is_Rational and a.exp < 0:
                den.append(sp.Pow(a.base, -a.exp))
            else:
                num.append(a)
        n, n_conds = self._product(num)
        if not den:
            return n, n_conds
        b, b_conds = self._product(den)
        return self._divide(n, b, _merge(n_conds, b_conds))

    def _divide(self, n: str, b: str, conds: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """A fresh d = n/b: defined (and then exact) where b != 0."""
        d = self.fresh("div")
        self.aux.append(d)
        self.definitions.append(f"(assert (=> (distinct {b} 0) (= (* {d} {b}) {n})))")
        return d, _merge(conds, (f"(distinct {b} 0)",))

    def _power(self, t: str, n: int) -> str:
        if n == 1:
            return t
        if n > MAX_POWER:
            raise Untranslatable(f"the power {n} (above {MAX_POWER}, multiplied out)")
        if _PLAIN.match(t.replace("!", "_")) or re.fullmatch(r"\d+", t):
            return f"(* {' '.join([t] * n)})"
        v = self.fresh("p")
        return f"(let (({v} {t})) (* {' '.join([v] * n)}))"

    def _pow(self, e: sp.Pow) -> tuple[str, tuple[str, ...]]:
        base, exp = e.args
        if not exp.is_Rational:
            raise Untranslatable(f"the power {_short(e)} with a non-rational exponent")
        b, conds = self.term(base)
        p, q = int(exp.p), int(exp.q)
        if q != 1:
            if q > MAX_ROOT:
                raise Untranslatable(f"the root of index {q} in {_short(e)} (above {MAX_ROOT})")
            r = self.fresh("sqrt" if q == 2 else "root")
            self.aux.append(r)
            self.definitions.append(f"(assert (=> (>= {b} 0) (and (>= {r} 0) (= {self._power(r, q)} {b}))))")
            b, conds = r, _merge(conds, (f"(>= {b} 0)",))
        if p > 0:
            return self._power(b, p), conds
        if p == 0:
            return "1", conds
        return self._divide("1", self._power(b, -p), conds)


def _short(e: Any, limit: int = 60) -> str:
    text = str(e)
    return text if len(text) <= limit else text[:limit] + "..."


def _sign_assumptions(tr: _Translator, symbols: Iterable[Any]) -> list[str]:
    """Assertions of the symbols' sign assumptions (an integer symbol is relaxed to a real one)."""
    out = []
    for s in sorted(symbols, key=lambda x: x.name):
        name = tr.symbol(s)
        if s.is_positive:
            out.append(f"(assert (> {name} 0))")
        elif s.is_nonnegative:
            out.append(f"(assert (>= {name} 0))")
        if s.is_negative:
            out.append(f"(assert (< {name} 0))")
        elif s.is_nonpositive:
            out.append(f"(assert (<= {name} 0))")
        if s.is_integer:
            tr.notes.append(f"the integer symbol {s} is relaxed to a real one")
    return out


def _conjunction(conds: Sequence[str]) -> str:
    return conds[0] if len(conds) == 1 else f"(and {' '.join(conds)})"


def build_query(g: Any, goal: str | None, assumptions: Sequence[tuple[Any, str, Any]] = (),
                time_limit_ms: int = DEFAULT_TIME_LIMIT_MS) -> tuple[str, dict[str, Any], list[str]]:
    """The SMT-LIB text asking for a point of the assumptions where ``g <goal> 0`` fails (goal None: any
    point of the assumptions), the declared names of the claim's symbols, and notes on relaxations;
    raises :class:`Untranslatable`."""
    if goal is not None and goal not in GOALS:
        raise ValueError(f"goal must be one of {GOALS}")
    g = sp.sympify(0 if goal is None else g)
    tr = _Translator()
    symbols = set(g.free_symbols)
    triples = []
    for a, op, b in assumptions:
        if op not in _RELATIONS:
            raise Untranslatable(f"the relation '{op}'")
        a, b = sp.sympify(a), sp.sympify(b)
        symbols |= a.free_symbols | b.free_symbols
        triples.append((a, op, b))
    signs = _sign_assumptions(tr, symbols)
    domain = []
    for a, op, b in triples:
        (ta, ca), (tb, cb) = tr.term(a), tr.term(b)
        domain.append(f"(assert {_conjunction([*_merge(ca, cb), f'({_RELATIONS[op]} {ta} {tb})'])})")
    if goal is None:
        header = ["; gradverify: do the assumptions and the domain have a point at all?",
                  "; unsat: they are empty, and a claim on them would hold only vacuously"]
    else:
        tg, cg = tr.term(g)
        violated = {">": f"(<= {tg} 0)", ">=": f"(< {tg} 0)", "==": f"(distinct {tg} 0)"}[goal]
        negation = f"(or (not {_conjunction(cg)}) {violated})" if cg else violated
        claim = {">": "g > 0", ">=": "g >= 0", "==": "g = 0"}[goal]
        header = [f"; gradverify: is there a point of the assumptions and domain where {claim} fails?",
                  f"; g = {g}",
                  "; unsat: the claim is proved; sat: a candidate counterexample (to be re-checked exactly)"]
    lines = [*header,
             "(set-option :produce-models true)",
             f"(set-option :tlimit-per {int(time_limit_ms)})",
             "(set-option :nl-cov true)",
             f"(set-logic {LOGIC})"]
    lines += [f"(declare-fun {name} () Real)" for name in sorted(tr.names.values())]
    lines += [f"(declare-fun {name} () Real)" for name in tr.aux]
    if signs:
        lines += ["; sign assumptions of the symbols", *signs]
    if domain:
        lines += ["; the domain (each constraint where defined)", *domain]
    if tr.definitions:
        lines += ["; auxiliary variables: div!k = a/b where b != 0, sqrt!k = sqrt(a) where a >= 0",
                  *tr.definitions]
    if goal is not None:
        lines += [f"; the negation: g is undefined somewhere on the domain, or {claim} fails" if cg else
                  f"; the negation: {claim} fails", f"(assert {negation})"]
    lines.append("(check-sat)")
    declared = {name: s for s, name in tr.names.items()}
    return "\n".join(lines) + "\n", declared, tr.notes


def decide_sign(g: Any, strict: bool, assumptions: Sequence[tuple[Any, str, Any]] = (),
                time_limit_ms: int = DEFAULT_TIME_LIMIT_MS) -> SmtResult:
    """Decide ``g > 0`` (strict) or ``g >= 0`` wherever ``assumptions`` (``(a, op, b)`` triples) hold."""
    return decide(g, ">" if strict else ">=", assumptions, time_limit_ms)


def decide_zero(g: Any, assumptions: Sequence[tuple[Any, str, Any]] = (),
                time_limit_ms: int = DEFAULT_TIME_LIMIT_MS) -> SmtResult:
    """Decide ``g == 0`` wherever ``assumptions`` (``(a, op, b)`` triples) hold."""
    return decide(g, "==", assumptions, time_limit_ms)


def decide(g: Any, goal: str, assumptions: Sequence[tuple[Any, str, Any]] = (),
           time_limit_ms: int = DEFAULT_TIME_LIMIT_MS) -> SmtResult:
    """Ask cvc5 whether ``g <goal> 0`` (goal ``>``, ``>=`` or ``==``) can fail on the assumptions."""
    start = time.perf_counter()
    solver = solver_name()
    try:
        query, declared, notes = build_query(g, goal, assumptions, max(1, int(time_limit_ms)))
    except Untranslatable as exc:
        return SmtResult("unknown", solver, "", time.perf_counter() - start, reason=f"not translated: {exc}")
    status, model, reason = run_isolated(query, declared, max(1, int(time_limit_ms)))
    if status == "proved":
        status, reason = _not_vacuous(assumptions, max(1, int(time_limit_ms)))
    if notes and status != "unknown":
        reason = "; ".join([reason, *notes] if reason else notes)
    return SmtResult(status, solver, query, time.perf_counter() - start, model, reason)


def _not_vacuous(assumptions: Sequence[tuple[Any, str, Any]], time_limit_ms: int) -> tuple[str, str]:
    """("proved", "") when cvc5 finds a point of the assumptions; otherwise ("unknown", why): a proof over
    an empty domain (a contradictory `domain`, usually a typo) is not reported as a proof."""
    query, _, _ = build_query(0, None, assumptions, time_limit_ms)
    status, _, reason = run_isolated(query, {}, time_limit_ms)  # sat is enough: no model values are read
    if status == "proved":
        return "unknown", "the assumptions and the domain have no point: the claim would hold only vacuously"
    if status == "unknown":
        return "unknown", ("the negation is unsatisfiable, but whether the domain has a point is not known "
                           f"({reason})")
    return "proved", ""


def run_isolated(query: str, declared: dict[str, Any], time_limit_ms: int) -> tuple[str, dict[Any, Any], str]:
    """:func:`run_query` in a forked child process, killed KILL_GRACE_SECONDS after the time limit (or when
    this process is interrupted, e.g. by the claim's time cap); in this process where fork is missing."""
    if not hasattr(os, "fork"):
        return run_query(query, declared)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: solve, send the answer pickled, exit without running any cleanup of the parent
        try:
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            try:
                answer: tuple[str, Any] = ("ok", run_query(query, declared))
            except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent as a message
                answer = ("error", f"{type(exc).__name__}: {_short(exc, 200)}")
            data = pickle.dumps(answer)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        chunks: list[bytes] = []
        limit = time_limit_ms / 1000 + KILL_GRACE_SECONDS
        stop = time.monotonic() + limit
        while True:
            left = stop - time.monotonic()
            ready = select.select([read_end], [], [], left)[0] if left > 0 else []
            if not ready:
                return "unknown", {}, f"cvc5 overran its time limit: its process was killed after {limit:g} s"
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:  # also on the claim's alarm and on Ctrl-C
        os.close(read_end)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    try:
        kind, payload = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - a child that died mid-answer
        return "unknown", {}, "the cvc5 process ended without an answer"
    if kind != "ok":
        return "unknown", {}, f"cvc5 process error: {payload}"
    return payload


def run_query(query: str, declared: dict[str, Any]) -> tuple[str, dict[Any, Any], str]:
    """Run SMT-LIB text with cvc5: the status, the model of the ``declared`` names (exact), a reason."""
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    result = None
    # any failure of the parser or the solver is "unknown": an error can never become a verdict
    try:
        parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, query, "gradverify")
        while True:
            cmd = parser.nextCommand()
            if cmd.isNull():
                break
            if cmd.getCommandName() == "check-sat":
                result = solver.checkSat()
            else:
                cmd.invoke(solver, symbols)
    except Exception as exc:  # noqa: BLE001 - cvc5 raises several exception types
        return "unknown", {}, f"cvc5 error: {_short(exc, 200)}"
    if result is None:
        return "unknown", {}, "the query has no (check-sat)"
    if result.isUnsat():
        return "proved", {}, ""
    if not result.isSat():
        return "unknown", {}, f"cvc5 answered unknown ({result.getUnknownExplanation()})"
    model: dict[Any, Any] = {}
    try:
        for t in symbols.getDeclaredTerms():
            name = t.getSymbol()
            if name in declared:
                model[declared[name]] = _exact_value(solver.getValue(t), tm)
    except (_Unconvertible, RuntimeError, ValueError) as exc:
        return "unknown", {}, f"cvc5 found a model, but a value is not exactly convertible ({exc})"
    if set(model) != set(declared.values()):
        return "unknown", {}, "cvc5 found a model without a value for every symbol"
    return "counterexample", model, "a cvc5 model: a candidate until re-checked exactly"


class _Unconvertible(Exception):
    """A cvc5 value without an exact sympy counterpart here."""


def _rational(f: Fraction) -> sp.Rational:
    return sp.Rational(f.numerator, f.denominator)


def _exact_value(v: Any, tm: Any) -> Any:
    """A cvc5 real value as an exact sympy number: a Rational, or a real algebraic number as the unique
    root of its defining polynomial inside its isolating interval (proved by exact signs)."""
    if v.isRealValue():
        return _rational(v.getRealValue())
    if not v.isRealAlgebraicNumber():
        raise _Unconvertible(f"value {_short(v)}")
    y = tm.mkVar(tm.getRealSort(), "y")
    x = sp.Dummy("x")
    poly = sp.Poly(_poly_to_sympy(v.getRealAlgebraicNumberDefiningPolynomial(y), y, x), x)
    lo_t, hi_t = v.getRealAlgebraicNumberLowerBound(), v.getRealAlgebraicNumberUpperBound()
    if not (lo_t.isRealValue() and hi_t.isRealValue()) or poly.degree() < 1:
        raise _Unconvertible(f"algebraic value {_short(v)}")
    lo, hi = _rational(lo_t.getRealValue()), _rational(hi_t.getRealValue())
    if lo == hi:
        if poly.eval(lo) != 0:
            raise _Unconvertible(f"algebraic value {_short(v)}: the point interval is not a root")
        return lo
    inside = []
    for r in poly.real_roots():
        above, below = exact_sign(r - lo), exact_sign(hi - r)
        if above is None or below is None:
            raise _Unconvertible(f"algebraic value {_short(v)}: a root not placed exactly")
        if above >= 0 and below >= 0:
            inside.append(r)
    if len(inside) != 1:
        raise _Unconvertible(f"algebraic value {_short(v)}: {len(inside)} roots in its interval")
    return inside[0]


def _poly_to_sympy(t: Any, var: Any, x: Any) -> Any:
    """A cvc5 polynomial term in ``var`` (sums, products, rationals) as a sympy expression in ``x``."""
    if t == var:
        return x
    if t.isRealValue():
        return _rational(t.getRealValue())
    if t.isIntegerValue():
        return sp.Integer(int(t.getIntegerValue()))
    kind = t.getKind()
    kids = [_poly_to_sympy(c, var, x) for c in t]
    if kind == cvc5.Kind.ADD:
        return sp.Add(*kids)
    if kind == cvc5.Kind.MULT:
        return sp.Mul(*kids)
    if kind == cvc5.Kind.SUB:
        return kids[0] - sp.Add(*kids[1:])
    if kind == cvc5.Kind.NEG:
        return -kids[0]
    if kind == cvc5.Kind.TO_REAL:
        return kids[0]
    raise _Unconvertible(f"term kind {kind}")


__all__ = ["DEFAULT_TIME_LIMIT_MS", "SmtResult", "Untranslatable", "build_query", "decide", "decide_sign",
           "decide_zero", "run_isolated", "run_query", "solver_name"]
