"""The numeric kind: printed roundings and exact comparisons (values checked by hand)."""

from __future__ import annotations

import pytest

from tests.conftest import toml_claim
from verify.verdict import Verdict


@pytest.mark.parametrize(("expr", "value", "extra", "verdict"), [
    ("99/101", "0.980", {}, Verdict.CERTIFIED),          # 0.98019...
    ("99/101", "0.981", {}, Verdict.REFUTED),
    ("0.01/256", "3.91e-5", {}, Verdict.CERTIFIED),      # 3.90625e-5
    ("0.01/256", "3.90e-5", {}, Verdict.REFUTED),
    ("log(100)*100", "460", {}, Verdict.REFUTED),        # 460.517 rounds to 461
    ("log(100)*100", "461", {}, Verdict.CERTIFIED),
    ("log(100)*100", "460", {"digits": 2}, Verdict.CERTIFIED),
    ("sqrt(68)", "8.25", {}, Verdict.CERTIFIED),         # 8.2462
    ("sqrt(68)", "8.24", {}, Verdict.REFUTED),
    ("pi", "3.1416", {}, Verdict.CERTIFIED),
    ("pi", "3.1415", {}, Verdict.REFUTED),               # 3.14159 rounds up
])
def test_approx(run_claims, expr, value, extra, verdict):
    results, _ = run_claims(toml_claim(id="c", kind="numeric", expr=expr, value=value, **extra))
    assert results["c"].verdict is verdict, results["c"].summary


@pytest.mark.parametrize(("expr", "relation", "value", "verdict"), [
    ("2*16/40", "==", "4/5", Verdict.CERTIFIED),
    ("2/sqrt(2)", "==", "sqrt(2)", Verdict.CERTIFIED),
    ("sqrt(2)", "<", "1.4142", Verdict.REFUTED),
    ("sqrt(2)", ">", "1.4142", Verdict.CERTIFIED),
    ("exp(1)", "<=", "2.718281828459045", Verdict.REFUTED),  # e = 2.718281828459045235...
    ("1/3", ">=", "0.3333333333333333333333333333333333333333333333333334", Verdict.REFUTED),
])
def test_relations(run_claims, expr, relation, value, verdict):
    results, _ = run_claims(toml_claim(id="c", kind="numeric", expr=expr, relation=relation, value=value))
    assert results["c"].verdict is verdict, results["c"].summary


def test_float64_discrepancy_is_reported(run_claims):
    # (1 - 3/2)^4000 = 2^-4000 underflows to 0 in float64; the 50-digit value does not
    results, _ = run_claims(toml_claim(id="c", kind="numeric", expr="(1 - 3/2)**4000", relation=">",
                                       value="0"))
    res = results["c"]
    assert res.verdict is Verdict.CERTIFIED
    assert "discrepancy" in res.evidence


def test_evidence_has_both_precisions(run_claims):
    results, _ = run_claims(toml_claim(id="c", kind="numeric", expr="log(100)*100", value="461"))
    values = results["c"].evidence["values"]
    assert values["float64"].startswith("460.5170185988")
    assert values["mpmath"].startswith("460.51701859880913680359829093687")  # independent: 200 ln 10
    assert values["digits"] >= 50


@pytest.mark.parametrize(("fields", "field"), [
    ({"expr": "99/101", "value": "about 0.98"}, "value"),
    ({"expr": "99/101", "value": "0.98", "relation": "~"}, "relation"),
    ({"expr": "x + 1", "value": "1"}, "expr"),
    ({"expr": "99/101", "value": "0.98", "digits": 0}, "digits"),
    ({"expr": "99/101", "value": "0.98", "relation": "==", "digits": 2}, "digits"),
])
def test_bad_fields_are_errors(run_claims, fields, field):
    results, _ = run_claims(toml_claim(id="c", kind="numeric", **fields))
    res = results["c"]
    assert res.verdict is Verdict.ERROR
    assert res.evidence["field"] == field
    assert "\n" not in res.summary
