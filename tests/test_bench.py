"""``sgnas bench supernet`` runs end to end on a tiny setting and ends with the speedup line (no timing asserted)."""

from __future__ import annotations

import argparse
import json
import re

import pytest
import torch

from sgnas._infra.errors import SgnasError
from sgnas.cli import bench


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench.register(parser.add_subparsers())
    return parser.parse_args(["bench", "supernet", *argv])


def test_tiny_benchmark_reports_numerics_memory_and_speedup(tmp_path, capsys):
    threads = torch.get_num_threads()
    out_file = tmp_path / "bench.json"
    args = _args("--width", "0.25", "--resolution", "16", "--batch", "2", "--repeats", "2", "--steps", "1",
                 "--json", str(out_file))
    try:
        assert bench.run(args) == 0
    finally:
        torch.set_num_threads(threads)
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"fused_vs_reference_speedup=\d+\.\d\d", lines[-1])
    result = json.loads(out_file.read_text())
    assert set(result["seconds_per_step"]) == {"fast", "reference", "timm", "relaxed"}
    assert set(result["images_per_second"]) == set(result["seconds_per_step"])
    assert all(len(values) == 2 for values in result["seconds_per_step"].values())
    # Relative to the reference's scale: float64 gradients measure ~6e-14 and float32 logits ~3e-7 of
    # theirs (through 19 blocks of sums in another order), while a wrong op or slice is O(1).
    assert result["numerics"]["train_float64_gradient"] < 1e-9
    assert result["numerics"]["eval_float32_output"] < 1e-5
    assert all(mib > 0 for mib in result["saved_activation_mib"].values())


def test_a_preset_gives_width_resolution_and_batch_unless_given(tmp_path):
    threads = torch.get_num_threads()
    out_file = tmp_path / "bench.json"
    try:
        assert bench.run(_args("--preset", "smoke", "--batch", "3", "--repeats", "1", "--steps", "1", "--no-timm",
                               "--json", str(out_file))) == 0
    finally:
        torch.set_num_threads(threads)
    result = json.loads(out_file.read_text())
    assert (result["space"]["width"], result["space"]["resolution"], result["batch"]) == (0.1, 8, 3)
    assert set(result["seconds_per_step"]) == {"fast", "reference", "relaxed"}


def test_bad_options_are_refused():
    with pytest.raises(SgnasError, match="--repeats"):
        bench.run(_args("--repeats", "0"))


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--device", "tpu", "device .tpu. is not one this runs on"),
    ("--device", "meta", "device .meta. is not one this runs on"),
    ("--width", "1000", "--width must be from 0.05 to 4"),
    ("--resolution", "4", "resolution 4 is below 8"),
    ("--json", "FILE/out.json", "is a file, not a folder"),
    ("--json", "DIR", "is a folder; give a file path"),
    ("--preset", "nope", "unknown preset 'nope'"),
])
def test_a_bad_device_or_output_path_is_refused_before_the_benchmark_runs(tmp_path, monkeypatch, option, value,
                                                                         message):
    (tmp_path / "FILE").write_text("")
    monkeypatch.setattr(bench, "numerics", lambda *a, **k: pytest.fail("the benchmark ran"))
    value = value.replace("FILE", str(tmp_path / "FILE")).replace("DIR", str(tmp_path))
    with pytest.raises(SgnasError, match=message):
        bench.run(_args(option, value))
