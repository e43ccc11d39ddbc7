"""A vector expression language over named points, their gradients and function values.

Points are named (``points = ["x", "y", "xs"]``); the name ``xs`` is reserved for a global minimizer:
``grad(xs) = 0`` and ``f(xs) = f*`` (the symbol ``f(xs)``), with ``f(p) >= f(xs)`` for every point.
Atoms are ``f(p)`` (a scalar), ``grad(p)`` (a vector), the points themselves (vectors) and scalar
parameters. Vectors are linear combinations with scalar coefficients; ``inner(u, v)``, ``sqnorm(u)`` and
``norm(u)`` turn them into scalars.

Every scalar expression is expanded bilinearly into *Gram entries* (inner products of the basic vectors:
the points and the gradients at points other than ``xs``) and function values, which are sympy symbols
(named ``<x,grad(x)>`` and ``f(x)``). Since the Gram matrix of vectors in a space of dimension at least
the number of basic vectors ranges over all positive semidefinite matrices (a set with non-empty
interior), an identity holds for all vectors exactly when the difference is zero as a function of
independent Gram symbols; a nonzero difference is exhibited by explicit rational vectors.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from core.caps import DEFAULT_CAPS, Caps
from core.errors import FieldError
from core.expr import CONSTANTS, FUNCTIONS, NAME_RE, parse_expr

MINIMIZER = "xs"  # the point name that denotes a global minimizer
MAX_POINTS = 12  # at most this many named points (the Gram matrix has (2n)^2 entries)
VECTOR_FUNCTIONS = ("f", "grad", "inner", "sqnorm", "norm")


class VectorTypeError(Exception):
    """A vector used where a scalar is needed (or the converse); turned into a FieldError by the parser."""


class Vec:
    """A linear combination of basic vectors: ``{label: sympy coefficient}`` (labels ``x``, ``grad(x)``)."""

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[str, Any]) -> None:
        self.terms = {k: v for k, v in terms.items() if v != 0}

    def __add__(self, other: Any) -> Vec:
        if not isinstance(other, Vec):
            raise VectorTypeError(f"cannot add the vector {self} and the scalar {other}")
        out = dict(self.terms)
        for k, v in other.terms.items():
            out[k] = out.get(k, 0) + v
        return Vec(out)

    def __radd__(self, other: Any) -> Vec:
        if isinstance(other, int) and other == 0:
            return self
        raise VectorTypeError(f"cannot add the scalar {other} and the vector {self}")

    def __neg__(self) -> Vec:
        return Vec({k: -v for k, v in self.terms.items()})

    def __pos__(self) -> Vec:
        return self

    def __sub__(self, other: Any) -> Vec:
        if not isinstance(other, Vec):
            raise VectorTypeError(f"cannot subtract the scalar {other} from the vector {self}")
        return self + (-other)

    def __rsub__(self, other: Any) -> Vec:
        raise VectorTypeError(f"cannot subtract the vector {self} from the scalar {other}")

    def __mul__(self, other: Any) -> Vec:
        if isinstance(other, Vec):
            raise VectorTypeError("the product of two vectors is not defined: write inner(u, v)")
        return Vec({k: v * other for k, v in self.terms.items()})

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Vec:
        if isinstance(other, Vec):
            raise VectorTypeError("cannot divide by a vector")
        return Vec({k: v / other for k, v in self.terms.items()})

    def __rtruediv__(self, other: Any) -> Vec:
        raise VectorTypeError("cannot divide by a vector")

    def __pow__(self, other: Any) -> Vec:
        raise VectorTypeError("a vector has no powers: write sqnorm(u) for ||u||^2")

    def __rpow__(self, other: Any) -> Vec:
        raise VectorTypeError("a vector cannot be an exponent")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vec) and self.terms == other.terms

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, str(v)) for k, v in self.terms.items())))

    def __repr__(self) -> str:
        if not self.terms:
            return "0"
        return " + ".join(f"({v})*{k}" for k, v in self.terms.items())


@dataclass
class GramWitness:
    """Explicit rational vectors, gradients and function values (and parameters) where a scalar is nonzero."""

    dimension: int
    points: dict[str, list[sp.Rational]]
    gradients: dict[str, list[sp.Rational]]
    values: dict[str, sp.Rational]
    params: dict[Any, sp.Rational]
    value: Any

    def describe(self) -> dict[str, Any]:
        """JSON-ready form."""
        vec = lambda v: [str(c) for c in v]  # noqa: E731
        return {"dimension": self.dimension,
                "points": {k: vec(v) for k, v in self.points.items()},
                "gradients": {k: vec(v) for k, v in self.gradients.items()},
                "function_values": {k: str(v) for k, v in self.values.items()},
                "parameters": {str(k): str(v)
                               for k, v in sorted(self.params.items(), key=lambda t: str(t[0]))}}


class VectorSpace:
    """The basic vectors, Gram symbols and function-value symbols for a list of named points."""

    def __init__(self, points: Iterable[str], field: str = "points") -> None:
        names = list(points)
        if not names:
            raise FieldError(field, "needs at least one point name")
        if len(names) > MAX_POINTS:
            raise FieldError(field, f"at most {MAX_POINTS} points")
        for name in names:
            if not isinstance(name, str) or not NAME_RE.match(name):
                raise FieldError(field, f"point name {name!r} must match [A-Za-z][A-Za-z0-9_]*")
            if name in FUNCTIONS or name in CONSTANTS or name in VECTOR_FUNCTIONS:
                raise FieldError(field, f"point name '{name}' is a reserved function or constant name")
        if len(set(names)) != len(names):
            raise FieldError(field, "point names must be distinct")
        self.points = names
        self.basis = names + [f"grad({p})" for p in names if p != MINIMIZER]
        self._gram: dict[tuple[str, str], sp.Symbol] = {}
        self.fvalues = {p: sp.Symbol(f"f({p})", real=True) for p in names}

    @property
    def minimizer(self) -> str | None:
        """The global minimizer's name, if one of the points."""
        return MINIMIZER if MINIMIZER in self.points else None

    def gram(self, a: str, b: str) -> sp.Symbol:
        """The symbol for the inner product of basic vectors ``a`` and ``b`` (symmetric)."""
        i, j = sorted((self.basis.index(a), self.basis.index(b)))
        key = (self.basis[i], self.basis[j])
        if key not in self._gram:
            self._gram[key] = sp.Symbol(f"<{key[0]},{key[1]}>", real=True)
        return self._gram[key]

    def gram_symbols(self) -> dict[tuple[str, str], sp.Symbol]:
        """Every Gram symbol created so far."""
        return dict(self._gram)

    # the functions of the language -------------------------------------------------------------
    def _point_name(self, arg: Any, fn: str) -> str:
        if isinstance(arg, Vec) and len(arg.terms) == 1:
            (label, coeff), = arg.terms.items()
            if coeff == 1 and label in self.points:
                return label
        raise VectorTypeError(f"{fn}(...) takes a point name such as {fn}({self.points[0]}), got {arg}")

    def f(self, arg: Any) -> Any:
        return self.fvalues[self._point_name(arg, "f")]

    def grad(self, arg: Any) -> Vec:
        name = self._point_name(arg, "grad")
        return Vec({}) if name == MINIMIZER else Vec({f"grad({name})": 1})

    def inner(self, u: Any, v: Any) -> Any:
        if not isinstance(u, Vec) or not isinstance(v, Vec):
            raise VectorTypeError("inner(u, v) takes two vectors")
        total = sp.Integer(0)
        for a, ca in u.terms.items():
            for b, cb in v.terms.items():
                total += ca * cb * self.gram(a, b)
        return total

    def sqnorm(self, u: Any) -> Any:
        if not isinstance(u, Vec):
            raise VectorTypeError("sqnorm(u) takes a vector")
        return self.inner(u, u)

    def norm(self, u: Any) -> Any:
        return sp.sqrt(self.sqnorm(u))

    def functions(self) -> dict[str, Callable[..., Any]]:
        """The function table for :func:`core.expr.parse_expr`: scalar functions refuse vectors."""
        table: dict[str, Callable[..., Any]] = {}
        for name, fn in FUNCTIONS.items():
            table[name] = _scalar_only(name, fn)
        table.update(f=self.f, grad=self.grad, inner=self.inner, sqnorm=self.sqnorm, norm=self.norm)
        return table

    def vectors(self) -> dict[str, Vec]:
        """The point names as vectors."""
        return {p: Vec({p: 1}) for p in self.points}

    # parsing ----------------------------------------------------------------------------------
    def parse(self, text: Any, *, field: str, symbols: dict[str, Any] | None = None,
              caps: Caps = DEFAULT_CAPS, allow_new: bool = True) -> Any:
        """Parse a scalar expression of the language into sympy over Gram and function-value symbols.

        ``symbols`` (the claim's parameters) is extended with new real symbols; point names are added
        only for the duration of the parse and may not be parameter names.
        """
        table = symbols if symbols is not None else {}
        clash = [p for p in self.points if p in table]
        if clash:
            raise FieldError(field, f"'{clash[0]}' is both a point and a parameter")
        table.update(self.vectors())
        try:
            value = parse_expr(text, field=field, symbols=table, allow_new=allow_new,
                               functions=self.functions(), caps=caps)
        except VectorTypeError as exc:
            raise FieldError(field, f"{exc} in '{text}'") from None
        finally:
            for p in self.points:
                table.pop(p, None)
        if isinstance(value, Vec):
            raise FieldError(field, f"'{text}' is a vector; a scalar is needed (use inner or sqnorm)")
        return value

    # witnesses --------------------------------------------------------------------------------
    def realize(self, rng: random.Random, dim: int,
                scale: int = 5) -> tuple[dict[sp.Symbol, Any], GramWitness]:
        """Random distinct integer points, gradients and function values in R^dim (f(p) > f(xs) = 0 or
        -1); returns the substitution for every Gram and function-value symbol and the witness record."""
        def draw() -> list[sp.Rational]:
            return [sp.Integer(rng.randint(-scale, scale)) for _ in range(dim)]

        while True:
            pts = {p: draw() for p in self.points}
            if len({tuple(v) for v in pts.values()}) == len(pts):
                break
        grads = {p: ([sp.Integer(0)] * dim if p == MINIMIZER else draw()) for p in self.points}
        fstar = sp.Integer(rng.randint(-3, 3))
        vals = {p: (fstar if p == MINIMIZER else fstar + (1 if self.minimizer else 0)
                    + sp.Rational(rng.randint(0, 20), rng.randint(1, 4))) for p in self.points}
        vec_of = dict(pts)
        vec_of.update({f"grad({p})": grads[p] for p in self.points if p != MINIMIZER})
        subs: dict[sp.Symbol, Any] = {}
        for a in self.basis:
            for b in self.basis:
                subs[self.gram(a, b)] = sum((x * y for x, y in zip(vec_of[a], vec_of[b], strict=True)),
                                            sp.Integer(0))
        for p, s in self.fvalues.items():
            subs[s] = vals[p]
        witness = GramWitness(dim, pts, {p: g for p, g in grads.items() if p != MINIMIZER}, vals, {}, None)
        return subs, witness


def _scalar_only(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if any(isinstance(a, Vec) for a in args):
            raise VectorTypeError(f"{name}(...) takes scalars, not vectors")
        return fn(*args)

    return call


def expand_to_gram(text: str, points: Iterable[str], params: dict[str, Any] | None = None, *,
                   field: str = "expr", caps: Caps = DEFAULT_CAPS) -> tuple[Any, VectorSpace]:
    """The scalar ``text`` expanded into Gram entries and function values, with its vector space.

    ``params`` maps parameter names to sympy symbols (extended with new real symbols as they appear).
    The result is ``sympy.expand``-ed when it is a polynomial in the Gram symbols.
    """
    space = points if isinstance(points, VectorSpace) else VectorSpace(points)
    expr = space.parse(text, field=field, symbols=params if params is not None else {}, caps=caps)
    return sp.expand(expr), space


def find_gram_witness(diff: Any, space: VectorSpace, param_points: Iterable[dict[Any, sp.Rational]],
                      seed: int, bad: Callable[[int], bool] = lambda s: s != 0,
                      dims: tuple[int, ...] = (2, 3), tries: int = 40) -> GramWitness | None:
    """Explicit rational vectors (and a parameter point) where ``bad(sign(diff))`` holds, decided exactly
    (rational) or by a rigorous enclosure; None when no candidate is found."""
    from numeric.interval import sign_of

    rng = random.Random(seed)
    dims = tuple(d for d in dims if d >= 1) + (len(space.basis),)
    param_list = list(param_points) or [{}]
    for dim in dims:
        for i in range(tries):
            subs, witness = space.realize(rng, dim)
            params = param_list[i % len(param_list)]
            value = sp.sympify(diff).xreplace(subs).xreplace(params)
            if value.free_symbols:
                continue
            try:
                sign = sign_of(value)
            except (TypeError, ValueError, ZeroDivisionError):
                sign = None
            if sign is not None and bad(sign):
                witness.params = dict(params)
                witness.value = value if isinstance(value, sp.Rational) else sp.N(value, 50)
                return witness
    return None
