"""cvc5 as a decision procedure for identity and inequality claims (issue 14): what it proves that the sympy
provers leave open, that claims false by tiny margins are never certified, and its limits (unsupported
constructs, timeouts) ending inconclusive."""

from __future__ import annotations

import random
import time

import cvc5
import pytest
import sympy as sp

from core.expr import make_symbol, parse_expr, parse_relations
from numeric.interval import exact_sign
from symbolic.smt import decide_sign, decide_zero
from tests.conftest import toml_claim
from verify.smt_decision import METHOD, SmtAttempt
from verify.verdict import Verdict

POS = {"alpha": "positive", "L": "positive"}
# claims the sympy provers (assumptions, positive reparametrization, root isolation, exact rewrites) leave
# inconclusive and cvc5 proves
PROVED = {
    "abs-step": dict(kind="inequality", lhs="abs(1 - alpha*L)", relation=">", rhs="1", assume=POS,
                     domain=["alpha > 2/L"]),
    "descent-positive": dict(kind="inequality", lhs="alpha*(1 - alpha*L/2)", relation=">", rhs="0",
                             assume=POS, domain=["0 < alpha*L < 2"]),
    "two-var-quartic": dict(kind="inequality", lhs="x**4 + y**4", relation=">=", rhs="x**3*y + x*y**3"),
    "sqrt-am-gm": dict(kind="inequality", lhs="sqrt(x*y)", relation="<=", rhs="(x + y)/2",
                       assume={"x": "nonnegative", "y": "nonnegative"}),
    "sqrt-max": dict(kind="inequality", lhs="max(sqrt(x), x)", relation=">=", rhs="sqrt(x)",
                     domain=["x >= 0"]),
    "abs-max-min": dict(kind="identity", lhs="abs(x - y)", rhs="max(x, y) - min(x, y)"),
    "sqrt-square": dict(kind="identity", lhs="sqrt(x**2 + 2*x + 1)", rhs="x + 1", domain=["x >= -1"]),
}
MARGINS = ("10**-6", "10**-20", "10**-30")


def false_by(eps: str) -> dict[str, dict]:
    """Each claim of PROVED made false by ``eps`` (a constant moved by eps, or a factor 1 +- eps)."""
    return {
        "abs-step.domain": {**PROVED["abs-step"], "domain": [f"alpha > (2 - {eps})/L"]},
        "abs-step.rhs": {**PROVED["abs-step"], "rhs": f"1 + {eps}"},
        "descent-positive.domain": {**PROVED["descent-positive"], "domain": [f"0 < alpha*L < 2 + {eps}"]},
        "descent-positive.rhs": {**PROVED["descent-positive"], "rhs": eps},
        "two-var-quartic": {**PROVED["two-var-quartic"], "rhs": f"(1 + {eps})*(x**3*y + x*y**3)"},
        "sqrt-am-gm": {**PROVED["sqrt-am-gm"], "rhs": f"(1 - {eps})*(x + y)/2"},
        "sqrt-max": {**PROVED["sqrt-max"], "rhs": f"sqrt(x) + {eps}*x"},
        "abs-max-min": {**PROVED["abs-max-min"], "rhs": f"(1 + {eps})*(max(x, y) - min(x, y))"},
        "sqrt-square": {**PROVED["sqrt-square"], "domain": [f"x >= -1 - {eps}"]},
    }


def tables(claims: dict[str, dict]) -> list[str]:
    return [toml_claim(id=cid, **fields) for cid, fields in claims.items()]


def run_cvc5(query: str) -> str:
    """The SMT-LIB text run by cvc5's own parser (independently of symbolic.smt): its check-sat answer."""
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, query, "evidence")
    answers = []
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        answers.append(cmd.invoke(solver, symbols))
    return answers[-1].strip()


def value_of(text: str) -> sp.Expr:
    """A witness value as written in the evidence (a rational, or an exact algebraic number)."""
    v = sp.sympify(text, rational=True)
    assert not v.has(sp.Float)
    return v


def assert_exact_violation(fields: dict, evidence: dict) -> None:
    """Re-check a REFUTED witness from the claim's text: the point satisfies the assumptions and the domain,
    and the claim fails there, every sign decided exactly (rationals) or by a rigorous enclosure."""
    point = {k: value_of(v) for k, v in evidence["witness"].items()}
    symbols = {name: make_symbol(name, kind) for name, kind in fields.get("assume", {}).items()}
    lhs = parse_expr(fields["lhs"], field="lhs", symbols=symbols)
    rhs = parse_expr(fields["rhs"], field="rhs", symbols=symbols)
    domain = [t for text in fields.get("domain", [])
              for t in parse_relations(text, field="domain", symbols=symbols)]
    subs = {symbols[k]: v for k, v in point.items()}
    for name, kind in fields.get("assume", {}).items():
        s = exact_sign(point[name])
        assert {"positive": s == 1, "nonnegative": s in (0, 1), "integer": point[name].is_integer}[kind]
    for a, op, b in domain:
        s = exact_sign((b - a).xreplace(subs))
        assert s is not None and {"<": s > 0, "<=": s >= 0, ">": s < 0, ">=": s <= 0, "==": s == 0}[op]
    s = exact_sign((lhs - rhs).xreplace(subs))
    assert s is not None
    if fields["kind"] == "identity":
        assert s != 0
    else:
        holds = {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0}[fields["relation"]]
        assert not holds, (fields, point)


def test_claims_inconclusive_before_are_proved_by_cvc5(run_claims, monkeypatch):
    results, rejected = run_claims(*tables(PROVED))
    assert not rejected
    for cid, res in results.items():
        ev = res.evidence
        assert res.verdict is Verdict.CERTIFIED, (cid, res.summary)
        assert ev["method"] == METHOD
        assert ev["smt_solver"].startswith("cvc5 1.4.2") and ev["smt_status"] == "proved"
        assert ev["smt_seconds"] >= 0 and "(check-sat)" in ev["smt_query"]
        # the query in the evidence re-runs: cvc5's own parser, unsat
        assert run_cvc5(ev["smt_query"]) == "unsat", cid
    # without cvc5 the same claims are inconclusive: the old provers do not certify them
    import verify.checkers.identity as identity
    import verify.checkers.inequality as inequality

    def off(*args, **kwargs):
        return SmtAttempt(None, note="cvc5 switched off")

    monkeypatch.setattr(inequality, "smt_decide", off)
    monkeypatch.setattr(identity, "smt_decide", off)
    results, _ = run_claims(*tables(PROVED))
    for cid, res in results.items():
        assert res.verdict is Verdict.INCONCLUSIVE, (cid, res.verdict)


@pytest.mark.parametrize("eps", MARGINS)
def test_claims_false_by_tiny_margins_are_never_certified(run_claims, eps):
    claims = false_by(eps)
    results, rejected = run_claims(*tables(claims))
    assert not rejected
    for cid, res in results.items():
        assert res.verdict is not Verdict.CERTIFIED, (cid, eps, res.summary)
        # cvc5's models find violations that sampling misses (regions of width eps); each is re-checked
        # here from the claim's text, exactly
        assert res.verdict is Verdict.REFUTED, (cid, eps, res.summary)
        assert_exact_violation(claims[cid], res.evidence)
        assert res.evidence["method"] == "witness point (a cvc5 model)"
        assert "re-checked" in res.evidence["witness_check"] and "smt_reason" not in res.evidence
        assert run_cvc5(res.evidence["smt_query"]) == "sat"


def test_seeded_near_tight_quadratic_forms(run_claims):
    """a*x^2 + b*x*y + c*y^2 >= 0 holds iff c >= b^2/(4a) (a > 0); c at the bound plus or minus tiny
    margins: certified exactly when true, and a refutation's witness re-checks exactly."""
    rng = random.Random(20261124)
    claims, truth = {}, {}
    for i in range(6):
        a = sp.Rational(rng.randint(1, 50), rng.randint(1, 50))
        b = sp.Rational(rng.randint(-50, 50) or 1, rng.randint(1, 50))
        for j, delta in enumerate(("0", "10**-30", "-10**-30", "-10**-20", "-10**-6")):
            c = f"{b**2 / (4 * a)} + {delta}"
            cid = f"q{i}.{j}"
            claims[cid] = dict(kind="inequality", lhs=f"{a}*x**2 + ({b})*x*y + ({c})*y**2", relation=">=",
                               rhs="0")
            truth[cid] = sp.sympify(delta, rational=True) >= 0
    results, _ = run_claims(*tables(claims))
    for cid, res in results.items():
        if truth[cid]:
            assert res.verdict is Verdict.CERTIFIED, (cid, res.summary)
        else:
            assert res.verdict is Verdict.REFUTED, (cid, res.summary)
            assert_exact_violation(claims[cid], res.evidence)


def test_unsupported_constructs_are_inconclusive_with_the_reason(run_claims):
    results, _ = run_claims(
        toml_claim(id="log", kind="inequality", lhs="log(x)", relation="<=", rhs="x - 1",
                   assume={"x": "positive"}),
        toml_claim(id="floor", kind="identity", lhs="floor(x) + floor(-x)", rhs="-1", domain=["0 < x < 1"]),
    )
    for cid, word in (("log", "log"), ("floor", "floor")):
        res = results[cid]
        assert res.verdict is Verdict.INCONCLUSIVE, (cid, res.summary)
        assert res.evidence["smt_status"] == "unknown"
        assert "not translated" in res.evidence["smt_reason"] and word in res.evidence["smt_reason"]
        assert "smt_query" not in res.evidence
        assert "cvc5: not translated" in res.evidence["reason"]


HARD = "(x**2 + y**2 + z**2 + w**2)**3"  # >= 16 x y z w (x y + z w) by AM-GM, but hard for the coverings
HARD_RHS = "16*x*y*z*w*(x*y + z*w)"


def test_a_timeout_is_inconclusive(run_claims, monkeypatch):
    import verify.smt_decision as smt_decision

    # 200 ms: this query runs for minutes, so the limit (and the kill 1 s after it) decides
    monkeypatch.setattr(smt_decision, "DEFAULT_TIME_LIMIT_MS", 200)
    start = time.perf_counter()
    results, _ = run_claims(toml_claim(id="hard", kind="inequality", lhs=HARD, relation=">=", rhs=HARD_RHS))
    res = results["hard"]
    assert res.verdict is Verdict.INCONCLUSIVE, res.summary
    assert res.evidence["smt_status"] == "unknown"
    assert "time limit" in res.evidence["smt_reason"] or "TIMEOUT" in res.evidence["smt_reason"]
    assert "(check-sat)" in res.evidence["smt_query"]
    assert time.perf_counter() - start < 60


def test_the_solver_process_is_killed_when_cvc5_overruns():
    x, y, z, w = sp.symbols("x y z w", real=True)
    start = time.perf_counter()
    r = decide_sign((x**2 + y**2 + z**2 + w**2)**3 - 16*x*y*z*w*(x*y + z*w), False, (), time_limit_ms=100)
    assert r.status == "unknown" and time.perf_counter() - start < 10


def test_decide_api_and_exact_models():
    x, y = sp.symbols("x y", real=True)
    a, L = sp.symbols("alpha L", positive=True)
    r = decide_sign(sp.Abs(1 - a * L) - 1, True, [(a, ">", 2 / L)])
    assert r.status == "proved" and r.solver.startswith("cvc5 ") and r.seconds >= 0
    assert "(set-logic QF_NRA)" in r.query and "tlimit-per" in r.query
    assert r.query.rstrip().endswith("(check-sat)")
    # an algebraic model value (x = +-sqrt(2)) comes back exact
    r = decide_sign(x - 2, True, [(x**2, "==", 2)])
    assert r.status == "counterexample"
    v = r.model[x]
    assert sp.expand(v**2) == 2 and exact_sign(v - 2) == -1
    # a rational model is a sympy Rational, never a float
    r = decide_zero(x * y - 1, [(x, ">", 0)])
    assert r.status == "counterexample" and all(isinstance(v, sp.Rational) for v in r.model.values())
    # untranslatable: unknown with the reason, no query
    r = decide_sign(sp.exp(x) - x, True)
    assert r.status == "unknown" and "exp" in r.reason and r.query == ""
    r = decide_sign(sp.Float("0.1") + x**2, True)
    assert r.status == "unknown" and "floating-point" in r.reason


def test_no_certificate_over_an_empty_or_undefined_domain(run_claims):
    results, _ = run_claims(
        # a contradictory domain: true only vacuously
        toml_claim(id="empty", kind="inequality", lhs="x", relation=">", rhs="5", domain=["x > 1", "x < 0"]),
        # 1/x is undefined at the domain point x = 0
        toml_claim(id="pole", kind="inequality", lhs="1/x", relation=">", rhs="0", domain=["x >= 0"]),
        # sqrt(x) is undefined for x < 0
        toml_claim(id="sqrt", kind="inequality", lhs="sqrt(x) + 1", relation=">", rhs="0", domain=["x > -1"]),
    )
    for cid in ("empty", "pole", "sqrt"):
        assert results[cid].verdict is not Verdict.CERTIFIED, (cid, results[cid].summary)
    assert "vacuously" in results["empty"].evidence["smt_reason"]


def test_integer_symbols_are_relaxed_never_certified_falsely(run_claims):
    # n**2 >= n holds for integers but not for reals in (0, 1): the real relaxation finds n = 1/2, which is
    # not an integer, so it is no witness; nothing may be certified from the relaxation's failure
    results, _ = run_claims(toml_claim(id="n", kind="inequality", lhs="n**2", relation=">=", rhs="n",
                                       assume={"n": "integer"}))
    assert results["n"].verdict is Verdict.INCONCLUSIVE, results["n"].summary


def test_a_violation_at_an_irrational_point_is_refuted(run_claims):
    # (x^2 - 2)^2 > 0 fails only at x = +-sqrt(2): no rational sample finds it, cvc5's algebraic model does
    results, _ = run_claims(toml_claim(id="c", kind="inequality", lhs="(x**2 - 2)**2", relation=">", rhs="0"))
    res = results["c"]
    assert res.verdict is Verdict.REFUTED, res.summary
    x = value_of(res.evidence["witness"]["x"])
    assert sp.expand((x**2 - 2) ** 2) == 0
