"""Searching NAS-Bench-201 cells under a MACs limit: random sampling, random search and SPOS's evolution.

The same algorithms as the unified space's ``random-search`` and ``evolution``
strategies (:data:`sgnas.registry.STRATEGIES`, from the ``baselines`` plugin),
written for cells here rather than made generic there: those draw, mutate and
cross over the unified space's layers of six sub-blocks (with forced sampling
and the budget-aware layer sampler), and opening them to a second
representation would change the code the unified space's results come from.
Here a cell's unit of variation is its edge:

* :func:`random_sampling`: one cell uniformly from those within the limit;
* :func:`random_search`: the best of N distinct uniform cells within the limit;
* :func:`evolution`: SPOS's (population, top-k parents, mutations redrawing
  each edge's op with probability 0.1, crossovers taking each edge from one of
  two parents, filled with random cells; every evaluation a new cell within the
  limit), stopped when the evaluation budget is spent.

Every search takes its fitness as a function, so the same code searches the
supernet's estimate and, for the reference "random search on the true
accuracies", the benchmark's table. A cell's MACs are those of the
benchmark's network (:class:`~sgnas.spaces.nasbench201.cost.CostModel`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sgnas.errors import SgnasError
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell, all_cells
from sgnas.spaces.nasbench201.cost import CostModel

__all__ = ["CellSpace", "EvolutionSizes", "SearchOutcome", "evolution", "random_sampling", "random_search"]

Fitness = Callable[[Cell], float]


@dataclass(frozen=True)
class SearchOutcome:
    """The cell a search chose, its fitness, the distinct cells it evaluated and its wall seconds."""

    cell: Cell
    fitness: float | None
    evaluations: int
    seconds: float


class CellSpace:
    """Every cell with its MACs (benchmark network, ``nb201`` convention), for drawing within a limit."""

    def __init__(self, cost_model: CostModel | None = None) -> None:
        self.cost_model = cost_model or CostModel()
        self.cells = tuple(all_cells())
        codes = np.array([cell.op_indices() for cell in self.cells])
        self.macs = self.cost_model.table_costs(codes)[0]
        self._macs = dict(zip(self.cells, self.macs.tolist()))

    def macs_of(self, cell: Cell) -> int:
        return int(self._macs[cell])

    def within(self, limit: float) -> list[Cell]:
        """The cells with at most ``limit`` MACs; none is an error naming the smallest."""
        feasible = [cell for cell, macs in zip(self.cells, self.macs) if macs <= limit]
        if not feasible:
            raise SgnasError(f"no NAS-Bench-201 cell within {limit:,.0f} MACs (the smallest has {self.macs.min():,})")
        return feasible


def random_sampling(space: CellSpace, limit: float, rng: np.random.Generator) -> SearchOutcome:
    """One cell uniformly from those within ``limit`` (no evaluation)."""
    start = time.perf_counter()
    feasible = space.within(limit)
    return SearchOutcome(feasible[int(rng.integers(len(feasible)))], None, 0, time.perf_counter() - start)


def random_search(space: CellSpace, limit: float, fitness: Fitness, budget: int,
                  rng: np.random.Generator) -> SearchOutcome:
    """The fittest of ``budget`` distinct uniform cells within ``limit`` (earliest draw among equals)."""
    if budget < 1:
        raise SgnasError(f"a search needs a budget of at least 1 evaluation, got {budget}")
    start = time.perf_counter()
    feasible = space.within(limit)
    chosen = rng.choice(len(feasible), size=min(budget, len(feasible)), replace=False)
    scores = {feasible[int(i)]: fitness(feasible[int(i)]) for i in chosen}
    best = max(scores, key=scores.__getitem__)
    return SearchOutcome(best, scores[best], len(scores), time.perf_counter() - start)


@dataclass(frozen=True)
class EvolutionSizes:
    """SPOS's evolution sizes, scaled down with the budget (defaults: SPOS's 50 / 10 / 25 / 25 / 0.1)."""

    population: int = 50
    parents: int = 10
    mutations: int = 25
    crossovers: int = 25
    mutation_prob: float = 0.1
    tries_per_child: int = 10

    @classmethod
    def for_budget(cls, budget: int) -> EvolutionSizes:
        """SPOS's proportions with a population of a fifth of the budget (at least 4): five or more generations."""
        population = max(4, min(50, budget // 5))
        half = population // 2
        return cls(population, max(2, population // 5), half, population - half)


def evolution(space: CellSpace, limit: float, fitness: Fitness, budget: int, rng: np.random.Generator,
              sizes: EvolutionSizes | None = None) -> SearchOutcome:
    """SPOS's evolutionary search over cells within ``limit``, evaluating at most ``budget`` distinct cells."""
    if budget < 1:
        raise SgnasError(f"a search needs a budget of at least 1 evaluation, got {budget}")
    sizes = sizes or EvolutionSizes.for_budget(budget)
    start = time.perf_counter()
    feasible = space.within(limit)
    scores: dict[Cell, float] = {}

    def legal(cell: Cell, new: list[Cell]) -> bool:
        return cell not in scores and cell not in new and space.macs_of(cell) <= limit

    def fill(children: list[Cell]) -> list[Cell]:
        population = list(children)
        for _ in range(sizes.population * sizes.tries_per_child):
            if len(population) >= sizes.population:
                break
            cell = feasible[int(rng.integers(len(feasible)))]
            if legal(cell, population):
                population.append(cell)
        return population

    population = fill([])
    while population:
        for cell in population[: budget - len(scores)]:
            scores[cell] = fitness(cell)
        if len(scores) >= budget:
            break
        top = sorted(scores, key=scores.__getitem__, reverse=True)[: sizes.parents]
        children: list[Cell] = []
        for _ in range(sizes.mutations * sizes.tries_per_child):
            if len(children) >= sizes.mutations:
                break
            parent = top[int(rng.integers(len(top)))].op_indices()
            child = Cell.from_indices([int(rng.integers(len(OPS))) if rng.random() < sizes.mutation_prob else op
                                       for op in parent])
            if legal(child, children):
                children.append(child)
        crossed: list[Cell] = []
        for _ in range(sizes.crossovers * sizes.tries_per_child):
            if len(crossed) >= sizes.crossovers:
                break
            first, second = (top[int(rng.integers(len(top)))].op_indices() for _ in range(2))
            child = Cell.from_indices([first[e] if rng.random() < 0.5 else second[e] for e in range(NUM_EDGES)])
            if legal(child, children + crossed):
                crossed.append(child)
        population = fill(children + crossed)
    best = max(scores, key=scores.__getitem__)
    return SearchOutcome(best, scores[best], len(scores), time.perf_counter() - start)
