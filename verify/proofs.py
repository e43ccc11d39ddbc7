"""A proof claim's result as a person reads it: the theorem, then each step numbered with its verdict."""

from __future__ import annotations

from verify.verdict import Result

MARKS = {"certified": "ok", "refuted": "FAILS", "inconclusive": "??", "error": "error"}


def proof_chain(result: Result) -> str:
    """The numbered chain of a ``proof`` result, the first broken step marked with its witness."""
    ev = result.evidence
    theorem = ev.get("theorem", {})
    lines = [f"theorem: {theorem.get('statement')}   [{theorem.get('verdict')}]",
             f"proof: {ev.get('proof')} ({ev.get('proof_reason')})"]
    for step in ev["steps"]:
        first = step["step"] == 1
        head = f"  {step['lhs']}\n" if first else ""
        mark = MARKS.get(step["verdict"], step["verdict"])
        lines.append(f"{head}  ({step['step']}) {step['relation']} {step['rhs']}    by {step['by']}: {mark}")
        if step["verdict"] == "refuted":
            lines.append(f"      <- broken here: {step['summary']}")
    return "\n".join(lines)
