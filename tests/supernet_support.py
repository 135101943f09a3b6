"""Helpers shared by the supernet tests: a tiny space and a supernet whose weights and statistics are all non-trivial."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn

from sgnas.spaces.unified.space import SearchSpace, get_space
from sgnas.spaces.unified.supernet import UnifiedSupernet

__all__ = ["TINY_SPACE", "assert_close_at_scale", "randomised_supernet"]

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


def assert_close_at_scale(
    actual: Sequence[torch.Tensor], expected: Sequence[torch.Tensor], tolerance: float
) -> None:
    """Each pair of tensors agrees to ``tolerance`` of its own values or of the scale of all of ``expected``.

    The scale is the largest magnitude over every expected tensor: rounding in a sum grows with its terms,
    not with its result, so a gradient that cancels to nearly zero carries the rounding of the large terms
    that fed it, while an absolute bound alone is too loose for small values and a coin toss for large ones.
    """
    assert len(actual) == len(expected)
    scale = max(float(e.detach().abs().max()) for e in expected)
    for a, e in zip(actual, expected):
        # Compared in float64, so a float32 result is checked against a float64 reference as it is.
        torch.testing.assert_close(
            a.detach().double(), e.detach().double(), rtol=tolerance, atol=tolerance * scale
        )
