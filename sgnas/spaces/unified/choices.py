"""The unified space's choice structure as the generator sees it: ``[L, 6, 4]`` op distributions, forced sampling.

:class:`UnifiedChoices` is what the generator (written once for every space,
:mod:`sgnas.search.generator`) asks of this space: the shape of its output, the
one-hot form of an architecture (its prior), a relaxed sample of logits (what
the supernet's relaxed forward takes), the argmax architecture, and a random
architecture (the prior pool's draws).

Training (official code): soft Gumbel-softmax samples over the 4 ops of each
sub-block; the supernet computes the probability-weighted sum of the ops.
Evaluation: the argmax of the logits.

Which sub-blocks the generator may skip: under forced sampling (the paper's
setup) the first :data:`~sgnas.spaces.unified.space.MIN_ACTIVE` sub-blocks may
not skip. Skips are last in every canonical layer anyway, any multiset of ops
with 2..6 kernels can be placed that way, and every argmax is a valid layer.
Without forced sampling (the official code's setup) only sub-block 0 may not
skip, as the official generator masks it (``static_layers``), so every other
position may hold a skip between kernels. The official code then also emits a
layer whose only active sub-block is sub-block 0, which its supernet runs on a
shadow BN that no training path reaches; the space here has no such layer
(2..6 active sub-blocks), so :func:`decode` gives such a layer its most likely
second kernel: the skip position whose best kernel logit is closest to its
skip logit takes that kernel (:func:`lone_layers` names such layers).

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

__all__ = ["UnifiedChoices", "canonical_relaxed", "decode", "lone_layers", "mask_logits", "no_skip_prefix", "one_hot",
           "prior_draw", "relax"]

_SKIP = OPS.index(SKIP)


def no_skip_prefix(forced_sampling: bool) -> int:
    """Leading sub-blocks of each layer the generator may not skip: MIN_ACTIVE under forced sampling (the paper's
    setup), 1 without it (the official code's mask, sub-block 0 only)."""
    return MIN_ACTIVE if forced_sampling else 1


def mask_logits(logits: torch.Tensor, forced_sampling: bool = True) -> torch.Tensor:
    """Logits ``[..., L, 6, 4]`` with skip forbidden on the first :func:`no_skip_prefix` sub-blocks."""
    mask = torch.zeros(logits.shape[-2:], dtype=torch.bool, device=logits.device)
    mask[:no_skip_prefix(forced_sampling), _SKIP] = True
    return logits.masked_fill(mask, float("-inf"))


def canonical_relaxed(weights: torch.Tensor) -> torch.Tensor:
    """Each layer's sub-blocks reordered by expected op index (forced sampling on relaxed weights)."""
    order_key = (weights * torch.arange(len(OPS), dtype=weights.dtype, device=weights.device)).sum(-1)
    order = order_key.detach().argsort(dim=-1, stable=True)
    return weights.gather(-2, order.unsqueeze(-1).expand_as(weights))


def relax(logits: torch.Tensor, tau: float, forced_sampling: bool) -> torch.Tensor:
    """Soft Gumbel-softmax samples ``[..., L, 6, 4]`` of the masked logits (canonicalised under FS)."""
    weights = F.gumbel_softmax(mask_logits(logits, forced_sampling), tau=tau, hard=False, dim=-1)
    return canonical_relaxed(weights) if forced_sampling else weights


def lone_layers(logits: torch.Tensor, forced_sampling: bool) -> list[int]:
    """The layers of one ``[L, 6, 4]`` logits tensor whose masked argmax has fewer than MIN_ACTIVE active
    sub-blocks (only possible without forced sampling, where the official generator emits them): those
    :func:`decode` gives a second kernel."""
    return _lone(mask_logits(logits.detach().float(), forced_sampling).argmax(-1))


def _lone(indices: torch.Tensor) -> list[int]:
    """The layers of op indices ``[L, 6]`` with fewer than MIN_ACTIVE active sub-blocks."""
    return [int(i) for i in torch.nonzero((indices != _SKIP).sum(-1) < MIN_ACTIVE).flatten()]


def decode(logits: torch.Tensor, forced_sampling: bool) -> Architecture:
    """The argmax architecture of one ``[L, 6, 4]`` logits tensor (canonical under forced sampling); a layer with
    too few active sub-blocks (:func:`lone_layers`) takes, at its skip positions whose best kernel logit is
    closest to their skip logit, those kernels."""
    masked = mask_logits(logits.detach().float(), forced_sampling)
    indices = masked.argmax(-1)
    for layer in _lone(indices):
        row = masked[layer]
        kernel = row[:, :_SKIP].argmax(-1)
        skips = torch.nonzero(indices[layer] == _SKIP).flatten()
        margin = row[skips].gather(-1, kernel[skips, None])[:, 0] - row[skips, _SKIP]
        order = torch.sort(torch.nan_to_num(margin, nan=-torch.inf), descending=True, stable=True).indices
        needed = MIN_ACTIVE - int((indices[layer] != _SKIP).sum())
        for position in skips[order[:needed]].tolist():
            indices[layer, position] = kernel[position]
    arch = Architecture(tuple(tuple(OPS[i] for i in row) for row in indices.tolist()))
    return arch.canonical() if forced_sampling else arch


def prior_draw(num_layers: int, rng: np.random.Generator, forced_sampling: bool) -> Architecture:
    """A draw of the official prior pool's distribution (``utils/prior_pool.py``): per layer 2..6 kernels drawn
    uniformly, laid in the first positions in the order drawn, skips last; canonical under forced sampling."""
    arch = random_architecture(num_layers, rng, forced_sampling=True)
    if forced_sampling:
        return arch
    layers = []
    for ops in arch.layers:  # canonical: kernels sorted, then skips; a fresh shuffle of the kernels unsorts them
        kernels = [op for op in ops if op != SKIP]
        layers.append(tuple(kernels[i] for i in rng.permutation(len(kernels))) + (SKIP,) * (SUB_BLOCKS - len(kernels)))
    return Architecture(tuple(layers))


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

    def prior_draw(self, rng: np.random.Generator, forced_sampling: bool) -> Architecture:
        return prior_draw(self.shape[0], rng, forced_sampling)
