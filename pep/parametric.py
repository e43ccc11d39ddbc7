"""Certificates symbolic in q = m/L: a class inequality proved for every 0 < m < L at once.

At several rational q the point-set PEP gets an exact certificate (:func:`pep.certificate.certify_bound`);
each multiplier is interpolated as a rational function of q (exactly through the samples, and confirmed on
samples not used for the fit). The result is then PROVED symbolically, independently of how it was found:
the linear identity holds as an identity of rational functions, every multiplier is >= 0 on (0, 1), and
S(q) = sum_i lam_i(q) A_i(q) - C(q) is positive semidefinite on (0, 1) because every principal minor is
>= 0 there. Signs on (0, 1) are decided exactly: the real roots of numerators and denominators in (0, 1) are
isolated with rational intervals (sympy), the sign is evaluated at a rational point of every gap, and a
denominator root inside (0, 1) fails the proof. Nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

import sympy as sp
from sympy.polys.polyfuncs import rational_interpolate

from pep.certificate import certify_bound, exact_S
from pep.problem import PEPData

# Samples of q = m/L in (0, 1): spread over the interval, small denominators (exact certificates are found
# faster), more than the fits need so that every fit is confirmed on samples it did not use.
SAMPLES = [Fraction(1, 10), Fraction(1, 5), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4),
           Fraction(4, 5), Fraction(9, 10), Fraction(1, 7), Fraction(5, 7)]
MAX_DEGREE = 6  # total degree (numerator + denominator) of a multiplier's rational function
CONFIRM = 2     # samples beyond those a fit uses that must also match exactly


@dataclass
class ParametricCertificate:
    """Multipliers as rational functions of q, and the proof steps' outcomes."""

    ok: bool
    reason: str
    multipliers: dict[str, Any] = field(default_factory=dict)
    failing_q: Fraction | None = None  # a sample where no numeric certificate exists (a refutation to try)
    checks: dict[str, str] = field(default_factory=dict)


def _fit(points: list[tuple[Fraction, Fraction]], q: sp.Symbol) -> Any | None:
    """The simplest rational function of q through all ``points`` (fitted on a prefix, confirmed on the
    rest), or None."""
    pts = [(sp.Rational(a.numerator, a.denominator), sp.Rational(b.numerator, b.denominator))
           for a, b in points]
    if all(y == pts[0][1] for _, y in pts):
        return pts[0][1]
    for total in range(1, MAX_DEGREE + 1):
        used = total + 1
        if used + CONFIRM > len(pts):
            return None
        for degnum in range(total, -1, -1):
            try:
                r = sp.cancel(rational_interpolate(pts[:used], degnum, X=q))
            except (ZeroDivisionError, ValueError, sp.PolynomialError):
                continue
            if all(_value_at(r, q, x) == y for x, y in pts):
                return r
    return None


def _value_at(expr: Any, q: sp.Symbol, x: Any) -> Any:
    num, den = sp.fraction(sp.cancel(expr))
    d = den.subs(q, x)
    return None if d == 0 else sp.Rational(num.subs(q, x)) / sp.Rational(d)


def _strip_endpoint_roots(poly: sp.Poly, q: sp.Symbol) -> sp.Poly:
    """``poly`` without its factors q and (1 - q) (roots at the ends are outside the open interval)."""
    for factor in (sp.Poly(q, q), sp.Poly(1 - q, q)):
        while not poly.is_zero and poly.degree() > 0:
            quotient, remainder = sp.div(poly, factor)
            if not remainder.is_zero:
                break
            poly = quotient
    return poly


def _roots_inside(poly: sp.Poly) -> list[tuple[sp.Rational, sp.Rational]]:
    """Disjoint rational intervals, each inside (0, 1) and holding one root of ``poly`` (whose roots are not
    0 or 1), refined until they leave [0, 1] or sit inside (0, 1)."""
    if poly.degree() < 1:
        return []
    poly = poly.sqf_part()  # the same roots, each simple (refinement needs that)
    inside = []
    for (a, b), _mult in poly.intervals():
        a, b = sp.Rational(a), sp.Rational(b)
        eps = (b - a) / 2 if b > a else None
        while a <= 0 <= b or a <= 1 <= b:  # straddles an end: refine (the root is not the end itself)
            if a == b:
                break
            eps = (b - a) / 4
            a, b = (sp.Rational(x) for x in poly.refine_root(a, b, eps=eps))
        if 0 < a and b < 1:
            inside.append((a, b))
    return sorted(inside)


def sign_on_unit_interval(expr: Any, q: sp.Symbol) -> tuple[bool, str]:
    """(True, why) when ``expr`` (a rational function of q) is >= 0 at every q in (0, 1), proved exactly:
    the denominator has no root in (0, 1), and the value is >= 0 at a rational point of every gap between
    the numerator's isolated roots (the sign is constant on each gap)."""
    expr = sp.cancel(sp.together(expr))
    if expr == 0:
        return True, "identically 0"
    num, den = sp.fraction(expr)
    pnum = _strip_endpoint_roots(sp.Poly(num, q), q)
    pden = _strip_endpoint_roots(sp.Poly(den, q), q)
    if _roots_inside(pden):
        return False, f"the denominator {den} vanishes in (0, 1)"
    cuts = [sp.Integer(0)] + [x for ab in _roots_inside(pnum) for x in ab] + [sp.Integer(1)]
    tests = [(lo + hi) / 2 for lo, hi in zip(cuts[::2], cuts[1::2], strict=True)]
    for t in tests:
        value = _value_at(expr, q, t)
        if value is None or value < 0:
            return False, f"{expr} is negative (or undefined) at q = {t}"
    return True, f"sign constant between the {len(tests) - 1} roots in (0, 1), >= 0 at {len(tests)} points"


def _psd_on_unit_interval(S: list[list[Any]], q: sp.Symbol) -> tuple[bool, str]:
    """Every principal minor of S(q) >= 0 on (0, 1) (a symmetric matrix is PSD iff this holds)."""
    n = len(S)
    M = sp.Matrix(n, n, lambda i, j: sp.cancel(S[i][j]))
    keep = [i for i in range(n) if any(M[i, j] != 0 for j in range(n))]
    for size in range(1, len(keep) + 1):
        for rows in combinations(keep, size):
            minor = sp.cancel(M.extract(list(rows), list(rows)).det(method="berkowitz"))
            ok, why = sign_on_unit_interval(minor, q)
            if not ok:
                return False, f"principal minor {rows}: {why}"
    return True, f"all principal minors of the {len(keep)} x {len(keep)} nonzero block are >= 0 on (0, 1)"


def parametric_certificate(build: Callable[[Any], PEPData], samples: list[Fraction] | None = None
                           ) -> ParametricCertificate:
    """Prove 'the point-set PEP built by ``build(q)`` has worst case <= 0' for every q in (0, 1)."""
    q = sp.Symbol("q", positive=True)
    samples = samples or SAMPLES
    values: dict[str, list[tuple[Fraction, Fraction]]] = {}
    for x in samples:
        attempt = certify_bound(build(x), 0)
        if not attempt.ok or attempt.certificate is None:
            return ParametricCertificate(False, f"no exact certificate at q = {x}: {attempt.reason}",
                                         failing_q=x)
        for name, v in attempt.certificate["multipliers"].items():
            values.setdefault(name, []).append((x, _fraction(v)))
    fitted = {}
    for name, pts in values.items():
        r = _fit(pts, q)
        if r is None:
            return ParametricCertificate(False, f"multiplier {name} is not a rational function of degree <= "
                                                f"{MAX_DEGREE} in q through the samples")
        fitted[name] = r
    return verify_parametric(build(q), fitted, q)


def verify_parametric(data: PEPData, multipliers: dict[str, Any], q: sp.Symbol) -> ParametricCertificate:
    """The symbolic proof for the multipliers: identity, signs, PSD (see the module docstring)."""
    checks: dict[str, str] = {}
    names = [c.name for c in data.all_constraints]
    lam = [multipliers.get(n, 0) for n in names]
    if any(lam[-1:]):  # the initial condition's multiplier is tau = 0 for a bound of 0
        return ParametricCertificate(False, "the initial condition's multiplier must be 0 (bound 0)")
    for k in range(data.nf):
        total = data.objective_b.get(k, 0) - sum(w * c.b.get(k, 0) for c, w in
                                                 zip(data.all_constraints, lam, strict=True) if w)
        if sp.cancel(sp.together(total)) != 0:
            return ParametricCertificate(False, f"the function-value identity fails at F[{k}]: {total}")
    checks["identity"] = "the function values cancel as rational functions of q"
    for name, w in zip(names, lam, strict=True):
        if w != 0:
            ok, why = sign_on_unit_interval(w, q)
            if not ok:
                return ParametricCertificate(False, f"multiplier {name} = {w}: {why}")
    checks["multipliers"] = "every multiplier is >= 0 on (0, 1)"
    ok, why = _psd_on_unit_interval(exact_S(data, lam), q)
    if not ok:
        return ParametricCertificate(False, f"S(q) is not shown PSD: {why}")
    checks["psd"] = why
    return ParametricCertificate(True, "proved for every q = m/L in (0, 1)",
                                 {n: str(w) for n, w in zip(names, lam, strict=True) if w != 0}, None, checks)


def _fraction(v: Any) -> Fraction:
    if isinstance(v, list):  # ["a", "b"] in Q(sqrt 2): not a rational sample
        raise ValueError("a Q(sqrt 2) multiplier cannot be interpolated over Q")
    return Fraction(str(v))
