"""Progress of long work: the engine names the stage it is in ("pair generation, round 2 ..."), and whoever
runs it (the command line) decides whether and how to show it. Nothing is shown unless a sink is set.

It sits at the bottom of the import order so that pep, symbolic and verify can all report stages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Sink = Callable[[str], None]

_sinks: list[Sink] = []  # innermost last; only the innermost receives the stages


def stage(text: str) -> None:
    """Report that long work entered ``text`` (a short phrase with its size: "SCS on 1,272 pairs")."""
    if _sinks:
        _sinks[-1](text)


@contextmanager
def reporting_to(sink: Sink) -> Iterator[None]:
    """Send the stages reported inside this block to ``sink``."""
    _sinks.append(sink)
    try:
        yield
    finally:
        _sinks.pop()


__all__ = ["Sink", "reporting_to", "stage"]
