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
