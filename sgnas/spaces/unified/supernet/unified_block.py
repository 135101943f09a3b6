"""The unified block of SGNAS (Huang & Chu, CVPR 2021, Sec. 3 and supp. Table 6) with fast single-path execution.

A unified block expands C_in channels to 6*C_in with a 1x1 conv (BN, activation)
and cuts them into six *sub-blocks* of C_in channels. Each sub-block applies one
of ``k3``/``k5``/``k7`` (depthwise conv, BN, activation) or ``skip`` (zero: its
channels contribute nothing). The six outputs are concatenated and projected to
C_out by a 1x1 conv followed by a shadow BN; the input is added when stride is 1
and C_in == C_out.

Parameter layout (what :mod:`sgnas.export.inherit` relies on): the rows
``[j*C_in, (j+1)*C_in)`` of the expand conv, of the expand BN, of each kernel's
depthwise weight and BN, and the same columns of the projection belong to
sub-block ``j``. Each kernel size has its own depthwise weights and BN per
sub-block, stored stacked as one ``6*C_in``-channel depthwise conv per kernel size.

Fast path (:meth:`UnifiedBlock.forward`): only the active sub-blocks' channels are
computed, in one branch per kernel size present. A branch takes the active
sub-blocks of that kernel size together: their expand rows (1x1 conv, BN slice,
activation), ONE grouped depthwise conv over their channels (BN slice,
activation) and their projection columns; the branches' projections are summed.
Concatenation followed by a 1x1 conv equals the sum of per-group 1x1 convs, so
this is the same function as the official all-six-sub-blocks computation
(:mod:`sgnas.spaces.unified.supernet.reference_block`), with less work and no split or
concatenation of activations. For canonical (forced-sampling) layers every
selection of weights is a contiguous slice (a view).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn as nn
import torch.nn.functional as F

from sgnas.spaces.unified.space import KERNEL_OPS, KERNEL_SIZE, MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS, LayerSpec
from sgnas.spaces.unified.supernet.shadow_bn import (
    Channels,
    ShadowBatchNorm,
    running_average_factor,
    select_channels,
    sliced_batch_norm,
)

__all__ = ["ACTIVATION_FUNCTIONS", "UnifiedBlock", "relaxed_expansion"]

#: Activation name (:data:`sgnas.spaces.unified.activations.ACTIVATION_NAMES`) -> functional form.
ACTIVATION_FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu6": F.relu6,
    "hswish": F.hardswish,
}

_SKIP_INDEX = OPS.index(SKIP)


def _channels(positions: list[int], width: int, device: torch.device) -> Channels:
    """Channels of the sub-blocks at ``positions`` (in that order): a slice if they are contiguous."""
    if positions == list(range(positions[0], positions[0] + len(positions))):
        return slice(positions[0] * width, (positions[-1] + 1) * width)
    return torch.tensor([p * width + c for p in positions for c in range(width)], dtype=torch.long, device=device)


@dataclass(frozen=True)
class _KernelGroup:
    """The active sub-blocks of one kernel size: their channels in every per-sub-block tensor of the block."""

    op: str
    num_channels: int
    channels: Channels


@lru_cache(maxsize=65536)
def _kernel_groups(ops: tuple[str, ...], width: int, device: torch.device) -> tuple[_KernelGroup, ...]:
    groups = []
    for op in KERNEL_OPS:
        positions = [j for j, o in enumerate(ops) if o == op]
        if positions:
            groups.append(_KernelGroup(op, len(positions) * width, _channels(positions, width, device)))
    return tuple(groups)


def relaxed_expansion(weights: torch.Tensor) -> int:
    """The shadow BN used for a relaxed layer ``weights[6, 4]``: 6 - round(expected skips), within 2..6.

    The official code selects the shadow BN by ``skip_connection_num = round(sum
    of skip probabilities)``; this is that rule as a number of active sub-blocks,
    clamped to at least 2: where the official code would count 5 skips and use
    the shadow BN of one active sub-block, which no training path reaches, the
    space here has no such BN and uses that of two (register D27).
    """
    expected_skips = float(weights[:, _SKIP_INDEX].detach().sum())
    return min(SUB_BLOCKS, max(MIN_ACTIVE, SUB_BLOCKS - round(expected_skips)))


class UnifiedBlock(nn.Module):
    """One searchable layer of the unified supernet: six sub-blocks over {k3, k5, k7, skip}."""

    def __init__(self, spec: LayerSpec, act: str = "relu6", shadow_bn: bool = True) -> None:
        super().__init__()
        if act not in ACTIVATION_FUNCTIONS:
            raise ValueError(f"unknown activation {act!r}; choose one of {', '.join(ACTIVATION_FUNCTIONS)}")
        self.spec = spec
        self.act = ACTIVATION_FUNCTIONS[act]
        cin, hidden = spec.in_channels, SUB_BLOCKS * spec.in_channels
        self.expand = nn.Conv2d(cin, hidden, 1, bias=False)
        self.expand_bn = nn.BatchNorm2d(hidden)
        self.depthwise = nn.ModuleDict(
            {
                op: nn.Conv2d(hidden, hidden, k, spec.stride, k // 2, groups=hidden, bias=False)
                for op, k in KERNEL_SIZE.items()
            }
        )
        self.depthwise_bn = nn.ModuleDict({op: nn.BatchNorm2d(hidden) for op in KERNEL_SIZE})
        self.project = nn.Conv2d(hidden, spec.out_channels, 1, bias=False)
        self.project_bn = ShadowBatchNorm(spec.out_channels, range(MIN_ACTIVE, SUB_BLOCKS + 1), shadow_bn)

    @property
    def width(self) -> int:
        """Channels per sub-block (C_in)."""
        return self.spec.in_channels

    def _momentum(self, bn: nn.BatchNorm2d) -> float | None:
        return running_average_factor(bn) if self.training else None

    def _finish(self, projected: torch.Tensor, expansion: int, x: torch.Tensor) -> torch.Tensor:
        """Shadow BN of the projected sub-block outputs, then the residual."""
        out = self.project_bn(projected, expansion)
        return out + x if self.spec.residual else out

    def forward(self, x: torch.Tensor, ops: tuple[str, ...]) -> torch.Tensor:
        """The block for one layer configuration ``ops`` (six ops), computing only active sub-blocks."""
        expand_momentum = self._momentum(self.expand_bn)
        projected, active_channels = None, 0
        for group in _kernel_groups(ops, self.width, x.device):
            conv, bn = self.depthwise[group.op], self.depthwise_bn[group.op]
            hidden = F.conv2d(x, select_channels(self.expand.weight, group.channels))
            hidden = self.act(sliced_batch_norm(hidden, self.expand_bn, group.channels, expand_momentum))
            weight = select_channels(conv.weight, group.channels)
            hidden = F.conv2d(hidden, weight, None, conv.stride, conv.padding, 1, group.num_channels)
            hidden = self.act(sliced_batch_norm(hidden, bn, group.channels, self._momentum(bn)))
            part = F.conv2d(hidden, select_channels(self.project.weight, group.channels, dim=1))
            projected = part if projected is None else projected + part
            active_channels += group.num_channels
        return self._finish(projected, active_channels // self.width, x)

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float) -> torch.Tensor:
        """The block for op probabilities ``weights[6, 4]`` (OPS order): per sub-block sum of p * op(x).

        Ops with probability <= ``threshold`` are left out, as in the official
        code; ``skip`` contributes zero. The result is differentiable w.r.t. the
        kept probabilities. The expand channels of every sub-block with a kept
        kernel are computed once; then, as in :meth:`forward`, one branch per
        kernel size (grouped depthwise conv over the sub-blocks that keep it,
        scaled by their probabilities, projected by their columns), summed.
        """
        width, device = self.width, x.device
        keep = (weights.detach()[:, : len(KERNEL_OPS)] > threshold).tolist()
        used = [j for j in range(SUB_BLOCKS) if any(keep[j])]
        expansion = relaxed_expansion(weights)
        if not used:
            stride = self.spec.stride
            shape = (x.shape[0], self.spec.out_channels, -(-x.shape[2] // stride), -(-x.shape[3] // stride))
            return self._finish(x.new_zeros(shape), expansion, x)
        columns = _channels(used, width, device)
        expanded = F.conv2d(x, select_channels(self.expand.weight, columns))
        expanded = self.act(sliced_batch_norm(expanded, self.expand_bn, columns, self._momentum(self.expand_bn)))
        projected = None
        for o, op in enumerate(KERNEL_OPS):
            positions = [j for j in used if keep[j][o]]
            if not positions:
                continue
            conv, bn = self.depthwise[op], self.depthwise_bn[op]
            rows = _channels(positions, width, device)
            hidden = select_channels(expanded, _channels([used.index(j) for j in positions], width, device), dim=1)
            weight = select_channels(conv.weight, rows)
            hidden = F.conv2d(hidden, weight, None, conv.stride, conv.padding, 1, len(positions) * width)
            hidden = self.act(sliced_batch_norm(hidden, bn, rows, self._momentum(bn)))
            scale = weights[positions, o].repeat_interleave(width).view(1, -1, 1, 1)
            part = F.conv2d(hidden * scale, select_channels(self.project.weight, rows, dim=1))
            projected = part if projected is None else projected + part
        return self._finish(projected, expansion, x)
