"""Helpers shared by the supernet tests: a tiny space and a supernet whose weights and statistics are all non-trivial."""

from __future__ import annotations

import torch
import torch.nn as nn

from sgnas.spaces.unified.space import SearchSpace, get_space
from sgnas.spaces.unified.supernet import UnifiedSupernet

__all__ = ["TINY_SPACE", "max_difference", "randomised_supernet"]

#: CIFAR layout at width 0.25 and 16x16 input: every code path, milliseconds per forward.
TINY_SPACE: SearchSpace = get_space("cifar", width=0.25, resolution=16)


def randomised_supernet(seed: int, space: SearchSpace = TINY_SPACE, act: str = "relu6", **options) -> UnifiedSupernet:
    """A supernet with random BN affine parameters and running statistics and an O(1) classifier.

    Freshly initialised BNs are identities and the classifier is tiny, which
    would hide a wrong BN slice or channel order; this makes every one visible.
    """
    torch.manual_seed(seed)
    supernet = UnifiedSupernet(space, act=act, **options)
    with torch.no_grad():
        for module in supernet.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.2)
                module.running_mean.normal_(0.0, 0.2)
                module.running_var.uniform_(0.5, 2.0)
        nn.init.normal_(supernet.classifier.weight, 0.0, 0.3)
    return supernet


def max_difference(first: list[torch.Tensor], second: list[torch.Tensor]) -> float:
    """Largest absolute elementwise difference over pairs of tensors."""
    return max(float((a.detach().double() - b.detach().double()).abs().max()) for a, b in zip(first, second))
