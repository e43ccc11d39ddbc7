"""``kind = "proof"`` over iterations (issue 16): linked points (the next iterate), sequences summed over
k for symbolic N (``by = "sum"``), monotonicity (``by = "monotone"``), derivations from earlier steps
(``by = "rearrange"``), side facts and stationary points."""

from __future__ import annotations

import json

import pytest

from verify.verdict import Verdict

# The textbook proof of f(x_N) - f* <= L R^2 / (2N) for GD with h = 1/L on L-smooth convex f (L = 1): per step
# f(x_{k+1}) - f* <= L/2 (||x_k - x*||^2 - ||x_{k+1} - x*||^2), summed and telescoped, then monotonicity.
HEAD = '''[[claim]]
id = "p"
statement = "GD h = 1/L, convex: f(x_N) - f* <= L R^2 / (2N)"
kind = "proof"
class = "smooth-convex"
L = 1
points = ["x", "xn", "xs"]
iterate = {{ xn = "{link}" }}
sequence = {{ F = "f(x) - f(xs)", D = "sqnorm(x - xs)" }}
lhs = "F(N)"
relation = "<="
rhs = "L/(2*N)*D(0)"
{extra}
'''
STEPS = [
    ('lhs = "f(xn) - f(xs)"', "<=", "f(x) - f(xs) - 1/(2*L)*sqnorm(grad(x))", "descent-lemma", ""),
    ("", "<=", "inner(grad(x), x - xs) - 1/(2*L)*sqnorm(grad(x))", "convexity", ""),
    ("", "==", "L/2*(sqnorm(x - xs) - sqnorm(xn - xs))", "algebra", ""),
    ('lhs = "sum(F(k + 1), k, 0, N - 1)"', "<=", "sum(L/2*(D(k) - D(k + 1)), k, 0, N - 1)", "sum", "of = 3"),
    ("", "==", "L/2*(D(0) - D(N))", "algebra", ""),
    ("", "<=", "L/2*D(0)", "algebra", ""),
    ('lhs = "F(N)"', "<=", "1/N*sum(F(k + 1), k, 0, N - 1)", "monotone", ""),
    ("", "<=", "1/N*(L/2*D(0))", "rearrange", 'of = 6\ntimes = "1/N"'),
    ("", "==", "L/(2*N)*D(0)", "algebra", ""),
]


def proof(steps=None, link: str = "x - grad(x)/L", extra: str = "") -> str:
    body = HEAD.format(link=link, extra=extra)
    for lhs, rel, rhs, by, more in steps or STEPS:
        body += f'\n[[claim.step]]\n{lhs}\nrelation = "{rel}"\nrhs = "{rhs}"\nby = "{by}"\n{more}\n'
    return body


def changed(k: int, old: str, new: str) -> list:
    steps = [list(s) for s in STEPS]
    assert old in steps[k - 1][2]
    steps[k - 1][2] = steps[k - 1][2].replace(old, new)
    return [tuple(s) for s in steps]


def test_the_textbook_proof_is_valid_for_symbolic_n(run_claims):
    res, rejected = run_claims(proof(extra='expect_proof = "valid"\nexpect = "certified"'))
    assert not rejected
    r = res["p"]
    assert r.evidence["proof"] == "valid", r.summary
    assert r.verdict is Verdict.CERTIFIED and r.met_expectation
    assert [s["verdict"] for s in r.evidence["steps"]] == ["certified"] * 9
    assert r.evidence["steps"][3]["by"] == "sum of step 3"


def test_one_coefficient_changed_in_the_step_for_k_breaks_that_step(run_claims):
    # f(x_{k+1}) <= f(x_k) - (1/L) ||g||^2 is false (f = x^2/40 from x = -4): the descent lemma gives 1/(2L)
    res, _ = run_claims(proof(changed(1, "1/(2*L)", "1/L")))
    r = res["p"]
    assert r.evidence["proof"] == "broken at step 1", r.summary
    witness = r.evidence["broken_step_witness"]["counterexample"]
    assert "xn" in witness["points"] and "xn = " in witness["class_membership"]
    # the sum of a step that is not established is not certified either
    assert r.evidence["steps"][3]["verdict"] != "certified"


def test_one_coefficient_changed_in_the_telescoping_breaks_that_step(run_claims):
    res, _ = run_claims(proof(changed(5, "L/2*(D(0) - D(N))", "L/2*(D(0) - 2*D(N))")))
    r = res["p"]
    assert r.evidence["proof"] == "broken at step 5", r.summary
    assert "an exact run of the iteration" in r.evidence["broken_step_witness"]["witness_check"]


def test_a_telescoping_with_the_wrong_bounds_is_not_an_identity(run_claims):
    # sum_{k=0}^{N-1} (D(k) - D(k+1)) = D(0) - D(N), not D(0) - D(N - 1)
    res, _ = run_claims(proof(changed(5, "D(N))", "D(N - 1))")))
    assert res["p"].evidence["proof"] == "broken at step 5", res["p"].summary


def test_monotonicity_needs_its_hypothesis(run_claims):
    # with h = 5/(2L) f(x_k) grows on f = L x^2/2 (x -> -3x/2): the monotonicity step fails on that run
    res, _ = run_claims(proof(link="x - 5/2*grad(x)/L"))
    r = res["p"]
    step7 = r.evidence["steps"][6]
    assert step7["verdict"] == "refuted" and "run" in step7["summary"], step7
    assert r.evidence["proof"] == "broken at step 1"  # the descent lemma with 1/(2L) fails first


def test_a_wrong_summand_is_not_the_sum_of_the_step(run_claims):
    steps = [list(s) for s in STEPS]
    steps[3][2] = "sum(L/2*(D(k) - D(k + 1)) + F(k), k, 0, N - 1)"  # true, but not step 3 summed
    steps[4][2] = "L/2*(D(0) - D(N)) + sum(F(k), k, 0, N - 1)"
    res, _ = run_claims(proof([tuple(s) for s in steps]))
    step4 = res["p"].evidence["steps"][3]
    assert step4["verdict"] != "refuted" and "not a positive multiple" in step4["summary"], step4


def test_stationary_points_refute_with_minus_half_x_squared(run_claims):
    text = '''[[claim]]
id = "s"
statement = "stability at a stationary point"
kind = "proof"
class = "smooth"
L = 1
points = ["x", "xc"]
stationary = ["xc"]
lhs = "sqnorm(x - grad(x) - xc)"
relation = "<="
rhs = "sqnorm(x - xc)"
expect_proof = "broken"
expect_broken_step = 2

[[claim.step]]
lhs = "sqnorm(x - grad(x) - xc)"
relation = "=="
rhs = "sqnorm(x - xc) - 2*inner(grad(x), x - xc) + sqnorm(grad(x))"

[[claim.step]]
side = true
lhs = "inner(grad(x), x - xc)"
relation = ">="
rhs = "sqnorm(grad(x))"
by = "co-coercivity"

[[claim.step]]
lhs = "sqnorm(x - xc) - 2*inner(grad(x), x - xc) + sqnorm(grad(x))"
relation = "<="
rhs = "sqnorm(x - xc) - sqnorm(grad(x))"
by = "co-coercivity"

[[claim.step]]
relation = "<="
rhs = "sqnorm(x - xc)"
'''
    res, _ = run_claims(text)
    r = res["s"]
    assert r.verdict is Verdict.REFUTED and r.met_expectation, r.summary
    assert "(-1) x1^2" in r.evidence["theorem"]["summary"]  # f = -x^2/2: x = 1 goes to 2
    assert r.evidence["steps"][1]["by"] == "co-coercivity (side fact)"


@pytest.mark.parametrize(("edit", "field", "words"), [
    (lambda t: t.replace("of = 3\n", ""), "step[4].of", "needs of = an earlier step"),
    (lambda t: t.replace("of = 3\n", "of = 4\n"), "step[4].of", "needs of = an earlier step"),
    (lambda t: t.replace('times = "1/N"', 'times = "1/N"\n\n[[claim.step]]\nrelation = "=="\n'
                                         'rhs = "L/(2*N)*D(0)"\ntimes = "2"'),
     "step[9].times", "only with by"),
    (lambda t: t.replace('xn = "x - grad(x)/L"', 'xn = "f(x)"'), "iterate.xn", "not a vector"),
    (lambda t: t.replace('xn = "x - grad(x)/L"', 'xq = "x - grad(x)/L"'), "iterate.xq", "must name a point"),
    (lambda t: t.replace('iterate = { xn = "x - grad(x)/L" }\n', ""), "iterate", "exactly one linked point"),
    (lambda t: t.replace('F = "f(x) - f(xs)"', 'f = "f(x) - f(xs)"'), "sequence.f", "capitalized"),
    (lambda t: t.replace('points = ["x", "xn", "xs"]', 'points = ["x", "xn", "xs"]\nstationary = ["y"]'),
     "stationary", "names from points"),
    (lambda t: t.replace('rhs = "sum(L/2*(D(k) - D(k + 1)), k, 0, N - 1)"', 'rhs = "L/2*(D(0) - D(N))"'),
     "step[4].lhs", "sum(A, k, a, b) on both sides"),
    (lambda t: t.replace('rhs = "1/N*sum(F(k + 1), k, 0, N - 1)"',
                         'rhs = "1/N*sum(F(k + 1), k, 0, N - 1) + sum(F(k), k, 0, N - 1)"'),
     "step[7].rhs", "exactly one sum"),
    (lambda t: t.replace('rhs = "sum(L/2*(D(k) - D(k + 1)), k, 0, N - 1)"',
                         'rhs = "sum(k*D(k), k, 0, N - 1)"'), "step[4]", "depends on k"),
])
def test_bad_iteration_proofs_are_one_line_errors(run_claims, edit, field, words):
    text = edit(proof())
    res, rejected = run_claims(text)
    result = res.get("p")
    line = result.summary if result else rejected[0].error.line()
    assert f"field '{field}" in line and words in line and "\n" not in line, line


def test_a_side_fact_must_state_its_lhs(run_claims):
    second = 'relation = "<="\nrhs = "inner(grad(x), x - xs) - 1/(2*L)*sqnorm(grad(x))"'
    text = proof().replace(f"\n[[claim.step]]\n\n{second}", f"\n[[claim.step]]\nside = true\n{second}", 1)
    res, rejected = run_claims(text)
    line = res["p"].summary if "p" in res else rejected[0].error.line()
    assert "field 'step[2].lhs'" in line and "side fact" in line, line


def test_iteration_results_match_the_schema(tmp_path):
    import jsonschema

    from verify import cli
    from verify.schema import load_schema

    path = tmp_path / "p.toml"
    bad_run = proof(changed(5, "L/2*(D(0) - D(N))", "L/2*(D(0) - 2*D(N))")).replace('id = "p"', 'id = "q"')
    path.write_text(proof(changed(1, "1/(2*L)", "1/L")) + "\n" + bad_run, encoding="utf-8")
    out = tmp_path / "r.json"
    cli.main(["certify", str(path), "--json", str(out)])
    doc = json.loads(out.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft202012Validator(load_schema()).iter_errors(doc)]
    assert not errors, errors[:3]
    assert {r["evidence"]["proof"] for r in doc["results"]} == {"broken at step 1", "broken at step 5"}


def test_show_prints_the_chain_with_its_segments(tmp_path, capsys):
    from verify import cli

    path = tmp_path / "p.toml"
    path.write_text(proof(), encoding="utf-8")
    cli.main(["show", "p", str(path)])
    out = capsys.readouterr().out
    assert "proof: valid" in out and "  (4) <= sum(" in out and "by sum of step 3: ok" in out
    assert "\n  F(N)\n  (7) <= " in out  # a new segment prints its lhs


@pytest.mark.parametrize(("bound", "verdict"), [("1/6", Verdict.CERTIFIED),
                                               ("1/6 - 10**-3", Verdict.INCONCLUSIVE),
                                               ("1/6 - 10**-30", Verdict.INCONCLUSIVE)])
def test_a_linked_step_is_certified_only_when_true(run_claims, bound, verdict):
    # one step of GD with h = 1/L on the convex class: f(x_1) - f* <= L ||x_0 - x*||^2 / 6, tight (Drori and
    # Teboulle 2014, N = 1); below it the worst case is a non-quadratic function, so no quadratic refutes it
    text = f'''[[claim]]
id = "d"
statement = "N = 1"
kind = "proof"
class = "smooth-convex"
L = 1
points = ["x", "xn", "xs"]
iterate = {{ xn = "x - grad(x)/L" }}
lhs = "f(xn) - f(xs)"
relation = "<="
rhs = "({bound})*L*sqnorm(x - xs)"

[[claim.step]]
lhs = "f(xn) - f(xs)"
relation = "<="
rhs = "({bound})*L*sqnorm(x - xs)"
by = "hypothesis"
'''
    res, _ = run_claims(text)
    assert res["d"].evidence["steps"][0]["verdict"] == verdict.value, res["d"].summary
