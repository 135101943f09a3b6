"""The unified space's choice structure as the generator sees it: ``[L, 6, 4]`` op distributions, forced sampling.

:class:`UnifiedChoices` is what the generator (written once for every space,
:mod:`sgnas.search.generator`) asks of this space: the shape of its output, the
one-hot form of an architecture (its prior), a relaxed sample of logits (what
the supernet's relaxed forward takes), the argmax architecture, and a random
architecture (the prior pool's draws).

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

import numpy as np
import torch
import torch.nn.functional as F

from sgnas.spaces.unified.architecture import Architecture, random_architecture
from sgnas.spaces.unified.space import MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS

__all__ = ["UnifiedChoices", "canonical_relaxed", "decode", "mask_logits", "one_hot", "relax"]

_SKIP = OPS.index(SKIP)


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


def one_hot(arch: Architecture) -> torch.Tensor:
    """``[L, 6, 4]`` float one-hot encoding of ``arch`` (ops in OPS order)."""
    return F.one_hot(torch.tensor(arch.op_indices()), len(OPS)).float()


class UnifiedChoices:
    """The generator's view of a unified space of ``num_layers`` searchable layers."""

    def __init__(self, num_layers: int) -> None:
        self.shape = (num_layers, SUB_BLOCKS, len(OPS))

    def one_hot(self, arch: Architecture) -> torch.Tensor:
        return one_hot(arch)

    def from_one_hot(self, encoded: torch.Tensor) -> Architecture:
        """The architecture a one-hot ``[L, 6, 4]`` encodes, as it is (no mask, no reordering)."""
        return Architecture(tuple(tuple(OPS[i] for i in row) for row in encoded.argmax(-1).tolist()))

    def relax(self, logits: torch.Tensor, tau: float, forced_sampling: bool) -> torch.Tensor:
        return relax(logits, tau, forced_sampling)

    def decode(self, logits: torch.Tensor, forced_sampling: bool) -> Architecture:
        return decode(logits, forced_sampling)

    def random(self, rng: np.random.Generator, forced_sampling: bool, density: float | None = None) -> Architecture:
        return random_architecture(self.shape[0], rng, forced_sampling, density)
