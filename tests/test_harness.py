"""The replication harness end to end at smoke scale: every method, result files, and reuse of finished runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from replication.harness import METHODS, NS, PLANS, build_tables, load_plan
from replication.results import METHOD_LABELS, read_csv, read_manifest
from sgnas.errors import SgnasError


def test_every_method_has_a_label_and_every_plan_a_valid_config() -> None:
    assert set(METHODS) == set(METHOD_LABELS)
    for name in PLANS:
        plan, config = load_plan(name, seed=3)
        assert config.seed == 3 and config.preset == plan.preset
    with pytest.raises(SgnasError):
        load_plan("huge")


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_harness_writes_every_table_and_reuses_its_runs(tmp_path: Path, data_dir: Path) -> None:
    results = tmp_path / "results"
    tables = build_tables("smoke", [0], results, data_dir=data_dir, redundancy_spread=False)
    assert [t.name for t in tables] == ["table_b", "table_c", "claims"]
    search = read_csv(results, "search")
    assert len(search) == len(METHODS) * 3
    assert search[["macs_m", "params_m", "supernet_accuracy", "standalone_top1"]].notna().all().all()
    assert len(read_csv(results, "cost_vs_n")) == len(METHODS) * len(NS)
    assert not read_csv(results, "generator_sweep").empty
    manifest = read_manifest(results)
    assert manifest["seeds"] == [0] and manifest["indicative"] and manifest["runs"]["supernet"]
    runs_before = sorted(p.name for p in (results / "runs").glob("*/*"))
    start = time.perf_counter()
    build_tables("smoke", [0], results, data_dir=data_dir, redundancy_spread=False)
    assert sorted(p.name for p in (results / "runs").glob("*/*")) == runs_before  # nothing retrained
    assert read_csv(results, "search").equals(search)
    assert time.perf_counter() - start < 60
