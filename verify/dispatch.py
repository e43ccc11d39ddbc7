"""Run claims through their checkers under the caps, turning every failure into a result, never a crash."""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import CapExceeded, ClaimError
from verify.checkers import Context, known_kinds
from verify.claims import Claim, Rejected, find_claim_files, load_file
from verify.progress import progress_lines
from verify.verdict import Result, Verdict


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` on the way can swallow it."""


# After the first alarm, it fires again every ALARM_REPEAT seconds until the claim's block is left: a handler
# that still swallows the timeout (a bare ``except``) only delays the cap by that much.
ALARM_REPEAT = 0.5
_deadlines: list[float] = []  # time.monotonic() deadlines of the active time_limit blocks, innermost last


def remaining_seconds() -> float | None:
    """Seconds left before the innermost active :func:`time_limit` expires (may be <= 0); None outside one.

    Compiled solvers cannot be interrupted by the alarm: the PEP code hands them this remaining time."""
    return _deadlines[-1] - time.monotonic() if _deadlines else None


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`CapExceeded` after ``seconds`` (SIGALRM; only in the main thread of a Unix process).

    Pure-Python work (sympy) is interrupted promptly; a call inside compiled code is interrupted when it
    returns to Python, so the SDP solvers read :func:`remaining_seconds` and stop themselves (or run in a
    child process that is killed, see :mod:`pep.solve`).
    """
    in_main = threading.current_thread() is threading.main_thread()
    usable = seconds > 0 and hasattr(signal, "setitimer") and in_main
    if not usable:
        yield
        return
    armed = [True]

    def on_alarm(signum: int, frame: object) -> None:
        if armed[0]:  # a late alarm, after the block was left, is ignored
            raise _Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer = _deadlines[-1] if _deadlines else math.inf
    _deadlines.append(min(outer, time.monotonic() + seconds))
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT)
    try:
        yield
    except _Timeout:
        raise CapExceeded("seconds", f"claim took longer than {seconds:g} s") from None
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _deadlines.pop()


def load_claims(paths: list[str | Path]) -> tuple[list[Claim], list[Rejected]]:
    """Load every claim under ``paths``; the later of two claims with one id is rejected."""
    kinds = known_kinds()
    files, missing = find_claim_files(paths)
    claims: list[Claim] = []
    rejected: list[Rejected] = [Rejected(err, Path(err.file or "input").stem or "input", err.file or "")
                                for err in missing]
    seen: dict[str, str] = {}
    for path in files:
        good, bad = load_file(path, kinds)
        rejected.extend(bad)
        for claim in good:
            if claim.id in seen:
                err = ClaimError(f"duplicate id (first defined in {seen[claim.id]})", field="id",
                                 claim_id=claim.id, file=claim.file)
                rejected.append(Rejected(err, claim.id, claim.file, claim.expect, claim.statement,
                                         claim.kind))
            else:
                seen[claim.id] = claim.file
                claims.append(claim)
    return claims, rejected


def check_claim(claim: Claim, ctx: Context) -> Result:
    """Check one claim; bad input, caps and internal failures become results with a one-line reason."""
    checker = known_kinds()[claim.kind]
    start = time.perf_counter()
    try:
        with time_limit(ctx.caps.seconds), progress_lines(claim.id, _progress_after(ctx)):
            outcome = checker.check(claim, ctx)
        verdict, summary, evidence = outcome.verdict, outcome.summary, outcome.evidence
    except CapExceeded as exc:
        exc.located(file=claim.file, claim_id=claim.id)
        verdict = Verdict.INCONCLUSIVE if exc.cap == "seconds" else Verdict.ERROR
        summary, evidence = exc.line(), {"cap": exc.cap, "message": exc.line()}
    except ClaimError as exc:
        exc.located(file=claim.file, claim_id=claim.id)
        verdict, summary, evidence = Verdict.ERROR, exc.line(), {"error": exc.line(), "field": exc.field}
    except (Exception, RecursionError) as exc:  # an internal failure must not stop the other claims
        msg = ClaimError(f"internal error: {type(exc).__name__}: {exc}", file=claim.file,
                         claim_id=claim.id).line()
        verdict, summary, evidence = Verdict.ERROR, msg, {"error": msg}
    seconds = time.perf_counter() - start
    return Result(id=claim.id, verdict=verdict, summary=summary, evidence=evidence, seconds=seconds,
                  **claim.result_meta())


def _progress_after(ctx: Context) -> float | None:
    """Seconds after which a claim's stages are printed (``certify --progress-after``); None: never."""
    after = ctx.options.get("progress_after")
    return float(after) if isinstance(after, int | float) else None


def rejected_result(rej: Rejected) -> Result:
    """The error result of a claim that could not be used."""
    line = rej.error.line()
    return Result(id=rej.id, verdict=Verdict.ERROR, summary=line,
                  evidence={"error": line, "field": rej.error.field}, seconds=0.0, expect=rej.expect,
                  kind=rej.kind, statement=rej.statement, file=rej.file)


def run(claims: list[Claim], ctx: Context,
        on_result: Callable[[int, int, Result], None] | None = None,
        on_start: Callable[[int, int, Claim], None] | None = None) -> list[Result]:
    """Check claims in order, calling ``on_start`` before and ``on_result(i, n, result)`` after each."""
    results = []
    for i, claim in enumerate(claims, start=1):
        if on_start:
            on_start(i, len(claims), claim)
        result = check_claim(claim, ctx)
        results.append(result)
        if on_result:
            on_result(i, len(claims), result)
    return results
