"""Checks that a results document has the shape the report needs, with one-line messages naming the fault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

VERDICTS = ("certified", "refuted", "inconclusive", "error")
OPTIONAL_STR = ("expect", "summary", "kind", "statement", "source", "file")


def parse_generated(value: Any) -> dt.datetime | None:
    """The UTC time of ``generated`` ("2026-11-24T18:02:58Z"); None when absent; ValueError when malformed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"results file: field 'generated' must be an ISO date string, not {_type(value)}")
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"results file: field 'generated' is not an ISO date: {value[:60]!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def validate(doc: Any) -> None:
    """Raise ValueError with a one-line message if ``doc`` is not a usable results document."""
    if not isinstance(doc, Mapping):
        raise ValueError(f"results file: expected a JSON object, found {_type(doc)}")
    results = doc.get("results")
    if not isinstance(results, list):
        raise ValueError("results file: missing list field 'results'")
    parse_generated(doc.get("generated"))
    for key in ("suite", "suite_version"):
        if doc.get(key) is not None and not isinstance(doc[key], str | int | float):
            raise ValueError(f"results file: field '{key}' must be a string, not {_type(doc[key])}")
    paths = doc.get("paths")
    if paths is not None and not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
        raise ValueError("results file: field 'paths' must be a list of strings")
    seen: set[str] = set()
    for n, result in enumerate(results, start=1):
        where = f"results file: result {n}"
        if not isinstance(result, Mapping):
            raise ValueError(f"{where}: expected an object, found {_type(result)}")
        for key in ("id", "verdict"):
            if key not in result:
                raise ValueError(f"{where}: missing field '{key}'")
        if not isinstance(result["id"], str) or not result["id"].strip():
            raise ValueError(f"{where}: field 'id' must be a non-empty string")
        where = f"results file: result {n} ({result['id'][:60]!r})"
        if result["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(result["id"])
        if result["verdict"] not in VERDICTS:
            raise ValueError(f"{where}: verdict {str(result['verdict'])[:40]!r} is not one of "
                             + ", ".join(VERDICTS))
        for key in OPTIONAL_STR:
            if result.get(key) is not None and not isinstance(result[key], str):
                raise ValueError(f"{where}: field '{key}' must be a string, not {_type(result[key])}")
        if result.get("evidence") is not None and not isinstance(result["evidence"], Mapping):
            raise ValueError(f"{where}: field 'evidence' must be an object, not {_type(result['evidence'])}")
        seconds = result.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)):
            raise ValueError(f"{where}: field 'seconds' must be a number, not {_type(seconds)}")


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)
