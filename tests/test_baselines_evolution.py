"""SPOS evolutionary search on a synthetic fitness: within budget, monotone best, bounded evaluations."""

from __future__ import annotations

import pytest
from baselines_support import FakeEvaluator, macs_fitness, tiny_space

from baselines.evolution import EvolutionSearch
from baselines.random_search import RandomSearch
from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.cost import CostModel

SMALL = {"population": 12, "generations": 5, "parents": 4, "mutations": 5, "crossovers": 5}


@pytest.fixture
def cost_model() -> CostModel:
    return CostModel(tiny_space())


def _target(cost_model: CostModel, fraction: float) -> float:
    low, high = cost_model.macs_range()
    return low + fraction * (high - low)


@pytest.mark.parametrize("fraction", [0.02, 0.3, 0.8])
def test_evolution_never_evaluates_or_returns_an_over_budget_architecture(cost_model, fraction):
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    target = _target(cost_model, fraction)
    result = EvolutionSearch(seed=1, **SMALL).search(evaluator, target, budget=1000)
    assert result.macs <= target
    assert all(cost_model.macs(arch) <= target for arch, _ in evaluator.calls)


def test_best_fitness_never_decreases_and_improves_on_the_first_generation(cost_model):
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    result = EvolutionSearch(seed=2, **SMALL).search(evaluator, _target(cost_model, 0.5), budget=1000)
    best = [record["best_accuracy"] for record in result.extra["history"]]
    assert len(best) == SMALL["generations"]
    assert all(later >= earlier for earlier, later in zip(best, best[1:]))
    assert best[-1] > best[0]
    assert result.accuracy == best[-1] == max(score for _, score in evaluator.calls)


def test_evaluations_are_distinct_and_respect_the_budget(cost_model):
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    result = EvolutionSearch(seed=3, **SMALL).search(evaluator, _target(cost_model, 0.5), budget=30)
    archs = [arch for arch, _ in evaluator.calls]
    assert len(archs) == len(set(archs)) == result.extra["evaluations"] == 30
    full = EvolutionSearch(seed=3, **SMALL)
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    full.search(evaluator, _target(cost_model, 0.5), budget=10_000)
    assert len(evaluator.calls) == full.default_budget == SMALL["population"] * SMALL["generations"]


def test_evolution_beats_random_search_on_a_smooth_fitness_at_equal_budget(cost_model):
    target, budget = _target(cost_model, 0.5), SMALL["population"] * SMALL["generations"]
    evolved = EvolutionSearch(seed=4, **SMALL).search(FakeEvaluator(cost_model, macs_fitness(cost_model)), target, budget)
    random = RandomSearch(seed=4).search(FakeEvaluator(cost_model, macs_fitness(cost_model)), target, budget)
    assert evolved.accuracy >= random.accuracy


def test_evolution_is_deterministic_and_canonical_under_forced_sampling(cost_model):
    target = _target(cost_model, 0.4)
    first, second = (EvolutionSearch(seed=5, **SMALL).search(FakeEvaluator(cost_model, macs_fitness(cost_model)),
                                                              target, 100) for _ in range(2))
    assert first.architecture == second.architecture and first.architecture.is_canonical()


def test_inconsistent_sizes_are_clear_errors():
    with pytest.raises(SgnasError, match="do not fit"):
        EvolutionSearch(population=10, mutations=8, crossovers=8)
    with pytest.raises(SgnasError, match="mutation probability"):
        EvolutionSearch(mutation_prob=1.5)
