"""Rows of ``python -m verify schedule`` that the PEP cannot certify: quadratics, and steps outside Q(sqrt 2).

On ``--class quadratic`` the worst case over the spectrum [m, L] is exact (the residual polynomial,
:mod:`verify.checkers.quadratic`): the row's bound is the closed form (Chebyshev: 1/T_N((L+m)/(L-m)) =
2 r^N/(1 + r^(2N)), r = (sqrt(kappa) - 1)/(sqrt(kappa) + 1); constant h: max(|1 - h m/L|, |1 - h|)^N) and
the quadratic claim "worst == closed form" is certified, so the row is tight, attained by f = lambda x^2/2.

On the PEP classes, steps outside Q(sqrt 2) (Chebyshev with N >= 3) cannot be certified; the row asks
whether the schedule contracts at all (the rate claim ||x_N - x*||^2 <= ||x_0 - x*||^2) and reports the
interval witness that refutes it (:mod:`verify.checkers.rate_interval`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy as sp

from core.expr import parse_expr
from verify.checkers import Context
from verify.claims import Claim
from verify.dispatch import check_claim
from verify.verdict import Verdict

QUADRATIC_METRICS = {"distance": "distance-ratio", "function-gap": "function-gap-ratio",
                     "gradient-norm": "gradient-ratio"}


def chebyshev_closed_form(n: int, q: sp.Rational) -> str:
    """2 r^N/(1 + r^(2N)) with r = (sqrt(kappa) - 1)/(sqrt(kappa) + 1), kappa = 1/q, as claim text."""
    kappa = 1 / q
    r = f"((sqrt({kappa}) - 1)/(sqrt({kappa}) + 1))"
    return f"2*{r}**{n}/(1 + {r}**{2 * n})"


def quadratic_row(row: Any, name: str, n: int, metric: str, q: sp.Rational, ctx: Context) -> None:
    """Fill ``row`` on the quadratic class (m = q, L = 1): the exact worst ratio, certified as '=='."""
    quad_metric = QUADRATIC_METRICS[metric]
    power = 2 if quad_metric == "function-gap-ratio" else 1
    if name == "chebyshev":
        closed = chebyshev_closed_form(n, q)
        fields = {"schedule": "chebyshev", "N": n}
    elif name == "constant":
        closed = f"(1 - {q})**{n}"  # h = 1 (step 1/L): |1 - lambda| on [m, 1] is largest at lambda = m
        fields = {"schedule": "constant", "alpha": 1, "N": n}
    else:
        row.notes.append("the quadratic class has a closed form here only for the chebyshev and constant "
                         "schedules")
        return
    bound = f"({closed})**{power}" if power != 1 else closed
    claim = Claim(id=f"quadratic-{n}", kind="quadratic", statement=f"{name} N={n} on quadratics",
                  file=f"<schedule {name}>",
                  fields={"m": str(q), "L": 1, "metric": quad_metric, "relation": "==", "bound": bound,
                          **fields})
    outcome = check_claim(claim, ctx)
    if outcome.verdict is not Verdict.CERTIFIED:
        row.notes.append(f"the closed form {bound} was not certified: {outcome.summary}")
        return
    row.certified_upper = row.certified_lower = bound
    row.tight = True
    lam = outcome.evidence.get("attained_at_lambda")
    row.attained_by = f"f(x) = lambda x^2/2 with lambda = {lam} (L = 1 units: the worst eigenvalue; exact)"
    if name == "chebyshev":
        kappa = 1 / q
        row.notes.append(f"that is 2 r^{n}/(1 + r^{2 * n}){'' if power == 1 else ' squared'}, "
                         f"r = (sqrt({kappa}) - 1)/(sqrt({kappa}) + 1): 1/T_{n}((kappa + 1)/(kappa - 1)); "
                         f"vs h=1 compares with constant h = 1")
    exact = parse_expr(bound, field="bound", symbols={}, allow_new=False, functions=None)
    row.solver_worst_case = float(sp.N(exact, 20))  # the exact value, shown as a number (display only)
    row.constant_worst_case = float((1 - q) ** n) ** power  # h = 1 on quadratics, display only


def outside_field_row(row: Any, claim: Claim, ctx: Context, scale: str) -> None:
    """Fill ``row`` for steps outside Q(sqrt 2): 'does it contract?' refuted by an interval witness."""
    outcome = check_claim(claim, ctx)
    row.claimed_bound, row.claimed_verdict = f"{scale} (no expansion)", outcome.verdict.value
    row.notes.append("no certified upper bound: the steps are outside Q(sqrt 2), where the exact PEP "
                     "cannot certify")
    if outcome.verdict is not Verdict.REFUTED:
        row.notes.append(outcome.summary)
        return
    found = outcome.evidence["counterexample"]
    low = Fraction(found["ratio_enclosure"][0])
    from verify.schedule import _round

    row.certified_lower = f"{scale}*{_round(low, math.floor)}"  # exact: _round of a Fraction stays exact
    row.attained_by = f"{found['function']}, from x0 = {found['x0']} ({found['membership']})"
    row.claimed_over_worst = float(1 / low)  # display only
