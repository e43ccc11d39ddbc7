"""Escaping of untrusted text for typst markup and typst string literals.

Every piece of user-controlled text (ids, summaries, evidence values) goes through these helpers, so that
no claim or result can inject typst code into the report.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

ZWSP = "\u200b"
_SAFE = frozenset(" ")
# control, format (this includes every bidirectional control: U+061C, U+200E/F, U+202A-E, U+2066-9),
# surrogate, private-use and line/paragraph separator characters: shown as visible \uXXXX escapes
HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
WHITESPACE = "\r\n\t\f\v"


def visible(ch: str) -> str:
    """One character as it may appear in the report: itself, or ``\\uXXXX`` when it is invisible or
    reorders text (so a crafted id cannot look like another one); whitespace controls become a space."""
    if ch in WHITESPACE:
        return " "
    if ch != ZWSP and unicodedata.category(ch) in HIDDEN:
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def safe_text(text: str) -> str:
    """``text`` with every invisible or reordering character replaced by its visible escape."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text
    return "".join(visible(ch) for ch in text)


def escape(text: str) -> str:
    """Typst markup showing ``text`` literally: every ASCII symbol backslash-escaped, newlines as spaces,
    invisible and bidirectional characters as visible ``\\uXXXX``."""
    out: list[str] = []
    for ch in safe_text(text):
        if ch.isascii() and not ch.isalnum() and ch not in _SAFE:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def string_literal(text: str) -> str:
    """A typst string literal (with quotes) whose value is ``text`` (invisible characters made visible)."""
    out: list[str] = ['"']
    for ch in safe_text(text):
        if ch in '"\\':
            out.append("\\" + ch)
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
    except (TypeError, ValueError, RecursionError):  # validation rules these out; never fail on them
        text = f"<{type(value).__name__} not shown>"
    return truncate(text, limit)
