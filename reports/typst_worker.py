"""Compile one part of a large report in a process of its own, so typst's memory is returned when it ends.

    python -m reports.typst_worker ROOT MAIN.typ OUT.pdf MARKS.json TIMESTAMP   (MARKS.json '-': none)

Typst memoizes every layout it computes and keeps it for the life of the process (measured: three
300-page documents compiled in one process hold 244, 437 and 630 MB), so ``reports.render`` gives each
part a fresh worker. The worker writes the PDF and the position marks the part left (``metadata`` with a
``gv`` key: references, entries and the end) as JSON. A typst error is one line on stderr and exit 3.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    """Compile ``argv = [root, main, pdf, marks, timestamp]``; 0 on success, 3 when typst rejects it."""
    import typst

    root, main_file, pdf_path, marks_path, timestamp = argv
    options = {"root": root, "ignore_system_fonts": True}
    try:
        pdf = typst.compile(main_file, timestamp=int(timestamp), **options)
        # the layout is memoized by the compile above, so this query costs little
        marks = json.loads(typst.query(main_file, "metadata", **options)) if marks_path != "-" else []
    except typst.TypstError as exc:
        print(" ".join(str(exc).split())[:500], file=sys.stderr)
        return 3
    with open(pdf_path, "wb") as fh:
        fh.write(pdf)
    if marks_path != "-":
        with open(marks_path, "w", encoding="utf-8") as fh:
            json.dump([m["value"] for m in marks if isinstance(m.get("value"), dict) and "gv" in m["value"]],
                      fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
