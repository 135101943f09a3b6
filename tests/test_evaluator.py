"""SupernetEvaluator: recalibrated top-1, counted forward passes, cache per (canonical) architecture."""

from __future__ import annotations

import copy

import pytest
import torch
from supernet_support import TINY_SPACE, randomised_supernet

from sgnas._infra.errors import SgnasError
from sgnas.search.strategy import Evaluator
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.supernet.bn_recalibration import recalibrate_bn
from sgnas.supernet.evaluator import SupernetEvaluator

ARCH = Architecture((("k5", "skip", "k3", "k3", "skip", "k7"),) * TINY_SPACE.num_layers)


def _batches(count: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(4, 3, 16, 16, generator=generator), torch.randint(0, 10, (4,), generator=generator))
        for _ in range(count)
    ]


def _evaluator(forced_sampling: bool = True, **options) -> SupernetEvaluator:
    supernet = randomised_supernet(0)
    return SupernetEvaluator(supernet, CostModel(TINY_SPACE), _batches(3, 1), _batches(2, 2), 2,
                             forced_sampling=forced_sampling, **options)


def _manual_top1(evaluator: SupernetEvaluator, arch: Architecture) -> float:
    supernet = copy.deepcopy(evaluator.supernet)
    recalibrate_bn(supernet, arch, evaluator.calib_batches, evaluator.calib_steps)
    supernet.eval()
    with torch.no_grad():
        hits = sum(int((supernet(x, arch).argmax(1) == y).sum()) for x, y in evaluator.val_batches)
    return 100.0 * hits / sum(len(y) for _, y in evaluator.val_batches)


def test_accuracy_is_top1_after_recalibration_and_counts_forward_passes():
    evaluator = _evaluator()
    interface: Evaluator = evaluator  # the strategies' protocol: cost_model, forward_passes, accuracy()
    assert interface.cost_model.space == TINY_SPACE and interface.forward_passes == 0
    before = copy.deepcopy(evaluator.supernet.state_dict())
    accuracy = evaluator.accuracy(ARCH)
    assert accuracy == pytest.approx(_manual_top1(evaluator, ARCH.canonical()))
    assert 0.0 <= accuracy <= 100.0
    assert evaluator.forward_passes == 2 + 3
    for key, value in evaluator.supernet.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert evaluator.supernet.training


def test_cache_is_per_canonical_architecture_under_forced_sampling():
    evaluator = _evaluator()
    first = evaluator.accuracy(ARCH)
    assert evaluator.accuracy(ARCH.canonical()) == first
    assert evaluator.forward_passes == 5 and len(evaluator.cache) == 1


def test_without_forced_sampling_arrangements_are_evaluated_apart():
    evaluator = _evaluator(forced_sampling=False)
    assert evaluator.accuracy(ARCH) == pytest.approx(_manual_top1(evaluator, ARCH))
    evaluator.accuracy(ARCH.canonical())
    assert evaluator.forward_passes == 10 and len(evaluator.cache) == 2


def test_bad_settings_are_refused():
    with pytest.raises(SgnasError, match="calib_steps"):
        SupernetEvaluator(randomised_supernet(0), CostModel(TINY_SPACE), [], [], 0)
    evaluator = SupernetEvaluator(randomised_supernet(0), CostModel(TINY_SPACE), [], _batches(1, 0), 1)
    with pytest.raises(SgnasError, match="empty"):
        evaluator.accuracy(ARCH)
