"""The unified supernet of SGNAS (Huang & Chu, CVPR 2021; official ``utils/supernet.py``) for any space variant.

Layout (SPEC section 2, mirrored channel for channel by :func:`sgnas.export.timm.export_timm`
so that weights can be inherited): 3x3 stem conv (BN, activation) with the
space's stem stride; a fixed MBConv of expansion 1 (depthwise 3x3, BN,
activation, 1x1 projection, BN; residual when the channels match); the
searchable :class:`~sgnas.spaces.unified.supernet.unified_block.UnifiedBlock` layers; a 1x1
head conv (BN, activation); global average pooling; a linear classifier.

The architecture is an argument of the forward pass, never module state: the
samplers, the trainer and the generator stay outside the model.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import OPS, SUB_BLOCKS, SearchSpace
from sgnas.spaces.unified.supernet.reference_block import reference_forward
from sgnas.spaces.unified.supernet.unified_block import ACTIVATION_FUNCTIONS, UnifiedBlock

__all__ = ["DEFAULT_THRESHOLD", "UnifiedSupernet"]

#: Ops with probability at or below this are left out of a relaxed forward (official code: 1e-2).
DEFAULT_THRESHOLD = 0.01


def _fast_layout(x: torch.Tensor) -> torch.Tensor:
    """Channels-last on CPU, where oneDNN's depthwise convs are fastest in it; unchanged elsewhere."""
    return x.contiguous(memory_format=torch.channels_last) if x.device.type == "cpu" else x


class UnifiedSupernet(nn.Module):
    """Weight-sharing supernet over every architecture of ``space``.

    ``fast`` selects the single-path implementation (may be switched at any
    time; both compute the same function): ``True`` computes only the active
    sub-blocks, on CPU with activations in channels-last memory format (oneDNN's
    depthwise convolutions, most of a step's time on CPU, run 2-5 times faster
    in it); ``False`` runs the official all-sub-blocks computation in
    the default format (:func:`~sgnas.spaces.unified.supernet.reference_block.reference_forward`).
    The relaxed forward always takes the fast route.
    ``shadow_bn`` gives each block one projection BN per expansion rate (official
    code) instead of one. ``zero_init_residual`` starts the projection BNs of
    residual blocks at gamma 0, so that at step 0 every path computes its
    shortcuts only and each block learns a correction to them; the paths then
    share a network that already trains instead of fighting over a random one.
    """

    def __init__(self, space: SearchSpace, act: str = "relu6", shadow_bn: bool = True, fast: bool = True,
                 zero_init_residual: bool = False) -> None:
        super().__init__()
        if act not in ACTIVATION_FUNCTIONS:
            raise SgnasError(f"unknown activation {act!r}; choose one of {', '.join(ACTIVATION_FUNCTIONS)}")
        self.space = space
        self.act_name = act
        self.act = ACTIVATION_FUNCTIONS[act]
        self.shadow_bn = shadow_bn
        self.fast = fast
        stem, fixed = space.stem_channels, space.fixed_channels
        self.stem = nn.Conv2d(space.in_channels, stem, 3, space.stem_stride, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(stem)
        self.fixed_dw = nn.Conv2d(stem, stem, 3, 1, 1, groups=stem, bias=False)
        self.fixed_dw_bn = nn.BatchNorm2d(stem)
        self.fixed_project = nn.Conv2d(stem, fixed, 1, bias=False)
        self.fixed_project_bn = nn.BatchNorm2d(fixed)
        self.blocks = nn.ModuleList(UnifiedBlock(spec, act, shadow_bn) for spec in space.layers)
        self.head = nn.Conv2d(space.layers[-1].out_channels, space.head_channels, 1, bias=False)
        self.head_bn = nn.BatchNorm2d(space.head_channels)
        self.classifier = nn.Linear(space.head_channels, space.num_classes)
        self._initialise(zero_init_residual)

    def _initialise(self, zero_init_residual: bool) -> None:
        """The official initialisation: He-normal on each conv's fan-out (per sub-block), N(0, 0.01) classifier."""
        stacked = {id(conv) for block in self.blocks for conv in block.depthwise.values()}
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                # A stacked depthwise conv holds six sub-blocks' convs of C_in channels each.
                channels = module.out_channels // SUB_BLOCKS if id(module) in stacked else module.out_channels
                fan_out = module.kernel_size[0] * module.kernel_size[1] * channels
                nn.init.normal_(module.weight, 0.0, math.sqrt(2.0 / fan_out))
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, 0.01)
                nn.init.zeros_(module.bias)
        if zero_init_residual:
            for block in self.blocks:
                if block.spec.residual:
                    for norm in block.project_bn.norms:
                        nn.init.zeros_(norm.weight)

    # --- shared parts ----------------------------------------------------------------
    def _stem(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.stem_bn(self.stem(x)))
        y = self.act(self.fixed_dw_bn(self.fixed_dw(x)))
        y = self.fixed_project_bn(self.fixed_project(y))
        return y + x if self.space.stem_channels == self.space.fixed_channels else y

    def _head(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.head_bn(self.head(x)))
        return self.classifier(F.adaptive_avg_pool2d(x, 1).flatten(1))

    # --- forward passes ------------------------------------------------------------------
    def forward(self, x: torch.Tensor, arch: Architecture) -> torch.Tensor:
        """Logits of the single path ``arch`` (a hard architecture of this space)."""
        arch.check_space(self.space)
        if not self.fast:
            x = self._stem(x)
            for block, ops in zip(self.blocks, arch.layers):
                x = reference_forward(block, x, ops)
            return self._head(x)
        x = self._stem(_fast_layout(x))
        for block, ops in zip(self.blocks, arch.layers):
            x = block(x, ops)
        return self._head(x)

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float = DEFAULT_THRESHOLD) -> torch.Tensor:
        """Logits of a relaxed architecture ``weights[layers, 6, 4]`` (op probabilities in OPS order).

        Each sub-block outputs the sum of ``p * op(x)`` over its ops with
        ``p > threshold`` (``skip`` adds zero), so the logits are differentiable
        w.r.t. the kept probabilities (official code, ``arch_flag=True``).

        Shadow BN under relaxation: each block uses the BN of
        ``6 - round(expected number of skipped sub-blocks)``, clamped to 2..6,
        where the expectation is the sum of the skip probabilities: the official
        code's rule (:func:`~sgnas.spaces.unified.supernet.unified_block.relaxed_expansion`). For a
        one-hot ``weights`` this is the BN of the hard architecture, so the
        relaxed forward of a one-hot encoding equals :meth:`forward`.
        """
        expected = (self.space.num_layers, SUB_BLOCKS, len(OPS))
        if tuple(weights.shape) != expected:
            raise SgnasError(f"relaxed architecture has shape {tuple(weights.shape)}, expected {expected}")
        x = self._stem(_fast_layout(x))
        for block, layer_weights in zip(self.blocks, weights):
            x = block.forward_relaxed(x, layer_weights, threshold)
        return self._head(x)
