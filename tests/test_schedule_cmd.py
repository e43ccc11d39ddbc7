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


def test_chebyshev_on_quadratics_is_the_closed_form_certified_exactly(capsys: pytest.CaptureFixture,
                                                                       tmp_path: Path) -> None:
    """Issue 17: K = 8, m = 1, L = 10: 2 r^8/(1 + r^16), r = (sqrt 10 - 1)/(sqrt 10 + 1), checked here against
    1/T_8(11/9) from mpmath's chebyt at 50 digits; the quadratic checker refutes it moved by 1e-30."""
    out_json = tmp_path / "c.json"
    code, out, _ = run(capsys, "chebyshev", "--class", "quadratic", "--m", "1", "--L", "10", "--N", "8",
                       "--json", str(out_json))
    assert code == 0, out
    row = json.loads(out_json.read_text())["rows"][0]
    bound = "2*((sqrt(10) - 1)/(sqrt(10) + 1))**8/(1 + ((sqrt(10) - 1)/(sqrt(10) + 1))**16)"
    assert row["certified_upper"] == row["certified_lower"] == bound and row["tight"]
    with mpmath.workdps(50):
        r = (mpmath.sqrt(10) - 1) / (mpmath.sqrt(10) + 1)
        assert abs(2 * r**8 / (1 + r**16) - 1 / mpmath.chebyt(8, mpmath.mpf(11) / 9)) < mpmath.mpf(10) ** -45
    from tests.conftest import toml_claim
    from verify.checkers import Context
    from verify.dispatch import check_claim, load_claims

    tables = "".join(toml_claim(id=f"c{i}", kind="quadratic", m="1/10", L=1, schedule="chebyshev", N=8,
                                metric="distance-ratio", relation=rel, bound=f"({bound})*(1 {sign} 1/10**30)")
                     for i, (rel, sign) in enumerate([("<=", "-"), ("==", "+"), ("==", "-")]))
    path = tmp_path / "q.toml"
    path.write_text(tables, encoding="utf-8")
    claims, _ = load_claims([path])
    assert len(claims) == 3 and all(check_claim(c, Context()).verdict.value == "refuted" for c in claims)


def test_chebyshev_steps_expand_on_the_strongly_convex_class(capsys: pytest.CaptureFixture,
                                                             tmp_path: Path) -> None:
    """The same kind of steps (K = 4, m/L = 1/10, outside Q(sqrt 2)) on the smooth strongly convex class: no
    contraction, refuted by an explicit function whose ratio is enclosed; no certified upper bound."""
    out_json = tmp_path / "s.json"
    code, out, _ = run(capsys, "chebyshev", "--class", "smooth-strongly-convex", "--m", "1/10", "--N", "4",
                       "--metric", "distance", "--json", str(out_json))
    row = json.loads(out_json.read_text())["rows"][0]
    assert code == 0, out
    assert row["claimed_verdict"] == "refuted" and row["certified_upper"] is None
    assert Fraction(row["certified_lower"].removeprefix("R**2*")) > 7
    assert "piecewise quadratic" in row["attained_by"] and "outside Q(sqrt 2)" in out


@pytest.mark.parametrize("args, words", [
    (["chebyshev", "--m", "2", "--L", "1"], "need 0 < m < L"),
    (["chebyshev", "--m", "x"], "exact rational"),
    (["chebyshev", "--m", "1e99999999"], "exponent below 100"),  # would build a 10^8-digit integer
    (["chebyshev", "--N", "100000"], "at most 1024 steps"),
    (["gsw", "--N", "0"], "must be positive"),
    (["chebyshev", "--L", "3"], "--L only matters with --m"),
    (["silver", "--N", "0"], "must be positive"),
])
def test_bad_m_l_and_n_are_one_line_errors(capsys: pytest.CaptureFixture, args: list[str],
                                            words: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_gsw_one_step_is_certified_tight(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    """Grimmer, Shu and Wang at n = 1 (h = 3/2): f(x_1) - f* <= L R^2/8 certified and attained exactly; at
    n = 2 the steps leave Q(sqrt 2), so nothing is certified and the exit code says so."""
    out_json = tmp_path / "g.json"
    code, out, _ = run(capsys, "gsw", "--N", "1", "--json", str(out_json))
    row = json.loads(out_json.read_text())["rows"][0]
    assert code == 0 and row["tight"] and row["claimed_verdict"] == "certified", out
    assert row["certified_upper"] == "L*R**2/(2 + 4*(3/2))"
    code, out, _ = run(capsys, "gsw", "--N", "2")
    assert code == 1 and "outside Q(sqrt 2)" in out


def test_a_solver_without_a_value_is_a_note_not_a_traceback(capsys: pytest.CaptureFixture,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Grimmer's length-7 period at N = 63 once came back NaN from SCS after 13 minutes: the row must say so
    and the command exit 1, not crash."""
    import verify.schedule

    monkeypatch.setattr(verify.schedule, "_solver_value", lambda *a, **k: float("nan"))
    code, out, err = run(capsys, "constant", "--N", "2")
    assert code == 1 and "no usable worst case" in out and "Traceback" not in err


def test_json_without_a_file_goes_to_stdout(capsys: pytest.CaptureFixture) -> None:
    """`--json` alone (issue 17's `schedule silver --N 7 --json`): the JSON is all of stdout, the table on
    stderr."""
    code, out, err = run(capsys, "gsw", "--N", "1", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["rows"][0]["tight"] and doc["rows"][0]["decided"]
    assert "schedule gsw" in err


def test_a_file_with_a_bad_m_is_a_one_line_error_naming_it(capsys: pytest.CaptureFixture,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "b"\nclass = "smooth-strongly-convex"\nsteps = ["1"]\nm = "1e999999999"\n')
    code, _, err = run(capsys, str(path))
    assert code == 2 and str(path) in err and "field 'm'" in err and len(err.strip().splitlines()) == 1


def test_rounding_a_witness_value_down_is_exact() -> None:
    """A certified lower bound is the witness's exact ratio rounded DOWN: 1e-40 either side of a 6-digit
    boundary must land on the right side (a float would round both to the boundary)."""
    import math

    from verify.schedule import _round

    edge = Fraction(316457, 10000)
    assert _round(edge + Fraction(1, 10**40), math.floor) == edge
    assert _round(edge - Fraction(1, 10**40), math.floor) == Fraction(316456, 10000)
    assert _round(edge - Fraction(1, 10**40), math.ceil) == edge


def test_gsw_beyond_its_cap_is_a_row_note(capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "gsw", "--N", "13")
    assert code == 1 and "must be in 0..12" in out and "Traceback" not in err
