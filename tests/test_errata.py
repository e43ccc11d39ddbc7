"""The report's errata: book claims refuted or with a broken proof, in the book's order; nothing else."""

from __future__ import annotations

from reports.errata import errata, errata_markup

BOOK = "002_99cb83213d8601f3.txt"


def result(cid: str, verdict: str, source: str | None, evidence: dict | None = None) -> dict:
    return {"id": cid, "verdict": verdict, "source": source, "statement": f"statement of {cid}",
            "summary": f"witness of {cid}", "evidence": evidence or {}}


def test_errata_lists_book_claims_refuted_or_with_broken_proofs_in_book_order():
    results = [
        result("late", "refuted", f"{BOOK}:3485"),
        result("true", "certified", f"{BOOK}:10"),
        result("variant", "refuted", "issue 5 (a false variant)"),  # not the book's claim
        result("proof", "certified", f"{BOOK}:317", {"proof": "broken at step 2"}),
        result("early", "refuted", f"{BOOK}:47"),
        result("valid", "certified", f"{BOOK}:20", {"proof": "valid"}),
    ]
    found = errata(results)
    assert [r["id"] for _, r, _ in found] == ["early", "proof", "late"]
    assert "proof is broken at step 2" in found[1][2]
    markup = errata_markup(results)
    assert len(markup) == 3 and markup[0].startswith("- line 47 (#claimref(5)")
    assert "witness of early" in markup[0]


def test_no_errata_without_book_claims():
    assert errata_markup([result("x", "refuted", "Nesterov 2004")]) == []


def test_a_true_false_answer_the_suite_contradicts_is_an_erratum():
    results = [
        {**result("says-true-refuted", "refuted", f"{BOOK}:650"), "book_answer": "true"},
        {**result("says-false-certified", "certified", f"{BOOK}:640"), "book_answer": "false"},
        {**result("says-false-refuted", "refuted", f"{BOOK}:636"), "book_answer": "false"},
        {**result("says-true-certified", "certified", f"{BOOK}:656"), "book_answer": "true"},  # agrees
        {**result("says-true-undecided", "inconclusive", f"{BOOK}:660"), "book_answer": "true"},
    ]
    found = {r["id"]: what for _, r, what in errata(results)}
    assert set(found) == {"says-true-refuted", "says-false-certified"}  # the book is right on the others
    assert "book answers TRUE" in found["says-true-refuted"]
    assert "book answers FALSE" in found["says-false-certified"] and "holds" in found["says-false-certified"]


def test_book_answer_must_be_true_or_false(run_claims):
    from tests.conftest import toml_claim

    _, rejected = run_claims(toml_claim(id="a", kind="numeric", expr="1", value="1", book_answer="yes"))
    assert rejected and "field 'book_answer'" in rejected[0].error.line()
    results, rejected = run_claims(toml_claim(id="b", kind="numeric", expr="1", value="1",
                                              book_answer="true"))
    assert not rejected and results["b"].to_json()["book_answer"] == "true"


def test_section_and_reconstructed_are_carried_and_typed(run_claims):
    from tests.conftest import toml_claim

    _, rejected = run_claims(toml_claim(id="a", kind="numeric", expr="1", value="1", section=3))
    assert rejected and "field 'section'" in rejected[0].error.line()
    _, rejected = run_claims(toml_claim(id="a", kind="numeric", expr="1", value="1", reconstructed="yes"))
    assert rejected and "field 'reconstructed'" in rejected[0].error.line()
    results, rejected = run_claims(toml_claim(id="b", kind="numeric", expr="1", value="1",
                                              section="2.1 Chebyshev", reconstructed=True))
    record = results["b"].to_json()
    assert not rejected and record["section"] == "2.1 Chebyshev" and record["reconstructed"] is True
    results, _ = run_claims(toml_claim(id="c", kind="numeric", expr="1", value="1"))
    assert "section" not in results["c"].to_json() and "reconstructed" not in results["c"].to_json()


def test_every_registry_claim_citing_the_seeds_names_its_section():
    # the report and verify/claims/README.md go down the chapter section by section: a claim citing a
    # line of seed 002 (Chapter 09) or seed 000 (section 2) without a section would fall out of both
    import re
    import tomllib

    from tests.conftest import REPO

    missing = []
    for path in sorted((REPO / "verify" / "claims").rglob("*.toml")):
        for claim in tomllib.loads(path.read_text()).get("claim", []):
            cites = re.search(r"00[02]_[0-9a-f]+\.txt:\d+", str(claim.get("source", "")))
            if cites and not claim.get("section"):
                missing.append(f"{path.name}: {claim.get('id')}")
    assert not missing, missing
