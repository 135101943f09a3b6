"""The NAS-Bench-201 supernet evaluator: forward-pass accounting, caching, BN settings, restored state."""

from __future__ import annotations

import copy

import pytest
import torch
from nasbench201_support import TINY_MACRO_KWARGS

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import Cell
from sgnas.spaces.nasbench201.cost import CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.nasbench201.supernet import NB201Supernet
from sgnas.supernet.evaluator import SupernetEvaluator

torch.set_num_threads(1)
MACRO = MacroSpec(**TINY_MACRO_KWARGS)
CELL = Cell(("nor_conv_3x3", "avg_pool_3x3", "nor_conv_1x1", "skip_connect", "none", "nor_conv_3x3"))


def _batches(count: int, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return [(torch.randn(8, 3, 8, 8, generator=generator), torch.randint(0, 10, (8,), generator=generator))
            for _ in range(count)]


def _supernet(bn: str) -> NB201Supernet:
    torch.manual_seed(0)
    return NB201Supernet(MACRO, bn=bn)


def test_batch_stats_evaluation_counts_validation_batches_and_caches():
    evaluator = SupernetEvaluator(_supernet("batch-stats"), CostModel(MACRO), _batches(3))
    accuracy = evaluator.accuracy(CELL)
    assert 0.0 <= accuracy <= 100.0
    assert evaluator.forward_passes == 3
    assert evaluator.accuracy(CELL) == accuracy and evaluator.forward_passes == 3
    evaluator.accuracy(Cell(("none",) * 6))
    assert evaluator.forward_passes == 6
    assert evaluator.cost_model.macs(CELL) == CostModel(MACRO).macs(CELL)


def test_running_evaluation_recalibrates_then_restores_the_supernet():
    supernet = _supernet("running")
    supernet.train()
    for images, _ in _batches(2, seed=5):
        with torch.no_grad():
            supernet(images, Cell(("nor_conv_1x1",) * 6))
    before = copy.deepcopy(supernet.state_dict())
    evaluator = SupernetEvaluator(supernet, CostModel(MACRO), _batches(2), calib_batches=_batches(4, 1), calib_steps=3)
    evaluator.accuracy(CELL)
    assert evaluator.forward_passes == 3 + 2
    assert supernet.training
    after = supernet.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_the_bn_setting_decides_whether_calibration_is_needed():
    with pytest.raises(SgnasError, match="running BN statistics needs calib_batches"):
        SupernetEvaluator(_supernet("running"), CostModel(MACRO), _batches(1))
    with pytest.raises(SgnasError, match="set calib_steps to 0"):
        SupernetEvaluator(_supernet("batch-stats"), CostModel(MACRO), _batches(1), _batches(1), calib_steps=1)
    with pytest.raises(SgnasError, match="validation batches are empty"):
        SupernetEvaluator(_supernet("batch-stats"), CostModel(MACRO), iter(_batches(0))).accuracy(CELL)
