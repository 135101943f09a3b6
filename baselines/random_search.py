"""Random sampling and random search: the baselines every NAS comparison owes (Li & Talwalkar, UAI 2019).

Lindauer & Hutter (JMLR 2020, best practice 3) ask for both under the same
budget as the method under study:

* :class:`RandomSampling` draws one architecture uniformly from those within the
  MACs target and evaluates it once: what the search space gives for free.
* :class:`RandomSearch` draws N architectures the same way and keeps the one
  the supernet rates best; N defaults to the evaluation budget the caller gives
  every strategy (SPOS's evolution spends 50 x 20 = 1000).

Draws come from :class:`~baselines.budget.BudgetSampler` (uniform over the
feasible architectures, canonical ones under forced sampling); an architecture
drawn twice is evaluated once.
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from baselines._accounting import SearchMeter
from baselines.budget import BudgetSampler
from sgnas.architecture import Architecture
from sgnas.errors import SgnasError
from sgnas.strategy import Evaluator, SearchResult, SearchStrategy

__all__ = ["RandomSampling", "RandomSearch", "search_rng"]


def search_rng(seed: int, target_macs: float) -> np.random.Generator:
    """The random stream of one search: fixed by the seed and the target, whatever ran before."""
    return np.random.default_rng([seed, int(round(target_macs))])


def _check_budget(budget: int) -> None:
    if budget < 1:
        raise SgnasError(f"evaluation budget {budget} must be at least 1")


class RandomSampling(SearchStrategy):
    """One uniformly random architecture within the target, evaluated once."""

    name = "random"

    def __init__(self, seed: int = 0, forced_sampling: bool = True) -> None:
        self.seed = seed
        self.forced_sampling = forced_sampling

    def search(self, evaluator: Evaluator, target_macs: float, budget: int) -> SearchResult:
        _check_budget(budget)
        meter = SearchMeter(evaluator)
        sampler = BudgetSampler(evaluator.cost_model, target_macs, self.forced_sampling)
        arch = sampler.sample(search_rng(self.seed, target_macs))
        return meter.result(self.name, target_macs, arch, evaluator.accuracy(arch), evaluations=1)


class RandomSearch(SearchStrategy):
    """The best, by supernet accuracy, of N uniformly random architectures within the target.

    ``num_samples`` of None means N = the evaluation budget of the call.
    """

    name = "random-search"

    def __init__(self, seed: int = 0, num_samples: int | None = None, forced_sampling: bool = True) -> None:
        if num_samples is not None and num_samples < 1:
            raise SgnasError(f"random search needs at least 1 sample, got {num_samples}")
        self.seed = seed
        self.num_samples = num_samples
        self.forced_sampling = forced_sampling

    def search(self, evaluator: Evaluator, target_macs: float, budget: int) -> SearchResult:
        _check_budget(budget)
        meter = SearchMeter(evaluator)
        sampler = BudgetSampler(evaluator.cost_model, target_macs, self.forced_sampling)
        rng = search_rng(self.seed, target_macs)
        draws = min(self.num_samples or budget, budget)
        scores: dict[Architecture, float] = {}
        for _ in tqdm(range(draws), desc=f"random search {target_macs / 1e6:.1f}M", leave=False):
            arch = sampler.sample(rng)
            if arch not in scores:
                scores[arch] = evaluator.accuracy(arch)
        # max() keeps the first of equal scores, i.e. the earliest draw: deterministic.
        best = max(scores, key=scores.__getitem__)
        return meter.result(self.name, target_macs, best, scores[best], draws=draws, evaluations=len(scores))
