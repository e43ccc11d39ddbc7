"""``kind = "program"``: a run of the code in a sandbox against the printed expected output."""

from __future__ import annotations

import json

import pytest

from tests.conftest import toml_claim
from verify.checkers import Context
from verify.checkers.program import compare_outputs
from verify.dispatch import check_claim, load_claims
from verify.verdict import Verdict


def run_program(tmp_path, code: str, expected: str, allow: bool = True, **fields) -> object:
    (tmp_path / "prog.py").write_text(code, encoding="utf-8")
    path = tmp_path / "c.toml"
    table = toml_claim(id="p", kind="program", program=fields.pop("program", "prog.py"), **fields)
    path.write_text(table.rstrip("\n") + f"\nexpected_output = {json.dumps(expected)}\n", encoding="utf-8")
    claims, rejected = load_claims([path])
    assert not rejected, rejected
    return check_claim(claims[0], Context(options={"allow_programs": allow}))


def test_numbers_match_at_the_printed_precision(tmp_path):
    # 2/101 = 0.019801980..., which the book prints as 0.019802 (:.6f); 1/3 as 3.33e-01
    r = run_program(tmp_path, "print('step:', 2/101)\nprint(f'third: {1/3:.2e}')\n",
                    "step: 0.019802\nthird: 3.33e-01")
    assert r.verdict is Verdict.CERTIFIED, r.summary


@pytest.mark.parametrize(("code", "expected"), [
    ("print('step:', 2/101)", "step: 0.019801"),  # 0.0198019... rounds to 0.019802, not 0.019801
    ("print(f'err: {3.27e-5:.2e}')", "err: 1.23e-04"),
    ("print('a')", "b"),
    ("print('x 1')\nprint('y 2')", "x 1"),  # an extra line the book does not show
])
def test_a_different_output_is_refuted(tmp_path, code, expected):
    r = run_program(tmp_path, code, expected)
    assert r.verdict is Verdict.REFUTED and r.evidence["mismatches"], r.summary


def test_a_failing_program_is_refuted_with_its_error(tmp_path):
    r = run_program(tmp_path, "raise ValueError('boom')", "1")
    assert r.verdict is Verdict.REFUTED and "ValueError: boom" in r.summary


@pytest.mark.parametrize(("code", "fields", "words"), [
    ("while True: pass", {"seconds": 1}, "limit"),  # CPU time limit (or the wall-clock one)
    ("open('/tmp/gradverify-escape.txt', 'w').write('x')", {}, "run folder"),
    ("import socket; socket.create_connection(('127.0.0.1', 9))", {}, "network"),
    ("x = bytearray(4 << 30)", {"memory_mb": 256}, "sandbox"),
])
def test_the_sandbox_stops_the_program_without_a_verdict(tmp_path, code, fields, words):
    r = run_program(tmp_path, code, "1", **fields)
    assert r.verdict is Verdict.INCONCLUSIVE and words in r.summary, r.summary


def test_writes_inside_the_run_folder_and_plots_are_allowed(tmp_path):
    code = ("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig('f.png')\n"
            "open('out.txt', 'w').write('ok')\nprint('done 1')\n")
    assert run_program(tmp_path, code, "done 1").verdict is Verdict.CERTIFIED


@pytest.mark.parametrize(("fields", "allow", "words"), [
    ({}, False, "--allow-programs"),
    ({"program": "../x.py"}, True, "not a file in the claim's folder"),
    ({"seconds": 0}, True, "whole number from 1"),
    ({"compare": "fuzzy"}, True, "'numbers' or 'text'"),
])
def test_bad_program_claims_are_field_errors(tmp_path, fields, allow, words):
    r = run_program(tmp_path, "print(1)", "1", allow=allow, **fields)
    assert r.verdict is Verdict.ERROR and "field '" in r.summary and words in r.summary, r.summary


def test_compare_outputs_line_by_line():
    assert compare_outputs("a 1.50\nb 2", "a 1.4999\nb 2") == []
    assert compare_outputs("a 1.50", "a 1.51")[0]["where"] == "line 1"
