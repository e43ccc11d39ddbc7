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
x_0, g_0..g_N. Problem "points": basis x_p for every point, then g_p for every point except "xs" (g = 0);
initial tr(G) <= 1; the objective is the stored form (trusted to be the claim's expansion).
"""

from __future__ import annotations

import json
import re
import sys
from fractions import Fraction
from math import lcm


class Q2:
    """a + b*sqrt(2) with rational a, b."""

    __slots__ = ("a", "b")

    def __init__(self, a: Fraction | int = 0, b: Fraction | int = 0) -> None:
        self.a, self.b = Fraction(a), Fraction(b)

    def __add__(self, o: Q2) -> Q2:
        return Q2(self.a + o.a, self.b + o.b)

    def __sub__(self, o: Q2) -> Q2:
        return Q2(self.a - o.a, self.b - o.b)

    def __mul__(self, o: Q2) -> Q2:
        return Q2(self.a * o.a + 2 * self.b * o.b, self.a * o.b + self.b * o.a)

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


ZERO, ONE = Q2(0), Q2(1)


def num(x: object) -> Q2:
    """A number of the format: "p/q" (or an int) for a rational, ["a", "b"] for a + b sqrt(2)."""
    if isinstance(x, list) and len(x) == 2:
        return Q2(Fraction(str(x[0])), Fraction(str(x[1])))
    if isinstance(x, str | int) and not isinstance(x, bool):
        return Q2(Fraction(str(x)))
    raise ValueError(f"not a number: {x!r}")


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

    def substitute(self, s: int, a: int, b: int, c: Q2) -> None:
        """Replace symbol s by a + c*b (rows, then columns); entries above s are ignored afterwards."""
        K = self.K
        row = K[s]
        for t in range(s + 1):
            if row[t].a or row[t].b:
                K[a][t] = K[a][t] + row[t]
                K[b][t] = K[b][t] + c * row[t]
        for t in range(s + 1):
            x = K[t][s]
            if x.a or x.b:
                K[t][a] = K[t][a] + x
                K[t][b] = K[t][b] + c * x


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
    if problem["kind"] == "gd":
        steps = [num(h) for h in problem["steps"]]
        n_steps, star = len(steps), cls != "smooth"
        labels = (["*"] if star else []) + [str(k) for k in range(n_steps + 1)]
        size = 2 * n_steps + 2  # x_0 -> 0, g_k -> 1 + k, x_k -> n_steps + 1 + k (k >= 1)
        xs = {str(k): (0 if k == 0 else n_steps + 1 + k) for k in range(n_steps + 1)} | {"*": None}
        gs = {str(k): 1 + k for k in range(n_steps + 1)} | {"*": None}
        fs = {lab: None if lab == "*" else f"f{lab}" for lab in labels}
    elif problem["kind"] == "points":
        labels = list(problem["points"])
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
            form.inner(dx, dx, lam * w * q)
            form.inner(dg, dx, ZERO - lam * w * q * Q2(2))
        elif kind == "lower-bound" and (problem["kind"] == "gd" and not star or "xs" in fs and i != "xs"):
            if problem["kind"] == "points":
                form.f("f:xs", lam)
            form.f(fs[i], ZERO - lam)
        elif kind == "min-grad" and problem["kind"] == "gd" and problem["metric"] == "min-gradient-norm" \
                and i != "*":
            form.f("t", lam)
            form.inner(vec((gs[i], 1)), vec((gs[i], 1)), ZERO - lam)
        elif kind is not None:
            raise ValueError(f"inequality {name!r} is not valid for this problem")
    tau = mult["initial"]
    if problem["kind"] == "gd":
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
        elif met == "min-gradient-norm":
            form.f("t", ZERO - ONE)
        else:
            raise ValueError(f"bad metric {met!r}")
        for k in range(n_steps, 0, -1):  # x_k = x_{k-1} - h_{k-1} g_{k-1}
            form.substitute(xs[str(k)], xs[str(k - 1)], gs[str(k - 1)], ZERO - steps[k - 1])
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
        d, den = Fraction(str(col["d"])), int(col["den"])
        v = [int(x) for x in col["num"]]
        if d < 0 or den <= 0 or len(v) != n:
            return f"PSD evidence column {k} is malformed (d < 0, den <= 0 or wrong length)"
        ws.append(d / (den * den))
        nums.append(v)
    big = lcm(*(w.denominator for w in ws)) if ws else 1
    W = [w.numerator * (big // w.denominator) for w in ws]

    def rows():  # row i of S - T, T = sum_k d_k v_k v_k^T summed in integers over the common denominator
        for i in range(n):
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
        return Q2(int(str(x[0])), int(str(x[1])))
    return Q2(int(str(x)))


def _is_q2_column(col: dict) -> bool:
    return isinstance(col.get("d"), list) or any(isinstance(x, list) for x in col.get("num", []))


def psd_evidence(S: list[list[Q2]], evidence: dict) -> str | None:
    """None if S - sum_k d_k v_k v_k^T is diagonally dominant with d_k >= 0 (d_k, v_k in Q(sqrt 2)),
    else the reason. Rational evidence goes to the faster integer check :func:`psd_evidence_rational`."""
    cols = evidence["columns"]
    if not any(_is_q2_column(col) for col in cols):
        return psd_evidence_rational(S, evidence)
    n = len(S)
    T = [[ZERO] * n for _ in range(n)]
    for k, col in enumerate(cols):
        d, den = num(col["d"]), int(col["den"])
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
    """Verify a certificate exactly; (True, what was proved) or (False, a one-line reason)."""
    try:
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
    except (KeyError, ValueError, TypeError, ZeroDivisionError, IndexError, AttributeError) as exc:
        return False, f"malformed certificate: {type(exc).__name__}: {exc}"
    extra = " <= 1/(1 + sqrt(x))" if below is not None else ""
    return True, f"worst case <= tau = {mult['initial']} <= bound {bound}{extra} ({len(mult)} multipliers)"


def main(paths: list[str]) -> int:
    """Re-check every file: exit 0 when all are valid, 1 when one is invalid, 2 when one is unreadable."""
    code = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as fh:
                cert = json.load(fh)
            if not isinstance(cert, dict):
                raise ValueError("top level is not an object")
        except (OSError, ValueError) as exc:
            print(f"{path}: unreadable: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            code = 2
            continue
        ok, reason = check(cert)
        print(f"{path}: {'OK' if ok else 'INVALID'}: {reason}")
        if not ok:
            code = max(code, 1)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
