"""Resource caps for every check, so that no claim can hang the run (documented in docs/claims.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caps:
    """Limits applied to each claim; adjustable from the command line."""

    max_expr_chars: int = 4000  # longest expression text accepted
    max_exponent: int = 10_000  # largest |exponent| of a numeric power, beyond it a claim is an error
    max_int_digits: int = 2000  # longest integer literal (and integer result of a literal power)
    max_digits: int = 2000  # highest working precision (decimal digits) a checker may escalate to
    seconds: float = 120.0  # wall-clock seconds per claim
    max_steps: int = 1024  # longest step-size schedule (N) a rate or quadratic claim may ask for


DEFAULT_CAPS = Caps()
