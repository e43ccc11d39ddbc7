"""Reading and checking a results document: one-line messages naming the fault, a cleaned copy to render.

Everything the report will show passes through here first: a file too big, bytes that are not UTF-8, JSON
nested too deeply, integers too long to print, values of the wrong type at a known field, or a seconds
field that is not a finite number give a ``ValueError`` with a one-line message; strings are made safe
(invisible and bidirectional characters shown as ``\\uXXXX``) and cut when huge.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reports.markup import safe_text, truncate
from verify.schema import RESULTS_FORMAT

VERDICTS = ("certified", "refuted", "inconclusive", "error")
OPTIONAL_STR = ("expect", "summary", "kind", "statement", "source", "file", "book_answer", "section")
MAX_FILE_BYTES = 256 * 1024 * 1024   # 10,000 claims take about 6 MB; 256 MB is some 400,000 claims
MAX_DEPTH = 40                       # the deepest evidence the suite writes is about 8 levels below the root
MAX_INT_DIGITS = 1000                # the suite writes exact numbers as strings; Python prints <= 4300 digits
MAX_STRING = 100_000                 # longer strings are cut (the report shows at most a few thousand chars)
MAX_ID = 1000                        # an id is a name; anything longer is not one


class _LongInt:
    """Stands in for a JSON integer too long to convert, so the message can say where it is."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(text: str) -> int | _LongInt:
    digits = len(text.lstrip("-"))
    return _LongInt(digits) if digits > MAX_INT_DIGITS else int(text)


def read_results(path: Path) -> Any:
    """The parsed results file at ``path`` (not yet validated); ValueError with a one-line reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(f"cannot read results: the file has {size / 2**20:.0f} MB, above the report's "
                             f"cap of {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read results: {exc.strerror or type(exc).__name__}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"cannot read results: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise ValueError(f"cannot read results: invalid JSON: {exc.msg} (line {exc.lineno}, column "
                         f"{exc.colno})") from None
    except RecursionError:
        raise ValueError("cannot read results: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. a number Python cannot convert
        raise ValueError(f"cannot read results: {_short(str(exc), 120)}") from None


def parse_generated(value: Any) -> dt.datetime | None:
    """The UTC time of ``generated`` ("2026-11-24T18:02:58Z"); None when absent; ValueError when malformed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"results file: field 'generated' must be an ISO date string, not {_type(value)}")
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"results file: field 'generated' is not an ISO date: {_short(value, 60)}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    try:
        return stamp.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"results file: field 'generated' is out of range: {_short(value, 60)}") from None


def validate(doc: Any) -> dict[str, Any]:
    """A cleaned copy of ``doc`` ready to render; ValueError with a one-line message if it is not usable."""
    if not isinstance(doc, Mapping):
        raise ValueError(f"results file: expected a JSON object, found {_type(doc)}")
    doc = _clean(doc, "results file", "", 0)
    results = doc.get("results")
    if not isinstance(results, list):
        raise ValueError("results file: missing list field 'results'")
    parse_generated(doc.get("generated"))
    fmt = doc.get("format")
    if fmt is not None and fmt != RESULTS_FORMAT:  # absent: a hand-written or older file, read as it stands
        shown = _short(fmt, 60) if isinstance(fmt, str) else _type(fmt)
        raise ValueError(f"results file: field 'format' is {shown}; this report reads '{RESULTS_FORMAT}'")
    for key in ("suite", "suite_version"):
        if doc.get(key) is not None and (isinstance(doc[key], bool) or not isinstance(doc[key], str | int)):
            raise ValueError(f"results file: field '{key}' must be a string, not {_type(doc[key])}")
    paths = doc.get("paths")
    if paths is not None and not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
        raise ValueError("results file: field 'paths' must be a list of strings")
    seen: set[str] = set()
    for n, result in enumerate(results, start=1):
        _check_result(n, result, seen)
    return doc


def _check_result(n: int, result: Any, seen: set[str]) -> None:
    where = f"results file: result {n}"
    if not isinstance(result, Mapping):
        raise ValueError(f"{where}: expected an object, found {_type(result)}")
    for key in ("id", "verdict"):
        if key not in result:
            raise ValueError(f"{where}: missing field '{key}'")
    rid = result["id"]
    if not isinstance(rid, str) or not rid.strip():
        raise ValueError(f"{where}: field 'id' must be a non-empty string, not {_type(rid)}")
    if len(rid) > MAX_ID:
        raise ValueError(f"{where}: field 'id' has {len(rid)} characters (at most {MAX_ID})")
    where = f"results file: result {n} ({_short(rid, 60)})"
    if rid in seen:
        raise ValueError(f"{where}: duplicate id")
    seen.add(rid)
    verdict = result["verdict"]
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        shown = _short(verdict, 40) if isinstance(verdict, str) else _type(verdict)
        raise ValueError(f"{where}: field 'verdict' must be one of {', '.join(VERDICTS)}, not {shown}")
    for key in OPTIONAL_STR:
        if result.get(key) is not None and not isinstance(result[key], str):
            raise ValueError(f"{where}: field '{key}' must be a string, not {_type(result[key])}")
    if result.get("evidence") is not None and not isinstance(result["evidence"], Mapping):
        raise ValueError(f"{where}: field 'evidence' must be an object, not {_type(result['evidence'])}")
    seconds = result.get("seconds")
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"{where}: field 'seconds' must be a number, not {_type(seconds)}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"{where}: field 'seconds' must be a finite number >= 0, not {seconds}")


def _clean(value: Any, where: str, path: str, depth: int) -> Any:
    """A copy of a JSON value with safe, bounded strings; ValueError for what cannot be shown."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{_at(value, where, path)}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return safe_text(truncate(value, MAX_STRING) if len(value) > MAX_STRING else value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value  # NaN and infinities are shown as such ("NaN"); plots skip them
    if isinstance(value, _LongInt):
        raise ValueError(f"{_at(value, where, path)}: an integer of {value.digits} digits (at most "
                         f"{MAX_INT_DIGITS}; write long numbers as strings)")
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_DIGITS * 3.33:
            raise ValueError(f"{_at(value, where, path)}: an integer of more than {MAX_INT_DIGITS} digits")
        return value
    if isinstance(value, Mapping):
        if depth == 2 and path.startswith("results["):
            where, path = _result_where(value, where, path)
        return {(k if isinstance(k, str) else _short(k, 60)): _clean(v, where, _join(path, k), depth + 1)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v, where, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    # not from JSON: an object in the evidence of an in-memory run (certify --report); shown as
    # ``certify --json`` writes it (json's default=str)
    try:
        text = str(value)
    except Exception:  # a failing __str__ must not stop the report
        text = f"<{type(value).__name__}>"
    return _clean(text, where, path, depth)


def _result_where(result: Mapping[str, Any], where: str, path: str) -> tuple[str, str]:
    """Messages inside a result name it (``result 3 ('id')``) and the field from there."""
    n = int(path[len("results["):-1]) + 1
    rid = result.get("id")
    label = f" ({_short(rid, 60)})" if isinstance(rid, str) else ""
    return f"results file: result {n}{label}", ""


def _join(path: str, key: Any) -> str:
    key = key if isinstance(key, str) else _short(key, 60)
    return f"{path}.{key}" if path else key


def _at(value: Any, where: str, path: str) -> str:
    return f"{where}: field {_short(path, 60)}" if path else where


def _short(value: Any, limit: int) -> str:
    """A repr of ``value`` that is one line, at most about ``limit`` characters, and never fails."""
    if isinstance(value, str):
        return repr(safe_text(truncate(value, limit)))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    try:
        return truncate(repr(value), limit)
    except Exception:  # a hostile __repr__ must not turn a message into a traceback
        return type(value).__name__


def _type(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null", _LongInt: "a number"}
    return names.get(type(value), type(value).__name__)
