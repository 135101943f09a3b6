"""The unified block of SGNAS (Huang & Chu, CVPR 2021, Sec. 3 and supp. Table 6) with fast single-path execution.

A unified block expands C_in channels to 6*C_in with a 1x1 conv (BN, activation)
and cuts them into six *sub-blocks* of C_in channels. Each sub-block applies one
of ``k3``/``k5``/``k7`` (depthwise conv, BN, activation) or ``skip`` (zero: its
channels contribute nothing). The six outputs are concatenated and projected to
C_out by a 1x1 conv followed by a shadow BN; the input is added when stride is 1
and C_in == C_out.

Parameter layout (what :mod:`sgnas.inherit` relies on): the rows
``[j*C_in, (j+1)*C_in)`` of the expand conv, of the expand BN, of each kernel's
depthwise weight and BN, and the same columns of the projection belong to
sub-block ``j``. Each kernel size has its own depthwise weights and BN per
sub-block, stored stacked as one ``6*C_in``-channel depthwise conv per kernel size.

Fast path (:meth:`UnifiedBlock.forward`): only the active sub-blocks' channels are
computed. Their expand rows are gathered in kernel order, so that the sub-blocks
sharing a kernel size are adjacent and run as ONE grouped depthwise conv per
kernel size present; the projection uses the matching columns. Concatenation
followed by a 1x1 conv equals the sum of per-sub-block projections, so this is
the same function as the official all-six-sub-blocks computation
(:mod:`sgnas.supernet.reference_block`), with less work. For canonical
(forced-sampling) layers the gathered channels are contiguous and every
selection is a view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn as nn
import torch.nn.functional as F

from sgnas.space import KERNEL_OPS, KERNEL_SIZE, MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS, LayerSpec
from sgnas.supernet.shadow_bn import (
    Channels,
    ShadowBatchNorm,
    running_average_factor,
    select_channels,
    sliced_batch_norm,
)

__all__ = ["ACTIVATION_FUNCTIONS", "UnifiedBlock", "relaxed_expansion"]

#: Activation name (as in :data:`sgnas.export.ACTIVATIONS`) -> functional form.
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
    """The active sub-blocks of one kernel size: their rows in that kernel's depthwise conv and BN."""

    op: str
    num_channels: int
    channels: Channels


@dataclass(frozen=True)
class _PathPlan:
    """How the fast path computes one layer configuration: hidden channels in kernel order, then groups."""

    expansion: int
    hidden: Channels
    groups: tuple[_KernelGroup, ...]


@lru_cache(maxsize=65536)
def _plan(ops: tuple[str, ...], width: int, device: torch.device) -> _PathPlan:
    groups, hidden_positions = [], []
    for op in KERNEL_OPS:
        positions = [j for j, o in enumerate(ops) if o == op]
        if positions:
            groups.append(_KernelGroup(op, len(positions) * width, _channels(positions, width, device)))
            hidden_positions += positions
    return _PathPlan(len(hidden_positions), _channels(hidden_positions, width, device), tuple(groups))


def relaxed_expansion(weights: torch.Tensor) -> int:
    """The shadow BN used for a relaxed layer ``weights[6, 4]``: 6 - round(expected skips), within 2..6.

    This is the official SGNAS rule (``skip_connection_num = round(sum of skip
    probabilities)`` selects the shadow BN) expressed as a number of active sub-blocks.
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
        plan = _plan(ops, self.width, x.device)
        hidden = F.conv2d(x, select_channels(self.expand.weight, plan.hidden))
        hidden = self.act(sliced_batch_norm(hidden, self.expand_bn, plan.hidden, self._momentum(self.expand_bn)))
        chunks = hidden.split([g.num_channels for g in plan.groups], dim=1)
        outputs = []
        for group, chunk in zip(plan.groups, chunks):
            conv, bn = self.depthwise[group.op], self.depthwise_bn[group.op]
            weight = select_channels(conv.weight, group.channels)
            y = F.conv2d(chunk, weight, None, conv.stride, conv.padding, 1, group.num_channels)
            outputs.append(self.act(sliced_batch_norm(y, bn, group.channels, self._momentum(bn))))
        out = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=1)
        projected = F.conv2d(out, select_channels(self.project.weight, plan.hidden, dim=1))
        return self._finish(projected, plan.expansion, x)

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float) -> torch.Tensor:
        """The block for op probabilities ``weights[6, 4]`` (OPS order): per sub-block sum of p * op(x).

        Ops with probability <= ``threshold`` are left out, as in the official
        code; ``skip`` contributes zero. The result is differentiable w.r.t. the
        kept probabilities. Sub-blocks with several kept kernels share their
        expand channels; each kernel size still runs as one grouped conv.
        """
        width = self.width
        keep = (weights.detach()[:, : len(KERNEL_OPS)] > threshold).tolist()
        used = [j for j in range(SUB_BLOCKS) if any(keep[j])]
        expansion = relaxed_expansion(weights)
        if not used:
            stride, (batch, _, height, width_px) = self.spec.stride, x.shape
            zeros = x.new_zeros(batch, self.spec.out_channels, -(-height // stride), -(-width_px // stride))
            return self._finish(zeros, expansion, x)
        columns = _channels(used, width, x.device)
        hidden = F.conv2d(x, select_channels(self.expand.weight, columns))
        hidden = self.act(sliced_batch_norm(hidden, self.expand_bn, columns, self._momentum(self.expand_bn)))
        out = None
        for o, op in enumerate(KERNEL_OPS):
            positions = [j for j in used if keep[j][o]]
            if not positions:
                continue
            conv, bn = self.depthwise[op], self.depthwise_bn[op]
            rows = _channels(positions, width, x.device)
            local = _channels([used.index(j) for j in positions], width, x.device)
            y = F.conv2d(
                select_channels(hidden, local, dim=1),
                select_channels(conv.weight, rows),
                None,
                conv.stride,
                conv.padding,
                1,
                len(positions) * width,
            )
            y = self.act(sliced_batch_norm(y, bn, rows, self._momentum(bn)))
            scale = weights[positions, o].repeat_interleave(width).view(1, -1, 1, 1)
            term = y * scale
            if out is None:
                out = term.new_zeros(term.shape[0], len(used) * width, *term.shape[2:])
            out = out.index_add(1, _as_index(local, x.device), term)
        projected = F.conv2d(out, select_channels(self.project.weight, columns, dim=1))
        return self._finish(projected, expansion, x)


def _as_index(channels: Channels, device: torch.device) -> torch.Tensor:
    if isinstance(channels, slice):
        return torch.arange(channels.start, channels.stop, device=device)
    return channels
