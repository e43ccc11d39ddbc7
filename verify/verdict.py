"""Verdicts, checker outcomes and per-claim results with their evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """The four answers: proved, disproved by a witness, not decided, or not checkable."""

    CERTIFIED = "certified"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"


EXPECTABLE = {Verdict.CERTIFIED.value, Verdict.REFUTED.value, Verdict.INCONCLUSIVE.value}


@dataclass
class Outcome:
    """What a checker returns: the verdict, a one-line summary and JSON-ready evidence."""

    verdict: Verdict
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    """One claim's verdict as the command line prints it and the JSON file stores it."""

    id: str
    verdict: Verdict
    summary: str
    evidence: dict[str, Any]
    seconds: float
    expect: str | None = None
    kind: str | None = None
    statement: str | None = None
    source: str | None = None
    file: str | None = None
    book_answer: str | None = None
    section: str | None = None
    reconstructed: bool = False

    @property
    def met_expectation(self) -> bool:
        """True when the claim has no ``expect`` or got it."""
        proof = self.evidence.get("proof_expectation") if isinstance(self.evidence, dict) else None
        return (self.expect is None or self.expect == self.verdict.value) and (
            not isinstance(proof, dict) or proof.get("met", True) is True)

    def to_json(self) -> dict[str, Any]:
        """The JSON record of this result."""
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "expect": self.expect,
            "summary": self.summary,
            "kind": self.kind,
            "statement": self.statement,
            "source": self.source,
            "file": self.file,
            "evidence": self.evidence,
            "seconds": round(self.seconds, 4),
        } | ({"book_answer": self.book_answer} if self.book_answer is not None else {}) | (
            {"section": self.section} if self.section is not None else {}) | (
            {"reconstructed": True} if self.reconstructed else {})
