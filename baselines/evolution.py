"""SPOS's evolutionary search over a trained supernet (Guo et al., "Single Path One-Shot NAS", ECCV 2020).

As in the official code (megvii-model/SinglePathOneShot, ``search.py``): a
population of 50 architectures within the MACs limit; each generation the whole
population is evaluated, the 10 best architectures seen so far become the
parents, and the next population is 25 mutations (each layer of a random parent
redrawn with probability 0.1) and 25 crossovers (each layer from one of two
random parents), filled up with random architectures when too few legal
children appear; 20 generations. Random architectures and redrawn layers follow
``measure`` (:mod:`baselines.budget`: uniform over architectures by default,
``"spos"`` for SPOS's sampler's law). A child is legal when it is within the MACs
limit and has not been evaluated before, so every evaluation is of a new
architecture and the budget counts distinct architectures. Fitness is the
evaluator's accuracy, which recalibrates BN statistics first (SPEC section 6).

The best-so-far is kept across generations (the parents are the top of
everything evaluated), so the reported best fitness never decreases. The search
stops early when the caller's evaluation budget is spent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from baselines._accounting import SearchMeter, check_budget, search_rng
from baselines.budget import BudgetSampler, random_layer
from sgnas.architecture import Architecture
from sgnas.errors import SgnasError
from sgnas.progress import progress
from sgnas.registry import STRATEGIES
from sgnas.strategy import Evaluator, SearchContext, SearchResult, SearchStrategy

__all__ = ["EvolutionSearch"]


@STRATEGIES.register("evolution")
class EvolutionSearch(SearchStrategy):
    """Evolutionary search with SPOS's sizes as defaults (``population * generations`` evaluations)."""

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
        if min(population, generations, parents) < 1:
            raise SgnasError("evolution needs a population, generations and parents of at least 1")
        if mutations < 0 or crossovers < 0 or mutations + crossovers > population:
            raise SgnasError(
                f"{mutations} mutations + {crossovers} crossovers do not fit a population of {population}"
            )
        if not 0.0 <= mutation_prob <= 1.0:
            raise SgnasError(f"mutation probability {mutation_prob} is outside [0, 1]")
        self.seed = seed
        self.population = population
        self.generations = generations
        self.parents = parents
        self.mutations = mutations
        self.crossovers = crossovers
        self.mutation_prob = mutation_prob
        self.forced_sampling = forced_sampling
        self.tries_per_child = tries_per_child
        self.measure = measure

    @classmethod
    def from_context(cls, context: SearchContext) -> EvolutionSearch:
        """Built by ``sgnas search`` with SPOS's sizes; ``search.budget`` caps the evaluations."""
        return cls(seed=context.seed, forced_sampling=context.forced_sampling)

    @property
    def default_budget(self) -> int:
        """Evaluations of a full run: the whole population in every generation."""
        return self.population * self.generations

    def search(self, evaluator: Evaluator | None, target_macs: float, budget: int) -> SearchResult:
        check_budget(budget)
        if evaluator is None:
            raise SgnasError("evolution selects by supernet accuracy: it needs the evaluator")
        meter = SearchMeter(evaluator, evaluator.cost_model)
        sampler = BudgetSampler(evaluator.cost_model, target_macs, self.forced_sampling, measure=self.measure)
        rng = search_rng(self.seed, target_macs)
        scores: dict[Architecture, float] = {}
        history: list[dict[str, Any]] = []
        population = self._fill([], scores, sampler, rng)
        bar = progress(range(self.generations), desc=f"evolution {target_macs / 1e6:.1f}M", unit="generation", leave=False)
        for generation in bar:
            # The last generation the budget allows may be evaluated only in part.
            population = population[: budget - len(scores)]
            for arch in population:
                scores[arch] = evaluator.accuracy(arch)
            if not population:
                break
            history.append(self._record(generation, scores, population))
            bar.set_postfix(best=f"{history[-1]['best_accuracy']:.2f}")
            if len(scores) >= budget or generation + 1 == self.generations:
                break
            top = self._top(scores)
            children = self._mutate(top, scores, sampler, rng) + self._crossover(top, scores, sampler, rng)
            population = self._fill(children, scores, sampler, rng)
        bar.close()
        if not scores:
            raise SgnasError("evolution evaluated no architecture")
        best = self._top(scores)[0]
        return meter.result(
            self.name, target_macs, best, scores[best], evaluations=len(scores), history=history
        )

    # --- the steps of one generation ---------------------------------------------------
    def _top(self, scores: dict[Architecture, float]) -> list[Architecture]:
        """The parents: the best architectures ever evaluated (earlier first among equals)."""
        return sorted(scores, key=scores.__getitem__, reverse=True)[: self.parents]

    @staticmethod
    def _record(generation: int, scores: dict[Architecture, float], population: list[Architecture]) -> dict[str, Any]:
        return {
            "generation": generation,
            "evaluations": len(scores),
            "best_accuracy": max(scores.values()),
            "population_mean_accuracy": float(np.mean([scores[a] for a in population])),
        }

    def _legal(self, arch: Architecture, seen: dict[Architecture, float], new: list[Architecture],
               sampler: BudgetSampler) -> bool:
        return arch not in seen and arch not in new and sampler.fits(arch)

    def _mutate(self, top: list[Architecture], seen: dict[Architecture, float], sampler: BudgetSampler,
                rng: np.random.Generator) -> list[Architecture]:
        children: list[Architecture] = []
        for _ in range(self.mutations * self.tries_per_child):
            if len(children) >= self.mutations:
                break
            parent = top[rng.integers(len(top))]
            layers = tuple(
                random_layer(rng, self.forced_sampling, self.measure) if rng.random() < self.mutation_prob else ops
                for ops in parent.layers
            )
            child = Architecture(layers)
            if self._legal(child, seen, children, sampler):
                children.append(child)
        return children

    def _crossover(self, top: list[Architecture], seen: dict[Architecture, float], sampler: BudgetSampler,
                   rng: np.random.Generator) -> list[Architecture]:
        children: list[Architecture] = []
        for _ in range(self.crossovers * self.tries_per_child):
            if len(children) >= self.crossovers:
                break
            first, second = top[rng.integers(len(top))], top[rng.integers(len(top))]
            child = Architecture(tuple(
                a if rng.random() < 0.5 else b for a, b in zip(first.layers, second.layers)
            ))
            if self._legal(child, seen, children, sampler):
                children.append(child)
        return children

    def _fill(self, children: list[Architecture], seen: dict[Architecture, float], sampler: BudgetSampler,
              rng: np.random.Generator) -> list[Architecture]:
        """``children`` topped up with new random architectures within the limit, to the population size."""
        population = list(children)
        for _ in range(self.population * self.tries_per_child):
            if len(population) >= self.population:
                break
            arch = sampler.sample(rng)
            if self._legal(arch, seen, population, sampler):
                population.append(arch)
        return population
