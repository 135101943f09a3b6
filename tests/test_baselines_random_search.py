"""Random sampling and random search on a synthetic fitness: within budget, best of candidates, honest costs."""

from __future__ import annotations

import pytest
from baselines_support import PASSES_PER_EVALUATION, FakeEvaluator, macs_fitness, tiny_space

from baselines.random_search import RandomSampling, RandomSearch
from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.cost import CostModel


@pytest.fixture
def cost_model() -> CostModel:
    return CostModel(tiny_space())


def _target(cost_model: CostModel, fraction: float = 0.4) -> float:
    low, high = cost_model.macs_range()
    return low + fraction * (high - low)


def test_random_search_returns_the_best_of_its_candidates(cost_model):
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    target = _target(cost_model)
    result = RandomSearch(seed=3).search(evaluator, target, budget=40)
    assert 1 < len(evaluator.calls) <= 40
    best_arch, best_score = max(evaluator.calls, key=lambda call: call[1])
    assert result.architecture == best_arch and result.accuracy == best_score
    assert all(cost_model.macs(arch) <= target for arch, _ in evaluator.calls)
    assert result.macs <= target
    assert result.forward_passes == PASSES_PER_EVALUATION * len(evaluator.calls)
    assert result.extra["estimate_forward_passes"] == 0


def test_random_search_sample_count_defaults_to_the_budget_and_is_capped_by_it(cost_model):
    target = _target(cost_model)
    result = RandomSearch(seed=0).search(FakeEvaluator(cost_model, macs_fitness(cost_model)), target, budget=7)
    assert result.extra["draws"] == 7
    capped = RandomSearch(seed=0, num_samples=100).search(FakeEvaluator(cost_model, macs_fitness(cost_model)), target, 5)
    assert capped.extra["draws"] == 5


def test_random_search_is_deterministic_per_seed(cost_model):
    target = _target(cost_model)
    runs = [RandomSearch(seed=s).search(FakeEvaluator(cost_model, macs_fitness(cost_model)), target, 10)
            for s in (1, 1, 2)]
    assert runs[0].architecture == runs[1].architecture
    assert runs[0].architecture != runs[2].architecture


def test_random_sampling_evaluates_one_architecture_within_budget(cost_model):
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    target = _target(cost_model, 0.1)
    result = RandomSampling(seed=5).search(evaluator, target, budget=1000)
    assert len(evaluator.calls) == 1
    assert result.architecture == evaluator.calls[0][0] and result.macs <= target
    assert result.architecture.is_canonical()
    # Its one evaluation only estimates the accuracy for the report: choosing cost no forward pass.
    assert result.forward_passes == 0 and result.extra["estimate_forward_passes"] == PASSES_PER_EVALUATION
    assert result.to_json()["macs_m"] == pytest.approx(result.macs / 1e6)


def test_random_sampling_without_an_evaluator_uses_its_cost_model(cost_model):
    result = RandomSampling(seed=5, cost_model=cost_model).search(None, _target(cost_model, 0.1), budget=1)
    assert result.accuracy is None and result.macs <= _target(cost_model, 0.1)
    with pytest.raises(SgnasError, match="needs the evaluator"):
        RandomSearch(cost_model=cost_model).search(None, _target(cost_model), budget=3)


def test_bad_budgets_and_targets_are_clear_errors(cost_model):
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    low, _ = cost_model.macs_range()
    with pytest.raises(SgnasError, match="budget"):
        RandomSearch().search(evaluator, _target(cost_model), budget=0)
    with pytest.raises(SgnasError, match="below the smallest"):
        RandomSampling().search(evaluator, low * 0.5, budget=1)
