"""The command line: certify over the registry, show, exit codes and the JSON document."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, toml_claim


def test_registry_certifies_with_expectations_met(registry_run):
    out, _ = registry_run
    code, stdout = (out.parent / "output.txt").read_text(encoding="utf-8").split("\n", 1)
    doc = json.loads(out.read_text())
    ids = {r["id"] for r in doc["results"]}
    assert {"ex2.rho-100", "def.polyak.one-step", "rate.appendix-b.restated", "lit.silver.k7"} <= ids
    missed = [r["id"] for r in doc["results"] if r["expect"] and r["expect"] != r["verdict"]]
    assert not missed, stdout
    assert code == "0", stdout
    assert "summary:" in stdout
    for r in doc["results"]:
        assert set(r) >= {"id", "verdict", "expect", "evidence", "seconds"}


def test_every_registry_certificate_rechecks_with_the_standard_library(registry_run):
    out, _ = registry_run
    doc = json.loads(out.read_text())
    named = [r["evidence"]["certificate"] for r in doc["results"] if "certificate" in r["evidence"]]
    certified_pep = [r for r in doc["results"] if r["kind"] in ("rate", "class-inequality")
                     and r["verdict"] == "certified"]
    # every certified PEP verdict names its certificate; those for every 0 < m < L are parametric (symbolic
    # in q) and recheck at the default q values
    assert named and len(named) == len(certified_pep)
    parametric = [r for r in certified_pep if "parametric_multipliers" in r["evidence"]]
    assert parametric and all(json.loads(Path(r["evidence"]["certificate"]).read_text())["format"]
                              == "gradverify-parametric-certificate/1" for r in parametric)
    proc = run_cli("recheck", *named)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(": OK:") == len(named)
    assert proc.stdout.count("at q = m/L = 1/10, 1/3, 1/2, 9/10") == len(parametric)


def test_expectation_mismatch_exits_1(tmp_path):
    (tmp_path / "c.toml").write_text(toml_claim(id="c", kind="numeric", expr="99/101", value="0.981",
                                                expect="certified"), encoding="utf-8")
    proc = run_cli("certify", str(tmp_path))
    assert proc.returncode == 1
    assert "expected certified, got refuted: c" in proc.stdout


def test_show_prints_full_evidence(tmp_path):
    (tmp_path / "c.toml").write_text(toml_claim(id="c", kind="numeric", expr="99/101", value="0.980"),
                                     encoding="utf-8")
    proc = run_cli("show", "c", str(tmp_path))
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["verdict"] == "certified" and doc["evidence"]["values"]["exact"] == "99/101"
    proc = run_cli("show", "nope", str(tmp_path))
    assert proc.returncode == 2 and "no claim with id 'nope'" in proc.stderr


def test_report_of_malformed_results_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    proc = run_cli("report", str(bad), "-o", str(tmp_path / "r.pdf"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
