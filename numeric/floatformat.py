"""Expressions evaluated operation by operation in an IEEE 754 binary format (float16, bfloat16, float32,
float64), round to nearest, ties to even, with two independent evaluations:

* the *reference*: every operation's exact result rounded once to the format. For ``+ - * /``, ``sqrt``,
  ``abs``, negation, ``min``/``max``, ``floor``/``ceiling``, decimal literals and whole powers ``x**n`` the
  exact result is a rational number (exact :class:`fractions.Fraction` arithmetic), so the rounding is exact:
  this is what IEEE 754 requires of the basic operations (``x**n`` as one rounding, like IEEE's ``pown``).
  Elementary functions (``exp log sin cos tan sinh cosh acosh erf erfc`` and non-whole powers) are rounded
  correctly too: an mpmath interval enclosure is refined until both of its ends round to the same number
  (a value of these functions at a nonzero binary number is transcendental, so it is never a tie);
* *numpy* (ml_dtypes for bfloat16) on the same values, as a user's script would compute. numpy's basic
  operations are IEEE operations (float16 and bfloat16 ones go through float32, which is exact enough:
  24 >= 2p + 2 bits), but its elementary functions are not correctly rounded in general.

Values are Python floats, which hold every value of the four formats exactly (with signed zeros, infinities
and NaN). Nothing here imports the ``verify`` package.
"""

from __future__ import annotations

import ast
import decimal
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from numeric.special import erf_interval, erfc_interval

MAX_BITS = 1 << 15  # highest precision tried for a correctly rounded elementary function
MAX_OPERATIONS = 2000


@dataclass(frozen=True)
class Format:
    """An IEEE binary format: precision p (with the hidden bit) and the normal exponent range."""

    name: str
    p: int
    emin: int
    emax: int

    @property
    def max_finite(self) -> Fraction:
        """The largest finite number, (2 - 2^(1-p)) 2^emax."""
        return (2 - Fraction(1, 2 ** (self.p - 1))) * Fraction(2) ** self.emax

    def dtype(self) -> Any:
        """The numpy scalar type of the format."""
        if self.name == "bfloat16":
            import ml_dtypes

            return ml_dtypes.bfloat16
        return {"float16": np.float16, "float32": np.float32, "float64": np.float64}[self.name]


FORMATS = {f.name: f for f in (Format("float16", 11, -14, 15), Format("bfloat16", 8, -126, 127),
                               Format("float32", 24, -126, 127), Format("float64", 53, -1022, 1023))}


class Undecided(Exception):
    """A correctly rounded value that could not be determined within the precision cap."""


class NotAllowed(ValueError):
    """An expression outside the arithmetic language (the caller turns it into a field error)."""


def _floor_log2(q: Fraction) -> int:
    """floor(log2(q)) for q > 0, exactly."""
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if e >= 0:
        if q.numerator < q.denominator << e:
            e -= 1
    elif q.numerator << -e < q.denominator:
        e -= 1
    return e


def round_fraction(q: Fraction, fmt: Format) -> float:
    """The exact rational ``q`` rounded to the format (nearest, ties to even; subnormals; overflow to inf)."""
    if q == 0:
        return 0.0
    negative = q < 0
    a = -q if negative else q
    e = max(_floor_log2(a), fmt.emin)
    quantum = e - (fmt.p - 1)  # the value of the last significand bit at this binade (subnormals: fixed)
    scaled = a / Fraction(2) ** quantum
    n, rest = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rest
    if twice > scaled.denominator or (twice == scaled.denominator and n % 2 == 1):
        n += 1
    value = Fraction(n) * Fraction(2) ** quantum
    if value > fmt.max_finite:
        return -math.inf if negative else math.inf
    out = float(value)  # exact: value has at most p significant bits and a representable exponent
    return -out if negative else out


def _exact(x: float) -> Fraction:
    return Fraction(x)


def _is_int(x: float) -> bool:
    return math.isfinite(x) and x == math.floor(x)


# the reference operations -------------------------------------------------------------------------------
def add(x: float, y: float, fmt: Format) -> float:
    """x + y, one rounding."""
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
        return x + y  # IEEE special cases (inf - inf is NaN) as Python's float64 does them
    exact = _exact(x) + _exact(y)
    if exact == 0:
        return -0.0 if (math.copysign(1, x) < 0 and math.copysign(1, y) < 0) else 0.0
    return round_fraction(exact, fmt)


def sub(x: float, y: float, fmt: Format) -> float:
    """x - y = x + (-y)."""
    return add(x, -y, fmt)


def mul(x: float, y: float, fmt: Format) -> float:
    """x * y, one rounding."""
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
        return x * y
    sign = math.copysign(1, x) * math.copysign(1, y)
    exact = _exact(x) * _exact(y)
    if exact == 0:
        return math.copysign(0.0, sign)
    return round_fraction(exact, fmt)


def div(x: float, y: float, fmt: Format) -> float:
    """x / y, one rounding; x/0 is a signed infinity (0/0 NaN)."""
    if math.isnan(x) or math.isnan(y):
        return math.nan
    sign = math.copysign(1, x) * math.copysign(1, y)
    if math.isinf(x):
        return math.nan if math.isinf(y) else math.copysign(math.inf, sign)
    if math.isinf(y):
        return math.copysign(0.0, sign)
    if y == 0:
        return math.nan if x == 0 else math.copysign(math.inf, sign)
    exact = _exact(x) / _exact(y)
    if exact == 0:
        return math.copysign(0.0, sign)
    return round_fraction(exact, fmt)


def sqrt(x: float, fmt: Format) -> float:
    """The correctly rounded square root (exact integer square roots with a sticky bit)."""
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0 or math.isinf(x):
        return x
    a = _exact(x)
    # a 4^k >= 4^(p+1): t = isqrt(floor(a 4^k)) has p + 2 bits or more, so every rounding boundary is an
    # even multiple of 2^-k and none lies strictly inside (t, t + 1) 2^-k
    k = max(0, -(-(2 * fmt.p + 2 - _floor_log2(a)) // 2)) + 1
    big = a * Fraction(4) ** k
    t = math.isqrt(big.numerator // big.denominator)
    exact = Fraction(t * t) == big
    value = Fraction(t) if exact else Fraction(2 * t + 1, 2)  # any point of (t, t + 1) rounds alike
    return round_fraction(value / Fraction(2) ** k, fmt)


def power(x: float, n: int, fmt: Format) -> float:
    """x ** n for a whole n, one rounding of the exact power (IEEE pown)."""
    if n == 0:
        return 1.0
    if math.isnan(x):
        return math.nan
    odd = n % 2 == 1
    if math.isinf(x) or x == 0:
        big = math.isinf(x) == (n > 0)
        magnitude = math.inf if big else 0.0
        return math.copysign(magnitude, x) if odd else magnitude
    exact = _exact(x) ** n
    return round_fraction(exact, fmt)


ELEMENTARY = ("exp", "log", "sin", "cos", "tan", "sinh", "cosh", "acosh", "erf", "erfc")


def _special(name: str, x: float) -> float | None:
    """IEEE results at NaN, infinities, zeros and the exact points (exp(0) = 1, log(1) = 0, ...)."""
    if math.isnan(x):
        return math.nan
    inf = math.isinf(x)
    pos = x > 0
    table: dict[str, Callable[[], float | None]] = {
        "exp": lambda: (math.inf if pos else 0.0) if inf else (1.0 if x == 0 else None),
        "log": lambda: (math.nan if x < 0 else -math.inf if x == 0 else math.inf if inf
                        else 0.0 if x == 1 else None),
        "sin": lambda: math.nan if inf else (x if x == 0 else None),
        "cos": lambda: math.nan if inf else (1.0 if x == 0 else None),
        "tan": lambda: math.nan if inf else (x if x == 0 else None),
        "sinh": lambda: x if inf or x == 0 else None,
        "cosh": lambda: math.inf if inf else (1.0 if x == 0 else None),
        "acosh": lambda: math.nan if x < 1 else (math.inf if inf else 0.0 if x == 1 else None),
        "erf": lambda: math.copysign(1.0, x) if inf else (x if x == 0 else None),
        "erfc": lambda: (0.0 if pos else 2.0) if inf else (1.0 if x == 0 else None),
    }
    return table[name]()


def _huge(name: str, x: float) -> float | None:
    """exp, sinh and cosh of |x| > 10^5 overflow (or underflow) in every format, by a wide margin."""
    if abs(x) <= 1e5 or name not in ("exp", "sinh", "cosh"):
        return None
    if name == "exp":
        return math.inf if x > 0 else 0.0
    if name == "sinh":
        return math.copysign(math.inf, x)
    return math.inf


def _enclose(name: str, x: float, bits: int) -> Any:
    iv = mpmath.iv
    old = iv.prec
    iv.prec = bits
    try:
        a = iv.mpf(x)  # exact: a float has 53 bits and bits >= 62
        if name == "exp":
            return iv.exp(a)
        if name == "log":
            return iv.log(a)
        if name in ("sin", "cos", "tan"):
            return getattr(iv, name)(a)
        if name == "sinh":
            return (iv.exp(a) - iv.exp(-a)) / 2
        if name == "cosh":
            return (iv.exp(a) + iv.exp(-a)) / 2
        if name == "acosh":
            return iv.log(a + iv.sqrt(a * a - 1))
        if name == "erf":
            return erf_interval(a, iv)
        return erfc_interval(a, iv)
    finally:
        iv.prec = old


def _to_fraction(x: Any) -> Fraction:
    """The exact value of an mpmath number or interval end, from its raw tuple (``mpmath.mpf(x)`` would
    round to 53 bits, ``man_exp`` is unsigned); an infinite end is a ``ValueError``."""
    raw = x._mpi_[0] if hasattr(x, "_mpi_") else x._mpf_ if hasattr(x, "_mpf_") else mpmath.mpf(x)._mpf_
    sign, man, exp, _ = raw
    if not man and exp:
        raise ValueError("an infinite or NaN interval end")
    return (-1) ** int(sign) * Fraction(int(man)) * Fraction(2) ** int(exp)


def elementary(name: str, x: float, fmt: Format) -> tuple[float, str]:
    """The correctly rounded value of an elementary function and how it was determined."""
    special = _special(name, x)
    if special is not None:
        return special, "an exact IEEE special case"
    huge = _huge(name, x)
    if huge is not None:
        return huge, "overflow/underflow: the argument is beyond 1e5"
    bits = 2 * fmt.p + 40
    while bits <= MAX_BITS:
        try:
            box = _enclose(name, x, bits)
        except (ValueError, ZeroDivisionError, ArithmeticError):
            box = None
        if box is not None and mpmath.isfinite(box.a) and mpmath.isfinite(box.b):
            lo, hi = round_fraction(_to_fraction(box.a), fmt), round_fraction(_to_fraction(box.b), fmt)
            if lo == hi and math.copysign(1, lo) == math.copysign(1, hi):
                return lo, f"correctly rounded: mpmath interval enclosure at {bits} bits, both ends agree"
        bits *= 2
    raise Undecided(f"{name}({x!r}) could not be rounded correctly within {MAX_BITS} bits")


def general_power(x: float, y: float, fmt: Format) -> tuple[float, str]:
    """x ** y for a non-whole y: exp(y log x) correctly rounded (x > 0), IEEE special cases otherwise."""
    if math.isnan(x) or math.isnan(y):
        return math.nan, "an exact IEEE special case"
    if math.isinf(y):
        raise Undecided("a power with an infinite exponent is not supported")
    if x < 0:
        return math.nan, "a negative base with a non-whole exponent is NaN"
    if x == 0:
        return (0.0 if y > 0 else math.inf), "an exact IEEE special case"
    if math.isinf(x):
        return (math.inf if y > 0 else 0.0), "an exact IEEE special case"
    if y == 0.5:
        return sqrt(x, fmt), "x ** 0.5 as the correctly rounded square root"
    bits = 2 * fmt.p + 40
    while bits <= MAX_BITS:
        iv = mpmath.iv
        old = iv.prec
        iv.prec = bits
        try:
            box = iv.exp(iv.mpf(y) * iv.log(iv.mpf(x)))
        finally:
            iv.prec = old
        if mpmath.isfinite(box.a) and mpmath.isfinite(box.b):
            lo, hi = round_fraction(_to_fraction(box.a), fmt), round_fraction(_to_fraction(box.b), fmt)
            if lo == hi:
                return lo, f"correctly rounded: mpmath interval enclosure at {bits} bits"
        bits *= 2
    raise Undecided(f"{x!r} ** {y!r} could not be rounded correctly within {MAX_BITS} bits")


# the numpy evaluation ---------------------------------------------------------------------------------
_NUMPY_UNARY = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan, "sinh": np.sinh,
                "cosh": np.cosh, "acosh": np.arccosh, "sqrt": np.sqrt, "abs": np.abs, "neg": np.negative,
                "floor": np.floor, "ceiling": np.ceil}
_NUMPY_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "pow": np.power,
                 "min": np.minimum, "max": np.maximum}


def numpy_op(name: str, args: list[float], fmt: Format) -> float | None:
    """The operation as numpy computes it on scalars of the format (None: numpy has no such function)."""
    dtype = fmt.dtype()
    values = [dtype(a) for a in args]
    with np.errstate(all="ignore"):
        if name in _NUMPY_UNARY:
            out = _NUMPY_UNARY[name](values[0])
        elif name == "pow_int":
            out = values[0] ** int(args[1])
        elif name in _NUMPY_BINARY:
            out = values[0]
            for v in values[1:]:
                out = _NUMPY_BINARY[name](out, v)
        else:
            return None
    return float(out)


# the expression walker -----------------------------------------------------------------------------------
@dataclass
class Step:
    """One operation: its arguments and result in the format, as the reference and as numpy computed it."""

    op: str
    args: list[float]
    result: float
    computed_by: str
    numpy: float | None

    def agrees(self) -> bool | None:
        """Whether numpy's result is the reference result (NaN equals NaN; zeros compare by sign too)."""
        if self.numpy is None:
            return None
        a, b = self.result, self.numpy
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)


@dataclass
class Evaluation:
    """The reference and numpy results of an expression with every step."""

    fmt: Format
    result: float = math.nan
    numpy: float | None = None
    steps: list[Step] = field(default_factory=list)


BASIC = "exact rational arithmetic, one IEEE rounding (nearest, ties to even)"
_FUNCTIONS = {"sqrt", "abs", "Abs", "min", "max", "Min", "Max", "floor", "ceiling", "ln", *ELEMENTARY}


def evaluate(tree: ast.Expression, fmt: Format, source: str, max_exponent: int = 10_000) -> Evaluation:
    """Evaluate a parsed expression in ``fmt``; ``NotAllowed`` for nodes outside the language."""
    ev = Evaluation(fmt)
    pair = _Walker(fmt, source, ev, max_exponent).walk(tree.body)
    ev.result, ev.numpy = pair
    return ev


class _Walker:
    def __init__(self, fmt: Format, source: str, ev: Evaluation, max_exponent: int) -> None:
        self.fmt, self.source, self.ev, self.max_exponent = fmt, source, ev, max_exponent

    def record(self, op: str, args: list[tuple[float, float | None]], result: float, how: str,
               numpy_args: list[float] | None = None) -> tuple[float, float | None]:
        if len(self.ev.steps) >= MAX_OPERATIONS:
            raise NotAllowed(f"more than {MAX_OPERATIONS} operations")
        np_in = numpy_args if numpy_args is not None else [b for _, b in args]
        np_out = None if any(v is None for v in np_in) else numpy_op(op, np_in, self.fmt)
        self.ev.steps.append(Step(op, [a for a, _ in args], result, how, np_out))
        return result, np_out

    def walk(self, node: ast.AST) -> tuple[float, float | None]:
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            if node.id == "pi":
                return self.constant("pi", mpmath.iv.pi)
            if node.id == "E":
                return self.constant("E", mpmath.iv.e)
            raise NotAllowed(f"unknown name '{node.id}' (only numbers, pi and E)")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            x = self.walk(node.operand)
            if isinstance(node.op, ast.UAdd):
                return x
            return self.record("neg", [x], -x[0], "exact (sign flip)")
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return self.call(node.func.id, node.args)
        raise NotAllowed(f"'{type(node).__name__}' is not allowed with arithmetic (numbers, + - * / **, "
                         "and the functions " + ", ".join(sorted(_FUNCTIONS)) + ")")

    def literal(self, node: ast.Constant) -> tuple[float, float | None]:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NotAllowed(f"constant {value!r} is not a number")
        text = (ast.get_source_segment(self.source, node) or repr(value)).replace("_", "")
        if "e" in text.lower():
            exponent = int(text.lower().split("e")[1])
            if abs(exponent) > self.max_exponent:
                raise NotAllowed(f"literal exponent {exponent} is above the cap {self.max_exponent}")
        exact = Fraction(decimal.Decimal(text)) if not isinstance(value, int) else Fraction(value)
        x = round_fraction(exact, self.fmt)
        self.ev.steps.append(Step("literal", [], x, f"the decimal {text} rounded once to {self.fmt.name}", x))
        return x, x

    def constant(self, name: str, make: Any) -> tuple[float, float | None]:
        bits = 2 * self.fmt.p + 40
        while True:
            old = mpmath.iv.prec
            mpmath.iv.prec = bits
            try:
                box = +make
            finally:
                mpmath.iv.prec = old
            lo = round_fraction(_to_fraction(box.a), self.fmt)
            if lo == round_fraction(_to_fraction(box.b), self.fmt):
                self.ev.steps.append(Step(name, [], lo, "correctly rounded constant", lo))
                return lo, lo
            bits *= 2

    def binop(self, node: ast.BinOp) -> tuple[float, float | None]:
        if isinstance(node.op, ast.Pow):
            whole = _whole_literal(node.right)
            x = self.walk(node.left)
            if whole is not None:
                if abs(whole) > self.max_exponent:
                    raise NotAllowed(f"exponent {whole} is above the cap {self.max_exponent}")
                result = power(x[0], whole, self.fmt)
                np_args = None if x[1] is None else [x[1], float(whole)]
                return self.record("pow_int", [x, (float(whole), float(whole))], result,
                                   "exact rational power, one rounding (IEEE pown)", np_args)
            y = self.walk(node.right)
            if _is_int(y[0]):
                if abs(y[0]) > self.max_exponent:
                    raise NotAllowed(f"exponent {y[0]} is above the cap {self.max_exponent}")
                return self.record("pow", [x, y], power(x[0], int(y[0]), self.fmt), BASIC)
            result, how = general_power(x[0], y[0], self.fmt)
            return self.record("pow", [x, y], result, how)
        ops = {ast.Add: ("add", add), ast.Sub: ("sub", sub), ast.Mult: ("mul", mul), ast.Div: ("div", div)}
        if type(node.op) not in ops:
            hint = ": write '**' for a power" if isinstance(node.op, ast.BitXor) else ""
            raise NotAllowed(f"operator '{type(node.op).__name__}' is not allowed{hint}")
        name, fn = ops[type(node.op)]
        x, y = self.walk(node.left), self.walk(node.right)
        return self.record(name, [x, y], fn(x[0], y[0], self.fmt), BASIC)

    def call(self, name: str, nodes: list[ast.expr]) -> tuple[float, float | None]:
        if name not in _FUNCTIONS:
            raise NotAllowed(f"function '{name}' is not supported with arithmetic (supported: "
                             + ", ".join(sorted(_FUNCTIONS)) + ")")
        args = [self.walk(n) for n in nodes]
        name = {"Abs": "abs", "Min": "min", "Max": "max", "ln": "log"}.get(name, name)
        if name in ("min", "max"):
            if len(args) < 2:
                raise NotAllowed(f"'{name}' needs at least two arguments")
            return self.record(name, args, _minmax(name, [a for a, _ in args]), "exact (a comparison)")
        if len(args) != 1:
            raise NotAllowed(f"'{name}' takes one argument")
        x = args[0]
        if name == "sqrt":
            return self.record("sqrt", [x], sqrt(x[0], self.fmt), "exact integer square root, one rounding")
        if name == "abs":
            return self.record("abs", [x], abs(x[0]), "exact")
        if name in ("floor", "ceiling"):
            v = x[0]
            out = v if not math.isfinite(v) else float(math.floor(v) if name == "floor" else math.ceil(v))
            out = math.copysign(out, v) if out == 0 else out
            return self.record(name, [x], out, "exact")
        result, how = elementary(name, x[0], self.fmt)
        return self.record(name, [x], result, how)


def _minmax(name: str, values: list[float]) -> float:
    if any(math.isnan(v) for v in values):
        return math.nan  # NaN-propagating, like numpy's minimum and maximum
    return min(values) if name == "min" else max(values)


def _whole_literal(node: ast.AST) -> int | None:
    """An integer literal exponent (``2``, ``-3``), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _whole_literal(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return None


def describe(x: float, fmt: Format) -> str:
    """A float of the format as text: its shortest decimal that reads back to it in the format."""
    if math.isnan(x) or math.isinf(x) or fmt.name == "float64":
        return repr(x)
    return str(fmt.dtype()(x))
