"""Scale benchmark of the PDF report: write a results file of many small claims, time ``verify report``.

    python benchmarks/report_scale.py [--claims 10000] [--out DIR] [--no-run]

The results mirror what ``certify --json`` writes for small claims (numeric roundings and relations,
identities, refuted identities and inequalities with witnesses, caps hit, bad fields, a few rate claims
with a series to plot), with a different statement and different numbers per claim so that nothing is
shared between entries. The report runs in a subprocess under ``/usr/bin/time -v`` (when present, else
``resource.getrusage``); the script prints the wall seconds and the peak resident MB of that process.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

SECTIONS = 20  # claim files the results are spread over, as in a large registry


def _numeric_rounding(i: int) -> dict[str, Any]:
    p, q = i % 97 + 1, i % 89 + 2
    value = Fraction(p, q)
    printed = f"{float(value):.3f}"
    half = Fraction(1, 2000)
    lo, hi = Fraction(printed) - half, Fraction(printed) + half
    return {"kind": "numeric", "verdict": "certified",
            "statement": rf"Example {i}: $\frac{{{p}}}{{{q}}} \approx {printed}$",
            "summary": f"{p}/{q} = {float(value):.6g} rounds to {printed} (3 printed decimals)",
            "evidence": {"expr": f"{p}/{q}",
                         "values": {"float64": repr(float(value)), "mpmath": f"{float(value):.20f}",
                                    "digits": 50, "exact": str(value)},
                         "value": printed, "rounding": f"3 printed decimals: |expr - {printed}| <= 1/2000",
                         "interval": [str(lo), str(hi)], "method": "exact rational arithmetic"}}


def _numeric_relation(i: int) -> dict[str, Any]:
    m, big = i % 13 + 1, i % 17 + 20
    return {"kind": "numeric", "verdict": "certified",
            "statement": rf"Condition number $\kappa = L/m = {big}/{m}$ satisfies $\kappa \ge 1$",
            "summary": f"{big}/{m} >= 1 holds exactly",
            "evidence": {"expr": f"{big}/{m}", "relation": ">=", "value": "1",
                         "values": {"float64": repr(big / m), "mpmath": f"{big / m:.20f}", "digits": 50,
                                    "exact": str(Fraction(big, m))},
                         "value_values": {"float64": "1.0", "mpmath": "1.0", "digits": 50, "exact": "1"},
                         "method": "exact rational arithmetic"}}


def _identity(i: int) -> dict[str, Any]:
    a = i % 7 + 2
    return {"kind": "identity", "verdict": "certified",
            "statement": rf"$1 - \alpha m = \frac{{L - m}}{{L + m}}$ at $\alpha = \frac{{{a}}}{{m + L}}$",
            "summary": "sympy: lhs - rhs simplifies to 0",
            "evidence": {"lhs": f"1 - {a}*m/(m + L)", "rhs": "(L - m)/(L + m)",
                         "method": "sympy: lhs - rhs simplifies to 0"}}


def _refuted_identity(i: int) -> dict[str, Any]:
    x, y = i % 11 - 5, i % 5 - 2
    return {"kind": "identity", "verdict": "refuted",
            "statement": rf"Flipped cross term {i}: $\|x_{{k+1}} - x^*\|^2 = \|x_k - x^*\|^2 + 2\alpha "
                         rf"\nabla f(x_k)^\top (x_k - x^*)$",
            "summary": f"lhs != rhs for explicit vectors in R^2 (lhs - rhs = {4 * i + 40}, exact)",
            "evidence": {"lhs_gram": "<grad(x),grad(x)>*alpha**2 - 2*<x,grad(x)>*alpha + <x,x>",
                         "rhs_gram": "<grad(x),grad(x)>*alpha**2 + 2*<x,grad(x)>*alpha + <x,x>",
                         "basis": ["x", "xs", "grad(x)"], "method": "explicit vectors",
                         "witness": {"dimension": 2, "points": {"x": [str(x), "5"], "xs": [str(y), "-5"]},
                                     "gradients": {"x": ["5", "-3"]}, "parameters": {"alpha": "1/2"}},
                         "witness_check": f"exact rational arithmetic: lhs - rhs = {4 * i + 40} != 0"}}


def _refuted_inequality(i: int) -> dict[str, Any]:
    h = i % 9 + 3
    return {"kind": "inequality", "verdict": "refuted",
            "statement": rf"For $h = {h}/L$: $|1 - h L| \le 1$",
            "summary": f"fails at L = 1: |1 - {h}| = {h - 1} > 1",
            "evidence": {"lhs": f"Abs(1 - {h}*L/L)", "relation": "<=", "rhs": "1",
                         "difference": str(h - 2), "method": "sampling, then exact re-check",
                         "witness": {"L": "1", "h": f"{h}"},
                         "values": {"exact": str(h - 1), "float64": f"{h - 1}.0", "mpmath": f"{h - 1}.0"},
                         "witness_check": "exact rational arithmetic"}}


def _cap_error(i: int) -> dict[str, Any]:
    line = (f"error: claims/generated_{i % SECTIONS:02d}.toml: claim 'gen.{i}': field 'expr': integer "
            f"literal of {2001 + i % 50} digits is above the cap of 2000 digits")
    return {"kind": "numeric", "verdict": "error", "statement": rf"A huge power $10^{{{2001 + i}}}$",
            "summary": line, "evidence": {"cap": "max_int_digits", "message": line}}


def _cap_seconds(i: int) -> dict[str, Any]:
    line = f"error: claims/generated_{i % SECTIONS:02d}.toml: claim 'gen.{i}': over the cap of 120 seconds"
    return {"kind": "inequality", "verdict": "inconclusive",
            "statement": rf"Slow sampling {i}: $x^{{{i % 40 + 2}}} \ge 0$ on $[-1, 1]$",
            "summary": line, "evidence": {"cap": "seconds", "message": line}}


def _field_error(i: int) -> dict[str, Any]:
    line = f"error: claims/generated_{i % SECTIONS:02d}.toml: claim 'gen.{i}': field 'foo': unknown field"
    return {"kind": "numeric", "verdict": "error", "statement": f"Typo in claim {i}",
            "summary": line, "evidence": {"error": line, "field": "foo"}}


def _rate(i: int) -> dict[str, Any]:
    ns = (1, 2, 4, 8, 16)
    return {"kind": "rate", "verdict": "certified",
            "statement": rf"GD with $h = 1/L$: $f(x_N) - f^* \le \frac{{L R^2}}{{4N + {2 + i % 3}}}$",
            "summary": "exact certificate for N = 1..16",
            "evidence": {"method": "exact SDP certificate", "certificate": f"certs/gen.{i}.json",
                         "certificate_stats": {"size_bytes": 2048 + i, "max_denominator_digits": 12,
                                               "check_seconds": 0.05},
                         "series": [{"N": n, "worst_case": (1 - (i % 97) / 200) / (4 * n + 2),
                                     "bound": 1 / (4 * n + 2 + i % 3)} for n in ns]}}


# Weights per 100 claims: mostly the cheap kinds, a few of each of the others (rate claims with a
# picture each: 2 in 100).
TEMPLATES = ([_numeric_rounding] * 30 + [_numeric_relation] * 15 + [_identity] * 20 + [_refuted_identity] * 10
             + [_refuted_inequality] * 10 + [_cap_error] * 5 + [_cap_seconds] * 5 + [_field_error] * 3
             + [_rate] * 2)


def results_document(count: int) -> dict[str, Any]:
    """A results document of ``count`` small claims in the shape ``certify --json`` writes."""
    results = []
    for i in range(count):
        rec = TEMPLATES[i % len(TEMPLATES)](i)
        section = i % SECTIONS
        results.append({"id": f"gen.{section:02d}.{i}", "verdict": rec["verdict"], "expect": rec["verdict"],
                        "summary": rec["summary"], "kind": rec["kind"], "statement": rec["statement"],
                        "source": f"generated_{section:02d}.txt:{i + 1}",
                        "file": f"claims/generated_{section:02d}.toml", "evidence": rec["evidence"],
                        "seconds": round(0.001 + (i % 100) / 1000, 4)})
    counts = {v: sum(r["verdict"] == v for r in results) for v in ("certified", "refuted", "inconclusive",
                                                                    "error")}
    return {"suite": "gradverify", "suite_version": "bench", "generated": "2026-01-01T00:00:00Z",
            "paths": ["claims"], "counts": counts, "results": results}


def _tree_rss_mb(root: int) -> float:
    """Resident MB of process ``root`` and all its descendants now (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        rss[int(entry.name)] = int(found.group(1)) if found else 0
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree) / 1024


def measure(results: Path, pdf: Path) -> tuple[float, float, float]:
    """Run ``python -m verify report`` on ``results``: (wall seconds, peak MB of the largest process as
    ``/usr/bin/time -v`` reports it, peak MB of the whole process tree sampled every 0.2 s)."""
    cmd = [sys.executable, "-m", "verify", "report", str(results), "-o", str(pdf)]
    repo = Path(__file__).resolve().parents[1]
    timed = Path("/usr/bin/time").exists()
    start = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-v", *cmd] if timed else cmd, cwd=repo, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tree_peak = 0.0
    while proc.poll() is None:
        tree_peak = max(tree_peak, _tree_rss_mb(proc.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - start
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"report failed (exit {proc.returncode}): {err.strip()[-2000:]}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    if found:
        largest = int(found.group(1)) / 1024
    else:
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, largest, tree_peak


def main(argv: list[str] | None = None) -> int:
    """Write the results file, then (unless --no-run) time the report and print seconds and peak MB."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/report_scale"))
    parser.add_argument("--no-run", action="store_true", help="only write the results file")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = args.out / f"results-{args.claims}.json"
    results.write_text(json.dumps(results_document(args.claims)), encoding="utf-8")
    print(f"wrote {results} ({results.stat().st_size / 1e6:.1f} MB, {args.claims} claims)")
    if args.no_run:
        return 0
    pdf = args.out / f"report-{args.claims}.pdf"
    wall, largest, tree = measure(results, pdf)
    pages = _pages(pdf)
    print(f"report: {wall:.1f} s wall, peak RSS {largest:.0f} MB (largest process, /usr/bin/time -v), "
          f"{tree:.0f} MB (all processes together, sampled); {pdf.stat().st_size / 1e6:.1f} MB PDF"
          + (f", {pages} pages" if pages else ""))
    return 0


def _pages(pdf: Path) -> int | None:
    try:
        import pypdf
    except ImportError:
        return None
    return len(pypdf.PdfReader(str(pdf)).pages)


if __name__ == "__main__":
    raise SystemExit(main())
