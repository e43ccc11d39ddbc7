"""``kind = "program"``: the book's code, run as written, prints what the book says it prints.

The program (a file beside the claim, copied verbatim from the book) runs in a fresh Python process in a
temporary folder: plotting through the Agg backend, writes outside that folder and network connections
refused by an audit hook, CPU time and memory limited. Its printed numbers are compared with the book's
"Expected Output" at the precision the book prints them (a value printed as 0.019802 must round to it).
A deterministic run is a proof of what the code prints with the recorded Python and numpy versions:
CERTIFIED when every number matches, REFUTED (both outputs side by side) when one differs or the program
fails. Programs run only from the suite's own registry, or with ``certify --allow-programs``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from core.errors import FieldError
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import DEFAULT_CLAIMS_DIR, Claim
from verify.verdict import Outcome, Verdict

DEFAULT_SECONDS = 60
DEFAULT_MEMORY_MB = 2048
MAX_OUTPUT_BYTES = 1 << 20
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
# Runs before the program: refuse writes outside the run folder and any network connection (an audit hook
# cannot be removed by the program), and keep plots off screen.
GUARD = r"""
import os, sys
_root = os.path.realpath(os.getcwd())
def _guard(event, args):
    if event == "open" and len(args) > 1 and isinstance(args[1], str) and any(c in args[1] for c in "wax+"):
        path = args[0]
        if isinstance(path, (str, bytes)) and not os.path.realpath(path).startswith(_root + os.sep):
            raise PermissionError(f"program claims may write only in their run folder, not {path!r}")
    if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"):
        raise PermissionError("program claims may not use the network")
sys.addaudithook(_guard)
import runpy
sys.argv = [sys.argv[1]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@register
class ProgramChecker(Checker):
    """The printed numbers of a run of the book's code against the book's expected output."""

    kind = "program"
    required = ("program", "expected_output")
    optional = ("seconds", "memory_mb", "compare")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        program = _program_path(claim, ctx)
        expected = claim.get("expected_output")
        if not isinstance(expected, str) or not expected.strip():
            raise FieldError("expected_output", "the book's printed output, as a string")
        seconds = _limit(claim, "seconds", DEFAULT_SECONDS, 600)
        memory = _limit(claim, "memory_mb", DEFAULT_MEMORY_MB, 16384)
        compare = claim.get("compare", "numbers")
        if compare not in ("numbers", "text"):
            raise FieldError("compare", f"must be 'numbers' or 'text', got {compare!r}")
        run = _run(program, seconds, memory)
        evidence: dict[str, Any] = {"program": str(program), "expected_output": expected,
                                    "actual_output": run["stdout"], "return_code": run["returncode"],
                                    "stderr_tail": run["stderr"][-2000:], "python": sys.version.split()[0],
                                    "numpy": _numpy_version(), "seconds_limit": seconds, "memory_mb": memory}
        if run["timeout"]:
            return Outcome(Verdict.INCONCLUSIVE, f"the program ran past its limit of {seconds} s", evidence)
        if run["returncode"] != 0:
            last = (run["stderr"].strip().splitlines() or ["no message"])[-1]
            if _ours(run):  # stopped by the sandbox, not by the book's code: no verdict about what it prints
                why = (f"it hit the sandbox's CPU ({seconds} s) or memory ({memory} MB) limit"
                       if run["returncode"] in (-9, -24) or "MemoryError" in run["stderr"] else last)
                return Outcome(Verdict.INCONCLUSIVE, f"the run was stopped by the sandbox: {why}", evidence)
            return Outcome(Verdict.REFUTED, f"the program fails (exit {run['returncode']}): {last}", evidence)
        mismatches = compare_outputs(expected, run["stdout"], compare)
        evidence["mismatches"] = mismatches
        if not mismatches:
            return Outcome(Verdict.CERTIFIED, "the program prints the expected output "
                                              f"({len(NUMBER.findall(expected))} numbers at their printed "
                                              "precision)", evidence)
        first = mismatches[0]
        return Outcome(Verdict.REFUTED, f"the program prints {first['actual']!r} where the book says "
                                        f"{first['expected']!r} ({first['where']})", evidence)


def _program_path(claim: Claim, ctx: Context) -> Path:
    """The program file beside the claim file, allowed to run (registry or --allow-programs)."""
    name = claim.get("program")
    if not isinstance(name, str) or not name:
        raise FieldError("program", "the file name of the program, beside the claim file")
    base = Path(claim.file).resolve().parent
    path = (base / name).resolve()
    if base not in path.parents or not path.is_file():
        raise FieldError("program", f"'{name}' is not a file in the claim's folder")
    in_registry = Path(DEFAULT_CLAIMS_DIR).resolve() in path.parents
    if not in_registry and not ctx.options.get("allow_programs"):
        raise FieldError("program", "programs run only from the suite's own claims; pass --allow-programs "
                                    "to run this one")
    return path


def _limit(claim: Claim, name: str, default: int, cap: int) -> int:
    value = claim.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= cap:
        raise FieldError(name, f"must be a whole number from 1 to {cap}, got {value!r}")
    return value


def _numpy_version() -> str | None:
    try:
        import numpy
    except ImportError:
        return None
    return numpy.__version__


def _limits(seconds: int, memory_mb: int) -> Any:
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    return apply


def _run(program: Path, seconds: int, memory_mb: int) -> dict[str, Any]:
    """Run the program in a temporary folder under the limits; its stdout, stderr, exit code, timeout."""
    with tempfile.TemporaryDirectory(prefix="gradverify-program-") as folder:
        copy = Path(folder) / program.name
        shutil.copyfile(program, copy)
        env = {"PATH": os.environ.get("PATH", ""), "MPLBACKEND": "Agg", "HOME": folder,
               "MPLCONFIGDIR": folder, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1"}
        try:
            done = subprocess.run([sys.executable, "-I", "-c", GUARD, str(copy)], cwd=folder, env=env,
                                  capture_output=True, timeout=seconds, stdin=subprocess.DEVNULL,
                                  preexec_fn=_limits(seconds, memory_mb) if os.name == "posix" else None)
        except subprocess.TimeoutExpired:
            return {"stdout": "", "stderr": "", "returncode": None, "timeout": True}
        out = done.stdout[:MAX_OUTPUT_BYTES].decode("utf-8", "replace")
        err = done.stderr[-MAX_OUTPUT_BYTES:].decode("utf-8", "replace")
        return {"stdout": out, "stderr": err, "returncode": done.returncode, "timeout": False}


def _ours(run: dict[str, Any]) -> bool:
    """Whether the run ended on one of the sandbox's limits (CPU, memory, writes, network)."""
    code, err = run["returncode"], run["stderr"]
    return code in (-9, -24) or "MemoryError" in err or "program claims may" in err


def _rounds_to(printed: str, actual: str) -> bool:
    """Whether ``actual`` shown with ``printed``'s digits is ``printed`` (0.019802 vs 0.0198019801...)."""
    try:
        p, a = Decimal(printed), Decimal(actual)
    except InvalidOperation:
        return printed == actual
    if "e" in printed.lower():
        mantissa = printed.lower().split("e")[0]
        digits = len(mantissa.replace("-", "").replace("+", "").replace(".", "").lstrip("0")) or 1
        return f"{a:.{digits - 1}e}".replace("e+0", "e+").replace("e-0", "e-") == \
            f"{p:.{digits - 1}e}".replace("e+0", "e+").replace("e-0", "e-")
    exponent = p.as_tuple().exponent
    assert isinstance(exponent, int)
    return a.quantize(Decimal(1).scaleb(exponent)) == p


def compare_outputs(expected: str, actual: str, mode: str = "numbers") -> list[dict[str, str]]:
    """The differences between the book's output and the program's, line by line (numbers at the book's
    printed precision in ``numbers`` mode; the words must match too)."""
    want = [ln.rstrip() for ln in expected.strip().splitlines() if ln.strip()]
    got = [ln.rstrip() for ln in actual.strip().splitlines() if ln.strip()]
    out = []
    for i, line in enumerate(want):
        have = got[i] if i < len(got) else ""
        if mode == "text":
            if line.strip() != have.strip():
                out.append({"where": f"line {i + 1}", "expected": line, "actual": have})
            continue
        w_nums, g_nums = NUMBER.findall(line), NUMBER.findall(have)
        if NUMBER.sub("#", line).split() != NUMBER.sub("#", have).split() or len(w_nums) != len(g_nums):
            out.append({"where": f"line {i + 1}", "expected": line, "actual": have})
            continue
        for w, g in zip(w_nums, g_nums, strict=True):
            if not _rounds_to(w, g):
                out.append({"where": f"line {i + 1}", "expected": line, "actual": have})
                break
    if len(got) > len(want):
        out.append({"where": f"line {len(want) + 1}", "expected": "", "actual": got[len(want)]})
    return out
