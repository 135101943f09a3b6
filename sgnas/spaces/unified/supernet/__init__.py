"""The unified supernet of SGNAS: unified blocks, fast single paths, relaxed paths, shadow BN.

:class:`UnifiedSupernet` is the model every sampler, trainer and search
strategy works with on the unified space; architectures are arguments of its
forward passes.
"""

from sgnas.spaces.unified.supernet.network import DEFAULT_THRESHOLD, UnifiedSupernet
from sgnas.spaces.unified.supernet.reference_block import reference_forward, reference_forward_relaxed
from sgnas.spaces.unified.supernet.shadow_bn import ShadowBatchNorm
from sgnas.spaces.unified.supernet.unified_block import UnifiedBlock

__all__ = [
    "DEFAULT_THRESHOLD",
    "ShadowBatchNorm",
    "UnifiedBlock",
    "UnifiedSupernet",
    "reference_forward",
    "reference_forward_relaxed",
]
