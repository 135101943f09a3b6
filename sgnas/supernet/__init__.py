"""The unified supernet of SGNAS: unified blocks, fast single paths, relaxed paths, shadow BN, BN recalibration.

:class:`UnifiedSupernet` is the model every sampler, trainer and search
strategy works with; architectures are arguments of its forward passes.
"""

from sgnas.supernet.bn_recalibration import preserved_bn_statistics, recalibrate_bn
from sgnas.supernet.network import DEFAULT_THRESHOLD, UnifiedSupernet
from sgnas.supernet.reference_block import reference_forward, reference_forward_relaxed
from sgnas.supernet.shadow_bn import ShadowBatchNorm
from sgnas.supernet.unified_block import UnifiedBlock

__all__ = [
    "DEFAULT_THRESHOLD",
    "ShadowBatchNorm",
    "UnifiedBlock",
    "UnifiedSupernet",
    "preserved_bn_statistics",
    "recalibrate_bn",
    "reference_forward",
    "reference_forward_relaxed",
]
