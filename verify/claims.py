"""Reading claim files (TOML, one or more ``[[claim]]`` tables) into validated :class:`Claim` objects."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ClaimError
from verify.verdict import EXPECTABLE

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
COMMON_FIELDS = ("id", "statement", "source", "expect", "kind", "book_answer", "section", "reconstructed")
BOOK_ANSWERS = ("true", "false")  # a true/false exercise's answer as the book gives it (the report checks it)
DEFAULT_CLAIMS_DIR = Path(__file__).resolve().parent / "claims"


@dataclass
class Claim:
    """A claim with its common fields checked; ``fields`` holds the kind's own fields as written."""

    id: str
    kind: str
    statement: str
    file: str
    fields: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    expect: str | None = None
    book_answer: str | None = None
    section: str | None = None     # the part of the text the claim comes from (the registry table uses it)
    reconstructed: bool = False    # the formula was restated by the encoder (e.g. a display equation lost)

    def result_meta(self) -> dict[str, Any]:
        """The claim's descriptive fields as a result carries them."""
        return {"expect": self.expect, "kind": self.kind, "statement": self.statement, "source": self.source,
                "file": self.file, "book_answer": self.book_answer, "section": self.section,
                "reconstructed": self.reconstructed}

    def get(self, name: str, default: Any = None) -> Any:
        """A kind field, or ``default`` when absent."""
        return self.fields.get(name, default)


@dataclass
class Rejected:
    """A claim (or a whole file) that could not be used, with the one-line reason."""

    error: ClaimError
    id: str
    file: str
    expect: str | None = None
    statement: str | None = None
    kind: str | None = None


def find_claim_files(paths: list[str | Path]) -> tuple[list[Path], list[ClaimError]]:
    """Expand files and folders into ``.toml`` files, sorted; missing paths, unreadable folders, broken
    links and symlink loops are one-line errors (never skipped silently)."""
    files: list[Path] = []
    errors: list[ClaimError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            _walk(path, {path.resolve()}, files, errors)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(ClaimError("no such file or folder", file=str(path)))
    return files, errors


def _walk(folder: Path, ancestors: set[Path], files: list[Path], errors: list[ClaimError]) -> None:
    """Depth-first, sorted, following links to folders but not back into a folder being walked."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        errors.append(ClaimError(f"cannot read folder: {exc.strerror or exc}", file=str(folder)))
        return
    for entry in entries:
        try:
            if entry.is_dir():
                real = entry.resolve(strict=True)
                if real in ancestors:
                    errors.append(ClaimError(f"symlink loop: leads back to {real}", file=str(entry)))
                    continue
                _walk(entry, ancestors | {real}, files, errors)
            elif entry.suffix == ".toml":
                if entry.is_file():
                    files.append(entry)
                else:
                    errors.append(ClaimError("broken link or not a regular file", file=str(entry)))
        except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links between files
            errors.append(ClaimError(f"cannot follow: {getattr(exc, 'strerror', None) or exc}",
                                     file=str(entry)))


def load_file(path: Path, known_kinds: dict[str, Any]) -> tuple[list[Claim], list[Rejected]]:
    """Read one claim file; every unusable claim becomes a :class:`Rejected` with a one-line reason."""
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Rejected(ClaimError(f"cannot read file: {exc}", file=name), _file_id(path), name)]
    except tomllib.TOMLDecodeError as exc:
        return [], [Rejected(ClaimError(f"malformed TOML: {exc}", file=name), _file_id(path), name)]
    return parse_claims(data, name, known_kinds)


def parse_claims(data: Any, file: str, known_kinds: dict[str, Any]) -> tuple[list[Claim], list[Rejected]]:
    """Validate the tables of a parsed claim file."""
    claims: list[Claim] = []
    rejected: list[Rejected] = []
    fid = _file_id(Path(file))
    extra = sorted(set(data) - {"claim"})
    if extra:
        rejected.append(Rejected(ClaimError(f"unknown top-level key '{extra[0]}' (claims go in [[claim]] "
                                            "tables)", file=file), fid, file))
    tables = data.get("claim", [])
    if not isinstance(tables, list):
        rejected.append(Rejected(ClaimError("'claim' must be an array of tables: write [[claim]]",
                                            file=file), fid, file))
        return claims, rejected
    if not tables and not extra:
        rejected.append(Rejected(ClaimError("no [[claim]] tables in file", file=file), fid, file))
    for index, table in enumerate(tables, start=1):
        try:
            claims.append(_parse_one(table, index, file, known_kinds))
        except ClaimError as exc:
            cid = table.get("id") if isinstance(table, dict) else None
            label = cid if isinstance(cid, str) and ID_RE.match(cid) else f"{fid}#{index}"
            exc.located(file=file, claim_id=cid if isinstance(cid, str) else f"#{index}")
            expect = _str_or_none(table, "expect")
            rejected.append(Rejected(exc, label, file,
                                     expect=expect if expect in EXPECTABLE else None,
                                     statement=_str_or_none(table, "statement"),
                                     kind=_str_or_none(table, "kind")))
    return claims, rejected


def _parse_one(table: Any, index: int, file: str, known_kinds: dict[str, Any]) -> Claim:
    if not isinstance(table, dict):
        raise ClaimError(f"claim #{index} is not a table")
    for name in ("id", "statement", "kind"):
        if name not in table:
            raise ClaimError("missing required field", field=name)
    cid = table["id"]
    if not isinstance(cid, str) or not ID_RE.match(cid):
        raise ClaimError(f"id {cid!r} must match [a-z0-9][a-z0-9._-]*", field="id")
    for name in ("statement", "kind", "source", "expect", "book_answer", "section"):
        if name in table and not isinstance(table[name], str):
            raise ClaimError(f"must be a string, got {type(table[name]).__name__}", field=name, claim_id=cid)
    if "reconstructed" in table and not isinstance(table["reconstructed"], bool):
        raise ClaimError(f"must be true or false, got {type(table['reconstructed']).__name__}",
                         field="reconstructed", claim_id=cid)
    kind = table["kind"]
    if kind not in known_kinds:
        raise ClaimError(f"unknown kind '{kind}' (known: {', '.join(sorted(known_kinds))})", field="kind",
                         claim_id=cid)
    expect = table.get("expect")
    if expect is not None and expect not in EXPECTABLE:
        raise ClaimError(f"'{expect}' is not one of certified, refuted, inconclusive", field="expect",
                         claim_id=cid)
    if table.get("book_answer") not in (None, *BOOK_ANSWERS):
        raise ClaimError(f"'{table['book_answer']}' is not one of true, false", field="book_answer",
                         claim_id=cid)
    checker = known_kinds[kind]
    own = {k: v for k, v in table.items() if k not in COMMON_FIELDS}
    allowed = set(checker.required) | set(checker.optional)
    for name in own:
        if name not in allowed:
            raise ClaimError(f"unknown field for kind '{kind}' (allowed: {', '.join(sorted(allowed))})",
                             field=name, claim_id=cid)
    for name in checker.required:
        if name not in own:
            raise ClaimError(f"missing required field of kind '{kind}'", field=name, claim_id=cid)
    return Claim(id=cid, kind=kind, statement=table["statement"], file=file, fields=own,
                 source=table.get("source"), expect=expect, book_answer=table.get("book_answer"),
                 section=table.get("section"), reconstructed=table.get("reconstructed", False))


def _file_id(path: Path) -> str:
    return path.stem.lower() or "file"


def _str_or_none(table: Any, name: str) -> str | None:
    value = table.get(name) if isinstance(table, dict) else None
    return value if isinstance(value, str) else None
