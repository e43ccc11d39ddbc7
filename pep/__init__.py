"""Performance-estimation problems (PEP) of fixed-step first-order methods, decided exactly.

The public API (the rest of the package is the pipeline behind it):

- methods as a step matrix H: :func:`gd`, :func:`heavy_ball`, :func:`nesterov`, :func:`ogm`, :func:`fsfom`
  (:mod:`pep.methods`);
- the worst case in the user's units: :func:`worst_case` (:mod:`pep.engine`);
- the decision: :func:`decide_rate` of a :class:`RateProblem` against an :class:`ExactBound`, giving a
  :class:`Decision` (certified with an exact certificate, refuted with an exact counterexample, or
  inconclusive with the reason; :mod:`pep.decide`);
- the data: :func:`build_pep` (exact) and :func:`build_pep_float` (float64, vectorized).
"""

from pep.decide import Decision, ExactBound, RateProblem, decide_rate
from pep.engine import worst_case
from pep.fastbuild import build_pep_float
from pep.methods import Method, fsfom, gd, heavy_ball, nesterov, ogm
from pep.problem import build_pep

__all__ = ["Decision", "ExactBound", "Method", "RateProblem", "build_pep", "build_pep_float", "decide_rate",
           "fsfom", "gd", "heavy_ball", "nesterov", "ogm", "worst_case"]
