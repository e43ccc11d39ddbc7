"""A vectorized float64 builder of PEPs (any :class:`pep.methods.Method`): data straight as scipy sparse.

Same problem, basis, constraint order and names as :func:`pep.problem.build_pep` (read its module
docstring), but in float64 and without one Python dict per inequality: every interpolation inequality of
the class is a sum of terms ``w <u, v>`` with u, v rows of small dense matrices (one row per pair), and all
pairs' outer products are expanded at once with numpy index arithmetic. The exact builder stays the source
of truth for certificates; this one feeds the float solver at large N (``tests/test_fastbuild.py`` checks
that both give the same data).

Matrix form (SCS's convention): ``svec(G)`` stacks the lower triangle of G column by column with the
off-diagonal entries multiplied by sqrt 2, so ``tr(M G) = a . svec(G)`` with ``a_rr = M_rr`` and
``a_rc = (M_rc + M_cr) / sqrt 2`` for r > c.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sps

from pep.classes import CLASSES, FunctionClass
from pep.methods import Method, gd
from pep.problem import INITIAL_CONDITIONS, METRICS, MIN_METRICS, PEPData

SQRT2 = math.sqrt(2.0)


@dataclass
class FloatPEP:
    """A PEP in float64 matrix form: rows ``A @ svec(G) + B @ F <= rhs``, objective ``C . svec(G) + c . F``.

    The initial condition is the last row (named ``"initial"``), as in :attr:`PEPData.all_constraints`.
    """

    n: int
    nf: int
    A: sps.csr_matrix
    B: sps.csr_matrix
    rhs: np.ndarray
    C: np.ndarray
    c: np.ndarray
    names: list[str]
    description: dict[str, Any] = field(default_factory=dict)

    @property
    def m(self) -> int:
        """The number of inequalities, initial condition included."""
        return self.A.shape[0]

    @property
    def nsv(self) -> int:
        """The length of svec(G)."""
        return self.n * (self.n + 1) // 2


def svec_position(r: np.ndarray, c: np.ndarray, n: int, order: str = "scs") -> np.ndarray:
    """Position of entry (r, c) (either triangle) in the solver's scaled triangle of size n: SCS's lower
    triangle column-major (``"scs"``), or Clarabel's upper triangle column-major (``"clarabel"``)."""
    lo = np.minimum(r, c).astype(np.int64)
    hi = np.maximum(r, c).astype(np.int64)
    if order == "clarabel":
        return hi * (hi + 1) // 2 + lo
    return lo * n - lo * (lo - 1) // 2 + hi - lo


def svec_index(n: int, order: str = "scs") -> np.ndarray:
    """``idx[r, c]``: position of entry (r, c) in the solver's svec (see :func:`svec_position`)."""
    r, c = np.indices((n, n))
    return svec_position(r, c, n, order)


def smat(v: np.ndarray, n: int) -> np.ndarray:
    """The symmetric n x n matrix of an svec (inverse of :func:`svec`)."""
    r, c = np.tril_indices(n)
    out = np.zeros((n, n))
    vals = np.asarray(v, dtype=float)[svec_position(r, c, n)]
    vals = np.where(r == c, vals, vals / SQRT2)
    out[r, c] = vals
    out[c, r] = vals
    return out


def svec(M: np.ndarray) -> np.ndarray:
    """SCS's svec of a symmetric matrix (lower triangle column-major, off-diagonal times sqrt 2)."""
    n = M.shape[0]
    r, c = np.tril_indices(n)
    out = np.empty(n * (n + 1) // 2)
    out[svec_position(r, c, n)] = np.where(r == c, M[r, c], M[r, c] * SQRT2)
    return out


def _outer_entries(U: sps.csr_matrix, V: sps.csr_matrix, w: float,
                   n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, svec column and value of ``w <U_p, V_p>`` for every row p at once (duplicates not summed)."""
    m = U.shape[0]
    nu = np.diff(U.indptr)
    nv = np.diff(V.indptr)
    ue_row = np.repeat(np.arange(m, dtype=np.int64), nu)
    cnt = nv[ue_row]
    total = int(cnt.sum())
    ue = np.repeat(np.arange(U.nnz, dtype=np.int64), cnt)
    starts = np.cumsum(cnt) - cnt
    within = np.arange(total, dtype=np.int64) - np.repeat(starts, cnt)
    ve = np.repeat(V.indptr[:-1][ue_row].astype(np.int64), cnt) + within
    r = U.indices[ue]
    c = V.indices[ve]
    vals = w * U.data[ue] * V.data[ve]
    vals = np.where(r == c, vals, vals / SQRT2)
    return ue_row[ue], svec_position(r, c, n), vals


def _rows(entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]], m: int, ncols: int) -> sps.csr_matrix:
    """Sum entries into an m x ncols CSR matrix and drop round-off zeros of cancelled terms."""
    if entries:
        rows = np.concatenate([e[0] for e in entries])
        cols = np.concatenate([e[1] for e in entries])
        vals = np.concatenate([e[2] for e in entries])
    else:
        rows = cols = np.zeros(0, dtype=np.int64)
        vals = np.zeros(0)
    out = sps.csr_matrix((vals, (rows, cols)), shape=(m, ncols))
    out.sum_duplicates()
    if out.nnz:
        cutoff = 64 * np.finfo(float).eps * float(np.abs(out.data).max())
        out.data[np.abs(out.data) <= cutoff] = 0.0
        out.eliminate_zeros()
    return out


def _class_terms(name: str, q: float) -> list[tuple[str, str, float]]:
    """The interpolation inequality ``tr(M G) + f_j - f_i <= 0`` as terms ``(u, v, w)``: M = sum w u v^T.

    Vectors: ``dx = x_i - x_j``, ``dg = g_i - g_j``, ``gj = g_j``, ``e = dx - dg``.
    """
    if name == "smooth-convex":
        return [("gj", "dx", 1.0), ("dg", "dg", 0.5)]
    if name == "smooth-strongly-convex":
        w = 1.0 / (2.0 * (1.0 - q))
        return [("gj", "dx", 1.0), ("dg", "dg", w), ("dx", "dx", w * q), ("dg", "dx", -2.0 * w * q)]
    if name == "smooth":
        return [("gj", "dx", 1.0), ("dg", "dg", 0.5), ("e", "e", -0.25)]
    raise ValueError(f"unknown class '{name}' (one of {', '.join(CLASSES)})")


def point_coordinates(Hf: np.ndarray, has_star: bool) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Labels, coordinates of the points and of their gradients in the Gram basis (x_0 - x*, g_0..g_N), and
    the index of each point's function value (-1 for x*, whose f* = 0), for the step matrix ``Hf``:
    x* = 0 when ``has_star``, then x_0..x_N with x_{k+1} = x_0 - sum_i H[k][i] g_i."""
    N = Hf.shape[0]
    n = N + 2
    labels = (["*"] if has_star else []) + [str(k) for k in range(N + 1)]
    off = 1 if has_star else 0
    X = np.zeros((len(labels), n))
    Gr = np.zeros((len(labels), n))
    X[off:, 0] = 1.0
    for k in range(N + 1):
        X[off + k, 1:k + 1] = -Hf[k - 1, :k] if k else 0.0
        Gr[off + k, k + 1] = 1.0
    fidx = np.array(([-1] if has_star else []) + list(range(N + 1)), dtype=np.int64)
    return labels, X, Gr, fidx


def step_matrix(method: Method) -> np.ndarray:
    """The method's lower-triangular step matrix H in float64 (row k gives x_{k+1})."""
    N = method.N
    Hf = np.zeros((N, N))
    for k, row in enumerate(method.H):
        Hf[k, :k + 1] = [float(c) for c in row]
    if not np.all(np.isfinite(Hf)):
        raise ValueError("the method's coefficients must be finite")
    return Hf


def pair_values(name: str, q: float, method: Method, G: np.ndarray, F: np.ndarray
                ) -> tuple[list[str], np.ndarray]:
    """Every ordered pair's interpolation expression ``tr(M G) + f_j - f_i`` (<= 0 when the inequality
    holds) at a worst case (G, F), as a P x P array over the labels (the diagonal is 0): the full
    problem's interpolation rows evaluated without building them (O(N^2) numbers, not O(N^4))."""
    labels, X, Gr, fidx = point_coordinates(step_matrix(method), name != "smooth")
    family = {"dx": X, "dg": Gr, "e": X - Gr}
    out = np.zeros((len(labels), len(labels)))
    for u, v, w in _class_terms(name, q):
        if u == "gj":  # <g_j, x_i - x_j>, as entry [i, j]
            M = Gr @ G @ X.T
            out += w * (M.T - np.diag(M)[None, :])
        else:  # <a_i - a_j, b_i - b_j>
            M = family[u] @ G @ family[v].T
            d = np.diag(M)
            out += w * (d[:, None] + d[None, :] - M - M.T)
    f = np.where(fidx >= 0, np.asarray(F)[np.maximum(fidx, 0)], 0.0)
    out += f[None, :] - f[:, None]
    np.fill_diagonal(out, 0.0)
    return labels, out


def build_pep_float(fclass: FunctionClass | str, method: Method | Sequence[Any], initial: str, metric: str,
                    pairs: Sequence[tuple[str, str]] | None = None, q: float | None = None) -> FloatPEP:
    """The PEP of :func:`pep.problem.build_pep` in float64 matrix form, built with numpy only.

    ``fclass`` is a :class:`FunctionClass` or a class name (then ``q = m/L`` is given separately);
    ``method`` is a :class:`Method` or gradient descent's steps (floats or exact numbers, converted with
    ``float``); ``pairs`` restricts the interpolation pairs.
    """
    if isinstance(fclass, FunctionClass):
        name, qf = fclass.name, float(fclass.q)
    else:
        name, qf = fclass, float(q or 0.0)
    if name not in CLASSES:
        raise ValueError(f"unknown class '{name}' (one of {', '.join(CLASSES)})")
    if name == "smooth-strongly-convex" and not 0 < qf < 1:
        raise ValueError("smooth-strongly-convex needs 0 < m < L")
    if initial not in INITIAL_CONDITIONS:
        raise ValueError(f"unknown initial condition '{initial}'")
    if metric not in METRICS:
        raise ValueError(f"unknown metric '{metric}'")
    if not isinstance(method, Method):
        h = np.array([float(s) for s in method], dtype=float)
        if h.size == 0 or not np.all(np.isfinite(h)) or np.any(h <= 0):
            raise ValueError("steps must be a non-empty list of finite positive numbers")
        method = gd(list(h))
    N = method.N
    Hf = step_matrix(method)
    has_star = name != "smooth"
    if not has_star and (initial == "distance" or metric == "distance"):
        raise ValueError("the nonconvex class has no minimizer: distance conditions are undefined")
    n = N + 2
    nf = N + 1 + (1 if metric in MIN_METRICS else 0)
    nsv = n * (n + 1) // 2
    labels, X, Gr, fidx = point_coordinates(Hf, has_star)
    off = 1 if has_star else 0
    P = len(labels)
    # the ordered pairs, in the exact builder's order
    ii, jj = np.meshgrid(np.arange(P), np.arange(P), indexing="ij")
    ii, jj = ii.ravel(), jj.ravel()
    keep = ii != jj
    if pairs is not None:
        pos = {lab: k for k, lab in enumerate(labels)}
        wanted = np.zeros((P, P), dtype=bool)
        for a, b in pairs:
            if a not in pos or b not in pos:
                raise ValueError(f"pair ({a}, {b}) names a point that is not in the problem")
            wanted[pos[a], pos[b]] = True
        keep &= wanted[ii, jj]
    ii, jj = ii[keep], jj[keep]
    npairs = ii.size
    dx = X[ii] - X[jj]
    dg = Gr[ii] - Gr[jj]
    vec = {"dx": dx, "dg": dg, "gj": Gr[jj], "e": dx - dg}
    csr = {k: sps.csr_matrix(v) for k, v in vec.items()}
    entries = [_outer_entries(csr[u], csr[v], w, n) for u, v, w in _class_terms(name, qf)]
    names = [f"interp({labels[i]},{labels[j]})" for i, j in zip(ii.tolist(), jj.tolist(), strict=True)]
    brow = [np.arange(npairs), np.arange(npairs)]
    bcol = [fidx[jj], fidx[ii]]
    bval = [np.ones(npairs), -np.ones(npairs)]
    row = npairs
    if not has_star:
        brow.append(np.arange(row, row + P))
        bcol.append(fidx)
        bval.append(-np.ones(P))
        names += [f"lower-bound({lab})" for lab in labels]
        row += P
    if metric in MIN_METRICS:
        count = N + 1 if MIN_METRICS[metric] else N  # every iterate, or x_0..x_{N-1}
        k = np.arange(count)
        r = np.arange(row, row + count)
        entries.append((r, svec_position(k + 1, k + 1, n), -np.ones(count)))
        brow.append(r)
        bcol.append(np.full(count, N + 1))
        bval.append(np.ones(count))
        names += [f"min-grad({k})" for k in range(count)]
        row += count
    # initial condition, last row
    if initial == "distance":
        entries.append((np.array([row]), np.array([0]), np.array([1.0])))
    elif initial == "function-gap":
        brow.append(np.array([row]))
        bcol.append(np.array([0]))
        bval.append(np.array([1.0]))
    else:
        entries.append((np.array([row]), svec_position(np.array([1]), np.array([1]), n), np.array([1.0])))
    names.append("initial")
    m = row + 1
    A = _rows(entries, m, nsv)
    brow_a, bcol_a, bval_a = np.concatenate(brow), np.concatenate(bcol), np.concatenate(bval)
    ok = bcol_a >= 0
    B = _rows([(brow_a[ok], bcol_a[ok], bval_a[ok])], m, nf)
    rhs = np.zeros(m)
    rhs[-1] = 1.0
    C = np.zeros(nsv)
    cvec = np.zeros(nf)
    if metric == "function-gap":
        cvec[N] = 1.0
    elif metric == "gradient-norm":
        C[svec_position(np.array([N + 1]), np.array([N + 1]), n)] = 1.0
    elif metric == "distance":
        xN = X[off + N]
        C = svec(np.outer(xN, xN))
    elif metric == "decrease":
        cvec[0], cvec[N] = 1.0, -1.0
    else:
        cvec[N + 1] = 1.0
    return FloatPEP(n=n, nf=nf, A=A, B=B, rhs=rhs, C=C, c=cvec, names=names,
                    description={"class": name, "N": N, "initial": initial, "metric": metric,
                                 "q": qf, "pairs": None if pairs is None else len(pairs), "builder": "float",
                                 "method": method.name})


def from_exact(data: PEPData) -> FloatPEP:
    """Convert exact :class:`PEPData` to the same float64 matrix form (entry by entry: for small N)."""
    n = data.n
    nsv = n * (n + 1) // 2
    rows, cols, vals, frows, fcols, fvals = [], [], [], [], [], []
    cons = data.all_constraints
    for i, con in enumerate(cons):
        for (r, c), v in con.M.items():
            rows.append(i)
            cols.append((r, c))
            vals.append(float(v) if r == c else float(v) / SQRT2)
        for k, v in con.b.items():
            frows.append(i)
            fcols.append(k)
            fvals.append(float(v))
    rc = np.array(cols, dtype=np.int64).reshape(-1, 2)
    pos = svec_position(rc[:, 0], rc[:, 1], n)
    m = len(cons)
    A = _rows([(np.array(rows, dtype=np.int64), pos, np.array(vals))], m, nsv)
    B = _rows([(np.array(frows, dtype=np.int64), np.array(fcols, dtype=np.int64), np.array(fvals))], m,
              data.nf)
    rhs = np.array([float(c.rhs) for c in cons])
    C = np.zeros(nsv)
    for (r, c), v in data.objective_M.items():
        C[svec_position(np.array([r]), np.array([c]), n)] += float(v) if r == c else float(v) / SQRT2
    cvec = np.zeros(data.nf)
    for k, v in data.objective_b.items():
        cvec[k] += float(v)
    return FloatPEP(n=n, nf=data.nf, A=A, B=B, rhs=rhs, C=C, c=cvec, names=[c.name for c in cons],
                    description={**data.description, "builder": "exact"})


build_gd_pep_float = build_pep_float  # the name from when gradient descent was the only method


__all__ = ["FloatPEP", "build_pep_float", "build_gd_pep_float", "from_exact", "smat", "svec", "svec_index",
           "svec_position"]
