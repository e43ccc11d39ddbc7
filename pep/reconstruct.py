"""Exact reconstruction of an optimal PEP dual over Q(sqrt 2) (tight bounds with Silver-type steps).

At a tight bound the dual PSD matrix S is singular and its kernel contains the range of the worst-case
Gram matrix. With steps in Q(sqrt 2) that kernel is in general *not* spanned by rational vectors (the
Huber worst case of constant steps h has kernel vector (1, c, ..., c), c = 1/(2 N h + 1)), so the rational
reconstruction of :mod:`pep.certificate` cannot apply. Here:

1. the numeric dual (Clarabel) is refined by Gauss-Newton in float64 on the face equations
   ``S(lam) W = 0`` (W a kernel basis with an identity block) and ``sum lam_i b_i = c`` (the
   multipliers below a threshold fixed at 0, tau fixed at the candidate value);
2. every entry of W is recognized as a + b sqrt 2 by an integer relation (``mpmath.pslq`` on
   [w, 1, sqrt 2], bounded coefficients); each candidate is then tested exactly, so a wrong guess only
   costs time;
3. the face equations, linear over Q(sqrt 2) in the multipliers, are solved exactly: lam_i = a_i + b_i
   sqrt 2 split into rational unknowns (columns interleaved a_i, b_i, largest multipliers first, so the
   pivots come in pairs and the free multipliers keep rational values near the numeric ones), exact RREF
   with python-flint;
4. S = L D L^T exactly over Q(sqrt 2) (zero pivots allowed when the rest of the column is zero); the
   factor is PSD evidence with Q(sqrt 2) entries (see :mod:`pep.certcheck` for the format).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from pep.exact import as_q2, exact_S, ldl_q2, rref_particular
from symbolic.qfield import QSqrt

Exact = Fraction | QSqrt
SQRT2 = QSqrt(0, 1)


def recognize_q2(x: float, tol: float, max_coeff: int) -> QSqrt | None:
    """a + b sqrt 2 close to ``x`` (within ``tol`` relative) from an integer relation c0 x + c1 + c2 sqrt 2
    = 0 with |c_i| <= max_coeff; None if none is found."""
    import mpmath

    if abs(x) <= tol:
        return QSqrt(0, 0)
    with mpmath.workdps(30):
        rel = mpmath.pslq([mpmath.mpf(x), 1, mpmath.sqrt(2)], tol=tol * max(1.0, abs(x)),
                          maxcoeff=max_coeff, maxsteps=10_000)
    if rel is None or rel[0] == 0:
        return None
    v = QSqrt(Fraction(-rel[1], rel[0]), Fraction(-rel[2], rel[0]))
    if abs(float(v) - x) > 10 * tol * max(1.0, abs(x)):
        return None
    return v


def _float_sym(M: dict, n: int) -> np.ndarray:
    A = np.zeros((n, n))
    for (r, c), v in M.items():
        A[r, c] += float(v) / 2
        A[c, r] += float(v) / 2
    return A


def refine_face(data: Any, lam: np.ndarray, tau: float, W: np.ndarray, piv: list[int], active: list[int],
                G: np.ndarray, iters: int = 40, free_tau: bool = False
                ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Gauss-Newton (minimum-norm steps) on the optimality conditions restricted to the face, tau fixed:
    dual S(lam) W = 0 and sum lam_i b_i = c - tau b0; primal G = W X W^T (X symmetric k x k) and F with
    the inequalities of ``active`` tight and the initial condition equal to 1. Unknowns: the multipliers
    in ``active``, the entries of W off the identity rows ``piv``, X and F. The primal part pins the
    kernel down when the dual face is not a point. With ``free_tau`` tau is an unknown too (the system is
    then the KKT system on the face: its solution is the optimum, up to the PSD conditions). Returns
    (lam, W, tau, max residual)."""
    n, m, nf = data.n, len(data.constraints), data.nf
    As = [_float_sym(con.M, n) for con in data.constraints]
    A0 = _float_sym(data.initial.M, n)
    C = _float_sym(data.objective_M, n)
    Bm = np.zeros((nf, m))
    for i, con in enumerate(data.constraints):
        for k, v in con.b.items():
            Bm[k, i] += float(v)
    b0 = np.array([float(data.initial.b.get(k, 0)) for k in range(nf)])
    cvec = np.array([float(data.objective_b.get(k, 0)) for k in range(nf)])
    k = W.shape[1]
    free = [r for r in range(n) if r not in piv]
    xpairs = [(a, b) for a in range(k) for b in range(a, k)]
    lam, W = lam.copy(), W.copy()
    X = G[np.ix_(piv, piv)].copy()  # G = W X W^T with W[piv] = I
    prim = [*(As[i] for i in active), A0]
    prim_b = [*(Bm[:, i] for i in active), b0]
    prim_rhs = np.zeros(len(prim))
    prim_rhs[-1] = 1.0
    Fv = np.linalg.lstsq(np.array(prim_b), prim_rhs - np.array([np.sum(A * G) for A in prim]), rcond=None)[0]
    na, nw, nx = len(active), len(free) * k, len(xpairs)
    res = math.inf
    for _ in range(iters):
        S = sum((lam[i] * As[i] for i in active), start=tau * A0 - C)
        Gm = W @ X @ W.T
        F = np.concatenate([(S @ W).ravel(order="F"), Bm[:, active] @ lam[active] + tau * b0 - cvec,
                            [np.sum(A * Gm) + bb @ Fv - r for A, bb, r in zip(prim, prim_b, prim_rhs,
                                                                               strict=True)]])
        res = float(np.abs(F).max())
        if res < 1e-15:
            break
        J = np.zeros((F.size, na + nw + nx + nf + 1))
        for c, i in enumerate(active):
            J[: n * k, c] = (As[i] @ W).ravel(order="F")
        J[n * k: n * k + nf, :na] = Bm[:, active]
        for j in range(k):
            for c, r in enumerate(free):
                J[j * n:(j + 1) * n, na + j * len(free) + c] = S[:, r]
        o = n * k + nf
        for p, (A, bb) in enumerate(zip(prim, prim_b, strict=True)):
            D = 2 * A @ W @ X  # d tr(A W X W^T) / dW
            for j in range(k):
                J[o + p, na + j * len(free): na + (j + 1) * len(free)] = D[free, j]
            AW = W.T @ A @ W
            for c, (a, b) in enumerate(xpairs):
                J[o + p, na + nw + c] = AW[a, b] * (1 if a == b else 2)
            J[o + p, na + nw + nx: na + nw + nx + nf] = bb
        if free_tau:
            J[: n * k, -1] = (A0 @ W).ravel(order="F")
            J[n * k: n * k + nf, -1] = b0
        step = np.linalg.lstsq(J, -F, rcond=None)[0]
        lam[active] += step[:na]
        for j in range(k):
            W[free, j] += step[na + j * len(free): na + (j + 1) * len(free)]
        for c, (a, b) in enumerate(xpairs):
            X[a, b] += step[na + nw + c]
            X[b, a] = X[a, b]
        Fv = Fv + step[na + nw + nx: na + nw + nx + nf]
        if free_tau:
            tau += float(step[-1])
    return lam, W, tau, res


def kernel_start(S: np.ndarray, G: np.ndarray, k: int) -> tuple[np.ndarray, list[int]]:
    """A numeric kernel basis of S of dimension k with an identity block (rows ``piv``), from the top k
    eigenvectors of the worst-case Gram matrix G when it has rank k, else from S."""
    import scipy.linalg

    wg, Vg = np.linalg.eigh(G)
    good_g = np.isfinite(wg).all() and wg[-k] > 1e-6 * max(1.0, wg[-1])
    Vk = Vg[:, -k:] if good_g else np.linalg.eigh(S)[1][:, :k]
    _, _, piv = scipy.linalg.qr(Vk.T, pivoting=True)
    piv = sorted(int(p) for p in piv[:k])
    return Vk @ np.linalg.inv(Vk[piv, :]), piv


def recognize_basis(W: np.ndarray, piv: list[int]) -> list[list[list[QSqrt]]]:
    """Candidate exact bases (columns, as lists of QSqrt) from the refined W, by increasing coefficient
    bound."""
    out: list[list[list[QSqrt]]] = []
    for tol, max_coeff in ((1e-9, 10**3), (1e-11, 10**5)):
        cand = []
        for j in range(W.shape[1]):
            col = []
            for r in range(W.shape[0]):
                if r in piv:
                    col.append(QSqrt(1 if r == piv[j] else 0, 0))
                    continue
                v = recognize_q2(float(W[r, j]), tol, max_coeff)
                if v is None:
                    break
                col.append(v)
            else:
                cand.append(col)
                continue
            break
        if len(cand) == W.shape[1] and cand not in out:
            out.append(cand)
    return out


def split_solve(E: list[list[QSqrt]], rhs: list[QSqrt], guess: list[float], order: list[int],
                bits: int = 30) -> list[QSqrt] | None:
    """An exact solution over Q(sqrt 2) of E x = rhs with x zero off ``order``; the free unknowns keep
    dyadic rational values of ``guess``. None if the system is inconsistent.

    x_i = a_i + b_i sqrt 2; row e.x = r splits into a rational part sum (e_a a + 2 e_b b) = r_a and a
    sqrt 2 part sum (e_b a + e_a b) = r_b. Columns are interleaved a_i, b_i in ``order``: the earliest
    independent columns then come in pairs (the column span of the earlier ones is closed under
    multiplication by sqrt 2), i.e. the pivots are the Q(sqrt 2)-pivots."""

    cols = 2 * len(order)
    g = [Fraction(round(guess[i] * (1 << bits)), 1 << bits) for i in order]
    rows = []
    for row, r in zip(E, rhs, strict=True):
        ra, rb = r.a, r.b
        ea_row = [Fraction(0)] * cols
        eb_row = [Fraction(0)] * cols
        for c, i in enumerate(order):
            e = row[i]
            if e.a or e.b:
                ea_row[2 * c] = e.a
                ea_row[2 * c + 1] = 2 * e.b
                eb_row[2 * c] = e.b
                eb_row[2 * c + 1] = e.a
                ra -= e.a * g[c]
                rb -= e.b * g[c]
        rows.append((ea_row, ra))
        rows.append((eb_row, rb))
    delta = rref_particular([row for row, _ in rows], [r for _, r in rows], cols)
    if delta is None:
        return None
    x = [Fraction(0)] * cols
    for c in range(len(order)):
        x[2 * c] = g[c]
    x = [a + b for a, b in zip(x, delta, strict=True)]
    out = [QSqrt(0, 0)] * len(E[0]) if E else []
    for c, i in enumerate(order):
        out[i] = QSqrt(x[2 * c], x[2 * c + 1])
    return out


def exact_face_q2(data: Any, tau: Exact, W: list[list[QSqrt]], lam_num: np.ndarray,
                  thresholds: tuple[float, ...] = (1e-7, 1e-5, 1e-9, 1e-4)
                  ) -> tuple[list[QSqrt] | None, list[dict] | None, str]:
    """Multipliers over Q(sqrt 2) with S W = 0 and the linear equalities exact at ``tau``, and an exact
    LDL^T of S (constraints in ``data.all_constraints`` order, tau last)."""
    cons = data.constraints
    n, m = data.n, len(cons)
    tau = as_q2(tau)
    half = Fraction(1, 2)
    zero = QSqrt(0, 0)
    E: list[list[QSqrt]] = [[zero] * m for _ in range(data.nf)]
    for i, con in enumerate(cons):
        for k, v in con.b.items():
            E[k][i] = E[k][i] + as_q2(v)
    rhs = [as_q2(data.objective_b.get(k, 0)) - tau * as_q2(data.initial.b.get(k, 0)) for k in range(data.nf)]

    def times(M: dict, w: list[QSqrt]) -> list[QSqrt]:
        out = [zero] * n
        for (r, c), v in M.items():
            v = as_q2(v) * half
            out[r] = out[r] + v * w[c]
            out[c] = out[c] + v * w[r]
        return out

    for w in W:  # S(lam) w = 0: sum_i lam_i A_i w = C w - tau A0 w
        colsw = [times(con.M, w) for con in cons]
        Cw, A0w = times(data.objective_M, w), times(data.initial.M, w)
        for r in range(n):
            E.append([col[r] for col in colsw])
            rhs.append(Cw[r] - tau * A0w[r])
    top = float(lam_num[:m].max()) if m else 1.0
    reason = "no threshold gave a consistent exact system over Q(sqrt 2)"
    tried = []
    for thr in thresholds:
        order = sorted((i for i in range(m) if lam_num[i] > thr * top), key=lambda i: -lam_num[i])
        if order in tried:
            continue
        tried.append(order)
        lam = split_solve(E, rhs, list(lam_num), order)
        if lam is None:
            continue
        if any(v < 0 for v in lam):
            reason = "the exact system forces a negative multiplier"
            continue
        full = [*lam, tau]
        cols = ldl_q2(exact_S(data, full))
        if cols is None:
            reason = "the reconstructed S is not PSD (exact LDL^T over Q(sqrt 2))"
            continue
        return full, cols, f"{len(order)} unknown multipliers, exact LDL^T over Q(sqrt 2)"
    return None, None, reason


def reconstruct_q2(data: Any, bound: Exact, time_limit: float | None, solve_dual: Any
                   ) -> tuple[list | None, list | None, str]:
    """The Q(sqrt 2) reconstruction method: (multipliers with tau last, PSD columns, info) or
    (None, None, reason). ``solve_dual`` is :func:`pep.certificate.solve_dual` (passed in to avoid an
    import cycle).

    The optimum is first refined (Newton on the KKT system of the optimal face, tau free): if the refined
    value exceeds the bound (1e-11 relative) there is nothing to prove; the candidate tau is the bound when
    the optimum is at it, else the optimum recognized in Q(sqrt 2) (a certificate of a smaller value)."""
    sol = solve_dual(data, None, solver="clarabel", time_limit=time_limit)
    if not sol["ok"]:
        hint = " (the dual is infeasible: the PEP is unbounded)" if "Infeasible" in sol["status"] else ""
        return None, None, f"high-accuracy solve failed ({sol['status']}){hint}"
    fb = float(bound)
    S, G = sol["S"], sol["G"]
    w = np.linalg.eigvalsh(S)
    k = int(np.sum(w < 1e-6 * max(1.0, float(np.abs(w).max()))))
    m = len(data.constraints)
    lam0 = sol["lam"][:m]
    top = float(lam0.max()) if m else 1.0
    active = [i for i in range(m) if lam0[i] > 1e-9 * top]
    tau_num, tol, how = sol["tau"], 1e-7, "Clarabel"
    if k:
        W0, piv = kernel_start(S, G, k)
        lam1, W1, tau1, res = refine_face(data, lam0, sol["tau"], W0, piv, active, G, free_tau=True)
        if res < 1e-12 and abs(tau1 - sol["tau"]) < 1e-6 * (1 + abs(fb)):
            tau_num, tol, how = tau1, 1e-11, "refined"
            lam0, W0 = np.maximum(lam1, 0.0), W1
    if tau_num > fb + tol * (1 + abs(fb)):
        return None, None, f"the numeric worst case {tau_num:.14g} ({how}) exceeds the bound {fb:.14g}"
    taus: list[Exact] = []
    if abs(tau_num - fb) <= tol * (1 + abs(fb)):
        taus.append(bound)
    for rtol, mc in ((1e-9, 10**3), (1e-11, 10**5)):
        t = recognize_q2(tau_num, max(rtol, tol), mc)
        if t is not None and t <= as_q2(bound) and all(t != x for x in taus):
            taus.append(t if t.b else t.a)
    if not taus:
        return None, None, f"no exact value in Q(sqrt 2) found for the optimum {tau_num:.14g}"
    reason = "no candidate worked"
    for tau in taus:
        if k == 0:
            bases: list[list[list[QSqrt]]] = [[]]
            lam_ref, res = lam0, 0.0
        else:
            lam_ref, W, _, res = refine_face(data, lam0, float(tau), W0, piv, active, G)
            if res > 1e-9:
                reason = f"Newton refinement on the optimal face did not converge (residual {res:.1e})"
                continue
            bases = recognize_basis(W, piv)
            if not bases:
                reason = "the kernel basis was not recognized in Q(sqrt 2)"
                continue
        for basis in bases:
            lam, cols, why = exact_face_q2(data, tau, basis, np.maximum(lam_ref, 0.0))
            if lam is not None:
                return lam, cols, (f"tau = {tau}, kernel of dimension {k} in Q(sqrt 2) (Newton residual "
                                   f"{res:.1e}), {why}")
            reason = why
    return None, None, reason


__all__ = ["recognize_q2", "refine_face", "kernel_start", "recognize_basis", "split_solve", "ldl_q2",
           "exact_face_q2", "reconstruct_q2", "as_q2"]
