"""Results document -> PDF: validate, build the typst source and pictures, compile with typst, write.

Entry point of ``python -m verify report`` and ``certify --report``. The PDF depends on the results
document only (its date is the document's ``generated`` time), so the same results give the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reports.assets import Assets
from reports.typst_doc import document
from reports.validate import parse_generated, validate


def build_source(doc: Mapping[str, Any], *, typst_math: bool = True) -> tuple[str, Assets]:
    """The typst source and its SVG files for a results document (ValueError when it is malformed)."""
    validate(doc)
    assets = Assets()
    return document(doc, assets, typst_math=typst_math), assets


def compile_source(source: str, assets: Assets, timestamp: int | None = None) -> bytes:
    """Compile typst ``source`` (with ``assets`` beside it) to PDF bytes, with the embedded fonts only."""
    import typst

    with tempfile.TemporaryDirectory(prefix="gradverify-report-") as tmp:
        root = Path(tmp)
        for name, data in assets.files.items():
            (root / name).write_bytes(data)
        main = root / "report.typ"
        main.write_text(source, encoding="utf-8")
        kwargs: dict[str, Any] = {"root": str(root), "ignore_system_fonts": True}
        if timestamp is not None:
            kwargs["timestamp"] = timestamp
        return typst.compile(str(main), **kwargs)


def render_pdf(doc: Mapping[str, Any]) -> bytes:
    """The report PDF for a results document; statements typst cannot set fall back to mathtext pictures."""
    import typst

    stamp = parse_generated(doc.get("generated")) if isinstance(doc, Mapping) else None
    timestamp = int(stamp.timestamp()) if stamp else 0
    source, assets = build_source(doc)
    try:
        return compile_source(source, assets, timestamp)
    except typst.TypstError as first:
        source, assets = build_source(doc, typst_math=False)
        try:
            return compile_source(source, assets, timestamp)
        except typst.TypstError:
            raise RuntimeError(f"typst failed: {' '.join(str(first).split())[:300]}") from None


def write_report(doc: dict[str, Any], out: Path) -> None:
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
