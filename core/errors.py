"""Errors that become one-line messages naming the file, the claim and the field, never a traceback."""

from __future__ import annotations

import unicodedata

# bidirectional controls reorder what a terminal shows (a "Trojan source" line); they are escaped too
_BIDI = {"\u061c", "\u200e", "\u200f", *(chr(c) for c in range(0x202A, 0x202F)),
         *(chr(c) for c in range(0x2066, 0x206A))}


def printable(text: object) -> str:
    """``text`` on one line with whitespace runs collapsed and control, format and bidirectional
    characters shown as ``\\uXXXX`` escapes, so a crafted file cannot rewrite the terminal."""
    out = []
    for ch in " ".join(str(text).split()):
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


class ClaimError(Exception):
    """A claim (or a file of claims) that cannot be used; rendered as one line by :meth:`line`."""

    def __init__(self, message: str, *, field: str | None = None, claim_id: str | None = None,
                 file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.claim_id = claim_id
        self.file = file

    def located(self, *, file: str | None = None, claim_id: str | None = None) -> ClaimError:
        """Fill in the location where the raiser did not know it."""
        if self.file is None:
            self.file = file
        if self.claim_id is None:
            self.claim_id = claim_id
        return self

    def line(self) -> str:
        """``file: claim 'id': field 'f': message`` on one line."""
        parts = []
        if self.file:
            parts.append(printable(self.file))
        claim_id = printable(self.claim_id) if self.claim_id is not None else ""
        if claim_id:
            parts.append(f"claim '{claim_id}'")
        if self.field:
            parts.append(f"field '{printable(self.field)}'")
        text = printable(self.message)
        return ": ".join(parts + [text]) if parts else text


class FieldError(ClaimError):
    """Bad value in one field of a claim."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class CapExceeded(ClaimError):
    """A documented resource cap (expression size, exponent, digits, seconds) was hit."""

    def __init__(self, cap: str, message: str, field: str | None = None) -> None:
        super().__init__(f"cap '{cap}' exceeded: {message}", field=field)
        self.cap = cap
