"""pep decides: a typed rate problem and an exact bound in, a typed decision out.

The pipeline every rate claim goes through, in one place: build the float PEP and solve it; build the exact
PEP only when a certificate or a counterexample is asked for; try the likelier of the two first (a solver
value above the bound suggests a refutation). The decision is CERTIFIED only with an exactly checked dual
certificate (:mod:`pep.certificate`), REFUTED only with an exact counterexample (:mod:`pep.counterexample`);
the solver's number alone is always INCONCLUSIVE, with the reason. The claim checker in
``verify/checkers/rate.py`` only parses fields and formats the decision.

    >>> from fractions import Fraction
    >>> from pep.methods import gd
    >>> d = decide_rate(RateProblem("smooth-convex", 0, gd([Fraction(1)] * 2), "distance", "function-gap"),
    ...                 ExactBound(Fraction(1, 10)))
    >>> d.verdict
    'certified'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from core.progress import stage
from pep.methods import Method

# SCS at eps 1e-7 (pep.solve.SCS_EPS) leaves errors of about 1e-6 in normalized values of order 1e-3..1;
# a solver value above the bound by less than this is not worth trying a refutation first.
SOLVER_VALUE_TOL = 1e-6
VERDICTS = ("certified", "refuted", "inconclusive")


@dataclass(frozen=True)
class RateProblem:
    """The worst case of ``method`` over the class (normalized: L = 1, q = m/L, initial quantity 1)."""

    fclass: str
    q: Any
    method: Method
    initial: str
    metric: str
    pairs: list[tuple[str, str]] | None = None
    solver: str = "scs"

    def normalized_class(self) -> Any:
        """The class object with L = 1."""
        from pep.engine import normalized_class

        return normalized_class(self.fclass, 1, self.q)

    def float_data(self, method: Method | None = None) -> Any:
        """The float64 PEP (of ``method`` when given, e.g. a shorter horizon for a plot)."""
        from pep.fastbuild import build_pep_float

        pairs = self.pairs if method is None else None
        return build_pep_float(self.normalized_class(), method or self.method, self.initial, self.metric,
                               pairs)

    def exact_data(self) -> Any:
        """The exact PEP (Fractions, or Q(sqrt 2) elements)."""
        from pep.problem import build_pep

        return build_pep(self.normalized_class(), self.method, self.initial, self.metric, self.pairs)


@dataclass(frozen=True)
class ExactBound:
    """The normalized bound: exact when in Q or Q(sqrt 2) (``value``); otherwise a rational ``below`` it
    (what a certificate may prove, optionally with ``sqrt_form`` x: bound = 1/(1 + sqrt x) proved inside the
    certificate) and a rational ``above`` it (what a counterexample must exceed), both proved by the caller;
    ``approx`` is a float for ordering the attempts only."""

    value: Any = None
    below: Any = None
    above: Any = None
    sqrt_form: Any = None
    approx: float | None = None

    @property
    def certify_target(self) -> Any:
        """The exact number a certificate must prove the worst case below."""
        return self.value if self.value is not None else self.below

    @property
    def refute_target(self) -> Any:
        """The exact number a counterexample must exceed."""
        return self.value if self.value is not None else self.above

    def as_float(self) -> float:
        """The bound as a float (ordering of the attempts; never a verdict)."""
        if self.approx is not None:
            return self.approx
        target = self.certify_target if self.certify_target is not None else self.refute_target
        return float(target) if target is not None else math.nan


@dataclass
class Decision:
    """The verdict, its reason, the numeric solution and the exact evidence that decided it."""

    verdict: str
    reason: str
    result: Any
    certificate: Any = None  # pep.certificate.CertificateAttempt of the last certificate try, if any
    refutation: Any = None  # pep.counterexample.Refutation when refuted
    attempts: list[str] = field(default_factory=list)
    reduction: Any = None  # pep.active_pairs.Reduction when the decision was made on generated pairs


class LazyExact:
    """Exact PEP data built on first use (pure-Python arithmetic: seconds at N = 127 with all pairs)."""

    def __init__(self, build: Any) -> None:
        self._build, self._data = build, None

    def get(self) -> Any:
        """The exact data."""
        if self._data is None:
            self._data = self._build()
        return self._data


def decide_rate(problem: RateProblem, bound: ExactBound, *, full_fits: bool = True) -> Decision:
    """Solve, then certify or refute exactly, in the likelier order; inconclusive with the reasons.

    A problem that composes (:func:`pep.compose.composable`) is first tried by composition, which needs
    only the PEPs of single steps or periods: when it certifies, the full SDP is never solved (``result``
    is None) -- at N = 60 on the strongly convex class that is most of the time. A large problem with all
    pairs is decided on generated pairs (:mod:`pep.active_pairs`) when their worst case is feasible for
    the full problem; ``decision.reduction`` says so. ``full_fits`` False (the full PEP is over the memory
    cap): no fallback to all pairs."""
    from pep.active_pairs import reduce_pairs, reducible
    from pep.compose import certify_by_composition, composable
    from pep.solve import solve

    data = LazyExact(problem.exact_data)
    tried: list[str] = []
    suspect = False
    if composable(problem) and bound.sqrt_form is None and bound.certify_target is not None \
            and problem.method.exact:
        stage("certificate by composition of periods")
        attempt = certify_by_composition(problem, bound.certify_target)
        if attempt.ok:
            return Decision("certified", "exact dual certificate (composition)", None, certificate=attempt)
        tried.append(attempt.reason)
        suspect = attempt.suspect
    if reducible(problem):
        target = bound.as_float() if bound.certify_target is not None else None
        reduction = reduce_pairs(problem, stop_below=target)
        if reduction.ok and reduction.below:  # a certificate from this solve's dual, if one; else more pairs
            reduced = replace(problem, pairs=reduction.pairs)
            decision = Decision("inconclusive", "", reduction.result, attempts=list(tried),
                                reduction=reduction)
            if _certify(reduced, bound, LazyExact(reduced.exact_data), decision, quick=True):
                return decision
            reduction = reduce_pairs(problem, start=reduction)
        if reduction.ok:  # decide on the generated pairs (see pep.active_pairs for why that is sound)
            decision = _decide_reduced(problem, bound, reduction, tried, suspect)
            if decision.verdict != "inconclusive" or reduction.feasible or not full_fits:
                return decision
            tried.append(f"on the {len(reduction.pairs)} generated pairs: no decision, so all pairs were "
                         f"solved")
        else:
            tried.append(reduction.reason)
        if not full_fits:
            return Decision("inconclusive", "; ".join([*tried, "the PEP with all pairs is over the memory "
                                                       "cap, so it was not built"]), reduction.result,
                            reduction=reduction)
    stage(f"solving the PEP (N = {problem.method.N}, {problem.solver.upper()})")
    return _decide_solved(problem, bound, data, solve(problem.float_data(), problem.solver), tried, suspect)


def _decide_reduced(problem: RateProblem, bound: ExactBound, reduction: Any, tried: list[str],
                    suspect: bool) -> Decision:
    """Certify or refute on the generated pairs of ``reduction``."""
    reduced = replace(problem, pairs=reduction.pairs)
    return _decide_solved(reduced, bound, LazyExact(reduced.exact_data), reduction.result, list(tried),
                          suspect, reduction)


def _decide_solved(problem: RateProblem, bound: ExactBound, data: LazyExact, result: Any, tried: list[str],
                   suspect: bool, reduction: Any = None) -> Decision:
    """Certify or refute from a numeric solution of ``problem``, the likelier attempt first."""
    if not result.ok or not math.isfinite(result.value):
        return Decision("inconclusive", f"the SDP solver did not converge (status {result.status}); no "
                                        f"verdict from its numbers", result, reduction=reduction)
    if not problem.method.exact:
        return Decision("inconclusive", f"solver worst case {result.value:.10g} (floating evidence only): "
                                        f"the {problem.method.name} method's coefficients at N = "
                                        f"{problem.method.N} are not in Q or Q(sqrt 2), so no exact "
                                        f"certificate or instance can be built", result, reduction=reduction)
    decision = Decision("inconclusive", "", result, attempts=tried, reduction=reduction)
    above = result.value > bound.as_float() + SOLVER_VALUE_TOL
    for attempt in ((_refute, _certify) if above or suspect else (_certify, _refute)):
        if attempt(problem, bound, data, decision):
            return decision
    where = "above" if above else "at or below"
    decision.reason = (f"solver worst case {result.value:.10g} is {where} the normalized bound "
                       f"{bound.as_float():.10g} (floating evidence only); " + "; ".join(decision.attempts))
    return decision


def _failed(decision: Decision, reason: str) -> bool:
    """Record why an attempt did not decide (it is part of the inconclusive reason)."""
    decision.attempts.append(reason)
    return False


def _certify(problem: RateProblem, bound: ExactBound, data: LazyExact, decision: Decision,
             quick: bool = False) -> bool:
    from pep.certificate import certify_bound

    tau = bound.certify_target
    if tau is None:
        return _failed(decision, "the bound has no exact rational or Q(sqrt 2) lower approximation")
    decision.certificate = certify_bound(data.get(), tau, bound_below=bound.sqrt_form,
                                         numeric_value=decision.result.value, warm=decision.result,
                                         quick=quick)
    if not decision.certificate.ok:
        return _failed(decision, f"no exact certificate: {decision.certificate.reason}")
    decision.verdict = "certified"
    decision.reason = f"exact dual certificate ({decision.certificate.method})"
    if decision.reduction is not None and decision.reduction.ok:
        decision.reason += (f" on {len(decision.reduction.pairs)} of {decision.reduction.full_pairs} "
                            f"interpolation pairs (fewer inequalities can only raise the worst case, so it "
                            f"bounds the full problem)")
    return True


def _refute(problem: RateProblem, bound: ExactBound, data: LazyExact, decision: Decision) -> bool:
    from pep.counterexample import refute_rate

    beta = bound.refute_target
    if beta is None:
        return _failed(decision, "the bound has no exact rational or Q(sqrt 2) upper approximation")
    stage("exact counterexample from the worst case")
    refutation = refute_rate(data.get(), decision.result, beta, steps=problem.method, q=problem.q)
    if refutation is None:
        return _failed(decision, "no exact counterexample")
    decision.verdict, decision.reason, decision.refutation = "refuted", refutation.summary, refutation
    return True


__all__ = ["Decision", "ExactBound", "LazyExact", "RateProblem", "VERDICTS", "decide_rate"]
