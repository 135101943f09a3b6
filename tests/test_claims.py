"""Claims summary and Tables B/C over result files (replication.claims, replication.tables)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from synthetic_results import BUDGETS, EVALUATIONS, METHODS, SEEDS, write_synthetic_results

from replication import claims
from replication.claims import (
    NOT_REPRODUCED,
    NOT_TESTABLE,
    REPRODUCED,
    VERDICTS,
    evaluate_claims,
)
from replication.cost_for_n import AT_SPOS_BUDGET
from replication.results import FILES, read_csv, write_csv
from replication.tables.claims import claims_table
from replication.tables.table_b import table_b
from replication.tables.table_c import table_c


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    return write_synthetic_results(tmp_path / "results")


def _verdicts(results_dir: Path) -> dict[str, str]:
    return {check.__name__: check(results_dir).verdict for check in claims.CLAIMS}


def test_every_claim_has_a_verdict_and_evidence(results: Path) -> None:
    found = evaluate_claims(results)
    assert len(found) == len(claims.CLAIMS)
    for claim in found:
        assert claim.verdict in VERDICTS
        assert claim.evidence and claim.criterion and claim.source


def test_verdicts_on_the_synthetic_results(results: Path) -> None:
    verdicts = _verdicts(results)
    assert verdicts["claim_published_costs"] == REPRODUCED
    assert verdicts["claim_imagenet_accuracy"] == NOT_TESTABLE
    assert verdicts["claim_five_gpu_hours"] == NOT_TESTABLE
    assert verdicts["claim_one_forward_pass"] == REPRODUCED
    assert verdicts["claim_meets_constraints"] == REPRODUCED
    assert verdicts["claim_4n_faster"] == REPRODUCED
    assert verdicts["claim_competitive_accuracy"] == REPRODUCED
    assert verdicts["claim_fs_removes_redundancy"] == REPRODUCED
    assert verdicts["claim_fs_helps"] == REPRODUCED  # the synthetic no-fs variant is 1 point worse on every seed
    assert verdicts["claim_conv_generator"] == NOT_REPRODUCED  # no real difference in the synthetic errors
    assert verdicts["claim_lambda_sensitivity"] == REPRODUCED


def test_an_empty_results_folder_tests_nothing(tmp_path: Path) -> None:
    table = claims_table(tmp_path)
    assert set(table.frame["Verdict"]) == {NOT_TESTABLE}
    assert len(table.frame) == len(claims.CLAIMS)


def test_a_significantly_worse_sgnas_is_not_reproduced(results: Path) -> None:
    search = read_csv(results, "search")
    worse = search["method"] == "sgnas"
    search.loc[worse, "standalone_top1"] -= 5 + search.loc[worse, "seed"] * 0.1
    write_csv(results, "search", search.to_dict("records"), search.columns)
    claim = claims.claim_competitive_accuracy(results)
    assert claim.verdict == NOT_REPRODUCED
    assert "significantly lower" in claim.evidence


def test_published_costs_outside_tolerance_are_not_reproduced(results: Path) -> None:
    path = results / FILES["table_a"]
    table = pd.read_csv(path)
    table.loc[table["Model"] == "SGNAS-B", "MACs (M)"] = 340.0
    table.to_csv(path, index=False)
    assert claims.claim_published_costs(results).verdict == NOT_REPRODUCED


def test_slow_generation_and_cheap_peers_are_not_reproduced(results: Path) -> None:
    search = read_csv(results, "search")
    search.loc[search["method"] == "sgnas", "search_seconds"] = 0.5
    write_csv(results, "search", search.to_dict("records"), search.columns)
    assert claims.claim_one_forward_pass(results).verdict == NOT_REPRODUCED
    cost = read_csv(results, "cost_vs_n")
    cost.loc[cost["method"] != "sgnas", ["wall_seconds", "wall_seconds_at_spos_budget"]] = 150.0
    write_csv(results, "cost_vs_n", cost.to_dict("records"), cost.columns)
    assert claims.claim_4n_faster(results).verdict == NOT_REPRODUCED


def _old_cost_file(results: Path) -> None:
    """cost_vs_n.csv as the harness wrote it before it recorded evaluations."""
    cost = read_csv(results, "cost_vs_n")
    old = ["method", "seed", "n", "wall_seconds", "forward_passes", "one_time_seconds"]
    write_csv(results, "cost_vs_n", cost[old].to_dict("records"), old)


def test_4n_claim_is_judged_at_spos_budget_with_the_measured_budget_as_secondary_evidence(results: Path) -> None:
    # synthetic peers: 60 s for 60 evaluations per target (0.6x SGNAS's 100 s at N=1), 1000 s at 1000 evaluations
    claim = claims.claim_4n_faster(results)
    assert claim.verdict == REPRODUCED
    assert "1000 evaluations per target, extrapolated" in claim.criterion and "SGNAS's measured" in claim.criterion
    matched, secondary = claim.evidence.split("Secondary")
    assert "vs SPOS + evolution: N=1: 10.0x" in matched and "N=10: 99.9x" in matched
    assert f"({EVALUATIONS} of {EVALUATIONS} evaluations per target): N=1: 0.6x" in secondary


def test_4n_claim_fails_when_the_peers_are_cheap_at_spos_budget(results: Path) -> None:
    cost = read_csv(results, "cost_vs_n")
    peers = cost["method"].isin(claims.SINGLE_PATH_METHODS)
    # measured far above 4N x SGNAS, but the matched-budget cost decides: 300 s per target, 3x SGNAS at N=1
    cost.loc[peers, "wall_seconds"] = 1e6
    cost.loc[peers, "wall_seconds_at_spos_budget"] = 300.0 * cost.loc[peers, "n"]
    write_csv(results, "cost_vs_n", cost.to_dict("records"), cost.columns)
    assert claims.claim_4n_faster(results).verdict == NOT_REPRODUCED


def test_4n_claim_on_old_results_falls_back_to_measured_costs_and_says_so(results: Path) -> None:
    _old_cost_file(results)
    claim = claims.claim_4n_faster(results)
    assert claim.verdict == NOT_REPRODUCED  # 60 s per target measured is only 0.6x SGNAS at N=1
    assert "records no evaluation counts" in claim.evidence and "N=1: 0.6x" in claim.evidence
    assert "measured wall time of SPOS/FairNAS" in claim.criterion


def test_table_b_has_a_row_per_method_and_budget(results: Path) -> None:
    table = table_b(results)
    assert table is not None
    assert len(table.frame) == len(METHODS) * len(BUDGETS)
    first = table.frame.iloc[0]
    assert first["Method"] == "SGNAS (generator)" and first["Budget"] == "A"  # largest budget first
    assert "±" in first["Stand-alone top-1 (%)"]
    assert first["Seeds"] == ", ".join(str(s) for s in SEEDS)
    assert any("indicative" in note for note in table.notes)


def test_table_b_marks_unmeasured_stand_alone_accuracy(results: Path) -> None:
    search = read_csv(results, "search")
    search.loc[search["method"] == "proxyless", "standalone_top1"] = None
    write_csv(results, "search", search.to_dict("records"), search.columns)
    frame = table_b(results).frame
    assert set(frame.loc[frame["Method"] == "ProxylessNAS-style", "Stand-alone top-1 (%)"]) == {"not measured"}


def test_table_c_speedups(results: Path) -> None:
    table = table_c(results)
    assert table is not None
    frame = table.frame
    spos = frame[(frame["Method"] == "SPOS + evolution") & (frame["N"] == 10)].iloc[0]
    assert float(spos["SGNAS speed-up (x), measured"]) == pytest.approx(600 / 100.1, rel=1e-2)
    sgnas = frame[frame["Method"] == "SGNAS (generator)"]
    assert set(sgnas["SGNAS speed-up (x), measured"]) == {"1.0"}


def test_table_c_shows_measured_and_spos_budget_costs_side_by_side(results: Path) -> None:
    table = table_c(results)
    frame = table.frame.set_index(["Method", "N"])
    at = f", {AT_SPOS_BUDGET}"
    spos = frame.loc[("SPOS + evolution", 10)]
    assert spos["Evaluations / target"] == f"{EVALUATIONS} of {EVALUATIONS}"
    assert spos["Wall time (s), measured"] == "600.00 ± 0.00"
    assert spos["Wall time (s)" + at] == "10000.00 ± 0.00"  # 60 s for 60 evaluations -> 1000 s per target at 1000
    assert spos["Forward passes" + at] == round(2000 * 1000 / EVALUATIONS)
    assert float(spos["SGNAS speed-up (x)" + at]) == pytest.approx(10000 / 100.1, rel=1e-3)
    for method in ("SGNAS (generator)", "ProxylessNAS-style", "Random sampling"):
        assert frame.loc[(method, 1), "Wall time (s)" + at] == "as measured"
        assert frame.loc[(method, 1), "Evaluations / target"] == "–"
    assert any("extrapolated to SPOS's 1000 evaluations" in note and "50 x 20" in note for note in table.notes)
    assert any(note.startswith("ProxylessNAS-style: one gradient search run per target") for note in table.notes)


def test_table_c_of_old_results_shows_measured_costs_and_says_why(results: Path) -> None:
    _old_cost_file(results)
    table = table_c(results)
    assert not [c for c in table.frame.columns if "extrapolated" in str(c)]
    assert len(table.frame) == len(METHODS) * 4
    assert any("predate the evaluation counts" in note for note in table.notes)


def test_tables_are_none_without_their_files(tmp_path: Path) -> None:
    assert table_b(tmp_path) is None
    assert table_c(tmp_path) is None


def test_fs_claim_prefers_stand_alone_accuracy_when_measured(results: Path) -> None:
    ablation = read_csv(results, "ablation")
    budgets = ablation["budget"].notna()
    # stand-alone says the opposite of the supernets: no-fs better by 2 points on every seed (with spread)
    ablation.loc[budgets, "standalone_top1"] = 60.0 + ablation.loc[budgets, "seed"] * 0.3
    ablation.loc[budgets & (ablation["variant"] == "no-fs"), "standalone_top1"] += 2.0 + ablation["seed"] * 0.1
    write_csv(results, "ablation", ablation.to_dict("records"), ablation.columns)
    claim = claims.claim_fs_helps(results)
    assert claim.verdict == NOT_REPRODUCED
    assert claim.evidence.startswith("standalone_top1")
