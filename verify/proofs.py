"""Proof claims (``kind = "proof"``): the printed chain, and the hypotheses the class-inequality and
inequality kinds do not have on their own.

* Linked points (``iterate = { xn = "x - grad(x)/L" }``): a point that is a linear combination of the other
  points and their gradients (the next iterate of a method). A step over linked points is decided here: a
  diagonal quadratic of the class at integer points (the linked point computed from them) refutes it,
  evaluated exactly; a PEP whose points carry the links (the class's interpolation inequality for every
  ordered pair) certifies it, the multipliers rounded to rationals and the certificate re-checked exactly
  here (the linear identity in the function values, and an exact LDL^T of the PSD part).
* Stationary points (``stationary = ["xc"]``): grad = 0 but no minimality. Refuted by quadratics with
  curvatures in [-L, L] and the stationary point at 0 (e.g. f = -x^2/2); certified by the same PEP with
  the point's gradient 0.
* Sequences (``sequence = { F = "f(x) - f(xs)", D = "sqnorm(x - xs)" }``): quantities of the iterate x_k
  (named ``x``; ``F(k + 1)`` is the same expression at the linked point). Sequence steps use ``F(i)``,
  ``sum(expr, k, a, b)`` and a symbolic ``N``; sums are brought to a canonical form (index shifts and
  boundary terms peeled off, exactly, valid for every N >= 1), and the step is certified by the inequality
  or identity kind with each sequence value a free symbol (nonnegative when the class proves it so). That
  relaxation proves but cannot refute: a sequence step is refuted only by an actual run of the iteration
  (a quadratic or Huber function of the class, an integer start, N <= 6), computed exactly.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from core.errors import FieldError
from verify.verdict import Outcome, Result, Verdict

MARKS = {"certified": "ok", "refuted": "FAILS", "inconclusive": "??", "error": "error"}
MAX_RUN_N = 6          # runs used to refute sequence steps: N = 1..MAX_RUN_N
WITNESS_TRIES = 60     # random integer configurations per dimension (linked vector steps)


def proof_chain(result: Result) -> str:
    """The numbered chain of a ``proof`` result, the first broken step marked with its witness."""
    ev = result.evidence
    theorem = ev.get("theorem", {})
    lines = [f"theorem: {theorem.get('statement')}   [{theorem.get('verdict')}]",
             f"proof: {ev.get('proof')} ({ev.get('proof_reason')})"]
    found = re.fullmatch(r"broken at step (\d+)", str(ev.get("proof")))
    broken = int(found.group(1)) if found else None
    previous = None  # the rhs the chain has reached (side facts stand apart)
    for step in ev["steps"]:
        mark = MARKS.get(step["verdict"], step["verdict"])
        side = str(step["by"]).endswith("(side fact)")
        if side or step["lhs"] != previous:
            lines.append(f"  {step['lhs']}")
        if not side:
            previous = step["rhs"]
        lines.append(f"  ({step['step']}) {step['relation']} {step['rhs']}    by {step['by']}: {mark}")
        if step["step"] == broken:
            lines.append(f"      <- broken here: {step['summary']}")
        elif step["verdict"] == "refuted":
            lines.append(f"      <- false: {step['summary']}")
        elif step["verdict"] != "certified":
            lines.append(f"      ?? {step['summary']}")
    return "\n".join(lines)


# --- vector steps with linked and stationary points ------------------------------------------------
@dataclass
class VectorSetting:
    """The class, L, m, the points, the linked points (label -> {basis label: coefficient}) and the
    stationary points of a proof claim."""

    fclass: str
    L: Any
    m: Any
    points: list[str]
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    stationary: tuple[str, ...] = ()

    @property
    def special(self) -> bool:
        return bool(self.links or self.stationary)

    def free_points(self) -> list[str]:
        return [p for p in self.points if p not in self.links]

    def has_grad(self, p: str) -> bool:
        return p != "xs" and p not in self.stationary


def vector_setting(claim: Any, ctx: Any) -> VectorSetting:
    """Parse class, L, m, points, iterate and stationary (one-line field errors)."""
    from symbolic.vector import Vec, VectorSpace
    from verify.fields import class_parameters

    fclass, L, m = class_parameters(claim, ctx)
    points = claim.get("points")
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        raise FieldError("points", "must be a list of point names such as [\"x\", \"y\"]")
    VectorSpace(points)  # validates the names
    stationary = claim.get("stationary", [])
    if not isinstance(stationary, list) or not all(isinstance(p, str) and p in points and p != "xs"
                                                   for p in stationary):
        raise FieldError("stationary", "must be a list of names from points (not xs)")
    links: dict[str, dict[str, Any]] = {}
    iterate = claim.get("iterate", {})
    if not isinstance(iterate, dict):
        raise FieldError("iterate", "must be a table such as { xn = \"x - grad(x)/L\" }")
    free = [p for p in points if p not in iterate]
    for name, text in iterate.items():
        where = f"iterate.{name}"
        if name not in points or name == "xs" or name in stationary:
            raise FieldError(where, "must name a point of points (not xs, not stationary)")
        # the free points and the iterates defined above this one
        space = VectorSpace(free + list(links), field=where)
        table: dict[str, Any] = {"L": L, "m": m}
        table.update(space.vectors())
        try:
            from core.expr import parse_expr
            value = parse_expr(text, field=where, symbols=table, allow_new=False,
                               functions=space.functions(), caps=ctx.caps)
        except Exception as exc:  # noqa: BLE001 - a type error of the vector language
            if isinstance(exc, FieldError):
                raise
            raise FieldError(where, f"{exc} in '{text}'") from None
        if not isinstance(value, Vec):
            raise FieldError(where, f"'{text}' is not a vector (a combination of points and gradients)")
        for label, coeff in value.terms.items():
            if not (sp.sympify(coeff).is_number and sp.sympify(coeff).is_rational):
                raise FieldError(where, f"coefficient {coeff} of {label} must be an exact rational number")
            base = label[5:-1] if label.startswith("grad(") else label
            if label.startswith("grad(") and base in stationary:
                raise FieldError(where, f"{label} is 0 (a stationary point)")
        resolved: dict[str, Any] = {}
        for label, coeff in value.terms.items():  # an earlier iterate: its own combination
            for lab, c in (links[label].items() if label in links else [(label, 1)]):
                resolved[lab] = sp.expand(resolved.get(lab, 0) + coeff * c)
        links[name] = {k: v for k, v in resolved.items() if v != 0}
    return VectorSetting(fclass, L, m, list(points), links, tuple(stationary))


def _reduced(setting: VectorSetting) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The reduced basis (free points, gradients at points with a gradient) and each original basis
    label as a combination of it."""
    basis = setting.free_points() + [f"grad({p})" for p in setting.points if setting.has_grad(p)]
    vec: dict[str, dict[str, Any]] = {p: {p: sp.Integer(1)} for p in setting.free_points()}
    vec.update({f"grad({p})": ({f"grad({p})": sp.Integer(1)} if setting.has_grad(p) else {})
                for p in setting.points if p != "xs"})
    for p, terms in setting.links.items():
        vec[p] = {lab: sp.sympify(c) for lab, c in terms.items()}
    return basis, vec


def gram_excess(setting: VectorSetting, lhs: str, relation: str, rhs: str, label: str,
                ctx: Any) -> tuple[Any, dict[tuple[str, str], Any], dict[str, Any], list[str]]:
    """(excess, its quadratic coefficients over the reduced basis, its f-coefficients, reduced basis):
    excess = lhs - rhs (<=, <, ==) or rhs - lhs (>=, >), expanded over independent reduced Gram symbols."""
    from symbolic.vector import VectorSpace, expand_to_gram

    space = VectorSpace(setting.points)
    params = {"L": setting.L, "m": setting.m}
    sides = []
    for name, text in (("lhs", lhs), ("rhs", rhs)):
        where = name if label == "theorem" else f"{label.replace(' ', '[')}].{name}"
        expr, _ = expand_to_gram(text, space, dict(params), field=where, caps=ctx.caps)
        extra = {s for s in expr.free_symbols if not str(s).startswith(("<", "f("))}
        if extra:
            raise FieldError(where, f"unknown parameter(s) {', '.join(sorted(map(str, extra)))}: only L and "
                                    f"m may appear")
        sides.append(expr)
    excess = sp.expand(sides[1] - sides[0] if relation in (">=", ">") else sides[0] - sides[1])
    return reduce_gram(setting, space, excess)


def reduce_gram(setting: VectorSetting, space: Any, excess: Any
                ) -> tuple[Any, dict[tuple[str, str], Any], dict[str, Any], list[str]]:
    """A Gram form over the points' space rewritten over the reduced basis (links substituted,
    gradients at stationary points 0): (form, quadratic coefficients, f-coefficients, reduced basis)."""
    basis, vec = _reduced(setting)
    rsym: dict[tuple[str, str], Any] = {}

    def rs(a: str, b: str) -> Any:
        i, j = sorted((basis.index(a), basis.index(b)))
        key = (basis[i], basis[j])
        if key not in rsym:
            rsym[key] = sp.Symbol(f"[{key[0]},{key[1]}]", real=True)
        return rsym[key]

    subs = {}
    for (a, b), sym in space.gram_symbols().items():
        total = sp.Integer(0)
        for ra, ca in vec[a].items():
            for rb, cb in vec[b].items():
                total += ca * cb * rs(ra, rb)
        subs[sym] = total
    reduced = sp.expand(excess.xreplace(subs))
    fsyms = {p: s for p, s in space.fvalues.items()}
    unknowns = list(rsym.values()) + list(fsyms.values())
    if reduced != 0 and (not reduced.is_polynomial(*unknowns)
                         or sp.Poly(reduced, *unknowns).total_degree() > 1):
        return reduced, {}, {}, basis  # not a linear form: no certificate, witnesses only
    quad = {key: reduced.coeff(sym) for key, sym in rsym.items() if reduced.coeff(sym) != 0}
    lin = {p: reduced.coeff(s) for p, s in fsyms.items() if reduced.coeff(s) != 0}
    const = reduced.xreplace({s: 0 for s in unknowns})
    if const != 0:
        lin["1"] = const
    return reduced, quad, lin, basis


def _curvatures(setting: VectorSetting) -> list[Any]:
    L = setting.L
    if setting.fclass == "smooth-strongly-convex":
        return [setting.m, L, (setting.m + L) / 2]
    if setting.fclass == "smooth-convex":
        return [sp.Integer(0), L, L / 2]
    if "xs" in setting.points:  # a quadratic with a global minimizer has no negative curvature
        return [L / 4, L, L / 2]
    return [-L, L, sp.Integer(0)]


def quadratic_witness(setting: VectorSetting, reduced: Any, seed: int,
                      bad: Any = lambda s: s > 0) -> dict[str, Any] | None:
    """f(x) = 1/2 sum a_i x_i^2 of the class (minimizer and stationary points at 0), integer free points,
    linked points computed: where ``bad(sign(excess))``, decided exactly."""
    from numeric.interval import sign_of

    rng = random.Random(seed)
    curv = _curvatures(setting)
    basis, vec = _reduced(setting)
    import itertools

    movable = [p for p in setting.free_points() if p != "xs" and p not in setting.stationary]
    # first the simplest candidates (one dimension, the ends of the curvature interval, small integers),
    # so that a witness reads like f = -x^2/2 at x = 1; then random ones
    simple = [([a], dict(zip(movable, vals, strict=True))) for a in curv[:2]
              for vals in itertools.islice(itertools.product([1, 2, -1, 3], repeat=len(movable)), 64)]
    randoms = [(None, None)] * (3 * WITNESS_TRIES)
    for n, (fixed_diag, fixed_pts) in enumerate(simple + randoms):
        dim = 1 if fixed_diag is not None else 1 + (n - len(simple)) // WITNESS_TRIES
        if True:  # noqa: SIM108 - one body for both kinds of candidates
            diag = fixed_diag or [rng.choice(curv) if rng.random() < 2 / 3 else
                                  curv[0] + (curv[1] - curv[0]) * sp.Rational(rng.randint(1, 19), 20)
                                  for _ in range(dim)]
            if "xs" in setting.points and any(a == 0 for a in diag):
                diag = [a if a != 0 else setting.L / 2 for a in diag]
            value_of: dict[str, list[Any]] = {}
            for p in setting.free_points():
                zero = p == "xs" or p in setting.stationary
                value_of[p] = [sp.Integer(0)] * dim if zero else (
                    [sp.Integer(fixed_pts[p])] if fixed_pts is not None else
                    [sp.Integer(rng.randint(-4, 4)) for _ in range(dim)])
            for p in setting.free_points():
                if setting.has_grad(p):
                    value_of[f"grad({p})"] = [a * x for a, x in zip(diag, value_of[p], strict=True)]
            pts = {p: value_of[p] for p in setting.free_points()}
            for p, terms in setting.links.items():
                pts[p] = [sum((sp.sympify(c) * value_of[lab][i] for lab, c in terms.items()), sp.Integer(0))
                          for i in range(dim)]
                value_of[f"grad({p})"] = [a * x for a, x in zip(diag, pts[p], strict=True)]
            subs = {}
            for sym in reduced.free_symbols:
                name = str(sym)
                if name.startswith("["):
                    a, b = name[1:-1].split(",", 1)
                    subs[sym] = sum((x * y for x, y in zip(value_of[a], value_of[b], strict=True)),
                                    sp.Integer(0))
                elif name.startswith("f("):
                    p = name[2:-1]
                    subs[sym] = sum((a * x * x for a, x in zip(diag, pts[p], strict=True)), sp.Integer(0)) / 2
            value = sp.sympify(reduced).xreplace(subs)
            if value.free_symbols:
                continue
            if bad(sign_of(value)):
                shown = " + ".join(f"({a}) x{i + 1}^2" for i, a in enumerate(diag))
                return {"function": f"f(x) = 1/2 [{shown}]", "dimension": dim,
                        "points": {p: [str(c) for c in v] for p, v in pts.items()},
                        "excess": str(value),
                        "class_membership": "a quadratic with Hessian eigenvalues "
                                            f"{sorted(set(map(str, diag)))}"
                                            + ("; minimizer and stationary points at 0"
                                               if "xs" in setting.points or setting.stationary else "")}
    return None


def linked_pep(setting: VectorSetting, quad: dict[tuple[str, str], Any], lin: dict[str, Any],
               basis: list[str]) -> Any:
    """The PEP (normalized to L = 1) maximizing the excess over the class at the points with their links:
    certified when its exact value is <= 0."""
    from pep.classes import make_class
    from pep.points import Point, add_inner
    from pep.pointset import interpolation_constraints
    from pep.problem import Constraint, PEPData

    L = setting.L
    q = sp.Integer(0) if setting.fclass != "smooth-strongly-convex" else setting.m / L
    fclass = make_class(setting.fclass, _frac(q) if setting.fclass == "smooth-strongly-convex" else 0)
    index = {lab: i for i, lab in enumerate(basis)}
    _, vec = _reduced(setting)

    def scaled(lab: str) -> dict[int, Fraction]:
        # f = L g: grad f = L grad g; in the normalized problem a gradient label carries a factor L
        out: dict[int, Fraction] = {}
        for r, c in vec[lab].items():
            out[index[r]] = out.get(index[r], Fraction(0)) + _frac(c * (L if r.startswith("grad(") else 1))
        return {k: v for k, v in out.items() if v}

    fidx = {p: i for i, p in enumerate(setting.points)}
    pts = [Point(p, scaled(p), ({index[f"grad({p})"]: Fraction(1)} if setting.has_grad(p) else {}), fidx[p])
           for p in setting.points]
    constraints = interpolation_constraints(fclass, pts)
    if setting.fclass == "smooth" and "xs" in fidx:
        for p in setting.points:
            if p != "xs":
                constraints.append(Constraint(f"lower-bound({p})", {}, {fidx["xs"]: 1, fidx[p]: -1}))
    n = len(basis)
    initial = Constraint("initial", {(i, i): 1 for i in range(n)}, {}, 1)
    # the excess of f = L g, divided by L: <a, b> gets L^(#gradients) / L, f(p) gets L / L = 1
    objective_M: dict[tuple[int, int], Any] = {}
    for (a, b), c in quad.items():
        power = a.startswith("grad(") + b.startswith("grad(")
        add_inner(objective_M, {index[a]: Fraction(1)}, {index[b]: Fraction(1)}, _frac(c * L**power / L))
    objective_b = {fidx[p]: _frac(c) for p, c in lin.items() if p != "1"}
    return PEPData(n=n, nf=len(setting.points), constraints=constraints, initial=initial,
                   objective_M=objective_M, objective_b=objective_b, description={})


def _frac(x: Any) -> Fraction:
    """An exact rational coefficient as a Fraction (never rounded: a float or an irrational is an error)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    x = sp.sympify(x)
    if not x.is_Rational and not x.is_Float:
        x = sp.simplify(x)  # exact: (1 + sqrt 2)^2 - 2 sqrt 2 becomes 3, a float stays a float
    if not x.is_Rational:
        raise FieldError("L", f"{x} is not rational: linked and stationary points need rational L, m and "
                              f"coefficients")
    return Fraction(int(x.p), int(x.q))


def certify_linked(data: Any) -> tuple[bool, str, dict[str, Any]]:
    """Round the dual to exact multipliers with bound 0 and re-check here: multipliers >= 0, the linear
    identity in the function values exactly, and S = sum lam_i A_i - C PSD by an exact LDL^T."""
    from pep.certificate import reconstructed_dual, rounded_dual
    from pep.exact import exact_S, ldl_columns
    from verify.dispatch import remaining_seconds

    reasons = []
    for method in (rounded_dual, reconstructed_dual):
        left = remaining_seconds()
        try:
            lam, _, info = method(data, Fraction(0), left)
        except Exception as exc:  # noqa: BLE001 - a failed search is "no certificate", never a verdict
            from pep.solve import MissingPackage, SolverTimeLimit
            if isinstance(exc, (SolverTimeLimit, MissingPackage)):
                raise
            lam, info = None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if lam is None:
            reasons.append(info)
            continue
        lam = [Fraction(x) for x in lam]
        ok, why = _exact_check(data, lam, exact_S, ldl_columns)
        if ok:
            used = {c.name: str(v) for c, v in zip(data.all_constraints, lam, strict=True) if v}
            return True, why, {"multipliers": used}
        reasons.append(why)
    return False, "; ".join(reasons), {}


def _exact_check(data: Any, lam: list[Fraction], exact_S: Any, ldl_columns: Any) -> tuple[bool, str]:
    if any(x < 0 for x in lam):
        return False, "a multiplier is negative"
    if lam[-1] != 0:
        return False, f"tau = {lam[-1]} is not 0"
    for k in range(data.nf):
        total = sum((w * Fraction(c.b.get(k, 0)) for c, w in zip(data.all_constraints, lam, strict=True)),
                    Fraction(0)) - Fraction(data.objective_b.get(k, 0))
        if total != 0:
            return False, f"the linear identity fails at f value {k} ({total})"
    S = [[Fraction(x) for x in row] for row in exact_S(data, lam)]
    if ldl_columns(S) is None:
        return False, "S is not PSD (exact LDL^T)"
    return True, "multipliers >= 0, linear identity exact, S PSD by an exact LDL^T"


def restrict(setting: VectorSetting, *texts: str) -> VectorSetting:
    """The setting on the points the texts use (and the points their linked points are made of): fewer
    interpolation inequalities, a relaxation, so a certificate still proves the statement."""
    words = set()
    for t in texts:
        words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", t))
    used = {p for p in setting.points if p in words}
    for p in list(used):
        for lab in setting.links.get(p, {}):
            used.add(lab[5:-1] if lab.startswith("grad(") else lab)
    if "xs" in setting.points and setting.fclass == "smooth":
        used.add("xs") if "xs" in words else None
    points = [p for p in setting.points if p in used] or setting.points[:1]
    return VectorSetting(setting.fclass, setting.L, setting.m, points,
                         {p: t for p, t in setting.links.items() if p in used},
                         tuple(p for p in setting.stationary if p in used))


def check_vector(setting: VectorSetting, lhs: str, relation: str, rhs: str, label: str, ctx: Any,
                 fallback: Any = None) -> Outcome:
    """A statement over linked or stationary points: refuted by a quadratic of the class, certified by the
    linked PEP (or, for ==, by the excess vanishing identically), else inconclusive. Only the points the
    statement uses are kept; without links and stationary points among them, ``fallback(points)`` (the
    class-inequality or identity kind) decides it."""
    setting = restrict(setting, lhs, rhs)
    if not setting.special and fallback is not None:
        return fallback(setting.points)
    reduced, quad, lin, basis = gram_excess(setting, lhs, relation, rhs, label, ctx)
    # the keys of a class inequality's evidence (the results schema); the links and stationary points are
    # described in the counterexample's class_membership
    evidence: dict[str, Any] = {"class": setting.fclass, "L": str(setting.L), "m": str(setting.m),
                                "points": list(setting.points), "excess_gram": str(reduced)}
    hyp = "; ".join([f"{p} = " + " + ".join(f"({v})*{k}" for k, v in t.items())
                     for p, t in setting.links.items()] + [f"grad({p}) = 0" for p in setting.stationary])
    if relation == "==" and reduced == 0:
        return Outcome(Verdict.CERTIFIED, "identity: lhs - rhs vanishes after substituting the linked points",
                       evidence)
    bad = (lambda s: s != 0) if relation == "==" else (lambda s: s >= 0) if relation in ("<", ">") else (
        lambda s: s > 0)
    witness = quadratic_witness(setting, reduced, ctx.seed, bad)
    if witness is not None:
        if hyp:
            witness["class_membership"] += f" (with {hyp})"
        evidence["counterexample"] = witness
        return Outcome(Verdict.REFUTED, f"fails for {witness['function']} at the points {witness['points']}: "
                                        f"the excess is {witness['excess']} (exact)", evidence)
    if relation in ("==", "<", ">"):
        reason = ("no counterexample among quadratics of the class; " + (
            "the difference is not identically 0" if relation == "==" else
            "a strict inequality is not certified by a PEP (it fails at coinciding points)"))
        return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
    if not quad and not lin and reduced != 0:
        reason = "no quadratic counterexample; the excess is not linear in inner products and values"
        return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
    if "1" in lin:
        reason = "the excess has a constant term (not homogeneous): no PEP certificate"
        return Outcome(Verdict.INCONCLUSIVE, reason, evidence)
    from verify.limits import pep_limits

    with pep_limits(ctx):
        ok, why, extra = certify_linked(linked_pep(setting, quad, lin, basis))
    evidence["reason"] = why + (f"; multipliers {extra['multipliers']}" if extra else "")
    if ok:
        return Outcome(Verdict.CERTIFIED, f"exact certificate over the {setting.fclass} class with the links "
                                          f"({why})", evidence)
    return Outcome(Verdict.INCONCLUSIVE, f"no quadratic counterexample and no exact certificate ({why})",
                   evidence)


# --- sequences -------------------------------------------------------------------------------------
class SeqError(Exception):
    pass


@dataclass
class SequenceSetting:
    """The sequence names and their vector definitions at the iterate x, and what is known about them."""

    vector: VectorSetting
    definitions: dict[str, str]
    current: str
    nxt: str
    N: Any = field(default_factory=lambda: sp.Symbol("N", integer=True, positive=True))
    k: Any = field(default_factory=lambda: sp.Symbol("k", integer=True))
    funcs: dict[str, Any] = field(default_factory=dict)
    nonneg: dict[str, bool] = field(default_factory=dict)
    monotone: dict[str, Outcome] = field(default_factory=dict)


def sequence_setting(claim: Any, setting: VectorSetting, ctx: Any) -> SequenceSetting:
    seq = claim.get("sequence")
    if not isinstance(seq, dict) or not seq:
        raise FieldError("sequence", "must be a table of names and vector expressions at the iterate x, "
                                     "e.g. { F = \"f(x) - f(xs)\" }")
    if len(setting.links) != 1:
        raise FieldError("iterate", "a sequence needs exactly one linked point: the next iterate")
    (nxt, terms), = setting.links.items()
    current = "x"
    if current not in setting.free_points():
        raise FieldError("points", "a sequence proof names the iterate x_k 'x' (and x_{k+1} in iterate)")
    for name, text in seq.items():
        if not isinstance(text, str) or not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) or name in ("N", "L",
                                                                                                   "E"):
            raise FieldError(f"sequence.{name}", "a capitalized name (not N, L or E) and a string expression")
        used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)) & set(setting.points)
        if not used <= {current, "xs"}:
            raise FieldError(f"sequence.{name}", "may use only the points x and xs")
    out = SequenceSetting(setting, dict(seq), current, nxt)
    out.funcs = {name: sp.Function(name) for name in seq}
    for name in seq:  # F(k) >= 0 for every k, when the class proves it (e.g. f(x) - f(xs), a sqnorm)
        r = check_vector(setting, seq[name], ">=", "0", f"sequence {name}", ctx)
        out.nonneg[name] = r.verdict is Verdict.CERTIFIED
    return out


def at_next(text: str, current: str, nxt: str) -> str:
    """A sequence definition at x_{k+1}: the point name x replaced by the linked point."""
    return re.sub(rf"\b{current}\b", nxt, text)


def parse_seq(seq: SequenceSetting, text: Any, where: str, ctx: Any) -> Any:
    """A sequence expression: names F(i), sum(expr, k, a, b), N, L, m and numbers."""
    from core.expr import FUNCTIONS, parse_expr

    if not isinstance(text, str):
        raise FieldError(where, "must be a string")
    table: dict[str, Any] = {"N": seq.N, "k": seq.k, "j": sp.Symbol("j", integer=True),
                             "L": seq.vector.L, "m": seq.vector.m}
    funcs = dict(FUNCTIONS)
    for name, fn in seq.funcs.items():
        funcs[name] = _apply(fn)

    def _sum(expr: Any, var: Any, a: Any, b: Any) -> Any:
        if not isinstance(var, sp.Symbol) or var not in (seq.k, table["j"]):
            raise FieldError(where, "sum(expr, k, a, b): the index must be k or j")
        return sp.Sum(expr, (var, a, b))

    funcs["sum"] = _sum
    return parse_expr(text, field=where, symbols=table, allow_new=False, functions=funcs, caps=ctx.caps)


def _apply(fn: Any) -> Any:
    def call(i: Any) -> Any:
        return fn(i)

    return call


def uses_sequence(seq: SequenceSetting | None, text: Any) -> bool:
    if seq is None or not isinstance(text, str):
        return False
    return bool(re.search(r"\bsum\s*\(|\bN\b", text)) or any(
        re.search(rf"\b{name}\s*\(", text) for name in seq.funcs)


def canonical(seq: SequenceSetting, expr: Any, where: str) -> Any:
    """Sums rewritten exactly as S_F (= sum_{j=0}^{N-1} F(j)) plus boundary terms, valid for every N >= 1."""
    N = seq.N

    def one(s: Any) -> Any:
        (var, a, b), = s.limits
        body = sp.expand(s.function)
        total = sp.Integer(0)
        rest = body
        for name, fn in seq.funcs.items():
            for app in [t for t in body.atoms(sp.Function) if t.func == fn]:
                coeff = sp.expand(body).coeff(app)
                if coeff.has(var) or coeff.has(sp.Sum):
                    raise FieldError(where, f"the coefficient of {app} in a sum depends on {var}")
                shift = sp.expand(app.args[0] - var)
                if shift.has(var) or not shift.is_Integer:
                    raise FieldError(where, f"{app}: the index must be {var} + an integer")
                total += coeff * _range(seq, name, sp.expand(a + shift), sp.expand(b + shift), where)
                rest = sp.expand(rest - coeff * app)
        if rest.has(var):
            raise FieldError(where, f"a term of the sum depends on {var} other than through a sequence")
        count = sp.expand(b - a + 1)
        return total + rest * count

    out = expr
    for _ in range(4):
        sums = list(out.atoms(sp.Sum))
        if not sums:
            break
        out = out.xreplace({s: one(s) for s in sums})
    if out.atoms(sp.Sum):
        raise FieldError(where, "nested sums are not supported")
    del N
    return sp.expand(out)


def _range(seq: SequenceSetting, name: str, a: Any, b: Any, where: str) -> Any:
    """sum_{j=a}^{b} F(j) with a an integer >= 0 and b = N + u (or an integer)."""
    fn, N = seq.funcs[name], seq.N
    if not a.is_Integer or a < 0:
        raise FieldError(where, f"a sum of {name} must start at a fixed index >= 0, got {a}")
    if b.is_Integer:
        return sum((fn(sp.Integer(j)) for j in range(int(a), int(b) + 1)), sp.Integer(0))
    u = sp.expand(b - N)
    if not u.is_Integer:
        raise FieldError(where, f"a sum of {name} must end at N + an integer, got {b}")
    u = int(u)
    if 1 + u < int(a) - 1:
        raise FieldError(where, f"sum_{{j={a}}}^{{N{u:+d}}} is not defined for N = 1")
    total = sp.Symbol(f"S_{name}", real=True) - sum((fn(sp.Integer(j)) for j in range(int(a))), sp.Integer(0))
    if u >= 0:
        total += sum((fn(N + j) for j in range(u + 1)), sp.Integer(0))
    else:
        total -= sum((fn(N + j) for j in range(u + 1, 0)), sp.Integer(0))
    return total


def scalar_form(seq: SequenceSetting, expr: Any) -> tuple[str, dict[str, str]]:
    """The canonical expression as text over plain symbols, with their assumptions."""
    subs, assume = {}, {"N": "positive", "L": "positive"}
    for app in expr.atoms(sp.Function):
        if app.func in seq.funcs.values():
            idx = sp.expand(app.args[0] - seq.N)
            tag = str(app.args[0]) if app.args[0].is_Integer else (
                "N" if idx == 0 else f"N{'p' if idx > 0 else 'm'}{abs(int(idx))}")
            sym = sp.Symbol(f"{app.func.__name__}_{tag}", real=True)
            subs[app] = sym
            if seq.nonneg.get(app.func.__name__):
                assume[str(sym)] = "nonnegative"
    for name in seq.funcs:
        if expr.has(sp.Symbol(f"S_{name}", real=True)) and seq.nonneg.get(name):
            assume[f"S_{name}"] = "nonnegative"
    out = expr.xreplace(subs)
    names = {str(x) for x in out.free_symbols}
    return str(out), {k: v for k, v in assume.items() if k in names}


def check_sequence(seq: SequenceSetting, lhs: Any, relation: str, rhs: Any, label: str, ctx: Any) -> Outcome:
    """A sequence statement: certified by the inequality/identity kind on the canonical form (sequence values
    free, nonnegative where proved); refuted only by an actual run."""
    from verify.claims import Claim
    from verify.dispatch import check_claim

    where = "lhs" if label == "theorem" else f"{label.replace(' ', '[')}]"
    a = canonical(seq, parse_seq(seq, lhs, f"{where}.lhs" if label != "theorem" else "lhs", ctx), where)
    b = canonical(seq, parse_seq(seq, rhs, f"{where}.rhs" if label != "theorem" else "rhs", ctx), where)
    diff = sp.expand(a - b)
    # the keys of an inequality's evidence (the results schema)
    evidence: dict[str, Any] = {"lhs": str(lhs), "relation": relation, "rhs": str(rhs),
                                "difference": f"{diff} (canonical: S_F = sum of F(j), j = 0..N-1)"}
    if relation == "==" and diff == 0:
        return Outcome(Verdict.CERTIFIED, "identity of the sums for every N >= 1 (index shifts, boundary "
                                          "terms)", evidence)
    relaxed = None
    if relation != "==":
        text, assume = scalar_form(seq, diff)
        fields: dict[str, Any] = {"lhs": text, "relation": relation, "rhs": "0"}
        if assume:
            fields["assume"] = assume
        if not sp.sympify(diff).free_symbols:
            ok = {"<=": diff <= 0, "<": diff < 0, ">=": diff >= 0, ">": diff > 0}[relation]
            relaxed = Outcome(Verdict.CERTIFIED if bool(ok) else Verdict.INCONCLUSIVE, f"the constant {diff}",
                              {})
        else:
            sub = Claim(id=f"seq:{label}", kind="inequality", statement=label, file="", fields=fields)
            relaxed = check_claim(sub, ctx)
        evidence["reason"] = (f"with the sequence values free ({text} {relation} 0, {assume}): "
                              f"{relaxed.verdict.value}: {relaxed.summary}")
        if relaxed.verdict is Verdict.CERTIFIED:
            return Outcome(Verdict.CERTIFIED, f"proved with the sequence values free ({relaxed.summary})",
                           evidence)
    # the relaxation cannot refute (the values of a run are not free): only an actual run can
    run = run_witness(seq, lhs, relation, rhs, ctx)
    if run is not None:
        evidence.pop("reason", None)
        evidence["witness_check"] = (f"an exact run of the iteration on {run['function']} from x0 = "
                                     f"{run['x0']}: iterates {', '.join(run['iterates'])}; at N = {run['N']} "
                                     f"lhs = {run['lhs']}, rhs = {run['rhs']}")
        return Outcome(Verdict.REFUTED, f"fails on the run {run['function']}, x0 = {run['x0']}, "
                                        f"N = {run['N']}: "
                                        f"lhs = {run['lhs']}, rhs = {run['rhs']} (exact)", evidence)
    if relation == "==":
        return Outcome(Verdict.INCONCLUSIVE, f"not an identity of the sums (lhs - rhs = {diff}), but no run "
                                             f"found that violates it", evidence)
    return Outcome(Verdict.INCONCLUSIVE, "not proved with the sequence values free, and no run violates it",
                   evidence)


def _expand_sums(expr: Any, n: int, N: Any) -> Any:
    """``expr`` at N = n with every sum written out term by term (bounds then integers)."""
    expr = expr.xreplace({N: n})
    sums = list(expr.atoms(sp.Sum))
    out = {}
    for s in sums:
        (var, a, b), = s.limits
        lo, hi = int(a), int(b)
        out[s] = sp.Add(*[s.function.xreplace({var: i}) for i in range(lo, hi + 1)])
    return expr.xreplace(out)


def _runs(seq: SequenceSetting) -> list[tuple[str, Any, Any]]:
    """1-D functions of the class with minimizer 0 and f* = 0: (description, f, f')."""
    v = seq.vector
    L, m = v.L, v.m
    out = []
    curvs = [L, L / 2, L / 4, L / 10] if v.fclass != "smooth-strongly-convex" else [m, L, (m + L) / 2]
    for a in curvs:
        out.append((f"f(x) = {a}/2 x^2", *_quadratic(a)))
    if v.fclass != "smooth-strongly-convex":
        for c in (sp.Integer(1), sp.Rational(1, 2), sp.Integer(2)):
            def f(x: Any, c: Any = c) -> Any:
                return L * (x * x / 2 if abs(x) <= c else c * abs(x) - c * c / 2)

            def g(x: Any, c: Any = c) -> Any:
                return L * (x if abs(x) <= c else c * sp.sign(x))
            out.append((f"Huber f(x) = {L} (x^2/2 if |x| <= {c} else {c}|x| - {c**2}/2)", f, g))
    return out


def _quadratic(a: Any) -> tuple[Any, Any]:
    return (lambda x: a * x * x / 2), (lambda x: a * x)


def run_witness(seq: SequenceSetting, lhs: Any, relation: str, rhs: Any, ctx: Any) -> dict[str, Any] | None:
    """An exact run of the iteration (x_{k+1} from the link) on a 1-D function of the class where the
    statement fails at some N <= MAX_RUN_N."""
    from symbolic.vector import VectorSpace, expand_to_gram

    v = seq.vector
    if "xs" not in v.points or set(v.links[seq.nxt]) - {seq.current, f"grad({seq.current})"}:
        return None
    cx = sp.sympify(v.links[seq.nxt].get(seq.current, 0))
    cg = sp.sympify(v.links[seq.nxt].get(f"grad({seq.current})", 0))
    space = VectorSpace([seq.current, "xs"])
    defs = {name: expand_to_gram(text, space, {"L": v.L, "m": v.m}, field=f"sequence.{name}")[0]
            for name, text in seq.definitions.items()}
    pl = parse_seq(seq, lhs, "lhs", ctx)
    pr = parse_seq(seq, rhs, "rhs", ctx)
    for desc, f, g in _runs(seq):
        for x0 in (1, 2, 3, 10):
            xs_run = [sp.Integer(x0)]
            for _ in range(MAX_RUN_N + 2):
                x = xs_run[-1]
                xs_run.append(cx * x + cg * g(x))
            values = {}
            for name, d in defs.items():
                for i, x in enumerate(xs_run):
                    subs = {}
                    for sym in d.free_symbols:
                        s = str(sym)
                        if s == f"f({seq.current})":
                            subs[sym] = f(x)
                        elif s == "f(xs)":
                            subs[sym] = 0
                        elif s.startswith("<"):
                            a, b = s[1:-1].split(",", 1)
                            val = {seq.current: x, f"grad({seq.current})": g(x), "xs": 0}
                            subs[sym] = val[a] * val[b]
                    values[seq.funcs[name](sp.Integer(i))] = sp.sympify(d).xreplace(subs)
            for n in range(1, MAX_RUN_N + 1):
                try:
                    lv = sp.sympify(_expand_sums(pl, n, seq.N)).xreplace(values)
                    rv = sp.sympify(_expand_sums(pr, n, seq.N)).xreplace(values)
                except (TypeError, ValueError):
                    continue
                if lv.free_symbols or rv.free_symbols:
                    continue
                ok = {"<=": lv <= rv, "<": lv < rv, ">=": lv >= rv, ">": lv > rv,
                      "==": sp.Eq(lv, rv)}[relation]
                if ok is sp.false or ok is False:
                    return {"function": desc, "x0": x0, "N": n, "lhs": str(lv), "rhs": str(rv),
                            "iterates": [str(x) for x in xs_run[:n + 1]]}
    return None


def seq_excess_gram(seq: SequenceSetting, expr: Any, where: str, ctx: Any) -> Any:
    """A summand (sequence terms at k and k + 1 only) as a Gram form over x, the linked point and xs."""
    from symbolic.vector import VectorSpace, expand_to_gram

    v = seq.vector
    space = VectorSpace(v.points)
    subs = {}
    for app in expr.atoms(sp.Function):
        if app.func in seq.funcs.values():
            shift = sp.expand(app.args[0] - seq.k)
            if shift not in (0, 1):
                raise FieldError(where, f"a summed step may use {app.func.__name__}(k) and "
                                        f"{app.func.__name__}(k + 1) only, got {app}")
            text = seq.definitions[app.func.__name__]
            if shift == 1:
                text = at_next(text, seq.current, seq.nxt)
            subs[app] = expand_to_gram(text, space, {"L": v.L, "m": v.m}, field=where, caps=ctx.caps)[0]
    out = sp.expand(expr.xreplace(subs))
    if out.has(seq.k) or out.has(seq.N):
        raise FieldError(where, "the summand depends on k or N other than through the sequences")
    return out, space
