"""Table D, the NAS-Bench-201 claims and figures from a smoke run of the ground-truth track."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from nasbench201_support import write_table

from replication.claims import (
    NOT_RUN,
    NOT_TESTABLE,
    STATUSES,
    claim_nb201_constraints,
    claim_nb201_generator_accuracy,
    claim_nb201_published_accuracy,
)
from replication.nasbench201 import METHODS, run_nasbench201
from replication.tables import TABLES
from replication.tables.table_d import PUBLISHED_SOURCE, table_d
from reports.figures import FIGURES

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nb201-tables")
    write_table(out / "table.csv")
    run_nasbench201("smoke", [0, 1], out, table=out / "table.csv")
    return out


def test_table_d_shows_published_and_measured_rows_with_their_plan(results):
    assert "table_d" in [spec.name for spec in TABLES]
    table = table_d(results)
    assert table is not None
    frame = table.frame
    published = frame[frame["Source"] == PUBLISHED_SOURCE]
    assert "93.53 ± 0.12" in set(published["CIFAR-10"]) and "0.50-0.54" in set(published["Kendall tau"])
    measured = frame[frame["Source"] == "measured, plan smoke (indicative)"]
    assert measured["Method"].str.startswith("Supernet ranking").sum() == 3
    assert (measured["Regret (CIFAR-10)"] != "").sum() == len(METHODS) * 4
    assert any("indicative" in note for note in table.notes)


def test_table_d_is_absent_without_the_track(tmp_path):
    assert table_d(tmp_path) is None


def test_the_nb201_claims_have_verdicts(results, tmp_path):
    for check in (claim_nb201_constraints, claim_nb201_generator_accuracy, claim_nb201_published_accuracy):
        assert check(results).verdict in STATUSES
        assert check(tmp_path).verdict == NOT_RUN
    assert claim_nb201_published_accuracy(results).verdict == NOT_TESTABLE  # smoke is indicative


@pytest.mark.parametrize("stem", ["nb201_landscape", "nb201_ranking", "nb201_regret"])
def test_the_figures_draw(results, stem):
    (function,) = [fn for name, _, fn in FIGURES if name == stem]
    assert function(results).axes
