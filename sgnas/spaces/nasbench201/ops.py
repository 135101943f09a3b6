"""The NAS-Bench-201 ops and fixed blocks as torch modules (Dong & Yang, ICLR 2020; NATS-Bench).

Definitions follow the benchmark's library (``xautodl/models/cell_operations.py``):

* ``none``: zero output of the input's shape;
* ``skip_connect``: identity (cell edges never change shape);
* ``nor_conv_1x1`` / ``nor_conv_3x3``: ReLU, bias-free conv (same padding), BN;
* ``avg_pool_3x3``: 3x3 average pooling, stride 1, padding 1, padding excluded
  from the average (``count_include_pad=False``);
* the reduction block between stages: ReLU-Conv3x3(stride 2)-BN,
  ReLU-Conv3x3-BN, added to a shortcut of AvgPool2d(2) then a bias-free 1x1 conv.

The cell ops take their BN's ``affine`` and ``track_running_stats`` from the
caller: the stand-alone network uses affine BN with running statistics, the
supernet's BN setting is a choice (:mod:`sgnas.spaces.nasbench201.supernet`).
The benchmark's library gives a ReLU-Conv-BN a conv bias when its BN is not
affine; a per-channel constant added just before a BN is removed by the BN's
mean subtraction, so the convs here are always bias-free.
"""

from __future__ import annotations

import functools

import torch
import torch.nn as nn

from sgnas.spaces.nasbench201.cell import CONV_KERNEL, OPS

__all__ = ["AvgPool3x3", "ReductionBlock", "Zero", "make_op", "relu_conv_bn"]


class Zero(nn.Module):
    """The ``none`` op: zeros shaped like the input (kept in the graph, as the benchmark's ``x * 0``)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


class AvgPool3x3(nn.Module):
    """The ``avg_pool_3x3`` op: 3x3 mean, stride 1, over the window's in-map pixels only (padding excluded).

    The same function as ``nn.AvgPool2d(3, 1, 1, count_include_pad=False)``
    (equal to float rounding), computed as two separable 3-tap sums of shifted
    views divided by each pixel's window size. PyTorch's CPU pooling kernel
    was the largest cost after the convolutions and the backward pass in a
    NAS-Bench-201 seed's profile (1.1 ms a forward call at 64 x 8 x 16 x 16);
    the shifted sums are about 7x faster forward and 3.7x forward and
    backward there, and any device runs them.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded = nn.functional.pad(x, (1, 1, 1, 1))
        rows = padded[..., :, :-2] + padded[..., :, 1:-1] + padded[..., :, 2:]
        window = rows[..., :-2, :] + rows[..., 1:-1, :] + rows[..., 2:, :]
        return window / _window_sizes(x.shape[-2], x.shape[-1], x.dtype, x.device)


@functools.lru_cache(maxsize=64)
def _window_sizes(height: int, width: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """How many in-map pixels each position's 3x3 window holds (4 in corners, 6 on edges, 9 inside); a plain
    tensor even when first asked for under ``torch.inference_mode``, so later autograd calls can reuse it."""
    with torch.inference_mode(False), torch.no_grad():
        rows = torch.full((height,), 3.0, dtype=dtype, device=device)
        cols = torch.full((width,), 3.0, dtype=dtype, device=device)
        rows[0] -= 1
        rows[-1] -= 1
        cols[0] -= 1
        cols[-1] -= 1
        return rows[:, None] * cols[None, :]


def relu_conv_bn(
    cin: int, cout: int, kernel: int, stride: int = 1, affine: bool = True, track_running_stats: bool = True
) -> nn.Sequential:
    """ReLU, bias-free ``kernel x kernel`` conv with same padding, BN."""
    return nn.Sequential(
        nn.ReLU(inplace=False),
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(cout, affine=affine, track_running_stats=track_running_stats),
    )


def make_op(name: str, channels: int, affine: bool = True, track_running_stats: bool = True) -> nn.Module:
    """The module of op ``name`` on a ``channels``-channel edge (stride 1, shape-preserving)."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name in CONV_KERNEL:
        return relu_conv_bn(channels, channels, CONV_KERNEL[name], 1, affine, track_running_stats)
    if name == "avg_pool_3x3":
        return AvgPool3x3()
    raise ValueError(f"unknown NAS-Bench-201 op {name!r}; expected one of {', '.join(OPS)}")


class ReductionBlock(nn.Module):
    """The residual block between stages: halves the map, ``cin`` -> ``cout`` channels (affine BN)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv_a = relu_conv_bn(cin, cout, 3, stride=2)
        self.conv_b = relu_conv_bn(cout, cout, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, stride=2), nn.Conv2d(cin, cout, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_b(self.conv_a(x)) + self.shortcut(x)
