"""verify.sections: the per-section table of verify/claims/README.md, from a results file."""

from __future__ import annotations

import json

from verify import sections

RESULTS = [
    {"id": "b", "source": "002_99cb83213d8601f3.txt:640", "section": "Exercises / A. True-False / A.5",
     "verdict": "refuted"},
    {"id": "a", "source": "002_99cb83213d8601f3.txt:90", "section": "Concrete ML Examples / Step-Size",
     "verdict": "certified"},
    {"id": "c", "source": "002_99cb83213d8601f3.txt:632", "section": "Exercises / A. True-False / A.1",
     "verdict": "error"},
    {"id": "d", "source": "000_54e28aa6fcb46823.txt:52", "section": "Section 2 / 2.3",
     "verdict": "certified"},
    {"id": "e", "source": "Altschuler and Parrilo 2023", "verdict": "certified"},
]


def test_rows_follow_the_text_and_count_errors_as_inconclusive():
    rows = sections.section_rows(RESULTS)
    assert [r[1] for r in rows] == ["Concrete ML Examples / Step-Size", "Exercises / A. True-False",
                                    "Section 2 / 2.3"]
    assert rows[1][2] == {"encoded": 2, "refuted": 1, "inconclusive": 1}
    table = sections.markdown(RESULTS)
    assert "| **Chapter 09 (seed 002)** | **all** | **3** | **1** | **1** | **1** |" in table


def test_a_file_that_is_not_a_results_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps({"nothing": []}))
    assert sections.main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a results file" in err
    good = tmp_path / "g.json"
    good.write_text(json.dumps({"results": RESULTS}))
    assert sections.main([str(good)]) == 0


def test_the_coverage_table_assigns_claims_by_source_line(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[section]]\ntext = "002"\ntitle = "Concrete / One"\nline = 80\ncheckable = 7\n'
                    'qualitative = 2\nnote = "n"\n\n[[section]]\ntext = "002"\ntitle = "Exercises / A"\n'
                    'line = 630\ncheckable = 20\nqualitative = 0\nnote = "m"\n')
    table = sections.coverage_markdown(RESULTS, path)
    assert "| 002 | Concrete / One | 80 | 7 | 1 | 1 | 0 | 0 | 2 | n |" in table
    assert "| 002 | Exercises / A | 630 | 20 | 2 | 0 | 1 | 1 | 0 | m |" in table
    assert "| **002** | **all** | | **27** | **3** |" in table


def test_the_real_section_list_is_ordered_and_counted():
    import tomllib

    secs = tomllib.loads(sections.TEXT_SECTIONS.read_text())["section"]
    for text in ("002", "000"):
        lines = [s["line"] for s in secs if s["text"] == text]
        assert lines == sorted(lines) and len(set(lines)) == len(lines)
    assert all(s["checkable"] >= 0 and s["qualitative"] >= 0 for s in secs)


def test_the_registry_readme_counts_what_is_encoded():
    """The 'encoded' column of verify/claims/README.md matches the registry as it is (by source line)."""
    import re
    from pathlib import Path

    from verify.dispatch import load_claims

    root = Path(sections.__file__).parent / "claims"
    claims, _ = load_claims([root])
    computed = sections.coverage_markdown([{"source": c.source or "", "verdict": "certified"}
                                           for c in claims])
    split = (line.split(" | ") for line in computed.splitlines())
    encoded = {tuple(r[:3]): r[4] for r in split if len(r) > 4}
    readme = (root / "README.md").read_text()
    rows = [r.split(" | ") for r in readme.splitlines() if re.match(r"\| 00[02] \|", r)]
    assert rows and all(encoded[tuple(r[:3])] == r[4] for r in rows)
