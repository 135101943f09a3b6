"""What every baseline search shares: its random stream, its evaluation budget, what it found and what it spent.

A search's random stream is fixed by the seed and the target (:func:`search_rng`),
so a search gives the same answer whatever ran before it. What a search
algorithm found on a space (:class:`Found`: the fittest architecture and every
fitness it measured) is the same whatever the space and whatever the fitness
(the supernet's estimate, or a benchmark's table). What it spent, wall seconds
and supernet forward passes, is turned into a SearchResult.

Every strategy reports its cost in the same currency (SPEC section 8: search cost
end to end), measured around the whole ``search`` call from the evaluator's own
forward-pass counter, so no strategy can leave part of its work off the bill.

As for SGNAS's generator (:class:`sgnas.search.generator.strategy.GeneratorStrategy`),
``wall_seconds`` and ``forward_passes`` are the cost of *choosing* the
architecture. Evaluating the chosen one only to report its accuracy (random
sampling's one evaluation, the gradient search's final one) is booked apart in
``extra["estimate_seconds"]`` and ``extra["estimate_forward_passes"]``; for
evolution and random search the reported accuracy is the one the choice was
made on, so nothing is booked apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.search.strategy import Evaluator, SearchResult
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel

__all__ = ["Fitness", "Found", "SearchMeter", "check_budget", "cost_model_of", "search_rng"]

#: the quality a search maximises, of one architecture of the space it searches
Fitness = Callable[[Any], float]


def search_rng(seed: int, target_macs: float) -> np.random.Generator:
    """The random stream of one search: fixed by the seed and the target, whatever ran before."""
    return np.random.default_rng([seed, int(round(target_macs))])


@dataclass
class Found:
    """What a search algorithm chose: the fittest of ``scores`` (the earliest evaluated among equals)."""

    best: Any
    #: every distinct architecture evaluated, in evaluation order, with its fitness
    scores: dict[Any, float]
    #: per generation, for searches that have generations
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fitness(self) -> float:
        return self.scores[self.best]

    @property
    def evaluations(self) -> int:
        return len(self.scores)


def check_budget(budget: int) -> None:
    if budget < 1:
        raise SgnasError(f"evaluation budget {budget} must be at least 1")


def cost_model_of(evaluator: Evaluator | None, cost_model: CostModel | None, strategy: str) -> CostModel:
    """The evaluator's cost model, else the strategy's own (searches without accuracy estimates)."""
    if evaluator is not None:
        return evaluator.cost_model
    if cost_model is None:
        raise SgnasError(f"the {strategy} strategy needs an evaluator or a cost model")
    return cost_model


class SearchMeter:
    """Started when a search starts; :meth:`result` closes the bill."""

    def __init__(self, evaluator: Evaluator | None, cost_model: CostModel) -> None:
        self.evaluator = evaluator
        self.cost_model = cost_model
        self.start_passes = self._passes()
        self.start_time = time.perf_counter()
        self.estimate_passes = 0
        self.estimate_seconds = 0.0

    def _passes(self) -> int:
        return self.evaluator.forward_passes if self.evaluator is not None else 0

    def estimate_accuracy(self, arch: Architecture) -> float | None:
        """The evaluator's accuracy of the chosen ``arch`` (None without one), booked apart from choosing."""
        if self.evaluator is None:
            return None
        passes, start = self._passes(), time.perf_counter()
        accuracy = self.evaluator.accuracy(arch)
        self.estimate_seconds += time.perf_counter() - start
        self.estimate_passes += self._passes() - passes
        return accuracy

    def result(
        self,
        strategy: str,
        target_macs: float,
        arch: Architecture,
        accuracy: float | None,
        extra_passes: int = 0,
        **extra: Any,
    ) -> SearchResult:
        """The search's result; ``extra_passes`` are forward passes spent outside the evaluator."""
        wall = time.perf_counter() - self.start_time - self.estimate_seconds
        passes = self._passes() - self.start_passes - self.estimate_passes + extra_passes
        cost = self.cost_model.cost(arch)
        return SearchResult(
            strategy=strategy,
            target_macs=float(target_macs),
            architecture=arch,
            macs=cost.macs,
            params=cost.params,
            accuracy=accuracy,
            wall_seconds=wall,
            forward_passes=passes,
            extra={"estimate_seconds": self.estimate_seconds, "estimate_forward_passes": self.estimate_passes,
                   **extra},
        )
