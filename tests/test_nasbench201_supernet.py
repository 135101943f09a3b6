"""The NAS-Bench-201 supernet: single paths, relaxed paths, the BN settings, BN recalibration, a training step."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, settings
from nasbench201_support import TINY_MACRO_KWARGS, cells

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.nasbench201.samplers import StrictFairSampler
from sgnas.spaces.nasbench201.supernet import NB201Supernet, SupernetCell
from sgnas.supernet.bn_recalibration import preserved_bn_statistics, recalibrate_bn

torch.set_num_threads(1)
MACRO = MacroSpec(**TINY_MACRO_KWARGS)


def _supernet(bn: str, seed: int = 0) -> NB201Supernet:
    torch.manual_seed(seed)
    return NB201Supernet(MACRO, bn=bn)


def _images(batch: int = 6, seed: int = 1) -> torch.Tensor:
    return torch.randn(batch, 3, MACRO.resolution, MACRO.resolution, generator=torch.Generator().manual_seed(seed))


def _one_hot(cell: Cell) -> torch.Tensor:
    return F.one_hot(torch.tensor(cell.op_indices()), len(OPS)).float()


def _cell_norms(supernet: NB201Supernet) -> list[nn.BatchNorm2d]:
    return [m for layer in supernet.layers if isinstance(layer, SupernetCell) for m in layer.modules()
            if isinstance(m, nn.BatchNorm2d)]


@pytest.mark.invariants
@settings(max_examples=10)
@given(cells())
def test_relaxed_one_hot_equals_the_single_path(cell):
    x = _images()
    for bn, mode in (("batch-stats", "train"), ("batch-stats", "eval"), ("running", "train"), ("running", "eval")):
        supernet = _supernet(bn)
        supernet.train(mode == "train")
        with torch.no_grad():
            assert torch.equal(supernet(x, cell), supernet.forward_relaxed(x, _one_hot(cell)))


def test_ops_at_or_below_the_threshold_are_left_out():
    supernet = _supernet("batch-stats")
    weights = torch.softmax(torch.randn(NUM_EDGES, len(OPS), generator=torch.Generator().manual_seed(2)), -1)
    threshold = float(weights.median())
    pruned = torch.where(weights > threshold, weights, torch.zeros_like(weights))
    x = _images()
    with torch.no_grad():
        assert torch.allclose(supernet.forward_relaxed(x, weights, threshold), supernet.forward_relaxed(x, pruned))
        assert not torch.allclose(supernet.forward_relaxed(x, weights), supernet.forward_relaxed(x, pruned))


def test_relaxed_forward_is_differentiable_in_the_kept_weights():
    supernet = _supernet("batch-stats")
    logits = torch.zeros(NUM_EDGES, len(OPS), requires_grad=True)
    supernet.forward_relaxed(_images(), torch.softmax(logits, -1)).square().sum().backward()
    assert torch.isfinite(logits.grad).all() and bool(logits.grad.abs().sum() > 0)
    with pytest.raises(SgnasError, match=r"relaxed cell has shape \(6, 4\)"):
        supernet.forward_relaxed(_images(), torch.ones(6, 4))


def test_a_single_path_trains_only_its_ops():
    supernet = _supernet("batch-stats")
    cell = Cell(("nor_conv_3x3", "none", "skip_connect", "nor_conv_1x1", "avg_pool_3x3", "nor_conv_3x3"))
    F.cross_entropy(supernet(_images(), cell), torch.arange(6) % 10).backward()
    first = supernet.layers[0]
    assert first.edges[0][OPS.index("nor_conv_3x3")][1].weight.grad is not None
    assert first.edges[0][OPS.index("nor_conv_1x1")][1].weight.grad is None
    assert first.edges[3][OPS.index("nor_conv_3x3")][1].weight.grad is None


def test_bn_settings():
    batch_stats, running = _supernet("batch-stats"), _supernet("running")
    for bn in _cell_norms(batch_stats):
        assert not bn.affine and not bn.track_running_stats and bn.running_mean is None
    for bn in _cell_norms(running):
        assert not bn.affine and bn.track_running_stats
    # The shared stem, reductions and head keep affine BN with running statistics in both settings.
    assert batch_stats.stem[1].affine and batch_stats.stem[1].track_running_stats
    # In evaluation a batch-stats supernet's output for an image depends on the rest of the batch; running does not.
    cell = Cell(("nor_conv_3x3",) * 6)
    x = _images(8)
    for supernet, depends in ((batch_stats, True), (running, False)):
        supernet.eval()
        with torch.no_grad():
            whole, half = supernet(x, cell)[:4], supernet(x[:4], cell)
        # Logits of order 0.1 to 1 in float32: another batch size only reorders sums (~1e-7 of them), while
        # batch statistics of another batch move them by ~0.2.
        assert torch.allclose(whole, half, rtol=1e-5, atol=1e-6) is not depends
    with pytest.raises(SgnasError, match="unknown supernet BN setting 'frozen'"):
        NB201Supernet(MACRO, bn="frozen")


def test_running_statistics_are_recalibrated_per_path_and_restored():
    supernet = _supernet("running")
    supernet.train()
    for cell in StrictFairSampler(0).next_step():
        with torch.no_grad():
            supernet(_images(seed=3), cell)
    before = copy.deepcopy(supernet.state_dict())
    cell = Cell(("nor_conv_3x3",) * 6)
    conv3, conv1 = OPS.index("nor_conv_3x3"), OPS.index("nor_conv_1x1")
    with preserved_bn_statistics(supernet):
        recalibrate_bn(supernet, cell, [_images(seed=s) for s in range(3)], 3)
        first = supernet.layers[0]
        on_path, off_path = first.edges[0][conv3][2], first.edges[0][conv1][2]
        assert int(on_path.num_batches_tracked) == 3 and not torch.equal(on_path.running_mean, torch.zeros(4))
        assert int(off_path.num_batches_tracked) == 0 and torch.equal(off_path.running_mean, torch.zeros(4))
    after = supernet.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_a_strict_fairness_training_step_on_random_data():
    supernet = _supernet("batch-stats")
    optimizer = torch.optim.SGD(supernet.parameters(), lr=0.05, momentum=0.9)
    images, labels = _images(8), torch.arange(8) % 10
    weights = [p.detach().clone() for p in supernet.parameters()]
    convs = [m for layer in supernet.layers if isinstance(layer, SupernetCell) for m in layer.modules()
             if isinstance(m, nn.Conv2d)]
    calls = dict.fromkeys(map(id, convs), 0)
    for conv in convs:
        conv.register_forward_hook(lambda module, _inputs, _output: calls.__setitem__(id(module), calls[id(module)] + 1))
    optimizer.zero_grad()
    losses = []
    for cell in StrictFairSampler(4).next_step():
        loss = F.cross_entropy(supernet(images, cell), labels)
        loss.backward()
        losses.append(loss.detach().item())
    optimizer.step()
    assert np.isfinite(losses).all()
    # Strict fairness runs every op of every edge of every cell exactly once per step.
    assert set(calls.values()) == {1}
    assert all(conv.weight.grad is None or torch.isfinite(conv.weight.grad).all() for conv in convs)
    assert any(not torch.equal(w, p) for w, p in zip(weights, supernet.parameters()))
