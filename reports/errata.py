"""The errata: every claim of the book that the suite refuted (or whose proof it found broken), in the
book's order, each with what the book says, what holds instead and the witness, in one line each."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reports.markup import escape, mono, truncate

BOOK_SOURCE = re.compile(r"^(?P<file>\d{3}_[0-9a-f]+\.txt):(?P<line>\d+)")
MAX_LINE = 400  # characters of the book's statement and of the witness shown per erratum


def _line(result: Mapping[str, Any]) -> tuple[str, int] | None:
    """(seed file, line) when the claim cites the book, else None (literature and synthetic claims)."""
    match = BOOK_SOURCE.match(str(result.get("source") or ""))
    return (match["file"], int(match["line"])) if match else None


def _broken_proof(result: Mapping[str, Any]) -> str | None:
    evidence = result.get("evidence")
    proof = evidence.get("proof") if isinstance(evidence, Mapping) else None
    return proof if isinstance(proof, str) and proof.startswith("broken") else None


def errata(results: list[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any], str]]:
    """(index in results, result, what is wrong) for every book claim refuted, with a broken proof, or
    certified where the book's true/false answer (``book_answer``) says false, in the book's order."""
    found = []
    for i, r in enumerate(results):
        where = _line(r)
        if where is None:
            continue
        book = r.get("book_answer")
        if r.get("verdict") == "refuted" and book == "false":
            continue  # a true/false exercise the book answers FALSE: the book is right
        if r.get("verdict") == "refuted":
            found.append((where, i, r, "false as stated" + (" (the book answers TRUE)" if book == "true"
                                                            else "")))
        elif r.get("verdict") == "certified" and book == "false":
            found.append((where, i, r, "the book answers FALSE, but the statement holds (certified)"))
        elif _broken_proof(r):
            found.append((where, i, r, f"the theorem holds but its proof is {_broken_proof(r)}"))
    return [(i, r, what) for _, i, r, what in sorted(found, key=lambda t: (t[0], t[1]))]


def errata_markup(results: list[Mapping[str, Any]]) -> list[str]:
    """One list item of markup per erratum (empty when the book has none in these results)."""
    items = []
    for i, r, what in errata(results):
        source = _line(r)
        assert source is not None
        statement = truncate(str(r.get("statement") or r["id"]), MAX_LINE)
        witness = truncate(str(r.get("summary") or ""), MAX_LINE)
        items.append(f"- line {source[1]} (#claimref({i + 1})[{mono(r['id'])}]): {escape(statement)} "
                     f"— *{escape(what)}*: {escape(witness)}\n")
    return items
