"""``kind = "rate"``: a worst-case bound for a fixed-step first-order method (gradient descent, heavy ball,
Nesterov, OGM, a user's H) over a function class, decided by a PEP.

The PEP's floating value is never a verdict. Certified needs an exact dual certificate
(:mod:`pep.certificate`); refuted needs an exact interpolating instance or an explicit function re-run
at 50 digits (:mod:`pep.counterexample`). Everything else is inconclusive with the solver's numbers.
The fields are in docs/claims.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from core.errors import CapExceeded, FieldError
from core.expr import make_symbol, parse_expr
from numeric.evaluate import cross_check
from numeric.interval import sign_of
from pep.classes import CLASSES
from pep.methods import METHODS, Method, gd
from pep.pairs import PAIR_SETS, pair_set
from pep.problem import INITIAL_CONDITIONS, METRICS
from pep.scale import scale_factor
from pep.schedules import SCHEDULES, silver_steps
from symbolic.qfield import QSqrt
from verify.certificates import record_attempt
from verify.checkers import register
from verify.checkers.base import Checker, Context
from verify.claims import Claim
from verify.fields import count_field, is_negative, number_field, require_positive, steps_field, to_field
from verify.limits import pep_limits
from verify.method_fields import method_field
from verify.verdict import Outcome, Verdict

SOLVERS = ("scs", "clarabel", "scs-cvxpy")
INITIAL_SIZE = {"distance": "R", "function-gap": "D", "gradient": "G"}
# The size symbol enters as R^2, D, G^2 (the initial conditions bound squared norms and a gap).
INITIAL_POWER = {"distance": 2, "function-gap": 1, "gradient": 2}
# The normalized steps (x+ = x - (h/L) grad f) enter the PEP through partial sums h_j + ... + h_k and their
# squares, next to entries of size 1: past a total of MAX_STEP_SUM the float64 data span more than 1e16,
# all of float64's precision, so no floating solution means anything (h = 1e308 even overflows SCS's setup).
# The longest schedules shipped stay far below it (Silver N = 1024: a total of about 7e3).
MAX_STEP_SUM = 10**8
# The same spread from below: a step under MIN_STEP sits 1e8 below the entries of size 1 (and 10**-400
# underflows float64 to 0, which the solver rejects).
MIN_STEP = Fraction(1, 10**8)
# m/L enters the strongly convex PEP as 1/(1 - m/L) and must be a float64 strictly inside (0, 1): the same
# 1e8 spread of magnitudes as MAX_STEP_SUM bounds L/(L - m).
MAX_CONDITION_GAP = 10**8


@register
class RateChecker(Checker):
    """Worst case of N steps of a method over a class, against a claimed bound."""

    kind = "rate"
    required = ("class", "L", "initial", "metric", "bound")
    optional = ("m", "method", "steps", "schedule", "h", "N", "solver", "pairs", "beta", "H", "H_form")

    def check(self, claim: Claim, ctx: Context) -> Outcome:
        setup = RateSetup.parse(claim, ctx)
        if setup.method is None:  # steps outside Q(sqrt 2): refutable by an interval witness, never certified
            from verify.checkers.rate_interval import decide_outside_field

            return decide_outside_field(setup)
        with pep_limits(ctx):
            return decide(setup, ctx)




@dataclass
class RateSetup:
    """The parsed, validated claim: class, L, m, exact steps, initial, metric and the normalized bound."""

    claim: Claim
    fclass: str
    L: Any
    m: Any
    q: Any
    method: Method | None  # None: steps outside Q(sqrt 2) (``steps`` then holds the sympy numbers)
    prefix: Callable[[int], Method] | None
    steps: list[Any]
    schedule: str
    h: Any
    initial: str
    metric: str
    solver: str
    pairs: str
    bound_text: str
    bound: Any
    normalized: Any
    crosscheck: dict[str, Any]
    bound_at: Callable[[int], Any]

    @classmethod
    def parse(cls, claim: Claim, ctx: Context) -> RateSetup:
        """Validate every field; one-line field errors for bad input."""
        fclass = claim.get("class")
        if fclass not in CLASSES:
            raise FieldError("class", f"must be one of {', '.join(CLASSES)}, got {fclass!r}")
        method_name = claim.get("method", "gd")
        if method_name not in METHODS:
            raise FieldError("method", f"must be one of {', '.join(METHODS)}, got {method_name!r}")
        L = number_field(claim, "L", ctx)
        require_positive(L, "L", "L")
        m = _strong_convexity(claim, ctx, fclass, L)
        initial, metric = claim.get("initial"), claim.get("metric")
        if initial not in INITIAL_CONDITIONS:
            raise FieldError("initial", f"must be one of {', '.join(INITIAL_CONDITIONS)}, got {initial!r}")
        if metric not in METRICS:
            raise FieldError("metric", f"must be one of {', '.join(METRICS)}, got {metric!r}")
        if fclass == "smooth" and "distance" in (initial, metric):
            field = "initial" if initial == "distance" else "metric"
            raise FieldError(field, "the class 'smooth' (nonconvex) has no minimizer: "
                                    "'distance' is undefined")
        if method_name == "gd":
            steps, h, schedule = _steps(claim, ctx, {"L": L, "m": m})
        else:
            spec = method_field(claim, ctx, method_name, {"L": L, "m": m})
            steps, h, schedule = [], None, spec.label
        solver = claim.get("solver", "scs")
        if solver not in SOLVERS:
            raise FieldError("solver", f"must be one of {', '.join(SOLVERS)}, got {solver!r}")
        _require_solver(solver)
        pairs = claim.get("pairs", "all")
        if pairs not in PAIR_SETS:
            raise FieldError("pairs", f"must be one of {', '.join(PAIR_SETS)}, got {pairs!r}")
        if pairs != "all" and fclass == "smooth":
            raise FieldError("pairs", "restricted pair sets use x*, which the class 'smooth' does not have")
        bound_text = claim.get("bound")
        q = to_field(m / L, "m") if fclass == "smooth-strongly-convex" else 0
        method: Method | None
        if method_name == "gd" and not _in_field(steps):
            exact_steps, method, prefix = list(steps), None, None
        elif method_name == "gd":
            exact_steps = [to_field(s, "steps") for s in steps]
            _check_magnitudes(exact_steps, q, schedule)
            method, prefix = gd(exact_steps), (lambda k: gd(_prefix_steps(schedule, exact_steps, k)))
        else:
            exact_steps, method, prefix = [], spec.method, spec.prefix
            _check_coefficients(method)
        n_steps = len(exact_steps) if method is None else method.N
        bound, normalized, crosscheck, bound_at = _normalized_bound(bound_text, ctx, L, m, n_steps, h,
                                                                    initial, metric)
        return cls(claim=claim, fclass=fclass, L=L, m=m, q=q, method=method, prefix=prefix,
                   steps=exact_steps, schedule=schedule, h=h,
                   initial=initial, metric=metric, solver=solver, pairs=pairs, bound_text=str(bound_text),
                   bound=bound, normalized=normalized, crosscheck=crosscheck, bound_at=bound_at)


def _in_field(steps: list[Any]) -> bool:
    """Whether every step is rational or in Q(sqrt 2) (the exact PEP's fields)."""
    try:
        for i, step in enumerate(steps):
            to_field(step, f"steps[{i}]")
    except FieldError:
        return False
    return True


def _require_solver(solver: str) -> None:
    """A field error naming the package when the claim's solver is not installed."""
    from pep.solve import MissingPackage, require

    needs = {"scs": ["scs"], "clarabel": ["cvxpy", "clarabel"], "scs-cvxpy": ["cvxpy", "scs"]}
    try:
        for package in needs[solver]:
            require(package)
    except MissingPackage as exc:
        raise FieldError("solver", str(exc)) from None


def _check_magnitudes(steps: list[Fraction | QSqrt], q: Any, schedule: str) -> None:
    """Field errors for numbers the float64 PEP cannot represent (see MAX_STEP_SUM, MAX_CONDITION_GAP)."""
    total = sum(steps, Fraction(0)) - MAX_STEP_SUM  # exact
    if _sign(total) == 1:
        field = {"constant": "h", "list": "steps"}.get(schedule, "N")
        raise FieldError(field, f"the steps add up to {_approx(total + MAX_STEP_SUM)}, above "
                                f"{MAX_STEP_SUM:.0e}: the PEP's numbers would span more than float64 holds")
    small = next((i for i, step in enumerate(steps) if _sign(step - MIN_STEP) == -1), None)
    if small is not None:
        field = {"constant": "h", "list": "steps"}.get(schedule, "N")
        raise FieldError(field, f"step {small} is {_approx(steps[small])}, below {float(MIN_STEP):.0e}: the "
                                "PEP's numbers would span more than float64 holds")
    if q != 0:  # a float64 filter on the input only (m/L is exact in the PEP itself)
        qf = float(q)
        if not 0 < qf < 1 or 1 / (1 - qf) > MAX_CONDITION_GAP:
            raise FieldError("m", f"m/L = {float(q):.3g} is too close to 0 or 1 for a float64 PEP (need m/L "
                                  f"representable in float64 and L/(L - m) <= {MAX_CONDITION_GAP:.0e})")


def _check_coefficients(method: Method) -> None:
    """The same float64 spread as for steps (MAX_STEP_SUM): the largest |H[k][i]| must stay below it."""
    if not method.exact:
        return
    big = max(abs(float(c)) for row in method.H for c in row)  # a size guard, not a verdict
    if not big < MAX_STEP_SUM:
        raise FieldError("method", f"the method's coefficients reach {big:.3g}, above {MAX_STEP_SUM:.0e}: "
                                   "float64 cannot represent the PEP's data faithfully")


def _sign(x: Fraction | QSqrt) -> int:
    """The exact sign of a rational or a Q(sqrt 2) number."""
    return x.sign() if isinstance(x, QSqrt) else (x > 0) - (x < 0)


def _approx(x: Any) -> str:
    """A 3-digit float rendering for a message, also for a number beyond float64."""
    try:
        value = float(x)
        return "less than 1e-308" if value == 0 and x != 0 else f"{value:.3g}"
    except OverflowError:
        return "more than 1e308"


def _strong_convexity(claim: Claim, ctx: Context, fclass: str, L: Any) -> Any:
    if fclass != "smooth-strongly-convex":
        if claim.get("m") is not None and number_field(claim, "m", ctx) != 0:
            raise FieldError("m", f"only the class 'smooth-strongly-convex' has m > 0 (class is '{fclass}')")
        return sp.Integer(0)
    if claim.get("m") is None:
        raise FieldError("m", "the class 'smooth-strongly-convex' needs m (0 < m < L)")
    m = number_field(claim, "m", ctx)
    if is_negative(m):
        raise FieldError("m", f"must be > 0, got {m}")
    require_positive(m, "m", "m")
    if sign_of(L - m) != 1:
        raise FieldError("m", f"need 0 < m < L, got m = {m}, L = {L}")
    return m


def _steps(claim: Claim, ctx: Context, known: dict[str, Any]) -> tuple[list[Any], Any, str]:
    has_steps, schedule = claim.get("steps") is not None, claim.get("schedule")
    if has_steps == (schedule is not None):
        raise FieldError("steps", f"give either 'steps' (a list of h_k) or 'schedule' "
                                  f"({', '.join(SCHEDULES)})")
    if has_steps:
        if claim.get("h") is not None:
            raise FieldError("h", "only with schedule = 'constant'")
        steps = steps_field(claim, ctx, known=known)
        if claim.get("N") is not None and count_field(claim, ctx) != len(steps):
            raise FieldError("N", f"N = {claim.get('N')} but 'steps' has {len(steps)} entries")
        return steps, None, "list"
    if schedule not in SCHEDULES:
        raise FieldError("schedule", f"must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
    n = count_field(claim, ctx)
    if schedule == "constant":
        h = number_field(claim, "h", ctx, known)
        require_positive(h, "h")
        return [h] * n, h, schedule
    if claim.get("h") is not None:
        raise FieldError("h", f"not used by the '{schedule}' schedule")
    return [s.to_sympy() for s in silver_steps(n)], None, schedule


def _normalized_bound(text: Any, ctx: Context, L: Any, m: Any, n: int, h: Any, initial: str,
                      metric: str) -> tuple[Any, Any, dict[str, Any], Callable[[int], Any]]:
    """The bound divided by L^(e_M - e_I) * I (it must not depend on I), the float64 / 50-digit
    cross-check of the bound as written, evaluated the way a user's script would (at R = D = G = 1), and
    the normalized bound at another horizon N (for the report's plot)."""
    size = make_symbol(INITIAL_SIZE[initial], "positive")
    values = {"L": L, "m": m, "N": sp.Integer(n)}
    if h is not None:
        values["h"] = h
    symbols = {name: make_symbol(name, "positive") for name in values}
    symbols[INITIAL_SIZE[initial]] = size
    if isinstance(text, float) and not math.isfinite(text):
        raise FieldError("bound", f"non-finite number {text}")
    written = parse_expr(text, field="bound", symbols=symbols, allow_new=False, caps=ctx.caps)
    bound = written.xreplace({symbols[k]: v for k, v in values.items()})
    factor = scale_factor(L, size ** INITIAL_POWER[initial], initial, metric)
    normalized = sp.simplify(bound / factor)
    if normalized.free_symbols:
        raise FieldError("bound", f"must scale like {factor} (the worst case is homogeneous); "
                                  f"bound / ({factor}) = {normalized} still depends on "
                                  f"{', '.join(sorted(map(str, normalized.free_symbols)))}")
    if not (normalized.is_real and normalized.is_finite):
        raise FieldError("bound", f"'{text}' is not a finite real number once L, m, N are substituted")
    subs = {symbols[k]: v for k, v in values.items()} | {size: 1}

    def at(k: int) -> Any:
        if symbols["N"] not in written.free_symbols:
            return None  # a bound written for this N only says nothing about other horizons
        other = written.xreplace(subs | {symbols["N"]: sp.Integer(k)}) / factor.xreplace({size: 1})
        return other if other.is_real and other.is_finite else None

    return bound, normalized, cross_check(written, subs), at


def decide(setup: RateSetup, ctx: Context) -> Outcome:
    """Hand the typed problem and the exact bound to :func:`pep.decide.decide_rate`; format its decision."""
    from pep.active_pairs import reducible, start_pairs
    from pep.decide import RateProblem, decide_rate

    n_steps = setup.method.N
    pairs = None if setup.pairs == "all" else pair_set(setup.pairs, n_steps)
    problem = RateProblem(setup.fclass, setup.q, setup.method, setup.initial, setup.metric, pairs,
                          setup.solver)
    full_fits = True
    try:
        check_pep_size(setup, pairs)
    except CapExceeded:
        if not reducible(problem):
            raise
        check_pep_size(setup, start_pairs(n_steps))  # generated pairs; the full PEP only as a fallback
        full_fits = False
    decision = decide_rate(problem, exact_bound(setup), full_fits=full_fits)
    result, beta = decision.result, setup.normalized
    evidence: dict[str, Any] = {
        "series": _series(setup, result.value if result is not None else None,
                          lambda k: problem.float_data(setup.prefix(k))),
        **({"plot": {"type": "schedule", "steps": [float(h) for h in setup.steps]}} if setup.steps else {}),
        "class": setup.fclass, "L": str(setup.L), "m": str(setup.m), "N": n_steps,
        "method": setup.method.name,
        "steps": _show_steps(setup), "initial": setup.initial, "metric": setup.metric,
        "bound": setup.bound_text, "bound_normalized": str(beta),
        "bound_crosscheck": setup.crosscheck,
        "interpolation_pairs": setup.pairs if pairs is None else f"{setup.pairs} ({len(pairs)} pairs; a "
                               f"restricted set bounds the worst case from above)",
        **(_solver_evidence(result) if result is not None else {
            "solver": "none", "solver_status": "not run: " + (
                "the composed exact certificate decided without the full SDP"
                if decision.verdict == "certified" else "no SDP solution (see the reason)"),
            "solver_worst_case": "not computed"}),
    }
    if decision.reduction is not None:
        red = decision.reduction
        evidence["interpolation_pairs"] = (f"all; decided on {red.describe()}" if red.ok
                                           else f"all; not decided: {red.reason}")
    if decision.certificate is not None:
        record_attempt(decision.certificate, evidence, ctx, setup.claim)
    if decision.verdict == "certified":
        note = _certified_below_note(setup)
        if note:
            evidence["certified_bound"] = note
        summary = (f"{decision.reason}: worst {setup.metric} <= {setup.bound_text} for every {setup.fclass} "
                   f"function in every dimension")
        return Outcome(Verdict.CERTIFIED, summary, evidence)
    if decision.verdict == "refuted":
        refutation = decision.refutation
        evidence["counterexample"] = refutation.evidence
        evidence["counterexample_kind"] = refutation.kind
        factor = scale_factor(setup.L, 1, setup.initial, setup.metric)
        summary = (f"{refutation.summary} (normalized units: L = 1, initial quantity 1; multiply by {factor} "
                   f"for L = {setup.L})") if factor != 1 else refutation.summary
        return Outcome(Verdict.REFUTED, summary, evidence)
    evidence["reason"] = decision.reason
    return Outcome(Verdict.INCONCLUSIVE, decision.reason, evidence)


def _solver_evidence(result: Any) -> dict[str, Any]:
    """The full SDP's solver, status, residuals, worst case and times."""
    return {"solver": result.solver, "solver_status": result.status,
            "solver_residuals": {k: float(f"{v:.3g}") for k, v in result.residuals.items()},
            "solver_worst_case": _fmt(result.value),
            "build_seconds": round(result.build_seconds, 3), "solve_seconds": round(result.solve_seconds, 3)}


def exact_bound(setup: RateSetup) -> Any:
    """The claim's normalized bound as :class:`pep.decide.ExactBound`: itself when in Q or Q(sqrt 2), else
    rationals just below and above it proved by an interval enclosure (and 1/(1 + sqrt x) when it has that
    form, which the certificate proves exactly)."""
    from pep.decide import ExactBound

    beta = setup.normalized
    approx = float(sp.N(beta, 30))
    try:
        return ExactBound(value=to_field(beta, "bound"), approx=approx)
    except FieldError:
        pass
    return ExactBound(below=_exact_bound(beta), above=_exact_bound(beta, above=True),
                      sqrt_form=_inverse_one_plus_sqrt(beta), approx=approx)


def _certified_below_note(setup: RateSetup) -> str | None:
    """How a bound outside Q(sqrt 2) was certified (a rational below it), or None when it is exact."""
    tau = _exact_bound(setup.normalized)
    if tau is None or sp.sympify(str(tau)) == setup.normalized:
        return None
    below = _inverse_one_plus_sqrt(setup.normalized)
    how = ("proved by a rigorous interval enclosure" + (
        f", and inside the certificate exactly as 1/(1 + sqrt(x)), x = {below}, by squaring"
        if below is not None else ""))
    return f"{tau}, below the claimed {setup.normalized} ({how})"


# Peak memory of a PEP solve, dominated by SCS's factorization of its KKT system (the float build peaks
# lower).
# Measured with /usr/bin/time -v (peak RSS, SCS 3.3.1, full pairs, constant h = 1), against the entry count
# ``e`` of check_pep_size:
#   smooth-convex N = 100, 150, 200: e = 4.2e5, 1.3e6, 3.0e6; peak 225, 648, 1653 MB (409, 453, 534 B per
#   entry: the fill-in grows with the problem, fitted by 390 + 4.9e-5 e bytes per entry);
#   smooth-strongly-convex N = 50, 80, 100: e = 1.5e6, 8.5e6, 2.0e7; peak 223, 1029, 2297 MB (113-115 B);
#   smooth N = 100, 150: e = 1.9e7, 9.3e7; peak 2322, 11083 MB (118-119 B).
# The constants below add about 8 % to the largest measured ratio.
PEP_BYTES_PER_ENTRY = {"smooth-convex": 420.0, "smooth-strongly-convex": 130.0, "smooth": 130.0}
PEP_FILL_BYTES = {"smooth-convex": 5e-5, "smooth-strongly-convex": 0.0, "smooth": 0.0}  # per entry, per entry
# The memory one claim may ask for: a quarter of a 16 GB machine (the 2-core CI machine has 23 GB, shared).
# With all pairs it admits smooth-convex up to N = 249, smooth-strongly-convex up to N = 112.
MAX_PEP_BYTES = 4e9


def pep_entries(fclass: str, n: int, pairs: list[tuple[str, str]] | None, dense: bool = False) -> int:
    """The number of matrix entries the PEP's interpolation inequalities contribute before summing
    (``dense``: x_i - x_j involves every gradient up to max(i, j), as for momentum methods; gradient
    descent's involves the |i - j| between)."""
    labels = ([-1] if fclass != "smooth" else []) + list(range(n + 1))
    chosen = pairs if pairs is not None else [(a, b) for a in labels for b in labels if a != b]
    quadratic = fclass != "smooth-convex"  # ||x_i - x_j||^2 terms: dense in the gradient basis
    total = 0
    for a, b in chosen:
        i, j = (-1 if a in ("*", -1) else int(a)), (-1 if b in ("*", -1) else int(b))
        terms = (max(i, j) + 2) if min(i, j) < 0 or dense else abs(i - j) + 2
        total += terms + 4 + (terms * terms if quadratic else 0)
    return total


def pep_bytes(fclass: str, n: int, pairs: list[tuple[str, str]] | None, dense: bool = False) -> float:
    """Estimated peak memory of building and solving the PEP (see PEP_BYTES_PER_ENTRY)."""
    e = pep_entries(fclass, n, pairs, dense)
    return e * (PEP_BYTES_PER_ENTRY[fclass] + PEP_FILL_BYTES[fclass] * e)


def check_pep_size(setup: RateSetup, pairs: list[tuple[str, str]] | None) -> None:
    """Refuse, before building, a PEP whose solve would not fit in MAX_PEP_BYTES (one-line error)."""
    n = setup.method.N
    need = pep_bytes(setup.fclass, n, pairs, dense=setup.method.steps is None)
    if need > MAX_PEP_BYTES:
        which = "all pairs" if pairs is None else f"{len(pairs)} pairs"
        field = {"list": "steps"}.get(setup.schedule, "H" if setup.method.name == "fsfom" else "N")
        raise CapExceeded("pep_size", f"the PEP for N = {n} ({setup.fclass}, {which}) would need about "
                                      f"{need / 1e9:.2g} GB for SCS (cap {MAX_PEP_BYTES / 1e9:g} GB); name a "
                                      f"restricted 'pairs' set or lower N", field)


def _inverse_one_plus_sqrt(beta: Any) -> QSqrt | None:
    """x in Q(sqrt 2) when beta = 1/(1 + sqrt(x)) (the shape of the Silver rate), so that the certificate
    can prove tau <= beta exactly; None otherwise."""
    w = sp.Wild("w")
    match = beta.match(1 / (1 + sp.sqrt(w))) if isinstance(beta, sp.Expr) else None
    if not match or not match[w].is_number:
        return None
    try:
        x = QSqrt.from_sympy(match[w], 2)
    except ValueError:
        return None
    return x if x.sign() >= 0 else None


def _exact_bound(beta: Any, above: bool = False) -> Fraction | QSqrt | None:
    """``beta`` itself when it is in Q or Q(sqrt 2), else a rational just below it (just above it with
    ``above``), proved so by an interval enclosure."""
    try:
        return to_field(beta, "bound")
    except FieldError:
        pass
    value = sp.N(beta, 40)
    if not value.is_real or value == 0:
        return None
    # A 13-significant-digit decimal just below (above) beta: its distance to beta (< 1e-12 relative) is
    # far under the solver's accuracy, so it costs nothing in provability, and it reads well.
    scale = Fraction(10) ** (12 - int(mpmath.floor(mpmath.log10(abs(mpmath.mpf(str(value)))))))
    scaled = Fraction(str(value)) * scale
    candidate = Fraction(math.ceil(scaled) + 1 if above else math.floor(scaled) - 1) / scale
    gap = sp.Rational(candidate.numerator, candidate.denominator) - beta
    if sign_of(gap) != (1 if above else -1):
        return None
    return candidate


SERIES_N = (1, 2, 4, 8, 16)  # the plot's extra horizons: cheap solves (N <= 16)
SILVER_SERIES_N = (1, 3, 7, 15)  # the Silver schedule is made for N = 2^k - 1


def _prefix_steps(schedule: str, steps: list[Any], k: int) -> list[Any]:
    """The schedule's first k steps (the named schedules are defined for every length)."""
    if schedule == "silver":
        return silver_steps(k)
    return steps[:k]


def _series(setup: RateSetup, value: float | None, build: Any) -> list[dict[str, Any]]:
    """Worst case (normalized, SCS) and normalized bound against N for the report's plot: the claim's N
    and the smaller horizons in SERIES_N. Floating evidence for a picture, never for a verdict."""
    from pep.solve import solve

    n = setup.method.N
    rows = []
    horizons = SILVER_SERIES_N if setup.schedule == "silver" else SERIES_N
    for k in [k for k in horizons if k < n] + [n]:
        worst = value if k == n else solve(build(k), "scs").value
        bound = setup.normalized if k == n else setup.bound_at(k)
        rows.append({"N": k, "worst_case": _fmt(worst) if worst is not None else "not computed",
                     "bound": _fmt(bound) if bound is not None else None})
    return rows


def _show_steps(setup: RateSetup) -> str:
    if setup.method.name != "gd":
        return setup.schedule
    if setup.schedule == "constant":
        return f"constant h = {setup.h}"
    shown = ", ".join(str(s) for s in setup.steps[:8])
    more = f", ... ({len(setup.steps)} steps)" if len(setup.steps) > 8 else ""
    return f"{setup.schedule}: {shown}{more}"


def _fmt(value: Any) -> str:
    return f"{float(value):.10g}"
