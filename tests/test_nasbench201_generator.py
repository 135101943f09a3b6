"""The NAS-Bench-201 cell generator is the one generator trainer of every space, on the cell's choice structure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from nasbench201_support import TINY_MACRO_KWARGS

from replication.nasbench201 import generator_config
from replication.plans import NB201_PRESETS
from sgnas._infra.errors import SgnasError
from sgnas.config.schema import GeneratorConfig
from sgnas.search.generator.prior import PriorPool
from sgnas.search.generator.train import GeneratorTrainer
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell
from sgnas.spaces.nasbench201.choices import CellChoices
from sgnas.spaces.nasbench201.cost import CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.nasbench201.supernet import NB201Supernet

torch.set_num_threads(1)
MACRO = MacroSpec(**TINY_MACRO_KWARGS)
COST = CostModel(MacroSpec())
EPOCHS = 3


class _Batches:
    """Two fixed batches of random images, the same every epoch."""

    def __init__(self) -> None:
        generator = torch.Generator().manual_seed(0)
        self.batches = [(torch.randn(4, 3, MACRO.resolution, MACRO.resolution, generator=generator),
                         torch.randint(0, MACRO.num_classes, (4,), generator=generator)) for _ in range(2)]

    def __len__(self) -> int:
        return len(self.batches)

    def epoch(self, epoch: int, start: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return iter(self.batches[start:])


def _trainer(**fields) -> GeneratorTrainer:
    torch.manual_seed(0)
    supernet = NB201Supernet(MACRO, bn="batch-stats")
    config = dataclasses.replace(generator_config(NB201_PRESETS["smoke"], *(m / 1e6 for m in COST.macs_range())), epochs=EPOCHS, lr=0.05, **fields)
    return GeneratorTrainer(supernet, COST, CellChoices(), _Batches(), _Batches(), config, forced_sampling=False,
                            preset="nb201-test", seed=0)


def test_the_cell_generator_trains_through_the_shared_trainer_and_generates_cells():
    trainer = _trainer()
    trained = trainer.train()
    assert len(trained["history"]) == EPOCHS and trained["forward_passes"] > 0
    low, high = trainer.config.target_low, trainer.config.target_high
    for target in np.linspace(low, high, 5):
        cell = trainer.generate(float(target))
        assert isinstance(cell, Cell) and len(cell.ops) == NUM_EDGES
    assert trainer.generator.choice_shape == (NUM_EDGES, len(OPS))


def test_the_cell_choices_round_trip_and_sweep_the_cost_range():
    choices = CellChoices()
    rng = np.random.default_rng(0)
    cell = choices.random(rng, False)
    assert choices.from_one_hot(choices.one_hot(cell)) == cell == choices.decode(choices.one_hot(cell), False)
    smallest, largest = choices.random(rng, False, 0.0), choices.random(rng, False, 1.0)
    assert (COST.macs(smallest), COST.macs(largest)) == COST.macs_range()
    with pytest.raises(SgnasError, match="forced sampling does not apply"):
        choices.relax(torch.zeros(NUM_EDGES, len(OPS)), 1.0, True)
    pool = PriorPool(choices, COST, *(m / 1e6 for m in COST.macs_range()), size=10, seed=0, forced_sampling=False,
                     convention="nb201", draw="sweep")
    assert len(set(pool.archs)) > 1 and PriorPool.from_state(pool.state_dict(), choices).archs == pool.archs


def test_the_score_rule_keeps_the_epoch_it_scores_best_and_that_epochs_generator(monkeypatch):
    trainer = _trainer(selection="score")
    calls: list[Cell] = []

    def top1(cell: Cell) -> float:  # one call per epoch, at the middle target: epoch 1 is far the best
        calls.append(cell)
        return 1e6 if len(calls) == 2 else 0.0

    monkeypatch.setattr(trainer, "_select_top1", top1)
    trained = trainer.train()
    assert len(calls) == EPOCHS and trained["best_epoch"] == 1 and trained["selected_by"] == "the best score"
    monkeypatch.setattr(trainer, "_select_top1", lambda cell: 0.0)
    assert trainer.select()["mean_relative_error"] == pytest.approx(trained["history"][1]["mean_relative_error"])


@pytest.mark.parametrize(("max_hw_loss", "selected_by"), [(1e9, "the best top-1"), (0.0, "the least summed")])
def test_the_official_rule_keeps_the_best_top1_below_the_loss_threshold_else_the_least_loss(max_hw_loss, selected_by,
                                                                                            monkeypatch):
    trainer = _trainer(selection="official", select_max_hw_loss=max_hw_loss)
    monkeypatch.setattr(trainer, "_select_top1", lambda cell: 50.0)
    trained = trainer.train()
    losses = [epoch["summed_hw_loss"] for epoch in trained["history"]]
    # equal top-1 everywhere: below the threshold the first epoch stays; above it, the least summed loss wins
    expected = 0 if max_hw_loss > max(losses) else losses.index(min(losses))
    assert trained["best_epoch"] == expected and trained["selected_by"].startswith(selected_by)
    assert trained["selection"] == "official"


def test_the_track_honours_the_unified_field_and_unknown_rules_are_errors():
    assert all(plan.generator_selection == GeneratorConfig().selection for plan in NB201_PRESETS.values())
    with pytest.raises(SgnasError, match="selection must be one of official, score"):
        _trainer(selection="last")
