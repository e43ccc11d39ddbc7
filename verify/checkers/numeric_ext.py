"""The ``numeric`` kind's optional ``where`` (constants and matrices bound in order) and ``random`` tables,
and its comparison of matrix- or vector-valued expressions (``eig(A)`` against ``[1, 100]``).

Not a claim kind: :mod:`verify.checkers.numeric_claim` parses through :class:`NumericLanguage`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from core.errors import FieldError
from core.expr import CONSTANTS, NAME_RE, parse_expr
from numeric.interval import exact_sign
from symbolic.matrices import is_matrix
from verify.checkers.base import Context
from verify.checkers.expectation import RandomLanguage, random_table
from verify.claims import Claim
from verify.verdict import Outcome, Verdict


class NumericLanguage:
    """Parses a numeric claim's expressions with its ``where`` constants and ``random`` variables."""

    def __init__(self, claim: Claim, ctx: Context) -> None:
        self.ctx = ctx
        self.random = RandomLanguage(random_table(claim.get("random"), ctx.caps)) \
            if claim.get("random") is not None else None
        self.symbols: dict[str, Any] = {}
        where = claim.get("where")
        if where is None:
            return
        if not isinstance(where, dict) or not where:
            raise FieldError("where", "must be a table such as { A = \"[[2, 0], [0, 10]]\" }")
        for name, text in where.items():  # bound in order: each entry may use the ones above it
            if not NAME_RE.match(name) or name in CONSTANTS or name in ("E", "Var", "P"):
                raise FieldError("where", f"'{name}' cannot be bound (reserved or not a name)")
            if self.random is not None and name in self.random.rvs:
                raise FieldError("where", f"'{name}' is also a random variable")
            value = self.parse(text, f"where.{name}", allow_matrix=True)
            if not is_matrix(value) and value.free_symbols:
                raise FieldError(f"where.{name}", f"must be a constant, got '{value}'")
            self.symbols[name] = value

    def parse(self, text: Any, field: str, allow_matrix: bool = False) -> Any:
        """A constant expression (or a matrix, when allowed) of the claim's language; a TOML list such as
        ``["1/2", "3"]`` or ``[["1", "0"], ["0", "1"]]`` is read as a matrix literal."""
        if isinstance(text, list) and allow_matrix:
            text = _list_text(text, field)
        symbols = dict(self.symbols)
        if self.random is not None:
            return self.random.parse(text, field=field, symbols=symbols, allow_new=False, caps=self.ctx.caps,
                                     allow_matrix=allow_matrix)
        return parse_expr(text, field=field, symbols=symbols, allow_new=False, caps=self.ctx.caps,
                          allow_matrix=allow_matrix)

    def evidence(self) -> dict[str, Any]:
        """Evidence entries of the language: the evaluated expectations and the bound constants."""
        out: dict[str, Any] = dict(self.random.evidence()) if self.random is not None else {}
        if self.symbols:
            out["where"] = {k: _text(v) for k, v in self.symbols.items()}
        return out


def _list_text(items: list[Any], field: str) -> str:
    parts = []
    for item in items:
        if isinstance(item, list):
            parts.append(_list_text(item, field))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            parts.append(f"({item})")
        else:
            raise FieldError(field, f"list entries must be numbers or strings, got {type(item).__name__}")
    return "[" + ", ".join(parts) + "]"


def _text(value: Any) -> Any:
    if is_matrix(value):
        return [[str(value[i, j]) for j in range(value.cols)] for i in range(value.rows)]
    return str(value)


def check_matrix_value(expr: Any, value: Any, relation: str, lang: NumericLanguage) -> Outcome:
    """``expr`` a matrix or vector compared entrywise with ``value`` (``==`` or ``!=``), exactly."""
    if relation not in ("==", "!="):
        raise FieldError("relation", f"a matrix or vector value is compared with == or !=, not '{relation}'")
    if not is_matrix(value) or value.shape != expr.shape:
        shape = f"{value.rows} x {value.cols}" if is_matrix(value) else "a number"
        raise FieldError("value", f"expr is {expr.rows} x {expr.cols}, value is {shape}")
    evidence: dict[str, Any] = {"expr": _text(expr), "value": _text(value), "relation": relation,
                                **lang.evidence()}
    signs = []
    for (i, j) in ((i, j) for i in range(expr.rows) for j in range(expr.cols)):
        s = exact_sign(sp.sympify(expr[i, j] - value[i, j]))
        signs.append(((i, j), s))
    differ = [(ij, s) for ij, s in signs if s not in (0, None)]
    unknown = [ij for ij, s in signs if s is None]
    if differ:
        (i, j), _ = differ[0]
        at = f"entry ({i + 1}, {j + 1})"
        evidence["witness"] = {"entry": [i + 1, j + 1], "expr": str(expr[i, j]), "value": str(value[i, j]),
                               "value_50_digits": str(sp.N(expr[i, j], 50))}
        evidence["method"] = "exact sign of the entry's difference"
        if relation == "!=":
            return Outcome(Verdict.CERTIFIED, f"{at} differs: {expr[i, j]} != {value[i, j]}", evidence)
        return Outcome(Verdict.REFUTED, f"{at} is {expr[i, j]}, not {value[i, j]}", evidence)
    if unknown:
        reason = f"could not decide entry {unknown[0]} exactly"
        return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
    evidence["method"] = "every entry's difference is exactly 0"
    if relation == "==":
        return Outcome(Verdict.CERTIFIED, f"{_text(expr)} equals the value entrywise (exact)", evidence)
    return Outcome(Verdict.REFUTED, f"{_text(expr)} equals the value entrywise (exact)", evidence)
