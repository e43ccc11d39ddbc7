"""Rate claims with steps outside Q(sqrt 2): refuted by an interval witness, never certified.

The four Chebyshev steps for [m, L] = [1/10, 1] involve cos(pi/8) = sqrt(2 + sqrt 2)/2, outside Q(sqrt 2).
The witness's enclosure is compared with an independent 60-digit run (steps from mpmath's cos), and claims
just above and just below the enclosure (margins down to 1e-30) are decided the right way or left open.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from pep.interval_witness import expansion_witness
from symbolic.spectral import chebyshev_steps
from tests.conftest import toml_claim
from tests.test_interval_witness import _independent_ratio
from verify.verdict import Verdict

Q = Fraction(1, 10)
N = 4
STEPS = chebyshev_steps(N, sp.Rational(1, 10), sp.Integer(1))


def claim(cid: str, bound: str, **changes: object) -> str:
    fields = {"id": cid, "kind": "rate", "class": "smooth-strongly-convex", "L": 1, "m": "1/10",
              "initial": "distance", "metric": "distance", "steps": [str(h) for h in STEPS], "bound": bound}
    return toml_claim(**(fields | changes))


@pytest.fixture(scope="module")
def witness():
    w = expansion_witness(Q, STEPS)
    assert w is not None
    return w


def test_the_enclosure_agrees_with_an_independent_run(witness) -> None:
    independent = _independent_ratio(witness.function, (N, 10))
    with mpmath.workdps(60):
        low = mpmath.mpf(witness.ratio_low.numerator) / witness.ratio_low.denominator
        assert abs(independent - low) < mpmath.mpf(10) ** -40
    assert witness.ratio_low > 7  # the steps expand ||x - x*||^2 sevenfold on this class


@pytest.mark.parametrize("margin", ["1/10**30", "1/10**20", "1/10**6"])
def test_below_the_enclosure_is_refuted_above_it_is_never_certified(run_claims, witness, margin) -> None:
    low, high = witness.ratio_low, witness.ratio_high
    results, _ = run_claims(claim("below", f"R**2*({low})*(1 - {margin})"),
                            claim("above", f"R**2*({high})*(1 + {margin})"),
                            claim("contracts", "R**2"))
    assert results["below"].verdict is Verdict.REFUTED
    assert results["below"].evidence["counterexample_kind"] == "interval-run"
    assert results["above"].verdict is Verdict.INCONCLUSIVE  # true of this function; no proof of the class
    assert results["contracts"].verdict is Verdict.REFUTED


def test_never_certified_and_other_metrics_are_inconclusive(run_claims) -> None:
    results, _ = run_claims(claim("huge", "10**6*R**2"),
                            claim("gap", "L*R**2", metric="function-gap"),
                            claim("convex", "R**2", **{"class": "smooth-convex", "m": 0}),
                            claim("pi", "L*R**2", steps=["pi"], metric="function-gap"))
    assert results["huge"].verdict is Verdict.INCONCLUSIVE
    assert "Q(sqrt 2)" in results["huge"].summary
    assert results["gap"].verdict is Verdict.INCONCLUSIVE
    assert results["convex"].verdict is not Verdict.CERTIFIED
    assert results["pi"].verdict is Verdict.INCONCLUSIVE and "Q(sqrt 2)" in results["pi"].summary


def test_a_certificate_cannot_be_asked_for(tmp_path) -> None:
    from core.errors import FieldError
    from verify.certificates import _rate_statement
    from verify.checkers import Context
    from verify.dispatch import load_claims

    path = tmp_path / "c.toml"
    path.write_text(claim("c", "R**2"), encoding="utf-8")
    (parsed,), _ = load_claims([path])
    with pytest.raises(FieldError, match="Q or Q\\(sqrt 2\\)"):
        _rate_statement(parsed, Context(), {})
