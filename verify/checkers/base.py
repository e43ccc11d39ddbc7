"""The interface every claim kind implements, and the context a check runs in."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from core.caps import DEFAULT_CAPS, Caps
from verify.claims import Claim
from verify.verdict import Outcome


@dataclass
class Context:
    """What a checker may use besides the claim: caps, where to save certificates, a seeded RNG seed."""

    caps: Caps = DEFAULT_CAPS
    cert_dir: Path | None = None
    seed: int = 20261124
    options: dict[str, object] = field(default_factory=dict)


class Checker(ABC):
    """One claim kind: its field names and the check that turns a claim into an :class:`Outcome`.

    ``check`` raises :class:`core.errors.FieldError` for bad input (the dispatcher turns it into a
    one-line error naming the file, claim and field) and returns an Outcome otherwise.
    """

    kind: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def check(self, claim: Claim, ctx: Context) -> Outcome:
        """Decide the claim."""
