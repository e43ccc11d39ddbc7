"""``kind = "proof"``: the theorem's verdict and the proof's (valid, broken at a step, incomplete)."""

from __future__ import annotations

import pytest

from verify.verdict import Verdict

# GD with h = 1/L does not move away from a minimizer on the smooth convex class (L = 1): expand the square,
# use co-coercivity <g(x) - g(xs), x - xs> >= ||g(x) - g(xs)||^2 / L with g(xs) = 0 (Nesterov 2004, Theorem
# 2.1.5), collect, drop -||g||^2 <= 0.
HEAD = '''[[claim]]
id = "{cid}"
statement = "GD with h = 1/L does not increase the distance to a minimizer"
kind = "proof"
class = "smooth-convex"
L = 1
points = ["x", "xs"]
lhs = "sqnorm(x - grad(x) - xs)"
relation = "{relation}"
rhs = "sqnorm(x - xs)"
{extra}
'''
STEP = '''[[claim.step]]
{lhs}relation = "{relation}"
rhs = "{rhs}"
by = "{by}"
'''
EXPAND = "sqnorm(x - xs) - 2*inner(grad(x), x - xs) + sqnorm(grad(x))"


def proof(cid: str, steps: list[tuple[str, str, str]], relation: str = "<=", extra: str = "",
          first_lhs: str = "sqnorm(x - grad(x) - xs)") -> str:
    body = HEAD.format(cid=cid, relation=relation, extra=extra)
    for k, (rel, rhs, by) in enumerate(steps):
        lhs = f'lhs = "{first_lhs}"\n' if k == 0 else ""
        body += STEP.format(lhs=lhs, relation=rel, rhs=rhs, by=by)
    return body + "\n"


def textbook(coefficient: str = "2") -> list[tuple[str, str, str]]:
    return [("==", EXPAND, "algebra"),
            ("<=", f"sqnorm(x - xs) - {coefficient}*sqnorm(grad(x)) + sqnorm(grad(x))", "co-coercivity"),
            ("<=", "sqnorm(x - xs)", "algebra")]


def test_the_textbook_proof_is_valid(run_claims):
    res, rejected = run_claims(proof("p", textbook(), extra='expect_proof = "valid"'))
    assert not rejected
    r = res["p"]
    assert r.verdict is Verdict.CERTIFIED and r.evidence["proof"] == "valid" and r.met_expectation
    assert [s["verdict"] for s in r.evidence["steps"]] == ["certified"] * 3


@pytest.mark.parametrize("coefficient", ["3", "2 + 10**-20", "2 + 10**-30"])
def test_one_coefficient_changed_breaks_that_step(run_claims, coefficient):
    # co-coercivity gives 2 <g, x - xs> >= 2 ||g||^2 exactly (tight on f = x^2/2): any larger factor is false
    res, _ = run_claims(proof("p", textbook(coefficient),
                              extra='expect_proof = "broken"\nexpect_broken_step = 2'))
    r = res["p"]
    assert r.evidence["proof"] == "broken at step 2", r.summary
    assert r.evidence["broken_step_witness"] and r.met_expectation
    assert r.evidence["theorem"]["verdict"] == "certified"  # the theorem is still true: only the proof fails
    assert r.verdict is Verdict.CERTIFIED


def test_a_false_theorem_is_refuted_whatever_its_proof(run_claims):
    # the scalar step of the chapter's Appendix B Theorem 5: with alpha = 2/(m + L), 1 - 2 alpha m is
    # (L - 3m)/(L + m), not (kappa - 1)/(kappa + 1) = (L - m)/(L + m)
    text = '''[[claim]]
id = "b5"
statement = "1 - 2 alpha m = (kappa - 1)/(kappa + 1)"
kind = "proof"
assume = { m = "positive", L = "positive" }
where = { alpha = "2/(m + L)" }
lhs = "1 - 2*alpha*m"
relation = "=="
rhs = "(L/m - 1)/(L/m + 1)"
expect_proof = "broken"
expect_broken_step = 1

[[claim.step]]
lhs = "1 - 2*alpha*m"
relation = "=="
rhs = "(L/m - 1)/(L/m + 1)"
'''
    res, _ = run_claims(text)
    assert res["b5"].verdict is Verdict.REFUTED and res["b5"].evidence["proof"] == "broken at step 1"


def test_a_chain_that_does_not_join_is_broken_at_the_joint(run_claims):
    steps = textbook()
    steps[1] = ("<=", "sqnorm(x - xs) - 2*sqnorm(grad(x)) + sqnorm(grad(x))", "co-coercivity")
    text = proof("p", steps).replace('rhs = "' + EXPAND + '"', 'rhs = "sqnorm(x - xs) + sqnorm(grad(x))"')
    res, _ = run_claims(text)
    r = res["p"]
    # step 1 is now false too; the first failure is reported
    assert r.evidence["proof"].startswith("broken at step 1"), r.summary


def test_a_chain_going_the_wrong_way_is_broken(run_claims):
    # every step true and the ends joined, but the chain gives >= where the theorem says <=
    low = "sqnorm(x - xs) - 2*inner(grad(x), x - xs)"
    steps = [("==", EXPAND, "algebra"), (">=", low, "algebra")]
    text = proof("p", steps).replace('rhs = "sqnorm(x - xs)"\n', f'rhs = "{low}"\n', 1)
    res, _ = run_claims(text)
    assert [s["verdict"] for s in res["p"].evidence["steps"]] == ["certified", "certified"]
    assert res["p"].evidence["proof"] == "broken" and ">=" in res["p"].evidence["proof_reason"]


def test_an_unmet_proof_expectation_counts_as_not_expected(run_claims):
    res, _ = run_claims(proof("p", textbook("3"), extra='expect_proof = "valid"'))
    assert not res["p"].met_expectation and "NOT the expected proof verdict" in res["p"].summary


@pytest.mark.parametrize(("edit", "field", "words"), [
    (lambda t: t.replace('by = "co-coercivity"', 'by = "magic"'), "step[2].by", "must be one of"),
    (lambda t: t.replace('by = "co-coercivity"', 'by = "co-coercivity"\nfoo = 1'), "step[2].foo",
     "unknown field"),
    (lambda t: t.replace('lhs = "sqnorm(x - grad(x) - xs)"\nrelation = "=="', 'relation = "=="'),
     "step[1].lhs", "must state its lhs"),
    (lambda t: t.replace("\n\n[[claim.step]]", '\nexpect_broken_step = 2\n\n[[claim.step]]', 1),
     "expect_broken_step", 'only with expect_proof = "broken"'),
    (lambda t: t.replace('rhs = "sqnorm(x - xs)"\nby = "algebra"', 'rhs = "sqnorm(x - xs"\nby = "algebra"'),
     "step[3].rhs", ""),
])
def test_bad_proofs_are_one_line_errors(run_claims, edit, field, words):
    text = edit(proof("p", textbook()))
    res, rejected = run_claims(text)
    result = res.get("p")
    line = result.summary if result else rejected[0].error.line()
    assert f"field '{field}'" in line and words in line and "\n" not in line, line


def test_show_prints_the_numbered_chain(tmp_path, capsys):
    from verify import cli

    path = tmp_path / "p.toml"
    path.write_text(proof("p", textbook("3")), encoding="utf-8")
    assert cli.main(["show", "p", str(path)]) == 0
    out = capsys.readouterr().out
    assert "proof: broken at step 2" in out and "(2) <= " in out and "FAILS" in out and "broken here" in out
