"""Soundness benchmark: the mutation corpus of ``tests/mutants.py`` through the real loader and checkers.

Every mutant is a tight true claim (exact value from the literature or an exact computation in the
generator) or a copy with a constant scaled by 1 + s 10^-k (k = 1 .. 30), a parameter shifted, or the
relation changed, with its truth computed exactly by the generator, never by the suite. Prints a table
per kind and every false verdict (the claim table as TOML, the verdict, the truth); exits 1 on any false
CERTIFIED, false REFUTED or ERROR.

    python benchmarks/soundness.py                        # all mutants (about 7000, ~10 min on 2 cores)
    python benchmarks/soundness.py --kinds quadratic numeric --per-kind 500 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.mutants lives in the repository, not in the installed package

from tests.mutants import KINDS, Outcome, corpus, run_mutants, sample, table_toml  # noqa: E402

COLUMNS = ("mutants", "certified", "refuted", "inconclusive", "error", "false certified", "false refuted")


def tabulate(outcomes: list[Outcome]) -> tuple[str, dict[str, Counter]]:
    """A markdown table per kind (and in all) of the verdicts and the false ones."""
    rows: dict[str, Counter] = {}
    for o in outcomes:
        for key in (o.mutant.kind, "all"):
            row = rows.setdefault(key, Counter())
            row["mutants"] += 1
            row[o.verdict] += 1
            row["false certified"] += o.false_certified
            row["false refuted"] += o.false_refuted
            row["true"] += o.mutant.truth
    order = [k for k in KINDS if k in rows] + ["all"]
    lines = ["| kind | " + " | ".join(COLUMNS) + " | true mutants | seconds |",
             "| --- |" + " --- |" * (len(COLUMNS) + 2)]
    seconds = Counter()
    for o in outcomes:
        seconds[o.mutant.kind] += o.seconds
        seconds["all"] += o.seconds
    for key in order:
        row = rows[key]
        lines.append(f"| {key} | " + " | ".join(str(row[c]) for c in COLUMNS)
                     + f" | {row['true']} | {seconds[key]:.1f} |")
    return "\n".join(lines), rows


def report_bad(outcomes: list[Outcome]) -> str:
    """Each false verdict or error: its claim table, what the suite said and the truth."""
    parts = []
    for o in outcomes:
        if not o.bad:
            continue
        what = "FALSE CERTIFIED" if o.false_certified else "FALSE REFUTED" if o.false_refuted else "ERROR"
        parts.append(f"## {what}: {o.mutant.id} (truth: {o.mutant.truth})\n{table_toml(o.mutant)}"
                     f"suite: {o.verdict}: {o.summary[:400]}\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Run the corpus, print the table and the false verdicts; 1 when there is any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--per-kind", type=int, default=0,
                        help="at most this many mutants of each kind (a fixed-seed sample; 0: all)")
    parser.add_argument("--seed", type=int, default=20261124, help="seed of the --per-kind sample")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time cap per claim")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument("--progress", action="store_true", help="print a line per bad verdict as it comes")
    args = parser.parse_args(argv)

    mutants = corpus(args.kinds)
    if args.per_kind:
        mutants = sample(mutants, {k: args.per_kind for k in args.kinds}, args.seed)
    counts = ", ".join(f"{k}: {sum(m.kind == k for m in mutants)}" for k in args.kinds)
    print(f"{len(mutants)} mutants ({counts})", flush=True)

    def on_result(o: Outcome) -> None:
        if args.progress and o.bad:
            print(f"  {o.verdict} {o.mutant.id} (truth {o.mutant.truth})", flush=True)

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="soundness-") as tmp:
        outcomes = run_mutants(mutants, Path(tmp), seconds=args.max_seconds, on_result=on_result)
    table, rows = tabulate(outcomes)
    bad = report_bad(outcomes)
    if bad:
        print(bad)
    print(table)
    print(f"wall time {time.perf_counter() - start:.0f} s")
    if args.json:
        args.json.write_text(json.dumps([{"id": o.mutant.id, "kind": o.mutant.kind, "truth": o.mutant.truth,
                                          "verdict": o.verdict, "summary": o.summary, "seconds": o.seconds,
                                          "table": o.mutant.table} for o in outcomes], indent=1),
                             encoding="utf-8")
    total = rows["all"]
    return 1 if total["false certified"] or total["false refuted"] or total["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
