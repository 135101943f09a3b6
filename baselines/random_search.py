"""Random sampling and random search: the baselines every NAS comparison owes (Li & Talwalkar, UAI 2019).

Lindauer & Hutter (JMLR 2020, best practice 3) ask for both under the same
budget as the method under study:

* :class:`RandomSampling` draws one architecture uniformly from those within the
  MACs target: what the search space gives for free. Its accuracy is only
  estimated for the report, so choosing costs no supernet forward pass.
* :class:`RandomSearch` draws N architectures the same way and keeps the one
  the supernet rates best; N defaults to the evaluation budget the caller gives
  every strategy (SPOS's evolution spends 50 x 20 = 1000).

The algorithms are :func:`random_sampling` and :func:`random_search`, on any
space's architectures within a cost limit
(:class:`sgnas.spaces.protocol.BoundedSpace`) and any fitness; an architecture
drawn twice is evaluated once. The strategies run them on the unified space
(:class:`sgnas.spaces.unified.entry.UnifiedBounded`: by default uniform over the
feasible architectures, canonical ones under forced sampling, or with
``measure="spos"`` as SPOS's uniform sampler would draw them) with the
supernet's estimate, on any space's architectures (NAS-Bench-201 cells too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from baselines._accounting import Fitness, Found, SearchMeter, check_budget, cost_model_of, search_rng
from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress
from sgnas.registry import STRATEGIES
from sgnas.search.strategy import Evaluator, SearchContext, SearchResult, SearchStrategy
from sgnas.spaces.protocol import BoundedSpace
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.entry import UnifiedBounded

__all__ = ["RandomSampling", "RandomSearch", "random_sampling", "random_search"]


def random_sampling(space: BoundedSpace, rng: np.random.Generator) -> Any:
    """One architecture drawn from ``space`` (no evaluation): what the space gives for free."""
    return space.sample(rng)


def random_search(space: BoundedSpace, fitness: Fitness, draws: int, rng: np.random.Generator,
                  desc: str = "random search") -> Found:
    """The fittest of ``draws`` draws from ``space``, each distinct architecture evaluated once."""
    check_budget(draws)
    scores: dict[Any, float] = {}
    for _ in progress(range(draws), desc=desc, unit="draw", leave=False):
        arch = space.sample(rng)
        if arch not in scores:
            scores[arch] = fitness(arch)
    # max() keeps the first of equal scores, i.e. the earliest draw: deterministic.
    return Found(max(scores, key=scores.__getitem__), scores)


@STRATEGIES.register("random-search")
class RandomSearch(SearchStrategy):
    """The best, by supernet accuracy, of N uniformly random architectures within the target.

    ``num_samples`` of None means N = the evaluation budget of the call.
    """

    methods = {"random-search": ("strict-fair", "Random search")}
    evaluation_based = True

    def __init__(
        self,
        seed: int = 0,
        num_samples: int | None = None,
        forced_sampling: bool = True,
        cost_model: CostModel | None = None,
        measure: str = "uniform",
    ) -> None:
        if num_samples is not None and num_samples < 1:
            raise SgnasError(f"random search needs at least 1 sample, got {num_samples}")
        self.seed = seed
        self.num_samples = num_samples
        self.forced_sampling = forced_sampling
        self.cost_model = cost_model
        self.measure = measure

    @classmethod
    def from_context(cls, context: SearchContext) -> RandomSearch:
        """Built by ``sgnas search``: N is the preset's evaluation budget (``search.budget``)."""
        return cls(context.seed, None, context.forced_sampling, context.cost_model)

    def search(self, evaluator: Evaluator | None, target_macs: float, budget: int) -> SearchResult:
        check_budget(budget)
        if evaluator is None:
            raise SgnasError("random search chooses by supernet accuracy: it needs the evaluator")
        meter = SearchMeter(evaluator, evaluator.cost_model)
        space = UnifiedBounded(evaluator.cost_model, target_macs, self.forced_sampling, self.measure)
        draws = min(self.num_samples or budget, budget)
        found = random_search(space, evaluator.accuracy, draws, search_rng(self.seed, target_macs),
                              desc=f"random search {target_macs / 1e6:.1f}M")
        return meter.result(self.name, target_macs, found.best, found.fitness, draws=draws,
                            evaluations=found.evaluations)


@STRATEGIES.register("random")
class RandomSampling(SearchStrategy):
    """One uniformly random architecture within the target."""

    methods = {"random-sampling": ("strict-fair", "Random sampling")}
    evaluation_based = False  # one draw within the target; its accuracy estimate only reports

    def __init__(
        self,
        seed: int = 0,
        forced_sampling: bool = True,
        cost_model: CostModel | None = None,
        measure: str = "uniform",
    ) -> None:
        self.seed = seed
        self.forced_sampling = forced_sampling
        self.cost_model = cost_model
        self.measure = measure

    @classmethod
    def from_context(cls, context: SearchContext) -> RandomSampling:
        return cls(context.seed, context.forced_sampling, context.cost_model)

    def search(self, evaluator: Evaluator | None, target_macs: float, budget: int) -> SearchResult:
        check_budget(budget)
        cost_model = cost_model_of(evaluator, self.cost_model, self.name)
        meter = SearchMeter(evaluator, cost_model)
        space = UnifiedBounded(cost_model, target_macs, self.forced_sampling, self.measure)
        arch = random_sampling(space, search_rng(self.seed, target_macs))
        return meter.result(self.name, target_macs, arch, meter.estimate_accuracy(arch), evaluations=0)
