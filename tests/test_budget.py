"""Random architectures under a MACs budget: never over it, uniform over the feasible ones, clear errors."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from baselines_support import tiny_space
from scipy.stats import chi2_contingency, chisquare

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.budget import LAYER_MULTISETS, BudgetSampler, random_layer
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import KERNEL_OPS, SKIP, SUB_BLOCKS
from sgnas.training.samplers import UniformSampler


def _all_layers(forced_sampling: bool) -> list[tuple[str, ...]]:
    ops = (*KERNEL_OPS, SKIP)
    layers = {Architecture((layer,)).layers[0] for layer in product(ops, repeat=SUB_BLOCKS)
              if sum(op != SKIP for op in layer) >= 2}
    if forced_sampling:
        layers = {Architecture((layer,)).canonical().layers[0] for layer in layers}
    return sorted(layers)


def test_layer_multisets_cover_the_valid_layers():
    assert len(LAYER_MULTISETS) == 80
    assert len(_all_layers(True)) == 80
    assert len(_all_layers(False)) == 4**6 - 1 - 6 * 3


@pytest.mark.parametrize("forced_sampling", [True, False])
def test_draws_are_uniform_over_the_feasible_architectures(forced_sampling):
    space = tiny_space(2 if forced_sampling else 1)
    cost_model = CostModel(space)
    layers = _all_layers(forced_sampling)
    archs = [Architecture(combo) for combo in product(layers, repeat=space.num_layers)]
    macs = np.array([cost_model.macs(a) for a in archs])
    budget = float(np.quantile(macs, 0.3))
    feasible = [a for a, m in zip(archs, macs) if m <= budget]
    # A coarse grid makes the rejected shell wide, the harder case for exactness.
    sampler = BudgetSampler(cost_model, budget, forced_sampling, grid=64)
    rng = np.random.default_rng(0)
    index = {a: i for i, a in enumerate(feasible)}
    draws = 8 * len(feasible)
    counts = np.zeros(len(feasible))
    for _ in range(draws):
        arch = sampler.sample(rng)
        assert arch in index, f"{arch} is over the budget or not of the space"
        counts[index[arch]] += 1
    assert (counts > 0).mean() > 0.99
    assert chisquare(counts).pvalue > 1e-3


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.5, 1.0, 2.0])
def test_never_over_budget_on_the_full_space(fraction):
    cost_model = CostModel(tiny_space())
    low, high = cost_model.macs_range()
    budget = low + fraction * (high - low)
    sampler = BudgetSampler(cost_model, budget, forced_sampling=True)
    rng = np.random.default_rng(1)
    for _ in range(50):
        arch = sampler.sample(rng)
        assert arch.is_canonical()
        assert cost_model.macs(arch) <= budget


def test_without_forced_sampling_non_canonical_layers_occur():
    sampler = BudgetSampler(CostModel(tiny_space()), 1e12, forced_sampling=False)
    rng = np.random.default_rng(2)
    assert not all(sampler.sample(rng).is_canonical() for _ in range(5))


def test_target_below_the_space_minimum_is_a_clear_error():
    cost_model = CostModel(tiny_space())
    low, _ = cost_model.macs_range()
    with pytest.raises(SgnasError, match="below the smallest architecture"):
        BudgetSampler(cost_model, low - 1)


def test_random_layer_is_valid_and_canonical_under_forced_sampling():
    rng = np.random.default_rng(3)
    for _ in range(100):
        layer = random_layer(rng, forced_sampling=True)
        arch = Architecture((layer,))
        assert arch.is_canonical() and 2 <= arch.expansion(0) <= SUB_BLOCKS


def test_spos_measure_matches_the_library_uniform_sampler_with_rejection():
    space = tiny_space(3)
    cost_model = CostModel(space)
    low, high = cost_model.macs_range()
    budget = low + 0.5 * (high - low)
    spos = UniformSampler(space.num_layers, seed=0, forced_sampling=True)
    rejected = []
    while len(rejected) < 1500:
        (arch,) = spos.next_step()
        if cost_model.macs(arch) <= budget:
            rejected.append(arch)
    sampler = BudgetSampler(cost_model, budget, forced_sampling=True, measure="spos")
    rng = np.random.default_rng(4)
    constructed = [sampler.sample(rng) for _ in range(1500)]
    # Expansion rates and kernels per layer: the same law, within sampling noise.
    for layer in range(space.num_layers):
        table = np.array([
            [sum(a.expansion(layer) == e for a in draws) for e in range(2, SUB_BLOCKS + 1)]
            for draws in (rejected, constructed)
        ])
        assert chi2_contingency(table[:, table.sum(0) > 0]).pvalue > 1e-3
    uniform = BudgetSampler(cost_model, budget, forced_sampling=True)
    uniform_draws = [uniform.sample(rng) for _ in range(1500)]
    table = np.array([[sum(a.expansion(0) == e for a in draws) for e in range(2, SUB_BLOCKS + 1)]
                      for draws in (rejected, uniform_draws)])
    assert chi2_contingency(table[:, table.sum(0) > 0]).pvalue < 1e-3  # the measures differ


def test_unknown_measure_is_a_clear_error():
    with pytest.raises(SgnasError, match="unknown sampling measure"):
        BudgetSampler(CostModel(tiny_space()), 1e12, measure="lognormal")
