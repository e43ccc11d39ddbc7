"""Fuzzing: random and malicious claim files, results files and certificate files fed to ``certify``,
``report`` and ``recheck``. Whatever the input: no exception escapes the command line, every error is one
line, the exit code is the documented one and no bad input is reported as an internal error."""

from __future__ import annotations

import copy
import json
import math
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import toml_claim
from verify import cli

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
EXIT_CODES = {0, 1, 2}

# values a hostile user puts in any field: huge, tiny, non-finite, wrong types, code, deep nesting
NASTY_TEXT = ["10**10**10", "1e999999999", "1e-999999999", "9" * 5000, "(" * 300 + "1" + ")" * 300,
              "__import__('os').system('echo pwned')", "().__class__", "lambda: 1", "x if y else z",
              "sqrt(-1)", "log(0)", "1/0", "0**-1", "acosh(0)", "nan", "oo", "zoo", "I", "2^3", "",
              " ", "\x00", "\u202e1", "1e308*10", "10**1999", "-1", "0", "1/3", "2/(m+L)", "h", "L*R**2",
              "min(1, x)", "max(", "abs(x)", "floor(x)", "E**pi", "sqrt(2) - 1.4142135623730950488"]
NASTY_VALUES = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 0, 1, 2, 3, 1024, 10**6]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.sampled_from(NASTY_TEXT + ["1", "1/2", "3/2"]), max_size=4),
    st.dictionaries(st.sampled_from(["x", "alpha", "m", "L", "a"]), st.sampled_from(NASTY_TEXT), max_size=3),
    st.text(max_size=30),
)
KINDS = ["numeric", "identity", "inequality", "quadratic", "rate", "class-inequality", "nope", ""]
FIELDS = ["expr", "value", "relation", "digits", "lhs", "rhs", "where", "assume", "domain", "points", "m",
          "L", "steps", "schedule", "alpha", "N", "metric", "bound", "class", "initial", "h", "method",
          "solver", "pairs", "expect", "source", "unknown_field"]
RELATIONS = ["<", "<=", ">", ">=", "==", "approx", "!=", "≤"]


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, int):
        return str(v) if abs(v) < 2**63 else json.dumps(str(v))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


@st.composite
def claim_tables(draw: st.DrawFn) -> str:
    fields = {"id": draw(st.sampled_from(["c", "c2", "x.y-z", "\u202eevil", "a b", "", "c"])),
              "statement": draw(st.sampled_from(["s", "$x$", "#import \"x\"", "\x1b[2J"])),
              "kind": draw(st.sampled_from(KINDS))}
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=7, unique=True)):
        fields[name] = draw(st.sampled_from(RELATIONS)) if name == "relation" else draw(NASTY_VALUES)
    body = "".join(f"{k} = {_toml_value(v)}\n" for k, v in fields.items())
    return "[[claim]]\n" + body + "\n"


# one valid claim per kind; the fuzz replaces one or two of its fields by hostile values
TEMPLATES = {
    "numeric": {"expr": "99/101", "value": "0.980"},
    "identity": {"lhs": "1 - alpha*m", "rhs": "(L - m)/(L + m)", "where": {"alpha": "2/(m + L)"},
                 "assume": {"m": "positive", "L": "positive"}, "domain": ["m < L"]},
    "inequality": {"lhs": "alpha*(1 - alpha*L/2)", "relation": "<=", "rhs": "1/(2*L)",
                   "assume": {"alpha": "positive", "L": "positive"}},
    "quadratic": {"m": 1, "L": 10, "schedule": "constant", "alpha": "2/11", "N": 2,
                  "metric": "distance-ratio", "bound": "(9/11)**2"},
    "rate": {"class": "smooth-convex", "L": 1, "schedule": "constant", "h": 1, "N": 1, "initial": "distance",
             "metric": "function-gap", "bound": "L*R**2/(4*N + 2)"},
    "class-inequality": {"class": "smooth-convex", "L": 1, "points": ["x", "y"],
                         "lhs": "inner(grad(x) - grad(y), x - y)", "relation": ">=",
                         "rhs": "sqnorm(grad(x) - grad(y))/L"},
}


@st.composite
def mutated_claims(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(sorted(TEMPLATES)))
    fields = {"id": "m", "statement": "s", "kind": kind, **TEMPLATES[kind]}
    for name in draw(st.lists(st.sampled_from(sorted(fields) + ["unknown_field"]), min_size=1, max_size=2,
                              unique=True)):
        fields[name] = draw(NASTY_VALUES)
    return "[[claim]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in fields.items()) + "\n"


def _assert_clean(code: int, out: str, err: str) -> None:
    assert code in EXIT_CODES
    assert "Traceback" not in out + err
    assert "internal error" not in out + err, (out + err)[-2000:]
    for line in err.splitlines():
        assert line.startswith(("error:", "INVALID", "interrupted")) or not line.strip(), line


@FUZZ
@given(tables=st.lists(st.one_of(claim_tables(), mutated_claims()), min_size=1, max_size=3))
def test_certify_survives_random_claims(tmp_path, capsys, tables):
    folder = tmp_path / "claims"
    folder.mkdir(exist_ok=True)
    (folder / "a_fuzz.toml").write_text("".join(tables), encoding="utf-8")
    # a good claim in another file of the run: a broken file must not stop it (an id the fuzz never uses)
    (folder / "b_anchor.toml").write_text(toml_claim(id="anchor", kind="numeric", expr="1/2", value="0.5"),
                                          encoding="utf-8")
    out = tmp_path / "r.json"
    code = cli.main(["certify", str(folder), "--quiet", "--json", str(out), "--max-seconds", "5",
                     "--max-steps", "8"])
    captured = capsys.readouterr()
    _assert_clean(code, captured.out, captured.err)
    doc = json.loads(out.read_text(encoding="utf-8"))
    results = {r["id"]: r for r in doc["results"]}
    assert results["anchor"]["verdict"] == "certified"  # the good claim is still checked
    if any(r["verdict"] == "error" for r in doc["results"]):
        assert code == 2


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8"))))
def test_certify_survives_random_bytes(tmp_path, capsys, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    code = cli.main(["certify", str(path), "--quiet"])
    captured = capsys.readouterr()
    _assert_clean(code, captured.out, captured.err)


@pytest.mark.parametrize("text", [
    "[[claim]]\n" * 3, "claim = 1", "[claim]\nid = 'x'", "[[claim]]\nid = 1\n", "[[claim]]\nid = 'a'\n" * 2,
    "[[claim]]\nid = 'x'\nstatement = 's'\nkind = 'numeric'\nexpr = '" + "(" * 5000 + "'\nvalue = '1'\n",
    "a = [" * 2000 + "]" * 2000,
])
def test_certify_survives_crafted_files(tmp_path, capsys, text):
    path = tmp_path / "crafted.toml"
    path.write_text(text, encoding="utf-8")
    code = cli.main(["certify", str(path), "--quiet"])
    captured = capsys.readouterr()
    _assert_clean(code, captured.out, captured.err)
    assert code == 2


# --- results files fed to `report`, certificates fed to `recheck` -------------------------------------------
JSON_NASTY = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 10**5000, 1e308, "", "\x00", "\u202e", "#import \"x\"",
                     "$ $", "]]", "`raw`", "<label>", "@ref", "1e999999999", "9" * 5000, [], {}, [[[]]],
                     {"": None}, "x" * 10_000]),
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(value: object, here: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indices) into a JSON value, the root included."""
    out = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*here, i))
    return out


def _replace(doc: object, path: tuple, new: object, delete: bool) -> object:
    """A copy of ``doc`` with the value at ``path`` replaced by ``new`` (or removed from its container)."""
    if not path:
        return new
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return doc


@st.composite
def mutated_json(draw: st.DrawFn, base: object) -> object:
    """``base`` with one to three values replaced by hostile ones, removed, or given a stray key."""
    doc = base
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "add":
            inner = doc
            for key in path:
                inner = inner[key]
            if isinstance(inner, dict):
                doc = _replace(doc, (*path, draw(st.text(max_size=8))), draw(JSON_NASTY), False)
            continue
        doc = _replace(doc, path, draw(JSON_NASTY), action == "delete" and bool(path))
    return doc


# a run with every verdict, an evidence table, a witness and a rate claim (Drori and Teboulle 2014, N = 1)
RESULTS_CLAIMS = (
    toml_claim(id="num", kind="numeric", expr="1/2", value="0.5")
    + toml_claim(id="ref", kind="numeric", expr="1/3", value="0.3", digits=5)
    + toml_claim(id="idn", kind="identity", lhs="(x + 1)**2", rhs="x**2 + 2*x + 1")
    + toml_claim(id="bad", kind="numeric", expr="sqrt(-1)", value="1")
    + toml_claim(id="dt", kind="rate", **{"class": "smooth-convex"}, L=1, schedule="constant", h=1, N=1,
                 initial="distance", metric="function-gap", bound="L*R**2/6"))


@pytest.fixture(scope="module")
def results_doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("results")
    (folder / "c.toml").write_text(RESULTS_CLAIMS, encoding="utf-8")
    assert cli.main(["certify", str(folder / "c.toml"), "--quiet", "--json", str(folder / "r.json")]) == 2
    return json.loads((folder / "r.json").read_text(encoding="utf-8"))


@FUZZ
@given(data=st.data())
def test_report_input_is_validated_or_rendered(results_doc, data):
    # the typst source of every mutated results file is built (no compile: that is test_report's job);
    # whatever is wrong with the file, validation says so in one line or the markup is produced
    from reports.render import build_source
    from reports.validate import validate

    doc = data.draw(mutated_json(results_doc))
    try:
        clean = validate(doc)
    except ValueError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    source, _ = build_source(clean)
    assert isinstance(source, str) and source


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), st.sampled_from(
    [b"[" * 100_000, b"{\"results\": [" + b"1" * 5000 + b"]}", b"\xff\xfe", b"{\"results\": NaN}"])))
def test_report_survives_random_bytes(tmp_path, capsys, data):
    path = tmp_path / "r.json"
    path.write_bytes(data)
    code = cli.main(["report", str(path), "-o", str(tmp_path / "out.pdf")])
    captured = capsys.readouterr()
    _assert_clean(code, captured.out, captured.err)
    assert code == 2 and len(captured.err.splitlines()) == 1


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    from tests.test_recheck_claim import certify_small

    _, paths = certify_small(tmp_path_factory.mktemp("certs"))
    return {name: json.loads(path.read_text(encoding="utf-8")) for name, path in paths.items()}


def _dump(value: object) -> str:
    """JSON text, also for integers past Python's 4300-digit conversion limit (restored afterwards)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value)
    finally:
        sys.set_int_max_str_digits(limit)


def _recheck(tmp_path, capsys, cert: object) -> tuple[int, list[str]]:
    path = tmp_path / "c.json"
    path.write_text(_dump(cert), encoding="utf-8")
    code = cli.main(["recheck", str(path)])
    captured = capsys.readouterr()
    _assert_clean(code, captured.out, captured.err)
    lines = captured.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ") and (": OK: " in lines[0]) == (code == 0)
    return code, lines


@FUZZ
@given(data=st.data())
def test_recheck_survives_mutated_certificates(tmp_path, capsys, certificates, data):
    cert = data.draw(mutated_json(certificates[data.draw(st.sampled_from(sorted(certificates)))]))
    _recheck(tmp_path, capsys, cert)


def _exact_number_paths(cert: dict) -> list[tuple]:
    """Paths of the numbers that fix what is proved: the bound, tau and every multiplier. (The PSD evidence
    may change and stay valid: S - LDL^T only has to be diagonally dominant, and a valid proof stays one.)"""
    return [("bound",), ("tau",)] + [("multipliers", k) for k in cert["multipliers"]]


@FUZZ
@given(data=st.data())
def test_any_changed_number_of_a_certificate_is_invalid(tmp_path, capsys, certificates, data):
    # soundness: every certificate here is tight (Drori-Teboulle 1/6 and 1/10, co-coercivity), so a smaller
    # tau proves a false bound, another bound is a misstatement, and a moved multiplier breaks the exact
    # linear identity; moving one by as little as 1e-30 must be caught
    from fractions import Fraction

    name = data.draw(st.sampled_from(sorted(certificates)))
    cert = certificates[name]
    path = data.draw(st.sampled_from(_exact_number_paths(cert)))
    old = cert
    for key in path:
        old = old[key]
    value = Fraction(old)
    scale = Fraction(1, 10 ** data.draw(st.sampled_from([1, 5, 10, 20, 30])))
    new = value + data.draw(st.sampled_from([1, -1])) * (scale * abs(value) if value else scale)
    code, lines = _recheck(tmp_path, capsys, _replace(cert, path, str(new), False))
    assert code == 1 and ": INVALID: " in lines[0], (path, str(new), lines)
