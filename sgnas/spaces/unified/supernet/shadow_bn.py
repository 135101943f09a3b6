"""Batch normalisation for a weight-sharing supernet: sliced BN and shadow BN.

Sliced BN: a unified block stores one BN per op over all six sub-blocks'
channels; a path normalises only the channels of its active sub-blocks, with
the matching slice of the affine parameters and running statistics, and in
training mode updates the running statistics of those channels only (the
statistics of a sub-block belong to that sub-block and move only when it is
trained, like its weights). Updates follow nn.BatchNorm2d exactly (unbiased
batch variance, ``momentum=None`` for a cumulative average).

Shadow BN (MixPath, Chu et al., arXiv 2001.05887; used after the projection of
every searchable block in the official SGNAS code): the distribution of the
projection's output depends strongly on how many sub-blocks are summed, so one
BN per number of active sub-blocks keeps the statistics of each expansion rate
apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["Channels", "ShadowBatchNorm", "running_average_factor", "select_channels", "sliced_batch_norm"]

#: A subset of channels: a slice when contiguous (views, no copies), else an index tensor.
Channels = slice | torch.Tensor


def select_channels(tensor: torch.Tensor, channels: Channels, dim: int = 0) -> torch.Tensor:
    """The given channels of ``tensor`` along ``dim``: a view for a slice, a gathered copy for indices."""
    if isinstance(channels, slice):
        return tensor.narrow(dim, channels.start, channels.stop - channels.start)
    return tensor.index_select(dim, channels)


def running_average_factor(bn: nn.BatchNorm2d) -> float:
    """Count one more training batch for ``bn`` and return the factor nn.BatchNorm2d would use.

    ``momentum=None`` means a cumulative average (factor 1/batches seen), which BN
    recalibration relies on. Call it once per module per forward pass, however many
    slices of the module that forward pass normalises.
    """
    bn.num_batches_tracked.add_(1)
    return 1.0 / float(bn.num_batches_tracked) if bn.momentum is None else float(bn.momentum)


def sliced_batch_norm(
    x: torch.Tensor, bn: nn.BatchNorm2d, channels: Channels, momentum: float | None
) -> torch.Tensor:
    """``bn`` applied to ``x``, whose channels are ``channels`` of ``bn``.

    ``momentum`` is the running-average factor of this forward pass (from
    :func:`running_average_factor`) in training mode, and ``None`` in eval mode,
    where the running statistics normalise and stay unchanged.
    """
    training = momentum is not None
    weight = select_channels(bn.weight, channels)
    bias = select_channels(bn.bias, channels)
    # Copies, not views: F.batch_norm saves the statistics it is given for backward, and a
    # later in-place update of another slice of the same buffer would invalidate a saved view.
    mean = select_channels(bn.running_mean, channels).clone()
    var = select_channels(bn.running_var, channels).clone()
    out = F.batch_norm(x, mean, var, weight, bias, training, momentum or 0.0, bn.eps)
    if training:
        _write_channels(bn.running_mean, channels, mean)
        _write_channels(bn.running_var, channels, var)
    return out


def _write_channels(buffer: torch.Tensor, channels: Channels, values: torch.Tensor) -> None:
    if isinstance(channels, slice):
        buffer[channels].copy_(values)
    else:
        buffer.index_copy_(0, channels, values)


class ShadowBatchNorm(nn.Module):
    """One BN per expansion rate (MixPath's shadow BN), or a single shared BN when ``shadow=False``."""

    def __init__(self, channels: int, expansions: Sequence[int], shadow: bool = True) -> None:
        super().__init__()
        self.expansions = tuple(expansions)
        self.shadow = shadow
        self.norms = nn.ModuleList(nn.BatchNorm2d(channels) for _ in (self.expansions if shadow else (0,)))

    def norm_for(self, expansion: int) -> nn.BatchNorm2d:
        """The BN that normalises a path with ``expansion`` active sub-blocks."""
        if not self.shadow:
            return self.norms[0]
        return self.norms[self.expansions.index(expansion)]

    def forward(self, x: torch.Tensor, expansion: int) -> torch.Tensor:
        return self.norm_for(expansion)(x)
