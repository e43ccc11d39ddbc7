"""``kind = "proof"``: a theorem and the chain of steps that proves it, each step checked on its own.

The theorem (``lhs relation rhs``) is checked as a claim of its own (a class inequality when there are
``points``, else a scalar inequality or identity), so the verdict of the claim is the theorem's. The proof
is judged separately: ``valid`` when every step is certified and the chain's ends are the theorem's,
``broken at step k`` when step k is refuted (its witness shown), ``incomplete`` otherwise. A step's ``by``
names the fact it uses; the fact is never taken on faith: the step itself is checked over the proof's
hypotheses (its class, L, m, points, assumptions), which is what the named fact must deliver.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

from core.errors import FieldError
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.verdict import Outcome, Verdict

STEP_FIELDS = {"lhs", "relation", "rhs", "by", "note", "side", "of", "times"}
STEP_RELATIONS = ("==", "<=", ">=", "<", ">")
FACTS = ("algebra", "smoothness-upper-bound", "strong-convexity-lower-bound", "convexity", "co-coercivity",
         "descent-lemma", "cauchy-schwarz", "young", "hypothesis", "sum", "monotone", "rearrange")
# facts that derive a statement from an earlier one (or from a sequence's monotonicity): a step using one
# with its own lhs starts a new segment of the chain
DERIVING = ("sum", "monotone", "rearrange")
PROOF_STATUS = ("valid", "broken", "incomplete")
MAX_STEPS = 64
# The hypotheses a step inherits from the proof claim (and passes to the checker of the step).
VECTOR_HYPOTHESES = ("class", "L", "m", "points")
SCALAR_HYPOTHESES = ("where", "assume", "domain")
EXTRA_HYPOTHESES = ("iterate", "stationary", "sequence")


@register
class ProofChecker(Checker):
    """The theorem's verdict, and the proof's: valid, broken at a step (with its witness) or incomplete."""

    kind = "proof"
    required = ("lhs", "relation", "rhs", "step")
    optional = (VECTOR_HYPOTHESES + SCALAR_HYPOTHESES + EXTRA_HYPOTHESES
                + ("expect_proof", "expect_broken_step"))

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        steps = _steps(claim)
        expect_proof, expect_step = _expectations(claim, len(steps))
        env = _Env(claim, ctx)
        theorem = env.decide(claim.get("lhs"), claim.get("relation"), claim.get("rhs"), "theorem")
        segments = _segments(steps)
        step_results: list[Outcome] = []
        for k, s in enumerate(steps, start=1):
            step_results.append(env.step(k, s, steps, segments, step_results))
        links = _links(claim, env, steps, segments)
        status, broken, why = _status(step_results, links, claim.get("relation"), steps, segments)
        evidence: dict[str, Any] = {
            "theorem": {"statement": f"{claim.get('lhs')} {claim.get('relation')} {claim.get('rhs')}",
                        "verdict": theorem.verdict.value, "summary": theorem.summary},
            "proof": status if broken is None else f"broken at step {broken}",
            "proof_reason": why,
            # the keys of the results schema only: a side fact and the step a derivation uses are in "by"
            "steps": [{"step": k, "lhs": s["lhs"], "relation": s["relation"], "rhs": s["rhs"],
                       "by": _by_text(s), "verdict": r.verdict.value, "summary": r.summary}
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
    chain step's rhs)."""
    raw = claim.get("step")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise FieldError("step", "write the proof as [[claim.step]] tables (lhs, relation, rhs, by)")
    if len(raw) > MAX_STEPS:
        raise FieldError("step", f"{len(raw)} steps, above the cap of {MAX_STEPS}")
    steps: list[dict[str, Any]] = []
    for k, s in enumerate(raw, start=1):
        unknown = sorted(set(s) - STEP_FIELDS)
        if unknown:
            raise FieldError(f"step[{k}].{unknown[0]}",
                             f"unknown field (allowed: {', '.join(sorted(STEP_FIELDS))})")
        step = dict(s)
        step["explicit"] = "lhs" in step
        if not isinstance(step.get("side", False), bool):
            raise FieldError(f"step[{k}].side", "must be true or false")
        chain = [t for t in steps if not t.get("side")]
        if "lhs" not in step:
            if not chain or step.get("side"):
                raise FieldError(f"step[{k}].lhs", "the first step must state its lhs" if k == 1 else
                                 "a side fact (or the first step of the chain) must state its lhs")
            step["lhs"] = chain[-1]["rhs"]
        for name in ("lhs", "relation", "rhs"):
            if not isinstance(step.get(name), str):
                raise FieldError(f"step[{k}].{name}", "missing or not a string")
        if step["relation"] not in STEP_RELATIONS:
            raise FieldError(f"step[{k}].relation", f"must be one of {', '.join(STEP_RELATIONS)}")
        by = step.get("by", "algebra")
        if by not in FACTS:
            raise FieldError(f"step[{k}].by", f"must be one of {', '.join(FACTS)}, got {step.get('by')!r}")
        of = step.get("of")
        if by in ("sum", "rearrange"):
            if isinstance(of, bool) or not isinstance(of, int) or not 1 <= of < k:
                raise FieldError(f"step[{k}].of", f"by = \"{by}\" needs of = an earlier step number "
                                                  f"(1 to {k - 1}), got {of!r}")
        elif of is not None:
            raise FieldError(f"step[{k}].of", "only with by = \"sum\" or \"rearrange\"")
        if "times" in step and (by != "rearrange" or not isinstance(step["times"], (str, int))
                                or isinstance(step["times"], bool)):
            raise FieldError(f"step[{k}].times", "only with by = \"rearrange\": a positive factor (string)")
        steps.append(step)
    return steps


def _by_text(s: dict[str, Any]) -> str:
    by = s.get("by", "algebra")
    if s.get("of"):
        by += f" of step {s['of']}"
    return by + (" (side fact)" if s.get("side") else "")


def _segments(steps: list[dict[str, Any]]) -> list[list[int]]:
    """The chain's segments (lists of step numbers): a new one starts at a step that states its own lhs and
    derives it (sum, monotone, rearrange); side facts belong to none."""
    out: list[list[int]] = []
    for k, s in enumerate(steps, start=1):
        if s.get("side"):
            continue
        if not out or (s["explicit"] and s.get("by") in DERIVING):
            out.append([k])
        else:
            out[-1].append(k)
    return out


def _segment_of(segments: list[list[int]], k: int) -> list[int]:
    return next(seg for seg in segments if k in seg)


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
    if not vector:  # keep the substitutions, assumptions and constraints about the names this step uses
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", f"{lhs} {rhs}"))
        where = {k: v for k, v in (fields.get("where") or {}).items() if k in words}
        for v in where.values():
            words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(v)))
        for name, value in (("where", where),
                            ("assume", {k: v for k, v in (fields.get("assume") or {}).items() if k in words}),
                            ("domain", [d for d in (fields.get("domain") or []) if isinstance(d, str) and set(
                                re.findall(r"[A-Za-z_][A-Za-z0-9_]*", d)) <= words])):
            fields.pop(name, None)
            if value:
                fields[name] = value
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


class _Env:
    """The proof's hypotheses, and how each statement under them is decided."""

    def __init__(self, claim: Claim, ctx: Context) -> None:
        from verify import proofs

        self.claim, self.ctx = claim, ctx
        self.vector = None
        self.seq = None
        special = [k for k in EXTRA_HYPOTHESES if claim.get(k) is not None]
        if special and claim.get("points") is None:
            raise FieldError(special[0], "needs points (the vector language)")
        if special:
            self.vector = proofs.vector_setting(claim, ctx)
        if claim.get("sequence") is not None:
            self.seq = proofs.sequence_setting(claim, self.vector, ctx)
        self._joints: dict[tuple[str, str], Outcome] = {}

    def joint(self, a: str, b: str, step: int) -> Outcome:
        """The identity a == b (a joint of the chain), decided once."""
        if a == b:
            return Outcome(Verdict.CERTIFIED, "same expression", {})
        if (a, b) not in self._joints:
            self._joints[(a, b)] = self.decide(a, "==", b, f"step {step}")
        return self._joints[(a, b)]

    def is_seq(self, *texts: Any) -> bool:
        from verify.proofs import uses_sequence

        return self.seq is not None and any(uses_sequence(self.seq, t) for t in texts)

    def decide(self, lhs: Any, relation: Any, rhs: Any, label: str) -> Outcome:
        from verify import proofs

        if not all(isinstance(x, str) for x in (lhs, relation, rhs)):
            raise FieldError(label if label != "theorem" else "lhs", "lhs, relation and rhs must be strings")
        if self.is_seq(lhs, rhs):
            return proofs.check_sequence(self.seq, lhs, relation, rhs, label, self.ctx)
        if self.vector is not None:
            def fallback(points: list[str]) -> Outcome:
                plain = Claim(id=self.claim.id, kind="proof", statement="", file=self.claim.file,
                              fields={**{k: v for k, v in self.claim.fields.items()
                                         if k not in EXTRA_HYPOTHESES}, "points": points})
                return _check(plain, self.ctx, lhs, relation, rhs, label)
            return proofs.check_vector(self.vector, lhs, relation, rhs, label, self.ctx, fallback)
        return _check(self.claim, self.ctx, lhs, relation, rhs, label)

    def conclusion(self, steps: list[dict[str, Any]], segments: list[list[int]], j: int
                   ) -> tuple[str, str, str] | None:
        """What the chain has proved when it reaches step j: (segment's first lhs, relation, rhs of j);
        for a side fact, its own statement; None when the relations mix directions."""
        s = steps[j - 1]
        if s.get("side"):
            return s["lhs"], s["relation"], s["rhs"]
        seg = _segment_of(segments, j)
        upto = seg[:seg.index(j) + 1]
        rel = _direction([steps[i - 1]["relation"] for i in upto])
        return None if rel is None else (steps[seg[0] - 1]["lhs"], rel, s["rhs"])

    def step(self, k: int, s: dict[str, Any], steps: list[dict[str, Any]], segments: list[list[int]],
             done: list[Outcome]) -> Outcome:
        label = f"step {k}"
        by = s.get("by", "algebra")
        if by == "sum":
            return self._sum(k, s, steps, segments, done)
        if by == "monotone":
            return self._monotone(k, s)
        if by == "rearrange":
            return self._rearrange(k, s, steps, segments, done)
        return self.decide(s["lhs"], s["relation"], s["rhs"], label)

    def _earlier(self, k: int, s: dict[str, Any], steps: list[dict[str, Any]], segments: list[list[int]],
                 done: list[Outcome]) -> tuple[tuple[str, str, str] | None, str]:
        """The statement step ``of`` reached, and why it cannot be used (or "")."""
        j = s["of"]
        used = self.conclusion(steps, segments, j)
        if used is None:
            return None, f"the chain up to step {j} mixes <= and >="
        seg = [j] if steps[j - 1].get("side") else _segment_of(segments, j)
        upto = seg[:seg.index(j) + 1]
        open_ = [i for i in upto if done[i - 1].verdict is not Verdict.CERTIFIED]
        open_ += [b for a, b in zip(upto, upto[1:], strict=False)
                  if self.joint(steps[a - 1]["rhs"], steps[b - 1]["lhs"], b).verdict is not Verdict.CERTIFIED]
        return used, ("" if not open_ else f"step {min(open_)} (used through step {j}) or its joint is not "
                                           f"certified")

    def _sum(self, k: int, s: dict[str, Any], steps: list[dict[str, Any]], segments: list[list[int]],
             done: list[Outcome]) -> Outcome:
        from verify import proofs

        where = f"step[{k}]"
        if self.seq is None:
            raise FieldError(f"{where}.by", "by = \"sum\" needs a sequence (the sequence field)")
        used, why = self._earlier(k, s, steps, segments, done)
        lhs = proofs.parse_seq(self.seq, s["lhs"], f"{where}.lhs", self.ctx)
        rhs = proofs.parse_seq(self.seq, s["rhs"], f"{where}.rhs", self.ctx)
        if not (isinstance(lhs, sp.Sum) and isinstance(rhs, sp.Sum) and lhs.limits == rhs.limits):
            raise FieldError(f"{where}.lhs", "a summed step is sum(A, k, a, b) on both sides, with the same "
                                             "index and bounds")
        own = self.decide(s["lhs"], s["relation"], s["rhs"], f"step {k}")
        if used is None or why:
            return _weaker(own, f"the summed step {s['of']} is not established ({why})")
        a_lhs, a_rel, a_rhs = used
        if not _implies(a_rel, s["relation"]) or (a_rel == "==") != (s["relation"] == "=="):
            return _weaker(own, f"step {s['of']} gives {a_rel}, the sum states {s['relation']}")
        summand = lhs.function - rhs.function if s["relation"] in ("<=", "<", "==") else \
            rhs.function - lhs.function
        gram, space = proofs.seq_excess_gram(self.seq, summand, where, self.ctx)
        term, *_ = proofs.reduce_gram(self.vector, space, gram)
        base, *_ = proofs.gram_excess(self.vector, a_lhs, a_rel, a_rhs, f"step {s['of']}", self.ctx)
        ratio = sp.cancel(term / base) if base != 0 else None
        if term == 0 and base == 0 or ratio is not None and ratio.is_number and ratio > 0:
            (var, lo, hi), = lhs.limits
            return Outcome(Verdict.CERTIFIED, f"the sum over {var} = {lo}..{hi} of step {s['of']}'s "
                                              f"inequality"
                                              f" (summand = {ratio if ratio is not None else 1} times its "
                                              f"excess, exactly)",
                           {"summand_excess": str(term), "step_excess": str(base)})
        return _weaker(own, f"the summand is not a positive multiple of step {s['of']}'s inequality "
                            f"(summand excess {term}, step excess {base})")

    def _monotone(self, k: int, s: dict[str, Any]) -> Outcome:
        from verify import proofs

        where = f"step[{k}]"
        if self.seq is None:
            raise FieldError(f"{where}.by", "by = \"monotone\" needs a sequence (the sequence field)")
        seq = self.seq
        own = self.decide(s["lhs"], s["relation"], s["rhs"], f"step {k}")
        lhs = proofs.parse_seq(seq, s["lhs"], f"{where}.lhs", self.ctx)
        rhs = proofs.parse_seq(seq, s["rhs"], f"{where}.rhs", self.ctx)
        sums = list((lhs - rhs).atoms(sp.Sum))
        if len(sums) != 1:
            raise FieldError(f"{where}.rhs", "a monotonicity step has exactly one sum")
        total = sums[0]
        (var, a, b), = total.limits
        apps = [t for t in sp.expand(total.function).atoms(sp.Function) if t.func in seq.funcs.values()]
        if len(apps) != 1 or sp.expand(total.function - apps[0]) != 0:
            raise FieldError(f"{where}.rhs", "sum one sequence term, e.g. sum(F(k + 1), k, 0, N - 1)")
        name = apps[0].func.__name__
        shift = sp.expand(apps[0].args[0] - var)
        first, last = sp.expand(a + shift), sp.expand(b + shift)
        if not (first.is_Integer and first >= 0):
            raise FieldError(f"{where}.rhs", f"the sum must start at a fixed index >= 0, got {first}")
        outside = [t for t in (lhs - rhs).atoms(sp.Function) if t.func == apps[0].func
                   and not any(t in x.atoms(sp.Function) for x in sums)
                   and not t.has(var)]
        if len(outside) != 1:
            raise FieldError(f"{where}.lhs", f"compare the sum with one term {name}(r), r >= its last index")
        r = outside[0].args[0]
        gap = sp.expand(r - last)
        if not (gap.is_Integer and gap >= 0):
            return _weaker(own, f"{name}({r}) is not at or after the sum's last index {last}")
        hyp = self._nonincreasing(name)
        evidence = {"hypothesis": f"{name}(k + 1) <= {name}(k)", "hypothesis_verdict": hyp.verdict.value,
                    "hypothesis_summary": hyp.summary}
        if hyp.verdict is not Verdict.CERTIFIED:
            return _weaker(own, f"the hypothesis {name}(k + 1) <= {name}(k) is {hyp.verdict.value}: "
                                f"{hyp.summary}", evidence)
        # the fact: (count) * F(r) <= sum_{j=first}^{last} F(j); the step must be a positive multiple of it
        count = sp.expand(last - first + 1)
        fact = sp.expand(count * outside[0] - total)
        excess = lhs - rhs if s["relation"] in ("<=", "<") else rhs - lhs
        if s["relation"] in ("==", "<", ">"):
            return _weaker(own, "monotonicity gives a non-strict inequality", evidence)
        ratio = sp.simplify(proofs.canonical(seq, excess, where) / proofs.canonical(seq, fact, where))
        evidence["factor"] = str(ratio)
        if ratio.free_symbols <= {seq.N, sp.Symbol("L", positive=True)} and not any(
                ratio.has(fn) for fn in seq.funcs.values()) and ratio.is_positive:
            return Outcome(Verdict.CERTIFIED, f"{name} is nonincreasing ({hyp.summary}), so "
                                              f"{count}*{name}({r}) <= the sum of its {count} terms; the "
                                              f"step "
                                              f"is {ratio} times that", evidence)
        return _weaker(own, f"the step is not a positive multiple of {count}*{name}({r}) <= the sum",
                       evidence)

    def _nonincreasing(self, name: str) -> Outcome:
        from verify import proofs

        seq = self.seq
        if name not in seq.monotone:
            text = seq.definitions[name]
            seq.monotone[name] = proofs.check_vector(self.vector, proofs.at_next(text, seq.current, seq.nxt),
                                                     "<=", text, f"monotone {name}", self.ctx)
        return seq.monotone[name]

    def _rearrange(self, k: int, s: dict[str, Any], steps: list[dict[str, Any]], segments: list[list[int]],
                   done: list[Outcome]) -> Outcome:
        """Step k's statement follows from step ``of``'s: own excess - times * its excess <= 0 is proved with
        the values free (a relaxation: only a proof counts; failing that, the statement on its own)."""
        from verify import proofs

        where = f"step[{k}]"
        own = self.decide(s["lhs"], s["relation"], s["rhs"], f"step {k}")
        used, why = self._earlier(k, s, steps, segments, done)
        if used is None or why:
            return _weaker(own, f"step {s['of']} is not established ({why})")
        a_lhs, a_rel, a_rhs = used
        if a_rel == "==" or s["relation"] in ("==", "<", ">"):
            return _weaker(own, "rearrange derives a non-strict inequality from an inequality")
        times = s.get("times", 1)

        def excess(lhs: str, rel: str, rhs: str, w: str) -> Any:
            if self.seq is not None:
                lv = proofs.canonical(self.seq, proofs.parse_seq(self.seq, lhs, f"{w}.lhs", self.ctx), w)
                rv = proofs.canonical(self.seq, proofs.parse_seq(self.seq, rhs, f"{w}.rhs", self.ctx), w)
            else:
                from core.expr import parse_expr
                lv = parse_expr(lhs, field=f"{w}.lhs", caps=self.ctx.caps)
                rv = parse_expr(rhs, field=f"{w}.rhs", caps=self.ctx.caps)
            return sp.expand(lv - rv if rel in ("<=", "<") else rv - lv)

        if self.seq is None and self.vector is not None:
            return _weaker(own, "rearrange is for sequence and scalar proofs")
        mine = excess(s["lhs"], s["relation"], s["rhs"], where)
        theirs = excess(a_lhs, a_rel, a_rhs, f"step[{s['of']}]")
        factor = parse_expr_safe(times, f"{where}.times", self.ctx, self.seq)
        rest = sp.expand(mine - factor * theirs)
        if self.seq is not None:
            text, assume = proofs.scalar_form(self.seq, rest)
            fac_text, fac_assume = proofs.scalar_form(self.seq, factor)
        else:
            text, assume = str(rest), self.claim.get("assume", {})
            fac_text, fac_assume = str(factor), assume
        from verify.claims import Claim as _Claim
        from verify.dispatch import check_claim

        def decide(expr: Any, txt: str, assumptions: dict[str, Any], rel: str, tag: str) -> Outcome:
            if expr.is_number:  # a constant: its exact sign
                ok = bool(expr <= 0) if rel == "<=" else bool(expr >= 0)
                return Outcome(Verdict.CERTIFIED if ok else Verdict.REFUTED, f"the constant {expr}", {})
            fields = {"lhs": txt, "relation": rel, "rhs": "0"}
            if assumptions:
                fields["assume"] = assumptions
            if self.seq is None:
                fields.update({k2: self.claim.get(k2) for k2 in ("where", "domain") if self.claim.get(k2)})
            return check_claim(_Claim(id=f"{self.claim.id}:{tag}{k}", kind="inequality", statement="",
                                      file=self.claim.file, fields=fields), self.ctx)

        res = decide(rest, text, assume, "<=", "rearrange")
        pos = decide(sp.sympify(factor), fac_text, fac_assume, ">=", "factor")
        evidence = {"derivation": f"({text}) <= 0", "derivation_verdict": res.verdict.value,
                    "factor": fac_text, "factor_verdict": pos.verdict.value}
        if res.verdict is Verdict.CERTIFIED and pos.verdict is Verdict.CERTIFIED:
            return Outcome(Verdict.CERTIFIED, f"follows from step {s['of']}: its excess times {fac_text} "
                                              f">= 0 "
                                              f"bounds this one ({res.summary})", evidence)
        return _weaker(own, f"not derived from step {s['of']} with factor {fac_text} ({res.summary})",
                       evidence)


def parse_expr_safe(value: Any, where: str, ctx: Context, seq: Any) -> Any:
    from core.expr import parse_expr

    table = {} if seq is None else {"N": seq.N, "L": seq.vector.L, "m": seq.vector.m}
    return parse_expr(value, field=where, symbols=table, allow_new=seq is None, caps=ctx.caps)


def _weaker(own: Outcome, why: str, evidence: dict[str, Any] | None = None) -> Outcome:
    """The step's fact did not deliver it: it stands on its own verdict (refuted by a witness, certified if
    true anyway), else inconclusive with the reason."""
    ev = {**(evidence or {}), "justification": why, "own_verdict": own.verdict.value,
          "own_summary": own.summary, **({"counterexample": own.evidence["counterexample"]}
                                         if "counterexample" in own.evidence else {})}
    if own.verdict is Verdict.REFUTED:  # its own witness, as the checker that found it wrote it
        return Outcome(Verdict.REFUTED, own.summary, own.evidence)
    if own.verdict is Verdict.CERTIFIED:
        return Outcome(Verdict.CERTIFIED, f"true on its own ({own.summary}); {why}", ev)
    return Outcome(Verdict.INCONCLUSIVE, f"{why}; on its own: {own.summary}", ev)


def _links(claim: Claim, env: _Env, steps: list[dict[str, Any]], segments: list[list[int]]
           ) -> list[dict[str, Any]]:
    """The chain's joints, each an identity: theorem lhs = the last segment's first lhs, within a segment
    step k rhs = step k+1 lhs, the last rhs = theorem rhs (no check where the text is the same). ``step``
    is the step a failed joint breaks."""
    last = segments[-1]
    first, end = last[0], last[-1]
    joints = [(f"theorem lhs = step {first} lhs", first, claim.get("lhs"), steps[first - 1]["lhs"])]
    for seg in segments:
        for a, b in zip(seg, seg[1:], strict=False):
            joints.append((f"step {a} rhs = step {b} lhs", b, steps[a - 1]["rhs"], steps[b - 1]["lhs"]))
    joints.append((f"step {end} rhs = theorem rhs", end, steps[end - 1]["rhs"], claim.get("rhs")))
    out = []
    for label, step, a, b in joints:
        r = env.joint(a, b, step)
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
            steps: list[dict[str, Any]], segments: list[list[int]]) -> tuple[str, int | None, str]:
    """valid / broken (the first refuted step or joint, or a chain going the wrong way) / incomplete, with
    the reason."""
    failures = [(k, f"step {k} is refuted") for k, r in enumerate(results, start=1)
                if r.verdict is Verdict.REFUTED]
    failures += [(j["step"], f"the chain does not join: {j['joint']} is refuted") for j in links
                 if j["verdict"] == "refuted"]
    if failures:
        return "broken", *min(failures)
    chain = _direction([steps[k - 1]["relation"] for k in segments[-1]])
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
