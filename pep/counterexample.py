"""Refuting a rate claim "worst case <= bound" for gradient descent, exactly (see docs/counterexamples.md).

Two kinds of refutation, tried in this order:
- ``explicit-function``: a 1-D function of the class (quadratic or Huber-like, :mod:`pep.witness_functions`)
  on which gradient descent, run exactly and at 50 digits, ends above the bound;
- ``interpolating-instance``: the PEP's worst case made exact (:mod:`pep.instance`): rational points,
  gradients and function values satisfying every interpolation inequality of the class exactly, so that a
  function of the class passes through them (Taylor, Hendrickx and Glineur 2017), with a metric above the
  bound. Not issued for the nonconvex class: its PEP only imposes f >= f_low at the iterates, and an
  interpolating function may dip below f_low elsewhere, so the initial gap of that function is not proven.
A float (a solver value) never refutes anything on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pep.instance import (
    HEAVY_MIX_S,
    Instance,
    InstanceError,
    class_of,
    extract_instance,
    method_of,
    nstr50,
    parse_exact,
)
from pep.methods import Method
from pep.problem import PEPData
from pep.witness_functions import Witness, explicit_witness

KINDS = ("explicit-function", "interpolating-instance")


@dataclass
class Refutation:
    """A checked violation of a rate claim: kind, JSON-ready evidence, a one-line summary, the metric value
    (50 digits) and the bound (normalized, L = 1, initial quantity 1)."""

    kind: str
    evidence: dict[str, Any]
    summary: str
    metric_value: str
    bound: str
    detail: Witness | Instance | None = field(default=None, repr=False)


SUMMARY_FORMULA_CHARS = 120  # the one-line verdict shows this much of a witness function's formula


def _from_witness(w: Witness, method: Method) -> Refutation:
    """The refutation by an explicit function."""
    run = "gradient descent" if method.name == "gd" else (
        f"{method.name} (here gradient descent with steps {', '.join(str(h) for h in w.steps)})")
    formula = w.function.formula()
    if len(formula) > SUMMARY_FORMULA_CHARS:  # a piecewise quadratic's exact knots: in the evidence
        formula = formula[:SUMMARY_FORMULA_CHARS] + "... (the exact function is in the evidence)"
    summary = (f"{run} on {formula} from x0 = {_brief(w.x0)} gives {w.metric} = "
               f"{nstr50(w.metric_mp, 12)} > bound {nstr50(w.bound, 12)} (exact; 50-digit re-run agrees)")
    return Refutation("explicit-function", w.evidence(), summary, nstr50(w.metric_mp), nstr50(w.bound), w)


def _from_instance(inst: Instance, bound: Any) -> Refutation:
    """The refutation by an exact interpolating instance."""
    evidence = {
        "method": "exact interpolating instance from the PEP worst case (Taylor-Hendrickx-Glineur 2017)",
        "witness": inst.evidence(),
        "witness_check": "exact: " + "; ".join(f"{k}: {v}" for k, v in inst.checks.items()
                                              if k in ("interpolation", "initial_condition", "update_rule",
                                                       "lower_bound")),
        "metric": inst.metric,
        "metric_value": nstr50(inst.metric_value),
        "bound": nstr50(bound),
        "excess": nstr50(inst.metric_value - bound),
        "margin": "metric > bound exactly (no tolerance: every number is exact)",
    }
    summary = (f"an exact {inst.dimension}-D instance of {inst.fclass} satisfying all "
               f"{inst.checks['interpolation_inequalities']} interpolation inequalities has {inst.metric} = "
               f"{nstr50(inst.metric_value, 12)} > bound {nstr50(bound, 12)}")
    return Refutation("interpolating-instance", evidence, summary, nstr50(inst.metric_value), nstr50(bound),
                      inst)


def _brief(v: Any) -> str:
    """A short decimal for a long fraction."""
    s = str(v)
    return s if len(s) <= 24 else nstr50(v, 20)


def refute_rate(data: PEPData, result: Any, bound_normalized: Any, *, steps: Method | list[Any] | None = None,
                q: Any = None) -> Refutation | None:
    """Refute "worst case <= bound_normalized" for the PEP ``data`` (solved numerically in ``result``, which
    may be None): an explicit function first, else the exact interpolating instance; None when neither
    shows a violation (which proves nothing either way)."""
    name, qq = class_of(data, q)
    method = method_of(data, steps)
    bound = parse_exact(bound_normalized)
    initial, metric = data.description["initial"], data.description["metric"]
    inst: Instance | None = None
    if result is not None and getattr(result, "G", None) is not None:
        try:
            inst = extract_instance(data, result, steps=method, q=qq)
            if not inst.valid:
                inst = extract_instance(data, result, steps=method, q=qq, max_mix_s=HEAVY_MIX_S)
        except InstanceError:
            inst = None
    usable = inst if inst is not None and inst.valid else None
    # explicit 1-D functions are run by gradient descent only; another method is refuted by its instance
    w = None if method.steps is None else explicit_witness(name, method.steps, initial, metric, bound, q=qq,
                                                           instance=usable)
    if w is not None:
        return _from_witness(w, method)
    if usable is not None and name != "smooth" and usable.metric_value > bound:
        return _from_instance(usable, bound)
    return None


__all__ = ["KINDS", "Refutation", "refute_rate", "extract_instance", "explicit_witness", "Instance",
           "Witness"]
