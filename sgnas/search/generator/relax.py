"""From generator logits to architectures: Gumbel-softmax with a tau schedule, forced sampling, argmax.

Training (official code): soft Gumbel-softmax samples over the 4 ops of each
sub-block; the supernet computes the probability-weighted sum of the ops.
Evaluation: the argmax of the logits.

Validity: a layer needs at least 2 active sub-blocks, so the first
:data:`~sgnas.spaces.unified.space.MIN_ACTIVE` sub-blocks may not skip (the official code
forbids skipping sub-block 0). Any multiset of ops with 2..6 kernels can be
placed that way, so nothing reachable is lost, and every argmax is valid.

Forced sampling in the relaxation: the supernet was trained on canonical
arrangements only (kernels ascending, skips last). Each relaxed layer is
therefore reordered by the expected op index of its sub-blocks, ``sum_o p_o o``
(a plain permutation of the rows, so gradients flow through the gathered
probabilities). For one-hot rows this is exactly the canonical form; for soft
rows it places the mass where the supernet has trained weights. It keeps each
layer's multiset of op probabilities, hence the expected MACs, which do not
depend on positions. The argmax architecture is canonicalised the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import MIN_ACTIVE, OPS, SKIP

__all__ = ["TauSchedule", "canonical_relaxed", "decode", "mask_logits", "relax"]

_SKIP = OPS.index(SKIP)


@dataclass(frozen=True)
class TauSchedule:
    """Gumbel-softmax temperature: ``initial * decay ** epoch`` (official: 5.0 x 0.95; decay 1 keeps it constant)."""

    initial: float = 5.0
    decay: float = 0.95

    def __call__(self, epoch: int) -> float:
        return self.initial * self.decay**epoch


def mask_logits(logits: torch.Tensor) -> torch.Tensor:
    """Logits ``[..., L, 6, 4]`` with skip forbidden on the first MIN_ACTIVE sub-blocks."""
    mask = torch.zeros(logits.shape[-2:], dtype=torch.bool, device=logits.device)
    mask[:MIN_ACTIVE, _SKIP] = True
    return logits.masked_fill(mask, float("-inf"))


def canonical_relaxed(weights: torch.Tensor) -> torch.Tensor:
    """Each layer's sub-blocks reordered by expected op index (forced sampling on relaxed weights)."""
    order_key = (weights * torch.arange(len(OPS), dtype=weights.dtype, device=weights.device)).sum(-1)
    order = order_key.detach().argsort(dim=-1, stable=True)
    return weights.gather(-2, order.unsqueeze(-1).expand_as(weights))


def relax(logits: torch.Tensor, tau: float, forced_sampling: bool) -> torch.Tensor:
    """Soft Gumbel-softmax samples ``[..., L, 6, 4]`` of the masked logits (canonicalised under FS)."""
    weights = F.gumbel_softmax(mask_logits(logits), tau=tau, hard=False, dim=-1)
    return canonical_relaxed(weights) if forced_sampling else weights


def decode(logits: torch.Tensor, forced_sampling: bool) -> Architecture:
    """The argmax architecture of one ``[L, 6, 4]`` logits tensor (canonical under forced sampling)."""
    indices = mask_logits(logits.detach()).argmax(-1).tolist()
    arch = Architecture(tuple(tuple(OPS[i] for i in row) for row in indices))
    return arch.canonical() if forced_sampling else arch
