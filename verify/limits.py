"""The claim's limits applied to the PEP solvers (compiled code the alarm cannot interrupt)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.errors import CapExceeded, ClaimError
from verify.checkers.base import Context


@contextmanager
def pep_limits(ctx: Context) -> Iterator[None]:
    """Run the PEP solvers inside the claim's remaining time, and report their limits as the suite's:
    a solver stopped at the time limit is the 'seconds' cap (inconclusive), a missing package an error."""
    from pep.solve import MissingPackage, SolverTimeLimit, deadline
    from verify.dispatch import remaining_seconds

    try:
        with deadline(remaining_seconds()):
            yield
    except SolverTimeLimit as exc:
        raise CapExceeded("seconds", f"claim took longer than {ctx.caps.seconds:g} s ({exc})") from None
    except MissingPackage as exc:
        raise ClaimError(str(exc)) from None
