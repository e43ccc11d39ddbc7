"""Re-check a certificate symbolic in q = m/L at any rational q in (0, 1), with the standard library only.

A parametric certificate (format ``gradverify-parametric-certificate/1``, written for class inequalities
certified for every 0 < m < L) stores the point-set problem with its objective's coefficients and the
multipliers as rational functions of q (text such as ``(1 - q)/(1 + q)``). At a given q this module
evaluates them exactly, builds the ordinary certificate of that q (S proved PSD by exact elimination) and
runs :func:`pep.certcheck.check` on it. That checks the claim at each q asked for; the proof for every q
at once is the suite's symbolic one (``symbolic_proof``), which this file records but cannot re-run.

    python pep/certcheck_parametric.py CERT.json [--at 1/3 --at 9/10 ...]
"""

from __future__ import annotations

import re
import sys
from fractions import Fraction

try:
    from pep import certcheck
except ImportError:  # run as a script from its folder: certcheck.py sits beside it
    import certcheck  # type: ignore[no-redef]

FORMAT = certcheck.PARAMETRIC_FORMAT
DEFAULT_AT = ("1/10", "1/3", "1/2", "9/10")  # spread over (0, 1), small denominators (fast exact checks)
MAX_TEXT = 2000  # characters of one rational function of q: the suite writes a few dozen
_TOKEN = re.compile(r"\s*(?:(\d+)|(q)|(\*\*|[-+*/()]))")


def evaluate(text: str, q: Fraction) -> Fraction:
    """The rational function ``text`` of q (integers, q, + - * / ** with integer exponents, parentheses)
    at q, exactly; ValueError on anything else."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValueError("a rational function of q must be text of at most MAX_TEXT characters")
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"unexpected character at {pos} in {text[:40]!r}")
        tokens.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()
    value, rest = _sum(tokens, 0, q)
    if rest != len(tokens):
        raise ValueError(f"unexpected {tokens[rest]!r} in {text[:40]!r}")
    return value


def _sum(t: list[str], i: int, q: Fraction) -> tuple[Fraction, int]:
    value, i = _product(t, i, q)
    while i < len(t) and t[i] in "+-":
        op = t[i]
        rhs, i = _product(t, i + 1, q)
        value = value + rhs if op == "+" else value - rhs
    return value, i


def _product(t: list[str], i: int, q: Fraction) -> tuple[Fraction, int]:
    value, i = _unary(t, i, q)
    while i < len(t) and t[i] in ("*", "/"):
        op = t[i]
        rhs, i = _unary(t, i + 1, q)
        value = value * rhs if op == "*" else value / rhs
    return value, i


def _unary(t: list[str], i: int, q: Fraction) -> tuple[Fraction, int]:
    if i < len(t) and t[i] in ("+", "-"):
        sign = t[i]
        value, i = _unary(t, i + 1, q)
        return (-value if sign == "-" else value), i
    return _power(t, i, q)


def _power(t: list[str], i: int, q: Fraction) -> tuple[Fraction, int]:
    base, i = _atom(t, i, q)
    if i < len(t) and t[i] == "**":
        if i + 1 >= len(t) or not t[i + 1].isdigit() or int(t[i + 1]) > 64:
            raise ValueError("an exponent must be an integer from 0 to 64")
        return base ** int(t[i + 1]), i + 2
    return base, i


def _atom(t: list[str], i: int, q: Fraction) -> tuple[Fraction, int]:
    if i >= len(t):
        raise ValueError("the expression ends early")
    if t[i] == "(":
        value, i = _sum(t, i + 1, q)
        if i >= len(t) or t[i] != ")":
            raise ValueError("a parenthesis is not closed")
        return value, i + 1
    if t[i] == "q":
        return q, i + 1
    if t[i].isdigit():
        if len(t[i]) > certcheck.MAX_DIGITS:
            raise ValueError("an integer has more than MAX_DIGITS digits")
        return Fraction(int(t[i])), i + 1
    raise ValueError(f"unexpected {t[i]!r}")


def instantiate(pcert: dict, q: Fraction) -> dict:
    """The ordinary certificate of ``pcert`` at q: objective and multipliers evaluated exactly, S to be
    proved PSD by exact elimination."""
    problem = pcert["problem"]
    if problem.get("kind") != "points" or problem.get("q") != "q":
        raise ValueError("the problem must be a point set with q = \"q\"")
    objective = {"quadratic": [[a, b, str(evaluate(c, q))]
                               for a, b, c in problem["objective"]["quadratic"]],
                 "linear": [[a, str(evaluate(c, q))]
                            for a, c in problem["objective"]["linear"]]}
    mult = {name: str(evaluate(text, q)) for name, text in pcert["multipliers"].items()}
    mult["initial"] = "0"
    return {"format": certcheck.FORMAT, "problem": {**problem, "q": str(q),
                                                   "objective": objective},
            "bound": "0", "tau": "0", "multipliers": mult,
            "psd": {"basis": pcert["psd"]["basis"], "method": certcheck.ELIMINATION}}


def check_at(pcert: dict, at: list[Fraction]) -> tuple[bool, str]:
    """Check ``pcert`` at every q of ``at`` (each in (0, 1)); (True, what was checked) or (False, why)."""
    if pcert.get("format") != FORMAT:
        shown = certcheck._shown(repr(pcert.get("format")))[:40]
        return False, f"not a parametric certificate (format {shown})"
    for q in at:
        if not 0 < q < 1:
            return False, f"q = {q} is not in (0, 1)"
        try:
            ok, why = certcheck.check(instantiate(pcert, q))
        except (KeyError, ValueError, TypeError, ZeroDivisionError, IndexError, AttributeError,
                RecursionError) as exc:
            return False, f"malformed parametric certificate at q = {q}: {type(exc).__name__}: " \
                          f"{certcheck._shown(exc)}"
        if not ok:
            return False, f"at q = {q}: {why}"
    claim = pcert.get("proves", {}).get("claim", "?")
    return True, (f"proves {certcheck._shown(claim)} at q = m/L = {', '.join(map(str, at))} (exact checks); "
                  f"for every 0 < q < 1 by the suite's symbolic proof recorded in the file")


def main(argv: list[str]) -> int:
    """Re-check certificates, parametric ones at the ``--at`` values (default DEFAULT_AT): exit 0 when
    all are valid, 1 when one is invalid, 2 when one is unreadable."""
    at_text = [argv[k + 1] for k, a in enumerate(argv[:-1]) if a == "--at"] or list(DEFAULT_AT)
    paths = [a for k, a in enumerate(argv) if a != "--at" and (k == 0 or argv[k - 1] != "--at")]
    try:
        at = [Fraction(text) for text in at_text]
    except (ValueError, ZeroDivisionError):
        print(f"error: --at takes rationals such as 1/3, got {certcheck._shown(at_text)}")
        return 2
    return certcheck.report(paths, lambda c: check_at(c, at) if c.get("format") == FORMAT
                            else certcheck.verify(c))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
