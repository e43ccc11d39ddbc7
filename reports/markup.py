"""Escaping of untrusted text for typst markup and typst string literals.

Every piece of user-controlled text (ids, summaries, evidence values) goes through these helpers, so that
no claim or result can inject typst code into the report.
"""

from __future__ import annotations

import json
from typing import Any

ZWSP = "\u200b"
_SAFE = frozenset(" ")


def escape(text: str) -> str:
    """Typst markup showing ``text`` literally: every ASCII symbol backslash-escaped, newlines as spaces."""
    out: list[str] = []
    for ch in str(text):
        if ch in "\r\n\t\f\v":
            out.append(" ")
        elif ord(ch) < 32 or ord(ch) == 127:
            continue
        elif ch.isascii() and not ch.isalnum() and ch not in _SAFE:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def string_literal(text: str) -> str:
    """A typst string literal (with quotes) whose value is ``text``."""
    out: list[str] = ['"']
    for ch in str(text):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def breakable(text: str, run: int = 20) -> str:
    """``text`` with zero-width spaces in long unbroken runs (after punctuation, else every ``run`` chars)."""
    out: list[str] = []
    since_space = 0
    for ch in str(text):
        out.append(ch)
        since_space = 0 if ch.isspace() else since_space + 1
        if since_space >= run and (not ch.isalnum() or since_space >= 2 * run):
            out.append(ZWSP)
            since_space = 0
    return "".join(out)


def mono(text: str) -> str:
    """Markup showing ``text`` in the monospace font, wrappable in narrow table cells."""
    return f"#text(font: \"DejaVu Sans Mono\", size: 0.85em)[{escape(breakable(text))}]"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis and the full length when cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 1)] + f"… ({len(text)} chars)"


def dump(value: Any, limit: int = 400) -> str:
    """A compact one-line JSON rendering of an evidence value (strings as they are), truncated."""
    if isinstance(value, str):
        return truncate(value, limit)
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return truncate(text, limit)
