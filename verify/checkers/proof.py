"""``kind = "proof"``: a theorem and the chain of steps that proves it, each step checked on its own.

The theorem (``lhs relation rhs``) is checked as a claim of its own (a class inequality when there are
``points``, else a scalar inequality or identity), so the verdict of the claim is the theorem's. The proof
is judged separately: ``valid`` when every step is certified and the chain's ends are the theorem's,
``broken at step k`` when step k is refuted (its witness shown), ``incomplete`` otherwise. A step's ``by``
names the fact it uses; the fact is never taken on faith: the step itself is checked over the proof's
hypotheses (its class, L, m, points, assumptions), which is what the named fact must deliver.
"""

from __future__ import annotations

from typing import Any

from core.errors import FieldError
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.verdict import Outcome, Verdict

STEP_FIELDS = {"lhs", "relation", "rhs", "by", "note"}
STEP_RELATIONS = ("==", "<=", ">=", "<", ">")
FACTS = ("algebra", "smoothness-upper-bound", "strong-convexity-lower-bound", "convexity", "co-coercivity",
         "descent-lemma", "cauchy-schwarz", "young", "hypothesis")
PROOF_STATUS = ("valid", "broken", "incomplete")
MAX_STEPS = 64
# The hypotheses a step inherits from the proof claim (and passes to the checker of the step).
VECTOR_HYPOTHESES = ("class", "L", "m", "points")
SCALAR_HYPOTHESES = ("where", "assume", "domain")


@register
class ProofChecker(Checker):
    """The theorem's verdict, and the proof's: valid, broken at a step (with its witness) or incomplete."""

    kind = "proof"
    required = ("lhs", "relation", "rhs", "step")
    optional = VECTOR_HYPOTHESES + SCALAR_HYPOTHESES + ("expect_proof", "expect_broken_step")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        steps = _steps(claim)
        expect_proof, expect_step = _expectations(claim, len(steps))
        theorem = _check(claim, ctx, claim.get("lhs"), claim.get("relation"), claim.get("rhs"), "theorem")
        step_results = [_check(claim, ctx, s["lhs"], s["relation"], s["rhs"], f"step {k}")
                        for k, s in enumerate(steps, start=1)]
        links = _links(claim, ctx, steps)
        status, broken, why = _status(step_results, links, claim.get("relation"), steps)
        evidence: dict[str, Any] = {
            "theorem": {"statement": f"{claim.get('lhs')} {claim.get('relation')} {claim.get('rhs')}",
                        "verdict": theorem.verdict.value, "summary": theorem.summary},
            "proof": status if broken is None else f"broken at step {broken}",
            "proof_reason": why,
            "steps": [{"step": k, "lhs": s["lhs"], "relation": s["relation"], "rhs": s["rhs"],
                       "by": s.get("by", "algebra"), "verdict": r.verdict.value, "summary": r.summary}
                      for k, (s, r) in enumerate(zip(steps, step_results, strict=True), start=1)],
            "chain": links,
        }
        if broken is not None and step_results[broken - 1].verdict is Verdict.REFUTED:
            evidence["broken_step_witness"] = step_results[broken - 1].evidence
        verdict = theorem.verdict
        if status == "valid" and verdict is not Verdict.REFUTED:
            verdict = Verdict.CERTIFIED  # a valid chain whose ends are the theorem's proves it
        met = expect_proof is None or (expect_proof == status and (
            expect_step is None or expect_step == broken))
        evidence["proof_expectation"] = None if expect_proof is None else {
            "expected": expect_proof if expect_step is None else f"{expect_proof} at step {expect_step}",
            "met": met}
        summary = (f"theorem {theorem.verdict.value}; proof {evidence['proof']}: {why}"
                   + ("" if broken is None or step_results[broken - 1].verdict is not Verdict.REFUTED
                      else f" ({step_results[broken - 1].summary})")
                   + ("" if met else "; NOT the expected proof verdict "
                                     f"({evidence['proof_expectation']['expected']})"))
        return Outcome(verdict, summary, evidence)


def _steps(claim: Claim) -> list[dict[str, Any]]:
    """The [[claim.step]] tables, validated; the first names its lhs, later ones may omit it (the previous
    rhs)."""
    raw = claim.get("step")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise FieldError("step", "write the proof as [[claim.step]] tables (lhs, relation, rhs, by)")
    if len(raw) > MAX_STEPS:
        raise FieldError("step", f"{len(raw)} steps, above the cap of {MAX_STEPS}")
    steps = []
    for k, s in enumerate(raw, start=1):
        unknown = sorted(set(s) - STEP_FIELDS)
        if unknown:
            raise FieldError(f"step[{k}].{unknown[0]}",
                             f"unknown field (allowed: {', '.join(sorted(STEP_FIELDS))})")
        step = dict(s)
        if "lhs" not in step:
            if k == 1:
                raise FieldError("step[1].lhs", "the first step must state its lhs")
            step["lhs"] = steps[-1]["rhs"]
        for name in ("relation", "rhs"):
            if not isinstance(step.get(name), str):
                raise FieldError(f"step[{k}].{name}", "missing or not a string")
        if step["relation"] not in STEP_RELATIONS:
            raise FieldError(f"step[{k}].relation", f"must be one of {', '.join(STEP_RELATIONS)}")
        if step.get("by", "algebra") not in FACTS:
            raise FieldError(f"step[{k}].by", f"must be one of {', '.join(FACTS)}, got {step.get('by')!r}")
        steps.append(step)
    return steps


def _expectations(claim: Claim, n: int) -> tuple[str | None, int | None]:
    expect, step = claim.get("expect_proof"), claim.get("expect_broken_step")
    if expect is not None and expect not in PROOF_STATUS:
        raise FieldError("expect_proof", f"must be one of {', '.join(PROOF_STATUS)}, got {expect!r}")
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= n):
        raise FieldError("expect_broken_step", f"must be a step number from 1 to {n}, got {step!r}")
    if step is not None and expect != "broken":
        raise FieldError("expect_broken_step", "only with expect_proof = \"broken\"")
    return expect, step


def _sub_claim(claim: Claim, lhs: str, relation: str, rhs: str, label: str) -> Claim:
    """The claim 'lhs relation rhs' under the proof's hypotheses, of the kind that decides it."""
    vector = claim.get("points") is not None
    names = VECTOR_HYPOTHESES if vector else SCALAR_HYPOTHESES
    fields = {k: claim.get(k) for k in names if claim.get(k) is not None}
    if relation == "==":
        kind = "identity"
        fields = {k: v for k, v in fields.items() if k in ("points",) + SCALAR_HYPOTHESES}
    else:
        kind = "class-inequality" if vector else "inequality"
    fields.update(lhs=lhs, relation=relation, rhs=rhs)
    if kind == "identity":
        fields.pop("relation")
    return Claim(id=f"{claim.id}:{label}", kind=kind, statement=f"{label}: {lhs} {relation} {rhs}",
                 file=claim.file, fields=fields)


def _check(claim: Claim, ctx: Context, lhs: Any, relation: Any, rhs: Any, label: str) -> Outcome:
    """The verdict of one statement under the proof's hypotheses; bad fields name the step."""
    from verify.dispatch import check_claim

    if not all(isinstance(x, str) for x in (lhs, relation, rhs)):
        raise FieldError(label if label != "theorem" else "lhs", "lhs, relation and rhs must be strings")
    sub = _sub_claim(claim, lhs, relation, rhs, label)
    result = check_claim(sub, ctx)
    if result.verdict is Verdict.ERROR:
        where = "" if label == "theorem" else f"{label.replace(' ', '[')}]."
        field = result.evidence.get("field") or "lhs"
        message = result.summary.split(": ", 2)[-1]
        raise FieldError(f"{where}{field}" if where else field, message)
    return Outcome(result.verdict, result.summary, result.evidence)


def _links(claim: Claim, ctx: Context, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chain's joints, each an identity: theorem lhs = step 1 lhs, step k rhs = step k+1 lhs, last rhs
    = theorem rhs (no check where the text is the same). ``step`` is the step a failed joint breaks."""
    n = len(steps)
    joints = [("theorem lhs = step 1 lhs", 1, claim.get("lhs"), steps[0]["lhs"])]
    joints += [(f"step {k} rhs = step {k + 1} lhs", k + 1, a["rhs"], b["lhs"])
               for k, (a, b) in enumerate(zip(steps, steps[1:], strict=False), start=1)]
    joints.append((f"step {n} rhs = theorem rhs", n, steps[-1]["rhs"], claim.get("rhs")))
    out = []
    for label, step, a, b in joints:
        if a == b:
            out.append({"joint": label, "step": step, "verdict": "certified", "summary": "same expression"})
            continue
        r = _check(claim, ctx, a, "==", b, f"step {step}")
        out.append({"joint": label, "step": step, "verdict": r.verdict.value, "summary": r.summary})
    return out


def _direction(relations: list[str]) -> str | None:
    """The relation a chain of relations gives ('<=', '<', '>=', '>', '=='), or None if it mixes up and
    down."""
    ups, downs = {"<", "<="}, {">", ">="}
    if any(r in ups for r in relations) and any(r in downs for r in relations):
        return None
    strict = any(r in ("<", ">") for r in relations)
    if any(r in ups for r in relations):
        return "<" if strict else "<="
    if any(r in downs for r in relations):
        return ">" if strict else ">="
    return "=="


def _implies(chain: str | None, theorem: str) -> bool:
    """Whether 'a chain b' gives 'a theorem b'."""
    return chain is not None and (chain == theorem or (chain, theorem) in {
        ("<", "<="), (">", ">="), ("==", "<="), ("==", ">=")})


def _status(results: list[Outcome], links: list[dict[str, Any]], relation: str,
            steps: list[dict[str, Any]]) -> tuple[str, int | None, str]:
    """valid / broken (the first refuted step or joint, or a chain going the wrong way) / incomplete, with
    the reason."""
    failures = [(k, f"step {k} is refuted") for k, r in enumerate(results, start=1)
                if r.verdict is Verdict.REFUTED]
    failures += [(j["step"], f"the chain does not join: {j['joint']} is refuted") for j in links
                 if j["verdict"] == "refuted"]
    if failures:
        return "broken", *min(failures)
    chain = _direction([s["relation"] for s in steps])
    if not _implies(chain, relation):
        return "broken", None, (f"the steps give lhs {chain} rhs, not the theorem's {relation}" if chain else
                                "the steps mix <= and >=, so they give no relation between the ends")
    if all(r.verdict is Verdict.CERTIFIED for r in results) and all(
            j["verdict"] == "certified" for j in links):
        return "valid", None, "every step and every joint is certified"
    open_steps = [str(k) for k, r in enumerate(results, start=1) if r.verdict is not Verdict.CERTIFIED]
    open_joints = [j["joint"] for j in links if j["verdict"] != "certified"]
    return "incomplete", None, "not certified: " + ", ".join(
        ([f"steps {', '.join(open_steps)}"] if open_steps else []) + open_joints)
