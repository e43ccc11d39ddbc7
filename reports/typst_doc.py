"""The typst source of the report: title page, a summary table per section, then one entry per claim.

All user text reaches the source through ``reports.markup`` escaping or ``reports.statement`` conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from reports.assets import Assets
from reports.evidence import discrepancy_notes, evidence_markup, hypotheses_markup
from reports.markup import escape, mono, string_literal
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
    seeds: list[str] = []
    for r in doc["results"]:
        src = r.get("source")
        if isinstance(src, str) and src.strip():
            seed = src.rsplit(":", 1)[0] if src.rsplit(":", 1)[-1].isdigit() else src
            if seed not in seeds:
                seeds.append(seed)
    return seeds


def title_page(doc: Mapping[str, Any], stamp: dt.datetime | None) -> str:
    """Title, source, date, suite version and the counts per verdict."""
    results = doc["results"]
    tally = counts(results)
    missed = [r for r in results if r.get("expect") and r.get("expect") != r["verdict"]]
    suite = escape(str(doc.get("suite") or "gradverify"))
    version = escape(str(doc.get("suite_version") or "unknown"))
    paths = doc.get("paths") or []
    rows = "".join(f"[#badge(\"{v}\")], [{tally[v]}],\n" for v in VERDICTS)
    seeds = _sources(doc)
    newline = " \\ "
    claims_from = newline.join(mono(p) for p in paths) or "not recorded"
    source_texts = newline.join(mono(s) for s in seeds) or "not recorded"
    out = [
        "#v(3.5cm)\n",
        "#align(center)[#text(size: 2.1em, weight: \"bold\")[Verification report] \\\n",
        f"#v(0.3em) #text(size: 1.2em)[{suite} {version}]]\n\n#v(1.5cm)\n",
        "#align(center)[#table(columns: (auto, auto), stroke: none, align: (right, left), inset: 5pt,\n",
        f"[*Claims from*], [{claims_from}],\n",
        f"[*Source texts*], [{source_texts}],\n",
        f"[*Results generated*], [{escape(_human_date(stamp))}],\n",
        f"[*Suite version*], [{suite} {version}],\n",
        f"[*Claims checked*], [{len(results)}],\n",
        ")]\n\n#v(0.8cm)\n",
        "#align(center)[#table(columns: (auto, auto), align: (left, right), inset: (x: 10pt, y: 5pt),\n",
        "table.header([*verdict*], [*claims*]),\n", rows,
        f"[*not as expected*], [{len(missed)}],\n)]\n\n",
    ]
    if missed:
        out.append("#align(center)[Not as expected: "
                   + ", ".join(f"#link(<claim-{results.index(r) + 1}>)[{mono(r['id'])}]" for r in missed)
                   + "]\n\n")
    out.append(
        "#v(1fr)\n#block(width: 100%, inset: 8pt, stroke: 0.4pt + luma(190))[#set text(size: 0.9em)\n"
        "*How to read this report.* #badge(\"certified\") means the claim was proved: symbolically, in exact "
        "rational arithmetic, by a rigorous interval enclosure or by an exact certificate that can be "
        "re-checked independently. #badge(\"refuted\") means a witness was found and re-checked exactly; "
        "it is shown with the claim. #badge(\"inconclusive\") means neither a proof nor a witness was "
        "found. #badge(\"error\") means the claim could not be checked as written. The report is "
        "generated from the results file alone; the same file gives the same PDF.]\n"
        "#pagebreak()\n")
    return "".join(out)


def summary_tables(doc: Mapping[str, Any], assets: Assets, typst_math: bool) -> str:
    """One table per section: id, short statement, verdict badge and time, each row linking to its entry."""
    results = doc["results"]
    sections: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        sections.setdefault(section_of(r), []).append(i)
    out = ["= Summary\n\n"]
    if not results:
        out.append("The results file holds no results.\n\n")
    for name, indices in sections.items():
        sub = counts([results[i] for i in indices])
        tally = ", ".join(f"{n} {v}" for v, n in sub.items() if n)
        out.append(f"== {escape(name)}\n{escape(tally)}\n\n")
        cells = ["table.header([*id*], [*claim*], [*verdict*], [*time*])"]
        for i in indices:
            r = results[i]
            short = statement_markup(short_statement(r.get("statement") or ""), assets, typst_math=typst_math)
            cells.append(f"[#link(<claim-{i + 1}>)[{mono(r['id'])}]], [#text(size: 0.92em)[{short}]], "
                         f"[#badge(\"{r['verdict']}\")], [{escape(_seconds(r.get('seconds')))}]")
        out.append("#evtable(columns: (auto, 1fr, auto, auto), " + ", ".join(cells) + ")\n\n")
    return "".join(out)


def discrepancy_list(doc: Mapping[str, Any]) -> str:
    """A list of every float64 vs mpmath discrepancy in the results (empty when there is none)."""
    items = []
    for i, r in enumerate(doc["results"]):
        for note in discrepancy_notes(r.get("evidence")):
            items.append(f"- #link(<claim-{i + 1}>)[{mono(r['id'])}]: {escape(note)}\n")
    if not items:
        return "== float64 vs mpmath\nNo discrepancy between float64 and mpmath values was recorded.\n\n"
    return "== float64 vs mpmath discrepancies\n" + "".join(items) + "\n"


def entry(index: int, result: Mapping[str, Any], assets: Assets, typst_math: bool) -> str:
    """One claim: statement, hypotheses, verdict and evidence."""
    verdict = result["verdict"]
    meta = []
    if result.get("kind"):
        meta.append(f"kind {mono(result['kind'])}")
    if result.get("source"):
        meta.append(f"source {mono(result['source'])}")
    expect = result.get("expect")
    if expect:
        flag = "as expected" if expect == verdict else "#broken[NOT as expected]"
        meta.append(f"expected {escape(expect)} ({flag})")
    meta.append(f"time {escape(_seconds(result.get('seconds')))}")
    out = ["#block(breakable: false, width: 100%)[\n",
           f"=== {mono(result['id'])} #h(0.5em) #badge(\"{verdict}\") <claim-{index}>\n",
           "#text(size: 0.88em, fill: luma(70))[" + " · ".join(meta) + "]\n\n"]
    statement = result.get("statement")
    if statement:
        body = statement_markup(statement, assets, typst_math=typst_math)
        out.append(f"#statementbox(\"{verdict}\")[{body}]\n\n")
    else:
        out.append("#statementbox(\"error\")[_no statement recorded_]\n\n")
    hyps = hypotheses_markup(result)
    if hyps:
        out.append(f"*Hypotheses.* {hyps}\n\n")
    if result.get("summary"):
        out.append(f"*Verdict.* #badge(\"{verdict}\") {escape(result['summary'])}\n\n")
    else:
        out.append(f"*Verdict.* #badge(\"{verdict}\")\n\n")
    out.append("]\n")
    evidence = result.get("evidence")
    out.append(evidence_markup(evidence if isinstance(evidence, Mapping) else None, assets,
                               summary=result.get("summary")))
    out.append("#v(0.6em)\n")
    return "".join(out)


def document(doc: Mapping[str, Any], assets: Assets, *, typst_math: bool = True) -> str:
    """The complete typst source for a validated results document (pictures are added to ``assets``)."""
    stamp = parse_generated(doc.get("generated"))
    title = f"{doc.get('suite') or 'gradverify'} verification report"
    suite = escape(f"{doc.get('suite') or 'gradverify'} {doc.get('suite_version') or ''}".strip())
    header = (f"#set page(header: context {{ if counter(page).get().first() > 1 [#set text(size: 0.8em, "
              f"fill: luma(110)); {suite} verification report #h(1fr) {escape(_human_date(stamp))}] }}, "
              "footer: context [#set text(size: 0.8em, fill: luma(110)); #h(1fr) "
              "#counter(page).display(\"1 / 1\", both: true) #h(1fr)])\n")
    parts = [f"#set document(title: {string_literal(title)}, author: \"gradverify\", date: {_date(stamp)})\n",
             PREAMBLE, header, title_page(doc, stamp), summary_tables(doc, assets, typst_math),
             discrepancy_list(doc), "#pagebreak()\n= Claims\n\n"]
    sections: dict[str, list[int]] = {}
    for i, r in enumerate(doc["results"]):
        sections.setdefault(section_of(r), []).append(i)
    for name, indices in sections.items():
        parts.append(f"== {escape(name)}\n\n")
        parts += [entry(i + 1, doc["results"][i], assets, typst_math) for i in indices]
    return "".join(parts)
