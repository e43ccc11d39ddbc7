"""The typst source of the report: title page, a summary table per section, then one entry per claim.

The report is a list of blocks (the title page, a summary table of at most ``ROWS_PER_TABLE`` rows, one
claim, ...) so that a large report can be compiled in parts (``reports.render``). All user text reaches
the source through ``reports.markup`` escaping or ``reports.statement`` conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import Any

from reports.assets import Assets
from reports.errata import errata_markup
from reports.evidence import discrepancy_notes, evidence_markup, hypotheses_markup, pictured
from reports.markup import escape, mono, string_literal, truncate
from reports.statement import short_statement, statement_markup
from reports.validate import VERDICTS, parse_generated

PREAMBLE = r"""
#let vcolor = (certified: rgb("#1b7f3b"), refuted: rgb("#b3261e"), inconclusive: rgb("#a15c00"),
  error: rgb("#5b5b66"))
#let badge(v) = box(fill: vcolor.at(v), inset: (x: 3.5pt, y: 2pt), outset: (y: 1pt), radius: 2pt,
  text(fill: white, weight: "bold", size: 0.78em, tracking: 0.04em, upper(v)))
#let evtable(..args) = block(width: 100%, table(stroke: 0.4pt + luma(190), inset: (x: 5pt, y: 3.5pt),
  align: left + horizon, ..args))
#let discrepancy(body) = block(fill: rgb("#fff4e0"), stroke: (left: 2pt + rgb("#a15c00")), inset: 6pt,
  width: 100%, body)
#let errorbox(body) = block(fill: luma(240), stroke: (left: 2pt + luma(90)), inset: 6pt, width: 100%, body)
#let broken(body) = text(fill: rgb("#b3261e"), weight: "bold", body)
#let brokenfill = rgb("#fde7e5")
#let statementbox(v, body) = block(width: 100%, inset: (left: 8pt, y: 5pt),
  stroke: (left: 2.5pt + vcolor.at(v)), text(size: 1.08em, body))
#set page(paper: "a4", margin: (x: 2.3cm, top: 2.5cm, bottom: 2.4cm))
#set text(font: "New Computer Modern", size: 10.5pt, lang: "en")
#set par(justify: true)
#set heading(numbering: none)
#show heading.where(level: 1): set text(size: 1.3em)
#show heading.where(level: 2): set text(size: 1.12em)
#show link: set text(fill: rgb("#1f4e9c"))
#set table(stroke: 0.4pt + luma(190))
#show table: set par(justify: false)
"""
FOOTER = ('context [#set text(size: 0.8em, fill: luma(110)); #h(1fr) '
          '#counter(page).display("1 / 1", both: true) #h(1fr)]')
# One document: a reference is a link to the entry's label.
SINGLE_REFS = """#let claimref(n, body) = link(label("claim-" + str(n)), body)
#let claimanchor(n) = none
"""
# A part of several: references and entries leave position marks; the assembly links them.
PART_REFS = """#let gvmark(kind, n) = box(context metadata((gv: kind, n: n, pos: here().position())))
#let claimref(n, body) = [#gvmark("from", n)#body#gvmark("to", n)]
#let claimanchor(n) = gvmark("entry", n)
"""
ROWS_PER_TABLE = 40   # rows of a summary table (a page); longer sections get several tables
SUMMARY_COST = 2.5    # measured: 600 kB of summary tables took typst 600-770 MB, of entries 270-290 MB
MAX_LISTED = 8        # paths, source texts and missed expectations named on the title page
MAX_FIELD = 200       # characters of kind, source and expect shown
MAX_SUMMARY = 1000    # characters of a verdict's summary shown
MAX_STATEMENT = 3000  # characters of a statement shown (cut at a text boundary, never inside math)


@dataclass(frozen=True)
class Block:
    """A piece of the report: its markup, the heading to repeat when a part starts with it, and how to
    render it again without typst math (for a claim whose statement typst rejects)."""

    markup: str
    resume: str = ""
    plain: Callable[[], str] | None = None
    cost: float = 1.0  # typst memory per character of markup, relative to a claim's entry
    heading: bool = False  # a heading: never the last block of a part


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _date(stamp: dt.datetime | None) -> str:
    if stamp is None:
        return "none"
    return (f"datetime(year: {stamp.year}, month: {stamp.month}, day: {stamp.day}, hour: {stamp.hour}, "
            f"minute: {stamp.minute}, second: {stamp.second})")


def _human_date(stamp: dt.datetime | None) -> str:
    if stamp is None:
        return "date not recorded"
    return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}, {stamp:%H:%M} UTC"


def _seconds(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def section_of(result: Mapping[str, Any]) -> str:
    """The section a result belongs to: the stem of its claim file, e.g. ``concrete_examples``."""
    file = result.get("file")
    return PurePath(file).stem if isinstance(file, str) and file.strip() else "other"


def counts(results: list[Mapping[str, Any]]) -> dict[str, int]:
    """Results per verdict, counted from the results themselves."""
    return {v: sum(r["verdict"] == v for r in results) for v in VERDICTS}


def _sources(doc: Mapping[str, Any]) -> list[str]:
    seeds: dict[str, None] = {}
    for r in doc["results"]:
        src = r.get("source")
        if isinstance(src, str) and src.strip():
            seeds.setdefault(src.rsplit(":", 1)[0] if src.rsplit(":", 1)[-1].isdigit() else src)
    return list(seeds)


def _listing(items: list[str], limit: int = MAX_LISTED) -> str:
    """Items in monospace, one per line, at most ``limit`` of them and a count of the rest."""
    shown = [mono(item) for item in items[:limit]]
    if len(items) > limit:
        shown.append(escape(f"and {len(items) - limit} more"))
    return " \\ ".join(shown) or "not recorded"


def title_page(doc: Mapping[str, Any], stamp: dt.datetime | None) -> str:
    """Title, source, date, suite version and the counts per verdict."""
    results = doc["results"]
    tally = counts(results)
    missed = [i for i, r in enumerate(results) if r.get("expect") and r.get("expect") != r["verdict"]]
    suite = escape(str(doc.get("suite") or "gradverify"))
    version = escape(str(doc.get("suite_version") or "unknown"))
    rows = "".join(f"[#badge(\"{v}\")], [{tally[v]}],\n" for v in VERDICTS)
    out = [
        "#v(3.5cm)\n",
        "#align(center)[#text(size: 2.1em, weight: \"bold\")[Verification report] \\\n",
        f"#v(0.3em) #text(size: 1.2em)[{suite} {version}]]\n\n#v(1.5cm)\n",
        "#align(center)[#table(columns: (auto, auto), stroke: none, align: (right, left), inset: 5pt,\n",
        f"[*Claims from*], [{_listing(doc.get('paths') or [])}],\n",
        f"[*Source texts*], [{_listing(_sources(doc))}],\n",
        f"[*Results generated*], [{escape(_human_date(stamp))}],\n",
        f"[*Suite version*], [{suite} {version}],\n",
        f"[*Claims checked*], [{len(results)}],\n",
        ")]\n\n#v(0.8cm)\n",
        "#align(center)[#table(columns: (auto, auto), align: (left, right), inset: (x: 10pt, y: 5pt),\n",
        "table.header([*verdict*], [*claims*]),\n", rows,
        f"[*not as expected*], [{len(missed)}],\n)]\n\n",
    ]
    if missed:
        links = [f"#claimref({i + 1})[{mono(results[i]['id'])}]" for i in missed[:MAX_LISTED]]
        if len(missed) > MAX_LISTED:
            links.append(escape(f"and {len(missed) - MAX_LISTED} more (marked in the claims' entries)"))
        out.append("#align(center)[Not as expected: " + ", ".join(links) + "]\n\n")
    out.append(
        "#v(1fr)\n#block(width: 100%, inset: 8pt, stroke: 0.4pt + luma(190))[#set text(size: 0.9em)\n"
        "*How to read this report.* #badge(\"certified\") means the claim was proved: symbolically, in exact "
        "rational arithmetic, by a rigorous interval enclosure or by an exact certificate that can be "
        "re-checked independently. #badge(\"refuted\") means a witness was found and re-checked exactly; "
        "it is shown with the claim. #badge(\"inconclusive\") means neither a proof nor a witness was "
        "found. #badge(\"error\") means the claim could not be checked as written. The report is "
        "generated from the results file alone; the same file gives the same PDF.]\n"
        "#pagebreak(weak: true)\n")
    return "".join(out)


def _sections(results: list[Mapping[str, Any]]) -> dict[str, list[int]]:
    sections: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        sections.setdefault(section_of(r), []).append(i)
    return sections


def summary_table(results: list[Mapping[str, Any]], indices: list[int], assets: Assets,
                  typst_math: bool) -> str:
    """One summary table: id (linking to the entry), short statement, verdict badge and time per row."""
    cells = ["table.header([*id*], [*claim*], [*verdict*], [*time*])"]
    for i in indices:
        r = results[i]
        short = statement_markup(short_statement(r.get("statement") or ""), assets, typst_math=typst_math)
        cells.append(f"[#claimref({i + 1})[{mono(r['id'])}]], [#text(size: 0.92em)[{short}]], "
                     f"[#badge(\"{r['verdict']}\")], [{escape(_seconds(r.get('seconds')))}]")
    return "#evtable(columns: (auto, 1fr, auto, auto), " + ", ".join(cells) + ")\n\n"


def summary_blocks(doc: Mapping[str, Any], assets: Assets, typst_math: bool) -> Iterator[Block]:
    """The summary: per section a heading with the tally, then its tables of ``ROWS_PER_TABLE`` rows."""
    results = doc["results"]
    yield Block("= Summary\n\n" + ("" if results else "The results file holds no results.\n\n"),
                heading=bool(results))
    for name, indices in _sections(results).items():
        sub = counts([results[i] for i in indices])
        tally = ", ".join(f"{n} {v}" for v, n in sub.items() if n)
        yield Block(f"== {escape(name)}\n{escape(tally)}\n\n", heading=True)
        resume = f"== {escape(name)} (continued)\n\n"
        for start in range(0, len(indices), ROWS_PER_TABLE):
            rows = indices[start:start + ROWS_PER_TABLE]
            yield Block(summary_table(results, rows, assets, typst_math), resume,
                        partial(summary_table, results, rows, assets, False), SUMMARY_COST)


def discrepancy_blocks(doc: Mapping[str, Any]) -> list[Block]:
    """Every float64 vs mpmath discrepancy in the results, as a list (split every ``ROWS_PER_TABLE``)."""
    items = []
    for i, r in enumerate(doc["results"]):
        for note in discrepancy_notes(r.get("evidence")):
            items.append(f"- #claimref({i + 1})[{mono(r['id'])}]: {escape(note)}\n")
    if not items:
        return [Block("== float64 vs mpmath\nNo discrepancy between float64 and mpmath values was "
                      "recorded.\n\n")]
    title = "== float64 vs mpmath discrepancies"
    return [Block((title + "\n" if start == 0 else "") + "".join(items[start:start + ROWS_PER_TABLE]) + "\n",
                  title + " (continued)\n\n") for start in range(0, len(items), ROWS_PER_TABLE)]


def entry(index: int, result: Mapping[str, Any], assets: Assets, typst_math: bool, draw: bool = True) -> str:
    """One claim: statement, hypotheses, verdict and evidence (with its pictures when ``draw``)."""
    verdict = result["verdict"]
    meta = []
    if result.get("kind"):
        meta.append(f"kind {mono(truncate(result['kind'], MAX_FIELD))}")
    if result.get("source"):
        meta.append(f"source {mono(truncate(result['source'], MAX_FIELD))}")
    expect = result.get("expect")
    if expect:
        flag = "as expected" if expect == verdict else "#broken[NOT as expected]"
        meta.append(f"expected {escape(truncate(expect, MAX_FIELD))} ({flag})")
    meta.append(f"time {escape(_seconds(result.get('seconds')))}")
    out = ["#block(breakable: false, width: 100%)[\n",
           f"=== #claimanchor({index}){mono(result['id'])} #h(0.5em) #badge(\"{verdict}\") <claim-{index}>\n",
           "#text(size: 0.88em, fill: luma(70))[" + " · ".join(meta) + "]\n\n"]
    statement = result.get("statement")
    if statement:
        body = statement_markup(short_statement(statement, MAX_STATEMENT), assets, typst_math=typst_math)
        out.append(f"#statementbox(\"{verdict}\")[{body}]\n\n")
    else:
        out.append("#statementbox(\"error\")[_no statement recorded_]\n\n")
    hyps = hypotheses_markup(result)
    if hyps:
        out.append(f"*Hypotheses.* {hyps}\n\n")
    if result.get("summary"):
        out.append(f"*Verdict.* #badge(\"{verdict}\") {escape(truncate(result['summary'], MAX_SUMMARY))}\n\n")
    else:
        out.append(f"*Verdict.* #badge(\"{verdict}\")\n\n")
    out.append("]\n")
    evidence = result.get("evidence")
    out.append(evidence_markup(evidence if isinstance(evidence, Mapping) else None, assets,
                               summary=result.get("summary"), draw=draw))
    out.append("#v(0.6em)\n")
    return "".join(out)


def entry_blocks(doc: Mapping[str, Any], assets: Assets, typst_math: bool) -> Iterator[Block]:
    """The claims: a heading per section and one block per claim (which can be rendered again without
    typst math when typst rejects the part it lands in)."""
    results = doc["results"]
    drawn = pictured(results)
    yield Block("#pagebreak(weak: true)\n= Claims\n\n", heading=True)
    for name, indices in _sections(results).items():
        yield Block(f"== {escape(name)}\n\n", heading=True)
        resume = f"== {escape(name)} (continued)\n\n"
        for i in indices:
            yield Block(entry(i + 1, results[i], assets, typst_math, i in drawn), resume,
                        partial(entry, i + 1, results[i], assets, False, i in drawn))


def errata_blocks(doc: Mapping[str, Any]) -> list[Block]:
    """The errata section (see :mod:`reports.errata`), split every ``ROWS_PER_TABLE`` items."""
    items = errata_markup(doc["results"])
    title = ("= Errata\nEvery statement of the book that the suite refuted or whose proof it found broken, "
             "in the book's order, with the witness.\n\n")
    if not items:
        return [Block("= Errata\nNo statement citing the book was refuted in these results.\n\n",
                      heading=True)]
    return [Block((title if start == 0 else "") + "".join(items[start:start + ROWS_PER_TABLE]) + "\n",
                  "= Errata (continued)\n\n") for start in range(0, len(items), ROWS_PER_TABLE)]


def blocks(doc: Mapping[str, Any], assets: Assets, *, typst_math: bool = True) -> Iterator[Block]:
    """The whole report as blocks, in order: title page, errata, summary, discrepancies, claims (made
    lazily, so a part can be compiled while the next is written)."""
    yield Block(title_page(doc, parse_generated(doc.get("generated"))))
    yield from errata_blocks(doc)
    yield from summary_blocks(doc, assets, typst_math)
    yield from discrepancy_blocks(doc)
    yield from entry_blocks(doc, assets, typst_math)


def document_settings(doc: Mapping[str, Any]) -> str:
    """The PDF's title, author and date (the results' ``generated`` time)."""
    title = f"{doc.get('suite') or 'gradverify'} verification report"
    date = _date(parse_generated(doc.get("generated")))
    return f"#set document(title: {string_literal(title)}, author: \"gradverify\", date: {date})\n"


def preamble(doc: Mapping[str, Any], *, part: int | None = None) -> str:
    """Settings and helpers. ``part`` None: one whole document with its own links and page numbers; else
    part ``part`` of several, whose cross-references are position marks the assembly turns into links."""
    stamp = parse_generated(doc.get("generated"))
    suite = escape(f"{doc.get('suite') or 'gradverify'} {doc.get('suite_version') or ''}".strip())
    first = 2 if part in (None, 0) else 1
    date = escape(_human_date(stamp))
    header = (f"#set page(header: context {{ if counter(page).get().first() >= {first} [#set text("
              f"size: 0.8em, fill: luma(110)); {suite} verification report #h(1fr) {date}] }}, "
              f"footer: {FOOTER if part is None else 'none'})\n")
    refs = SINGLE_REFS if part is None else PART_REFS
    return document_settings(doc) + PREAMBLE + refs + header


def document(doc: Mapping[str, Any], assets: Assets, *, typst_math: bool = True) -> str:
    """The complete typst source, as one document, for a validated results document (pictures are added
    to ``assets``)."""
    return preamble(doc) + "".join(b.markup for b in blocks(doc, assets, typst_math=typst_math))
