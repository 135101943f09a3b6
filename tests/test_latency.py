"""Latency as a cost model of NAS-Bench-201 (the fitted table, the measurement, bad files) and the latency track
at the smoke plan (Table E's inputs, its claims)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from nasbench201_support import real_latency_path, write_latency, write_table

from replication.claims import claim_latency_one_generator, claim_latency_targets
from replication.feasibility import feasible
from replication.latency import METHODS, main, run_latency
from replication.pareto import pareto_front
from replication.results import read_csv, read_json
from replication.stats import NOT_RUN, VERDICTS
from replication.tables.latency_fit import latency_fit
from replication.tables.table_e import table_e
from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell
from sgnas.spaces.nasbench201.latency import load_latency

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pd.DataFrame, np.ndarray, float]:
    folder = tmp_path_factory.mktemp("latency")
    accuracy = write_table(folder / "table.csv")
    latency, table, base = write_latency(folder / "latency.csv", list(accuracy["ArchitectureString"]))
    return folder / "table.csv", folder / "latency.csv", latency, table, base


def test_the_fitted_table_reproduces_an_additive_device_exactly(files):
    _, path, frame, table, base = files
    model = load_latency(path=path).cost_model("additive")
    assert model.fit.r2 == pytest.approx(1.0, abs=1e-9)
    cells = [Cell.from_string(s) for s in frame["ArchitectureString"].iloc[:200]]
    estimates = [model.estimate(cell) for cell in cells]
    np.testing.assert_allclose(estimates, frame["additive"].iloc[:200], atol=1e-8)
    # the non-additive device is fitted, not reproduced: its table explains most, not all, of the variance
    measured = load_latency(path=path).cost_model("measured").fit
    assert 0.5 < measured.r2 < 0.999


def test_eyeriss_is_additive_and_the_phones_are_not():
    table = load_latency(path=real_latency_path())
    eyeriss = table.cost_model("eyeriss")
    assert eyeriss.fit.r2 > 0.99999 and eyeriss.fit.mae_ms < 1e-3
    assert table.cost_model("pixel2").fit.r2 < 0.85
    assert (eyeriss.fit.table >= 0).all() and eyeriss.fit.base >= 0


def test_a_cells_exact_cost_is_its_row_in_the_file(files):
    _, path, frame, _, _ = files
    model = load_latency(path=path).cost_model("measured")
    for row in (0, 17, 15624):
        assert model.measured(Cell.from_string(frame.at[row, "ArchitectureString"])) == frame.at[row, "measured"]
    real = real_latency_path()
    first = pd.read_csv(real, nrows=3)
    model = load_latency(path=real).cost_model("pixel3")
    for _, row in first.iterrows():
        assert model.measured(Cell.from_string(row["ArchitectureString"])) == row["pixel3"]


def test_expected_latency_of_a_one_hot_cell_is_its_estimate_and_has_gradients(files):
    _, path, frame, _, _ = files
    model = load_latency(path=path).cost_model("measured")
    cell = Cell.from_string(frame.at[5, "ArchitectureString"])
    one_hot = torch.zeros(NUM_EDGES, len(OPS), dtype=torch.float64)
    one_hot[torch.arange(NUM_EDGES), torch.tensor(cell.op_indices())] = 1.0
    assert float(model.expected_macs(one_hot)) == pytest.approx(model.estimate(cell))
    logits = torch.zeros(NUM_EDGES, len(OPS), dtype=torch.float64, requires_grad=True)
    model.expected_macs(logits.softmax(-1)).backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0
    low, high = model.macs_range()
    assert 0 <= low < high


def test_a_device_that_is_not_a_column_is_one_line_naming_the_columns(files):
    _, path, _, _, _ = files
    with pytest.raises(SgnasError, match="device 'pixel9' is not a column .*; choose one of additive, measured"):
        load_latency(path=path).cost_model("pixel9")


@pytest.mark.parametrize("value", ["", "nan", "inf", "-1", "fast"])
def test_a_missing_or_non_finite_latency_is_one_line_before_anything_trains(files, tmp_path, value):
    table, path, frame, _, _ = files
    bad = frame.astype({"measured": object})
    bad.at[42, "measured"] = value
    broken = tmp_path / "latency.csv"
    bad.to_csv(broken, index=False)
    out = tmp_path / "out"
    with pytest.raises(SgnasError, match=r"latency table .*, row 42: measured is .*not a finite latency"):
        run_latency("smoke", [0], out, table=table, latency=broken, devices=["additive"])
    assert not out.exists()


def test_the_pareto_front_is_every_cell_no_other_beats():
    rng = np.random.default_rng(0)
    latency, accuracy = rng.uniform(1, 10, 300).round(1), rng.uniform(50, 95, 300).round(0)
    front = set(pareto_front(latency, accuracy).tolist())
    for i in range(300):
        dominated = ((latency <= latency[i]) & (accuracy >= accuracy[i])
                     & ((latency < latency[i]) | (accuracy > accuracy[i]))).any()
        # the front holds one cell per non-dominated (latency, accuracy) point: a tie keeps the first
        twin = any(latency[j] == latency[i] and accuracy[j] == accuracy[i] for j in front if j != i)
        assert (i in front) == (not dominated and (i in front or not twin)), i
    assert {(latency[i], accuracy[i]) for i in front} == {
        (latency[i], accuracy[i]) for i in range(300)
        if not ((latency <= latency[i]) & (accuracy >= accuracy[i]) & ((latency < latency[i]) | (accuracy > accuracy[i]))).any()}


@pytest.fixture(scope="module")
def track(files, tmp_path_factory: pytest.TempPathFactory) -> Path:
    table, latency, _, _, _ = files
    out = tmp_path_factory.mktemp("track")
    run_latency("smoke", [0], out, table=table, latency=latency, devices=["additive", "measured"])
    return out


def test_every_method_budget_and_device_is_judged_by_the_measurement(track, files):
    _, _, frame, _, _ = files
    search = read_csv(track, "latency_search")
    assert set(search["method"]) == set(METHODS) and set(search["device"]) == {"additive", "measured"}
    assert len(search) == 2 * len(METHODS) * 4
    truth = frame.set_index("ArchitectureString")
    for _, row in search.iterrows():
        assert row["latency_ms"] == pytest.approx(truth.at[row["architecture"], row["device"]])
    oracle = search[search["method"] == "oracle"]
    limits = search["limit_ms"].fillna(np.inf)  # unconstrained: no limit
    assert (oracle["latency_ms"] <= limits[oracle.index]).all() and (oracle["regret"] == 0).all()
    # unconstrained is no limit: every cell keeps it, and its oracle is the best cell of the table
    free = search[search["budget"] == "unconstrained"]
    assert free["limit_ms"].isna().all() and free["within_budget"].all() and feasible(free).all()
    assert set(oracle.loc[oracle["budget"] == "unconstrained", "cifar10"]) == {frame_best(files)}
    searched = search[search["method"].isin(["random-sampling", "random-search", "fairnas-evolution"])]
    assert (searched["estimate_ms"] <= limits[searched.index] + 1e-9).all()  # every baseline keeps the table's limit
    sweep = read_csv(track, "latency_sweep")
    assert set(sweep["method"]) == {"sgnas", "prior-only"}
    assert set(read_csv(track, "latency_fit")["device"]) == {"additive", "measured"}
    manifest = read_json(track, "latency_manifest")
    assert manifest["devices"] == {"additive": "other", "measured": "other"}
    assert {generator["unit"] for generator in manifest["generators"]} == {"ms"}  # its *_m values are milliseconds


def frame_best(files) -> float:
    table, _, _, _, _ = files
    return float(pd.read_csv(table)["CIFAR10TestAccuracy200Epochs"].max())


def test_table_e_and_the_latency_claims_read_the_track(track):
    table = table_e(track)
    assert table is not None and len(table.frame) == 2 * 4 * len(METHODS)
    assert latency_fit(track) is not None
    for claim in (claim_latency_targets(track), claim_latency_one_generator(track)):
        assert claim.verdict in VERDICTS and claim.evidence
    empty = track / "nothing"
    empty.mkdir()
    assert table_e(empty) is None and claim_latency_targets(empty).verdict == NOT_RUN


def test_the_latency_figures_draw_the_track(track):
    from reports.figures.latency import latency_pareto, latency_targets

    for function in (latency_targets, latency_pareto):
        figure = function(track)
        assert len(figure.axes) == 2 and all(ax.has_data() for ax in figure.axes)  # one panel per device


def test_a_second_run_reuses_every_run(track, files, capsys):
    table, latency, _, _, _ = files
    code = main(["--plan", "smoke", "--seeds", "0", "--results", str(track), "--table", str(table),
                 "--latency", str(latency), "--devices", "additive", "measured"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "generator:" not in err and "supernet:" not in err  # nothing trained again


def test_an_unknown_device_on_the_command_line_is_one_line(files, tmp_path, capsys):
    table, latency, _, _, _ = files
    code = main(["--plan", "smoke", "--results", str(tmp_path / "out"), "--table", str(table), "--latency",
                 str(latency), "--devices", "pixel9"])
    err = capsys.readouterr().err
    assert code != 0 and not (tmp_path / "out").exists()
    assert err.strip().count("\n") == 0 and "pixel9" in err and "additive" in err
