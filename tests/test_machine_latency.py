"""Latency on this machine as a cost model of the unified space: ``sgnas latency-table``, the table model, timing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from sgnas._infra.errors import SgnasError
from sgnas.cli import main
from sgnas.export.latency import measure_table, time_architecture, time_module
from sgnas.spaces.unified.architecture import random_architecture
from sgnas.spaces.unified.latency import LatencyTableModel
from sgnas.spaces.unified.space import OPS, get_space

SPACE = get_space("cifar", width=0.1, resolution=8)


@pytest.fixture(scope="module")
def measured() -> tuple[LatencyTableModel, dict]:
    return measure_table(SPACE, threads=1, batch=2, min_seconds=0.001)


def test_the_table_has_a_non_negative_cost_per_layer_and_kernel_and_none_for_skip(measured):
    model, details = measured
    assert model.table.shape == (SPACE.num_layers, len(OPS))
    assert (model.table >= 0).all() and (model.table[:, OPS.index("skip")] == 0).all()
    assert model.fixed > 0 and len(details["timings"]) == 9 * (SPACE.num_layers + 3)
    assert all(t["median_ms"] > 0 and t["iqr_ms"] >= 0 and t["repeats"] >= 7 for t in details["timings"])
    low, high = model.macs_range()
    assert model.fixed < low < high


def test_expected_latency_of_a_one_hot_architecture_is_its_estimate(measured):
    model, _ = measured
    arch = random_architecture(SPACE.num_layers, np.random.default_rng(0), False)
    one_hot = torch.zeros(SPACE.num_layers, 6, len(OPS), dtype=torch.float64)
    for layer, row in enumerate(arch.op_indices()):
        one_hot[layer, torch.arange(6), torch.tensor(row)] = 1.0
    assert float(model.expected_macs(one_hot)) == pytest.approx(model.estimate(arch))
    logits = torch.zeros(SPACE.num_layers, 6, len(OPS), dtype=torch.float64, requires_grad=True)
    model.expected_macs(logits.softmax(-1)).backward()
    assert torch.isfinite(logits.grad).all()
    with pytest.raises(SgnasError, match="convention latency"):
        model.macs(arch, "conv")


def test_a_table_of_the_wrong_shape_or_sign_or_file_is_one_line(measured, tmp_path):
    model, _ = measured
    with pytest.raises(SgnasError, match="shape"):
        LatencyTableModel(SPACE, model.table[:-1], model.fixed)
    with pytest.raises(SgnasError, match="non-negative"):
        LatencyTableModel(SPACE, -model.table, model.fixed)
    (tmp_path / "bad.json").write_text("{\"table_ms\": 3}")
    with pytest.raises(SgnasError, match="is not a latency table"):
        LatencyTableModel.load(tmp_path / "bad.json", SPACE)
    with pytest.raises(SgnasError, match="missing"):
        LatencyTableModel.load(tmp_path / "none.json", SPACE)


def test_timing_a_whole_model_and_a_module_gives_a_median_and_its_spread():
    arch = random_architecture(SPACE.num_layers, np.random.default_rng(1), True)
    timing = time_architecture(arch, SPACE, threads=1, batch=2, min_seconds=0.001)
    assert timing.median_ms > 0 and timing.iqr_ms >= 0 and timing.repeats >= 7
    before = torch.get_num_threads()
    time_module(torch.nn.Identity(), torch.zeros(1), threads=1, min_seconds=0.001)
    assert torch.get_num_threads() == before  # the timing's threads do not leak into the caller


def _command(tmp_path: Path, capsys: pytest.CaptureFixture, *extra: str) -> tuple[int, str, str]:
    code = main(["latency-table", "--preset", "smoke", "--batch", "2", "--check", "2", "--min-seconds", "0.001",
                 "--runs-dir", str(tmp_path / "runs"), "--json", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_writes_a_run_and_reuses_it(tmp_path, capsys):
    code, out, err = _command(tmp_path, capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["settings"] == {"input_size": 8, "batch": 2, "threads": 1, "min_seconds": 0.001, "check": 2}
    table = json.loads(Path(summary["table"]).read_text())
    assert len(table["table_ms"]) == get_space("cifar", width=0.1, resolution=8).num_layers
    run = Path(summary["run"])
    assert (run / "metrics.jsonl").read_text().count("end_to_end") == 2
    code, out, err = _command(tmp_path, capsys)
    assert code == 0 and json.loads(out)["run"] == summary["run"]
    assert "latency table" not in err  # nothing timed again


@pytest.mark.parametrize(("option", "message"), [
    (("--batch", "0"), "--batch must be at least 1"),
    (("--min-seconds", "-1"), "--min-seconds must be in"),
    (("--input-size", "3"), "--input-size 3: space: resolution 3 is below 8"),
])
def test_bad_options_are_one_line(tmp_path, capsys, option, message):
    code, _, err = _command(tmp_path, capsys, *option)
    assert code != 0 and message in err
    assert err.strip().count("\n") == 0 and not (tmp_path / "runs").exists()


def _machine_results(folder: Path, generator_error: float, with_prior: bool = True) -> Path:
    """machine_latency.{csv,json} as the study writes them: targets, the generator's and the prior's timed finds."""
    from replication.machine_latency import COLUMNS
    from replication.results import write_csv, write_json

    rows = []
    for i, target in enumerate(np.linspace(20.0, 40.0, 6)):
        rows.append({"seed": 0, "method": "sgnas", "target_ms": target, "estimate_ms": target,
                     "measured_ms": target * (1 + generator_error * (-1) ** i), "measured_iqr_ms": 0.4,
                     "architecture": "a"})
        if with_prior:
            rows.append({"seed": 0, "method": "prior-only", "target_ms": target, "estimate_ms": 30.0,
                         "measured_ms": 30.0, "measured_iqr_ms": 0.4, "architecture": "b"})
    write_csv(folder, "machine_latency", rows, COLUMNS)
    write_json(folder, "machine_latency_meta", {"plan": "smoke", "seed": 0, "batch": 2, "generator": {}, "table": {
        "run": "runs/latency-table/x", "settings": {"input_size": 8, "batch": 2, "threads": 1, "check": 2},
        "range_ms": [10.0, 50.0], "median_relative_spread": 0.02,
        "table_vs_end_to_end": {"mean_error": -0.02, "mean_abs_error": 0.03, "max_abs_error": 0.05}}})
    return folder


def test_the_machine_latency_claim_table_and_figure_read_the_study(tmp_path):
    from replication.claims import CONTRADICTED, NOT_RUN, REPRODUCED, claim_machine_latency
    from replication.tables.machine_latency import machine_latency_table
    from reports.figures.latency import machine_latency

    close = _machine_results(tmp_path / "close", 0.02)
    assert claim_machine_latency(close).verdict == REPRODUCED  # 2% within the table's 3% + 5%, far below the prior
    assert claim_machine_latency(_machine_results(tmp_path / "far", 0.2)).verdict == CONTRADICTED
    table = machine_latency_table(close)
    assert table is not None and len(table.frame) == 6
    machine_latency(close)  # draws
    lacking = _machine_results(tmp_path / "no-prior", 0.02, with_prior=False)
    assert claim_machine_latency(lacking).verdict == NOT_RUN and machine_latency_table(lacking) is None
    assert claim_machine_latency(tmp_path / "nothing").verdict == NOT_RUN
