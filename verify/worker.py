"""``python -m verify.worker``: check one pickled (claim, context) from stdin; the pickled result to stdout.

Used by :func:`verify.parallel.check_isolated` only; the input comes from the suite's own process.
"""

from __future__ import annotations

import pickle
import sys

from verify.dispatch import check_claim


def main() -> int:
    """Read the claim and context, check the claim in this process's main thread, write the result."""
    claim, ctx = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(check_claim(claim, ctx)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
