"""The results format (issue 12): every results file matches verify/schema/results.schema.json, whose keys are
identifiers; misspelled or human-readable keys fail it; docs/evidence.md is generated from it."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reports.assets import Assets
from reports.evidence import evidence_markup
from reports.labels import LABELS
from reports.markup import escape
from tests.conftest import REPO, toml_claim
from verify import cli
from verify.schema import BEGIN, END, RESULTS_FORMAT, SCHEMA_PATH, load_schema, markdown

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
KINDS = ("numeric", "identity", "inequality", "quadratic", "rate", "class-inequality", "function", "program",
         "proof")
# The keys of format 1 (human-readable), as the checkers wrote them, and their identifiers in format 2.
RENAMED = {
    "bound / scale (normalized, L = 1, initial 1)": "bound_normalized",
    "bound at R = D = G = 1, float64 vs 50 digits": "bound_crosscheck",
    "interpolation pairs": "interpolation_pairs", "solver status": "solver_status",
    "solver residuals": "solver_residuals", "solver worst case (normalized)": "solver_worst_case",
    "solver worst case (tr G <= 1)": "solver_worst_case", "build seconds": "build_seconds",
    "solve seconds": "solve_seconds", "certified normalized bound": "certified_bound",
    "counterexample kind": "counterexample_kind", "certificate attempt": "certificate_attempt",
    "exact check seconds": "check_seconds", "must be <= 0 (Gram form)": "excess_gram",
    "in the class because": "class_membership", "lhs (Gram form)": "lhs_gram", "rhs (Gram form)": "rhs_gram",
    "lhs - rhs": "lhs_minus_rhs", "function values": "function_values", "worst case": "worst_case",
    "attained at lambda": "attained_at_lambda", "upper enclosure": "upper_enclosure",
    "exact value": "exact_value", "gd 50 digits": "run_50_digits",
    "gd value - bound (50 digits)": "run_excess_50_digits", "distance-ratio": "distance_ratio",
    "function-gap-ratio": "function_gap_ratio", "gradient-ratio": "gradient_ratio",
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(validator: jsonschema.Draft202012Validator, doc: Any) -> list[str]:
    """Every schema violation of ``doc``, one line each, naming the result and the path."""
    out = []
    for err in validator.iter_errors(doc):
        where = list(err.absolute_path)
        rid = doc["results"][where[1]].get("id") if where[:1] == ["results"] and len(where) > 1 else None
        best = jsonschema.exceptions.best_match([err])
        out.append(f"{rid}: {'/'.join(map(str, best.absolute_path))}: {best.message[:300]}")
    return out


def assert_valid(validator: jsonschema.Draft202012Validator, doc: Any) -> None:
    found = problems(validator, doc)
    assert not found, "\n".join(found[:20])


def certify(tmp_path: Path, tables: str, *args: str, name: str = "c.toml") -> dict[str, Any]:
    """``certify --json`` in this process over the claim tables; the results file it wrote."""
    (tmp_path / name).write_text(tables, encoding="utf-8")
    out = tmp_path / "results.json"
    cli.main(["certify", str(tmp_path), "--json", str(out), "--jobs", "1", "--quiet",
              "--cert-dir", str(tmp_path / "certs"), *args])
    return json.loads(out.read_text(encoding="utf-8"))


def keys_of(value: Any) -> set[str]:
    """Every key of every object inside ``value``."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


# --- (a) real runs match the schema -------------------------------------------------------------------------

def test_the_registry_run_matches_the_schema(validator, registry_run) -> None:
    js, _ = registry_run
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["format"] == RESULTS_FORMAT == "gradverify-results/2"
    assert {r["kind"] for r in doc["results"]} == set(KINDS)
    assert_valid(validator, doc)
    assert not keys_of([r["evidence"] for r in doc["results"]]) & set(RENAMED)


PROGRAM = "print('step:', 2/101)\n"
PATHS = "".join([  # (id, the verdict it gets) below in VERDICTS
    toml_claim(id="num.cert", kind="numeric", expr="99/101", value="0.980"),
    toml_claim(id="num.ref", kind="numeric", expr="1/3", relation=">=", value="0.334"),
    toml_claim(id="num.float", kind="numeric", arithmetic="float64", expr="0.1 + 0.2", relation="==",
               value="5404319552844596/2**54"),
    toml_claim(id="num.matrix", kind="numeric", expr="eig([[2, 1], [1, 2]])", relation="==",
               value="[1, 3 + 10**-30]"),
    toml_claim(id="num.random", kind="numeric", random={"u": "uniform(-1, 1)", "b": "bernoulli(1/2)"},
               expr="P(u > 0 and b > 0)", relation="==", value="1/4"),
    toml_claim(id="id.inc", kind="identity", lhs="floor(x) + floor(-x)", rhs="-1", domain=["0 < x < 1"]),
    toml_claim(id="ne.inc", kind="inequality", lhs="x**2", relation="!=", rhs="2", domain=["0 < x < 2"]),
    toml_claim(id="ci.inc", kind="class-inequality", L=1, points=["x", "y"], lhs="inner(x, y)**2",
               relation="<=", rhs="sqnorm(x)*sqnorm(y)", **{"class": "smooth-convex"}),
    # the worst case is 9/4 (a 2-D instance, no 1-D function reaches 99 % of it): refuted by an exact
    # interpolating instance (tests/test_counterexample.py)
    toml_claim(id="rate.instance", kind="rate", L=1, steps=["1/2", "5/2"], initial="function-gap",
               metric="gradient-norm", bound="2227/1000*L*D", **{"class": "smooth-convex"}),
    toml_claim(id="fn.inc", kind="function", f="x**4", variables=["x"], quantity="classification",
               at={"x": "0"}, value="minimum"),
    toml_claim(id="fn.run", kind="function", f="(x1**2 + 100*x2**2)/2", variables=["x1", "x2"],
               quantity="iterations", method={"name": "gd", "step": "2/101"}, start={"x1": "1", "x2": "1"},
               tolerance="1e-6", K=10, value=5000),
    toml_claim(id="prog.ok", kind="program", program="prog.py").rstrip("\n")
    + '\nexpected_output = "step: 0.019802"\n\n',
    toml_claim(id="err.field", kind="numeric", expr="1", value="1", speed=3),
    toml_claim(id="err.kind", kind="bogus", expr="1"),
    toml_claim(id="cap.digits", kind="numeric", expr="9**9999", value="1"),
    toml_claim(id="cap.steps", kind="quadratic", m=1, L=10, schedule="constant", alpha="1/10", N=5000,
               metric="distance-ratio", bound="1"),
    toml_claim(id="cap.pep", kind="rate", L=1, schedule="constant", h=1, N=300, initial="function-gap",
               metric="min-gradient-norm", bound="2*L*D/(N + 1)", **{"class": "smooth"}),
])
VERDICTS = {"num.cert": "certified", "num.ref": "refuted", "num.float": "certified", "num.matrix": "refuted",
            "num.random": "inconclusive", "id.inc": "inconclusive", "ne.inc": "inconclusive",
            "ci.inc": "inconclusive", "rate.instance": "refuted", "fn.inc": "inconclusive",
            "fn.run": "inconclusive", "prog.ok": "certified", "err.field": "error", "err.kind": "error",
            "cap.digits": "error", "cap.steps": "error", "cap.pep": "error", "bad": "error"}


def test_every_verdict_path_matches_the_schema(validator, tmp_path) -> None:
    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "bad.toml").write_text("[[claim]\nid = ", encoding="utf-8")  # malformed TOML: an error result
    doc = certify(tmp_path, PATHS, "--allow-programs")
    got = {r["id"]: r for r in doc["results"]}
    assert {k: r["verdict"] for k, r in got.items()} == VERDICTS
    assert doc["complete"] is True and doc["counts"] == {"certified": 3, "refuted": 3, "inconclusive": 6,
                                                         "error": 6}
    assert got["rate.instance"]["evidence"]["counterexample_kind"] == "interpolating-instance"
    assert {got[k]["evidence"]["cap"] for k in ("cap.digits", "cap.steps", "cap.pep")} == {
        "max_int_digits", "max_steps", "pep_size"}
    assert_valid(validator, doc)


def test_the_seconds_cap_and_an_unconverged_solver_match_the_schema(validator, tmp_path, monkeypatch) -> None:
    import pep.solve

    slow = toml_claim(id="slow", kind="rate", L=1, m="1/10", schedule="constant", h=1, N=60,
                      initial="distance", metric="function-gap", bound="(9/10)**120*L*R**2",
                      **{"class": "smooth-strongly-convex"})  # does not compose: the SDP takes > 2 s
    doc = certify(tmp_path, slow, "--max-seconds", "2")
    (result,) = doc["results"]
    assert result["verdict"] == "inconclusive" and result["evidence"]["cap"] == "seconds"
    assert_valid(validator, doc)
    # SCS stopped after 2 iterations: the solver "did not converge", no certificate is sought
    monkeypatch.setattr(pep.solve, "solve", lambda data, solver="scs": pep.solve.solve_scs(data, max_iters=2))
    doc = certify(tmp_path, toml_claim(id="unconverged", kind="rate", L=1, schedule="constant", h=1, N=5,
                                       initial="distance", metric="function-gap", bound="L*R**2/(4*N + 2)",
                                       **{"class": "smooth-convex"}), name="c.toml")
    (result,) = doc["results"]
    assert result["verdict"] == "inconclusive" and "did not converge" in result["evidence"]["reason"]
    assert "certificate_attempt" not in result["evidence"]
    assert_valid(validator, doc)


def test_an_interrupted_run_matches_the_schema(validator, tmp_path, monkeypatch) -> None:
    from verify import dispatch

    real = dispatch.check_claim

    def interrupt_second(claim, ctx):
        if claim.id == "c1":
            raise KeyboardInterrupt
        return real(claim, ctx)

    monkeypatch.setattr(dispatch, "check_claim", interrupt_second)
    doc = certify(tmp_path, "".join(toml_claim(id=f"c{i}", kind="numeric", expr="1/2", value="0.5")
                                    for i in range(3)))
    assert [r["id"] for r in doc["results"]] == ["c0"] and doc["complete"] is False
    assert_valid(validator, doc)


# --- (b) misspelled and human-readable keys fail ------------------------------------------------------------

def minimal_doc() -> dict[str, Any]:
    """A results file written by hand from the format's definition: 99/101 = 0.98019... rounds to 0.980."""
    evidence = {"expr": "99/101", "values": {"float64": "0.9801980198019802", "digits": 20, "exact": "99/101",
                                             "mpmath": "0.98019801980198019802"},
                "value": "0.980", "rounding": "3 printed decimals: |expr - 0.980| <= 1/2000",
                "interval": ["1959/2000", "1961/2000"], "method": "exact rational arithmetic"}
    rate = {"class": "smooth-convex", "L": "1", "m": "0", "N": 1, "steps": "constant h = 1",
            "initial": "distance", "metric": "function-gap", "bound": "L*R**2/6", "bound_normalized": "1/6",
            "solver": "scs", "solver_status": "solved", "solver_worst_case": "0.1666666667",
            "certificate_attempt": {"ok": True, "method": "exact dual", "reason": "", "seconds": 0.1,
                                    "check_seconds": 0.01}}
    results = [
        {"id": "ex", "verdict": "certified", "expect": "certified", "summary": "99/101 rounds to 0.980",
         "kind": "numeric", "statement": "$99/101 \\approx 0.980$", "source": None, "file": "c.toml",
         "evidence": evidence, "seconds": 0.01},
        {"id": "dt1", "verdict": "certified", "expect": None, "summary": "exact dual certificate",
         "kind": "rate", "statement": "Drori-Teboulle, N = 1", "source": None, "file": "c.toml",
         "evidence": rate, "seconds": 1.5},
        {"id": "typo", "verdict": "error", "expect": None, "summary": "c.toml: claim 'typo': unknown field",
         "kind": "numeric", "statement": None, "source": None, "file": "c.toml",
         "evidence": {"error": "c.toml: claim 'typo': field 'speed': unknown field", "field": "speed"},
         "seconds": 0.0},
    ]
    return {"format": "gradverify-results/2", "suite": "gradverify", "suite_version": "0.1.0",
            "generated": "2026-01-02T03:04:05Z", "paths": ["c.toml"],
            "counts": {"certified": 2, "refuted": 0, "inconclusive": 0, "error": 1}, "complete": True,
            "results": results}


def _rename(obj: dict[str, Any], old: str, new: str) -> None:
    obj[new] = obj.pop(old)


MUTATIONS = {
    "misspelled evidence key": lambda d: _rename(d["results"][0]["evidence"], "method", "mehtod"),
    "capitalized evidence key": lambda d: _rename(d["results"][0]["evidence"], "rounding", "Rounding"),
    "human-readable rate key": lambda d: _rename(d["results"][1]["evidence"], "solver_worst_case",
                                                 "solver worst case (normalized)"),
    "human-readable nested key": lambda d: _rename(d["results"][1]["evidence"]["certificate_attempt"],
                                                   "check_seconds", "exact check seconds"),
    "misspelled nested key": lambda d: _rename(d["results"][0]["evidence"]["values"], "float64", "float_64"),
    "a key of another kind": lambda d: d["results"][0]["evidence"].update(solver_status="solved"),
    "extra key in error evidence": lambda d: d["results"][2]["evidence"].update(hint="x"),
    "misspelled result field": lambda d: _rename(d["results"][0], "verdict", "verdcit"),
    "extra result field": lambda d: d["results"][0].update(note="x"),
    "extra top-level field": lambda d: d.update(formats="x"),
    "old format marker": lambda d: d.update(format="gradverify-results/1"),
    "no format marker": lambda d: d.pop("format"),
    "error verdict with evidence of a kind": lambda d: d["results"][0].update(verdict="error"),
    "unknown kind with evidence of a kind": lambda d: d["results"][0].update(kind="numerics"),
    "a required rate key missing": lambda d: d["results"][1]["evidence"].pop("bound_normalized"),
    "counts misspelled": lambda d: _rename(d["counts"], "refuted", "refused"),
}


def test_a_hand_written_file_matches_the_schema(validator) -> None:
    assert_valid(validator, minimal_doc())


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_misspelled_or_human_readable_key_fails(validator, mutation) -> None:
    doc = minimal_doc()
    MUTATIONS[mutation](doc)
    assert problems(validator, doc), mutation


def test_every_evidence_key_of_the_registry_is_checked(validator, registry_run) -> None:
    """Renaming any key of any result's evidence (top level or one level down) to its old human-readable
    form, or misspelling it, makes the file invalid: no key of a real run slips past the schema."""
    js, _ = registry_run
    doc = json.loads(js.read_text(encoding="utf-8"))
    old = {new: o for o, new in RENAMED.items()}
    seen: set[tuple[str, str]] = set()
    for i, result in enumerate(doc["results"]):
        ev, kind = result["evidence"], result["kind"]
        paths = list(ev) + [f"{top}.{k}" for top, v in ev.items() if isinstance(v, dict)
                            and not _names(kind, top, v) for k in v]
        for path in paths:
            key = path.rsplit(".", 1)[-1]
            if (kind, path) in seen:
                continue  # each (kind, key) once
            seen.add((result["kind"], path))
            for bad in {old.get(key, key.replace("_", " ")), key + "x"} - {key}:
                one = copy.deepcopy(doc)
                target = one["results"][i]["evidence"]
                for part in path.split(".")[:-1]:
                    target = target[part]
                _rename(target, key, bad)
                assert problems(validator, {**one, "results": [one["results"][i]]}), (result["id"], path, bad)
    assert len(seen) > 150


def _names(kind: str, key: str, value: dict) -> bool:
    """Whether the evidence object under ``key`` maps the claim's own names (parameters, points, constants,
    inequality labels) to values: its keys are data, not keys of the format."""
    point = key == "witness" and kind in ("identity", "inequality") and "dimension" not in value
    return point or key in ("where", "box", "parametric_multipliers")


# --- (c) the schema, the docs and the report's labels -------------------------------------------------------

def _properties(schema: Any) -> list[tuple[str, dict]]:
    """Every (key, property schema) of every object in the schema (not the conditions that pick a result's
    evidence object: they name properties declared elsewhere)."""
    out = []
    if isinstance(schema, dict):
        for key, prop in (schema.get("properties") or {}).items():
            out.append((key, prop))
        for key, value in schema.items():
            if key not in ("allOf", "if", "then", "else"):
                out += _properties(value)
    elif isinstance(schema, list):
        for value in schema:
            out += _properties(value)
    return out


def test_every_key_is_an_identifier_with_a_description_and_a_label() -> None:
    props = _properties(load_schema())
    assert len(props) > 300
    for key, prop in props:
        assert IDENTIFIER.match(key), key
        assert prop.get("description"), key
    for key, _ in _properties(load_schema()["$defs"]):  # the keys of results and evidence
        assert key in LABELS, f"reports/labels.py has no label for {key!r}"
    objects = [s for _, s in props if s.get("type") == "object" and "properties" in s]
    objects += [s for s in load_schema()["$defs"].values() if "properties" in s]
    assert all(s.get("additionalProperties") is False for s in objects)


def test_the_schema_ships_with_the_package() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"schema/*.json"' in pyproject and SCHEMA_PATH.parent.name == "schema"
    assert SCHEMA_PATH.parent.parent.name == "verify" and (SCHEMA_PATH.parent / "__init__.py").exists()


def test_docs_evidence_is_generated_from_the_schema() -> None:
    """docs/evidence.md holds the tables `python -m verify.schema` prints, unchanged; so every key of the
    schema is documented there and no other key."""
    text = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    generated = text[text.index(BEGIN):text.index(END) + len(END)] + "\n"
    assert generated == markdown(), "docs/evidence.md is stale: run python -m verify.schema"
    documented = set(re.findall(r"^\| `([^`]+)` \|", generated, flags=re.M))
    assert documented == {k for k, _ in _properties(load_schema())}


def test_the_readme_names_the_format_and_links_the_schema() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert RESULTS_FORMAT in readme and "verify/schema/results.schema.json" in readme


def test_the_report_shows_labels_not_identifiers() -> None:
    evidence = {"solver_worst_case": "0.04545454545", "interpolation_pairs": "all",
                "bound_crosscheck": {"float64": "0.0", "mpmath": "1.0e-400", "digits": 50},
                "certificate_attempt": {"ok": False, "method": "exact dual", "reason": "not PSD",
                                        "seconds": 0.5, "check_seconds": 0.25}}
    markup = evidence_markup(evidence, Assets())
    for text in ("solver worst case (normalized)", "interpolation pairs", "bound at R = D = G = 1",
                 "Certificate search", "exact check time", "250.0 ms"):
        assert escape(text) in markup, text
    for key in ("solver_worst_case", "interpolation_pairs", "bound_crosscheck", "certificate_attempt",
                "check_seconds"):
        assert key not in markup, key
