"""The NAS-Bench-201 ground-truth track at the smoke plan: files, true accuracies from the table, caching, bad input."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from nasbench201_support import write_table

from baselines.evolution import EvolutionSizes, evolve
from baselines.random_search import random_search
from replication.nasbench201 import (
    METHODS,
    UNCONSTRAINED,
    budget_limits,
    ranking_sample,
    run_nasbench201,
    top_precision,
)
from replication.plans import NB201_PRESETS, RANKING_STRATA, load_nb201, load_plan
from replication.results import read_csv, read_json
from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.benchmark import load_benchmark
from sgnas.spaces.nasbench201.bounded import CellSpace
from sgnas.spaces.nasbench201.cell import Cell

ROOT = Path(__file__).resolve().parents[1]
torch.set_num_threads(1)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("nb201")
    table = out / "table.csv"
    write_table(table)
    run_nasbench201("smoke", [0, 1], out, table=table)
    return out, table


def test_every_method_and_budget_is_measured_per_seed(smoke):
    out, _ = smoke
    search = read_csv(out, "nb201_search")
    assert set(search["method"]) == set(METHODS)
    assert len(search) == 2 * len(METHODS) * 4
    assert set(search["budget"]) == {"low", "mid", "high", UNCONSTRAINED}
    ranking = read_csv(out, "nb201_ranking")
    assert set(ranking["sampler"]) == {"nb201-uniform", "nb201-strict-fair", "nb201-unique"} and len(ranking) == 6
    assert ranking["kendall_tau"].between(-1, 1).all()
    manifest = read_json(out, "nb201_manifest")
    assert manifest["plan"] == "smoke" and manifest["seeds"] == [0, 1]
    assert manifest["seconds"] > 0 and "python" in manifest["environment"]  # the fields every study's manifest has


def test_every_reported_true_accuracy_is_the_tables_value_for_that_string(smoke):
    out, table = smoke
    raw = pd.read_csv(table).set_index("ArchitectureString")
    search = read_csv(out, "nb201_search")
    for _, row in search.iterrows():
        truth = raw.loc[row["architecture"]]
        assert row["cifar10"] == pytest.approx(truth["CIFAR10TestAccuracy200Epochs"], abs=1e-9)
        assert row["cifar100"] == pytest.approx(truth["CIFAR100TestAccuracy200Epochs"], abs=1e-9)
        assert row["imagenet16-120"] == pytest.approx(truth["ImageNetTestAccuracy200Epochs"], abs=1e-9)
    assert (search["regret"] >= -1e-9).all()
    searched = search[search["method"].isin(["random-search-true", "oracle", "random-sampling"])]
    assert searched["within_budget"].all()


def test_the_oracle_is_the_best_within_each_budget(smoke):
    out, table = smoke
    benchmark = load_benchmark(path=table)
    search = read_csv(out, "nb201_search")
    for _, row in search[search["method"] == "oracle"].iterrows():
        within = benchmark.frame[benchmark.frame["macs"] <= row["limit_macs_m"] * 1e6 + 1e-3]
        assert row["cifar10"] == pytest.approx(within["cifar10"].max())


def test_a_second_run_reuses_every_run(smoke):
    out, table = smoke
    before = read_csv(out, "nb201_search")
    supernets = sorted((out / "runs" / "nb201-supernet").iterdir())
    run_nasbench201("smoke", [0, 1], out, table=table)
    assert sorted((out / "runs" / "nb201-supernet").iterdir()) == supernets
    pd.testing.assert_frame_equal(read_csv(out, "nb201_search").drop(columns="search_seconds"),
                                  before.drop(columns="search_seconds"))


def test_ranking_sample_is_fixed_and_stratified_over_macs(smoke):
    _, table = smoke
    benchmark = load_benchmark(path=table)
    sample = ranking_sample(benchmark, 500)
    assert sample == ranking_sample(benchmark, 500) and len(set(sample)) == 500
    strata = np.array_split(np.argsort(benchmark.frame["macs"].to_numpy(), kind="stable"), RANKING_STRATA)
    assert all(len(set(sample) & set(s.tolist())) == 50 for s in strata)
    assert top_precision([3, 2, 1, 0] * 5, [3, 2, 1, 0] * 5) == 1.0


def test_searches_stay_within_the_limit_and_spend_at_most_their_budget():
    space = CellSpace()
    limit = 60e6
    truth = {cell: float(macs) for cell, macs in zip(space.cells, space.costs)}
    cells = space.within(limit)
    for found in (random_search(cells, truth.__getitem__, 30, np.random.default_rng(0)),
                  evolve(cells, truth.__getitem__, 30, np.random.default_rng(0), EvolutionSizes.for_budget(30))):
        assert space.cost_of(found.best) <= limit and found.evaluations <= 30
        assert all(space.cost_of(cell) <= limit for cell in found.scores)
        assert isinstance(found.best, Cell)


def test_budgets_outside_the_range_are_errors(smoke):
    _, table = smoke
    benchmark = load_benchmark(path=table)
    assert list(budget_limits(benchmark, [50, 100])) == ["50M", "100M", UNCONSTRAINED]
    with pytest.raises(SgnasError, match="outside the NAS-Bench-201 MACs range"):
        budget_limits(benchmark, [5.0])
    with pytest.raises(SgnasError, match=r"^budget given more than once: 50 \(give each once\)$"):
        budget_limits(benchmark, [50, 100, 50])


def test_duplicate_budgets_are_one_line_before_anything_is_written(smoke, tmp_path, capsys):
    from replication.nasbench201 import main

    _, table = smoke
    out = tmp_path / "out"
    assert main(["--plan", "smoke", "--results", str(out), "--table", str(table), "--budgets", "50", "50"]) == 2
    assert capsys.readouterr().err.strip() == "nasbench201: error: budget given more than once: 50 (give each once)"
    assert not out.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("search_budget", 15_626, "search_budget must be from 1 to 15,625 (the cells of the space), got 15626"),
    ("ranking_cells", 10**6, "ranking_cells must be from 10 to 15,625 (the cells of the space)"),
    ("sweep_targets", 10**6, "sweep_targets must be from 2 to 10,000 targets, got 1000000"),
    ("train_per_class", 10**8, "train_per_class must be from 1 to 10,000,000 images per class"),
    ("epochs", 0, "epochs must be at least 1, got 0"),
    ("lr", -0.1, "lr must be greater than 0, got -0.1"),
    ("channels", 0, "channels must be at least 1, got 0"),
    ("bn", "frozen", "bn must be one of batch-stats, running, got 'frozen'"),
])
def test_preset_fields_are_bounded_as_the_unified_config_bounds_them(field, value, message):
    import dataclasses

    with pytest.raises(SgnasError, match="^" + re.escape(f"nb201.{message}")):
        dataclasses.replace(NB201_PRESETS["smoke"], **{field: value})


def test_overrides_reach_every_field_of_the_track_through_the_plan():
    preset = load_nb201("quick", ["nb201.epochs=3", "nb201.train_per_class=null", "supernet.epochs=2"])
    assert preset is not None and (preset.epochs, preset.train_per_class) == (3, None)
    assert preset.channels == NB201_PRESETS["quick"].channels
    assert load_plan("quick", ["nb201.epochs=3", "supernet.epochs=2"])[1].supernet.epochs == 2


@pytest.mark.parametrize(("override", "message"), [
    ("nb201.epoch=3", "unknown config key 'nb201.epoch': nb201 has no field 'epoch' (fields: "),
    ("nb201.epochs=three", "nb201.epochs: expected an integer, got 'three'"),
    ("nb201.epochs=0", "nb201.epochs must be at least 1, got 0"),
    ("nb201.lr=.nan", "nb201.lr must be a finite number, got nan"),
    ("nb201.epochs", "override 'nb201.epochs' is not of the form section.field=value"),
    ("nb201.name=full", "config key 'nb201.name' cannot be set: it is what the preset is"),
    ("nb201.indicative=false", "config key 'nb201.indicative' cannot be set"),
    ("nb201.resolution=6", "nb201: macro network: resolution must be a multiple of 4, got 6"),
])
def test_bad_track_override_is_one_line_from_every_entry_point(override, message):
    for load in (load_nb201, load_plan):  # the main job checks the track's overrides with the config's
        with pytest.raises(SgnasError, match="^" + re.escape(message)):
            load("quick", [override])


def test_track_override_of_a_plan_without_the_track_is_refused(monkeypatch):
    from replication import plans

    monkeypatch.setitem(plans.PLANS, "no-track", plans.Plan("smoke"))
    with pytest.raises(SgnasError, match="plan no-track has no NAS-Bench-201 track"):
        load_plan("no-track", ["nb201.epochs=2"])


@pytest.mark.parametrize("problem", ["budget", "columns"])
def test_bad_input_is_one_error_line(smoke, tmp_path, problem):
    _, table = smoke
    args = ["--plan", "smoke", "--results", str(tmp_path / "out"), "--table", str(table)]
    if problem == "budget":
        args += ["--budgets", "500"]
    else:
        bad = tmp_path / "bad.csv"
        pd.read_csv(table).drop(columns="CIFAR100TestAccuracy200Epochs").to_csv(bad, index=False)
        args[args.index("--table") + 1] = str(bad)
    result = subprocess.run([sys.executable, "replication/nasbench201.py", *args], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error:" in lines[0]


def test_presets_are_sized_as_stated():
    quick, full = NB201_PRESETS["quick"], NB201_PRESETS["full"]
    assert quick.indicative and not full.indicative
    assert (full.channels, full.cells_per_stage, full.resolution) == (16, 5, 32)
    assert quick.ranking_cells >= 500 and full.ranking_cells >= 500
