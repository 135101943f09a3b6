"""The redundancy study: sampler replays with and without forced sampling, and accuracy spreads (replication.redundancy)."""

from __future__ import annotations

import numpy as np
import pytest

from replication.redundancy import accuracy_spread, canonical_layers, count_summary, replay_sampler
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import SUB_BLOCKS, get_space


def test_canonical_layers_are_the_counted_multisets() -> None:
    layers = canonical_layers()
    counts = count_summary(get_space("cifar"))
    assert len(layers) == counts["layer_canonical"] == 80
    assert counts["log10_canonical"] < counts["log10_ordered"]
    assert int(counts["ordered"]) == counts["layer_ordered"] ** counts["num_layers"]


@pytest.mark.parametrize("sampler", ["strict-fair", "uniform"])
def test_replay_with_and_without_forced_sampling(sampler: str) -> None:
    on = replay_sampler(sampler, num_layers=3, steps=30, seed=0, forced_sampling=True)
    off = replay_sampler(sampler, num_layers=3, steps=30, seed=0, forced_sampling=False)
    assert on["noncanonical_fraction"] == 0.0
    assert off["noncanonical_fraction"] > 0.5
    for replay in (on, off):
        assert sum(replay["multiset_visits"]) == replay["sampled_layers"]
        assert np.all(np.sum(replay["position_op_counts"], axis=1) == replay["sampled_layers"])
    # FS keeps what is trained (the multisets) and puts all of it on the canonical arrangement
    assert on["multiset_visits"] == off["multiset_visits"]
    assert on["canonical_visits"] == on["multiset_visits"]
    assert sum(off["canonical_visits"]) < sum(on["canonical_visits"])
    assert max(on["arrangements_trained"]) == 1 and max(off["arrangements_trained"]) > 1


class _PositionSensitive:
    """A stand-in evaluator whose accuracy depends on where the skips sit."""

    def accuracy(self, arch: Architecture) -> float:
        return float(sum(i for ops in arch.layers for i, op in enumerate(ops) if op == "skip"))


def test_accuracy_spread_measures_arrangements_of_the_same_ops() -> None:
    spread = accuracy_spread(_PositionSensitive(), num_layers=4, multisets=3, arrangements=5, seed=1)
    assert spread["arrangements_per_multiset"] == 6
    for record in spread["multisets"]:
        archs = [Architecture.from_string(a) for a in record["arrangements"]]
        assert archs[0].is_canonical() and archs[0].to_string() == record["canonical"]
        assert {a.canonical() for a in archs} == {archs[0]}  # the same ops in every arrangement
        assert len(record["accuracies"]) == 6
    assert any(np.std(r["accuracies"]) > 0 for r in spread["multisets"])
    assert all(len(ops) == SUB_BLOCKS for ops in Architecture.from_string(spread["multisets"][0]["canonical"]).layers)
