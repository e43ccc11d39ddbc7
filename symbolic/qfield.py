"""Exact arithmetic in a real quadratic field Q(sqrt d) with the standard library only.

An element is ``a + b*sqrt(d)`` with ``a, b`` :class:`fractions.Fraction` and ``d`` a square-free integer
> 1. Comparison is exact: the sign of ``a + b sqrt(d)`` follows from the signs of ``a`` and ``b`` and, when
they differ, from comparing ``a^2`` with ``b^2 d``. Used for the Silver step sizes (rho = 1 + sqrt 2) and
for exact certificates that a standard-library checker can re-verify.
"""

from __future__ import annotations

from fractions import Fraction
from functools import total_ordering
from typing import Any

Number = int | Fraction


def _squarefree(d: int) -> bool:
    if d < 2:
        return False
    k = 2
    while k * k <= d:
        if d % (k * k) == 0:
            return False
        k += 1
    return True


@total_ordering
class QSqrt:
    """``a + b*sqrt(d)``, exact; mixing elements of different fields is an error."""

    __slots__ = ("a", "b", "d")

    def __init__(self, a: Number | str = 0, b: Number | str = 0, d: int = 2) -> None:
        if not isinstance(d, int) or isinstance(d, bool) or not _squarefree(d):
            raise ValueError(f"d must be a square-free integer > 1, got {d!r}")
        self.a = Fraction(a)
        self.b = Fraction(b)
        self.d = d

    # construction and conversion -----------------------------------------------------------------
    @classmethod
    def sqrt(cls, d: int = 2) -> QSqrt:
        """The generator sqrt(d)."""
        return cls(0, 1, d)

    def _coerce(self, other: Any) -> QSqrt | None:
        if isinstance(other, QSqrt):
            if other.d != self.d:
                raise ValueError(f"elements of Q(sqrt {self.d}) and Q(sqrt {other.d}) do not mix")
            return other
        if isinstance(other, int | Fraction) and not isinstance(other, bool):
            return QSqrt(other, 0, self.d)
        return None

    def to_sympy(self) -> Any:
        """The sympy number ``a + b*sqrt(d)``."""
        import sympy as sp

        return sp.Rational(self.a.numerator, self.a.denominator) + sp.Rational(
            self.b.numerator, self.b.denominator) * sp.sqrt(self.d)

    @classmethod
    def from_sympy(cls, expr: Any, d: int = 2) -> QSqrt:
        """Read ``a + b*sqrt(d)`` from a sympy expression (after ``expand`` and ``radsimp``); ValueError
        if the number is not in Q(sqrt d)."""
        import sympy as sp

        e = sp.expand(sp.radsimp(sp.sympify(expr)))
        r = sp.sqrt(d)
        b = e.coeff(r)
        a = sp.expand(e - b * r)
        if not (isinstance(a, sp.Rational) and isinstance(b, sp.Rational)):
            raise ValueError(f"{expr} is not an element of Q(sqrt {d})")
        return cls(Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q)), d)

    def __float__(self) -> float:
        return float(self.a) + float(self.b) * self.d ** 0.5

    def to_mpmath(self, dps: int = 50) -> Any:
        """The value as an mpmath number at ``dps`` digits."""
        import mpmath

        with mpmath.workdps(dps + 10):
            return mpmath.mpf(self.a.numerator) / self.a.denominator + mpmath.mpf(
                self.b.numerator) / self.b.denominator * mpmath.sqrt(self.d)

    # arithmetic -------------------------------------------------------------------------------
    def __add__(self, other: Any) -> QSqrt:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return QSqrt(self.a + o.a, self.b + o.b, self.d)

    __radd__ = __add__

    def __neg__(self) -> QSqrt:
        return QSqrt(-self.a, -self.b, self.d)

    def __pos__(self) -> QSqrt:
        return self

    def __sub__(self, other: Any) -> QSqrt:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return QSqrt(self.a - o.a, self.b - o.b, self.d)

    def __rsub__(self, other: Any) -> QSqrt:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return o - self

    def __mul__(self, other: Any) -> QSqrt:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return QSqrt(self.a * o.a + self.d * self.b * o.b, self.a * o.b + self.b * o.a, self.d)

    __rmul__ = __mul__

    def conjugate(self) -> QSqrt:
        """``a - b*sqrt(d)``."""
        return QSqrt(self.a, -self.b, self.d)

    def norm(self) -> Fraction:
        """The field norm ``a^2 - d b^2`` (zero only for the zero element, since d is not a square)."""
        return self.a * self.a - self.d * self.b * self.b

    def inverse(self) -> QSqrt:
        n = self.norm()
        if n == 0:
            raise ZeroDivisionError("division by zero in Q(sqrt d)")
        c = self.conjugate()
        return QSqrt(c.a / n, c.b / n, self.d)

    def __truediv__(self, other: Any) -> QSqrt:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return self * o.inverse()

    def __rtruediv__(self, other: Any) -> QSqrt:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return o * self.inverse()

    def __pow__(self, n: int) -> QSqrt:
        if not isinstance(n, int) or isinstance(n, bool):
            return NotImplemented
        if n < 0:
            return self.inverse() ** (-n)
        result, base = QSqrt(1, 0, self.d), self
        while n:
            if n & 1:
                result = result * base
            base = base * base
            n >>= 1
        return result

    # exact comparison -------------------------------------------------------------------------
    def sign(self) -> int:
        """The exact sign (-1, 0, 1) of ``a + b sqrt(d)``."""
        sa = (self.a > 0) - (self.a < 0)
        sb = (self.b > 0) - (self.b < 0)
        if sb == 0:
            return sa
        if sa == 0 or sa == sb:
            return sb
        # opposite signs: compare a^2 with d b^2 (never equal, d being square-free)
        return sa if self.a * self.a > self.d * self.b * self.b else sb

    def __eq__(self, other: object) -> bool:
        try:
            o = self._coerce(other)
        except ValueError:
            return False
        if o is None:
            return NotImplemented
        return self.a == o.a and self.b == o.b

    def __lt__(self, other: Any) -> bool:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return (self - o).sign() < 0

    def __abs__(self) -> QSqrt:
        return -self if self.sign() < 0 else self

    def __hash__(self) -> int:
        return hash((self.a, self.b, self.d)) if self.b else hash(self.a)

    def __bool__(self) -> bool:
        return self.a != 0 or self.b != 0

    def __repr__(self) -> str:
        return f"QSqrt({self.a}, {self.b}, d={self.d})"

    def __str__(self) -> str:
        if self.b == 0:
            return str(self.a)
        root = f"sqrt({self.d})"
        coef = "" if abs(self.b) == 1 else f"{abs(self.b)}*"
        tail = f"{coef}{root}"
        if self.a == 0:
            return ("-" if self.b < 0 else "") + tail
        return f"{self.a} {'-' if self.b < 0 else '+'} {tail}"


RHO = QSqrt(1, 1, 2)  # the silver ratio 1 + sqrt(2)
