"""The PDF report (issue 6): LaTeX->typst conversion, content, pictures, reproducibility and bad input."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.assets import Assets
from reports.latex2typst import ConversionError, math_to_typst, split_math
from reports.markup import escape, string_literal
from reports.render import build_source, compile_source, render_pdf, write_report
from reports.statement import statement_markup
from reports.validate import validate

REPO = Path(__file__).resolve().parents[1]
CLAIMS = REPO / "verify" / "claims"
VERDICTS = ("certified", "refuted", "inconclusive", "error")
SAMPLE = r"$\frac{1}{2}\|x - x^*\|^2 \le \sum_{k=0}^{N} \sqrt{h_k}$"
INJECTIONS = [
    '#panic("injected") ] [ * _ @ref <lbl> `raw` \\ $ # // comment',
    '$x" #panic("math") "$ and $\\text{#panic("t")}$ and $\\mathrm{a}#b$',
    "#let x = 1; #x #{panic()} = heading? - item + item / term: x",
]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m verify ARGS`` in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "verify", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=300)


def result(rid: str, verdict: str, statement: str, evidence: dict[str, Any], section: str = "synthetic",
           **extra: Any) -> dict[str, Any]:
    """One result record as ``certify --json`` writes it."""
    return {"id": rid, "verdict": verdict, "expect": verdict, "summary": f"summary of {rid}", "kind": "rate",
            "statement": statement, "source": "seed.txt:12", "file": f"/claims/{section}.toml",
            "evidence": evidence, "seconds": 0.0123, **extra}


def synthetic_doc() -> dict[str, Any]:
    """A small results document exercising every kind of evidence the report knows."""
    results = [
        result("syn.rate", "certified",
               r"GD with $h = 1/L$ satisfies $f(x_N) - f^* \le \frac{L R^2}{4N + 2}$",
               {"method": "exact SDP certificate", "certificate": "certs/syn.rate.json",
                "certificate_stats": {"size_bytes": 20480, "max_denominator_digits": 12,
                                      "check_seconds": 0.25},
                "series": [{"N": n, "worst_case": 1 / (4 * n + 2), "bound": 1 / (4 * n + 2)}
                           for n in (1, 2, 4, 8, 16)]},
               assume={"L": "positive"}, domain=["0 < h < 2/L"]),
        result("syn.schedule", "certified", r"The schedule $h_k = 1 + \frac{k}{2}$ is admissible",
               {"method": "exact rational arithmetic", "steps": ["1", "3/2", 2, "5/2", 3.0]},
               hypotheses={"where": {"h0": "1"}, "assume": {"k": "integer"}}),
        result("syn.counter", "refuted", r"GD with $h = 3/L$ converges on every $L$-smooth convex $f$",
               {"method": "explicit counterexample", "witness": {"L": "1", "h": "3", "x0": "1"},
                "counterexample": {"function": "f(x) = x^2/2", "iterates": [1, -2, 4, -8],
                                   "values": [0.5, 2, 8, 32]}}),
        result("syn.proof", "refuted",
               r"Lemma: $\|x_{k+1} - x^*\| \le \|x_k - x^*\|$ for $h \in (0, 2/L)$",
               {"steps_checked": [
                   {"step": "expand the square", "verdict": "certified", "summary": "identity"},
                   {"step": "apply co-coercivity", "verdict": "refuted", "summary": "wrong sign"},
                   {"step": "conclude", "verdict": "inconclusive", "summary": "not reached"}]}),
        result("syn.numbers", "certified", SAMPLE,
               {"expr": "1/3", "value": "0.333", "values": {"exact": "1/3", "float64": "0.3333333333333333",
                                                            "mpmath": "0.33333333333333333333", "digits": 20},
                "discrepancy": "float64 0.1 vs mpmath 0.1000000001",
                "mystery": {"a": [1, 2, 3], "b": "x" * 900},
                "worst_case": 0.25}),
        result("syn.undecided", "inconclusive", "No math at all, just text with # $ and _ chars \\$5",
               {"reason": "no proof found", "samples": "200 points in [0, 1]", '#panic("key") <x>': "]*_"}),
        result("syn.broken", "error", INJECTIONS[0], {"error": "unknown field 'foo'", "field": "foo"},
               section="other_file"),
        result("syn.inject-math", "certified", INJECTIONS[1], {"method": INJECTIONS[2]},
               section="other_file"),
        result("syn.unsupported", "inconclusive",
               r"Needs mathtext: $\bigoplus_{i} V_i$, shown verbatim: $\overbrace{x+y}^{n}$", {},
               section="other_file"),
        {"id": "syn.minimal", "verdict": "certified"},
        {"id": 'syn.#panic("id")[*]', "verdict": "error", "summary": "]#panic()", "source": "#x:3",
         "expect": "refuted"},
    ]
    counts = {v: sum(r["verdict"] == v for r in results) for v in VERDICTS}
    return {"suite": "gradverify", "suite_version": "0.1.0", "generated": "2026-01-02T03:04:05Z",
            "paths": ["/claims"], "counts": counts, "results": results}


def pdf_text(pdf: bytes | Path) -> str:
    """All text of a PDF, via pypdf."""
    import io
    reader = pypdf.PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squeeze(text: str) -> str:
    """Text without whitespace or zero-width spaces, so ids broken across lines are still found."""
    return re.sub(r"[\s\u200b]+", "", text)


@pytest.fixture(scope="module")
def synthetic_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "synthetic.pdf"
    write_report(synthetic_doc(), out)
    return out


def registry_statements() -> list[tuple[str, str]]:
    """(id, statement) of every claim in the registry's TOML files."""
    out = []
    for path in sorted(CLAIMS.rglob("*.toml")):
        for claim in tomllib.loads(path.read_text(encoding="utf-8")).get("claim", []):
            out.append((claim["id"], claim["statement"]))
    assert out, "no claims found under verify/claims"
    return out


# --- conversion -------------------------------------------------------------------------------------------

def test_every_registry_statement_converts_and_compiles() -> None:
    """Each statement's math converts to typst math (no fallback) and all of them compile in one document."""
    assets = Assets()
    parts = ["#set page(width: 16cm, height: auto)\n"]
    for rid, statement in registry_statements():
        for is_math, piece in split_math(statement):
            if is_math:
                math_to_typst(piece)  # raises ConversionError when outside the subset
        parts.append(f"{escape(rid)}: {statement_markup(statement, assets)}\n\n")
    assert not assets.files, "a registry statement needed the mathtext fallback"
    pdf = compile_source("".join(parts), assets)
    text = squeeze(pdf_text(pdf))
    for rid, _ in registry_statements():
        assert squeeze(rid) in text


def test_fraction_sqrt_norm_sum_convert_without_loss() -> None:
    converted = math_to_typst(split_math(SAMPLE)[0][1])
    for piece in ("frac(1, 2)", "sqrt(h_(k))", "sum_(k = 0)^(N)", "bar.v.double", "x^(*)", "<=", "^(2)"):
        assert piece in converted, (piece, converted)
    assert converted.count("bar.v.double") == 2
    text = pdf_text(compile_source(f"${converted}$", Assets()))
    for glyph in ("∑", "√", "‖", "≤", "∗"):
        assert glyph in text, (glyph, text)


@pytest.mark.parametrize("latex, expected", [
    (r"\alpha_{k+1} = \frac{2}{m+L}", "alpha_(k + 1) = frac(2, m + L)"),
    (r"\rho' \approx 0.98", "rho' approx 0.98"),
    (r"x = (1, 2)/3", r"x = \( 1 \, 2 \) \/ 3"),
    (r"\mathrm{diag}(1)", r"upright(d i a g) \( 1 \)"),
    (r"\sqrt[3]{x}", "root(3, x)"),
    (r"\text{if } x \ge 0", '" if " x >= 0'.replace('" if "', '"if "')),
])
def test_conversion_examples(latex: str, expected: str) -> None:
    assert math_to_typst(latex) == expected


@pytest.mark.parametrize("latex", [r"\unknowncommand x", r"\frac{1}", r"x^", r"{x", r"\begin{matrix}"])
def test_unsupported_latex_raises(latex: str) -> None:
    with pytest.raises(ConversionError):
        math_to_typst(latex)


@pytest.mark.parametrize("text", INJECTIONS)
def test_statements_cannot_inject_typst(text: str) -> None:
    """Hostile statements compile and show their characters instead of running code."""
    markup = statement_markup(text, Assets())
    pdf = compile_source(f"#set page(width: 16cm, height: auto)\n{markup}", Assets())
    assert "panic" in pdf_text(pdf)


PIECES = list("$\\{}^_#*@<>[]`~/-+=:'\"%&|!?;,.()\n x1") + [
    r"\frac", r"\sqrt", r"\text{#a}", r"\mathrm", r"\left(", r"\right.", r"\|", r"\alpha", "//", "/*", "é",
    "∑", "\u200b", "\x00", "- ", "= ", "/ a: ", r"\begin", r"\\", "```"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=25).map("".join))
def test_any_statement_compiles(text: str) -> None:
    """Whatever a statement holds, its markup compiles (converted, via mathtext, or verbatim)."""
    assets = Assets()
    compile_source(f"#set page(width: 12cm, height: auto)\n{statement_markup(text, assets)}", assets)


def test_escape_and_string_literal_round_trip() -> None:
    nasty = 'a"b\\c#d$e\n*_`<>@[]'
    pdf = compile_source(f"#set page(width: 16cm, height: auto)\n{escape(nasty)} / #{string_literal(nasty)}",
                         Assets())
    text = pdf_text(pdf)
    assert text.count("#d$e") == 2 and text.count("*_`<>@[]") == 2


# --- content ----------------------------------------------------------------------------------------------

def test_synthetic_report_has_every_id_verdict_and_evidence(synthetic_pdf: Path) -> None:
    text = pdf_text(synthetic_pdf)
    flat = squeeze(text)
    doc = synthetic_doc()
    for r in doc["results"]:
        assert squeeze(r["id"]) in flat, r["id"]
    for verdict in VERDICTS:
        assert verdict.upper() in text
    for needle in ("Verification report", "2 January 2026", "gradverify 0.1.0", "Exact certificate",
                   "python -m verify recheck certs/syn.rate.json", "20.0 KiB", "12 digits", "250.0 ms",
                   "first broken step", "apply co-coercivity", "Witness", "Counterexample", "f(x) = x^2/2",
                   "float64 vs mpmath", "mystery", "no proof found", "unknown field", "Hypotheses",
                   "0 < h < 2/L", "h0 = 1", "k integer", "Proof steps",
                   "NOT as expected", "not as expected 1", "\\overbrace{x+y}^{n}"):
        assert squeeze(needle) in flat, needle


def test_synthetic_report_embeds_vector_plots() -> None:
    source, assets = build_source(synthetic_doc())
    kinds = sorted({name.split("-")[0] for name in assets.files})
    assert kinds == ["function", "math", "rate", "schedule"], kinds
    for name, data in assets.files.items():
        assert data.lstrip().startswith(b"<?xml") and b"<svg" in data, name
        assert f'"{name}"' in source


def test_missing_optional_keys_never_crash() -> None:
    doc = {"results": [{"id": "bare", "verdict": "refuted", "evidence": {"witness": "not a dict",
                                                                           "steps_checked": "nope",
                                                                           "series": [{"N": "x"}],
                                                                           "steps": [None, "a"],
                                                                           "counterexample": {"iterates": []},
                                                                           "certificate_stats": 5}}]}
    text = pdf_text(render_pdf(doc))
    assert "bare" in text and "not recorded" in text


def test_same_document_gives_identical_bytes(synthetic_pdf: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    write_report(copy.deepcopy(synthetic_doc()), again)
    assert again.read_bytes() == synthetic_pdf.read_bytes()
    later = synthetic_doc()
    later["generated"] = "2027-05-06T07:08:09Z"
    assert render_pdf(later) != synthetic_pdf.read_bytes()


def test_registry_report_from_certify(registry_run: tuple[Path, Path], tmp_path: Path) -> None:
    js, pdf = registry_run
    doc = json.loads(js.read_text(encoding="utf-8"))
    text = pdf_text(pdf)
    flat = squeeze(text)
    for r in doc["results"]:
        assert squeeze(r["id"]) in flat, r["id"]
    for verdict, n in doc["counts"].items():
        if n:
            assert verdict.upper() in text
    out = tmp_path / "chapter09.pdf"
    proc = run_cli("report", str(js), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == pdf.read_bytes()


def render_first_pages(pdf: Path, tmp_path: Path, count: int = 3) -> list[Any]:
    """The first pages as RGB arrays: with pdftoppm (Debian's poppler-utils) when installed, else with
    pypdfium2 (a PyPI test dependency), so the check never silently skips."""
    import numpy as np

    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", str(count), str(pdf),
                        str(tmp_path / "page")], check=True, timeout=60)
        from matplotlib.image import imread
        return [imread(str(page))[..., :3] for page in sorted(tmp_path.glob("page*.png"))]
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    pages = [np.asarray(doc[i].render(scale=40 / 72).to_pil().convert("RGB")) / 255.0
             for i in range(min(count, len(doc)))]
    doc.close()
    return pages


def test_first_pages_are_not_blank(synthetic_pdf: Path, tmp_path: Path) -> None:
    pages = render_first_pages(synthetic_pdf, tmp_path)
    assert len(pages) == 3
    for i, pixels in enumerate(pages):
        assert (pixels < 0.9).mean() > 0.01, f"page {i + 1} looks blank"


# --- bad input --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, needle", [
    ("{not json", "cannot read results"),
    ("[1, 2]", "not a results file"),
    ('{"results": [{"id": "a"}]}', "result 1: missing field 'verdict'"),
    ('{"results": [{"id": "a", "verdict": "maybe"}]}', "is not one of"),
    ('{"results": [{"id": "a", "verdict": "certified", "evidence": [1]}]}', "field 'evidence'"),
    ('{"generated": "yesterday", "results": []}', "'generated' is not an ISO date"),
])
def test_malformed_results_give_one_line_error(tmp_path: Path, content: str, needle: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    proc = run_cli("report", str(bad), "-o", str(tmp_path / "x.pdf"))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert needle in proc.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_validate_names_the_result() -> None:
    doc = synthetic_doc()
    del doc["results"][2]["verdict"]
    with pytest.raises(ValueError, match=r"^results file: result 3: missing field 'verdict'$"):
        validate(doc)
