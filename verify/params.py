"""The parameter fields shared by identity and inequality claims: ``where``, ``assume`` and ``domain``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from core.caps import Caps
from core.errors import FieldError
from core.expr import make_symbol, names_in, parse_expr, parse_relations
from numeric.interval import sign_of
from symbolic.matrices import is_matrix
from verify.claims import Claim


@dataclass
class Parameters:
    """Symbols with their assumptions, substitutions, and domain constraints as ``(a, op, b)`` triples."""

    symbols: dict[str, Any]
    where: dict[sp.Symbol, Any] = field(default_factory=dict)
    domain: list[tuple[Any, str, Any]] = field(default_factory=list)
    assume: dict[str, str] = field(default_factory=dict)

    def substitute(self, expr: Any) -> Any:
        """Apply ``where`` until no substituted symbol is left (bounded by the number of substitutions)."""
        for _ in range(len(self.where) + 1):
            new = expr.xreplace(self.where) if hasattr(expr, "xreplace") else expr
            if new == expr:
                return new
            expr = new
        return expr

    def ordered_domain(self) -> list[tuple[Any, Any, bool]]:
        """The domain's inequalities as ``(a, b, closed)`` meaning ``a < b`` (``a <= b`` when closed),
        substitutions applied; equalities are left out."""
        out = []
        for a, op, b in self.domain:
            if op == "==":
                continue
            a, b = self.substitute(a), self.substitute(b)
            out.append((b, a, op == ">=") if op in (">", ">=") else (a, b, op == "<="))
        return out

    def domain_holds(self, point: Mapping[Any, Any]) -> bool | None:
        """True/False when every domain constraint is decided at ``point``, None when one is undecided."""
        for a, op, b in self.domain:
            s = sign_of(self.substitute(b - a), point)
            if s is None:
                return None
            if not {"<": s > 0, "<=": s >= 0, ">": s < 0, ">=": s <= 0, "==": s == 0}[op]:
                return False
        return True


def parse_parameters(claim: Claim, caps: Caps, expr_fields: tuple[str, ...],
                     parse: Callable[..., Any] = parse_expr) -> tuple[Parameters, dict[str, Any]]:
    """Parse ``assume``, ``where``, ``domain`` and the claim's expression fields, checking every name."""
    assume = claim.get("assume", {})
    if not isinstance(assume, dict):
        raise FieldError("assume", "must be a table such as { m = \"positive\" }")
    symbols: dict[str, Any] = {}
    for name, kind in assume.items():
        if not isinstance(kind, str):
            raise FieldError("assume", f"assumption for '{name}' must be a string")
        symbols[name] = make_symbol(name, kind)
    where_raw = claim.get("where", {})
    if not isinstance(where_raw, dict):
        raise FieldError("where", "must be a table such as { alpha = \"2/(m + L)\" }")
    where: dict[sp.Symbol, Any] = {}
    for name in where_raw:
        if name not in symbols:
            symbols[name] = make_symbol(name)
    if _has_matrix(where_raw):
        _bind_in_order(where_raw, symbols, assume, caps, parse, where)
    else:
        for name, text in where_raw.items():
            where[symbols[name]] = parse(text, field=f"where.{name}", symbols=symbols, caps=caps)
    exprs = {f: parse(claim.get(f), field=f, symbols=symbols, caps=caps) for f in expr_fields}
    domain_raw = claim.get("domain", [])
    if isinstance(domain_raw, str):
        domain_raw = [domain_raw]
    if not isinstance(domain_raw, list):
        raise FieldError("domain", "must be a list of comparisons such as [\"m < L\"]")
    domain = []
    for i, text in enumerate(domain_raw):
        domain.extend(parse_relations(text, field=f"domain[{i}]", symbols=symbols, caps=caps))
    params = Parameters(symbols=symbols, where=where, domain=domain, assume=dict(assume))
    # names as written: a symbol that sympy cancels while parsing ((a*x**2)/(a*x)**2) still appears
    texts = [claim.get(f) for f in expr_fields] + list(where_raw.values()) + list(domain_raw)
    used = set().union(*(names_in(t) for t in texts))
    for name in assume:
        if name not in used and name not in where_raw:
            raise FieldError("assume", f"symbol '{name}' does not appear in the claim")
    for sym in where:
        if sym.name not in used:
            raise FieldError("where", f"symbol '{sym}' does not appear in the claim")
    return params, exprs


_MATRIX_TEXT = re.compile(r"\[|\b(eye|diag)\s*\(")


def _has_matrix(where_raw: dict[str, Any]) -> bool:
    """Whether a ``where`` table defines a matrix (a literal ``[...]``, ``eye(n)`` or ``diag(...)``)."""
    return any(isinstance(t, str) and _MATRIX_TEXT.search(t) for t in where_raw.values())


def _bind_in_order(where_raw: dict[str, Any], symbols: dict[str, Any], assume: dict[str, Any], caps: Caps,
                   parse: Callable[..., Any], where: dict[sp.Symbol, Any]) -> None:
    """A ``where`` with matrices: each entry is parsed with the entries above it already bound by value
    (matrices cannot be substituted afterwards: ``cond(A)`` needs the matrix while parsing)."""
    names = list(where_raw)
    extra = {"allow_matrix": True} if parse is parse_expr else {}
    for i, (name, text) in enumerate(where_raw.items()):
        later = names_in(text) & set(names[i:])
        if later:
            raise FieldError(f"where.{name}", f"uses '{sorted(later)[0]}', which is not defined above it "
                                              "(with matrices, where entries are bound in order)")
        placeholder = symbols[name]
        value = parse(text, field=f"where.{name}", symbols=symbols, caps=caps, **extra)
        if is_matrix(value) and name in assume:
            raise FieldError("assume", f"'{name}' is a matrix (bound in where), not a number")
        symbols[name] = value
        if not is_matrix(value):
            where[placeholder] = value
