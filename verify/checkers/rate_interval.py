"""Rate claims whose steps lie outside Q(sqrt 2) (Chebyshev steps: cosines of multiples of pi/(2N)).

No exact PEP certificate exists for such steps in this suite, so these claims are never CERTIFIED. They
can be REFUTED: :func:`pep.interval_witness.expansion_witness` gives an explicit one-dimensional function
of the class (rational data, membership checked exactly) and a 200-bit interval enclosure of
||x_N - x*||^2 / ||x_0 - x*||^2 under the exact steps; the claim is refuted when the enclosure's lower end
is provably above the normalized bound (:func:`numeric.interval.sign_of`, exact for a rational bound).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from numeric.interval import sign_of
from pep.interval_witness import MAX_SEARCH_STEPS, expansion_witness
from verify.verdict import Outcome, Verdict

INTERVAL_CLASSES = ("smooth-convex", "smooth-strongly-convex")


def decide_outside_field(setup: Any) -> Outcome:
    """REFUTED with an interval witness, or INCONCLUSIVE saying why (never CERTIFIED)."""
    steps = setup.steps
    evidence: dict[str, Any] = {
        "class": setup.fclass, "L": str(setup.L), "m": str(setup.m), "N": len(steps),
        "steps": ", ".join(str(s) for s in steps[:8]) + (f", ... ({len(steps)} steps)" if len(steps) > 8
                                                          else ""),
        "initial": setup.initial, "metric": setup.metric, "bound": setup.bound_text,
        "bound_normalized": str(setup.normalized),
        "why_no_certificate": "the steps are not all in Q or Q(sqrt 2): the exact PEP certificate needs them "
                              "there, so this claim can be refuted but not certified",
    }
    if setup.fclass not in INTERVAL_CLASSES or (setup.initial, setup.metric) != ("distance", "distance"):
        return Outcome(Verdict.INCONCLUSIVE, "steps outside Q(sqrt 2): no exact PEP; the interval witness "
                                             "covers only class smooth-convex / smooth-strongly-convex with "
                                             "initial = metric = 'distance'", evidence)
    if len(steps) > MAX_SEARCH_STEPS:
        return Outcome(Verdict.INCONCLUSIVE, f"steps outside Q(sqrt 2): no exact PEP, and N = {len(steps)} "
                                             f"is above the witness search's {MAX_SEARCH_STEPS} steps",
                       evidence)
    witness = expansion_witness(Fraction(setup.q), steps)
    if witness is None:
        return Outcome(Verdict.INCONCLUSIVE, "steps outside Q(sqrt 2): no exact PEP, and the witness search "
                                             "found no function of the class", evidence)
    if witness.function.grad(Fraction(0)) != 0:  # the ratio is to x* = 0: it must be a minimizer (exact)
        return Outcome(Verdict.INCONCLUSIVE, "steps outside Q(sqrt 2): the witness found does not have its "
                                             "minimizer at 0", evidence)
    low, high = witness.ratio_low, witness.ratio_high
    evidence["counterexample_kind"] = "interval-run"
    evidence["counterexample"] = {
        "function": witness.function.formula(), "x0": str(witness.function.start),
        "membership": witness.membership,
        "ratio_enclosure": [str(low), str(high)],
        "iterates": witness.iterates,
        "arithmetic": "mpmath interval arithmetic at 200 bits with the exact steps enclosed; f' evaluated "
                      "exactly at the interval's endpoints (f' is increasing)",
    }
    shown = f"[{float(low):.6g}, {float(high):.6g}]"  # display only; the verdict is the exact sign below
    if sign_of(sp.Rational(low.numerator, low.denominator) - setup.normalized) == 1:
        return Outcome(Verdict.REFUTED, f"gradient descent with the exact steps on an explicit function of "
                                        f"{setup.fclass} gives ||x_N - x*||^2/||x_0 - x*||^2 in {shown} "
                                        f"(200-bit intervals), above the bound {setup.normalized}", evidence)
    return Outcome(Verdict.INCONCLUSIVE, f"steps outside Q(sqrt 2): no exact PEP; the best witness found "
                                         f"gives a ratio in {shown}, not provably above the bound "
                                         f"{setup.normalized}", evidence)
