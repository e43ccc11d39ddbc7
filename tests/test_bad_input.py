"""Bad input: one-line errors naming file, claim and field; the other claims are still checked."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import ClaimError, FieldError
from core.expr import parse_expr, parse_relations
from tests.conftest import run_cli, toml_claim
from verify.checkers import known_kinds
from verify.claims import load_file, parse_claims
from verify.dispatch import load_claims
from verify.verdict import Verdict

GOOD = toml_claim(id="good", kind="numeric", expr="99/101", value="0.980", expect="certified")


def test_broken_claim_next_to_good_ones(tmp_path):
    bad = toml_claim(id="bad", kind="numeric", expr="__import__('os').system('echo pwned')", value="1")
    (tmp_path / "a.toml").write_text(GOOD + bad, encoding="utf-8")
    (tmp_path / "b.toml").write_text("[[claim]\nid = 'x'", encoding="utf-8")  # malformed TOML
    out = tmp_path / "r.json"
    proc = run_cli("certify", str(tmp_path), "--json", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "pwned" not in [line.strip() for line in (proc.stdout + proc.stderr).splitlines()]  # not run
    err_lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert any("b.toml" in line and "malformed TOML" in line for line in err_lines)
    doc = json.loads(out.read_text())
    by_id = {r["id"]: r for r in doc["results"]}
    assert by_id["good"]["verdict"] == "certified"
    assert by_id["bad"]["verdict"] == "error"
    assert "a.toml" in by_id["bad"]["summary"] and "'bad'" in by_id["bad"]["summary"]
    assert "'expr'" in by_id["bad"]["summary"]


@pytest.mark.parametrize(("table", "field"), [
    (toml_claim(id="x", kind="numeric", expr="1", value="1", colour="red"), "colour"),
    (toml_claim(id="x", kind="telepathy", expr="1"), "kind"),
    ("[[claim]]\nid = \"x\"\nkind = \"numeric\"\nexpr = \"1\"\nvalue = \"1\"\n", "statement"),
    (toml_claim(id="x", kind="numeric", value="1"), "expr"),
    (toml_claim(id="X Y", kind="numeric", expr="1", value="1"), "id"),
    (toml_claim(id="x", kind="numeric", expr="1", value="1", expect="proved"), "expect"),
    (toml_claim(id="x", kind="numeric", expr="1", value="1", statement=3), "statement"),
])
def test_load_errors_name_the_field(tmp_path, table, field):
    path = tmp_path / "c.toml"
    path.write_text(table, encoding="utf-8")
    claims, rejected = load_claims([path])
    assert not claims and len(rejected) == 1
    line = rejected[0].error.line()
    assert f"field '{field}'" in line and "c.toml" in line and "\n" not in line


def test_duplicate_id_later_one_is_error(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    claims, rejected = load_claims([tmp_path])
    assert [c.file for c in claims] == [str(tmp_path / "a.toml")]
    assert rejected[0].file == str(tmp_path / "b.toml") and "duplicate id" in rejected[0].error.line()


def test_missing_path_and_unknown_top_level_key(tmp_path):
    (tmp_path / "a.toml").write_text("title = 'x'\n" + GOOD, encoding="utf-8")
    claims, rejected = load_claims([tmp_path / "a.toml", tmp_path / "nope.toml"])
    assert [c.id for c in claims] == ["good"]
    lines = [r.error.line() for r in rejected]
    assert any("no such file" in x for x in lines)
    assert any("unknown top-level key 'title'" in x for x in lines)


@pytest.mark.parametrize("text", [
    "__import__('os').system('ls')", "().__class__", "x.real", "lambda: 0", "[1, 2]", "'abc'",
    "open('f')", "eval('1')", "f(x=1)", "x if x else 1", "{1: 2}", "x[0]", "2 ^ 3", "1 +", "1j",
    "(lambda x: x)(1)", "__builtins__", "globals()",
])
def test_parser_rejects_code(text):
    with pytest.raises(FieldError) as info:
        parse_expr(text, field="expr")
    assert info.value.field == "expr"


@pytest.mark.parametrize(("text", "cap"), [
    ("10**10**10", "max_exponent"), ("9**9999", "max_int_digits"), ("1" * 3000, "max_int_digits"),
    ("x+" * 3000 + "x", "max_expr_chars"),
])
def test_caps(text, cap):
    with pytest.raises(ClaimError) as info:
        parse_expr(text, field="expr")
    assert cap in info.value.line()


def test_claim_past_cap_is_error_not_hang(run_claims):
    results, _ = run_claims(toml_claim(id="c", kind="numeric", expr="2**(10**6)", value="1"))
    assert results["c"].verdict is Verdict.ERROR and "max_exponent" in results["c"].summary


def test_time_cap_gives_inconclusive(tmp_path):
    # an identity sympy needs long to refute at many points; 0.05 s is far too little for the whole check
    claim = toml_claim(id="slow", kind="identity", lhs="sin(x)**20", rhs="cos(x)**20 + x",
                       domain=["0 < x < 1"])
    (tmp_path / "s.toml").write_text(claim, encoding="utf-8")
    proc = run_cli("certify", str(tmp_path), "--max-seconds", "0.05")
    assert "INCONCLUSIVE" in proc.stdout and "cap 'seconds'" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_relations_chain():
    triples = parse_relations("0 < h < 2", field="domain")
    assert [op for _, op, _ in triples] == ["<", "<"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300),
                 st.lists(st.sampled_from(["[[claim]]\n", "id = \"a\"\n", "kind = \"numeric\"\n",
                                           "expr = \"1/0\"\n", "value = \"1\"\n", "statement = 1\n",
                                           "[claim]\n", "x = [\n", "relation = \"<\"\n", "\x00",
                                           "kind = \"identity\"\n", "lhs = \"x\"\n"]),
                          max_size=12).map("".join)))
def test_random_text_never_tracebacks(text):
    """Random text through the real loader (file reading, TOML parsing, validation, checking)."""
    from verify.checkers import Context
    from verify.dispatch import check_claim
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        path.write_bytes(text.encode("utf-8", errors="replace"))
        claims, rejected = load_file(path, known_kinds())
        for r in rejected:
            assert "\n" not in r.error.line() and "fuzz.toml" in r.error.line()
        for c in claims:
            assert "\n" not in check_claim(c, Context()).summary


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "statement", "kind", "expr", "value", "relation", "lhs", "rhs",
                                        "assume", "where", "domain", "digits", "expect", "zzz"]),
                       st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True),
                                 st.booleans(), st.lists(st.text(max_size=10), max_size=3),
                                 st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=2)),
                       max_size=8))
def test_random_claim_tables_never_traceback(table):
    from verify.checkers import Context
    from verify.dispatch import check_claim
    claims, rejected = parse_claims({"claim": [table]}, "fuzz.toml", known_kinds())
    for r in rejected:
        assert "\n" not in r.error.line()
    for c in claims:
        if c.kind in ("numeric", "identity", "inequality"):
            res = check_claim(c, Context())
            assert "\n" not in res.summary
            if res.verdict is Verdict.ERROR:
                assert "internal error" not in res.summary, res.summary
