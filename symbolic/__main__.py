"""``python -m symbolic silver [--kappa K ...] [--full]``: the Silver step sizes, printed exactly.

The first eight convex steps h_t = 1 + rho^(nu(t) - 1) in Q(sqrt 2), then for each kappa the strongly
convex recursion z_1 = 1/kappa, z_2n = z_n (xi + sqrt(1 + xi^2)), xi = 1 - z_n, n = 1, 2, 4, ..., 64:
the exact nested radical (shortened unless --full) next to its 50-digit value, and the same recursion run
independently in mpmath at 60 digits; the last column is their difference.
"""

from __future__ import annotations

import argparse
import sys

import mpmath
import sympy as sp

from symbolic.derivations import silver_convex, silver_strongly_convex

SHOWN_CHARS = 120  # exact forms longer than this are shortened unless --full


def independent_z(kappa: int, n_max: int) -> dict[int, mpmath.mpf]:
    """The recursion in plain mpmath (no sympy), for the cross-check."""
    out, n = {}, 1
    with mpmath.workdps(60):
        z = mpmath.mpf(1) / kappa
        while n <= n_max:
            out[n] = z
            xi = 1 - z
            z, n = z * (xi + mpmath.sqrt(1 + xi * xi)), 2 * n
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the tables; exit 1 if the exact and independent values disagree beyond 1e-45."""
    parser = argparse.ArgumentParser(prog="python -m symbolic", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["silver"])
    parser.add_argument("--kappa", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--n-max", type=int, default=64)
    parser.add_argument("--full", action="store_true", help="print exact forms in full")
    args = parser.parse_args(argv)
    print("Silver convex steps h_1..h_8 (exact, Q(sqrt 2)):")
    print("  " + ", ".join(str(h) for h in silver_convex(8)))
    worst = mpmath.mpf(0)
    for kappa in args.kappa:
        table = silver_strongly_convex(kappa, args.n_max).results["z"]
        check = independent_z(kappa, args.n_max)
        print(f"\nkappa = {kappa}: z_n exact | 50 digits | independent mpmath - exact")
        for n, z in table.items():
            text = str(z)
            if len(text) > SHOWN_CHARS and not args.full:
                text = f"{text[:SHOWN_CHARS]}... ({len(text)} chars)"
            value = sp.N(z, 50)
            with mpmath.workdps(60):
                diff = check[n] - mpmath.mpf(str(sp.N(z, 60)))
            worst = max(worst, abs(diff))
            print(f"  n = {n:3d}: {text}\n           = {value}   (diff {mpmath.nstr(diff, 3)})")
    ok = worst < mpmath.mpf("1e-45")  # 60-digit runs of a 6-level recursion agree far below this
    verdict = "ok" if ok else "MISMATCH"
    print(f"\nlargest difference exact vs independent: {mpmath.nstr(worst, 3)} ({verdict})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
