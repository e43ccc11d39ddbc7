"""``kind = "function"``: claims about an explicit formula ``f`` of named variables, decided exactly.

Fields: ``f``, ``variables``, ``quantity``, ``value``, optional ``relation`` (default ``==``), ``digits``
(with ``approx``), ``where`` (constants and matrices bound in order), ``at`` (a point), ``direction``,
``box``, ``m`` (strong convexity), ``method``, ``start``, ``K``, ``tolerance``, ``criterion``, ``target``.
The calculus is in :mod:`symbolic.functions`; see docs/claims.md for each quantity and how it is decided.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import sympy as sp

from core.errors import CapExceeded, FieldError
from core.expr import CONSTANTS, FUNCTIONS, NAME_RE, names_in, parse_expr
from numeric.interval import exact_sign
from symbolic.functions import (
    DEFINITENESS,
    Function,
    Method,
    MethodUndefined,
    NotDifferentiable,
    TooLarge,
    Undecided,
    definiteness_holds,
    domain_conditions,
    inertia,
    is_polynomial,
    is_smooth,
    principal_minors,
    run_method,
    sign,
    sorted_eigenvalues,
    stationary_points,
    tidy,
    total_degree,
)
from symbolic.matrices import is_matrix
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.params import Parameters
from verify.verdict import Outcome, Verdict

MAX_VARIABLES = 6
SCALAR, VECTOR, MATRIX, ENUM, POINTS, COUNT = "scalar", "vector", "matrix", "enum", "points", "count"
# quantity: (value type, what it needs: point / run / global)
QUANTITIES: dict[str, tuple[str, str]] = {
    "value": (SCALAR, "point"), "gradient": (VECTOR, "point"), "gradient-norm": (SCALAR, "point"),
    "hessian": (MATRIX, "point"), "hessian-eigenvalues": (VECTOR, "point"),
    "directional-derivative": (SCALAR, "point"), "newton-step": (VECTOR, "point"),
    "definiteness": (ENUM, "point"), "classification": (ENUM, "point"),
    "stationary-points": (POINTS, "global"), "convexity": (ENUM, "global"), "smoothness": (SCALAR, "global"),
    "iterate": (VECTOR, "run"), "iterate-value": (SCALAR, "run"), "iterate-gradient-norm": (SCALAR, "run"),
    "iterations": (COUNT, "run"),
}
RELATIONS = {SCALAR: ("==", "!=", "<", "<=", ">", ">=", "approx"), VECTOR: ("==", "!=", "approx"),
             MATRIX: ("==", "!=", "approx"), ENUM: ("==", "!="), POINTS: ("==", "!="),
             COUNT: ("==", "!=", "<", "<=", ">", ">=")}
CLASSES = ("minimum", "maximum", "saddle")
CONVEXITY = ("convex", "strongly-convex", "concave")
METHODS = {"gd": ("step",), "newton": ("step",), "polyak": ("f_star",), "exact-line-search": (),
           "armijo": ("alpha0", "c", "tau", "max_backtracks"), "heavy-ball": ("step", "momentum"),
           "nesterov": ("step", "momentum")}
CRITERIA = ("gradient-norm", "value", "distance")
SAMPLES = 300
MAX_SHOWN_ITERATES = 60


class _Verdict(Exception):
    """A decided outcome raised from inside a helper."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.summary)
        self.outcome = outcome


def _s(value: Any) -> str:
    return str(value)


def _digits(value: Any) -> str:
    try:
        return str(sp.N(value, 50))
    except (TypeError, ValueError):
        return str(value)


@register
class FunctionChecker(Checker):
    """Exact calculus, classification, convexity, smoothness and method runs for an explicit formula."""

    kind = "function"
    required = ("f", "variables", "quantity", "value")
    optional = ("relation", "digits", "where", "at", "direction", "box", "m", "method", "start", "K",
                "tolerance", "criterion", "target")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        spec = _Spec(claim, ctx)
        try:
            return spec.decide()
        except _Verdict as done:
            return done.outcome
        except NotDifferentiable as exc:
            reason = f"not decided: {exc}"
            return Outcome(Verdict.INCONCLUSIVE, reason, {**spec.evidence, "reason": reason})
        except (Undecided, MethodUndefined) as exc:
            reason = f"not decided: {exc}"
            return Outcome(Verdict.INCONCLUSIVE, reason, {**spec.evidence, "reason": reason})
        except TooLarge as exc:
            raise CapExceeded("max_int_digits", str(exc), "K") from None


class _Spec:
    """A function claim's parsed fields and its decision."""

    def __init__(self, claim: Claim, ctx: Context) -> None:
        self.claim, self.ctx = claim, ctx
        self.quantity = claim.get("quantity")
        if self.quantity not in QUANTITIES:
            raise FieldError("quantity", f"must be one of {', '.join(QUANTITIES)}, got {self.quantity!r}")
        self.vtype, self.needs = QUANTITIES[self.quantity]
        self.relation = claim.get("relation", "==")
        if self.relation not in RELATIONS[self.vtype]:
            allowed = ", ".join(RELATIONS[self.vtype])
            raise FieldError("relation", f"quantity '{self.quantity}' takes {allowed}, got {self.relation!r}")
        self.names = self._variables()
        self.constants = self._where()
        self.vars = [sp.Symbol(n, real=True) for n in self.names]
        table = {**self.constants, **dict(zip(self.names, self.vars, strict=True))}
        text = claim.get("f")
        self.f = parse_expr(text, field="f", symbols=dict(table), allow_new=False, caps=ctx.caps)
        extra = self.f.free_symbols - set(self.vars)
        if extra:
            raise FieldError("f", f"uses '{sorted(map(str, extra))[0]}', which is not a variable")
        self.fn = Function(self.f, self.vars)
        self.evidence: dict[str, Any] = {"f": str(self.f), "variables": self.names, "quantity": self.quantity,
                                         "relation": self.relation}
        allowed = {"point": {"at", "direction"}, "run": {"method", "start", "K", "tolerance", "criterion",
                                                         "target"},
                   "global": {"box", "m"}}[self.needs]
        for name in ("at", "direction", "box", "m", "method", "start", "K", "tolerance", "criterion",
                     "target"):
            if claim.get(name) is not None and name not in allowed:
                raise FieldError(name, f"not used with quantity = \"{self.quantity}\"")
        if claim.get("digits") is not None and self.relation != "approx":
            raise FieldError("digits", "only meaningful with relation = \"approx\"")

    # fields ------------------------------------------------------------------------------------------------
    def _variables(self) -> list[str]:
        raw = self.claim.get("variables")
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
            raise FieldError("variables", "must be a list of names such as [\"x\", \"y\"]")
        if len(raw) > MAX_VARIABLES:
            raise FieldError("variables", f"at most {MAX_VARIABLES} variables")
        for name in raw:
            if not NAME_RE.match(name) or name in CONSTANTS or (name in FUNCTIONS and len(name) <= 4):
                raise FieldError("variables", f"'{name}' cannot name a variable (reserved or not a name)")
        if len(set(raw)) != len(raw):
            raise FieldError("variables", "names must be distinct")
        return list(raw)

    def _where(self) -> dict[str, Any]:
        raw = self.claim.get("where")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise FieldError("where", "must be a table such as { a = \"3\" }")
        out: dict[str, Any] = {}
        for name, text in raw.items():
            if name in self.names or not NAME_RE.match(name) or name in CONSTANTS:
                raise FieldError("where", f"'{name}' cannot be bound (a variable, reserved or not a name)")
            value = parse_expr(text, field=f"where.{name}", symbols=dict(out), allow_new=False,
                               caps=self.ctx.caps, allow_matrix=True)
            if not is_matrix(value) and value.free_symbols:
                raise FieldError(f"where.{name}", f"must be a constant, got '{value}'")
            out[name] = value
        used = set().union(*(names_in(t) for t in [self.claim.get("f"), *raw.values()]))
        for name in raw:
            if name not in used and not self._used_elsewhere(name):
                raise FieldError("where", f"symbol '{name}' does not appear in the claim")
        return out

    def _used_elsewhere(self, name: str) -> bool:
        texts = []
        for key in ("at", "start", "direction", "target", "box"):
            v = self.claim.get(key)
            if isinstance(v, dict):
                texts += [str(x) for x in v.values()]
        for key in ("value", "m", "tolerance"):
            texts.append(str(self.claim.get(key)))
        method = self.claim.get("method")
        if isinstance(method, dict):
            texts += [str(x) for x in method.values()]
        return any(name in names_in(t) for t in texts)

    def number(self, value: Any, field: str, extra: dict[str, Any] | None = None) -> Any:
        """An exact constant (may use the where constants and ``extra`` symbols)."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FieldError(field, f"expected a number or an exact string, got {type(value).__name__}")
        expr = parse_expr(value, field=field, symbols={**self.constants, **(extra or {})}, allow_new=False,
                          caps=self.ctx.caps)
        allowed = set((extra or {}).values())
        if expr.free_symbols - allowed or not (expr.is_real is not False):
            raise FieldError(field, f"'{value}' is not a finite real constant")
        return expr

    def point(self, name: str, required: bool = True) -> list[Any] | None:
        """A point table ``{x = "1", y = "2"}`` (or a list in the variables' order) as exact values."""
        raw = self.claim.get(name)
        if raw is None:
            if required:
                raise FieldError(name, f"quantity '{self.quantity}' needs '{name}' (a table such as "
                                       f"{{ {self.names[0]} = \"1\" }})")
            return None
        if isinstance(raw, list):
            if len(raw) != len(self.names):
                raise FieldError(name, f"needs {len(self.names)} coordinates, got {len(raw)}")
            return [self.number(v, f"{name}[{i}]") for i, v in enumerate(raw)]
        if not isinstance(raw, dict):
            raise FieldError(name, "must be a table such as { x = \"1\", y = \"2\" }")
        for key in raw:
            if key not in self.names:
                raise FieldError(f"{name}.{key}", f"'{key}' is not a variable")
        for v in self.names:
            if v not in raw:
                raise FieldError(f"{name}.{v}", "missing coordinate")
        return [self.number(raw[v], f"{name}.{v}") for v in self.names]

    def box(self) -> dict[sp.Symbol, tuple[Any, Any]]:
        raw = self.claim.get("box")
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not raw:
            raise FieldError("box", "must be a table such as { x = [\"-1\", \"1\"] }")
        out = {}
        for key, ends in raw.items():
            if key not in self.names:
                raise FieldError(f"box.{key}", f"'{key}' is not a variable")
            if not isinstance(ends, list) or len(ends) != 2:
                raise FieldError(f"box.{key}", "must be [low, high]")
            lo, hi = self.number(ends[0], f"box.{key}[0]"), self.number(ends[1], f"box.{key}[1]")
            if exact_sign(hi - lo) != 1:
                raise FieldError(f"box.{key}", f"needs low < high, got [{lo}, {hi}]")
            out[self.vars[self.names.index(key)]] = (lo, hi)
        return out

    # values and comparisons --------------------------------------------------------------------------------
    def _printed(self, raw: Any, field: str) -> tuple[Any, Any]:
        from verify.fields import digits_field, rounding_unit

        text = raw if isinstance(raw, str) else repr(raw) if isinstance(raw, int | float) else None
        if text is None or isinstance(raw, bool):
            raise FieldError(field, "must be the number as printed, e.g. \"0.980\"")
        center, unit, _ = rounding_unit(text, digits_field(self.claim), self.ctx.caps.max_int_digits)
        return center, unit / 2

    def scalar_value(self, raw: Any, field: str = "value") -> Any:
        if self.relation == "approx":
            return self._printed(raw, field)
        return self.number(raw, field)

    def list_value(self, raw: Any, field: str = "value") -> list[Any]:
        if isinstance(raw, str):
            parsed = parse_expr(raw, field=field, symbols=dict(self.constants), allow_new=False,
                                caps=self.ctx.caps, allow_matrix=True)
            if not is_matrix(parsed):
                raise FieldError(field, "must be a list such as [\"2\", \"8\"]")
            if self.vtype == MATRIX:
                return [[parsed[i, j] for j in range(parsed.cols)] for i in range(parsed.rows)]
            if 1 not in parsed.shape:
                raise FieldError(field, "must be a list (a vector), not a matrix")
            return list(parsed)
        if not isinstance(raw, list):
            raise FieldError(field, "must be a list such as [\"2\", \"8\"]")
        if self.vtype == MATRIX:
            if not all(isinstance(r, list) for r in raw):
                raise FieldError(field, "must be a list of rows such as [[\"2\", \"0\"], [\"0\", \"8\"]]")
            return [[self.scalar_value(v, f"{field}[{i}][{j}]") for j, v in enumerate(r)]
                    for i, r in enumerate(raw)]
        return [self.scalar_value(v, f"{field}[{i}]") for i, v in enumerate(raw)]

    def compare_scalar(self, computed: Any, target: Any, relation: str | None = None) -> bool:
        """``computed relation target`` decided exactly (``target`` is (center, half) for approx)."""
        relation = relation or self.relation
        if relation == "approx":
            center, half = target
            lo = exact_sign(sp.sympify(computed - (center - half)))
            hi = exact_sign(sp.sympify((center + half) - computed))
            if lo is None or hi is None:
                raise Undecided(f"cannot decide whether {computed} rounds to the printed value")
            return lo >= 0 and hi >= 0
        s = exact_sign(sp.sympify(computed - target))
        if s is None:
            raise Undecided(f"cannot compare {_short(computed)} with {_short(target)} exactly")
        return {"==": s == 0, "!=": s != 0, "<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0}[relation]

    def finish(self, holds: bool, computed_text: Any, extra: dict[str, Any] | None = None,
               witness: dict[str, Any] | None = None) -> Outcome:
        evidence = {**self.evidence, **(extra or {}), "computed": computed_text}
        value = self.claim.get("value")
        what = f"{self.quantity} = {_short(computed_text, 100)}"
        if holds:
            return Outcome(Verdict.CERTIFIED, f"{what} {self.relation} {_short(value, 60)} (exact)", evidence)
        if witness:
            evidence["witness"] = witness
        return Outcome(Verdict.REFUTED, f"{what}, not {self.relation} {_short(value, 60)} (exact)", evidence)

    def compare_list(self, computed: list[Any], target: list[Any]) -> bool:
        if len(computed) != len(target):
            raise FieldError("value", f"has {len(target)} entries, the {self.quantity} has {len(computed)}")
        if self.relation == "approx":
            return all(self.compare_scalar(c, t, "approx") for c, t in zip(computed, target, strict=True))
        same = [self.compare_scalar(c, t, "==") for c, t in zip(computed, target, strict=True)]
        return all(same) if self.relation == "==" else not all(same)

    def decide_value(self, computed: Any, extra: dict[str, Any] | None = None) -> Outcome:
        """Compare a computed scalar, vector or matrix with ``value``."""
        raw = self.claim.get("value")
        if self.vtype == SCALAR:
            holds = self.compare_scalar(computed, self.scalar_value(raw))
            return self.finish(holds, _s(computed),
                               {**(extra or {}), "computed_50_digits": _digits(computed)})
        if self.vtype == VECTOR:
            target = self.list_value(raw)
            holds = self.compare_list(list(computed), target)
            return self.finish(holds, [_s(c) for c in computed],
                               {**(extra or {}), "computed_50_digits": [_digits(c) for c in computed]})
        target = self.list_value(raw)
        rows = [list(computed.row(i)) for i in range(computed.rows)]
        if len(target) != len(rows) or any(len(t) != len(r) for t, r in zip(target, rows, strict=False)):
            raise FieldError("value", f"must be a {computed.rows} x {computed.cols} matrix")
        holds = self.compare_list([e for r in rows for e in r], [e for r in target for e in r])
        return self.finish(holds, [[_s(e) for e in r] for r in rows], extra)

    # decision ----------------------------------------------------------------------------------------------
    def decide(self) -> Outcome:
        handler = {"point": self.at_point, "run": self.run, "global": self.global_property}[self.needs]
        return handler()

    def at_point(self) -> Outcome:
        at = self.point("at")
        if self.quantity == "directional-derivative":
            direction = self.point("direction")
        elif self.claim.get("direction") is not None:
            raise FieldError("direction", "only with quantity = \"directional-derivative\"")
        self.evidence["at"] = [_s(v) for v in at]
        q = self.quantity
        if q == "value":
            return self.decide_value(self.fn.value(at))
        grad = self.fn.gradient(at)
        self.evidence["gradient"] = [_s(g) for g in grad]
        if q == "gradient":
            return self.decide_value(grad)
        if q == "gradient-norm":
            return self.decide_value(tidy(sp.sqrt(sum(g * g for g in grad))))
        if q == "directional-derivative":
            self.evidence["direction"] = [_s(d) for d in direction]
            return self.decide_value(tidy(sum(g * d for g, d in zip(grad, direction, strict=True))),
                                     {"method": "grad f(at) . direction (the direction is not normalized)"})
        hess = self.fn.hessian(at)
        self.evidence["hessian"] = [[_s(e) for e in hess.row(i)] for i in range(hess.rows)]
        if q == "hessian":
            return self.decide_value(hess)
        if q == "hessian-eigenvalues":
            return self.decide_value(sorted_eigenvalues(hess))
        if q == "newton-step":
            if exact_sign(hess.det()) == 0:
                raise MethodUndefined("the Hessian is singular at the point: no Newton step")
            step = [tidy(-v) for v in hess.LUsolve(sp.Matrix(grad))]
            return self.decide_value(step, {"method": "solves hessian * d = -gradient exactly"})
        pos, neg, zero = inertia(hess)
        self.evidence["inertia"] = {"positive": pos, "negative": neg, "zero": zero}
        self.evidence["method"] = ("inertia of the exact Hessian: Descartes' rule of signs on its "
                                   "characteristic polynomial (real-rooted), exact coefficient signs")
        claimed = self.claim.get("value")
        if q == "definiteness":
            if claimed not in DEFINITENESS:
                raise FieldError("value", f"must be one of {', '.join(DEFINITENESS)}, got {claimed!r}")
            holds = definiteness_holds(claimed, pos, neg, zero)
            return self.finish(holds if self.relation == "==" else not holds, _inertia_name(pos, neg, zero))
        return self.classification(grad, pos, neg, zero)

    def classification(self, grad: list[Any], pos: int, neg: int, zero: int) -> Outcome:
        claimed = self.claim.get("value")
        if claimed not in CLASSES:
            raise FieldError("value", f"must be one of {', '.join(CLASSES)}, got {claimed!r}")
        signs = [exact_sign(g) for g in grad]
        if None in signs:
            raise Undecided("cannot decide exactly whether the gradient is 0 at the point")
        stationary = all(s == 0 for s in signs)
        if not stationary:
            kind, why = "not stationary", "the gradient is not 0: no minimum, maximum or saddle"
        elif pos and neg:
            kind, why = "saddle", ("the Hessian has eigenvalues of both signs: f rises along one eigenvector "
                                   "and falls along another")
        elif neg == 0 and zero == 0:
            kind, why = "minimum", "the Hessian is positive definite: a strict local minimum"
        elif pos == 0 and zero == 0:
            kind, why = "maximum", "the Hessian is negative definite: a strict local maximum"
        else:
            # semidefinite and singular: only the second-order necessary conditions are decided
            self.evidence["second_order"] = ("the Hessian is singular and semidefinite: the second-order "
                                             "test decides only what it rules out")
            # a positive eigenvalue rules out a local maximum (f rises along it to second order), a negative
            # one a local minimum
            ruled_out = {"maximum"} if pos else {"minimum"} if neg else set()
            if claimed in ruled_out:
                holds = self.relation == "!="
                return self.finish(holds, f"not a local {claimed} (the Hessian has a "
                                   f"{'positive' if pos else 'negative'} eigenvalue)")
            raise Undecided("the Hessian is singular and semidefinite: the second-order test is inconclusive")
        self.evidence["classification_reason"] = why
        holds = kind == claimed
        return self.finish(holds if self.relation == "==" else not holds, kind)

    # method runs -------------------------------------------------------------------------------------------
    def method(self) -> Method:
        raw = self.claim.get("method")
        if not isinstance(raw, dict) or "name" not in raw:
            raise FieldError("method", "must be a table such as { name = \"gd\", step = \"1/10\" }")
        name = raw["name"]
        if name not in METHODS:
            raise FieldError("method.name", f"must be one of {', '.join(METHODS)}, got {name!r}")
        for key in raw:
            if key != "name" and key not in METHODS[name]:
                raise FieldError(f"method.{key}", f"not a parameter of {name} (its parameters: "
                                                  f"{', '.join(METHODS[name]) or 'none'})")
        k = sp.Symbol("k", integer=True, nonnegative=True)
        from symbolic.functions import K_SYMBOL

        def param(key: str, required: bool, uses_k: bool = False) -> Any:
            if key not in raw:
                if required:
                    raise FieldError(f"method.{key}", f"{name} needs '{key}'")
                return None
            value = self.number(raw[key], f"method.{key}", {"k": K_SYMBOL} if uses_k else None)
            return value.xreplace({k: K_SYMBOL})

        m = Method(name)
        if name in ("gd", "heavy-ball", "nesterov"):
            m.step = param("step", True, uses_k=True)
            m.momentum = param("momentum", name != "gd", uses_k=True)
        elif name == "newton":
            m.step = param("step", False, uses_k=True)
        elif name == "polyak":
            m.f_star = param("f_star", True)
        elif name == "armijo":
            m.alpha0, m.c, m.tau = param("alpha0", True), param("c", True), param("tau", True)
            if exact_sign(m.alpha0) != 1:
                raise FieldError("method.alpha0", "must be > 0")
            if not (exact_sign(m.c) == 1 and exact_sign(1 - m.c) == 1):
                raise FieldError("method.c", "must be in (0, 1)")
            if not (exact_sign(m.tau) == 1 and exact_sign(1 - m.tau) == 1):
                raise FieldError("method.tau", "must be in (0, 1)")
            mb = raw.get("max_backtracks", 60)
            if isinstance(mb, bool) or not isinstance(mb, int) or not 0 <= mb <= 1000:
                raise FieldError("method.max_backtracks", "must be a whole number from 0 to 1000")
            m.max_backtracks = mb
        return m

    def run(self) -> Outcome:
        method = self.method()
        start = self.point("start")
        k_raw = self.claim.get("K")
        if isinstance(k_raw, bool) or not isinstance(k_raw, int) or k_raw < 0:
            raise FieldError("K", f"must be a whole number >= 0, got {k_raw!r}")
        if k_raw > self.ctx.caps.max_steps:
            raise CapExceeded("max_steps", f"K = {k_raw} is above {self.ctx.caps.max_steps}", "K")
        self.evidence.update(method=self.claim.get("method"), start=[_s(v) for v in start], K=k_raw)
        stop = None
        if self.quantity == "iterations":
            stop = self._stopping_rule()
        elif any(self.claim.get(n) is not None for n in ("tolerance", "criterion", "target")):
            raise FieldError("tolerance", "only with quantity = \"iterations\"")
        try:
            result = run_method(self.fn, method, start, k_raw, stop)
        except (MethodUndefined, NotDifferentiable, Undecided) as exc:
            self.evidence["reason"] = str(exc)
            raise
        self.evidence["iterates"] = _iterates(result.iterates)
        if result.notes:
            self.evidence["steps"] = result.notes[:MAX_SHOWN_ITERATES]
        last = result.iterates[-1]
        if self.quantity == "iterate":
            return self.decide_value(last)
        if self.quantity == "iterate-value":
            return self.decide_value(self.fn.value(last))
        if self.quantity == "iterate-gradient-norm":
            grad = self.fn.gradient(last)
            return self.decide_value(tidy(sp.sqrt(sum(g * g for g in grad))))
        return self._iterations(result, k_raw)

    def _stopping_rule(self) -> Any:
        if self.claim.get("tolerance") is None:
            raise FieldError("tolerance", "quantity = \"iterations\" needs a tolerance")
        tol = self.number(self.claim.get("tolerance"), "tolerance")
        if exact_sign(tol) != 1:
            raise FieldError("tolerance", "must be > 0")
        criterion = self.claim.get("criterion", "gradient-norm")
        if criterion not in CRITERIA:
            raise FieldError("criterion", f"must be one of {', '.join(CRITERIA)}, got {criterion!r}")
        target = self.point("target", required=criterion == "distance")
        if target is not None and criterion != "distance":
            raise FieldError("target", "only with criterion = \"distance\"")
        self.evidence.update(tolerance=_s(tol), criterion=criterion)

        def measure(x: list[Any]) -> Any:
            if criterion == "gradient-norm":
                g = self.fn.gradient(x)
                return sum(v * v for v in g)
            if criterion == "value":
                return self.fn.value(x)
            return sum((a - b) ** 2 for a, b in zip(x, target, strict=True))

        squared = criterion != "value"

        def stop(k: int, x: list[Any]) -> bool:
            s = exact_sign(sp.sympify(measure(x) - (tol * tol if squared else tol)))
            if s is None:
                raise Undecided(f"cannot decide the stopping test at k = {k}")
            return s <= 0

        self._stop = stop
        return stop

    def _iterations(self, result: Any, k_max: int) -> Outcome:
        raw = self.claim.get("value")
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise FieldError("value", "the number of iterations must be a whole number")
        reached = self._stop(len(result.iterates) - 1, result.iterates[-1])
        if reached:
            count = len(result.iterates) - 1
            holds = {"==": count == raw, "!=": count != raw, "<": count < raw, "<=": count <= raw,
                     ">": count > raw, ">=": count >= raw}[self.relation]
            return self.finish(holds, count, {"method_note": "the first k with the criterion <= tolerance"})
        # not reached within K: the count is > K
        small, smaller = raw <= k_max, raw <= k_max + 1
        decided = {"==": False if small else None, "!=": True if small else None,
                   "<": False if smaller else None, "<=": False if small else None,
                   ">": True if small else None, ">=": True if smaller else None}[self.relation]
        if decided is None:
            raise Undecided(f"the tolerance is not reached within K = {k_max} iterations: raise K")
        return self.finish(decided, f"more than {k_max}")

    # global properties -------------------------------------------------------------------------------------
    def params(self, box: dict[sp.Symbol, tuple[Any, Any]]) -> Parameters:
        domain = []
        for v, (lo, hi) in box.items():
            domain += [(lo, "<=", v), (v, "<=", hi)]
        return Parameters(symbols=dict(zip(self.names, self.vars, strict=True)), domain=domain)

    def global_property(self) -> Outcome:
        box = self.box()
        if box:
            self.evidence["box"] = {str(v): [_s(lo), _s(hi)] for v, (lo, hi) in box.items()}
        if self.quantity == "stationary-points":
            if box:
                raise FieldError("box", "not used with stationary-points (all of R^n)")
            return self.stationary()
        if self.quantity == "convexity":
            return self.convexity(box)
        if self.claim.get("m") is not None:
            raise FieldError("m", "only with quantity = \"convexity\"")
        return self.smoothness(box)

    def stationary(self) -> Outcome:
        if self.claim.get("m") is not None:
            raise FieldError("m", "only with quantity = \"convexity\"")
        raw = self.claim.get("value")
        if not isinstance(raw, list):
            raise FieldError("value", "must be a list of points such as [{ x = \"0\", y = \"0\" }]")
        claimed = []
        for i, p in enumerate(raw):
            if isinstance(p, dict):
                for key in p:
                    if key not in self.names:
                        raise FieldError(f"value[{i}].{key}", f"'{key}' is not a variable")
                missing = [v for v in self.names if v not in p]
                if missing:
                    raise FieldError(f"value[{i}].{missing[0]}", "missing coordinate")
                claimed.append([self.number(p[v], f"value[{i}].{v}") for v in self.names])
            elif isinstance(p, list) and len(p) == len(self.names):
                claimed.append([self.number(v, f"value[{i}][{j}]") for j, v in enumerate(p)])
            else:
                raise FieldError(f"value[{i}]", "must be a point table such as { x = \"0\" }")
        # a claimed point that is not stationary refutes "==" whatever the full set is
        for p in claimed:
            try:
                g = self.fn.gradient(p)
            except NotDifferentiable as exc:
                return self.finish(self.relation == "!=", f"{_point(p)} is not a point where f is "
                                   f"differentiable ({exc})", witness={"point": _point(p)})
            if any(exact_sign(v) not in (0, None) for v in g):
                self.evidence["gradient_at_claimed_point"] = [_s(v) for v in g]
                return self.finish(self.relation == "!=", f"{_point(p)} has gradient {[_s(v) for v in g]}",
                                   witness={"point": _point(p), "gradient": [_s(v) for v in g]})
        found = stationary_points(self.f, self.vars)
        self.evidence["method"] = ("lex Groebner bases: each coordinate is a root of an exact univariate "
                                   "elimination polynomial; every combination of real roots tested exactly")
        same = len(found) == len(claimed) and all(any(_same_point(a, b) for b in claimed) for a in found)
        extra = [p for p in found if not any(_same_point(p, q) for q in claimed)]
        holds = same if self.relation == "==" else not same
        witness = {"stationary_point_not_listed": _point(extra[0])} if extra else None
        return self.finish(holds, [_point(p) for p in found], witness=witness)

    def definedness(self, params: Parameters) -> None:
        """Prove f defined and smooth on the domain (log and fractional-power arguments > 0, ...)."""
        from verify.positivity import prove_sign

        for u, kind in domain_conditions(self.f):
            if kind == "pos" and prove_sign(u, True, params):
                continue
            if kind == "nonzero" and (prove_sign(u, True, params) or prove_sign(-u, True, params)):
                continue
            raise Undecided(f"could not prove f is defined and smooth on the domain (need {u} "
                            f"{'> 0' if kind == 'pos' else '!= 0'})")

    def psd_proof(self, matrix: Any, params: Parameters, strict: bool = False) -> list[str] | None:
        """Proof lines that every principal minor of ``matrix`` is >= 0 (> 0 with strict: then the leading
        ones suffice) on the domain, or None."""
        from verify.positivity import prove_sign

        lines = []
        for idx, minor in principal_minors(matrix):
            if strict and idx != tuple(range(len(idx))):
                continue
            if not minor.free_symbols:
                s = exact_sign(minor)
                if s is None or s < 0 or (strict and s == 0):
                    return None
                lines.append(f"minor {list(idx)} = {minor}")
                continue
            proof = prove_sign(minor, strict, params)
            if not proof:
                return None
            lines.append(f"minor {list(idx)} = {minor}: {proof}")
        return lines

    def sample_points(self, box: dict[sp.Symbol, tuple[Any, Any]]) -> list[list[Any]]:
        rng = random.Random(self.ctx.seed)
        pts: list[list[Any]] = []
        ranges = [box.get(v) for v in self.vars]
        if all(r is not None for r in ranges) and len(self.vars) <= 6:
            pts += [list(c) for c in itertools.product(*ranges)]
            pts.append([(lo + hi) / 2 for lo, hi in ranges])
        simple = [sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Rational(1, 2), sp.Rational(-1, 2),
                  sp.Integer(2), sp.Integer(-2)]
        if all(r is None for r in ranges):
            pts += [list(c) for c in itertools.islice(itertools.product(simple, repeat=len(self.vars)), 200)]
        while len(pts) < SAMPLES:
            p = []
            for r in ranges:
                if r is None:
                    p.append(sp.Rational(rng.randint(-10000, 10000), rng.choice([1, 10, 100, 1000])))
                else:
                    p.append(r[0] + (r[1] - r[0]) * sp.Rational(rng.randint(0, 1000), 1000))
            pts.append(p)
        return pts

    def in_domain(self, p: list[Any]) -> bool:
        try:
            from symbolic.functions import check_interior

            check_interior(self.f, self.fn.point(p))
        except (NotDifferentiable, Undecided):
            return False
        return True

    def convexity(self, box: dict[sp.Symbol, tuple[Any, Any]]) -> Outcome:
        claimed = self.claim.get("value")
        if claimed not in CONVEXITY:
            raise FieldError("value", f"must be one of {', '.join(CONVEXITY)}, got {claimed!r}")
        m = sp.Integer(0)
        if claimed == "strongly-convex":
            if self.claim.get("m") is None:
                raise FieldError("m", "strongly-convex needs the modulus m")
            m = self.number(self.claim.get("m"), "m")
            if exact_sign(m) != 1:
                raise FieldError("m", f"must be > 0, got {m}")
        elif self.claim.get("m") is not None:
            raise FieldError("m", "only with value = \"strongly-convex\"")
        self.evidence["m"] = _s(m)
        params = self.params(box)
        sign_f = -1 if claimed == "concave" else 1
        g = sign_f * self.f - m / 2 * sum(v * v for v in self.vars)  # convex iff the claim holds
        where = "on the box" if box else "on R^n"
        witness = self.convexity_witness(g, box)
        if witness is not None:
            return self.finish(self.relation == "!=", f"not {claimed} {where}",
                               {"method": witness.pop("how")}, witness=witness)
        self.definedness(params)
        proof = self.prove_convex(g, params)
        if proof is None:
            shift = " - m I" if claimed == "strongly-convex" else ""
            raise Undecided(f"no proof that f is {claimed} {where} (principal minors of the Hessian{shift} "
                            f"not proved >= 0) and no witness among {SAMPLES} points")
        return self.finish(self.relation == "==", f"{claimed} {where}", {"proof": proof})

    def prove_convex(self, g: Any, params: Parameters) -> list[str] | None:
        """A structural proof that g is convex on the domain: smooth parts by their Hessian's principal
        minors, nonnegative sums, positive multiples, max of convex, abs of affine."""
        if is_smooth(g):
            if not g.free_symbols & set(self.vars):
                return ["a constant"]
            hess = sp.hessian(g, self.vars)
            lines = self.psd_proof(sp.ImmutableMatrix(hess.applyfunc(sp.cancel)), params)
            return None if lines is None else [f"Hessian of {g}: every principal minor >= 0"] + lines
        if isinstance(g, sp.Add):
            smooth = sp.Add(*[t for t in g.args if is_smooth(t)])
            rough = [t for t in g.args if not is_smooth(t)]
            out = self.prove_convex(smooth, params) if smooth != 0 else []
            for t in rough:
                if out is None:
                    return None
                part = self.prove_convex(t, params)
                out = None if part is None else out + part
            return out
        if isinstance(g, sp.Mul):
            coeff, rest = g.as_independent(*self.vars)
            if coeff == 1 or rest == g or not coeff.is_number:
                return None
            s = exact_sign(coeff)
            if s == 1:
                return self.prove_convex(rest, params)
            if s == -1 and isinstance(rest, sp.Min):  # -min(u, v) = max(-u, -v)
                return self.prove_convex(-coeff * sp.Max(*[-a for a in rest.args]), params)
            return None
        if isinstance(g, sp.Max):
            parts = [self.prove_convex(a, params) for a in g.args]
            if any(p is None for p in parts):
                return None
            return [f"max of convex functions: {g}"] + sum(parts, [])
        if isinstance(g, sp.Abs):
            u = g.args[0]
            if is_polynomial(u, self.vars) and total_degree(u, self.vars) <= 1:
                return [f"abs of an affine function: {g}"]
        return None

    def convexity_witness(self, g: Any, box: dict[sp.Symbol, tuple[Any, Any]]) -> dict[str, Any] | None:
        """A point where the Hessian of g has a negative principal minor (smooth g), or a midpoint violation
        g((a+b)/2) > (g(a)+g(b))/2 (any g), exactly."""
        pts = [p for p in self.sample_points(box) if self.in_domain(p)]
        if is_smooth(g):
            hess = sp.hessian(g, self.vars)
            minors = principal_minors(sp.ImmutableMatrix(hess))
            for p in pts:
                sub = dict(zip(self.vars, p, strict=True))
                for idx, minor in minors:
                    if exact_sign(minor.xreplace(sub)) == -1:
                        h = sp.ImmutableMatrix(hess.applyfunc(lambda e, s=sub: e.xreplace(s)))
                        return {"how": "a principal minor of the Hessian (of f, -f or f - m/2 |x|^2) is "
                                       "negative at a point: a negative eigenvalue, so not convex there",
                                "point": _point(p),
                                "matrix": [[_s(e) for e in h.row(i)] for i in range(h.rows)],
                                "minor": {"rows": list(idx), "value": _s(minor.xreplace(sub))}}
            return None
        for a, b in itertools.islice(itertools.combinations(pts[:80], 2), 2000):
            mid = [(x + y) / 2 for x, y in zip(a, b, strict=True)]
            if not self.in_domain(mid):
                continue
            try:
                ga, gb, gm = (g.xreplace(dict(zip(self.vars, q, strict=True))) for q in (a, b, mid))
                gap = gm - (ga + gb) / 2
            except (TypeError, ValueError):
                continue
            if exact_sign(gap) == 1:
                return {"how": "midpoint convexity fails: g((a+b)/2) > (g(a)+g(b))/2 exactly, with g = f, -f "
                               "or f - m/2 |x|^2", "a": _point(a), "b": _point(b), "gap": _s(gap)}
        return None

    def smoothness(self, box: dict[sp.Symbol, tuple[Any, Any]]) -> Outcome:
        if not is_smooth(self.f):
            raise Undecided("smoothness constants are decided for smooth formulas only")
        raw = self.claim.get("value")
        infinite = isinstance(raw, str) and raw.strip().lower() in ("inf", "oo", "infinity")
        if infinite and self.relation not in ("==", "!="):
            raise FieldError("relation", "an infinite smoothness constant is compared with == or !=")
        target = None if infinite else self.scalar_value(raw)
        params = self.params(box)
        self.definedness(params)
        hess = sp.ImmutableMatrix(sp.hessian(self.f, self.vars).applyfunc(sp.cancel))
        self.evidence["hessian"] = [[_s(e) for e in hess.row(i)] for i in range(hess.rows)]
        if not hess.free_symbols:  # degree <= 2: the constant is the spectral norm of the constant Hessian
            eig = sorted_eigenvalues(hess)
            L = eig[-1] if sign(eig[-1] + eig[0], "an eigenvalue sum") >= 0 else -eig[0]
            self.evidence["method"] = "constant Hessian: L = max |eigenvalue|, exact"
            if infinite:
                return self.finish(self.relation == "!=", _s(L))
            return self.decide_value(L)
        if infinite:
            if box:
                return self.finish(self.relation == "!=", "finite: f is smooth on the closed box, so its "
                                   "Hessian is bounded there", {"method": "continuity on a compact set"})
            unbounded = [e for e in hess if is_polynomial(e, self.vars) and e.free_symbols]
            if not unbounded:
                raise Undecided("no proof that the Hessian is unbounded")
            return self.finish(self.relation == "==", "inf", {
                "method": f"the Hessian entry {unbounded[0]} is a nonconstant polynomial, unbounded on R^n, "
                          "and ||H|| >= |H_ij|"})
        return self.smoothness_bound(hess, target, params, box)

    def smoothness_bound(self, hess: Any, target: Any, params: Parameters,
                         box: dict[sp.Symbol, tuple[Any, Any]]) -> Outcome:
        if self.relation == "approx":
            raise FieldError("relation", "a smoothness bound of a non-quadratic f is compared with ==, !=, "
                                         "<=, <, >=, >")
        n = len(self.vars)
        eye = sp.eye(n)
        upper, lower = sp.ImmutableMatrix(target * eye - hess), sp.ImmutableMatrix(target * eye + hess)
        pts = [p for p in self.sample_points(box) if self.in_domain(p)]
        above = attained = None
        for p in pts:
            sub = dict(zip(self.vars, p, strict=True))
            h = sp.ImmutableMatrix(hess.applyfunc(lambda e, s=sub: e.xreplace(s)))
            eig = sorted_eigenvalues(h)
            norm = eig[-1] if sign(eig[-1] + eig[0], "an eigenvalue sum") >= 0 else -eig[0]
            s = exact_sign(norm - target)
            if s == 1 and above is None:
                above = (p, norm)
            if s == 0 and attained is None:
                attained = (p, norm)
        if above is not None:
            p, norm = above
            witness = {"point": _point(p), "hessian_norm": _s(norm), "hessian_norm_50_digits": _digits(norm)}
            holds = self.relation in ("!=", ">", ">=")
            return self.finish(holds, f"at least {norm}", witness=witness)
        proof_le = None
        strict = self.relation == "<"
        if self.relation in ("<=", "==", "<", "!="):
            a, b = self.psd_proof(upper, params, strict), self.psd_proof(lower, params, strict)
            proof_le = a + b if a is not None and b is not None else None
        if self.relation == "<":
            if proof_le and all(r is not None for r in (box.get(v) for v in self.vars)):
                return self.finish(True, f"< {target} on the compact box", {"proof": proof_le})
            raise Undecided("no proof of a strict bound (needs a box and positive definite target*I -/+ H)")
        if self.relation == "<=":
            if proof_le:
                return self.finish(True, f"<= {target}", {"proof": proof_le})
            raise Undecided("no proof that target*I -/+ H are positive semidefinite on the domain")
        if self.relation in (">=", ">"):
            if attained is not None and self.relation == ">=":
                return self.finish(True, f">= {target}", witness=None,
                                   extra={"attained_at": _point(attained[0])})
            raise Undecided(f"no point found where ||H|| {self.relation} {target}")
        # == and !=: both the bound and its attainment
        if proof_le and attained is not None:
            return self.finish(self.relation == "==", _s(target), {"proof": proof_le,
                                                                    "attained_at": _point(attained[0])})
        raise Undecided("the bound was not both proved and attained")


def _inertia_name(pos: int, neg: int, zero: int) -> str:
    if pos and neg:
        return f"indefinite ({pos} positive, {neg} negative, {zero} zero eigenvalues)"
    if neg == 0 and zero == 0:
        return "positive-definite"
    if pos == 0 and zero == 0:
        return "negative-definite"
    return f"{'positive' if neg == 0 else 'negative'}-semidefinite ({zero} zero eigenvalues)"


def _point(p: list[Any]) -> list[str]:
    return [str(v) for v in p]


def _same_point(a: list[Any], b: list[Any]) -> bool:
    for x, y in zip(a, b, strict=True):
        s = exact_sign(sp.sympify(x - y))
        if s is None:
            raise Undecided(f"cannot decide whether {x} = {y}")
        if s != 0:
            return False
    return True


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _iterates(iterates: list[list[Any]]) -> list[dict[str, Any]]:
    """The exact iterates for the evidence (the first and last ones when there are many)."""
    shown = list(enumerate(iterates))
    if len(shown) > MAX_SHOWN_ITERATES:
        half = MAX_SHOWN_ITERATES // 2
        shown = shown[:half] + shown[-half:]
    out = []
    for k, x in shown:
        exact = [str(v) if len(str(v)) <= 200 else None for v in x]
        entry: dict[str, Any] = {"k": k, "x": [e if e is not None else _digits(v) for e, v in
                                              zip(exact, x, strict=True)]}
        if any(e is None for e in exact):
            entry["note"] = "long exact entries shown to 50 digits"
        out.append(entry)
    return out
