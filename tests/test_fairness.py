"""Per-position op frequencies of the samplers: strict fairness holds per sub-block only without forced sampling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from replication.fairness import fairness_table, main
from replication.redundancy import replay_sampler


def _shares(forced_sampling: bool) -> np.ndarray:
    counts = np.asarray(replay_sampler("strict-fair", 19, 60, 0, forced_sampling)["position_op_counts"], dtype=float)
    return counts / counts.sum(axis=1, keepdims=True)


def test_strict_fairness_is_fair_per_position_only_without_forced_sampling() -> None:
    free = _shares(forced_sampling=False)
    kernels = free[:, :3]
    assert (kernels.max(axis=1) - kernels.min(axis=1)).max() < 0.01, "every position trains each kernel alike"
    forced = _shares(forced_sampling=True)
    assert forced[0, 0] > 0.6 and forced[0, 3] == 0, "position 0 trains mostly k3 and never skips"
    assert forced[5, 0] < 0.01 and forced[5, 3] > 0.7, "position 5 mostly skips and almost never trains k3"
    assert abs(forced[:, :3].sum() - free[:, :3].sum()) < 0.1, "the layer's multiset is kept"


def test_the_table_covers_every_sampler_and_the_command_writes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = fairness_table(steps=5, samplers=["uniform"])
    assert len(table) == 12 and set(table["forced_sampling"]) == {True, False}
    assert main(["--steps", "5", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"fairness_samplers.csv", "fairness_samplers.md", "fairness_samplers.tex"}
    assert set(table["kernel_spread_pp"] >= 0) == {True}
    assert main(["--steps", "0", "--out", str(tmp_path)]) == 2
    assert "--steps must be from 1" in capsys.readouterr().err
    assert main(["--seed", "-1", "--out", str(tmp_path)]) == 2
    assert "--seed" in capsys.readouterr().err
