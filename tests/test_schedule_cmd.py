"""``python -m verify schedule``: certified worst cases of a schedule, tightness, comparisons, bad input."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from verify import cli


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = cli.main(["schedule", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_silver_is_tight_below_the_published_bound(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "silver", "--N", "7", "--json", str(tmp_path / "s.json"))
    assert code == 0, out
    [row] = json.loads((tmp_path / "s.json").read_text())["rows"]
    # the worst case after 7 Silver steps is 1/(4 rho^3 - 2), rho = 1 + sqrt 2, attained by a Huber function;
    # Altschuler and Parrilo's bound 1/(1 + sqrt(4 rho^6 - 3)) holds and is about 1.87 times it
    assert row["certified_upper"] == "L*R**2/(4*(1 + sqrt(2))**3 - 2)" and row["tight"]
    assert "c|x| - c^2/2" in row["attained_by"]
    rho = 1 + mpmath.sqrt(2)
    factor = (4 * rho**3 - 2) / (1 + mpmath.sqrt(4 * rho**6 - 3))**1
    assert row["claimed_verdict"] == "certified"
    assert abs(row["claimed_over_worst"] - float(factor)) < 1e-5
    assert abs(row["solver_worst_case"] - float(1 / (4 * rho**3 - 2))) < 1e-6
    assert row["constant_worst_case"] == pytest.approx(1 / 30, rel=1e-5)  # Drori-Teboulle 1/(4N + 2)


def test_a_user_period_gets_its_exact_worst_case(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "long.toml"
    path.write_text('name = "long"\nsteps = ["3/2", "49/10", "3/2"]\nperiodic = true\n', encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--N", "3", "--json", str(tmp_path / "l.json"))
    [row] = json.loads((tmp_path / "l.json").read_text())["rows"]
    # on f = x^2/2 the steps multiply x by (1 - 3/2)(1 - 49/10)(1 - 3/2) = -39/40: f(x_3) = (39/40)^2 / 2
    assert Fraction(1, 2) * Fraction(39, 40) ** 2 == Fraction(1521, 3200)
    assert row["certified_upper"] == "L*R**2*(1521/3200)" and row["tight"] and code == 0
    assert row["constant_worst_case"] / row["solver_worst_case"] < 1  # worse than h = 1 at N = 3
    assert "mu x^2/2" in row["attained_by"]


@pytest.mark.parametrize(("content", "words"), [
    ('steps = ["1"]\nstep = 2\n', "unknown field"),
    ('steps = []\n', "non-empty list"),
    ('steps = ["1"]\nclass = "smooth"\n', "must be one of"),
    ("steps = [", "not a TOML file"),
])
def test_bad_schedule_files_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture, content: str,
                                                words: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, str(path))
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unknown_schedule_and_bad_n(capsys: pytest.CaptureFixture) -> None:
    code, _, err = run(capsys, "nope")
    assert code == 2 and "neither a library schedule" in err
    code, _, err = run(capsys, "silver", "--N", "7,x")
    assert code == 2 and "--N must be whole numbers" in err


def test_property_tests_pass_on_the_certified_bound_and_catch_a_broken_one(capsys) -> None:
    from verify.schedule import Row, Schedule, property_tests

    constant = Schedule(name="constant")
    # Drori-Teboulle at N = 2: 1/10 holds on every function; half of it is broken by Huber's functions with
    # a wide range of break points (so any hypothesis version finds one)
    good = Row(N=2, certified_upper="L*R**2/10")
    assert property_tests(constant, [good], "function-gap", 40) == 0
    broken = Row(N=2, certified_upper="L*R**2/20")
    assert property_tests(constant, [broken], "function-gap", 1000) == 1
    assert "VIOLATION" in capsys.readouterr().out
