"""A restricted expression grammar parsed into sympy: a claim can never execute code.

The text is parsed by :mod:`ast` and only arithmetic, numbers, names and calls of whitelisted functions
are turned into sympy objects; everything else (attributes, subscripts, lambdas, strings, keywords) is
rejected with a :class:`~core.errors.FieldError`. Decimal literals become exact rationals.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp

from core.caps import DEFAULT_CAPS, Caps
from core.errors import CapExceeded, FieldError
from core.matrix_literals import is_matrix, matrix_literal

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sqrt": sp.sqrt,
    "log": sp.log,
    "ln": sp.log,
    "exp": sp.exp,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "atan": sp.atan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "acosh": sp.acosh,
    "Abs": sp.Abs,
    "abs": sp.Abs,
    "min": sp.Min,
    "max": sp.Max,
    "Min": sp.Min,
    "Max": sp.Max,
    "floor": sp.floor,
    "ceiling": sp.ceiling,
    "erf": sp.erf,
    "erfc": sp.erfc,
}
# The exact matrix functions (inv, det, eig, ...: symbolic/matrices.py, which needs numeric's exact signs)
# plug in here when symbolic is imported (symbolic/__init__.py); their names may also name symbols.
MATRIX_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def register_matrix_functions(table: dict[str, Callable[..., Any]]) -> None:
    """Add the matrix functions to the parser's table (dependency inversion: core stays at the bottom)."""
    MATRIX_FUNCTIONS.update(table)
    FUNCTIONS.update(table)



CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
ASSUMPTIONS = ("positive", "nonnegative", "negative", "nonpositive", "real", "integer")
MAX_NODES = 2000  # parse-tree size cap; far above any claim in the registry

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=="}
RELATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda a, b: sp.StrictLessThan(a, b, evaluate=False),
    "<=": lambda a, b: sp.LessThan(a, b, evaluate=False),
    ">": lambda a, b: sp.StrictGreaterThan(a, b, evaluate=False),
    ">=": lambda a, b: sp.GreaterThan(a, b, evaluate=False),
    "==": lambda a, b: sp.Eq(a, b, evaluate=False),
}


def make_symbol(name: str, assumption: str | None = None) -> sp.Symbol:
    """A sympy symbol for a claim parameter; parameters are real unless an assumption says more."""
    if assumption is None:
        return sp.Symbol(name, real=True)
    if assumption not in ASSUMPTIONS:
        raise FieldError("assume", f"unknown assumption '{assumption}' for '{name}' "
                                   f"(one of {', '.join(ASSUMPTIONS)})")
    extra = {} if assumption in ("real", "integer") else {"real": True}
    return sp.Symbol(name, **{assumption: True}, **extra)


class _Builder:
    """Walks a Python AST of an expression and builds sympy objects from the allowed nodes only."""

    def __init__(self, text: str, field: str, symbols: dict[str, Any], allow_new: bool,
                 functions: Mapping[str, Callable[..., Any]], caps: Caps) -> None:
        self.text = text
        self.field = field
        self.symbols = symbols
        self.allow_new = allow_new
        self.functions = functions
        self.caps = caps

    def fail(self, message: str) -> FieldError:
        return FieldError(self.field, f"{message} in '{_short(self.text)}'")

    def build(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.fail(f"'{type(node).__name__}' is not allowed (only arithmetic, numbers, names "
                            "and calls of known functions)")
        return method(node)

    def _Expression(self, node: ast.Expression) -> Any:
        return self.build(node.body)

    def _Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"constant {value!r} is not a real number")
        if isinstance(value, int):
            if len(str(abs(value))) > self.caps.max_int_digits:
                raise CapExceeded("max_int_digits", "integer literal too long", self.field)
            return sp.Integer(value)
        literal = ast.get_source_segment(self.text, node) or repr(value)
        if not math.isfinite(value):
            raise self.fail(f"non-finite number '{literal}'")
        return sp.Rational(literal.replace("_", ""))

    def _Name(self, node: ast.Name) -> Any:
        name = node.id
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in self.functions and name not in MATRIX_FUNCTIONS:
            raise self.fail(f"'{name}' is a function and needs arguments")
        if not self.allow_new or not NAME_RE.match(name):
            raise self.fail(f"unknown symbol '{name}'")
        symbol = make_symbol(name)
        self.symbols[name] = symbol
        return symbol

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.build(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise self.fail(f"operator '{type(node.op).__name__}' is not allowed")

    def _BinOp(self, node: ast.BinOp) -> Any:
        if isinstance(node.op, ast.BitXor):
            raise self.fail("'^' is not a power here: write '**'")
        left = self.build(node.left)
        right = self.build(node.right)
        if isinstance(node.op, ast.Pow):
            return self._power(left, right)
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.fail(f"operator '{type(node.op).__name__}' is not allowed")
        if isinstance(node.op, ast.Div) and is_matrix(right):
            raise self.fail("division by a matrix: write inv(A)")
        if isinstance(node.op, ast.Div) and right == 0:
            raise self.fail("division by zero")
        try:
            return op(left, right)
        except (TypeError, ValueError) as exc:  # a matrix with a number, or shapes that do not match
            raise self.fail(f"'{type(node.op).__name__}' of a {_kind(left)} and a {_kind(right)}: "
                            f"{_short(str(exc), 60)}") from None

    def _power(self, base: Any, exponent: Any) -> Any:
        if is_matrix(exponent):
            raise self.fail("a matrix exponent is not allowed")
        if is_matrix(base):
            return self._matrix_power(base, exponent)
        if isinstance(exponent, sp.Number):
            if abs(exponent) > self.caps.max_exponent:
                raise CapExceeded("max_exponent", f"exponent {exponent} is above {self.caps.max_exponent}",
                                  self.field)
            if isinstance(base, sp.Rational) and base != 0 and abs(base) != 1:
                size = abs(float(exponent)) * math.log10(max(abs(base.p), base.q))
                if size > self.caps.max_int_digits:
                    raise CapExceeded("max_int_digits", f"power with about {int(size)} digits", self.field)
            if base == 0 and exponent < 0:
                raise self.fail("division by zero")
        return base**exponent

    def _matrix_power(self, base: Any, exponent: Any) -> Any:
        """A square matrix to a whole (negative: inverse) power, within the exponent and digit caps."""
        if not isinstance(exponent, sp.Integer):
            raise self.fail(f"a matrix power needs a whole exponent, got '{exponent}'")
        if base.rows != base.cols:
            raise self.fail(f"power of a {base.rows} x {base.cols} matrix (not square)")
        if abs(exponent) > self.caps.max_exponent:
            raise CapExceeded("max_exponent", f"exponent {exponent} is above {self.caps.max_exponent}",
                              self.field)
        sizes = [max(abs(e.p), e.q) for e in base if isinstance(e, sp.Rational) and e != 0]
        if sizes:
            size = abs(int(exponent)) * math.log10(base.rows * max(sizes) + 1)
            if size > self.caps.max_int_digits:
                raise CapExceeded("max_int_digits", f"matrix power with about {int(size)} digits", self.field)
        if exponent < 0:
            try:
                base = MATRIX_FUNCTIONS["inv"](base)
            except (TypeError, ValueError) as exc:
                raise self.fail(f"negative power: {exc}") from None
        return sp.ImmutableMatrix(base ** abs(int(exponent)))

    def _List(self, node: ast.List) -> Any:
        entries = [self.build(e) if not isinstance(e, ast.List) else [self.build(x) for x in e.elts]
                   for e in node.elts]
        try:
            return matrix_literal(entries)
        except ValueError as exc:
            raise self.fail(f"bad matrix: {exc}") from None

    def _Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.func.id not in self.functions:
            name = node.func.id if isinstance(node.func, ast.Name) else type(node.func).__name__
            raise self.fail(f"unknown function '{name}'")
        if node.keywords:
            raise self.fail("keyword arguments are not allowed")
        args = [self.build(arg) for arg in node.args]
        if node.func.id not in MATRIX_FUNCTIONS and any(is_matrix(a) for a in args):
            raise self.fail(f"'{node.func.id}' takes numbers, not a matrix")
        try:
            return self.functions[node.func.id](*args)
        except (TypeError, ValueError) as exc:
            raise self.fail(f"bad call of '{node.func.id}': {exc}") from None


def _kind(value: Any) -> str:
    return f"{value.rows} x {value.cols} matrix" if is_matrix(value) else "number"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse_tree(text: Any, field: str, caps: Caps) -> ast.Expression:
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise FieldError(field, f"expected an expression (string or number), got {type(text).__name__}")
    text = str(text)
    if not text.strip():
        raise FieldError(field, "empty expression")
    if len(text) > caps.max_expr_chars:
        raise CapExceeded("max_expr_chars", f"expression of {len(text)} characters", field)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = exc.msg if isinstance(exc, SyntaxError) else type(exc).__name__
        raise FieldError(field, f"unparsable expression '{_short(text)}': {detail}") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise CapExceeded("max_expr_chars", f"expression has more than {MAX_NODES} nodes", field)
    return tree


def parse_expr(text: Any, *, field: str, symbols: dict[str, Any] | None = None, allow_new: bool = True,
               functions: Mapping[str, Callable[..., Any]] | None = None,
               caps: Caps = DEFAULT_CAPS, allow_matrix: bool = False) -> Any:
    """Parse ``text`` (a string, or a TOML number) into a sympy expression.

    ``symbols`` maps names to objects and is extended with new real symbols when ``allow_new``;
    ``functions`` replaces the default function table (e.g. to add ``f``, ``grad``, ``inner``);
    a matrix result (``[[2, 0], [0, 10]]``, ``inv(A)``) is an error unless ``allow_matrix``.
    """
    if isinstance(text, float) and not math.isfinite(text):
        raise FieldError(field, f"non-finite number {text}")
    if isinstance(text, float):
        return sp.Rational(repr(text))
    if isinstance(text, int) and not isinstance(text, bool):
        return sp.Integer(text)
    tree = _parse_tree(text, field, caps)
    if isinstance(tree.body, ast.Compare):
        raise FieldError(field, f"expected an expression, not a comparison: '{_short(str(text))}'")
    table = symbols if symbols is not None else {}
    builder = _Builder(str(text).strip(), field, table, allow_new, functions or FUNCTIONS, caps)
    try:
        expr = builder.build(tree)
    except RecursionError:
        raise FieldError(field, f"expression nested too deeply: '{_short(str(text))}'") from None
    if is_matrix(expr) and not allow_matrix:
        raise FieldError(field, f"expected a number, got a {_kind(expr)}: '{_short(str(text))}'")
    return require_real(expr, field, str(text))


NOT_REAL = (sp.I, sp.zoo, sp.oo, -sp.oo, sp.nan)


def require_real(expr: Any, field: str, text: str = "") -> Any:
    """``expr`` itself, or a field error when it evaluated to a non-real value (``sqrt(-1)`` is I,
    ``log(0)`` is zoo): such a claim is not about real numbers and no verdict about it is meaningful."""
    if isinstance(expr, sp.Basic) and any(expr.has(v) for v in NOT_REAL):
        raise FieldError(field, f"not a real number: '{_short(text or str(expr))}' evaluates to "
                                f"{_short(str(expr))}")
    return expr


def names_in(text: Any) -> set[str]:
    """The names an expression's text mentions (before any simplification could cancel one away); empty
    for non-text or unparsable input, whose errors the parser itself reports."""
    if not isinstance(text, str):
        return set()
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def parse_relations(text: Any, *, field: str, symbols: dict[str, Any] | None = None, allow_new: bool = True,
                    caps: Caps = DEFAULT_CAPS) -> list[tuple[Any, str, Any]]:
    """Parse a comparison, possibly chained (``0 < h < 2``), into ``(lhs, op, rhs)`` triples."""
    if not isinstance(text, str):
        raise FieldError(field, f"expected a comparison string, got {type(text).__name__}")
    tree = _parse_tree(text, field, caps)
    if not isinstance(tree.body, ast.Compare):
        raise FieldError(field, f"expected a comparison such as 'm < L', got '{_short(text)}'")
    table = symbols if symbols is not None else {}
    builder = _Builder(text.strip(), field, table, allow_new, FUNCTIONS, caps)
    node = tree.body
    terms = [require_real(builder.build(t), field, text) for t in [node.left, *node.comparators]]
    if any(is_matrix(t) for t in terms):
        raise builder.fail("a comparison of matrices is not allowed (compare numbers such as cond(A))")
    out = []
    for i, op in enumerate(node.ops):
        name = _COMPARE.get(type(op))
        if name is None:
            raise builder.fail(f"comparison '{type(op).__name__}' is not allowed")
        out.append((terms[i], name, terms[i + 1]))
    return out


def parse_number(value: Any, *, field: str, caps: Caps = DEFAULT_CAPS) -> sp.Expr:
    """A constant (TOML number or exact string such as ``"3/2"``) as an exact sympy number."""
    expr = parse_expr(value, field=field, allow_new=False, caps=caps)
    if not getattr(expr, "free_symbols", None) == set() and not isinstance(expr, sp.Number):
        raise FieldError(field, f"expected a constant, got '{expr}'")
    return expr
