"""``certify --jobs N`` and ``--scheduler`` (Dask): the same results, in the same order, as a serial run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import toml_claim
from verify import cli
from verify.checkers import Context
from verify.dispatch import load_claims, run
from verify.parallel import MIN_PARALLEL, run_dask, run_parallel

# one claim of each kind and of each verdict, small enough to run three times in a few seconds
CLAIMS = (
    toml_claim(id="num", kind="numeric", expr="sqrt(2)", value="1.41421356", digits=8)
    + toml_claim(id="num.bad", kind="numeric", expr="1/3", value="0.3", digits=5)
    + toml_claim(id="idn", kind="identity", lhs="(x + 1)**2", rhs="x**2 + 2*x + 1")
    + toml_claim(id="ineq", kind="inequality", lhs="x**2 + 1", relation=">=", rhs="2*x")
    + toml_claim(id="quad", kind="quadratic", m=1, L=10, schedule="constant", alpha="2/11", N=3,
                 metric="distance-ratio", bound="(9/11)**3", relation="<=")
    + toml_claim(id="rate", kind="rate", **{"class": "smooth-convex"}, L=1, schedule="constant", h=1, N=2,
                 initial="distance", metric="function-gap", bound="L*R**2/10")
    + toml_claim(id="rate.low", kind="rate", **{"class": "smooth-convex"}, L=1, schedule="constant", h=1,
                 N=2, initial="distance", metric="function-gap", bound="L*R**2/11")
    + toml_claim(id="bad", kind="numeric", expr="sqrt(-1)", value="1"))


def timeless(value: Any) -> Any:
    """The value without its wall-clock fields (every key naming seconds), which differ run to run."""
    if isinstance(value, dict):
        return {k: timeless(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [timeless(v) for v in value]
    return value


@pytest.fixture(scope="module")
def claims(tmp_path_factory: pytest.TempPathFactory) -> list:
    path = tmp_path_factory.mktemp("par") / "c.toml"
    path.write_text(CLAIMS, encoding="utf-8")
    good, rejected = load_claims([path])
    assert not rejected
    return good


@pytest.fixture(scope="module")
def serial(claims: list) -> list[dict]:
    return [timeless(r.to_json()) for r in run(claims, Context())]


def test_serial_verdicts_are_the_expected_ones(serial: list[dict]) -> None:
    # independent facts: sqrt 2 = 1.41421356..., 1/3 != 0.3, (x+1)^2 expands, x^2 + 1 >= 2x ((x-1)^2 >= 0),
    # the 2/(m+L) contraction (L-m)/(L+m) = 9/11, Drori-Teboulle 1/(4N+2) = 1/10 at N = 2 (tight)
    assert [r["verdict"] for r in serial] == ["certified", "refuted", "certified", "certified", "certified",
                                               "certified", "refuted", "error"]


def test_jobs_two_gives_the_serial_results_in_order(claims: list, serial: list[dict]) -> None:
    seen = []
    results = run_parallel(claims, Context(), 2, lambda i, n, r: seen.append((i, r.id)))
    assert [timeless(r.to_json()) for r in results] == serial
    assert seen == [(i, c.id) for i, c in enumerate(claims, start=1)]  # reported in claim order


def test_a_dask_local_cluster_gives_the_serial_results(claims: list, serial: list[dict]) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        results = run_dask(claims, Context(), client)
    assert [timeless(r.to_json()) for r in results] == serial


def test_the_time_cap_holds_in_a_worker(tmp_path: Path) -> None:
    # the alarm needs the main thread of a process: a slow claim in a worker is still stopped at the cap
    path = tmp_path / "slow.toml"
    # (a distance -> function-gap rate does not compose: the N = 60 SDP alone takes well over 2 s)
    path.write_text(toml_claim(id="slow", kind="rate", **{"class": "smooth-strongly-convex"}, L=1, m="1/10",
                               schedule="constant", h=1, N=60, initial="distance", metric="function-gap",
                               bound="(9/10)**120*L*R**2")
                    + "".join(toml_claim(id=f"fast{i}", kind="numeric", expr="1/2", value="0.5")
                              for i in range(MIN_PARALLEL)), encoding="utf-8")
    out = tmp_path / "r.json"
    code = cli.main(["certify", str(path), "--quiet", "--jobs", "2", "--max-seconds", "2",
                     "--json", str(out)])
    results = {r["id"]: r for r in json.loads(out.read_text())["results"]}
    assert all(results[f"fast{i}"]["verdict"] == "certified" for i in range(MIN_PARALLEL))
    assert results["slow"]["verdict"] == "inconclusive" and results["slow"]["seconds"] < 10
    assert code == 0


@pytest.mark.parametrize("value", ["0", "-1", "two", "1000"])
def test_bad_jobs_is_a_usage_error(value: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["certify", "--jobs", value])
    assert stop.value.code == 2 and "--jobs" in capsys.readouterr().err
