"""Per-section counts of a certification run, for verify/claims/README.md.

``python -m verify.sections RESULTS.json`` prints a markdown table: for every section of the text (the
sections and a reader's count of their checkable claims are in verify/coverage/text_sections.toml) the
claims in the text, those encoded and how many were certified, refuted and left inconclusive (errors count
as inconclusive: they are not verdicts), and what was left out. A claim belongs to the section its source
line falls in."""

from __future__ import annotations

import bisect
import json
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

TEXT_SECTIONS = Path(__file__).parent / "coverage" / "text_sections.toml"
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


def coverage_markdown(results: list[dict[str, Any]], path: Path = TEXT_SECTIONS) -> str:
    """The README table: per text section, claims in the text (a reader's count), encoded, the verdicts,
    and the qualitative claims left out."""
    sections = tomllib.loads(path.read_text(encoding="utf-8"))["section"]
    by_text: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sec in sections:
        by_text[sec["text"]].append(sec)
    counts: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        cite = re.search(r"(00[02])_[0-9a-f]+\.txt:(\d+)", str(r.get("source", "")))
        if not cite or cite.group(1) not in by_text:
            continue
        starts = [sec["line"] for sec in by_text[cite.group(1)]]
        i = max(bisect.bisect_right(starts, int(cite.group(2))) - 1, 0)
        c = counts[(cite.group(1), i)]
        c["encoded"] += 1
        verdict = r.get("verdict", "")
        c[verdict if verdict in ("certified", "refuted") else "inconclusive"] += 1
    lines = ["| text | section | line | in the text | encoded | certified | refuted | inconclusive | "
             "left out (qualitative) | what the checkable claims are |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for text in sorted(by_text, key=lambda t: t != "002"):
        total: dict[str, int] = defaultdict(int)
        for i, sec in enumerate(by_text[text]):
            c = counts[(text, i)]
            row = [sec["checkable"], c["encoded"], c["certified"], c["refuted"], c["inconclusive"],
                   sec["qualitative"]]
            for k, v in zip(("checkable", "encoded", "certified", "refuted", "inconclusive", "qualitative"),
                            row, strict=True):
                total[k] += v
            lines.append(f"| {text} | {sec['title']} | {sec['line']} | " + " | ".join(map(str, row))
                         + f" | {sec['note']} |")
        lines.append(f"| **{text}** | **all** | | **{total['checkable']}** | **{total['encoded']}** | "
                     f"**{total['certified']}** | **{total['refuted']}** | **{total['inconclusive']}** | "
                     f"**{total['qualitative']}** | |")
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
    print(coverage_markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
