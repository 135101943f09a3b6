"""SPOS's evolutionary search over a trained supernet (Guo et al., "Single Path One-Shot NAS", ECCV 2020).

As in the official code (megvii-model/SinglePathOneShot, ``search.py``): a
population of 50 architectures within the MACs limit; each generation the whole
population is evaluated, the 10 best architectures seen so far become the
parents, and the next population is 25 mutations (each layer of a random parent
redrawn with probability 0.1) and 25 crossovers (each layer from one of two
random parents), filled up with random architectures when too few legal
children appear; 20 generations. A child is legal when it is within the MACs
limit and has not been evaluated before, so every evaluation is of a new
architecture and the budget counts distinct architectures. Fitness is the
evaluator's accuracy, which recalibrates BN statistics first (SPEC section 6).

The best-so-far is kept across generations (the parents are the top of
everything evaluated), so the reported best fitness never decreases. The search
stops early when the caller's evaluation budget is spent.

The algorithm is :func:`evolve`, on any space's architectures within a cost
limit (:class:`sgnas.spaces.protocol.BoundedSpace`, which draws, mutates and
crosses over by the space's own unit) and any fitness. :class:`EvolutionSearch`
runs it on the unified space (:class:`sgnas.spaces.unified.entry.UnifiedBounded`:
layers, random architectures and redrawn layers under ``measure``, uniform over
architectures by default, ``"spos"`` for SPOS's sampler's law) with the
supernet's accuracy, and on NAS-Bench-201 cells; on every space a budget below the sizes' whole run scales
them (:meth:`EvolutionSizes.scaled_to`), one rule for all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from baselines._accounting import Fitness, Found, SearchMeter, check_budget, search_rng
from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress
from sgnas.registry import STRATEGIES
from sgnas.search.strategy import Evaluator, SearchContext, SearchResult, SearchStrategy
from sgnas.spaces.protocol import BoundedSpace
from sgnas.spaces.unified.entry import UnifiedBounded

__all__ = ["EvolutionSearch", "EvolutionSizes", "evolve"]


@dataclass(frozen=True)
class EvolutionSizes:
    """The sizes of an evolutionary search; the defaults are SPOS's (50, 20 generations, 10 parents, 25 + 25, 0.1)."""

    population: int = 50
    generations: int = 20
    parents: int = 10
    mutations: int = 25
    crossovers: int = 25
    mutation_prob: float = 0.1
    #: draws per child wanted before giving up on finding a legal one
    tries_per_child: int = 10

    def __post_init__(self) -> None:
        if min(self.population, self.generations, self.parents) < 1:
            raise SgnasError("evolution needs a population, generations and parents of at least 1")
        if self.mutations < 0 or self.crossovers < 0 or self.mutations + self.crossovers > self.population:
            raise SgnasError(
                f"{self.mutations} mutations + {self.crossovers} crossovers do not fit a population of "
                f"{self.population}"
            )
        if not 0.0 <= self.mutation_prob <= 1.0:
            raise SgnasError(f"mutation probability {self.mutation_prob} is outside [0, 1]")

    @classmethod
    def for_budget(cls, budget: int) -> EvolutionSizes:
        """SPOS's proportions with a population of a fifth of ``budget`` (4 to 50): five or more generations.

        The generations are as many as the evaluations, so the budget, not the
        generation count, ends the search (a generation evaluates at least one
        new architecture).
        """
        check_budget(budget)
        population = max(4, min(50, budget // 5))
        half = population // 2
        return cls(population, budget, max(2, population // 5), half, population - half)

    def scaled_to(self, budget: int) -> EvolutionSizes:
        """These sizes where ``budget`` buys their whole run (population x generations), else
        :meth:`for_budget`'s (keeping this mutation probability): a search cut to a smaller budget keeps
        evolution's shape, several generations of parents and children, instead of spending the budget on
        the first population's random draws, which would make it random search by another name."""
        scaled = EvolutionSizes.for_budget(budget)
        if budget >= self.population * self.generations or self.population <= scaled.population:
            return self  # the whole run fits, or the population is already no larger than the budget's
        return dataclasses.replace(scaled, mutation_prob=self.mutation_prob, tries_per_child=self.tries_per_child)


def evolve(space: BoundedSpace, fitness: Fitness, budget: int, rng: np.random.Generator,
           sizes: EvolutionSizes | None = None, desc: str = "evolution") -> Found:
    """SPOS's evolutionary search over ``space``, evaluating at most ``budget`` distinct architectures, with
    ``sizes`` (SPOS's by default) scaled to the budget (:meth:`EvolutionSizes.scaled_to`)."""
    check_budget(budget)
    sizes = (sizes or EvolutionSizes()).scaled_to(budget)
    scores: dict[Any, float] = {}
    history: list[dict[str, Any]] = []
    population = _fill([], scores, space, rng, sizes)
    bar = progress(range(sizes.generations), desc=desc, unit="generation", leave=False)
    for generation in bar:
        # The last generation the budget allows may be evaluated only in part.
        population = population[: budget - len(scores)]
        for arch in population:
            scores[arch] = fitness(arch)
        if not population:
            break
        history.append(_record(generation, scores, population))
        bar.set_postfix(best=f"{history[-1]['best_accuracy']:.2f}")
        if len(scores) >= budget or generation + 1 == sizes.generations:
            break
        top = _top(scores, sizes.parents)
        children = _mutate(top, scores, space, rng, sizes) + _crossover(top, scores, space, rng, sizes)
        population = _fill(children, scores, space, rng, sizes)
    bar.close()
    if not scores:
        raise SgnasError("evolution evaluated no architecture")
    return Found(_top(scores, 1)[0], scores, history)


@STRATEGIES.register("evolution")
class EvolutionSearch(SearchStrategy):
    """Evolutionary search on the unified space with SPOS's sizes as defaults (``population * generations``
    evaluations)."""

    methods = {"fairnas-evolution": ("strict-fair", "FairNAS + evolution"),
               "spos-evolution": ("uniform", "SPOS + evolution")}
    evaluation_based = True

    def __init__(
        self,
        seed: int = 0,
        population: int = 50,
        generations: int = 20,
        parents: int = 10,
        mutations: int = 25,
        crossovers: int = 25,
        mutation_prob: float = 0.1,
        forced_sampling: bool = True,
        tries_per_child: int = 10,
        measure: str = "uniform",
    ) -> None:
        self.sizes = EvolutionSizes(population, generations, parents, mutations, crossovers, mutation_prob,
                                    tries_per_child)
        self.seed = seed
        self.forced_sampling = forced_sampling
        self.measure = measure

    @classmethod
    def from_context(cls, context: SearchContext) -> EvolutionSearch:
        """Built by ``sgnas search`` with SPOS's sizes; ``search.budget`` caps the evaluations."""
        return cls(seed=context.seed, forced_sampling=context.forced_sampling)

    @property
    def default_budget(self) -> int:
        """Evaluations of a full run: the whole population in every generation."""
        return self.sizes.population * self.sizes.generations

    def search(self, evaluator: Evaluator | None, target_macs: float, budget: int) -> SearchResult:
        check_budget(budget)
        if evaluator is None:
            raise SgnasError("evolution selects by supernet accuracy: it needs the evaluator")
        meter = SearchMeter(evaluator, evaluator.cost_model)
        space = UnifiedBounded(evaluator.cost_model, target_macs, self.forced_sampling, self.measure)
        found = evolve(space, evaluator.accuracy, budget, search_rng(self.seed, target_macs), self.sizes,
                       desc=f"evolution {target_macs / 1e6:.1f}M")
        return meter.result(self.name, target_macs, found.best, found.fitness, evaluations=found.evaluations,
                            history=found.history)


# --- the steps of one generation ---------------------------------------------------------
def _top(scores: dict[Any, float], count: int) -> list[Any]:
    """The ``count`` best architectures ever evaluated (earlier first among equals)."""
    return sorted(scores, key=scores.__getitem__, reverse=True)[:count]


def _record(generation: int, scores: dict[Any, float], population: list[Any]) -> dict[str, Any]:
    return {
        "generation": generation,
        "evaluations": len(scores),
        "best_accuracy": max(scores.values()),
        "population_mean_accuracy": float(np.mean([scores[a] for a in population])),
    }


def _legal(arch: Any, seen: dict[Any, float], new: list[Any], space: BoundedSpace) -> bool:
    """Within the limit and new: neither evaluated before nor already among ``new``."""
    return arch not in seen and arch not in new and space.fits(arch)


def _children(count: int, make: Callable[[], Any], seen: dict[Any, float], space: BoundedSpace,
              sizes: EvolutionSizes) -> list[Any]:
    """Up to ``count`` legal children from ``make``, giving up after ``count * tries_per_child`` draws."""
    children: list[Any] = []
    for _ in range(count * sizes.tries_per_child):
        if len(children) >= count:
            break
        child = make()
        if _legal(child, seen, children, space):
            children.append(child)
    return children


def _mutate(top: list[Any], seen: dict[Any, float], space: BoundedSpace, rng: np.random.Generator,
            sizes: EvolutionSizes) -> list[Any]:
    return _children(sizes.mutations, lambda: space.mutate(top[rng.integers(len(top))], rng, sizes.mutation_prob),
                     seen, space, sizes)


def _crossover(top: list[Any], seen: dict[Any, float], space: BoundedSpace, rng: np.random.Generator,
               sizes: EvolutionSizes) -> list[Any]:
    def make() -> Any:
        first, second = top[rng.integers(len(top))], top[rng.integers(len(top))]
        return space.crossover(first, second, rng)

    return _children(sizes.crossovers, make, seen, space, sizes)


def _fill(children: list[Any], seen: dict[Any, float], space: BoundedSpace, rng: np.random.Generator,
          sizes: EvolutionSizes) -> list[Any]:
    """``children`` topped up with new random architectures within the limit, to the population size."""
    population = list(children)
    for _ in range(sizes.population * sizes.tries_per_child):
        if len(population) >= sizes.population:
            break
        arch = space.sample(rng)
        if _legal(arch, seen, population, space):
            population.append(arch)
    return population
