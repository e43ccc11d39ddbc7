"""Results document -> PDF: validate, build the typst source and pictures, compile with typst, write.

Entry point of ``python -m verify report`` and ``certify --report``. The PDF depends on the results
document only (its date is the document's ``generated`` time), so the same results give the same bytes.

A report of up to ``PART_CHARS`` characters of markup (a few hundred claims) is compiled as one document
in this process. A larger one is cut into parts at block boundaries; each part is compiled by a fresh
worker process (``reports.typst_worker``: typst keeps every layout it memoized until its process ends,
about 0.5 MB per claim), while this process writes the markup of the next part. A last typst run
assembles the parts' pages (PDF pages embedded as images keep their text and fonts), numbers the pages
and puts the links from the summary to the entries back, from the positions the parts recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.assets import Assets
from reports.typst_doc import FOOTER, Block, blocks, document, document_settings, preamble
from reports.validate import parse_generated, validate

PART_CHARS = 600_000  # markup per part: about 450 claims, a worker of some 300 MB (10,000 claims: 25 parts)
PAGE = {"paper": '"a4"', "margin": "(x: 2.3cm, top: 2.5cm, bottom: 2.4cm)"}  # as in the preamble
LINK_ABOVE, LINK_BELOW, LINK_MIN_WIDTH = 9.0, 3.0, 60.0  # pt around a reference's baseline; wrapped ids
ENTRY_ABOVE = 20.0  # pt a link lands above an entry's heading baseline
FIGURE = "#figure("  # how reports.evidence starts a (numbered) figure
# the part's page count, from its start (a mark at the end could start a page of its own)
PAGES_MARK = '#context metadata((gv: "end", n: 0, pos: (page: counter(page).final().first())))\n'


def build_source(doc: Mapping[str, Any], *, typst_math: bool = True) -> tuple[str, Assets]:
    """The typst source, as one document, and its SVG files (ValueError when ``doc`` is malformed)."""
    doc = validate(doc)
    assets = Assets()
    return document(doc, assets, typst_math=typst_math), assets


def compile_source(source: str, assets: Assets, timestamp: int | None = None) -> bytes:
    """Compile typst ``source`` (with ``assets`` beside it) to PDF bytes, with the embedded fonts only."""
    import typst

    with tempfile.TemporaryDirectory(prefix="gradverify-report-") as tmp:
        root = Path(tmp)
        _write_assets(root, assets, set())
        main = root / "report.typ"
        main.write_text(source, encoding="utf-8")
        kwargs: dict[str, Any] = {"root": str(root), "ignore_system_fonts": True}
        if timestamp is not None:
            kwargs["timestamp"] = timestamp
        return typst.compile(str(main), **kwargs)


def render_pdf(doc: Mapping[str, Any]) -> bytes:
    """The report PDF for a results document; statements typst cannot set fall back to mathtext pictures."""
    import typst

    doc = validate(doc)
    stamp = parse_generated(doc.get("generated"))
    timestamp = int(stamp.timestamp()) if stamp else 0
    assets = Assets()
    parts = _pack(blocks(doc, assets))
    first = next(parts)
    second = next(parts, None)
    if second is None:
        try:
            return compile_source(preamble(doc) + "".join(b.markup for b in first), assets, timestamp)
        except typst.TypstError as exc:
            error = exc
        plain = Assets()
        source = preamble(doc) + "".join(b.markup for b in blocks(doc, plain, typst_math=False))
        try:
            return compile_source(source, plain, timestamp)
        except typst.TypstError:
            raise RuntimeError(f"typst failed: {' '.join(str(error).split())[:300]}") from None
    return _render_parts(doc, _chain(first, second, parts), assets, timestamp)


def write_report(doc: Mapping[str, Any], out: Path) -> None:
    """Write the PDF report for ``doc`` to ``out`` (atomically; ValueError for a malformed document)."""
    pdf = render_pdf(doc)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- a report in parts ------------------------------------------------------------------------------------

@dataclass
class _Part:
    index: int
    blocks: list[Block]
    figures: int  # figures in the parts before, so that numbering goes on
    pages: int = 0
    marks: list[dict[str, Any]] | None = None


def _pack(items: Iterable[Block]) -> Iterator[list[Block]]:
    """Consecutive blocks, at most ``PART_CHARS`` of markup (weighted by each block's cost) per list; a
    bigger block alone; a heading stays with the block after it."""
    part: list[Block] = []
    size = 0.0
    for block in items:
        weight = len(block.markup) * block.cost
        if part and size + weight > PART_CHARS:
            keep = len(part)
            while keep > 0 and part[keep - 1].heading:
                keep -= 1
            if keep:
                yield part[:keep]
                part = part[keep:]
                size = sum(len(b.markup) * b.cost for b in part)
        part.append(block)
        size += weight
    if part or size == 0:
        yield part


def _chain(first: list[Block], second: list[Block], rest: Iterator[list[Block]]) -> Iterator[list[Block]]:
    yield first
    yield second
    yield from rest


def _part_source(doc: Mapping[str, Any], part: _Part, plain: bool) -> str:
    body = "".join((b.plain() if plain and b.plain else b.markup) for b in part.blocks)
    resume = part.blocks[0].resume if part.blocks else ""
    figures = f"#counter(figure.where(kind: image)).update({part.figures})\n"
    return preamble(doc, part=part.index) + PAGES_MARK + figures + resume + body


def _render_parts(doc: Mapping[str, Any], parts: Iterator[list[Block]], assets: Assets,
                  timestamp: int) -> bytes:
    """Compile each part in a worker (the next part's markup is written meanwhile), then assemble."""
    with tempfile.TemporaryDirectory(prefix="gradverify-report-") as tmp:
        root = Path(tmp)
        written: set[str] = set()
        done: list[_Part] = []
        running: tuple[_Part, subprocess.Popen[str]] | None = None
        figures = 0
        for index, items in enumerate(parts):
            part = _Part(index, items, figures)
            figures += sum(b.markup.count(FIGURE) for b in items)
            source = _part_source(doc, part, plain=False)
            _write_assets(root, assets, written)
            if running:
                done.append(_finish(doc, root, *running, timestamp))
            (root / f"part-{index}.typ").write_text(source, encoding="utf-8")
            running = (part, _start(root, index, timestamp))
        if running:
            done.append(_finish(doc, root, *running, timestamp))
        (root / "report.typ").write_text(_assembly(doc, done), encoding="utf-8")
        proc = _start(root, None, timestamp)
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"typst failed assembling the report: {err.strip()[:300]}")
        return (root / "report.pdf").read_bytes()


def _start(root: Path, index: int | None, timestamp: int) -> subprocess.Popen[str]:
    name = "report" if index is None else f"part-{index}"
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "reports.typst_worker", str(root), str(root / f"{name}.typ"),
           str(root / f"{name}.pdf"), "-" if index is None else str(root / f"{name}.json"), str(timestamp)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


def _finish(doc: Mapping[str, Any], root: Path, part: _Part, proc: subprocess.Popen[str],
            timestamp: int) -> _Part:
    """Wait for a part's worker; if typst rejects the part, compile it again without typst math."""
    _, err = proc.communicate()
    if proc.returncode != 0 and any(b.plain for b in part.blocks):
        (root / f"part-{part.index}.typ").write_text(_part_source(doc, part, plain=True), encoding="utf-8")
        retry = _start(root, part.index, timestamp)
        _, again = retry.communicate()
        proc, err = retry, again or err
    if proc.returncode != 0:
        raise RuntimeError(f"typst failed on part {part.index + 1}: {' '.join(err.split())[:300]}")
    part.marks = json.loads((root / f"part-{part.index}.json").read_text(encoding="utf-8"))
    ends = [m["pos"]["page"] for m in part.marks if m.get("gv") == "end"]
    part.pages = max(ends) if ends else 1
    return part


def _pt(value: Any) -> float:
    """A typst length as serialized by ``typst query`` ("97.92pt") in points."""
    text = str(value)
    return float(text[:-2]) if text.endswith("pt") else float(text)


def _assembly(doc: Mapping[str, Any], parts: list[_Part]) -> str:
    """The typst source placing every page of every part, with page numbers and the links restored."""
    offsets, total = [], 0
    for part in parts:
        offsets.append(total)
        total += part.pages
    entries: dict[int, tuple[int, float]] = {}
    for part, offset in zip(parts, offsets, strict=True):
        for mark in part.marks or []:
            if mark.get("gv") == "entry":
                entries.setdefault(int(mark["n"]), (offset + int(mark["pos"]["page"]), _pt(mark["pos"]["y"])))
    links: dict[int, list[str]] = {}
    for part, offset in zip(parts, offsets, strict=True):
        start: dict[str, Any] | None = None
        for mark in part.marks or []:
            if mark.get("gv") == "from":
                start = mark
            elif mark.get("gv") == "to" and start is not None and start["n"] == mark["n"]:
                target = entries.get(int(mark["n"]))
                if target is not None:
                    page = offset + int(start["pos"]["page"])
                    links.setdefault(page, []).append(_link_box(start["pos"], mark["pos"], target))
                start = None
    out = [document_settings(doc),
           f"#set page(paper: {PAGE['paper']}, margin: {PAGE['margin']}, header: none, footer: {FOOTER})\n",
           '#set text(font: "New Computer Modern", size: 10.5pt, lang: "en")\n']
    page = 0
    for part in parts:
        for number in range(1, part.pages + 1):
            page += 1
            overlay = "".join(links.get(page, []))
            fore = f", foreground: [{overlay}]" if overlay else ""
            out.append(f'#page(background: image("part-{part.index}.pdf", page: {number}, width: 100%)'
                       f"{fore})[]\n")
    return "".join(out)


def _link_box(start: Mapping[str, Any], end: Mapping[str, Any], target: tuple[int, float]) -> str:
    """A transparent link over a reference (from its start mark to its end mark) to an entry."""
    x0, y0, x1, y1 = _pt(start["x"]), _pt(start["y"]), _pt(end["x"]), _pt(end["y"])
    if end["page"] != start["page"]:
        x1, y1 = x0 + LINK_MIN_WIDTH, y0
    left, right = (x0, x1) if y1 == y0 else (min(x0, x1), max(x0, x1, x0 + LINK_MIN_WIDTH))
    top, bottom = y0 - LINK_ABOVE, max(y0, y1) + LINK_BELOW
    page, y = target
    return (f"#place(top + left, dx: {left:.2f}pt, dy: {top:.2f}pt, link((page: {page}, x: 0pt, "
            f"y: {max(y - ENTRY_ABOVE, 0):.2f}pt), box(width: {max(right - left, 1):.2f}pt, "
            f"height: {bottom - top:.2f}pt)))")


def _write_assets(root: Path, assets: Assets, written: set[str]) -> None:
    for name, data in assets.files.items():
        if name not in written:
            (root / name).write_bytes(data)
            written.add(name)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
