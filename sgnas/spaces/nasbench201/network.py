"""The stand-alone NAS-Bench-201 network of one cell (Dong & Yang, ICLR 2020; NATS-Bench ``TinyNetwork``).

The macro skeleton of :mod:`sgnas.spaces.nasbench201.macro` with the same
cell repeated in every stage, built as the benchmark trains it: every BN
affine with running statistics, every conv bias-free, ops as in
:mod:`sgnas.spaces.nasbench201.ops`. Its multiply-adds and parameters are
those of :class:`sgnas.spaces.nasbench201.cost.CostModel` (tested with
``torch.utils.flop_counter``).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn

from sgnas.spaces.nasbench201.cell import EDGES, NUM_NODES, Cell
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.nasbench201.ops import ReductionBlock, make_op

__all__ = ["CellModule", "NB201Network", "build_body", "build_head", "build_stem"]


def build_stem(macro: MacroSpec) -> nn.Sequential:
    """3x3 bias-free conv from the image to ``macro.channels``, then affine BN."""
    return nn.Sequential(
        nn.Conv2d(macro.in_channels, macro.channels, 3, padding=1, bias=False), nn.BatchNorm2d(macro.channels)
    )


def build_body(macro: MacroSpec, make_cell: Callable[[int], nn.Module]) -> list[nn.Module]:
    """The three stages of ``macro``: ``cells_per_stage`` cells of each width, a reduction block between stages."""
    layers: list[nn.Module] = []
    channels = macro.stage_channels
    for stage, width in enumerate(channels):
        if stage:
            layers.append(ReductionBlock(channels[stage - 1], width))
        layers.extend(make_cell(width) for _ in range(macro.cells_per_stage))
    return layers


def build_head(macro: MacroSpec) -> nn.Sequential:
    """BN, ReLU, global average pooling, linear classifier."""
    last = macro.stage_channels[-1]
    return nn.Sequential(
        nn.BatchNorm2d(last),
        nn.ReLU(inplace=False),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(1),
        nn.Linear(last, macro.num_classes),
    )


class CellModule(nn.Module):
    """One fixed cell on ``channels`` channels: node j is the sum of its incoming edges' ops."""

    def __init__(self, cell: Cell, channels: int) -> None:
        super().__init__()
        self.cell = cell
        self.edges = nn.ModuleList(make_op(op, channels) for op in cell.ops)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for target in range(1, NUM_NODES):
            nodes.append(
                sum(op(nodes[source]) for (source, node), op in zip(EDGES, self.edges) if node == target)
            )
        return nodes[-1]


class NB201Network(nn.Module):
    """The benchmark's network for ``cell`` (default macro: C=16, N=5, CIFAR-10)."""

    def __init__(self, cell: Cell, macro: MacroSpec | None = None) -> None:
        super().__init__()
        self.cell = cell
        self.macro = macro = macro or MacroSpec()
        self.stem = build_stem(macro)
        self.layers = nn.Sequential(*build_body(macro, lambda width: CellModule(cell, width)))
        self.head = build_head(macro)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.layers(self.stem(x)))
