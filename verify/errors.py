"""Errors that become one-line messages naming the file, the claim and the field, never a traceback."""

from __future__ import annotations


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
            parts.append(str(self.file))
        claim_id = " ".join(str(self.claim_id).split()) if self.claim_id is not None else ""
        if claim_id:
            parts.append(f"claim '{claim_id}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        text = " ".join(self.message.split())
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
