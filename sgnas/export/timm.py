"""Export any architecture of the unified space to a stand-alone timm EfficientNet.

Architectures are data, and timm already has the builder for this family
(``timm/models/_efficientnet_builder.py``): each searchable layer becomes an
inverted-residual block string such as ``ir_r1_k5.7.3_s2_e3_c32``, decoded by
timm's own builder. A layer with several active sub-blocks becomes timm's
``MixedConv2d`` depthwise conv with one group of C_in channels per active
sub-block, in sub-block order (a MixConv-style inverted bottleneck, which is
exactly what a unified block with skips removed is).

Users then train, fine-tune and benchmark the result with timm's tools.
"""

from __future__ import annotations

import torch.nn as nn
from timm.layers import create_conv2d, get_act_layer
from timm.models._efficientnet_blocks import SqueezeExcite
from timm.models.efficientnet import EfficientNet

from sgnas.spaces.unified.activations import Activation
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import SE_REDUCTION
from sgnas.spaces.unified.space import SearchSpace

__all__ = ["ACTIVATIONS", "ExpandedSqueezeExcite", "block_strings", "export_timm"]

#: each activation name -> timm's layer of it
ACTIVATIONS: dict[Activation, str] = {"relu6": "relu6", "hswish": "hard_swish"}


class ExpandedSqueezeExcite(SqueezeExcite):
    """SE on the expanded channels with reduction 4, ReLU squeeze and hard-sigmoid gate (SGNAS-A/B/C).

    It takes no ``rd_ratio`` so that timm's builder passes it the expanded
    channel count unchanged instead of rescaling the ratio to the block input.
    """

    def __init__(self, in_chs: int, act_layer: type[nn.Module] | None = None, **_: object) -> None:
        super().__init__(
            in_chs,
            rd_channels=max(1, in_chs // SE_REDUCTION),
            act_layer=nn.ReLU,
            gate_layer="hard_sigmoid",
        )


def block_strings(arch: Architecture, space: SearchSpace, se: bool = False) -> list[list[str]]:
    """timm block strings, one stage per block: the fixed MBConv, then one per searchable layer."""
    arch.check_space(space)
    suffix = "_se0.25" if se else ""
    stages = [[f"ds_r1_k3_s1_c{space.fixed_channels}{suffix}"]]
    for i, spec in enumerate(space.layers):
        kernels = ".".join(str(k) for k in arch.kernels(i))
        stages.append([f"ir_r1_k{kernels}_s{spec.stride}_e{arch.expansion(i)}_c{spec.out_channels}{suffix}"])
    return stages


def export_timm(
    arch: Architecture,
    space: SearchSpace,
    se: bool = False,
    act: Activation = "relu6",
    drop_rate: float = 0.0,
    drop_path_rate: float = 0.0,
) -> EfficientNet:
    """A timm ``EfficientNet`` for ``arch`` in ``space``, freshly initialised by timm.

    Its multiply-adds and parameters equal :class:`sgnas.spaces.unified.cost.CostModel`'s exactly.
    """
    if act not in ACTIVATIONS:
        raise ValueError(f"unknown activation {act!r}; choose one of {', '.join(ACTIVATIONS)}")
    from timm.models._efficientnet_builder import decode_arch_def

    model = EfficientNet(
        decode_arch_def(block_strings(arch, space, se)),
        num_classes=space.num_classes,
        num_features=space.head_channels,
        in_chans=space.in_channels,
        stem_size=space.stem_channels,
        fix_stem=True,
        round_chs_fn=lambda channels: channels,
        act_layer=get_act_layer(ACTIVATIONS[act]),
        se_layer=ExpandedSqueezeExcite,
        drop_rate=drop_rate,
        drop_path_rate=drop_path_rate,
    )
    if space.stem_stride != 2:
        model.conv_stem = create_conv2d(space.in_channels, space.stem_channels, 3, stride=space.stem_stride)
    return model
