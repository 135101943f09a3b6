"""End to end: ``sgnas pipeline --preset smoke`` from data to searched, evaluated architectures, then reuse."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sgnas._infra.runs import RunDir
from sgnas.cli import main


@pytest.mark.e2e
@pytest.mark.slow
def test_smoke_pipeline_runs_end_to_end_and_reuses_finished_steps(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("SGNAS_CACHE_DIR", str(tmp_path / "cache"))
    args = ["pipeline", "--preset", "smoke", "--runs-dir", str(tmp_path / "runs"), "--data-dir", str(data_dir), "--json"]
    start = time.perf_counter()
    assert main(args) == 0
    first_seconds = time.perf_counter() - start
    assert first_seconds < 120
    summary = json.loads(capsys.readouterr().out)

    search = summary["search"]
    assert len(search["results"]) == 3 and len(summary["evaluated"]) == 3
    for record in search["results"]:
        assert record["architecture"] and record["architecture_json"]["layers"]
        assert record["macs_m"] > 0 and record["params_m"] > 0 and record["supernet_accuracy"] is not None
        assert record["wall_seconds"] < 0.1
    assert 0 <= search["summary"]["mean_relative_error"] < 0.5
    for record in summary["evaluated"]:
        assert 0 <= record["test_top1"] <= 100 and record["test_top1"] <= record["test_top5"]
        curves = RunDir(Path(record["run"])).metrics()
        assert [c["epoch"] for c in curves if c["event"] == "epoch"] == [0]
    for key in ("supernet_run", "generator_run", "search_run"):
        run = RunDir(Path(summary[key]))
        assert run.finished and (run.path / "config.json").exists() and (run.path / "environment.json").exists()
        assert run.config["preset"] == "smoke"

    start = time.perf_counter()
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert again == summary, "a second run with the same config reuses every finished step"
    assert time.perf_counter() - start < first_seconds

    search_args = ["search", "--generator", summary["generator_run"], "--sweep", "5", "--data-dir", str(data_dir),
                   "--runs-dir", str(tmp_path / "runs"), "--json"]
    assert main(search_args) == 0
    swept = json.loads(capsys.readouterr().out)
    assert len(swept["results"]) == 5 and -1 <= swept["summary"]["kendall_tau"] <= 1
    assert all(r["wall_seconds"] < 0.1 for r in swept["results"])


@pytest.mark.slow
def test_the_same_seed_repeats_exactly_and_another_seed_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    def search(root: str, seed: int) -> dict:
        args = ["pipeline", "--preset", "smoke", "--set", "data.dataset=synthetic", "--seed", str(seed),
                "--runs-dir", str(tmp_path / root), "--no-evaluate", "--json"]
        assert main(args) == 0
        return json.loads(capsys.readouterr().out)["search"]

    def without_timings(search: dict) -> list:
        return [{k: v for k, v in r.items() if "seconds" not in k} for r in search["results"]]

    first, second, other = search("a", 0), search("b", 0), search("c", 1)
    assert without_timings(first) == without_timings(second)
    assert without_timings(first) != without_timings(other)
