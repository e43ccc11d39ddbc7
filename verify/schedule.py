"""``python -m verify schedule NAME|FILE``: what a step-size schedule guarantees, certified, for several N.

For each N the worst case is solved (PEP), then proved from above (a rate claim certified at the candidate
bound: the schedule's known tight value where the literature gives one, else a 6-digit rational just above
the solver's value) and from below (the same claim refuted at the bound shrunk by 1e-30, then 1e-6: a
function of the class attains at least that much). Both are ordinary rate claims, so every number printed
as certified has an exact certificate and every lower bound a witness re-checked exactly or at 50 digits.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy as sp

from core.errors import FieldError, printable
from core.expr import parse_expr
from pep.schedules import MAX_STEPS
from verify.checkers import Context
from verify.claims import Claim
from verify.dispatch import check_claim
from verify.verdict import Verdict

LIBRARY = ("constant", "silver", "chebyshev", "gsw")
# "quadratic": the exact spectral worst case (verify.schedule_spectral), not a PEP
CLASSES = ("smooth-convex", "smooth-strongly-convex", "quadratic")
DEFAULT_M = "1/10"  # m/L when the class or the schedule needs one and none is given
METRICS = ("function-gap", "distance", "gradient-norm")
# The solver's value v is good to about 1e-6 relative (SCS at eps 1e-7); without a known tight value the
# candidate upper bound is v raised by UPPER_SLACK and rounded up to 6 significant digits (the exact
# certificate then proves it), the lower one v lowered by UPPER_SLACK and rounded down (a witness beats it).
UPPER_SLACK = 1e-5
# The lower bound: the candidate shrunk by this relative margin and refuted (a function attains more).
LOWER_MARGIN = Fraction(1, 10**6)
MAX_SCHEDULE_BYTES = 1 << 20
SHOWN_CHARS = 400  # a witness function longer than this (exact rational data) is cut in the table
SCHEDULE_FIELDS = {"name", "class", "steps", "periodic", "bound", "m", "source"}


@dataclass
class Schedule:
    """A named schedule: exact steps (strings the claim language reads) for any N, and a claimed bound."""

    name: str
    fclass: str = "smooth-convex"
    steps: list[str] | None = None  # a user schedule's steps (the period when ``periodic``)
    periodic: bool = False
    bound: str | None = None  # the claimed bound as a rate claim's bound expression (in L, R, N)
    m: str | None = None
    source: str = ""

    def claimed(self, n: int) -> str | None:
        """The claimed bound at N (in L, R, N), or None: Silver's published one at N = 2^k - 1."""
        if self.name == "silver" and (n + 1) & n == 0:
            k = (n + 1).bit_length() - 1
            return f"L*R**2/(1 + sqrt(4*(1 + sqrt(2))**{2 * k} - 3))"
        if self.name == "gsw":
            from symbolic.composed_steps import gsw_bound

            return gsw_bound(n)
        return self.bound

    def steps_for(self, n: int) -> dict[str, Any]:
        """The rate-claim fields giving this schedule's first N steps."""
        if self.name == "constant":
            return {"schedule": "constant", "h": 1, "N": n}
        if self.name == "silver":
            return {"schedule": "silver", "N": n}
        if self.name == "gsw":
            from symbolic.composed_steps import gsw_steps

            try:
                return {"steps": [str(h) for h in gsw_steps(n)], "N": n}
            except ValueError as exc:
                raise FieldError("N", f"gsw: {exc}") from None
        if self.name == "chebyshev":  # the K = N Chebyshev steps for [m, L], normalized by L (L = 1)
            from symbolic.spectral import chebyshev_steps

            q = sp.Rational(self.m or DEFAULT_M)
            return {"steps": [str(h) for h in chebyshev_steps(n, q, sp.Integer(1))], "N": n}
        assert self.steps is not None
        if self.periodic:
            return {"steps": [self.steps[i % len(self.steps)] for i in range(n)], "N": n}
        if n != len(self.steps):
            raise FieldError("N", f"the schedule '{self.name}' has {len(self.steps)} steps, not {n} "
                                  "(set periodic = true to repeat it)")
        return {"steps": list(self.steps), "N": n}


@dataclass
class Row:
    """One N: the solver's value, what is certified above and below, and the comparisons."""

    N: int
    solver_worst_case: float | None = None
    certified_upper: str | None = None
    certified_lower: str | None = None
    tight: bool = False
    claimed_bound: str | None = None
    claimed_verdict: str | None = None
    claimed_over_worst: float | None = None
    constant_worst_case: float | None = None
    silver_worst_case: float | None = None
    attained_by: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        """A certified upper bound, or (steps the PEP cannot certify) a witness refuting the claim."""
        witnessed = self.claimed_verdict == "refuted" and bool(self.certified_lower)
        return bool(self.certified_upper) or witnessed


def known_tight(name: str, n: int, metric: str, fclass: str) -> str | None:
    """A tight worst case the literature states for this schedule (bound expression), or None.

    Constant h = 1: L R^2/(4N + 2) (Drori and Teboulle 2014, Theorem 1). Silver, N = 2^k - 1: the worst
    case is L R^2/(4 rho^k - 2), rho = 1 + sqrt 2 (below Altschuler and Parrilo's published bound
    L R^2/(1 + sqrt(4 rho^(2k) - 3)); the suite certifies it and the witness attains it)."""
    if metric != "function-gap" or fclass != "smooth-convex":
        return None
    if name == "constant":
        return f"L*R**2/(4*{n} + 2)"
    if name == "gsw":  # Grimmer, Shu and Wang 2024 (arXiv 2410.16249), Definition 1: tight by construction
        from symbolic.composed_steps import gsw_bound

        return gsw_bound(n)
    if name == "silver" and (n + 1) & n == 0:
        k = (n + 1).bit_length() - 1
        return f"L*R**2/(4*(1 + sqrt(2))**{k} - 2)"
    return None


def load_schedule(spec: str) -> Schedule:
    """A library name, or a schedule file (TOML: name, class, steps, periodic, bound, m, source)."""
    if spec in LIBRARY:
        source = {"silver": "Altschuler and Parrilo 2023, Theorem 1.1",
                  "gsw": "Grimmer, Shu and Wang 2024 (arXiv 2410.16249), optimized basic schedules (OBS-F)",
                  "chebyshev": "the roots of the Chebyshev polynomial T_N on [m, L] (seed 000, section 2.2)"}
        fclass = "quadratic" if spec == "chebyshev" else "smooth-convex"
        return Schedule(name=spec, fclass=fclass, source=source.get(spec, ""))
    path = Path(spec)
    if not path.is_file():
        raise FieldError("schedule", f"'{spec}' is neither a library schedule ({', '.join(LIBRARY)}) "
                                     "nor a readable file")
    if path.stat().st_size > MAX_SCHEDULE_BYTES:
        raise FieldError("schedule", f"{path}: larger than {MAX_SCHEDULE_BYTES} bytes")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FieldError("schedule", f"{path}: not a TOML file: {exc}") from None
    unknown = set(data) - SCHEDULE_FIELDS
    if unknown:
        raise FieldError(sorted(unknown)[0],
                         f"{path}: unknown field (allowed: {', '.join(sorted(SCHEDULE_FIELDS))})")
    steps = data.get("steps")
    if isinstance(steps, str):
        steps = [s.strip() for s in steps.split(",")]
    if not isinstance(steps, list) or not steps or not all(isinstance(s, str | int | float) for s in steps):
        raise FieldError("steps", f"{path}: a non-empty list of steps (exact strings such as \"3/2\")")
    fclass = data.get("class", "smooth-convex")
    if fclass not in CLASSES:
        raise FieldError("class", f"{path}: must be one of {', '.join(CLASSES)}, got {fclass!r}")
    m = None
    if data.get("m") is not None:
        try:
            m = str(exact_rational(data["m"], "m"))
        except FieldError as exc:
            raise FieldError("m", f"{path}: {exc.message if hasattr(exc, 'message') else exc}") from None
        if not sp.Rational(m) < 1:
            raise FieldError("m", f"{path}: m is m/L and must be below 1, got {m}")
    return Schedule(name=str(data.get("name", path.stem)), fclass=fclass, steps=[str(s) for s in steps],
                    periodic=bool(data.get("periodic", False)), bound=data.get("bound"),
                    m=m, source=str(data.get("source", "")))


def rate_claim(schedule: Schedule, n: int, metric: str, bound: str, cid: str, m: str | None) -> Claim:
    """The rate claim 'worst metric after N steps <= bound' for this schedule (L = R = 1 units)."""
    fields: dict[str, Any] = {"class": schedule.fclass, "L": 1, "initial": "distance", "metric": metric,
                              "bound": bound, **schedule.steps_for(n)}
    if schedule.fclass == "smooth-strongly-convex":
        fields["m"] = m or schedule.m or DEFAULT_M
    return Claim(id=cid, kind="rate", statement=f"{schedule.name} N={n}: {metric} <= {bound}",
                 file=f"<schedule {schedule.name}>", fields=fields)


def _solver_value(schedule: Schedule, n: int, metric: str, m: str | None) -> float:
    """The PEP's floating value (normalized), from a rate claim's evidence-free solve."""
    from pep.engine import worst_case
    from verify.checkers.rate import RateSetup

    setup = RateSetup.parse(rate_claim(schedule, n, metric, "L*R**2", "probe", m), Context())
    return worst_case(setup.fclass, setup.steps, "distance", metric, m=setup.q).value


def _bound_the_worst_case(row: Row, schedule: Schedule, n: int, metric: str, ctx: Context,
                          m: str | None) -> None:
    """Certify the worst case from above and show a function reaching it from below (see the module
    docstring); tight when the certified bound is the exact value a function of the class attains."""
    v = row.solver_worst_case
    assert v is not None
    scale = _scale(metric)
    rounded = f"{scale}*{_round(v * (1 + UPPER_SLACK))}"
    below = f"{scale}*{_round(v * (1 - UPPER_SLACK), math.floor)}"
    known = known_tight(schedule.name, n, metric, schedule.fclass)
    exact = known or _witness_value(schedule, n, metric, below, m)
    for candidate in dict.fromkeys(c for c in (exact, rounded) if c):
        upper = check_claim(rate_claim(schedule, n, metric, candidate, f"upper-{n}", m), ctx)
        if upper.verdict is Verdict.CERTIFIED:
            row.certified_upper = candidate
            break
        row.notes.append(f"upper bound {candidate} not certified: {upper.summary}")
    low = f"({exact})*(1 - {LOWER_MARGIN})" if exact else below
    if check_claim(rate_claim(schedule, n, metric, low, f"lower-{n}", m), ctx).verdict is Verdict.REFUTED:
        row.certified_lower = low
    if exact and row.certified_upper == exact:
        attained = _attained(schedule, n, metric, exact, m)
        row.tight, row.attained_by = attained is not None, attained


def _witness_value(schedule: Schedule, n: int, metric: str, below: str, m: str | None) -> str | None:
    """The exact metric (as a bound expression) of the explicit function beating ``below``, or None."""
    witness = _witness(schedule, n, metric, below, m)
    if witness is None:
        return None
    value = witness.metric_exact
    text = str(value.to_sympy()) if hasattr(value, "to_sympy") else str(value)
    return f"{_scale(metric)}*({text})"


def _witness(schedule: Schedule, n: int, metric: str, bound: str, m: str | None) -> Any:
    """The first explicit function of the class on which the schedule beats ``bound``, or None."""
    from pep.witness_functions import explicit_witness
    from verify.checkers.rate import RateSetup
    from verify.fields import to_field

    setup = RateSetup.parse(rate_claim(schedule, n, metric, bound, "witness", m), Context())
    return explicit_witness(setup.fclass, setup.steps, setup.initial, setup.metric,
                            to_field(setup.normalized, "bound"), q=setup.q)


def _attained(schedule: Schedule, n: int, metric: str, candidate: str, m: str | None) -> str | None:
    """The explicit function of the class on which gradient descent reaches ``candidate`` EXACTLY (exact
    arithmetic: its metric minus the bound is exactly 0), or None."""
    from verify.checkers.rate import RateSetup
    from verify.fields import to_field

    below = f"({candidate})*(1 - {LOWER_MARGIN})"
    witness = _witness(schedule, n, metric, below, m)
    setup = RateSetup.parse(rate_claim(schedule, n, metric, candidate, "tight", m), Context())
    if witness is None or witness.metric_exact - to_field(setup.normalized, "bound") != 0:
        return None
    return f"{witness.function.formula()} from x0 = {witness.x0}"


def _round(value: float | Fraction, direction: Any = math.ceil, digits: int = 6) -> Fraction:
    """A rational with ``digits`` significant digits at or above (``math.ceil``) or at or below
    (``math.floor``) ``value`` (> 0); exact for a Fraction (only the digit count goes through a float)."""
    exponent = math.floor(math.log10(value)) - digits + 1
    scale = Fraction(10) ** -exponent
    return Fraction(direction(Fraction(value) * scale)) / scale


def _scale(metric: str) -> str:
    return {"function-gap": "L*R**2", "distance": "R**2", "gradient-norm": "L**2*R**2"}[metric]


def analyse(schedule: Schedule, ns: list[int], metric: str, ctx: Context, m: str | None = None,
            compare: bool = True, progress: Any = None) -> list[Row]:
    """Every row: solve, certify above, certify below, and compare with h = 1 and Silver."""
    from verify import schedule_spectral

    rows = []
    for n in ns:
        row = Row(N=n)
        rows.append(row)
        if progress:
            progress(f"N = {n}: solving")
        if schedule.fclass == "quadratic":
            q = sp.Rational(m or schedule.m or DEFAULT_M)
            schedule_spectral.quadratic_row(row, schedule.name, n, metric, q, ctx)
            continue
        if schedule.name == "chebyshev" and n > 2:  # cos((2k - 1) pi/(2N)) leaves Q(sqrt 2) from N = 3 on
            claim = rate_claim(schedule, n, metric, _scale(metric), f"contracts-{n}", m)
            schedule_spectral.outside_field_row(row, claim, ctx, _scale(metric))
            continue
        try:
            row.solver_worst_case = _solver_value(schedule, n, metric, m)
        except FieldError as exc:
            row.notes.append(exc.line() if hasattr(exc, "line") else str(exc))
            continue
        if row.solver_worst_case is None or not math.isfinite(row.solver_worst_case) \
                or row.solver_worst_case <= 0:
            row.notes.append(f"the solver returned no usable worst case ({row.solver_worst_case}); nothing "
                             "to certify at this N")
            row.solver_worst_case = None
            continue
        _bound_the_worst_case(row, schedule, n, metric, ctx, m)
        claimed = schedule.claimed(n)
        if claimed:
            verdict = check_claim(rate_claim(schedule, n, metric, claimed, f"claimed-{n}", m), ctx)
            row.claimed_bound, row.claimed_verdict = claimed, verdict.verdict.value
            row.claimed_over_worst = _ratio(claimed, metric, row.solver_worst_case)
        if compare and schedule.fclass == "smooth-convex":
            for other, slot in (("constant", "constant_worst_case"), ("silver", "silver_worst_case")):
                if other != schedule.name:
                    setattr(row, slot, _solver_value(Schedule(name=other), n, metric, m))
    return rows


def _ratio(bound: str, metric: str, worst: float | None) -> float | None:
    """bound (normalized, L = R = 1) / worst, as a float for display only (never a verdict)."""
    if not worst:
        return None
    expr = parse_expr(bound, field="bound", symbols={"L": sp.Integer(1), "R": sp.Integer(1)},
                      allow_new=False, functions=None)
    return float(sp.N(expr, 20)) / worst


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.6g}"


def table(schedule: Schedule, rows: list[Row], metric: str) -> str:
    """The rows as a plain-text table."""
    head = (f"schedule {schedule.name} ({schedule.fclass}, {metric}; L = R = 1)"
            + (f"; claimed bound from {schedule.source}" if schedule.source else ""))
    cols = ["N", "worst (solver)", "certified <=", "a function reaches >=", "tight", "vs h=1", "vs silver",
            "claimed"]
    lines = [head, " | ".join(cols)]
    for r in rows:
        vs_const = _fmt(r.constant_worst_case / r.solver_worst_case) if r.constant_worst_case and \
            r.solver_worst_case else "-"
        vs_silver = _fmt(r.silver_worst_case / r.solver_worst_case) if r.silver_worst_case and \
            r.solver_worst_case else "-"
        claimed = "-" if r.claimed_verdict is None else f"{r.claimed_verdict} ({_fmt(r.claimed_over_worst)}x)"
        lines.append(" | ".join([str(r.N), _fmt(r.solver_worst_case), r.certified_upper or "-",
                                 r.certified_lower or "-", "yes" if r.tight else "no", vs_const, vs_silver,
                                 claimed]))
        if r.attained_by:
            shown = r.attained_by if len(r.attained_by) <= SHOWN_CHARS else \
                r.attained_by[:SHOWN_CHARS] + " ... (the exact data in full: --json)"
            verb = "attained exactly by" if r.tight else "reached by"
            lines.append(f"    {verb} {printable(shown)}")
        lines.extend(f"    note: {printable(note)}" for note in r.notes)
    lines.append("vs h=1 / vs silver: their worst case divided by this schedule's (above 1: this one is "
                 "better); claimed: the claimed bound's verdict and its ratio to the worst case")
    return "\n".join(lines)


def main(args: Any) -> int:
    """The ``schedule`` subcommand."""
    try:
        schedule = load_schedule(args.schedule)
        if args.fclass:
            schedule.fclass = args.fclass
        q = relative_m(args.m, getattr(args, "L", None))
        if q is not None:
            schedule.m = q
        ns = _horizons(args.N, schedule)
        metric = args.metric or ("distance" if schedule.fclass == "quadratic" else "function-gap")
    except FieldError as exc:
        print(printable(f"error: {exc.line() if hasattr(exc, 'line') else exc}"), file=sys.stderr)
        return 2
    ctx = Context(cert_dir=Path(args.cert_dir) if args.cert_dir else None)
    to_stdout = args.json_out == "-"  # --json with no file: the JSON alone on stdout, the table on stderr
    with contextlib.redirect_stdout(sys.stderr) if to_stdout else contextlib.nullcontext():
        def progress(text: str) -> None:
            if sys.stderr.isatty():
                print(text, file=sys.stderr, flush=True)

        rows = analyse(schedule, ns, metric, ctx, m=q, progress=progress)
        print(table(schedule, rows, metric))
        failures = property_tests(schedule, rows, metric, args.property_tests, m=q) \
            if args.property_tests else 0
        if args.plot and len(rows) > 1:
            _plot(schedule, rows, Path(args.plot))
            print(f"wrote {args.plot}")
    if args.json_out:
        doc = {"format": "gradverify-schedule/1", "schedule": schedule.__dict__, "metric": metric,
               "rows": [r.__dict__ | {"decided": r.decided} for r in rows]}
        text = json.dumps(doc, indent=2, default=str) + "\n"
        if to_stdout:
            sys.stdout.write(text)
        else:
            Path(args.json_out).write_text(text, encoding="utf-8")
            print(f"wrote {args.json_out}")
    return 1 if failures or not all(r.decided for r in rows) else 0


def relative_m(m: str | None, L: str | None) -> str | None:
    """m/L as an exact rational string (the PEP runs at L = 1), from --m and --L; None when neither is
    given."""
    if m is None:
        if L is not None:
            raise FieldError("L", "--L only matters with --m (the worst cases are stated for L = 1 units)")
        return None
    q = exact_rational(m, "m") / exact_rational(L or "1", "L")
    if not 0 < q < 1:
        raise FieldError("m", f"need 0 < m < L, got m/L = {q}")
    return str(q)


RATIONAL_RE = re.compile(r"^[+-]?\d{1,30}(\.\d{0,30})?([eE][+-]?\d{1,2})?(/\d{1,30})?$")


def exact_rational(text: Any, name: str) -> sp.Rational:
    """An exact rational from a short decimal or fraction text (e.g. 1/10, 0.1, 1e-3), never evaluated."""
    match = RATIONAL_RE.match(str(text).strip())
    if not match:
        raise FieldError(name, f"must be an exact rational such as 1/10, 0.1 or 10 (at most 30 digits, "
                               f"exponent below 100), got {str(text)[:40]!r}")
    value = sp.Rational(str(text).strip().split("/")[0])
    if match.group(3):
        den = int(match.group(3)[1:])
        if den == 0:
            raise FieldError(name, f"division by zero in {text!r}")
        value /= den
    if value <= 0:
        raise FieldError(name, f"must be positive, got {text!r}")
    return value


def _horizons(text: str | None, schedule: Schedule) -> list[int]:
    """--N: whole numbers separated by commas (default: the file's number of steps, or 7)."""
    if not text:
        return [len(schedule.steps or [1] * 7)]
    try:
        ns = [int(x) for x in str(text).split(",")]
    except ValueError:
        raise FieldError("N", f"--N must be whole numbers separated by commas, got {text!r}") from None
    if any(n < 1 for n in ns):
        raise FieldError("N", f"--N must be positive, got {text!r}")
    if any(n > MAX_STEPS for n in ns):
        raise FieldError("N", f"--N: at most {MAX_STEPS} steps (the PEP's cap), got {max(ns)}")
    return ns


def property_tests(schedule: Schedule, rows: list[Row], metric: str, examples: int,
                   m: str | None = None) -> int:
    """Run gradient descent with the schedule on ``examples`` random functions of the class per row
    (verify.testing) against the certified bound; a violation means a bug in the suite. Returns the
    number of rows that failed."""
    from verify.testing import ScheduleViolation

    q = Fraction(m or schedule.m or "1/10") if schedule.fclass == "smooth-strongly-convex" else Fraction(0)
    failed = 0
    for row in rows:
        if not row.certified_upper:
            continue
        steps = rate_claim(schedule, row.N, metric, "1", "p", m).fields
        hs = steps.get("steps") or (["1"] * row.N if schedule.name == "constant" else None)
        if hs is None:
            from pep.schedules import silver_steps

            hs = [str(h.to_sympy()) for h in silver_steps(row.N)]
        normalized = str(parse_expr(row.certified_upper, field="bound", symbols={
            "L": sp.Integer(1), "R": sp.Integer(1), "N": sp.Integer(row.N)}, allow_new=False))

        try:
            _hunt(hs, normalized, metric, q, examples)
            print(f"property tests N = {row.N}: {examples} random functions of {schedule.fclass} stay "
                  f"within the certified bound")
        except ScheduleViolation as exc:
            failed += 1
            print(printable(f"property tests N = {row.N}: VIOLATION (a bug in the suite): {exc}"))
    return failed


def _plot(schedule: Schedule, rows: list[Row], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ns = [r.N for r in rows]
    for label, values in ((schedule.name, [r.solver_worst_case for r in rows]),
                          ("h = 1", [r.constant_worst_case for r in rows]),
                          ("silver", [r.silver_worst_case for r in rows])):
        if all(v is not None for v in values):
            ax.loglog(ns, values, marker="o", label=label)
    ax.set_xlabel("N")
    ax.set_ylabel("worst case (L = R = 1)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def _hunt(steps: list[str], bound: str, metric: str, q: Fraction, examples: int) -> None:
    """Hypothesis looks for a function of the class on which ``steps`` exceed ``bound`` (and shrinks it)."""
    from hypothesis import HealthCheck, given, settings, target

    from verify.testing import check_schedule, functions

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(problem=functions(L=1, m=q))
    def holds(problem: Any) -> None:
        target(float(check_schedule(problem, steps, bound, metric=metric)))  # steer towards the worst case

    holds()
