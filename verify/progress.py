"""Progress lines for long claims on stderr: the stage the engine reports (:mod:`core.progress`) once a claim
has run ``after`` seconds, and a "still ..." line every ``every`` seconds while one stage lasts.

Short claims print nothing (most of the registry takes under a second); a five-minute Silver N = 255 claim
says which round of pair generation or which certificate step it is in. Lines go to stderr so that the
verdict lines on stdout stay the same.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from core.errors import printable
from core.progress import reporting_to

# Defaults of ``certify``: a claim that has run 5 s is long enough for its stages to be worth reading
# (the registry's median claim takes 0.1 s); a stage that lasts longer than 30 s gets a reminder so that a
# silent SCS solve does not look like a hang.
PROGRESS_AFTER = 5.0
HEARTBEAT = 30.0


class ProgressPrinter:
    """Prints one claim's stages to ``stream`` once the claim is ``after`` seconds old."""

    def __init__(self, claim_id: str, after: float, every: float = HEARTBEAT,
                 stream: TextIO | None = None) -> None:
        self.claim_id, self.after, self.every = claim_id, after, every
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.current: str | None = None
        self.shown: str | None = None  # the last stage printed
        self.lock = threading.Lock()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def stage(self, text: str) -> None:
        """A new stage: printed now if the claim is old enough, else remembered for the heartbeat."""
        with self.lock:
            self.current = text
            if self.elapsed() >= self.after:
                self._print(text)

    def beat(self) -> None:
        """The heartbeat: the current stage again, marked "still" when it was already printed."""
        with self.lock:
            if self.current is not None and self.elapsed() >= self.after:
                self._print(("still: " if self.shown == self.current else "") + self.current)

    def _print(self, text: str) -> None:
        self.shown = self.current
        try:
            erase = "\r\033[K" if self.stream.isatty() else ""  # over the CLI's transient "checking" line
            print(f"{erase}  ... {printable(self.claim_id)}: {printable(text)} ({self.elapsed():.0f} s)",
                  file=self.stream, flush=True)
        except (OSError, ValueError):  # a closed stream must not fail the claim
            pass


@contextmanager
def progress_lines(claim_id: str, after: float | None, every: float = HEARTBEAT) -> Iterator[None]:
    """Show the stages of the work inside this block (``after`` None: show nothing)."""
    if after is None:
        yield
        return
    printer = ProgressPrinter(claim_id, after, every)
    stop = threading.Event()

    def heartbeat() -> None:
        first = max(after, 0.0)
        if stop.wait(first):
            return
        printer.beat()
        while not stop.wait(every):
            printer.beat()

    thread = threading.Thread(target=heartbeat, name=f"progress {claim_id}", daemon=True)
    thread.start()
    try:
        with reporting_to(printer.stage):
            yield
    finally:
        stop.set()
        thread.join(timeout=1.0)


__all__ = ["HEARTBEAT", "PROGRESS_AFTER", "ProgressPrinter", "progress_lines"]
