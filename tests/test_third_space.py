"""A third space (``tests/chainspace``, a chain of choice layers) runs the whole pipeline with no new library code.

The package registers its space entry and samplers like any plugin; the
library's own supernet trainer, generator trainer, evaluator and the baselines'
random search and evolution then run on it unchanged (SGNAS supp. C: the
generator's output map "fits different search spaces").
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pytest
import torch
from baselines_support import one_thread

from baselines.evolution import EvolutionSizes, evolve
from baselines.random_search import random_sampling, random_search
from sgnas.config.schema import GeneratorConfig, SupernetConfig
from sgnas.registry import SAMPLERS, SPACES
from sgnas.search.generator.strategy import GeneratorStrategy
from sgnas.search.generator.train import GeneratorTrainer
from sgnas.supernet.evaluator import SupernetEvaluator
from sgnas.training.supernet import SupernetTrainer


class _Batches:
    """Fixed synthetic batches whose label is a function of the image (something to learn), the same each epoch."""

    def __init__(self, count: int, seed: int) -> None:
        generator = torch.Generator().manual_seed(seed)
        images = [torch.randn(16, 3, 8, 8, generator=generator) for _ in range(count)]
        self.batches = [(x, (x[:, 0].mean((1, 2)) > 0).long() * 3 + (x[:, 1].mean((1, 2)) > 0).long())
                        for x in images]

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return iter(self.batches)

    def epoch(self, epoch: int, start: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return iter(self.batches[start:])


@pytest.fixture()
def chain(monkeypatch: pytest.MonkeyPatch, isolated_registries: None) -> Iterator[ModuleType]:
    """The chain space registered for this test only (every registry restored afterwards)."""
    monkeypatch.delitem(sys.modules, "chainspace", raising=False)
    yield importlib.import_module("chainspace")
    sys.modules.pop("chainspace", None)


@pytest.mark.usefixtures(one_thread.__name__)
def test_a_third_space_trains_a_supernet_a_generator_and_runs_the_searches(chain: ModuleType, tmp_path) -> None:
    torch.manual_seed(0)
    entry = SPACES.get("chain")
    spec = entry.build()
    cost, choices = entry.cost_model(spec), entry.choices(spec)
    supernet = chain.ChainSupernet(spec)
    train, val = _Batches(6, 0), _Batches(2, 1)

    # the library's supernet trainer, with the space's strict-fairness grid sampler from the registry
    sampler = SAMPLERS.get("chain-strict-fair")(0)
    rng = np.random.default_rng(0)
    supernet_config = SupernetConfig(epochs=4, lr=0.1, checkpoint_every=0, val_archs=2, calib_batches=1,
                                     grad_clip=5.0, path_gradients="mean")
    summary = SupernetTrainer(supernet, sampler, train, val, train, supernet_config, "chain", 0, spec, cost,
                              [entry.random(rng, spec) for _ in range(2)]).train()
    assert summary is not None and summary["forward_passes"] == 4 * len(train) * len(chain.OPS)
    assert np.isfinite(summary["final_train_loss"]) and summary["validation"]["learned"]

    # the library's generator trainer on the space's choice structure
    low, high = (m / 1e6 for m in cost.macs_range())
    config = GeneratorConfig(epochs=3, lr=1e-2, loss="relative", hw_lambda=5.0, target_low=low, target_high=high,
                             target_step=(high - low) / 8, target_jitter=0.0, init="default", label_smoothing=0.0,
                             convention="macs", threshold=0.0, macs_threshold=0.0, prior_pool=3, select_step=(high - low) / 4)
    trainer = GeneratorTrainer(supernet, cost, choices, train, val, config, forced_sampling=False, preset="chain",
                               seed=0)
    trained = trainer.train()
    assert len(trained["history"]) == 3 and trainer.generator.choice_shape == choices.shape
    trainer.export(tmp_path / "generator.pt")
    strategy = GeneratorStrategy.load(tmp_path / "generator.pt", cost, choices, "chain")
    for target in np.linspace(low, high, 4):
        generated = strategy.generate(float(target))
        assert isinstance(generated, chain.Chain) and generated == trainer.generate(float(target))

    # the library's evaluator and the baselines' searches within a limit, through the space's entry
    evaluator = SupernetEvaluator(supernet, cost, val)
    limit = (cost.macs_range()[0] + cost.macs_range()[1]) / 2
    bounded = entry.within(cost, limit)
    rng = np.random.default_rng(0)
    found = [random_search(bounded, evaluator.accuracy, 8, rng).best,
             evolve(bounded, evaluator.accuracy, 12, rng, EvolutionSizes.for_budget(12)).best,
             random_sampling(bounded, rng)]
    assert all(isinstance(arch, chain.Chain) and cost.macs(arch) <= limit for arch in found)
    assert all(0.0 <= evaluator.accuracy(arch) <= 100.0 for arch in found) and evaluator.forward_passes > 0
