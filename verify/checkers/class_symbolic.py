"""Class inequalities with symbolic L and m (``L = "L"``, ``m = "m"``): proved for every 0 < m < L at once
by a certificate whose multipliers are rational functions of q = m/L (:mod:`pep.parametric`); when no such
certificate exists at some q, the claim is checked at that (m, L) = (q, 1) and refuted there if it fails.
"""

from __future__ import annotations

import json
import re
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy as sp

from core.errors import FieldError
from core.expr import make_symbol, parse_relations
from pep.certcheck import PARAMETRIC_FORMAT, claim_hash
from pep.certcheck_parametric import DEFAULT_AT, check_at
from pep.classes import make_class
from pep.parametric import parametric_certificate
from pep.pointset import build_points_pep
from symbolic.vector import VectorSpace, expand_to_gram
from verify.certificates import claim_table
from verify.checkers.base import Context
from verify.claims import Claim
from verify.params import Parameters
from verify.quadratic_family import refute_by_quadratics
from verify.verdict import Outcome, Verdict

PARAMETERS = ("L", "m")
MAX_POWER = 6  # the powers L^k tried when the excess scales with L (a degree-2 form has k in -2..2)


def is_symbolic(claim: Claim) -> bool:
    """Whether the claim writes L or m as the parameter's own name (for every value)."""
    return any(claim.get(name) == name for name in PARAMETERS)


def check_symbolic(claim: Claim, ctx: Context, numeric_check: Any) -> Outcome:
    """Certify for every 0 < m < L, or refute at a sample (m, L) where the numeric check refutes."""
    if claim.get("class") != "smooth-strongly-convex" or claim.get("L") != "L" or claim.get("m") != "m":
        raise FieldError("L", "symbolic parameters need class = \"smooth-strongly-convex\", L = \"L\" and "
                              "m = \"m\" (the claim is then for every 0 < m < L)")
    relation = claim.get("relation")
    if relation not in ("<=", ">="):
        raise FieldError("relation", f"must be <= or >=, got {relation!r}")
    points = claim.get("points")
    if not isinstance(points, list) or not points or not all(isinstance(p, str) for p in points):
        raise FieldError("points", "must be a list of point names such as [\"x\", \"y\"]")
    L, m, q = sp.Symbol("L", positive=True), sp.Symbol("m", positive=True), sp.Symbol("q", positive=True)
    space = VectorSpace(points)
    params = _parameters(claim, ctx, L, m)
    names = dict(params.symbols)
    lhs, _ = expand_to_gram(claim.get("lhs"), space, names, field="lhs", caps=ctx.caps)
    rhs, _ = expand_to_gram(claim.get("rhs"), space, names, field="rhs", caps=ctx.caps)
    unknown = set(names) - set(params.symbols)
    if unknown:
        raise FieldError("assume", f"name '{sorted(unknown)[0]}' is not a parameter: declare it in assume "
                                   "(e.g. { alpha = \"positive\" })")
    excess = sp.expand(lhs - rhs if relation == "<=" else rhs - lhs)
    family = refute_by_quadratics(excess, space, L, m, params)
    if family is not None:
        order = [str(s) for s in params.symbols.values()]
        how = "for every parameter value in the domain" if family.everywhere else "at one parameter value"
        return Outcome(Verdict.REFUTED, f"fails {how}: {family.describe(order)}",
                       {"class": "smooth-strongly-convex", "parameters": _domain_text(params),
                        "excess_gram": str(excess), "witness_family": family.evidence()})
    extra_names = sorted(set(params.symbols) - set(PARAMETERS))
    if extra_names:
        reason = (f"no quadratic f = c z^2/2 (c = m or L) violates it, and certificates symbolic in q = m/L "
                  f"exist only without other parameters (here {', '.join(extra_names)})")
        return Outcome(Verdict.INCONCLUSIVE, reason, {"reason": reason, "excess_gram": str(excess)})
    restricted = bool(params.domain[:-1])  # a domain narrower than 0 < m < L: no refutation at a sample
    # normalize to L = 1: f -> L f, grad f -> L grad f, divided by L; then m = q L must leave no L
    subs = {sym: L * sym for sym in space.fvalues.values()}
    for (a, b), sym in space.gram_symbols().items():
        subs[sym] = L ** (a.startswith("grad(") + b.startswith("grad(")) * sym
    scaled = sp.expand(sp.cancel(excess.xreplace(subs).subs(m, q * L)))
    unknowns = set(space.gram_symbols().values()) | set(space.fvalues.values())
    normalized = sp.expand(scaled.subs(L, 1))
    # with L > 0 the sign is that of the L-free form when the excess is L^k times it (homogeneity)
    homogeneous = any(sp.expand(scaled - L**k * normalized) == 0 for k in range(-MAX_POWER, MAX_POWER + 1))
    extra = normalized.free_symbols - unknowns - {q}
    if extra or not homogeneous:
        reason = ("the inequality is not homogeneous in L (with f = L g and m = q L it is not L^k times a "
                  "form in q alone)" + (f"; it has other parameters {', '.join(sorted(map(str, extra)))}"
                                         if extra else "") + ": no certificate in q alone")
        return Outcome(Verdict.INCONCLUSIVE, reason, {"reason": reason})
    if not normalized.is_polynomial(*unknowns) or sp.Poly(normalized, *unknowns).total_degree() > 1:
        reason = "the inequality is not linear in inner products and function values: no PEP certificate"
        return Outcome(Verdict.INCONCLUSIVE, reason, {"reason": reason})

    def build(x: Any) -> Any:
        value = normalized.subs(q, sp.Rational(x.numerator, x.denominator)) if isinstance(x, Fraction) \
            else normalized
        objective_M, objective_b = {}, {}
        for (a, b), sym in space.gram_symbols().items():
            coeff = sp.cancel(value.coeff(sym))
            if coeff != 0:
                objective_M[(space.basis.index(a), space.basis.index(b))] = _exact(coeff)
        for p, sym in space.fvalues.items():
            coeff = sp.cancel(value.coeff(sym))
            if coeff != 0:
                objective_b[space.points.index(p)] = _exact(coeff)
        if isinstance(x, Fraction):
            return build_points_pep(make_class("smooth-strongly-convex", x), list(space.points), objective_M,
                                    objective_b)
        return build_points_pep(_symbolic_class(x), list(space.points), objective_M, objective_b,
                                describe=False)

    evidence: dict[str, Any] = {"class": "smooth-strongly-convex", "parameters": "0 < m < L (q = m/L)",
                                "normalized_form": str(normalized)}
    cert = parametric_certificate(build)
    if cert.ok:
        evidence.update(parametric_multipliers=cert.multipliers, parametric_checks=cert.checks)
        pcert = _certificate_file(claim, build, cert, q)
        t0 = time.perf_counter()
        ok, why = check_at(pcert, [Fraction(x) for x in DEFAULT_AT])
        check_seconds = round(time.perf_counter() - t0, 3)
        if not ok:  # the symbolic proof and its own numbers disagree: trust neither
            reason = f"the certificate symbolic in q does not check at a sample: {why}"
            return Outcome(Verdict.INCONCLUSIVE, reason, {**evidence, "reason": reason})
        _save(pcert, claim, ctx, evidence, check_seconds)
        return Outcome(Verdict.CERTIFIED, f"certificate in q = m/L, proved symbolically: "
                                          f"{claim.get('lhs')} {relation} {claim.get('rhs')} for every "
                                          f"smooth-strongly-convex f with 0 < m < L and all points", evidence)
    evidence["parametric_reason"] = cert.reason
    if cert.failing_q is not None and not restricted:
        at = Claim(id=claim.id, kind=claim.kind, statement=claim.statement, file=claim.file,
                   fields={**claim.fields, "L": 1, "m": str(cert.failing_q)})
        numeric = numeric_check(at, ctx)
        evidence["at_sample"] = {"m": str(cert.failing_q), "L": "1", "verdict": numeric.verdict.value,
                                 "summary": numeric.summary}
        if numeric.verdict is Verdict.REFUTED:
            evidence.update(numeric.evidence)
            return Outcome(Verdict.REFUTED, f"fails at m = {cert.failing_q}, L = 1: {numeric.summary}",
                           evidence)
    reason = f"no certificate symbolic in q = m/L: {cert.reason}"
    evidence["reason"] = reason
    return Outcome(Verdict.INCONCLUSIVE, reason, evidence)


def _certificate_file(claim: Claim, build: Any, cert: Any, q: Any) -> dict[str, Any]:
    """The parametric certificate (pep/certcheck_parametric.py): the point-set problem with its objective
    and the multipliers as rational functions of q, and the suite's symbolic proof, for ``recheck``."""
    sample = build(Fraction(1, 2)).description  # names, basis and points; q and the objective replaced
    symbolic = build(q)
    names = sample["basis"]
    fnames = [f"f:{p}" for p in sample["points"]]
    objective = {"quadratic": [[names[r], names[c], str(sp.cancel(v))]
                               for (r, c), v in symbolic.objective_M.items() if v != 0],
                 "linear": [[fnames[k], str(sp.cancel(v))]
                            for k, v in symbolic.objective_b.items() if v != 0]}
    table = claim_table(claim)
    return {"format": PARAMETRIC_FORMAT,
            "proves": {"claim": claim.id, "kind": claim.kind, "statement": claim.statement,
                       "claim_sha256": claim_hash(table), "claim_table": table,
                       "parameters": "every 0 < m < L, q = m/L"},
            "problem": {**sample, "q": "q", "objective": objective},
            "multipliers": {name: str(v) for name, v in cert.multipliers.items()},
            "psd": {"basis": names, "method": "elimination"},
            "symbolic_proof": dict(cert.checks)}


def _save(pcert: dict[str, Any], claim: Claim, ctx: Context, evidence: dict[str, Any],
          check_seconds: float) -> None:
    """Write the parametric certificate to the certificate folder (when one is set); the path in evidence."""
    if ctx.cert_dir is None:
        return
    path = Path(ctx.cert_dir) / f"{claim.id}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(pcert, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        evidence["certificate"] = f"not saved: {' '.join(str(exc).split())}"
        return
    evidence["certificate"] = str(path)
    text = path.read_text(encoding="utf-8")
    digits = max((len(d) for d in re.findall(r"/\s*\(?(\d+)", text)), default=1)
    evidence["certificate_stats"] = {"size_bytes": len(text.encode("utf-8")),
                                     "max_denominator_digits": digits, "check_seconds": check_seconds,
                                     "recheck": f"python -m verify recheck {path} --at 1/3"}


def _parameters(claim: Claim, ctx: Context, L: Any, m: Any) -> Parameters:
    """L, m and the claim's other parameters (``assume``) with the domain (``domain``, and 0 < m < L last)."""
    assume = claim.get("assume", {})
    if not isinstance(assume, dict) or not all(isinstance(v, str) for v in assume.values()):
        raise FieldError("assume", "must be a table such as { alpha = \"positive\" }")
    symbols: dict[str, Any] = {"L": L, "m": m}
    for name, kind in assume.items():
        if name in PARAMETERS:
            raise FieldError("assume", f"'{name}' is the class parameter (positive, with 0 < m < L)")
        symbols[name] = make_symbol(name, kind)
    raw = claim.get("domain", [])
    raw = [raw] if isinstance(raw, str) else raw
    if not isinstance(raw, list):
        raise FieldError("domain", "must be a list of comparisons such as [\"alpha*L < 1\"]")
    domain = [t for i, text in enumerate(raw)
              for t in parse_relations(text, field=f"domain[{i}]", symbols=symbols, caps=ctx.caps)]
    return Parameters(symbols=symbols, domain=[*domain, (m, "<", L)], assume=dict(assume))


def _domain_text(params: Parameters) -> str:
    return " and ".join(f"{a} {op} {b}" for a, op, b in params.domain)


def _exact(coeff: Any) -> Any:
    """A sympy rational as a Fraction (the numeric builder's type); other expressions stay sympy."""
    return Fraction(int(coeff.p), int(coeff.q)) if isinstance(coeff, sp.Rational) else coeff


def _symbolic_class(q: Any) -> Any:
    """The strongly convex class at a symbolic q (make_class checks 0 < q < 1 on numbers only)."""
    from pep.classes import FunctionClass

    return FunctionClass("smooth-strongly-convex", q)
