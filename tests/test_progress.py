"""Progress lines for long claims: the stages the engine reports reach stderr once a claim is old enough,
never stdout, and never with --quiet; a bad --progress-after is a one-line error."""

from __future__ import annotations

import io
import time

from core.progress import reporting_to, stage
from tests.conftest import run_cli, toml_claim
from verify.progress import ProgressPrinter, progress_lines

# Drori and Teboulle's N = 2 rate with h = 1, L R^2/(4 N h + 2) = 1/10: tight, certified in under a second
RATE = toml_claim(id="dt2", kind="rate", **{"class": "smooth-convex"}, L=1, schedule="constant", h=1, N=2,
                  initial="distance", metric="function-gap", bound="L*R**2/10", expect="certified")


def test_stages_print_only_once_the_claim_is_old_enough():
    young, old = io.StringIO(), io.StringIO()
    with reporting_to(ProgressPrinter("c1", after=3600.0, stream=young).stage):
        stage("solving")
    with reporting_to(ProgressPrinter("c2", after=0.0, stream=old).stage):
        stage("solving the PEP")
        stage("exact certificate")
    assert young.getvalue() == ""
    lines = old.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == ["  ... c2: solving the PEP",
                                                       "  ... c2: exact certificate"]
    stage("outside every block")  # no sink: nothing happens, nothing fails


def test_heartbeat_repeats_a_long_stage_as_still():
    out = io.StringIO()
    printer = ProgressPrinter("c3", after=0.0, stream=out)
    printer.stage("SCS on 2,895 pairs")
    printer.beat()
    printer.beat()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and lines[1].startswith("  ... c3: still: SCS on 2,895 pairs")


def test_the_heartbeat_thread_stops_with_the_block():
    start = time.monotonic()
    with progress_lines("c4", after=0.0, every=0.05):
        time.sleep(0.2)
    assert time.monotonic() - start < 2.0  # joined, not left running
    with progress_lines("c5", after=None):
        stage("ignored")


def test_certify_prints_the_stages_on_stderr_and_nothing_with_quiet(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(RATE, encoding="utf-8")
    shown = run_cli("certify", str(path), "--jobs", "1", "--progress-after", "0")
    default = run_cli("certify", str(path), "--jobs", "1")  # 5 s: this claim is faster, so nothing shows
    quiet = run_cli("certify", str(path), "--jobs", "1", "--quiet", "--progress-after", "0")
    assert shown.returncode == default.returncode == quiet.returncode == 0, shown.stderr
    assert "  ... dt2: solving the PEP (N = 2, SCS)" in shown.stderr
    assert "  ... dt2: standard-library check" in shown.stderr
    assert "..." not in default.stderr and "..." not in quiet.stderr
    assert "  ... " not in shown.stdout  # the verdict lines are unchanged
    verdicts = [line.split("  (")[0] for line in shown.stdout.splitlines()]
    assert verdicts == [line.split("  (")[0] for line in default.stdout.splitlines()]


def test_bad_progress_after_is_one_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(RATE, encoding="utf-8")
    for bad in ("nan", "-1", "soon", "inf"):
        proc = run_cli("certify", str(path), "--progress-after", bad)
        assert proc.returncode == 2, bad
        assert "--progress-after" in proc.stderr and "Traceback" not in proc.stderr
