"""Cost for N targets: one-time costs plus N per-target searches, from result files, as a table and a command."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from replication.cost_for_n import (
    SPOS_EVALUATIONS,
    OneTimeCost,
    at_spos_budget,
    cost_for_n,
    load_one_time_costs,
    load_search_records,
    main,
    per_target_costs,
)
from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import RunDir


def _record(strategy: str, target: float, wall: float, passes: int, estimate_passes: int = 0, **extra) -> dict:
    return {"strategy": strategy, "target_macs_m": target, "wall_seconds": wall, "forward_passes": passes,
            "estimate_forward_passes": estimate_passes, "estimate_seconds": 0.5 if estimate_passes else 0.0, **extra}


RECORDS = [
    _record("generator", 3.0, 0.01, 0),
    _record("generator", 4.0, 0.03, 0),
    _record("evolution", 3.0, 100.0, 1000, evaluations=500),
    _record("evolution", 4.0, 120.0, 1200, evaluations=600),
    _record("random", 3.0, 0.001, 0, estimate_passes=4, evaluations=0),
]


def test_extrapolation_to_spos_budget_is_linear_in_evaluations():
    assert SPOS_EVALUATIONS == 1000
    assert at_spos_budget(6.0, 60) == pytest.approx(100.0)
    assert at_spos_budget(240, 60) == pytest.approx(4000)
    assert at_spos_budget(50.0, 2000) == pytest.approx(25.0)
    with pytest.raises(SgnasError, match="0 evaluations"):
        at_spos_budget(1.0, 0)


def test_evaluation_based_costs_are_also_given_at_spos_budget():
    table = cost_for_n(per_target_costs(RECORDS), {"generator": OneTimeCost(50.0, 400)}, ns=(1, 10))
    row = table.set_index(["strategy", "N"])
    evolution = row.loc[("evolution", 10)]
    assert evolution["evaluations_per_target"] == 550
    # 100 s / 500 and 120 s / 600 evaluations: 200 s per target at 1000; measured stays next to it
    assert evolution["search_wall_s_at_spos_budget"] == pytest.approx(2000.0)
    assert evolution["search_wall_s"] == pytest.approx(1100.0)
    assert evolution["search_forward_passes_at_spos_budget"] == pytest.approx(20000)
    assert evolution["search_wall_s_at_spos_budget_vs_generator"] == pytest.approx(2000.0 / 50.2)
    # the generator and random sampling evaluate nothing: no extrapolated cost
    assert math.isnan(row.loc[("generator", 1), "search_wall_s_at_spos_budget"])
    assert math.isnan(row.loc[("random", 1), "search_wall_s_at_spos_budget"])
    assert math.isnan(row.loc[("random", 1), "evaluations_per_target"])
    unrecorded = [{k: v for k, v in r.items() if k != "evaluations"} for r in RECORDS]
    assert cost_for_n(per_target_costs(unrecorded), ns=(1,))["search_wall_s_at_spos_budget"].isna().all()


def test_cost_is_one_time_plus_n_mean_searches_with_ratios_to_the_generator():
    table = cost_for_n(per_target_costs(RECORDS), {"generator": OneTimeCost(50.0, 400)}, OneTimeCost(1000.0, 9000),
                       ns=(1, 10))
    row = table.set_index(["strategy", "N"])
    assert row.loc[("generator", 10), "search_wall_s"] == pytest.approx(50.0 + 10 * 0.02)
    assert row.loc[("generator", 10), "search_forward_passes"] == 400
    assert row.loc[("evolution", 10), "search_wall_s"] == pytest.approx(1100.0)
    assert row.loc[("evolution", 1), "search_forward_passes"] == 1100
    assert row.loc[("evolution", 10), "search_wall_s_vs_generator"] == pytest.approx(1100.0 / 50.2)
    assert row.loc[("evolution", 10), "end_to_end_wall_s"] == pytest.approx(2100.0)
    # Random sampling's accuracy estimate only reports; counted only when asked for.
    assert row.loc[("random", 1), "search_forward_passes"] == 0
    with_reporting = cost_for_n(per_target_costs(RECORDS, include_reporting=True), ns=(1,)).set_index("strategy")
    assert with_reporting.loc["random", "search_forward_passes"] == 4
    assert with_reporting.loc["random", "search_wall_s"] == pytest.approx(0.501)


def test_unrecorded_one_time_forward_passes_stay_missing():
    table = cost_for_n(per_target_costs(RECORDS), {"generator": OneTimeCost(50.0, None)}, ns=(3,))
    generator = table.set_index("strategy").loc["generator"]
    assert math.isnan(generator["search_forward_passes"]) and generator["search_wall_s"] == pytest.approx(50.06)


def test_no_records_is_a_clear_error():
    with pytest.raises(SgnasError, match="no search records"):
        cost_for_n(pd.DataFrame(columns=["strategy", "target_macs_m", "wall_seconds", "forward_passes"]))


def test_command_reads_runs_and_writes_the_table(tmp_path, capsys):
    runs = tmp_path / "runs"
    RunDir.open(runs, "search", {"strategy": "mixed", "search": {"budget": 600}}, seed=0).finish(
        {"results": RECORDS, "summary": {}})
    RunDir.open(runs, "generator", {"epochs": 1}, seed=0).finish({"seconds_this_session": 50.0, "history": []})
    RunDir.open(runs, "supernet", {"epochs": 1}, seed=0).finish({"wall_seconds": 1000.0, "forward_passes": 9000})
    assert len(load_search_records(runs)) == len(RECORDS)
    one_time, supernet = load_one_time_costs(runs)
    assert one_time["generator"] == OneTimeCost(50.0, None, one_time["generator"].source)
    assert supernet.wall_seconds == 1000.0 and supernet.forward_passes == 9000
    out = tmp_path / "out"
    assert main(["--runs-dir", str(runs), "--out", str(out), "--ns", "1", "3"]) == 0
    written = pd.read_csv(out / "cost_for_n.csv")
    assert sorted(written["N"].unique()) == [1, 3] and set(written["strategy"]) == {"generator", "evolution", "random"}
    budgets = written.set_index("strategy")["evaluation_budget"]
    assert (budgets["evolution"] == 600).all() and budgets["generator"].isna().all()
    assert (out / "cost_for_n.md").exists() and "Search cost for N targets" in capsys.readouterr().out


def test_command_reports_unmeasured_runs_and_missing_folders(tmp_path, capsys):
    runs = tmp_path / "runs"
    RunDir.open(runs, "search", {}, seed=0).finish({"results": RECORDS})
    RunDir.open(runs, "generator", {}, seed=0).finish({"epochs": 3})
    assert main(["--runs-dir", str(runs), "--out", str(tmp_path / "out")]) == 2
    assert "records no wall_seconds" in capsys.readouterr().err
    assert main(["--runs-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err
