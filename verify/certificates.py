"""What a PEP certificate proves: the "proves" block written beside every saved certificate, recomputed from
the claim with the suite's own parsers, and the check ``recheck --claim`` makes against a claim file."""

from __future__ import annotations

import json
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from core.errors import ClaimError, FieldError
from pep import certcheck
from verify.checkers.base import Context
from verify.claims import Claim

_DENOMINATOR = re.compile(r"/(\d+)")
Block = dict[str, Any]  # a JSON object


def claim_table(claim: Claim) -> dict[str, Any]:
    """The claim's TOML table as JSON values (dates as text): what ``claim_sha256`` hashes."""
    table: dict[str, Any] = {"id": claim.id, "statement": claim.statement, "kind": claim.kind, **claim.fields}
    table |= {k: v for k, v in (("source", claim.source), ("expect", claim.expect)) if v is not None}
    return json.loads(json.dumps(table, default=str))


def statement_of(claim: Claim, ctx: Context) -> tuple[Block, Block]:
    """The "proves" block of a certificate of ``claim`` (id, statement, table and hash, and the exact
    class, L, m, steps, initial, metric, bound or objective) and the problem fields a certificate must
    have, both computed by the claim kind's own parser; a :class:`FieldError` for a claim no PEP proves."""
    table = claim_table(claim)
    head = {"claim": claim.id, "kind": claim.kind, "statement": claim.statement,
            "claim_sha256": certcheck.claim_hash(table)}
    if claim.kind == "rate":
        body, problem = _rate_statement(claim, ctx, table)
    elif claim.kind == "class-inequality":
        body, problem = _points_statement(claim, ctx, table)
    else:
        raise FieldError("kind", f"a claim of kind '{claim.kind}' has no PEP certificate")
    return json.loads(json.dumps(head | body | {"claim_table": table})), json.loads(json.dumps(problem))


def _rate_statement(claim: Claim, ctx: Context, table: Block) -> tuple[Block, Block]:
    from pep.certificate import encode
    from verify.checkers.rate import RateSetup, _exact_bound, _inverse_one_plus_sqrt
    from verify.fields import to_field

    setup = RateSetup.parse(claim, ctx)
    if setup.method is None:
        raise FieldError("steps", "the steps are not all in Q or Q(sqrt 2): no certificate can prove this "
                                  "claim")
    try:
        exact: Any = encode(to_field(setup.normalized, "bound"))
    except FieldError:  # outside Q(sqrt 2): the form the certificate proves exactly, or an enclosure
        x = _inverse_one_plus_sqrt(setup.normalized)
        below = _exact_bound(setup.normalized)  # the rational the rate checker certifies instead
        if x is None and below is None:
            raise FieldError("bound", f"{setup.normalized} has no exact rational approximation from "
                                      f"below") from None
        exact = {"form": "1/(1 + sqrt(x))", "x": encode(x)} if x is not None else \
            {"enclosed": str(setup.normalized), "below": encode(below)}
    if setup.method.name == "gd":
        steps = [encode(h) for h in setup.steps]
        how: Block = {"steps": steps}
        problem: Block = {"kind": "gd", "steps": steps}
    else:
        if not setup.method.exact:
            raise FieldError("method", f"the {setup.method.name} method at N = {setup.method.N} is not "
                                       "exact: no PEP certificate")
        rows = [[encode(c) for c in row] for row in setup.method.H]
        how = {"method": setup.method.name, "H": rows}
        problem = {"kind": "fsfom", "method": setup.method.name, "H": rows}
    schedule = setup.schedule if setup.h is None else f"{setup.schedule} h = {setup.h}"
    return {"class": table["class"], "L": str(setup.L), "m": str(setup.m), "q": encode(setup.q),
            "N": setup.method.N, **how, "schedule": schedule, "initial": table["initial"],
            "metric": table["metric"], "bound": table["bound"], "bound_normalized": str(setup.normalized),
            "bound_exact": exact}, {**problem, "class": setup.fclass, "q": encode(setup.q),
                                    "initial": setup.initial, "metric": setup.metric}


def _points_statement(claim: Claim, ctx: Context, table: Block) -> tuple[Block, Block]:
    from pep.certificate import describe, encode
    from pep.engine import normalized_class
    from pep.pointset import build_points_pep
    from verify.checkers.class_inequality import gram_form_to_objective, normalize, parse
    from verify.fields import to_field

    ineq = parse(claim, ctx)
    if not ineq.is_quadratic_form:
        raise FieldError("lhs", "the inequality is not linear in inner products and values: no PEP proves it")
    q = to_field(ineq.m / ineq.L, "m") if ineq.fclass == "smooth-strongly-convex" else 0
    objective_M, objective_b = gram_form_to_objective(normalize(ineq), ineq.space)
    data = build_points_pep(normalized_class(ineq.fclass, 1, q), list(ineq.space.points), objective_M,
                            objective_b)
    problem = describe(data)
    return {"class": table["class"], "L": str(ineq.L), "m": str(ineq.m), "q": encode(q),
            "points": table["points"], "lhs": table["lhs"], "relation": table["relation"],
            "rhs": table["rhs"], "bound": "0", "objective": problem["objective"]}, {k: problem[k] for k in (
        "kind", "class", "q", "points", "objective")}


def claim_mismatch(cert: Block, expected: tuple[Block, Block]) -> str | None:
    """None when the certificate proves exactly the claim whose :func:`statement_of` is ``expected`` (every
    field of its "proves" block equal, and its problem the claim's), else the first differing field."""
    got = cert.get("proves")
    if not isinstance(got, dict):
        return "the certificate names no claim (no 'proves' block)"
    want, exp = expected
    if got.get("claim") != want["claim"]:
        return f"field 'claim': the certificate proves {_shown(got.get('claim'))}, not '{want['claim']}'"
    last = ("claim_sha256", "claim_table")  # after the fields, so that a changed claim names its field
    for key in [*(k for k in want if k not in last), *(k for k in got if k not in want)]:
        if got.get(key) != want.get(key):
            return (f"field '{key}' differs from the claim's: {_shown(got.get(key))} in the certificate, "
                    f"{_shown(want.get(key))} from the claim")
    prob = cert.get("problem")
    if not isinstance(prob, dict):
        return "field 'problem' is missing"
    for key, value in exp.items():
        if key == "objective":
            try:
                same = certcheck.objective_terms(prob.get(key)) == certcheck.objective_terms(value)
            except (KeyError, ValueError, TypeError, AttributeError, certcheck.Refused):
                same = False
        else:
            same = json.loads(json.dumps(prob.get(key))) == value
        if not same:
            return f"field 'problem.{key}' is not the claim's problem ({_shown(prob.get(key))})"
    for key in last:
        if got.get(key) != want[key]:
            return f"field '{key}' differs from the claim's (the claim's table changed)"
    return None


SHOWN_CHARS = 60  # a differing value longer than this (an objective, a step list) is cut short


def _shown(value: Any) -> str:
    text = certcheck._shown(json.dumps(value) if not isinstance(value, str) else f"'{value}'")
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def recheck_claim(claim_file: str, claim_id: str, paths: list[str], ctx: Context) -> int:
    """``recheck --claim FILE ID CERT...``: each certificate must prove exactly claim ID of FILE (recomputed
    with the suite's parsers), then pass the standard-library check; exit code as ``pep.certcheck.main``,
    2 when the claim cannot be used."""
    from verify.dispatch import load_claims, time_limit

    claims, rejected = load_claims([claim_file])
    claim = next((c for c in claims if c.id == claim_id), None)
    try:
        if claim is None:  # the claim's own error, else the file's, else "no such claim"
            bad = next((r.error for r in rejected if r.id == claim_id), None) or next(
                (r.error for r in rejected if r.error.claim_id is None), None)
            raise bad or ClaimError(f"no claim with id '{claim_id}'", file=claim_file)
        if claim.kind == "class-inequality" and claim.get("L") == "L":
            return _recheck_parametric(claim, paths)
        with time_limit(ctx.caps.seconds):
            expected = statement_of(claim, ctx)
    except ClaimError as exc:
        exc.located(file=claim_file, claim_id=claim_id)
        print(f"error: {exc.line()}", file=sys.stderr)
        return 2
    except (Exception, RecursionError) as exc:  # an internal failure is one line too, never a traceback
        line = ClaimError(f"internal error: {type(exc).__name__}: {exc}", file=claim_file, claim_id=claim_id)
        print(f"error: {line.line()}", file=sys.stderr)
        return 2
    def judge(cert: dict) -> tuple[bool, str]:
        reason = claim_mismatch(cert, expected)
        return (False, reason) if reason else certcheck.verify(cert)

    return certcheck.report(paths, judge)


def _recheck_parametric(claim: Claim, paths: list[str]) -> int:
    """``recheck --claim`` for a claim symbolic in m and L: the certificate must name exactly this claim's
    table (its SHA-256), then check at the default q values (:mod:`pep.certcheck_parametric`)."""
    from pep import certcheck_parametric

    want = certcheck.claim_hash(claim_table(claim))

    def judge(cert: dict) -> tuple[bool, str]:
        if cert.get("format") != certcheck.PARAMETRIC_FORMAT:
            return False, "the claim is symbolic in m and L: its certificate must be parametric"
        if cert.get("proves", {}).get("claim_sha256") != want:
            return False, "the certificate names another claim (its claim_sha256 differs)"
        return certcheck_parametric.check_at(cert, [Fraction(x) for x in certcheck_parametric.DEFAULT_AT])

    return certcheck.report(paths, judge)


def record_attempt(attempt: Any, evidence: dict[str, Any], ctx: Context, claim: Claim) -> None:
    """Put the attempt (and, when it succeeded and a folder is set, the saved file with its size, largest
    denominator and exact-check time) into ``evidence``; the report prints them. A certificate that would not
    recheck as a proof of exactly ``claim`` is an error, whether or not it is saved."""
    evidence["certificate_attempt"] = {"ok": attempt.ok, "method": attempt.method, "reason": attempt.reason,
                                       "seconds": round(attempt.seconds, 3),
                                       "check_seconds": round(attempt.check_seconds, 3)}
    if not attempt.ok or attempt.certificate is None:
        return
    from pep.certificate import save_certificate

    expected = statement_of(claim, ctx)
    cert = attempt.certificate | {"proves": expected[0]}
    try:
        reason = claim_mismatch(cert, expected)
        certcheck.statement(cert)
    except certcheck.Refused as exc:
        reason = str(exc)
    if reason:
        field = "lhs" if claim.kind == "class-inequality" else "bound"
        raise FieldError(field, f"the certificate would not recheck as a proof of this claim: {reason}")
    if ctx.cert_dir is None:
        return
    path = Path(ctx.cert_dir) / f"{claim.id}.json"
    try:
        save_certificate(attempt.certificate, path, proves=cert["proves"])
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
