"""Recording a certificate attempt in a claim's evidence, and saving the certificate beside the results."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from verify.checkers.base import Context

_DENOMINATOR = re.compile(r"/(\d+)")


def record_attempt(attempt: Any, evidence: dict[str, Any], ctx: Context, claim_id: str) -> None:
    """Put the attempt (and, when it succeeded and a folder is set, the saved file with its size, largest
    denominator and exact-check time) into ``evidence``; the report prints them."""
    evidence["certificate attempt"] = {"ok": attempt.ok, "method": attempt.method, "reason": attempt.reason,
                                       "seconds": round(attempt.seconds, 3),
                                       "exact check seconds": round(attempt.check_seconds, 3)}
    if not attempt.ok or attempt.certificate is None or ctx.cert_dir is None:
        return
    from pep.certificate import save_certificate

    path = Path(ctx.cert_dir) / f"{claim_id}.json"
    try:
        save_certificate(attempt.certificate, path)
        text = path.read_text(encoding="utf-8")
    except OSError as exc:  # the proof was checked in memory; only the file is missing
        evidence["certificate"] = f"not saved: {' '.join(str(exc).split())}"
        return
    evidence["certificate"] = str(path)
    evidence["certificate_stats"] = {
        "size_bytes": len(text.encode("utf-8")),
        "max_denominator_digits": max((len(d) for d in _DENOMINATOR.findall(text)), default=1),
        "check_seconds": round(attempt.check_seconds, 3),
        "recheck": f"python -m verify recheck {path}",
    }
