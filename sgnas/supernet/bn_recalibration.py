"""BN recalibration for evaluating sub-networks of a supernet (SPOS, Guo et al., arXiv 1904.00420, Sec. 3.3).

The running statistics a supernet accumulates during training mix every path
that used a BN channel, so they fit no single sub-network. Before a sub-network
is evaluated its statistics are recomputed: reset, then a cumulative average
(``momentum=None``) over a few training batches forwarded in training mode
without gradients. Only the BNs on the path see data, so only they change.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn as nn

from sgnas._infra.errors import SgnasError

__all__ = ["preserved_bn_statistics", "recalibrate_bn"]


def _inputs(batch: torch.Tensor | tuple | list) -> torch.Tensor:
    """The images of a batch given as a tensor or as an (images, labels) pair."""
    return batch[0] if isinstance(batch, tuple | list) else batch


def _batch_norms(module: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """The BNs that keep running statistics (one normalising by each batch's own has none to recalibrate)."""
    return [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]


def recalibrate_bn(
    supernet: nn.Module, arch: Any, batches: Iterable[torch.Tensor], num_batches: int
) -> None:
    """Recompute every BN's running statistics for ``arch`` from ``num_batches`` training batches.

    ``batches`` yields image tensors or (images, labels) pairs; it must hold at
    least ``num_batches``. The module's mode and the BNs' momenta are restored.
    """
    if num_batches < 1:
        raise SgnasError(f"BN recalibration needs at least one batch, got {num_batches}")
    norms = _batch_norms(supernet)
    momenta = [bn.momentum for bn in norms]
    was_training = supernet.training
    device = next(supernet.parameters()).device
    try:
        for bn in norms:
            bn.reset_running_stats()
            bn.momentum = None
        supernet.train()
        seen = 0
        with torch.no_grad():
            for batch in itertools.islice(batches, num_batches):
                supernet(_inputs(batch).to(device, non_blocking=True), arch)
                seen += 1
        if seen < num_batches:
            raise SgnasError(f"BN recalibration asked for {num_batches} batches but only {seen} were given")
    finally:
        for bn, momentum in zip(norms, momenta):
            bn.momentum = momentum
        supernet.train(was_training)


@contextmanager
def preserved_bn_statistics(module: nn.Module) -> Iterator[None]:
    """Restore every BN's running statistics (and batch counter) on exit, e.g. after recalibrating for one path."""
    norms = _batch_norms(module)
    saved = [(bn.running_mean.clone(), bn.running_var.clone(), bn.num_batches_tracked.clone()) for bn in norms]
    try:
        yield
    finally:
        with torch.no_grad():
            for bn, (mean, var, count) in zip(norms, saved):
                bn.running_mean.copy_(mean)
                bn.running_var.copy_(var)
                bn.num_batches_tracked.copy_(count)
