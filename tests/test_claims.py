"""Claims summary and Tables B/C over result files (replication.claims, replication.proxy_tables)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from synthetic_results import BUDGETS, METHODS, SEEDS, write_synthetic_results

from replication import claims
from replication.claims import (
    NOT_REPRODUCED,
    NOT_TESTABLE,
    REPRODUCED,
    VERDICTS,
    claims_table,
    evaluate_claims,
)
from replication.proxy_tables import table_b, table_c
from replication.results import FILES, read_csv, write_csv


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
    cost.loc[cost["method"] != "sgnas", "wall_seconds"] = 150.0
    write_csv(results, "cost_vs_n", cost.to_dict("records"), cost.columns)
    assert claims.claim_4n_faster(results).verdict == NOT_REPRODUCED


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
    assert float(spos["SGNAS speed-up (x)"]) == pytest.approx(6000 / 100.1, rel=1e-3)
    sgnas = frame[frame["Method"] == "SGNAS (generator)"]
    assert set(sgnas["SGNAS speed-up (x)"]) == {"1.0"}


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
