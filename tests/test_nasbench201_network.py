"""The stand-alone NAS-Bench-201 network: the benchmark's op definitions, and its cost equals the cost model."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings
from nasbench201_support import TINY_MACRO_KWARGS, cells
from torch.utils.flop_counter import FlopCounterMode

from sgnas.spaces.nasbench201.cell import Cell
from sgnas.spaces.nasbench201.cost import CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec, macro_for
from sgnas.spaces.nasbench201.network import NB201Network
from sgnas.spaces.nasbench201.ops import make_op

torch.set_num_threads(1)


def _measured(net: NB201Network) -> tuple[int, int]:
    """Multiply-adds per image (FlopCounterMode counts 2 per multiply-add) and parameters."""
    net.eval()
    macro = net.macro
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        net(torch.randn(1, macro.in_channels, macro.resolution, macro.resolution))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2, sum(p.numel() for p in net.parameters())


def _assert_cost_matches(cell: Cell, macro: MacroSpec) -> None:
    model = CostModel(macro)
    macs, params = _measured(NB201Network(cell, macro))
    # FlopCounterMode counts convs and the classifier's matmul but not the classifier's bias add:
    # exactly the conv+fc convention; the benchmark's adds one multiply-add per class for the bias.
    assert macs == model.macs(cell, "conv+fc") == model.macs(cell) - macro.num_classes
    assert params == model.params(cell)


@pytest.mark.invariants
@settings(max_examples=8)
@given(cells())
def test_benchmark_network_cost_equals_the_cost_model(cell):
    _assert_cost_matches(cell, MacroSpec())


@pytest.mark.invariants
@given(cells())
def test_cost_equals_the_cost_model_for_other_layouts(cell):
    _assert_cost_matches(cell, MacroSpec(channels=6, cells_per_stage=2, num_classes=7, resolution=12))


def test_imagenet16_network_cost_equals_the_cost_model():
    _assert_cost_matches(Cell(("nor_conv_3x3", "avg_pool_3x3") * 3), macro_for("imagenet16-120"))


def test_ops_follow_the_benchmark_definitions():
    conv = make_op("nor_conv_3x3", 8)
    assert [type(m) for m in conv] == [nn.ReLU, nn.Conv2d, nn.BatchNorm2d]
    assert conv[1].bias is None and conv[1].padding == (1, 1)
    assert conv[2].affine and conv[2].track_running_stats
    x = torch.randn(2, 8, 5, 5)
    assert torch.equal(make_op("skip_connect", 8)(x), x)
    assert torch.equal(make_op("none", 8)(x), torch.zeros_like(x))
    with pytest.raises(ValueError, match="unknown NAS-Bench-201 op"):
        make_op("max_pool_3x3", 8)


@pytest.mark.parametrize("height, width", [(1, 1), (1, 5), (2, 2), (5, 3), (16, 16)])
def test_avg_pool_is_the_benchmarks_pool_padding_excluded(height, width):
    """``avg_pool_3x3`` is ``nn.AvgPool2d(3, 1, 1, count_include_pad=False)`` in value and gradient."""
    reference = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    x = torch.randn(3, 4, height, width, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(3, 4, height, width, dtype=torch.float64)
    ours = make_op("avg_pool_3x3", 4)(x)
    expected = reference(x)
    torch.testing.assert_close(ours, expected, rtol=0, atol=1e-12)
    (grad_ours,) = torch.autograd.grad((ours * weights).sum(), x)
    (grad_expected,) = torch.autograd.grad((expected * weights).sum(), x)
    torch.testing.assert_close(grad_ours, grad_expected, rtol=0, atol=1e-12)


def test_avg_pool_after_inference_mode_still_trains():
    """A shape first pooled under ``torch.inference_mode`` (a search) still backpropagates afterwards (training)."""
    pool = make_op("avg_pool_3x3", 3)
    with torch.inference_mode():
        pool(torch.randn(2, 3, 7, 9))
    x = torch.randn(2, 3, 7, 9, requires_grad=True)
    pool(x).sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape


def test_layout_and_output_shape():
    macro = MacroSpec(**TINY_MACRO_KWARGS)
    net = NB201Network(Cell(("nor_conv_1x1",) * 6), macro)
    assert len(net.layers) == 3 * macro.cells_per_stage + 2
    assert net(torch.randn(3, 3, 8, 8)).shape == (3, 10)
    # Node 3 of an all-none cell is zero, so the classifier sees zeros after every cell stage.
    zero = NB201Network(Cell(("none",) * 6), macro).eval()
    out = zero(torch.randn(2, 3, 8, 8))
    assert torch.allclose(out, zero.head[-1].bias.expand_as(out))
