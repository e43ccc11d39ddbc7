"""A generated mutation corpus for every claim kind, each mutant carrying a ground truth computed here.

Every mutant starts from a TRUE TIGHT claim whose exact value is known from the literature or from an
exact computation in this module (Fractions and the small Q(sqrt d) class :class:`Surd` below, written
independently of ``symbolic.qfield`` on purpose: an oracle must not share code with what it judges).
Mutations multiply the tight constant (a bound, a right-hand side, a coefficient) by (1 + s 10^-k),
written exactly in the claim (``"(99/101)*(1 + 10**-20)"``, never a float), for k in :data:`EXPONENTS`
and s = +-1, under every relation the kind supports; some bases also perturb a parameter (a step, alpha,
m or L) and the truth is recomputed exactly. The suite's own output is never consulted.

``corpus()`` returns every mutant; ``write_claims`` writes tables as TOML (``tests.conftest.toml_claim``);
``run_mutants`` loads them with the real loader and checks them through ``verify.dispatch``. Used by
``tests/test_mutations.py`` (a fixed-seed subset) and ``benchmarks/soundness.py`` (all of them).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from tests.conftest import toml_claim

F = Fraction
EXPONENTS = (1, 2, 5, 10, 15, 20, 25, 30)  # relative margins 10^-k
SIGNS = (1, -1)
REL_NAMES = {"<=": "le", "<": "lt", "==": "eq", ">=": "ge", ">": "gt", "approx": "approx"}
PEP_KINDS = ("rate", "class-inequality")  # one SDP solve per mutant: the expensive kinds


# --- the exact oracle -------------------------------------------------------------------------------------
def _square_root(q: Fraction) -> Fraction | None:
    """The rational square root of q >= 0, or None when q is not a square."""
    n, d = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return F(n, d) if n * n == q.numerator and d * d == q.denominator else None


@dataclass(frozen=True)
class Surd:
    """a + b sqrt(d), a, b rational, d >= 0 rational; exact sign by comparing a^2 with b^2 d."""

    a: Fraction
    b: Fraction = F(0)
    d: Fraction = F(0)

    def __post_init__(self) -> None:
        a, b, d = F(self.a), F(self.b), F(self.d)
        if d < 0:
            raise ValueError("negative radicand")
        root = _square_root(d)
        if root is not None:  # a rational square root folds into a
            a, b, d = a + b * root, F(0), F(0)
        if b == 0:
            d = F(0)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "d", d)

    @staticmethod
    def of(x: Surd | Fraction | int) -> Surd:
        """Coerce a rational to a Surd."""
        return x if isinstance(x, Surd) else Surd(F(x))

    def _radicand(self, other: Surd) -> Fraction:
        if self.b and other.b and self.d != other.d:
            raise ValueError(f"Q(sqrt {self.d}) and Q(sqrt {other.d}) mixed")
        return self.d if self.b else other.d

    def __add__(self, other: Any) -> Surd:
        o = Surd.of(other)
        return Surd(self.a + o.a, self.b + o.b, self._radicand(o))

    __radd__ = __add__

    def __neg__(self) -> Surd:
        return Surd(-self.a, -self.b, self.d)

    def __sub__(self, other: Any) -> Surd:
        return self + (-Surd.of(other))

    def __rsub__(self, other: Any) -> Surd:
        return Surd.of(other) - self

    def __mul__(self, other: Any) -> Surd:
        o = Surd.of(other)
        d = self._radicand(o)
        return Surd(self.a * o.a + self.b * o.b * d, self.a * o.b + self.b * o.a, d)

    __rmul__ = __mul__

    def inverse(self) -> Surd:
        """1 / self (the norm a^2 - b^2 d is nonzero because d is not a square)."""
        norm = self.a * self.a - self.b * self.b * self.d
        if norm == 0:
            raise ZeroDivisionError("Surd 0")
        return Surd(self.a / norm, -self.b / norm, self.d)

    def __truediv__(self, other: Any) -> Surd:
        return self * Surd.of(other).inverse()

    def __rtruediv__(self, other: Any) -> Surd:
        return Surd.of(other) * self.inverse()

    def __pow__(self, n: int) -> Surd:
        out, base = Surd(F(1)), self if n >= 0 else self.inverse()
        for _ in range(abs(n)):
            out = out * base
        return out

    def sign(self) -> int:
        """-1, 0 or 1, exactly."""
        sa, sb = (self.a > 0) - (self.a < 0), (self.b > 0) - (self.b < 0)
        if sb == 0:
            return sa
        if sa in (0, sb):
            return sb
        c = self.a * self.a - self.b * self.b * self.d
        return sa if c > 0 else sb  # c == 0 is impossible: d is not a square

    def __abs__(self) -> Surd:
        return -self if self.sign() < 0 else self

    def __lt__(self, other: Any) -> bool:
        return (self - other).sign() < 0

    def __le__(self, other: Any) -> bool:
        return (self - other).sign() <= 0

    def __gt__(self, other: Any) -> bool:
        return (self - other).sign() > 0

    def __ge__(self, other: Any) -> bool:
        return (self - other).sign() >= 0

    def text(self) -> str:
        """The exact value as claim text, e.g. ``(-1) + (1)*sqrt(10)``."""
        if self.b == 0:
            return f"({self.a})"
        return f"(({self.a}) + ({self.b})*sqrt({self.d}))"

    def __float__(self) -> float:
        return float(self.a) + float(self.b) * math.sqrt(self.d)


def relation_holds(x: Surd | Fraction, relation: str, y: Surd | Fraction) -> bool:
    """Whether ``x relation y`` holds, exactly."""
    s = (Surd.of(x) - Surd.of(y)).sign()
    return {"<=": s <= 0, "<": s < 0, "==": s == 0, ">=": s >= 0, ">": s > 0}[relation]


def factor(s: int, k: int | None) -> Fraction:
    """The exact mutation factor 1 + s 10^-k (1 when k is None: the tight claim)."""
    return F(1) if k is None else 1 + s * F(1, 10**k)


def scaled(text: str, s: int, k: int | None) -> str:
    """``text`` times 1 + s 10^-k, written exactly."""
    if k is None:
        return text
    return f"({text})*(1 {'+' if s > 0 else '-'} 10**-{k})"


def margins() -> Iterable[tuple[int, int | None, str]]:
    """(s, k, label): the tight claim first, then every margin with both signs."""
    yield 1, None, "tight"
    for k in EXPONENTS:
        for s in SIGNS:
            yield s, k, f"{'p' if s > 0 else 'm'}{k}"


def chebyshev_t(n: int, x: Fraction) -> Fraction:
    """T_n(x) by the three-term recurrence, exactly."""
    a, b = F(1), x
    for _ in range(n - 1):
        a, b = b, 2 * x * b - a
    return a if n == 0 else b


# --- mutants ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mutant:
    """A claim table (no ``expect``) with its ground truth and where it comes from."""

    kind: str
    base: str
    mutation: str
    relation: str
    truth: bool
    table: dict[str, Any] = field(hash=False, compare=False)

    @property
    def id(self) -> str:
        """The claim id (unique in the corpus)."""
        return str(self.table["id"])

    @property
    def pep(self) -> bool:
        """True for the kinds that cost an SDP solve."""
        return self.kind in PEP_KINDS


def _mutant(kind: str, base: str, mutation: str, rel: str, truth: bool, source: str, **fields: Any) -> Mutant:
    cid = f"{kind}.{base}.{REL_NAMES[rel]}.{mutation}".lower()
    statement = f"mutant {mutation} of the tight claim {base} (relation {rel}); true: {truth}"
    table = {"id": cid, "statement": statement, "source": source, "kind": kind, **fields}
    return Mutant(kind, base, mutation, rel, truth, table)


# numeric ---------------------------------------------------------------------------------------------------
# (name, expr, value as written, exact value, source): expr equals the written value by hand algebra
NUMERIC_EXACT: list[tuple[str, str, str, Surd, str]] = [
    ("rho-100", "(100 - 1)/(100 + 1)", "99/101", Surd(F(99, 101)), "kappa = 100 contraction, by hand"),
    ("compound", "(1 + 1/10)**10", str(F(11, 10) ** 10), Surd(F(11, 10) ** 10), "binomial expansion"),
    ("big-int", "2**64 - 1", str(2**64 - 1), Surd(F(2**64 - 1)), "integer arithmetic"),
    ("sqrt2", "sqrt(2)", "2/sqrt(2)", Surd(F(0), F(1), F(2)), "2/sqrt 2 = sqrt 2"),
    ("denest", "sqrt(3 + 2*sqrt(2))", "1 + sqrt(2)", Surd(F(1), F(1), F(2)), "(1 + sqrt 2)^2 = 3 + 2 sqrt 2"),
    ("rho-sqrt10", "(sqrt(10) - 1)/(sqrt(10) + 1)", "(11 - 2*sqrt(10))/9", Surd(F(11, 9), F(-2, 9), F(10)),
     "(s - 1)^2/(s^2 - 1) with s = sqrt 10"),
    ("cos-pi12-sq", "cos(pi/12)**2", "(2 + sqrt(3))/4", Surd(F(1, 2), F(1, 4), F(3)),
     "cos^2 t = (1 + cos 2t)/2"),
    ("cheb3-rho", "2*((sqrt(10) - 1)/(sqrt(10) + 1))**3/(1 + ((sqrt(10) - 1)/(sqrt(10) + 1))**6)",
     str(1 / chebyshev_t(3, F(11, 9))), Surd(1 / chebyshev_t(3, F(11, 9))),
     "1/T_3(11/9) = 2 r^3/(1 + r^6), r = (sqrt 10 - 1)/(sqrt 10 + 1) (T_N(cosh t) = cosh Nt)"),
    ("log-ratio", "log(8)/log(2)", "3", Surd(F(3)), "log 8 = 3 log 2"),
]
# (name, expr, exact value, decimals printed) for the printed-precision (approx) relation
NUMERIC_PRINTED: list[tuple[str, str, Surd, list[int]]] = [
    ("rho-100", "(100 - 1)/(100 + 1)", Surd(F(99, 101)), [3, 12, 40]),
    ("sqrt2", "sqrt(2)", Surd(F(0), F(1), F(2)), [3, 16, 30, 45]),
    ("one-plus-sqrt2", "1 + sqrt(2)", Surd(F(1), F(1), F(2)), [5, 25]),
    ("eighth", "1/8", Surd(F(1, 8)), [2]),  # 0.125: a tie at 2 decimals, 0.12 and 0.13 both hold
    ("rho-sqrt10", "(sqrt(10) - 1)/(sqrt(10) + 1)", Surd(F(11, 9), F(-2, 9), F(10)), [4, 20]),
]


def floor_surd(x: Surd) -> int:
    """floor(x), exactly: floor(sqrt t) = isqrt(floor t) gives a start within 3, exact comparisons finish."""
    r = math.isqrt(math.floor(x.b * x.b * x.d))
    guess = math.floor(x.a) + (r if x.b >= 0 else -r - 1) - 3
    while Surd(F(guess + 1)) <= x:
        guess += 1
    return guess


def printed_decimal(n: int, decimals: int) -> str:
    """The integer n / 10^decimals as a printed decimal, e.g. 980, 3 -> '0.980'."""
    sign, n = ("-" if n < 0 else ""), abs(n)
    whole, frac = divmod(n, 10**decimals)
    return f"{sign}{whole}" + (f".{frac:0{decimals}d}" if decimals else "")


def rounds_to(x: Surd, printed: str) -> bool:
    """docs/claims.md's rule for ``approx``: |x - value| <= half a unit in the last printed place."""
    whole, _, frac = printed.lstrip("-").partition(".")
    value = F(int(whole + frac), 10 ** len(frac)) * (-1 if printed.startswith("-") else 1)
    half = F(1, 2 * 10 ** len(frac))
    return Surd.of(value - half) <= x <= Surd.of(value + half)


def numeric_mutants() -> list[Mutant]:
    """Comparisons expr REL value(1 + s eps) for every relation, and printed values at several precisions."""
    out = []
    for name, expr, value, exact, source in NUMERIC_EXACT:
        for s, k, label in margins():
            for rel in ("==", "<", "<=", ">", ">="):
                truth = relation_holds(exact, rel, exact * factor(s, k))
                out.append(_mutant("numeric", name, f"value-{label}", rel, truth, source, expr=expr,
                                   value=scaled(value, s, k), relation=rel))
    for name, expr, exact, decimal_list in NUMERIC_PRINTED:
        for decimals in decimal_list:
            nearest = floor_surd(exact * 10**decimals + F(1, 2))
            for offset in (-1, 0, 1):
                printed = printed_decimal(nearest + offset, decimals)
                for s, k, label in margins():
                    mutated = exact * factor(s, k)
                    truth = rounds_to(mutated, printed)
                    out.append(_mutant("numeric", f"{name}-d{decimals}", f"off{offset + 1}-expr-{label}",
                                       "approx", truth, "exact decimal expansion (integer arithmetic)",
                                       expr=scaled(expr, s, k), value=printed))
    return out


# identity --------------------------------------------------------------------------------------------------
# (name, fields of the tight identity, the field to scale and how): each scaled side is nonzero somewhere in
# the domain (checked by hand), so every scaled mutant is false
IDENTITIES: list[tuple[str, dict[str, Any], list[tuple[str, str | None]], str]] = [
    ("contraction", {"lhs": "1 - alpha*m", "rhs": "(L - m)/(L + m)", "where": {"alpha": "2/(m + L)"},
                     "assume": {"m": "positive", "L": "positive"}, "domain": ["m < L"]},
     [("rhs", None), ("where.alpha", None)], "1 - 2m/(m + L) = (L - m)/(L + m)"),
    ("sqrt-rationalize", {"lhs": "(sqrt(kappa) - 1)/(sqrt(kappa) + 1)",
                          "rhs": "(kappa - 2*sqrt(kappa) + 1)/(kappa - 1)", "assume": {"kappa": "positive"},
                          "domain": ["kappa > 1"]},
     [("rhs", None)], "multiply by (sqrt k - 1)/(sqrt k - 1)"),
    ("chebyshev-cosh", {"lhs": "2*r**3/(1 + r**6)", "rhs": "1/(4*x**3 - 3*x)",
                        "where": {"r": "(sqrt(kappa) - 1)/(sqrt(kappa) + 1)", "x": "(kappa + 1)/(kappa - 1)"},
                        "assume": {"kappa": "positive"}, "domain": ["kappa > 1"]},
     [("rhs", None)], "T_3(cosh t) = cosh 3t with x = (1/r + r)/2"),
    ("denest", {"lhs": "sqrt(3 + 2*sqrt(2))", "rhs": "1 + sqrt(2)"}, [("rhs", None)],
     "(1 + sqrt 2)^2 = 3 + 2 sqrt 2"),
    ("cos-pi12", {"lhs": "cos(pi/12)", "rhs": "(sqrt(6) + sqrt(2))/4"}, [("rhs", None)],
     "cos(pi/4 - pi/6)"),
    ("gd-distance", {"points": ["x", "xs"], "lhs": "sqnorm(x - alpha*grad(x) - xs)",
                     "rhs": "sqnorm(x - xs) - 2*alpha*inner(grad(x), x - xs) + alpha**2*sqnorm(grad(x))"},
     [("rhs", None), ("rhs", "2*alpha")], "bilinear expansion"),
    ("polarization", {"points": ["x", "y"], "lhs": "inner(x, y)", "rhs": "(sqnorm(x + y) - sqnorm(x - y))/4"},
     [("rhs", None), ("rhs", "/4")], "polarization identity"),
]


def _scale_piece(text: str, piece: str | None, s: int, k: int) -> str:
    """Scale the whole ``text`` (piece None) or the first occurrence of ``piece`` in it."""
    if piece is None:
        return scaled(text, s, k)
    if piece.startswith("/"):  # a divisor: /4 -> /((4)*(1 + 10**-k))
        return text.replace(piece, "/(" + scaled(piece[1:], s, k) + ")", 1)
    return text.replace(piece, scaled(piece, s, k), 1)


def identity_mutants() -> list[Mutant]:
    """The tight identity (true) and each scaled piece (false)."""
    out = []
    for name, fields, pieces, source in IDENTITIES:
        out.append(_mutant("identity", name, "tight", "==", True, source, **fields))
        for where, piece in pieces:
            tag = where.replace(".", "-") + ("" if piece is None else "-coef")
            for s, k, label in margins():
                if k is None:
                    continue
                new = {key: (dict(v) if isinstance(v, dict) else v) for key, v in fields.items()}
                if where.startswith("where."):
                    var = where.split(".", 1)[1]
                    new["where"][var] = _scale_piece(new["where"][var], piece, s, k)
                else:
                    new[where] = _scale_piece(new[where], piece, s, k)
                out.append(_mutant("identity", name, f"{tag}-{label}", "==", False, source, **new))
    return out


# inequality ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RatioBase:
    """P / Q over the domain (Q > 0 there) ranges over [inf, sup]; None = unbounded; attained flags."""

    name: str
    p: str
    q: str
    fields: dict[str, Any]
    inf: Surd | None
    inf_attained: bool
    sup: Surd | None
    sup_attained: bool
    source: str


INEQUALITIES = [
    RatioBase("descent", "alpha*(1 - alpha*L/2)", "1/(2*L)",
              {"assume": {"alpha": "positive", "L": "positive"}}, None, False, Surd(F(1)), True,
              "2t(1 - t/2) <= 1 (t = alpha L), equality at t = 1"),
    RatioBase("am-gm-2", "(a + b)/2", "sqrt(a*b)", {"assume": {"a": "positive", "b": "positive"}},
              Surd(F(1)), True, None, False, "AM-GM, equality at a = b"),
    RatioBase("am-gm-3", "(a + b + c)/3", "(a*b*c)**(1/3)",
              {"assume": {"a": "positive", "b": "positive", "c": "positive"}},
              Surd(F(1)), True, None, False, "AM-GM, equality at a = b = c"),
    RatioBase("t-plus-2-over-t", "t + 2/t", "1", {"assume": {"t": "positive"}},
              Surd(F(0), F(2), F(2)), True, None, False, "t + 2/t - 2 sqrt 2 = (t - sqrt 2)^2 / t"),
    RatioBase("quartic", "x**4 - 4*x**2 + 5", "1", {"assume": {"x": "real"}},
              Surd(F(1)), True, None, False, "x^4 - 4x^2 + 4 = (x^2 - 2)^2, zero at x = sqrt 2"),
    RatioBase("contraction", "max(abs(1 - alpha*m), abs(1 - alpha*L))", "(L - m)/(L + m)",
              {"assume": {"alpha": "positive", "m": "positive", "L": "positive"}, "domain": ["m < L"]},
              Surd(F(1)), True, None, False, "optimal constant step 2/(m + L)"),
    RatioBase("two-xy", "2*x*y", "x**2 + y**2", {"assume": {"x": "positive", "y": "positive"}},
              Surd(F(0)), False, Surd(F(1)), True, "(x - y)^2 >= 0"),
    RatioBase("sqrt-sum", "sqrt(x) + sqrt(y)", "sqrt(x + y)", {"assume": {"x": "positive", "y": "positive"}},
              Surd(F(1)), False, Surd(F(0), F(1), F(2)), True,
              "(sqrt x + sqrt y)^2 = x + y + 2 sqrt(xy), at most 2(x + y)"),
]
FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def ratio_truth(base: RatioBase, relation: str, c: Surd) -> bool:
    """Whether P relation c Q holds on the whole domain, from the exact range of P/Q."""
    if relation in ("<", "<="):
        if base.sup is None:
            return False
        return relation_holds(base.sup, relation, c) or (relation == "<" and base.sup == c
                                                          and not base.sup_attained)
    if base.inf is None:
        return False
    return relation_holds(base.inf, relation, c) or (relation == ">" and base.inf == c
                                                      and not base.inf_attained)


def inequality_mutants() -> list[Mutant]:
    """P REL c Q and c Q FLIP(REL) P for c = (inf or sup)(1 + s eps), every relation; plus an alpha shift."""
    out = []
    for base in INEQUALITIES:
        for side, c0 in (("sup", base.sup), ("inf", base.inf)):
            if c0 is None or c0.sign() == 0:
                continue
            for s, k, label in margins():
                c = c0 * factor(s, k)
                c_text = scaled(c0.text(), s, k)
                for rel in ("<", "<=", ">", ">="):
                    truth = ratio_truth(base, rel, c)
                    rhs = f"{c_text}*({base.q})"
                    out.append(_mutant("inequality", base.name, f"{side}-{label}", rel, truth, base.source,
                                       lhs=base.p, relation=rel, rhs=rhs, **base.fields))
                    out.append(_mutant("inequality", base.name, f"{side}-{label}-flip", FLIP[rel], truth,
                                       base.source, lhs=rhs, relation=FLIP[rel], rhs=base.p, **base.fields))
    # the descent inequality at the fixed step alpha = (1 + delta)/L: lhs/rhs = 1 - delta^2 exactly
    for s, k, label in margins():
        delta = factor(s, k) - 1
        for rel in ("<", "<=", ">", ">="):
            truth = relation_holds(1 - delta * delta, rel, F(1))
            out.append(_mutant("inequality", "descent-at-step", f"alpha-{label}", rel, truth,
                               "alpha (1 - alpha L/2) = (1 - delta^2)/(2L) at alpha = (1 + delta)/L",
                               lhs="alpha*(1 - alpha*L/2)", relation=rel, rhs="1/(2*L)",
                               where={"alpha": scaled("1/L", s, k)}, assume={"L": "positive"}))
    return out


# quadratic -------------------------------------------------------------------------------------------------
def constant_worst(m: Surd, L: Surd, alpha: Surd, n: int, power: int) -> Surd:
    """max over [m, L] of |1 - alpha lambda|^(n power): |1 - alpha lambda| is convex, so at an end."""
    a, b = abs(1 - alpha * m), abs(1 - alpha * L)
    return (a if a >= b else b) ** (n * power)


def list_worst(m: Fraction, L: Fraction, steps: list[Fraction], power: int) -> Surd:
    """max over [m, L] of |p|^power, p = prod (1 - h lambda) of degree <= 3: the ends and the roots of p'."""
    coeffs = [F(1)]  # p's coefficients, constant term first
    for h in steps:
        coeffs = [c - h * (coeffs[i - 1] if i else 0) for i, c in enumerate(coeffs + [F(0)])]
    deriv = [i * c for i, c in enumerate(coeffs)][1:]
    while deriv and deriv[-1] == 0:
        deriv.pop()
    candidates = [Surd(m), Surd(L)]
    if len(deriv) == 2:
        candidates.append(Surd(-deriv[0] / deriv[1]))
    elif len(deriv) == 3:
        c0, c1, c2 = deriv
        disc = c1 * c1 - 4 * c2 * c0
        if disc >= 0:
            candidates += [Surd(-c1 / (2 * c2), sgn / (2 * c2), disc) for sgn in (1, -1)]
    elif len(deriv) > 3:
        raise ValueError("at most 3 steps")

    def p(lam: Surd) -> Surd:
        return sum((c * lam**i for i, c in enumerate(coeffs)), Surd(F(0)))

    inside = [c for c in candidates if Surd(m) <= c <= Surd(L)]
    values = [abs(p(c)) ** power for c in inside]
    best = values[0]
    for v in values[1:]:
        if v > best:
            best = v
    return best


METRIC_POWER = {"distance-ratio": 1, "gradient-ratio": 1, "function-gap-ratio": 2}
# constant-step bases: (name, m, L, alpha as (text, Surd), N, metric); alpha = 2/L is the edge case of the
# reported false certificate (worst case exactly 1)
CONSTANT_BASES = [
    ("c-1-10-opt", F(1), F(10), ("2/11", Surd(F(2, 11))), 1, "distance-ratio"),
    ("c-1-100-opt-n5", F(1), F(100), ("2/101", Surd(F(2, 101))), 5, "distance-ratio"),
    ("c-1-10-edge", F(1), F(10), ("1/5", Surd(F(1, 5))), 1, "distance-ratio"),
    ("c-1-10-edge-n3", F(1), F(10), ("1/5", Surd(F(1, 5))), 3, "gradient-ratio"),
    ("c-1-10-isqrt", F(1), F(10), ("1/sqrt(10)", Surd(F(0), F(1, 10), F(10))), 1, "distance-ratio"),
    ("c-1-10-isqrt-n2", F(1), F(10), ("1/sqrt(10)", Surd(F(0), F(1, 10), F(10))), 2, "function-gap-ratio"),
    ("c-half-2-opt-fgap", F(1, 2), F(2), ("4/5", Surd(F(4, 5))), 2, "function-gap-ratio"),
    ("c-0-1-unit", F(0), F(1), ("1", Surd(F(1))), 3, "distance-ratio"),
    ("c-1-10-short", F(1), F(10), ("1/20", Surd(F(1, 20))), 4, "distance-ratio"),
]


def _quadratic_fields(m: Any, L: Any, metric: str, bound: str, rel: str, **schedule: Any) -> dict[str, Any]:
    return {"m": str(m), "L": str(L), **schedule, "metric": metric, "bound": bound, "relation": rel}


def quadratic_mutants(seed: int = 20261124, random_lists: int = 12) -> list[Mutant]:
    """Constant steps (bound, alpha, m and L perturbed), Chebyshev (two ways to write the bound), explicit
    2- and 3-step lists with exact (possibly irrational) worst cases."""
    out = []
    rels = ("<=", "<", "==")

    def bound_mutants(name: str, worst: Surd, bound_text: str, source: str, m: Any, L: Any, metric: str,
                      **schedule: Any) -> None:
        for s, k, label in margins():
            for rel in rels:
                truth = relation_holds(worst, rel, worst * factor(s, k))
                out.append(_mutant("quadratic", name, f"bound-{label}", rel, truth, source,
                                   **_quadratic_fields(m, L, metric, scaled(bound_text, s, k), rel,
                                                       **schedule)))

    for name, m, L, (alpha_text, alpha), n, metric in CONSTANT_BASES:
        power = METRIC_POWER[metric]
        worst = constant_worst(Surd(m), Surd(L), alpha, n, power)
        source = "max(|1 - alpha m|, |1 - alpha L|)^N (convexity), exact"
        bound_mutants(name, worst, worst.text(), source, m=m, L=L, metric=metric, schedule="constant",
                      alpha=alpha_text, N=n)
        for s, k, label in margins():
            if k is None:
                continue
            f = factor(s, k)
            shifted = {"alpha": (constant_worst(Surd(m), Surd(L), alpha * f, n, power), str(m), str(L),
                                 scaled(alpha_text, s, k)),
                       "L": (constant_worst(Surd(m), Surd(L * f), alpha, n, power), str(m),
                             scaled(str(L), s, k), alpha_text)}
            if m > 0:
                shifted["m"] = (constant_worst(Surd(m * f), Surd(L), alpha, n, power), scaled(str(m), s, k),
                                str(L), alpha_text)
            for what, (new_worst, m_text, L_text, a_text) in shifted.items():
                for rel in rels:
                    truth = relation_holds(new_worst, rel, worst)
                    out.append(_mutant("quadratic", name, f"{what}-{label}", rel, truth, source,
                                       **_quadratic_fields(m_text, L_text, metric, worst.text(), rel,
                                                           schedule="constant", alpha=a_text, N=n)))
    # Chebyshev: 1/T_N((L+m)/(L-m)), also written 2 r^N/(1 + r^(2N)) with r = (sqrt k - 1)/(sqrt k + 1)
    for m, L, n, metric in ((1, 10, 1, "distance-ratio"), (1, 10, 2, "distance-ratio"),
                            (1, 10, 3, "gradient-ratio"), (1, 10, 5, "distance-ratio"),
                            (1, 100, 4, "function-gap-ratio")):
        power = METRIC_POWER[metric]
        worst = Surd(1 / chebyshev_t(n, F(L + m, L - m))) ** power
        r = f"((sqrt({F(L, m)}) - 1)/(sqrt({F(L, m)}) + 1))"
        rho_form = f"(2*{r}**{n}/(1 + {r}**{2 * n}))**{power}"
        source = "Chebyshev: 1/T_N((L + m)/(L - m)); T_N(cosh t) = cosh Nt for the r form"
        for form, text in (("frac", worst.text()), ("rho", rho_form)):
            bound_mutants(f"cheb-{m}-{L}-n{n}-{form}", worst, text, source, m=m, L=L, metric=metric,
                          schedule="chebyshev", N=n)
    # the N = 2 Chebyshev steps written out: 1/((L+m)/2 +- (L-m)/(2 sqrt 2)), worst 1/T_2(11/9) = 81/161
    cheb2 = ["1/(11/2 + 9/(2*sqrt(2)))", "1/(11/2 - 9/(2*sqrt(2)))"]
    bound_mutants("steps-cheb2-1-10", Surd(1 / chebyshev_t(2, F(11, 9))), str(1 / chebyshev_t(2, F(11, 9))),
                  "Chebyshev roots written out, worst 1/T_2(11/9)", m=1, L=10, metric="distance-ratio",
                  steps=cheb2)
    # explicit rational step lists: two fixed, the rest drawn with a fixed seed
    rng = random.Random(seed)
    lists = [(F(1), F(10), [F(1, 10), F(1, 5)], "distance-ratio"),
             (F(1), F(10), [F(1, 10), F(1, 1)], "distance-ratio"),
             (F(1), F(10), [F(1, 2), F(1, 9), F(1, 5)], "distance-ratio")]
    for _ in range(random_lists):
        m = F(rng.randint(1, 4), rng.randint(1, 3))
        L = m + F(rng.randint(1, 40), rng.randint(1, 4))
        steps = [F(rng.randint(1, 30), rng.randint(1, 12)) / L for _ in range(rng.choice((2, 3)))]
        lists.append((m, L, steps, rng.choice(sorted(METRIC_POWER))))
    for i, (m, L, steps, metric) in enumerate(lists):
        worst = list_worst(m, L, steps, METRIC_POWER[metric])
        source = "max of |prod(1 - h lambda)| over the ends and the roots of p', exact"
        bound_mutants(f"steps-{i}", worst, worst.text(), source, m=m, L=L, metric=metric,
                      steps=[str(h) for h in steps])
        if len(steps) == 2:  # shift the first step
            for s, k, label in margins():
                if k is None:
                    continue
                shifted = [steps[0] * factor(s, k)] + steps[1:]
                new_worst = list_worst(m, L, shifted, METRIC_POWER[metric])
                for rel in rels:
                    out.append(_mutant("quadratic", f"steps-{i}", f"step0-{label}", rel,
                                       relation_holds(new_worst, rel, worst), source,
                                       **_quadratic_fields(m, L, metric, worst.text(), rel,
                                                           steps=[scaled(str(steps[0]), s, k)]
                                                           + [str(h) for h in steps[1:]])))
    return out


# rate ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RateBase:
    """A published tight worst case: fields of the claim, the bound as written and its exact value."""

    name: str
    fields: dict[str, Any]
    bound: str
    source: str
    # h -> the exact normalized worst case at step h (for step perturbations), or None
    worst_at_h: Callable[[Fraction], Surd] | None = None


def _dt(n: int) -> Callable[[Fraction], Surd]:
    # max(1/(4Nh + 2), (1 - h)^(2N)/2): Drori-Teboulle 2014 (h <= 1), Kim et al. / Rotaru et al. 2024
    # for h in (1, 2)
    return lambda h: max(Surd(1 / (4 * n * h + 2)), Surd((1 - h) ** (2 * n) / 2))


def _sc(q: Fraction, n: int) -> Callable[[Fraction], Surd]:
    # one step is a contraction by max(|1 - h q|, |1 - h|) in distance and gradient, tight on quadratics
    return lambda h: Surd(max(abs(1 - h * q), abs(1 - h)) ** (2 * n))


RATE_BASES = [
    RateBase("dt-n1", {"class": "smooth-convex", "L": 1, "schedule": "constant", "h": "1", "N": 1,
                       "initial": "distance", "metric": "function-gap"}, "L*R**2/(4*N + 2)",
             "Drori and Teboulle 2014, Theorem 1", _dt(1)),
    RateBase("dt-n2", {"class": "smooth-convex", "L": 1, "schedule": "constant", "h": "1", "N": 2,
                       "initial": "distance", "metric": "function-gap"}, "L*R**2/(4*N + 2)",
             "Drori and Teboulle 2014, Theorem 1"),
    RateBase("dt-n1-l3", {"class": "smooth-convex", "L": 3, "schedule": "constant", "h": "1", "N": 1,
                          "initial": "distance", "metric": "function-gap"}, "L*R**2/(4*N + 2)",
             "Drori and Teboulle 2014, Theorem 1 (L = 3)"),
    RateBase("dt-n1-h-half", {"class": "smooth-convex", "L": 1, "schedule": "constant", "h": "1/2", "N": 1,
                              "initial": "distance", "metric": "function-gap"}, "L*R**2/(4*N*h + 2)",
             "Drori and Teboulle 2014, Theorem 1 (0 < h <= 1)"),
    RateBase("sc-dist-n1", {"class": "smooth-strongly-convex", "L": 10, "m": 1, "schedule": "constant",
                            "h": "20/11", "N": 1, "initial": "distance", "metric": "distance"},
             "((L - m)/(L + m))**(2*N)*R**2", "step 2/(m + L): contraction (L - m)/(L + m)",
             _sc(F(1, 10), 1)),
    RateBase("sc-dist-n2", {"class": "smooth-strongly-convex", "L": 10, "m": 1, "schedule": "constant",
                            "h": "20/11", "N": 2, "initial": "distance", "metric": "distance"},
             "((L - m)/(L + m))**(2*N)*R**2", "step 2/(m + L): contraction (L - m)/(L + m)"),
    RateBase("sc-grad-n1", {"class": "smooth-strongly-convex", "L": 10, "m": 1, "schedule": "constant",
                            "h": "20/11", "N": 1, "initial": "gradient", "metric": "gradient-norm"},
             "((L - m)/(L + m))**(2*N)*G**2", "grad f(x_1) = (I - h B/L) grad f(x_0), m <= B <= L"),
    RateBase("sc-dist-h1", {"class": "smooth-strongly-convex", "L": 4, "m": 1, "schedule": "constant",
                            "h": "1", "N": 1, "initial": "distance", "metric": "distance"},
             "(1 - m/L)**(2*N)*R**2", "step 1/L: contraction 1 - m/L"),
    RateBase("convex-dist-n2", {"class": "smooth-convex", "L": 1, "schedule": "constant", "h": "1", "N": 2,
                                "initial": "distance", "metric": "distance"}, "R**2",
             "gradient descent with h in (0, 2] is nonexpansive; a flat minimum attains it"),
    RateBase("ogm-n1", {"class": "smooth-convex", "L": 1, "method": "ogm", "N": 1, "initial": "distance",
                        "metric": "function-gap"}, "L*R**2/8",
             "Kim and Fessler 2016, Theorem 2: L R^2/(2 theta_1^2), theta_1 = 2"),
    # certified by composition (pep/compose.py): one exact one-step certificate telescoped over N = 40
    RateBase("sc-dist-n40", {"class": "smooth-strongly-convex", "L": 1, "m": "1/10", "schedule": "constant",
                             "h": "1", "N": 40, "initial": "distance", "metric": "distance"},
             "(1 - m/L)**(2*N)*R**2", "step 1/L: contraction 1 - m/L per step, attained by m x^2/2",
             _sc(F(1, 10), 40)),
    # a period (3/2, 5/2) contracts by 9/16 (attained by L x^2/2: (1 - 3/2)(1 - 5/2) = -3/4; PEPit 0.5.1 gives
    # 0.5625000000 for one period and 0.3164062504 = (9/16)^2 for two), composed over N = 20
    RateBase("period-3-2-5-2-n20", {"class": "smooth-strongly-convex", "L": 1, "m": "1/10",
                                    "steps": ["3/2", "5/2"] * 10, "initial": "distance",
                                    "metric": "distance"},
             "(9/16)**10*R**2", "one period's exact worst case 9/16, composed"),
]


def rate_mutants() -> list[Mutant]:
    """Each published bound times (1 + s eps) (true iff s >= 0), and steps h (1 + s eps) where the exact
    worst case as a function of h is known."""
    out = []
    for base in RATE_BASES:
        for s, k, label in margins():
            out.append(_mutant("rate", base.name, f"bound-{label}", "<=", s > 0 or k is None, base.source,
                               **base.fields, bound=scaled(base.bound, s, k)))
        if base.worst_at_h is None:
            continue
        h0 = F(base.fields["h"])
        tight = base.worst_at_h(h0)
        for s, k, label in margins():
            if k is None:
                continue
            truth = relation_holds(base.worst_at_h(h0 * factor(s, k)), "<=", tight)
            fields = {**base.fields, "h": scaled(base.fields["h"], s, k)}
            out.append(_mutant("rate", base.name, f"h-{label}", "<=", truth, base.source, **fields,
                               bound=base.bound))
    return out


# class-inequality ------------------------------------------------------------------------------------------
def gram_truth(m: Surd, L: Surd, a: Surd, b: Surd, relation: str) -> bool:
    """<dg, dx> relation a |dx|^2 + b |dg|^2 over S(m, L) (dx = x - y, dg = grad f(x) - grad f(y)).

    The two-point interpolation condition <dg - m dx, L dx - dg> >= 0 is all that links dx and dg (the
    function values can then be chosen). With |dx| = 1 and |dg| = lam in [m, L], <dg, dx> ranges over
    [(mL + lam^2)/(m + L), lam]. '>=': the lower end, linear in lam^2, must exceed a + b lam^2: check
    lam = m, L (where the lower end equals lam). '<=': lam <= a + b lam^2 on [m, L]: the ends and the
    vertex 1/(2b) of the parabola when b > 0.
    """
    def g(lam: Surd) -> Surd:
        return lam - a - b * lam * lam

    if relation == ">=":
        return g(m).sign() >= 0 and g(L).sign() >= 0
    points = [m, L]
    if b.sign() > 0:
        vertex = 1 / (2 * b)
        if m <= vertex <= L:
            points.append(vertex)
    return all(g(lam).sign() <= 0 for lam in points)


@dataclass(frozen=True)
class GramBase:
    """inner(dg, dx) relation a sqnorm(dx) + b sqnorm(dg) on S(m, L) (m = 0: smooth convex)."""

    name: str
    m: tuple[str, Surd]
    L: tuple[str, Surd]
    a: tuple[str, Surd]
    b: tuple[str, Surd]
    relation: str
    source: str


SQ8 = Surd(F(0), F(2), F(2))  # 2 sqrt 2
GRAM_BASES = [
    GramBase("cocoercive-l1", ("0", Surd(F(0))), ("1", Surd(F(1))), ("0", Surd(F(0))), ("1", Surd(F(1))),
             ">=", "Nesterov 2004, Theorem 2.1.5"),
    GramBase("cocoercive-l10", ("0", Surd(F(0))), ("10", Surd(F(10))), ("0", Surd(F(0))),
             ("1/10", Surd(F(1, 10))), ">=", "Nesterov 2004, Theorem 2.1.5"),
    GramBase("cocoercive-l3half", ("0", Surd(F(0))), ("3/2", Surd(F(3, 2))), ("0", Surd(F(0))),
             ("2/3", Surd(F(2, 3))), ">=", "Nesterov 2004, Theorem 2.1.5"),
    GramBase("sc-cocoercive-1-10", ("1", Surd(F(1))), ("10", Surd(F(10))), ("10/11", Surd(F(10, 11))),
             ("1/11", Surd(F(1, 11))), ">=", "Nesterov 2004, Theorem 2.1.12"),
    GramBase("sc-cocoercive-1-2", ("1", Surd(F(1))), ("2", Surd(F(2))), ("2/3", Surd(F(2, 3))),
             ("1/3", Surd(F(1, 3))), ">=", "Nesterov 2004, Theorem 2.1.12"),
    GramBase("sc-cocoercive-third-1", ("1/3", Surd(F(1, 3))), ("1", Surd(F(1))), ("1/4", Surd(F(1, 4))),
             ("3/4", Surd(F(3, 4))), ">=", "Nesterov 2004, Theorem 2.1.12"),
    GramBase("sc-cocoercive-1-2sqrt2", ("1", Surd(F(1))), ("2*sqrt(2)", SQ8),
             ("(8 - 2*sqrt(2))/7", SQ8 / (1 + SQ8)),
             ("(2*sqrt(2) - 1)/7", 1 / (1 + SQ8)), ">=", "Nesterov 2004, Theorem 2.1.12, L = 2 sqrt 2"),
    GramBase("cauchy-schwarz-1-10", ("1", Surd(F(1))), ("10", Surd(F(10))), ("10", Surd(F(10))),
             ("0", Surd(F(0))), "<=", "<dg, dx> <= |dg| |dx| <= L |dx|^2"),
    GramBase("inverse-sc-1-10", ("1", Surd(F(1))), ("10", Surd(F(10))), ("0", Surd(F(0))), ("1", Surd(F(1))),
             "<=", "<dg, dx> <= |dg| |dx| <= |dg|^2 / m"),
    GramBase("interior-1-10", ("1", Surd(F(1))), ("10", Surd(F(10))), ("3/2", Surd(F(3, 2))),
             ("1/6", Surd(F(1, 6))), "<=", "lam <= 3/2 + lam^2/6 = lam + (lam - 3)^2/6, tight at lam = 3"),
]


def _gram_fields(m_text: str, L_text: str, a_text: str, b_text: str, relation: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"class": "smooth-convex" if m_text == "0" else "smooth-strongly-convex",
                              "L": L_text}
    if m_text != "0":
        fields["m"] = m_text
    fields.update(points=["x", "y"], lhs="inner(grad(x) - grad(y), x - y)", relation=relation,
                  rhs=f"{a_text}*sqnorm(x - y) + {b_text}*sqnorm(grad(x) - grad(y))")
    return fields


# function-value inequalities f(y) REL f(x) + inner(grad(x), y - x) + c * TERM with the tight c0 and the rule
# saying which c hold (each tight on a quadratic of curvature L or m)
VALUE_BASES = [
    ("descent-lemma-l1", "smooth-convex", "1", None, "<=", "sqnorm(y - x)", F(1, 2), "c >= L/2",
     "descent lemma, tight on L/2 x^2"),
    ("lower-interp-l2", "smooth-convex", "2", None, ">=", "sqnorm(grad(y) - grad(x))", F(1, 4), "c <= 1/(2L)",
     "Taylor, Hendrickx and Glineur 2017, Theorem 4 (m = 0), tight on L/2 x^2"),
    ("strong-lower-1-10", "smooth-strongly-convex", "10", "1", ">=", "sqnorm(y - x)", F(1, 2), "c <= m/2",
     "strong convexity, tight on m/2 x^2"),
]


def class_inequality_mutants() -> list[Mutant]:
    """Co-coercivity-type inequalities (coefficients, m and L perturbed, relation flipped for the tight
    claim) and function-value inequalities (coefficient and the class's L or m perturbed)."""
    out = []
    for base in GRAM_BASES:
        (mt, m), (lt, L), (at, a), (bt, b) = base.m, base.L, base.a, base.b
        for rel in (">=", "<="):
            truth = gram_truth(m, L, a, b, rel)
            out.append(_mutant("class-inequality", base.name, "tight", rel, truth, base.source,
                               **_gram_fields(mt, lt, at, bt, rel)))
        for s, k, label in margins():
            if k is None:
                continue
            f = factor(s, k)
            variants = {"L": (mt, m, scaled(lt, s, k), L * f, at, a, bt, b)}
            if a.sign():
                variants["a"] = (mt, m, lt, L, scaled(at, s, k), a * f, bt, b)
            if b.sign():
                variants["b"] = (mt, m, lt, L, at, a, scaled(bt, s, k), b * f)
            if m.sign():
                variants["m"] = (scaled(mt, s, k), m * f, lt, L, at, a, bt, b)
            for what, (mt2, m2, lt2, L2, at2, a2, bt2, b2) in variants.items():
                truth = gram_truth(m2, L2, a2, b2, base.relation)
                out.append(_mutant("class-inequality", base.name, f"{what}-{label}", base.relation, truth,
                                   base.source, **_gram_fields(mt2, lt2, at2, bt2, base.relation)))
    for name, fclass, L_text, m_text, rel, term, c0, rule, source in VALUE_BASES:
        L, m = F(L_text), F(m_text or 0)

        def holds(c: Fraction, L2: Fraction, m2: Fraction, rule: str = rule) -> bool:
            return {"c >= L/2": c >= L2 / 2, "c <= 1/(2L)": c <= 1 / (2 * L2), "c <= m/2": c <= m2 / 2}[rule]

        for s, k, label in margins():
            f = factor(s, k)
            cases = [("c", c0 * f, L, m, L_text, m_text, scaled(str(c0), s, k))]
            if k is not None:
                if m_text is None:
                    cases.append(("L", c0, L * f, m, scaled(L_text, s, k), m_text, str(c0)))
                else:
                    cases.append(("m", c0, L, m * f, L_text, scaled(m_text, s, k), str(c0)))
            for what, c, L2, m2, lt2, mt2, c_text, in cases:
                fields: dict[str, Any] = {"class": fclass, "L": lt2}
                if mt2 is not None:
                    fields["m"] = mt2
                fields.update(points=["x", "y"], lhs="f(y)", relation=rel,
                              rhs=f"f(x) + inner(grad(x), y - x) + {c_text}*{term}")
                out.append(_mutant("class-inequality", name, f"{what}-{label}", rel, holds(c, L2, m2),
                                   source, **fields))
    return out


# class inequalities for every 0 < m < L (symbolic L and m) ------------------------------------------------
def symbolic_class_mutants() -> list[Mutant]:
    """Co-coercivity c_a mL/(m+L) |dx|^2 + c_b/(m+L) |dg|^2 <= <dg, dx> for all 0 < m < L: by gram_truth's
    two ends (lam = m, L), with q = m/L it holds iff 0 >= e_a + e_b q and 0 >= e_a q + e_b on (0, 1)
    (c = 1 + e): with one coefficient moved, iff it moved down. The one-step rate of 2/(m+L),
    |x+ - x*|^2 <= c ((L-m)/(L+m))^2 |x - x*|^2, holds iff c >= 1 (attained by the quadratics m and L)."""
    out = []
    base = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L="L", m="m")
    coco = dict(base, points=["x", "y"], lhs="inner(grad(x) - grad(y), x - y)", relation=">=")
    rate = dict(base, points=["x", "xs"], lhs="sqnorm(x - 2/(m + L)*grad(x) - xs)", relation="<=")
    source = "Nesterov 2004, Theorems 2.1.12 and 2.1.15, for every 0 < m < L"
    for s, k, label in margins():
        f = "1" if k is None else scaled("1", s, k)
        moved_down = k is None or s < 0
        for what, rhs in (("a", f"({f})*m*L/(m + L)*sqnorm(x - y) + 1/(m + L)*sqnorm(grad(x) - grad(y))"),
                          ("b", f"m*L/(m + L)*sqnorm(x - y) + ({f})/(m + L)*sqnorm(grad(x) - grad(y))")):
            if k is None and what == "b":
                continue
            fields = {k2: v for k2, v in coco.items() if k2 != "kind"}
            out.append(_mutant("class-inequality", "sym-cocoercive", f"{what}-{label}", ">=", moved_down,
                               source, **{**fields, "rhs": rhs}))
        fields = {k2: v for k2, v in rate.items() if k2 != "kind"}
        out.append(_mutant("class-inequality", "sym-one-step", f"c-{label}", "<=", k is None or s > 0, source,
                           **{**fields, "rhs": f"({f})*((L - m)/(L + m))**2*sqnorm(x - xs)"}))
    return out


# matrices and momentum -------------------------------------------------------------------------------------
MATRIX_BASES = [  # (name, where, expr, exact value, source): values by hand
    ("cond-diag", {"A": "[[1, 0], [0, 100]]"}, "cond(A)", F(100), "kappa = L/m for diag(1, 100)"),
    ("rho-gd", {"A": "[[1, 0], [0, 100]]"}, "rho(eye(2) - 2/101*A)", F(99, 101),
     "max |1 - 2 lam/101| over lam in {1, 100}"),
    ("det-2x2", {"A": "[[2, 1], [1, 2]]"}, "det(A)", F(3), "2*2 - 1*1"),
]


def matrix_mutants() -> list[Mutant]:
    """Exact matrix quantities against their value moved by 10^-k, under ==, <= and >=."""
    out = []
    for name, where, expr, value, source in MATRIX_BASES:
        for s, k, label in margins():
            v = value * factor(s, k)
            for rel in ("==", "<=", ">="):
                truth = relation_holds(value, rel, v)
                out.append(_mutant("numeric", f"mat-{name}", f"value-{label}", rel, truth, source,
                                   where=where, expr=expr, relation=rel, value=scaled(str(value), s, k)))
    return out


def momentum_mutants() -> list[Mutant]:
    """Heavy ball with Polyak's parameters at m = 1, L = 100: rate exactly 9/11 (Polyak 1964)."""
    out = []
    fields = dict(method="heavy-ball", m=1, L=100, alpha="4/(sqrt(L) + sqrt(m))**2",
                  beta="((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**2", metric="rate")
    for s, k, label in margins():
        for rel in ("==", "<=", "<"):  # the quadratic kind bounds a worst case from above
            truth = relation_holds(F(9, 11), rel, F(9, 11) * factor(s, k))
            out.append(_mutant("quadratic", "heavy-ball-100", f"bound-{label}", rel, truth,
                               "Polyak 1964: rate (sqrt(kappa) - 1)/(sqrt(kappa) + 1)", **fields,
                               bound=scaled("9/11", s, k), relation=rel))
    return out


# proofs ----------------------------------------------------------------------------------------------------
def proof_mutants() -> list[Mutant]:
    """The textbook proof that GD with h = 1/L does not increase ||x - x*|| (L = 1), its theorem's constant
    moved: the verdict is the theorem's, true iff c >= 1 (tight on f = 0)."""
    out = []
    steps = [{"lhs": "sqnorm(x - grad(x) - xs)", "relation": "==",
              "rhs": "sqnorm(x - xs) - 2*inner(grad(x), x - xs) + sqnorm(grad(x))", "by": "algebra"},
             {"relation": "<=", "rhs": "sqnorm(x - xs) - 2*sqnorm(grad(x)) + sqnorm(grad(x))",
              "by": "co-coercivity"},
             {"relation": "<=", "rhs": "sqnorm(x - xs)", "by": "algebra"}]
    for s, k, label in margins():
        c = "1" if k is None else scaled("1", s, k)
        out.append(_mutant("proof", "gd-distance", f"c-{label}", "<=", k is None or s > 0,
                           "Nesterov 2004, Theorem 2.1.5", **{"class": "smooth-convex"}, L=1,
                           points=["x", "xs"], lhs="sqnorm(x - grad(x) - xs)", relation="<=",
                           rhs=f"({c})*sqnorm(x - xs)", step=steps))
    return out


# --- the corpus -------------------------------------------------------------------------------------------
GENERATORS: dict[str, Callable[[], list[Mutant]]] = {
    "numeric": numeric_mutants,
    "identity": identity_mutants,
    "inequality": inequality_mutants,
    "quadratic": quadratic_mutants,
    "rate": rate_mutants,
    "class-inequality": class_inequality_mutants,
    "class-inequality-symbolic": symbolic_class_mutants,
    "matrix": matrix_mutants,
    "momentum": momentum_mutants,
    "proof": proof_mutants,
}
KINDS = tuple(GENERATORS)


def corpus(kinds: Iterable[str] = KINDS) -> list[Mutant]:
    """Every mutant of the given kinds; ids are unique (checked)."""
    out = [m for kind in kinds for m in GENERATORS[kind]()]
    ids = [m.id for m in out]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise AssertionError(f"duplicate mutant ids: {dup[:5]}")
    return out


# bases whose mutants need long PEPs (N = 20..40 on the strongly convex class): the full corpus only
HEAVY_BASES = ("sc-dist-n40", "period-3-2-5-2-n20")


def sample(mutants: list[Mutant], per_kind: dict[str, int], seed: int) -> list[Mutant]:
    """A fixed-seed subset: up to ``per_kind[kind]`` mutants of each kind, keeping every tight claim and
    every mutant at the margins 10^-20 and below of the chosen bases first (the ones rounding breaks);
    never one of HEAVY_BASES."""
    rng = random.Random(seed)
    chosen = []
    for kind, count in per_kind.items():
        pool = [m for m in mutants if m.kind == kind and not any(f".{b}." in m.id for b in HEAVY_BASES)]
        key = {m.id: (0 if m.mutation.endswith("tight") or any(m.mutation.endswith(t) for t in
                                                                  ("p20", "m20", "p30", "m30")) else 1,
                      rng.random()) for m in pool}
        chosen += sorted(pool, key=lambda m: key[m.id])[:count]
    return chosen


def write_claims(mutants: list[Mutant], folder: Path) -> list[Path]:
    """One TOML file per kind under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS:
        tables = [m.table for m in mutants if m.kind == kind]
        if tables:
            path = folder / f"{kind}.toml"
            path.write_text("".join(toml_claim(**t) for t in tables), encoding="utf-8")
            paths.append(path)
    return paths


def table_toml(mutant: Mutant) -> str:
    """The mutant's claim table as TOML (for reports of false verdicts)."""
    return toml_claim(**mutant.table)


@dataclass
class Outcome:
    """A mutant with the verdict the suite gave it."""

    mutant: Mutant
    verdict: str
    summary: str
    seconds: float

    @property
    def false_certified(self) -> bool:
        """A false claim certified: the worst bug."""
        return self.verdict == "certified" and not self.mutant.truth

    @property
    def false_refuted(self) -> bool:
        """A true claim refuted."""
        return self.verdict == "refuted" and self.mutant.truth

    @property
    def bad(self) -> bool:
        """A false verdict or an error."""
        return self.false_certified or self.false_refuted or self.verdict == "error"


def run_mutants(mutants: list[Mutant], folder: Path, seconds: float | None = None,
                on_result: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Write the mutants as TOML, load them with the real loader and check each through the dispatcher;
    a mutant the loader rejects is an error."""
    from core.caps import Caps
    from verify.checkers import Context
    from verify.dispatch import check_claim, load_claims

    by_id = {m.id: m for m in mutants}
    claims, rejected = load_claims(write_claims(mutants, folder))
    caps = Caps() if seconds is None else Caps(seconds=seconds)
    ctx = Context(caps=caps, cert_dir=folder / "certs")
    outcomes = [Outcome(by_id[r.id], "error", r.error.line(), 0.0) for r in rejected if r.id in by_id]
    unmatched = [r.error.line() for r in rejected if r.id not in by_id]
    for claim in claims:
        result = check_claim(claim, ctx)
        outcome = Outcome(by_id[claim.id], result.verdict.value, result.summary, result.seconds)
        outcomes.append(outcome)
        if on_result:
            on_result(outcome)
    missing = set(by_id) - {o.mutant.id for o in outcomes}
    for cid in sorted(missing):
        why = [line for line in unmatched if f"'{cid}'" in line] or ["not loaded"]
        outcomes.append(Outcome(by_id[cid], "error", why[0], 0.0))
    return outcomes
