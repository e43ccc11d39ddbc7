"""Re-check a saved PEP certificate exactly, with the Python standard library only.

A certificate claims: for every function of a class (L = 1) and every start point normalized by the
"initial" condition, the performance measure is at most ``tau <= bound``. It exhibits multipliers
``lam_c >= 0`` for named valid inequalities ``c(G, F) <= 0`` and ``tau >= 0`` for ``initial(G, F) <= 1`` with

    objective - tau * initial - sum_c lam_c * c  ==  -(a PSD quadratic form in the Gram basis)

identically (linear parts cancel exactly, the quadratic part is -S with S PSD). Summing the inequalities
gives objective <= tau. This file rebuilds every inequality from the problem description itself (not
from the code that produced the certificate) and checks, in exact arithmetic over Q or Q(sqrt 2):
multipliers >= 0, tau <= bound, the linear identity, and S PSD through the evidence
``S - sum_k d_k v_k v_k^T`` diagonally dominant with d_k >= 0 (a sum of a PSD matrix and a diagonally
dominant one with nonnegative diagonal); d_k and the entries of v_k are rational, or in Q(sqrt 2) (written
["a", "b"]) where a tight bound's kernel has no rational basis.

Inequalities (dx = x_i - x_j, dg = g_i - g_j, L = 1, q = m/L; q = 0 smooth convex, q = -1 smooth):
  interp(i,j):      f_j - f_i + <g_j, dx> + (|dg|^2 + q |dx|^2 - 2 q <dg, dx>) / (2 (1 - q)) <= 0
  lower-bound(i):   "gd": f* - f_i <= 0;  "points": f(xs) - f(i) <= 0 (xs a global minimizer)
  min-grad(i):      t - |g_i|^2 <= 0
Problem "gd": x_{k+1} = x_k - h_k g_k, x* = 0, g* = 0, f* = 0 (f_k stands for f(x_k) - f*); basis
x_0, g_0..g_N. Problem "fsfom" (any fixed-step first-order method): the same with "H", lower triangular,
x_{k+1} = x_0 - sum_{i <= k} H[k][i] g_i. Problem "points": basis x_p for every point, then g_p for every
point except "xs" (g = 0);
initial tr(G) <= 1; the objective is the stored form (that it is the claim's expansion is for --claim).

A certificate file also names what it proves ("proves": the claim's id, statement, table and its SHA-256,
and the exact class, L, m, steps, initial, metric and bound). :func:`verify` checks that block against the
problem (and refuses an empty objective, no inequality, zero steps, a bound other than the claim's), then
:func:`check`. Whether the stored table is really the claim's, and the objective its expansion, is for
``python -m verify recheck --claim`` (the suite's own parser). Every input is bounded by the caps below.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from fractions import Fraction
from math import lcm

FORMAT = "gradverify-pep-certificate/2"  # /2: the file names the claim it proves ("proves")
OLD_FORMATS = ("gradverify-pep-certificate/1",)  # no "proves" block: re-certify to get a checkable file

# Caps. The largest genuine certificates of the suite (measured): lit.silver.k7 (N = 127, 329 kB, 1028
# multipliers, basis 129, rechecked in 3-6 s), lit.drori-teboulle.n20.tight (the most digits: 179).
MAX_FILE_BYTES = 8 * 2**20  # 25x the largest file; bounds the count and total digits of all numbers
MAX_DEPTH = 32  # JSON nesting: certificates nest 6 deep, 7 or 8 with a claim's inline tables
MAX_DIGITS = 2000  # digits of one numerator or denominator: 11x the 179 measured (tight certificates grow
#                    by about 9 digits per step); below Python's int-from-string limit of 4300
MAX_EXPONENT = 2000  # |e| of a decimal "1.5e-3" (none are written): no more digits than MAX_DIGITS allows
MAX_STEPS = 256  # gradient steps: 2x N = 127; building the form is about cubic in N (estimated 8x its 3-6 s);
#                  certifying N > 255 does not fit the suite's 120 s claim cap anyway
MAX_POINTS = 32  # named points of a class inequality (basis 2 per point): claims use 2 or 3
MAX_MULTIPLIERS = 70_000  # all pairs at N = MAX_STEPS (66,306) and the min-grad ones; 68x the 1028 of N = 127
MAX_COLUMNS = MAX_STEPS + 2  # PSD evidence columns: an LDL^T has one per basis vector (basis N + 2)
MAX_Q2_BASIS = 64  # basis of Q(sqrt 2) PSD evidence (Fraction arithmetic, cubic): tight ones have <= 10
MAX_SECONDS = 300.0  # wall clock for one check, a last resort against crafted number growth: 50x 6 s
MAX_SHOWN = 160  # characters of a claim's text shown in the one-line verdict


class Refused(Exception):
    """A cap or a rule of the format that the certificate breaks (one line)."""


_deadline = [float("inf")]


def _tick() -> None:
    if time.monotonic() > _deadline[0]:
        raise Refused(f"check took longer than {MAX_SECONDS:g} s (cap MAX_SECONDS)")


class Q2:
    """a + b*sqrt(2) with rational a, b."""

    __slots__ = ("a", "b")

    def __init__(self, a: Fraction | int = 0, b: Fraction | int = 0) -> None:
        self.a, self.b = Fraction(a), Fraction(b)

    def __add__(self, o: Q2) -> Q2:
        return _q2(self.a + o.a, self.b + o.b if self.b or o.b else _F0)

    def __sub__(self, o: Q2) -> Q2:
        return _q2(self.a - o.a, self.b - o.b if self.b or o.b else _F0)

    def __mul__(self, o: Q2) -> Q2:
        if not self.b and not o.b:
            return _q2(self.a * o.a, _F0)
        return _q2(self.a * o.a + 2 * self.b * o.b, self.a * o.b + self.b * o.a)

    def inv(self) -> Q2:
        n = self.a * self.a - 2 * self.b * self.b
        return Q2(self.a / n, -self.b / n)

    def sign(self) -> int:
        sa, sb = (self.a > 0) - (self.a < 0), (self.b > 0) - (self.b < 0)
        if sb == 0 or sa == sb:
            return sa or sb
        if sa == 0:
            return sb
        return sa if self.a * self.a > 2 * self.b * self.b else sb

    def __abs__(self) -> Q2:
        return Q2(-self.a, -self.b) if self.sign() < 0 else self

    def __str__(self) -> str:
        return f"{self.a}" if not self.b else f"{self.a} + {self.b}*sqrt(2)"


_F0 = Fraction(0)


def _q2(a: Fraction, b: Fraction) -> Q2:
    """A Q2 from two Fractions, not re-converted (the operators skip the sqrt 2 part when both b are 0)."""
    x = object.__new__(Q2)
    x.a, x.b = a, b
    return x


ZERO, ONE = Q2(0), Q2(1)


_RATIONAL = re.compile(r"([+-]?)([0-9]+)(?:/([0-9]+))?")
_DECIMAL = re.compile(r"[+-]?([0-9]*)\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?")


def rational(x: object) -> Fraction:
    """"p/q", "p", an int or a decimal "1.5e-3", within MAX_DIGITS and MAX_EXPONENT (checked on the text,
    before any big number is built)."""
    if isinstance(x, int) and not isinstance(x, bool):
        x = str(x)
    if not isinstance(x, str):
        raise ValueError(f"not a number: {str(x)[:40]!r}")
    long = len(x) > 2 * MAX_DIGITS + 20
    m = _RATIONAL.fullmatch(x)
    d = None if m or long else _DECIMAL.fullmatch(x)
    if not (m or long or d and (d[1] or d[2])):
        raise ValueError(f"not a number: {x[:40]!r}")
    if m and max(len(m[2]), len(m[3] or "")) <= MAX_DIGITS:
        return Fraction(int(m[1] + m[2]), int(m[3] or 1))
    if d and len(d[1]) + len(d[2]) <= MAX_DIGITS and (d[3] is None or len(d[3]) <= 12
                                                       and abs(int(d[3])) <= MAX_EXPONENT):
        return Fraction(x)
    if d and d[3] is not None and len(d[1]) + len(d[2]) <= MAX_DIGITS:
        raise Refused(f"number {x[:12]}... has an exponent above {MAX_EXPONENT} (cap MAX_EXPONENT)")
    raise Refused(f"number {x[:12]}... has more than {MAX_DIGITS} digits (cap MAX_DIGITS)")


def num(x: object) -> Q2:
    """A number of the format: "p/q" (or an int) for a rational, ["a", "b"] for a + b sqrt(2)."""
    if isinstance(x, list) and len(x) == 2:
        return Q2(rational(x[0]), rational(x[1]))
    return Q2(rational(x))


def _integer(x: object) -> int:
    """An int, or a string of digits, within MAX_DIGITS."""
    if isinstance(x, int) and not isinstance(x, bool) or isinstance(x, str) and "/" not in x \
            and _RATIONAL.fullmatch(x):
        return rational(x).numerator
    raise ValueError(f"not an integer: {str(x)[:40]!r}")


class Form:
    """A quadratic form over symbols (dense, symmetric) plus a linear form over f-symbols."""

    def __init__(self, size: int) -> None:
        self.K = [[ZERO] * size for _ in range(size)]
        self.lin: dict[str, Q2] = {}

    def inner(self, u: dict[int, Q2], v: dict[int, Q2], w: Q2) -> None:
        """Add w * <u, v> (u, v sparse combinations of symbols), symmetrized."""
        half = w * Q2(Fraction(1, 2))
        for s, cs in u.items():
            for t, ct in v.items():
                x = half * cs * ct
                self.K[s][t] = self.K[s][t] + x
                self.K[t][s] = self.K[t][s] + x

    def f(self, name: str, w: Q2) -> None:
        self.lin[name] = self.lin.get(name, ZERO) + w

    def substitute(self, s: int, terms: dict[int, Q2]) -> None:
        """Replace symbol s by sum_t c_t * t over ``terms`` (symbols below s; rows, then columns); entries
        above s are ignored afterwards."""
        K = self.K
        row = K[s]
        for t in range(s + 1):
            if row[t].a or row[t].b:
                for a, c in terms.items():
                    K[a][t] = K[a][t] + c * row[t]
        for t in range(s + 1):
            x = K[t][s]
            if x.a or x.b:
                for a, c in terms.items():
                    K[t][a] = K[t][a] + c * x


RATE_KINDS = ("gd", "fsfom")


def increments(problem: dict) -> list[dict[int, Q2]]:
    """Row k: the nonzero h[k][i] of x_{k+1} = x_k - sum_i h[k][i] g_i. Problem "gd" gives its steps
    (h[k][k] = h_k); problem "fsfom" gives H with x_{k+1} = x_0 - sum_{i <= k} H[k][i] g_i (lower
    triangular: row k has k + 1 entries), whose increments are row k minus row k - 1."""
    if problem["kind"] == "gd":
        return [{k: num(h)} for k, h in enumerate(problem["steps"])]
    rows = [[num(c) for c in row] for row in problem["H"]]
    out = []
    for k, row in enumerate(rows):
        if len(row) != k + 1:
            raise ValueError(f"H row {k} has {len(row)} entries, not {k + 1} (lower triangular)")
        prev = rows[k - 1] if k else []
        inc = {i: c - (prev[i] if i < len(prev) else ZERO) for i, c in enumerate(row)}
        out.append({i: c for i, c in inc.items() if c.a or c.b})
    return out


def vec(*terms: tuple[int | None, int]) -> dict[int, Q2]:
    out: dict[int, Q2] = {}
    for s, c in terms:
        if s is not None:
            out[s] = out.get(s, ZERO) + Q2(c)
    return out


def build(problem: dict, mult: dict[str, Q2]) -> tuple[Form, int, list[str]]:
    """sum_c lam_c * c + tau * initial - objective, as a Form; also the basis size and the f-symbols."""
    cls = problem["class"]
    fixed = {"smooth-convex": ZERO, "smooth": Q2(-1)}
    q = fixed[cls] if cls in fixed else num(problem["q"])
    if cls not in ("smooth-convex", "smooth", "smooth-strongly-convex") or not (
            cls != "smooth-strongly-convex" or (q.sign() > 0 and (ONE - q).sign() > 0)):
        raise ValueError(f"bad class {cls} / q")
    if problem["kind"] in RATE_KINDS:
        moves = increments(problem)
        n_steps, star = len(moves), cls != "smooth"
        labels = (["*"] if star else []) + [str(k) for k in range(n_steps + 1)]
        size = 2 * n_steps + 2  # x_0 -> 0, g_k -> 1 + k, x_k -> n_steps + 1 + k (k >= 1)
        xs = {str(k): (0 if k == 0 else n_steps + 1 + k) for k in range(n_steps + 1)} | {"*": None}
        gs = {str(k): 1 + k for k in range(n_steps + 1)} | {"*": None}
        fs = {lab: None if lab == "*" else f"f{lab}" for lab in labels}
    elif problem["kind"] == "points":
        labels = list(problem["points"])
        if len(set(labels)) != len(labels):
            raise ValueError("the points are not distinct")
        glabels = [p for p in labels if p != "xs"]
        xs = {p: i for i, p in enumerate(labels)}
        gs = {p: len(labels) + i for i, p in enumerate(glabels)} | {"xs": None}
        fs = {p: f"f:{p}" for p in labels}
        size = len(labels) + len(glabels)
    else:
        raise ValueError(f"unknown problem kind {problem['kind']!r}")
    form = Form(size)
    w = (ONE - q).inv() * Q2(Fraction(1, 2))
    for name, lam in mult.items():
        _tick()
        m = re.fullmatch(r"(interp|lower-bound|min-grad)\(([^,()]+)(?:,([^,()]+))?\)|initial", name)
        if not m:
            raise ValueError(f"unknown inequality {name!r}")
        kind, i, j = m.groups()
        if any(p is not None and p not in fs for p in (i, j)) or (kind == "interp") != (j is not None):
            raise ValueError(f"bad points in {name!r}")
        if kind == "interp" and i != j:
            dx, dg = vec((xs[i], 1), (xs[j], -1)), vec((gs[i], 1), (gs[j], -1))
            if fs[j]:
                form.f(fs[j], lam)
            if fs[i]:
                form.f(fs[i], ZERO - lam)
            form.inner(vec((gs[j], 1)), dx, lam)
            form.inner(dg, dg, lam * w)
            if q.a or q.b:  # the strongly convex and nonconvex terms (zero for the convex class)
                form.inner(dx, dx, lam * w * q)
                form.inner(dg, dx, ZERO - lam * w * q * Q2(2))
        elif kind == "lower-bound" and (problem["kind"] in RATE_KINDS and not star or "xs" in fs
                                        and i != "xs"):
            if problem["kind"] == "points":
                form.f("f:xs", lam)
            form.f(fs[i], ZERO - lam)
        elif kind == "min-grad" and problem["kind"] in RATE_KINDS and i != "*" and (
                problem["metric"] == "min-gradient-norm" or i != str(n_steps)
                and problem["metric"] == "min-gradient-norm-before-last"):
            form.f("t", lam)
            form.inner(vec((gs[i], 1)), vec((gs[i], 1)), ZERO - lam)
        elif kind is not None:
            raise ValueError(f"inequality {name!r} is not valid for this problem")
    tau = mult["initial"]
    if problem["kind"] in RATE_KINDS:
        last = str(n_steps)
        init = problem["initial"]
        if init == "distance" and star:
            form.inner(vec((0, 1)), vec((0, 1)), tau)
        elif init == "function-gap":
            form.f("f0", tau)
        elif init == "gradient":
            form.inner(vec((1, 1)), vec((1, 1)), tau)
        else:
            raise ValueError(f"bad initial condition {init!r}")
        met = problem["metric"]
        if met == "function-gap":
            form.f(f"f{last}", ZERO - ONE)
        elif met in ("gradient-norm", "distance") and (star or met != "distance"):
            u = vec((gs[last] if met == "gradient-norm" else xs[last], 1))
            form.inner(u, u, ZERO - ONE)
        elif met in ("min-gradient-norm", "min-gradient-norm-before-last"):
            form.f("t", ZERO - ONE)
        elif met == "decrease":  # f(x_0) - f(x_N)
            form.f("f0", ZERO - ONE)
            form.f(f"f{last}", ONE)
        else:
            raise ValueError(f"bad metric {met!r}")
        for k in range(n_steps, 0, -1):  # x_k = x_{k-1} - sum_i h[k-1][i] g_i
            _tick()
            terms = {xs[str(k - 1)]: ONE} | {gs[str(i)]: ZERO - c for i, c in moves[k - 1].items()}
            form.substitute(xs[str(k)], terms)
        return form, n_steps + 2, list(fs.values())
    for s in range(size):
        form.K[s][s] = form.K[s][s] + tau
    sym = {f"x:{p}": xs[p] for p in labels} | {f"g:{p}": gs[p] for p in glabels}
    obj = problem["objective"]
    for a, b, c in obj["quadratic"]:
        form.inner(vec((sym[a], 1)), vec((sym[b], 1)), ZERO - num(c))
    for a, c in obj["linear"]:
        if a not in fs.values():
            raise ValueError(f"unknown f-symbol {a!r}")
        form.f(a, ZERO - num(c))
    return form, size, list(fs.values())


def psd_evidence_rational(S: list[list[Q2]], evidence: dict) -> str | None:
    """None if S - sum_k d_k v_k v_k^T is diagonally dominant with d_k >= 0 (rational d_k, integer v_k
    over a common denominator), else the reason."""
    n = len(S)
    cols = evidence["columns"]
    ws, nums = [], []
    for k, col in enumerate(cols):
        d, den = rational(col["d"]), _integer(col["den"])
        v = [_integer(x) for x in col["num"]]
        if d < 0 or den <= 0 or len(v) != n:
            return f"PSD evidence column {k} is malformed (d < 0, den <= 0 or wrong length)"
        ws.append(d / (den * den))
        nums.append(v)
    big = lcm(*(w.denominator for w in ws)) if ws else 1
    W = [w.numerator * (big // w.denominator) for w in ws]

    def rows():  # row i of S - T, T = sum_k d_k v_k v_k^T summed in integers over the common denominator
        for i in range(n):
            _tick()
            row = [0] * n
            for w, v in zip(W, nums, strict=True):
                if v[i] and w:
                    wi = w * v[i]
                    for j in range(n):
                        if v[j]:
                            row[j] += wi * v[j]
            yield [S[i][j] - Q2(Fraction(row[j], big)) for j in range(n)]

    return dominance_failure(rows())


def dominance_failure(rows: object) -> str | None:
    """None if every row R_i has R_ii >= sum_{j != i} |R_ij| (with R symmetric, that makes R PSD), else
    the reason."""
    for i, R in enumerate(rows):
        slack = R[i]
        for j in range(len(R)):
            if j != i:
                slack = slack - abs(R[j])
        if slack.sign() < 0:
            return f"S - LDL^T is not diagonally dominant in row {i}: S is not shown PSD"
    return None


def _int_q2(x: object) -> Q2:
    """An entry of ``num``: an integer (string) or ["a", "b"] with integers a, b."""
    if isinstance(x, list) and len(x) == 2:
        return Q2(_integer(x[0]), _integer(x[1]))
    return Q2(_integer(x))


def _is_q2_column(col: dict) -> bool:
    return isinstance(col.get("d"), list) or any(isinstance(x, list) for x in col.get("num", []))


ELIMINATION = "elimination"  # the evidence {"method": "elimination"}: S is shown PSD by the checker itself


def psd_by_elimination(S: list[list[object]]) -> str | None:
    """None if the rational symmetric S is PSD, else the reason: fraction-free (Bareiss) elimination of S
    times the lcm of its denominators, pivots in order. Each entry stays a minor of S (an integer), so a
    pivot has the sign of the Schur complement's diagonal: S is PSD iff no pivot is negative and a zero
    pivot's row is zero (that index is then dropped; the other minors are unchanged)."""
    n = len(S)
    vals = [[x.a if isinstance(x, Q2) and not x.b else x for x in row] for row in S]
    if any(len(row) != n or any(not isinstance(x, int | Fraction) for x in row) for row in vals):
        return "elimination evidence needs a square rational S"
    if any(vals[i][j] != vals[j][i] for i in range(n) for j in range(i)):
        return "S is not symmetric"
    D = lcm(*{Fraction(x).denominator for row in vals for x in row})
    A = [[int(x * D) for x in row] for row in vals]
    remaining, prev = list(range(n)), 1
    while remaining:
        _tick()
        k = remaining.pop(0)
        p = A[k][k]
        if p < 0 or (p == 0 and any(A[k][j] for j in remaining)):
            why = "negative" if p else "zero with a nonzero row"
            return f"S is not PSD: pivot {k} of the exact elimination is {why}"
        for a, i in enumerate(remaining if p else ()):
            for j in remaining[a:]:
                q, r = divmod(p * A[i][j] - A[i][k] * A[k][j], prev)
                if r:  # impossible for a symmetric integer matrix: Bareiss's divisions are exact
                    return "S is not PSD: inexact division in the elimination"
                A[i][j] = A[j][i] = q
        prev = p if p else prev
    return None


def psd_evidence(S: list[list[Q2]], evidence: dict) -> str | None:
    """None if S - sum_k d_k v_k v_k^T is diagonally dominant with d_k >= 0 (d_k, v_k in Q(sqrt 2)),
    else the reason. Rational evidence goes to the faster integer check :func:`psd_evidence_rational`;
    ``{"method": "elimination"}`` to :func:`psd_by_elimination` (no columns)."""
    if evidence.get("method") == ELIMINATION:
        return psd_by_elimination(S)
    if "method" in evidence:
        return f"unknown PSD evidence method {_shown(repr(evidence['method']))[:40]}"
    cols = evidence["columns"]
    if not any(_is_q2_column(col) for col in cols):
        return psd_evidence_rational(S, evidence)
    n = len(S)
    if n > MAX_Q2_BASIS:
        raise Refused(f"Q(sqrt 2) PSD evidence over a basis of {n} > {MAX_Q2_BASIS} (cap MAX_Q2_BASIS)")
    T = [[ZERO] * n for _ in range(n)]
    for k, col in enumerate(cols):
        _tick()
        d, den = num(col["d"]), _integer(col["den"])
        v = [_int_q2(x) for x in col["num"]]
        if d.sign() < 0 or den <= 0 or len(v) != n:
            return f"PSD evidence column {k} is malformed (d < 0, den <= 0 or wrong length)"
        w = d * Q2(Fraction(1, den * den))
        for i in range(n):
            if v[i].a or v[i].b:
                wi = w * v[i]
                for j in range(i + 1):
                    if v[j].a or v[j].b:
                        T[i][j] = T[i][j] + wi * v[j]
    return dominance_failure([S[i][j] - (T[i][j] if j <= i else T[j][i]) for j in range(n)]
                             for i in range(n))


def check(cert: dict) -> tuple[bool, str]:
    """Verify a certificate's mathematics exactly; (True, what was proved) or (False, a one-line reason)."""
    _deadline[0] = time.monotonic() + MAX_SECONDS
    try:
        within_caps(cert)
        problem, bound = cert["problem"], num(cert["bound"])
        mult = {name: num(v) for name, v in cert["multipliers"].items()}
        if "initial" not in mult or num(cert["tau"]).a != mult["initial"].a or \
                num(cert["tau"]).b != mult["initial"].b:
            return False, "tau is missing or differs from the multiplier of 'initial'"
        for name, v in mult.items():
            if v.sign() < 0:
                return False, f"multiplier of {name} is negative ({v})"
        if (bound - mult["initial"]).sign() < 0:
            return False, f"tau = {mult['initial']} exceeds the bound {bound}"
        below = cert.get("bound_below")
        if below is not None:  # bound <= 1/(1 + sqrt(x)): 1/bound - 1 >= sqrt(x) >= 0
            x, y = num(below["x"]), bound.inv() - ONE
            if bound.sign() <= 0 or x.sign() < 0 or y.sign() < 0 or (y * y - x).sign() < 0:
                return False, "the bound is not below 1/(1 + sqrt(x))"
        form, n, _ = build(problem, mult)
        for name, v in form.lin.items():
            if v.a or v.b:
                return False, f"the linear identity fails at {name} (coefficient {v})"
        S = [row[:n] for row in form.K[:n]]
        reason = psd_evidence(S, cert["psd"])
        if reason:
            return False, reason
    except Refused as exc:
        return False, str(exc)
    except (KeyError, ValueError, TypeError, ZeroDivisionError, IndexError, AttributeError) as exc:
        return False, f"malformed certificate: {type(exc).__name__}: {_shown(exc)}"
    extra = " <= 1/(1 + sqrt(x))" if below is not None else ""
    return True, f"worst case <= tau = {mult['initial']} <= bound {bound}{extra} ({len(mult)} multipliers)"


def within_caps(cert: dict) -> None:
    """Refused unless the format is this checker's and the sizes are within the caps (before arithmetic)."""
    fmt = cert.get("format")
    if fmt != FORMAT:
        raise Refused(f"format {fmt!r} names no claim: re-certify" if fmt in OLD_FORMATS else
                      f"unknown format {_shown(repr(fmt))[:40]} (this checker reads {FORMAT})")
    prob = cert["problem"]
    for n, cap, what in ((len(cert["multipliers"]), MAX_MULTIPLIERS, "multipliers"),
                         (len(cert["psd"].get("columns", ())), MAX_COLUMNS, "PSD columns"),
                         (len(prob.get("steps", ())), MAX_STEPS, "steps"),
                         (len(prob.get("H", ())), MAX_STEPS, "steps"),
                         (len(prob.get("points", ())), MAX_POINTS, "points")):
        if n > cap:
            name = {"PSD columns": "COLUMNS"}.get(what, what.upper())
            raise Refused(f"{n} {what} > {cap} (cap MAX_{name})")


def _shown(text: object) -> str:
    """One line, control and format characters escaped (a crafted file cannot rewrite the terminal)."""
    out = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in " ".join(str(text).split()))
    return out if len(out) <= MAX_SHOWN else out[:MAX_SHOWN] + "..."


def claim_hash(table: dict) -> str:
    """SHA-256 of the claim's table as canonical JSON (sorted keys, no spaces, ASCII)."""
    text = json.dumps(table, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def objective_terms(objective: dict) -> dict[tuple, tuple[Fraction, Fraction]]:
    """A points objective as {symbols: coefficient} with symmetric pairs merged and zeros dropped."""
    terms: dict[tuple, Q2] = {}
    for a, b, c in objective["quadratic"]:
        key = tuple(sorted((str(a), str(b))))
        terms[key] = terms.get(key, ZERO) + num(c)
    for a, c in objective["linear"]:
        terms[(str(a),)] = terms.get((str(a),), ZERO) + num(c)
    return {k: (v.a, v.b) for k, v in terms.items() if v.a or v.b}


def _same(x: object, y: object) -> bool:
    u, v = num(x), num(y)
    return u.a == v.a and u.b == v.b


def _literal(x: object) -> Fraction | None:
    """A claim field written as a plain rational (an int or "p/q"), else None (an expression)."""
    if isinstance(x, int) and not isinstance(x, bool) or isinstance(x, str) and _RATIONAL.fullmatch(x):
        return rational(x)
    return None


def statement(cert: dict) -> str:
    """What the certificate proves, checked against its problem (raises Refused, or KeyError etc. when
    malformed): the claim table's hash and fields, class, q, steps, initial, metric, bound, objective."""
    p, prob = cert.get("proves"), cert["problem"]
    if not isinstance(p, dict):
        raise Refused("names no claim: the 'proves' block is missing")
    table, kind = p["claim_table"], p["kind"]
    if not isinstance(table, dict) or claim_hash(table) != p["claim_sha256"]:
        raise Refused("proves.claim_sha256 is not the SHA-256 of proves.claim_table")
    same = ["claim:id", "statement", "kind", "class"] + (
        ["initial", "metric", "bound"] if kind == "rate" else ["points", "lhs", "relation", "rhs"])
    for key, _, field in (k.partition(":") for k in same):
        if p[key] != table.get(field or key):
            raise Refused(f"proves.{key} differs from the claim table's '{field or key}'")
    for name in ("L", "m"):
        if _literal(table.get(name)) is not None and not _same(table[name], p[name]):
            raise Refused(f"proves.{name} differs from the claim table's '{name}'")
    if prob["kind"] not in {"rate": RATE_KINDS, "class-inequality": ("points",)}.get(kind, ()) or \
            prob["class"] != p["class"]:
        raise Refused(f"the problem ({prob['kind']}, {prob['class']}) is not the stated {kind} claim's")
    L, m = _literal(table.get("L")), _literal(table.get("m"))
    if p["class"] == "smooth-strongly-convex" and not (_same(prob["q"], p["q"]) and (
            L is None or m is None or _same(p["q"], str(m / L)))):
        raise Refused("the problem's q is not the claim's m/L")
    # A class inequality may hold for all points by its PSD part alone (a true claim about every class);
    # a rate bound cannot, so a rate certificate using no inequality of the class is malformed.
    if kind == "rate" and not any(num(v).a or num(v).b for k, v in cert["multipliers"].items()
                                  if k != "initial"):
        raise Refused("the certificate uses no inequality of the class: it proves nothing about the class")
    head = f"proves {_shown(p['claim'])}: {p['class']}, L={_shown(p['L'])}" + (
        f", m={_shown(p['m'])}" if p["class"] == "smooth-strongly-convex" else "")
    if kind == "rate":
        return head + _rate_statement(cert, p, prob)
    if not _same(cert["bound"], 0):
        raise Refused("a class inequality states 'form <= 0': the bound must be 0")
    if prob["points"] != p["points"]:
        raise Refused("the problem's points are not the stated claim's")
    terms = objective_terms(prob["objective"])
    if not terms:
        raise Refused("the objective is empty or zero: the certificate proves 0 <= 0")
    if terms != objective_terms(p["objective"]):
        raise Refused("the problem's objective differs from the stated objective (proves.objective)")
    return head + f": {_shown(p['lhs'])} {_shown(p['relation'])} {_shown(p['rhs'])}"


def _rate_statement(cert: dict, p: dict, prob: dict) -> str:
    field = "steps" if prob["kind"] == "gd" else "H"
    steps = prob[field]
    if not steps:
        raise Refused("zero steps: the problem says nothing about the method")
    if p.get("method", "gd") != prob.get("method", "gd"):
        raise Refused(f"the problem's method {_shown(prob.get('method', 'gd'))} is not the stated one")
    stated = p.get(field)
    flat = (lambda rows: [c for r in rows for c in r]) if field == "H" else list
    if not isinstance(stated, list) or len(steps) != p["N"] or len(stated) != len(steps) or (
            field == "H" and [len(r) for r in steps] != [len(r) for r in stated]) or not all(
            _same(a, b) for a, b in zip(flat(steps), flat(stated), strict=True)):
        raise Refused(f"the problem's {field} are not the stated claim's {field}")
    if prob["initial"] != p["initial"] or prob["metric"] != p["metric"]:
        raise Refused("the problem's initial condition or metric is not the stated claim's")
    exact, below, note = p["bound_exact"], cert.get("bound_below"), ""
    if isinstance(exact, dict) and "x" in exact:
        if not isinstance(below, dict) or not _same(below["x"], exact["x"]):
            raise Refused("the bound is not proved below the stated 1/(1 + sqrt(x))")
    elif isinstance(exact, dict) and "enclosed" in exact:
        if not _same(cert["bound"], exact["below"]):
            raise Refused(f"the bound {_shown(cert['bound'])} is not the stated rational below the claim's")
        note = " (the certified bound is below it by an interval enclosure, which --claim rechecks)"
    elif not _same(cert["bound"], exact):
        raise Refused(f"the bound {_shown(cert['bound'])} is not the stated normalized bound {_shown(exact)}")
    return (f", N={p['N']} ({_shown(p['schedule'])}), initial {p['initial']}: {p['metric']} <= "
            f"{_shown(p['bound'])}{note}")


def verify(cert: dict) -> tuple[bool, str]:
    """Check a certificate file's content: what it proves (:func:`statement`), then the mathematics."""
    try:
        within_caps(cert)
        line = statement(cert)
    except Refused as exc:
        return False, str(exc)
    except (KeyError, ValueError, TypeError, ZeroDivisionError, IndexError, AttributeError) as exc:
        return False, f"malformed certificate or 'proves' block: {type(exc).__name__}: {_shown(exc)}"
    ok, why = check(cert)
    return ok, f"{line}; {why}" if ok else why


def _depth(obj: object) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, todo = 0, [(obj, 1)]
    while todo:
        node, d = todo.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, d)
            todo.extend((v, d + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


def load(path: str) -> dict:
    """A certificate file parsed within MAX_FILE_BYTES and MAX_DEPTH (Refused); OSError or ValueError
    when it cannot be read as JSON."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Refused(f"file larger than {MAX_FILE_BYTES} bytes (cap MAX_FILE_BYTES)")
    try:
        cert = json.loads(data.decode("utf-8"), parse_int=_integer)
    except RecursionError:
        raise Refused(f"JSON nested deeper than {MAX_DEPTH} (cap MAX_DEPTH)") from None
    if _depth(cert) > MAX_DEPTH:
        raise Refused(f"JSON nested deeper than {MAX_DEPTH} (cap MAX_DEPTH)")
    if not isinstance(cert, dict):
        raise ValueError("top level is not an object")
    return cert


def read(path: str) -> tuple[int, dict | None, str]:
    """(0, certificate, "") or (1, None, INVALID line) or (2, None, unreadable line)."""
    try:
        return 0, load(path), ""
    except Refused as exc:
        return 1, None, f"{_shown(path)}: INVALID: {exc}"
    except (OSError, ValueError) as exc:
        return 2, None, f"{_shown(path)}: unreadable: {type(exc).__name__}: {_shown(exc)}"


PARAMETRIC_FORMAT = "gradverify-parametric-certificate/1"  # see pep/certcheck_parametric.py


def report(paths: list[str], judge: object) -> int:
    """One line per file as ``judge(cert) -> (ok, reason)`` says; exit 0, 1 (one invalid), 2 (unreadable)."""
    code = 0
    for path in paths:
        status, cert, line = read(path)
        if cert is not None:
            ok, reason = judge(cert)  # type: ignore[operator]
            status, line = (0 if ok else 1), f"{_shown(path)}: {'OK' if ok else 'INVALID'}: {reason}"
        print(line, flush=True)
        code = max(code, status)
    return code


def main(paths: list[str]) -> int:
    """Re-check every file (one symbolic in q by :mod:`pep.certcheck_parametric` at its default q)."""
    def judge(cert: dict) -> tuple[bool, str]:
        if cert.get("format") != PARAMETRIC_FORMAT:
            return verify(cert)
        try:
            from pep import certcheck_parametric
        except ImportError:
            import certcheck_parametric  # type: ignore[no-redef]
        return certcheck_parametric.check_at(cert, [Fraction(x) for x in certcheck_parametric.DEFAULT_AT])

    return report(paths, judge)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
