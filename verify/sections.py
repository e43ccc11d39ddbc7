"""Per-section counts of a certification run, for verify/claims/README.md.

``python -m verify.sections RESULTS.json`` prints a markdown table: for every section of the text (its
first two levels, in the text's order) the claims encoded and how many were certified, refuted and left
inconclusive (errors count as inconclusive: they are not verdicts)."""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SEED_NAMES = {"002": "Chapter 09 (seed 002)", "000": "Variable step sizes (seed 000, section 2)"}


def section_rows(results: list[dict[str, Any]], depth: int = 2) -> list[tuple[str, str, dict[str, int]]]:
    """(text, section, counts) per section, ordered by the text and then by the first source line cited."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    first: dict[tuple[str, str], int] = {}
    for r in results:
        cite = re.search(r"(00[02])_[0-9a-f]+\.txt:(\d+)", str(r.get("source", "")))
        if not cite or not r.get("section"):
            continue
        key = (cite.group(1), " / ".join(r["section"].split(" / ")[:depth]))
        first[key] = min(first.get(key, 10**9), int(cite.group(2)))
        verdict = r.get("verdict", "")
        counts[key]["encoded"] += 1
        counts[key][verdict if verdict in ("certified", "refuted") else "inconclusive"] += 1
    order = sorted(counts, key=lambda k: (k[0] != "002", first[k]))
    return [(SEED_NAMES[seed], section, dict(counts[(seed, section)])) for seed, section in order]


def markdown(results: list[dict[str, Any]], depth: int = 2) -> str:
    """The table, one row per section, with a total per text."""
    lines = ["| text | section | encoded | certified | refuted | inconclusive |",
             "| --- | --- | --- | --- | --- | --- |"]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for text, section, c in section_rows(results, depth):
        lines.append(f"| {text} | {section} | {c.get('encoded', 0)} | {c.get('certified', 0)} | "
                     f"{c.get('refuted', 0)} | {c.get('inconclusive', 0)} |")
        for k, v in c.items():
            totals[text][k] += v
    for text, c in totals.items():
        lines.append(f"| **{text}** | **all** | **{c.get('encoded', 0)}** | **{c.get('certified', 0)}** | "
                     f"**{c.get('refuted', 0)}** | **{c.get('inconclusive', 0)}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table of the results file named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m verify.sections RESULTS.json", file=sys.stderr)
        return 2
    try:
        results = json.loads(Path(args[0]).read_text())["results"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"{args[0]}: not a results file ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
