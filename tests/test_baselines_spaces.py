"""The baselines' search algorithms on every space: one function each, pinned results, the space operations.

Random search and evolution run on the unified space and on NAS-Bench-201
cells through the same functions (:func:`baselines.random_search.random_search`,
:func:`baselines.evolution.evolve`) and each space's
:class:`sgnas.spaces.protocol.BoundedSpace`. The pinned results are those the
searches gave before they were made space-generic (the unified strategies'
and the cell track's own code), except the cells' random search, which now
draws with replacement like the unified one. Each pin is the chosen
architecture, its fitness and the sum of every fitness evaluated, which moves
with any change in what is drawn or in what order.
"""

from __future__ import annotations

import numpy as np
import pytest
from baselines_support import FakeEvaluator, macs_fitness, tiny_space

from baselines._accounting import search_rng
from baselines.evolution import EvolutionSearch, EvolutionSizes, evolve
from baselines.random_search import RandomSearch, random_sampling, random_search
from sgnas._infra.errors import SgnasError
from sgnas.registry import SPACES
from sgnas.spaces.nasbench201.cell import Cell
from sgnas.spaces.nasbench201.cost import CostModel as CellCostModel
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.entry import UnifiedBounded

SMALL = {"population": 12, "generations": 5, "parents": 4, "mutations": 5, "crossovers": 5}
#: the unified space at 40% of its MACs range (tiny CIFAR space), searched with seed 1:
#: (chosen architecture, its fitness, sum of every evaluated fitness)
#: (evolution: its whole run, 12 x 5 = 60 evaluations, so that the sizes are not scaled to the budget)
UNIFIED_EVOLUTION = ("55xxxx-555xxx-3357xx-333357-555577-3333xx-555577-5555xx-337xxx-335577-555555-355557-57xxxx-"
                     "55777x-557xxx-3555xx-3357xx-33355x-337xxx", 3.609152, 205.765904)
UNIFIED_RANDOM_SEARCH = ("337xxx-57xxxx-335555-5557xx-3335xx-35557x-33335x-3337xx-35xxxx-355777-57777x-55777x-"
                         "33333x-555577-35777x-335557-5557xx-37xxxx-33555x", 3.550896, 101.617232)
#: cells within 100M MACs, 40 evaluations, seed 0
CELL_LIMIT = 100e6
CELL_EVOLUTION = ("|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|",
                  94.34157, 2393.21964)
CELL_RANDOM_SEARCH = ("|nor_conv_1x1~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|",
                      90.40341, 1803.27264)


@pytest.fixture(scope="module")
def unified() -> tuple[CostModel, float]:
    cost_model = CostModel(tiny_space())
    low, high = cost_model.macs_range()
    return cost_model, low + 0.4 * (high - low)


@pytest.fixture(scope="module")
def cells():
    return SPACES.get("nas-bench-201").within(CellCostModel(), CELL_LIMIT)


def _pinned(found, pin: tuple[str, float, float]) -> bool:
    return (found.best.to_string(), found.fitness, sum(found.scores.values())) == (
        pin[0], pytest.approx(pin[1]), pytest.approx(pin[2]))


def _cell_fitness(cells):
    """MACs (millions), edges with dearer ops breaking ties: something for a search to find under the limit."""
    def fitness(cell: Cell) -> float:
        return cells.space.cost_of(cell) / 1e6 + 0.001 * sum((e + 1) * op for e, op in enumerate(cell.op_indices()))

    return fitness


def test_evolution_on_the_unified_space_is_pinned_and_is_the_strategys_search(unified):
    cost_model, target = unified
    space = SPACES.get("cifar").within(cost_model, target)
    found = evolve(space, macs_fitness(cost_model), 60, search_rng(1, target), EvolutionSizes(**SMALL))
    assert _pinned(found, UNIFIED_EVOLUTION) and found.evaluations == 60
    result = EvolutionSearch(seed=1, **SMALL).search(FakeEvaluator(cost_model, macs_fitness(cost_model)), target, 60)
    assert result.architecture == found.best and result.extra["history"] == found.history


def test_random_search_on_the_unified_space_is_pinned_and_is_the_strategys_search(unified):
    cost_model, target = unified
    space = UnifiedBounded(cost_model, target)
    found = random_search(space, macs_fitness(cost_model), 30, search_rng(1, target))
    assert _pinned(found, UNIFIED_RANDOM_SEARCH) and found.evaluations == 30
    result = RandomSearch(seed=1).search(FakeEvaluator(cost_model, macs_fitness(cost_model)), target, 30)
    assert result.architecture == found.best and result.extra["evaluations"] == found.evaluations


def test_evolution_on_cells_is_pinned(cells):
    found = evolve(cells, _cell_fitness(cells), 40, np.random.default_rng(0), EvolutionSizes.for_budget(40))
    assert _pinned(found, CELL_EVOLUTION) and found.evaluations == 40
    assert all(cells.space.cost_of(cell) <= CELL_LIMIT for cell in found.scores)


def test_random_search_on_cells_is_pinned(cells):
    found = random_search(cells, _cell_fitness(cells), 40, np.random.default_rng(0))
    assert _pinned(found, CELL_RANDOM_SEARCH) and found.evaluations == 40


@pytest.mark.parametrize("name", ["cifar", "nas-bench-201"])
def test_every_space_draws_within_its_limit_and_varies_by_its_unit(name, unified, cells):
    space = cells if name == "nas-bench-201" else SPACES.get(name).within(*unified)
    rng = np.random.default_rng(3)
    drawn = [random_sampling(space, rng) for _ in range(20)]
    assert all(space.fits(arch) and space.cost_model.cost(arch).macs <= space.limit for arch in drawn)
    first, second = drawn[0], drawn[1]
    assert space.mutate(first, rng, 0.0) == first and space.crossover(first, first, rng) == first
    units = (lambda a: a.layers) if isinstance(first, Architecture) else (lambda a: a.ops)
    crossed = space.crossover(first, second, rng)
    assert all(u in (a, b) for u, a, b in zip(units(crossed), units(first), units(second)))
    assert len({space.mutate(first, rng, 1.0) for _ in range(10)}) > 1
    assert hash(first) == hash(type(first).from_string(first.to_string()))


def test_cells_have_one_measure_and_sizes_are_checked():
    with pytest.raises(SgnasError, match="uniformly"):
        SPACES.get("nas-bench-201").within(CellCostModel(), CELL_LIMIT, measure="spos")
    with pytest.raises(SgnasError, match="do not fit"):
        EvolutionSizes(population=4, mutations=3, crossovers=3)
    assert EvolutionSizes.for_budget(40) == EvolutionSizes(8, 40, 2, 4, 4)


def test_a_budget_below_the_whole_run_keeps_evolutions_shape():
    """SPOS's 50 x 20 cut to 60 evaluations would be 50 random draws and 10 children: random search by another name."""
    spos = EvolutionSizes()
    assert spos.scaled_to(1000) is spos and spos.scaled_to(5000) is spos
    scaled = spos.scaled_to(60)
    assert scaled.population == 12 and scaled.mutation_prob == spos.mutation_prob
    assert scaled.population <= 60 // 5  # five generations or more fit the budget
    assert EvolutionSizes(population=8, generations=3, parents=2, mutations=4, crossovers=4).scaled_to(20).population == 4


def test_evolution_at_a_small_budget_evolves(unified):
    """Most of a 60-evaluation budget goes to children of the best, not to the first population's random draws."""
    cost_model, target = unified
    space = SPACES.get("cifar").within(cost_model, target)
    found = evolve(space, macs_fitness(cost_model), 60, search_rng(1, target))
    first_population = found.history[0]["evaluations"]
    assert found.evaluations == 60 and first_population == 12 and len(found.history) >= 5
