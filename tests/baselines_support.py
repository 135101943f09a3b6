"""Test doubles for the baseline strategies: an evaluator with a known fitness and tiny search spaces."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import torch

from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import SearchSpace, get_space

__all__ = ["FakeEvaluator", "PASSES_PER_EVALUATION", "macs_fitness", "one_thread", "tiny_space"]

#: forward passes the fake evaluator books per architecture (as a few validation batches would)
PASSES_PER_EVALUATION = 3


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Torch on one thread for the test: tiny tensor ops are many times slower when threads contend for cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_space(num_layers: int = 19) -> SearchSpace:
    """The CIFAR space at width 0.25 and 16x16 inputs, cut to its first ``num_layers`` layers."""
    space = get_space("cifar", resolution=16, width=0.25)
    return space.with_(
        layer_channels=space.layer_channels[:num_layers], layer_strides=space.layer_strides[:num_layers]
    )


def macs_fitness(cost_model: CostModel) -> Callable[[Architecture], float]:
    """A synthetic accuracy that grows with MACs and prefers k5, so searches have something to find."""

    def fitness(arch: Architecture) -> float:
        k5 = sum(ops.count("k5") for ops in arch.layers)
        return cost_model.macs(arch) / 1e6 + 0.01 * k5

    return fitness


class FakeEvaluator:
    """An :class:`sgnas.search.strategy.Evaluator` with a known fitness that records every evaluation."""

    def __init__(self, cost_model: CostModel, fitness: Callable[[Architecture], float]) -> None:
        self.cost_model = cost_model
        self.fitness = fitness
        self.forward_passes = 0
        self.calls: list[tuple[Architecture, float]] = []

    def accuracy(self, arch: Architecture) -> float:
        self.forward_passes += PASSES_PER_EVALUATION
        score = self.fitness(arch)
        self.calls.append((arch, score))
        return score
