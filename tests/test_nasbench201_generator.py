"""The NAS-Bench-201 cell generator selects its epoch by the unified generator's rule (``generator.selection``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from nasbench201_support import TINY_MACRO_KWARGS

from replication.nasbench201 import NB201_PLANS
from sgnas._infra.errors import SgnasError
from sgnas.config.schema import GeneratorConfig
from sgnas.spaces.nasbench201.bounded import cell_space
from sgnas.spaces.nasbench201.cell import Cell
from sgnas.spaces.nasbench201.generator import CellGeneratorConfig, _selection, train_cell_generator
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.nasbench201.supernet import NB201Supernet

torch.set_num_threads(1)
MACRO = MacroSpec(**TINY_MACRO_KWARGS)
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


def _train(top1, **fields):
    torch.manual_seed(0)
    supernet = NB201Supernet(MACRO, bn="batch-stats")
    config = CellGeneratorConfig(epochs=EPOCHS, lr=0.05, **fields)
    return train_cell_generator(supernet, cell_space(MacroSpec()), _Batches(), config, 0, top1), config


def test_the_score_rule_keeps_the_epoch_it_scores_best_and_that_epochs_generator():
    calls: list[Cell] = []

    def top1(cell: Cell) -> float:  # one call per epoch, at the middle target: epoch 1 is far the best
        calls.append(cell)
        return 1e6 if len(calls) == 2 else 0.0

    (generator, trained), config = _train(top1, selection="score")
    assert len(calls) == EPOCHS and trained["best_epoch"] == 1 and trained["selected_by"] == "the best score"
    kept = _selection(generator, cell_space(MacroSpec()), lambda cell: 0.0, config)
    assert kept["mean_relative_error"] == pytest.approx(trained["history"][1]["mean_relative_error"])


@pytest.mark.parametrize(("max_hw_loss", "selected_by"), [(1e9, "the best top-1"), (0.0, "the least summed")])
def test_the_official_rule_keeps_the_best_top1_below_the_loss_threshold_else_the_least_loss(max_hw_loss, selected_by):
    (_, trained), _ = _train(lambda cell: 50.0, selection="official", select_max_hw_loss=max_hw_loss)
    losses = [epoch["summed_hw_loss"] for epoch in trained["history"]]
    # equal top-1 everywhere: below the threshold the first epoch stays; above it, the least summed loss wins
    expected = 0 if max_hw_loss > max(losses) else losses.index(min(losses))
    assert trained["best_epoch"] == expected and trained["selected_by"].startswith(selected_by)
    assert trained["selection"] == "official"


def test_the_track_honours_the_unified_field_and_unknown_rules_are_errors():
    assert all(plan.generator_selection == GeneratorConfig().selection for plan in NB201_PLANS.values())
    assert CellGeneratorConfig().select_max_hw_loss == GeneratorConfig().select_max_hw_loss
    with pytest.raises(SgnasError, match="selection must be one of official, score"):
        _train(lambda cell: 0.0, selection="last")
