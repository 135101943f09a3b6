"""The replication harness: search and cost rows (evaluations, SPOS-budget costs), and end to end at smoke scale."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from replication.cost_for_n import NS, OneTimeCost, cost_rows
from replication.harness import search_rows
from replication.methods import method_label, methods
from replication.plans import PLANS, load_plan
from replication.replicate_table import build_tables
from replication.results import SUPERNET_COLUMNS, read_csv, read_manifest
from sgnas._infra.errors import SgnasError

METHODS = methods()


def test_every_method_has_a_label_and_every_plan_a_valid_config() -> None:
    assert all(method_label(key) == method.label and method.label for key, method in METHODS.items())
    for name in PLANS:
        plan, config = load_plan(name, seed=3)
        assert config.seed == 3 and config.preset == plan.preset
    with pytest.raises(SgnasError):
        load_plan("huge")


def _searched(strategy: str, seconds: tuple[float, ...], passes: int, evaluations: int | None) -> dict:
    """A cached search: one record per budget, as ``SearchResult.to_json`` writes them, and the budget labels."""
    records = []
    for wall in seconds:
        record = {"strategy": strategy, "target_m_in_convention": 8.0, "macs_m_in_convention": 7.9,
                  "params_m": 0.5, "supernet_accuracy": 10.0, "wall_seconds": wall, "forward_passes": passes,
                  "architecture": "x"}
        if evaluations is not None:
            record["evaluations"] = evaluations
        records.append(record)
    return {"budgets": ["A", "B", "C"][: len(seconds)], "results": records}


def _rows(method: str, seed: int, searched: dict, evaluation_budget: int | None = None) -> list[dict]:
    return search_rows(method, seed, searched["budgets"], searched["results"], evaluation_budget)


def _cost_rows(method: str, seed: int, searched: dict, evaluation_budget: int, one_time: OneTimeCost) -> list[dict]:
    records = [{**r, "evaluation_budget": evaluation_budget} for r in searched["results"]]
    return cost_rows(method, seed, records, one_time if one_time.wall_seconds else None)


def test_rows_record_evaluations_and_budget_of_evaluation_based_searches_only() -> None:
    evolution = _rows("spos-evolution", 0, _searched("evolution", (6.0, 6.0), 360, 60), evaluation_budget=60)
    assert [(r["evaluations"], r["evaluation_budget"]) for r in evolution] == [(60, 60), (60, 60)]
    sampling = _rows("random-sampling", 0, _searched("random", (0.01,), 0, 0), evaluation_budget=60)
    generator = _rows("sgnas", 0, _searched("generator", (0.01,), 0, None), evaluation_budget=60)
    for row in (*sampling, *generator):
        assert row["evaluations"] is None and row["evaluation_budget"] is None


def test_cost_rows_extrapolate_evaluation_based_searches_to_spos_budget() -> None:
    # two targets: 60 evaluations in 6 s and 50 in 4 s -> 100 s and 80 s at 1000 evaluations
    searched = _searched("evolution", (6.0, 4.0), 300, 60)
    searched["results"][1]["evaluations"] = 50
    cost = {r["n"]: r for r in _cost_rows("spos-evolution", 0, searched, 60, OneTimeCost(0.0, 0))}
    assert cost[3]["wall_seconds"] == pytest.approx(15.0)
    assert cost[3]["wall_seconds_at_spos_budget"] == pytest.approx(270.0)
    assert cost[1]["forward_passes_at_spos_budget"] == pytest.approx((300 / 60 + 300 / 50) * 1000 / 2)
    assert cost[1]["evaluations"] == 55 and cost[1]["evaluation_budget"] == 60
    generator = _cost_rows("sgnas", 0, _searched("generator", (0.01,), 0, None), 60, OneTimeCost(20.0, 0))
    assert generator[0]["wall_seconds"] == pytest.approx(20.01)
    assert math.isnan(generator[0]["wall_seconds_at_spos_budget"]) and math.isnan(generator[0]["evaluations"])


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_harness_writes_every_table_and_reuses_its_runs(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    tables = build_tables("smoke", [0], results, data_dir=data_dir, redundancy_spread=False)[1:]  # after Table A
    # 2 supernets, the generator, and per method a search and 3 stand-alone trainings
    runs = 2 + 1 + 4 * len(METHODS)
    announced = [line for line in capsys.readouterr().err.splitlines() if line.startswith("harness: run ")]
    assert len(announced) == runs and announced[0].startswith(f"harness: run 1 of {runs} (seed 0, strict-fair supernet)")
    assert announced[-1].startswith(f"harness: run {runs} of {runs} (seed 0, random-sampling budget C stand-alone training)")
    assert "ETA" in announced[-1]
    # with the NB201 and latency tables, the latency study on this machine, the ablations and the redundancy replay
    assert [t.name for t in tables] == ["table_b", "supernets_table", "table_c", "table_d", "table_e", "latency_fit",
                                        "table_e2", "claims", "ablation_table", "fairness_table"]
    ablation = read_csv(results, "ablation")
    assert set(ablation["variant"]) == {"default", "no-fs", "lambda=10", "lambda=160", "tau=5 constant",
                                        "generator=mlp"}
    assert ablation.dropna(subset=["budget"])["judge_accuracy"].notna().all()
    supernets = read_csv(results, "supernets")
    assert list(supernets.columns) == list(SUPERNET_COLUMNS)
    assert sorted(supernets["sampler"]) == ["strict-fair", "uniform"] and set(supernets["seed"]) == {0}
    assert supernets[["final_train_loss", "top1", "top1_low", "top1_high", "learned"]].notna().all().all()
    assert (supernets["chance_top1"] == 10.0).all()
    assert (supernets["top1_low"] <= supernets["top1"]).all() and (supernets["top1"] <= supernets["top1_high"]).all()
    assert read_manifest(results)["space"]["num_classes"] == 10
    search = read_csv(results, "search")
    assert len(search) == len(METHODS) * 3
    assert search[["macs_m", "params_m", "supernet_accuracy", "standalone_top1"]].notna().all().all()
    evaluated = search["method"].isin(["fairnas-evolution", "spos-evolution", "random-search"])
    _, smoke = load_plan("smoke")
    assert (search.loc[evaluated, "evaluation_budget"] == smoke.search.budget).all()
    assert search.loc[evaluated, "evaluations"].between(1, smoke.search.budget).all()
    assert search.loc[~evaluated, ["evaluations", "evaluation_budget"]].isna().all().all()
    cost = read_csv(results, "cost_vs_n")
    assert len(cost) == len(METHODS) * len(NS)
    at_spos = cost.set_index("method")["wall_seconds_at_spos_budget"]
    assert (at_spos[["spos-evolution", "random-search"]] > cost.set_index("method").loc[
        ["spos-evolution", "random-search"], "wall_seconds"]).all()
    sweep = read_csv(results, "generator_sweep")
    generated, prior = (sweep[sweep["variant"] == v] for v in ("default", "prior-only"))
    assert not generated.empty and list(prior["target_macs_m"]) == list(generated["target_macs_m"])
    assert prior["macs_m"].nunique() == 1, "one prior for every target"
    assert "prior-only" in set(search["method"])
    manifest = read_manifest(results)
    assert manifest["seeds"] == [0] and manifest["indicative"] and manifest["runs"]["supernet"]
    runs_before = sorted(p.name for p in (results / "runs").glob("*/*"))
    start = time.perf_counter()
    build_tables("smoke", [0], results, data_dir=data_dir, redundancy_spread=False)
    assert sorted(p.name for p in (results / "runs").glob("*/*")) == runs_before  # nothing retrained
    assert read_csv(results, "search").equals(search)
    assert time.perf_counter() - start < 60


@pytest.mark.slow
@pytest.mark.e2e
def test_the_main_job_side_by_side_gives_the_numbers_of_one_process(tmp_path: Path, data_dir: Path) -> None:
    """Two seeds with the studies in 2 worker processes, then in this process alone: every result file equal but
    for the wall-clock columns (and the run paths, which name their results folder)."""
    for name, jobs in (("side_by_side", 2), ("alone", 1)):
        build_tables("smoke", [0, 1], tmp_path / name, data_dir=data_dir, jobs=jobs, ablations=False)
    assert not (tmp_path / "side_by_side" / ".prefill").exists()
    for name in ("search", "supernets", "generator_sweep", "cost_vs_n"):
        both = [read_csv(tmp_path / folder, name) for folder in ("side_by_side", "alone")]
        columns = [c for c in both[0].columns if "seconds" not in c and c != "run"]
        assert both[0][columns].equals(both[1][columns]), name


def _one_error(capsys: pytest.CaptureFixture[str], prefix: str) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(lines) == 1 and lines[0].startswith(prefix), lines
    return lines[0]


@pytest.mark.parametrize(("bad", "message"), [
    ("runs", "cannot write the runs into"), ("data", "does not exist"), ("file", "is a file, not a folder"),
    ("empty", "has no train/ folder"),
])
def test_bad_runs_or_data_folders_leave_no_results_folder_and_no_lock(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, message: str) -> None:
    """Checked before the results folder is made, or found inside it (an empty data folder): nothing is left."""
    from replication.harness import main

    (tmp_path / "a-file").write_text("x")
    (tmp_path / "empty").mkdir()
    results = tmp_path / "results"
    where = {"runs": ["--runs", str(tmp_path / "a-file")], "data": ["--data-dir", str(tmp_path / "nowhere")],
             "file": ["--data-dir", str(tmp_path / "a-file")], "empty": ["--data-dir", str(tmp_path / "empty")]}
    assert main(["--plan", "smoke", "--results", str(results), *where[bad]]) == 2
    assert message in _one_error(capsys, "harness: error: ")
    assert not results.exists() and not list(tmp_path.rglob(".lock"))


def test_replicate_table_refuses_a_missing_data_folder_before_writing(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from replication.replicate_table import main

    out = tmp_path / "out"
    assert main(["--preset", "smoke", "--seeds", "0", "--out", str(out), "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "data folder" in _one_error(capsys, "replicate_table: error: ")
    assert not out.exists()
