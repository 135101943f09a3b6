"""Weight inheritance: any architecture of a trained supernet as a stand-alone timm model with its weights.

:func:`sgnas.export.timm.export_timm` builds the timm ``EfficientNet`` of an
architecture; this module fills it with the supernet's weights so that, in eval
mode, it computes exactly what the supernet computes for that path. Per
searchable layer, the active sub-blocks in sub-block order become the groups of
timm's ``MixedConv2d`` (the export's order), and each group receives:

* its C_in rows of the supernet's expand conv and expand BN;
* the depthwise weights and BN of its kernel at its sub-block;
* its C_in columns of the projection;

and the projection BN is the shadow BN of the layer's expansion rate. The stem,
the fixed MBConv, the head and the classifier are copied as they are.

SE is not part of the supernet (SGNAS adds it only to the final models), so an
SE model cannot inherit weights.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from timm.models.efficientnet import EfficientNet

from sgnas._infra.errors import SgnasError
from sgnas.export.timm import export_timm
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import SKIP
from sgnas.spaces.unified.supernet import UnifiedSupernet

__all__ = ["inherit_weights"]


def _copy_conv(target: nn.Conv2d, weight: torch.Tensor) -> None:
    if target.weight.shape != weight.shape:
        raise SgnasError(f"weight shape {tuple(weight.shape)} does not fit {tuple(target.weight.shape)}")
    target.weight.copy_(weight)


def _copy_bn(target: nn.BatchNorm2d, source: nn.BatchNorm2d, rows: torch.Tensor | slice = slice(None)) -> None:
    """``source``'s parameters and statistics (the given channels) into ``target``."""
    for name in ("weight", "bias", "running_mean", "running_var"):
        getattr(target, name).copy_(getattr(source, name)[rows])
    target.num_batches_tracked.copy_(source.num_batches_tracked)
    target.eps = source.eps


def inherit_weights(supernet: UnifiedSupernet, arch: Architecture, se: bool = False) -> EfficientNet:
    """The timm model of ``arch`` (:func:`sgnas.export.timm.export_timm`) carrying ``supernet``'s weights."""
    if se:
        raise SgnasError("the supernet has no squeeze-and-excitation weights; export SE models without inheritance")
    space = supernet.space
    arch.check_space(space)
    model = export_timm(arch, space, se=False, act=supernet.act_name)
    device = next(supernet.parameters()).device
    with torch.no_grad():
        _copy_conv(model.conv_stem, supernet.stem.weight)
        _copy_bn(model.bn1, supernet.stem_bn)
        fixed = model.blocks[0][0]
        _copy_conv(fixed.conv_dw, supernet.fixed_dw.weight)
        _copy_bn(fixed.bn1, supernet.fixed_dw_bn)
        _copy_conv(fixed.conv_pw, supernet.fixed_project.weight)
        _copy_bn(fixed.bn2, supernet.fixed_project_bn)
        for stage, block, ops in zip(model.blocks[1:], supernet.blocks, arch.layers):
            _inherit_unified(stage[0], block, ops, device)
        _copy_conv(model.conv_head, supernet.head.weight)
        _copy_bn(model.bn2, supernet.head_bn)
        model.classifier.weight.copy_(supernet.classifier.weight)
        model.classifier.bias.copy_(supernet.classifier.bias)
    return model.to(device)


def _inherit_unified(target: nn.Module, block: nn.Module, ops: tuple[str, ...], device: torch.device) -> None:
    """One timm ``InvertedResidual`` from the active sub-blocks of a unified block."""
    width = block.width
    active = [j for j, op in enumerate(ops) if op != SKIP]
    rows = torch.tensor([j * width + c for j in active for c in range(width)], device=device)
    _copy_conv(target.conv_pw, block.expand.weight[rows])
    _copy_bn(target.bn1, block.expand_bn, rows)
    for group, j in zip(target.conv_dw.children(), active):
        _copy_conv(group, block.depthwise[ops[j]].weight[j * width:(j + 1) * width])
    # The BN after the mixed depthwise conv: each group's channels from its kernel's BN at its sub-block.
    dw_bn = target.bn2
    for g, j in enumerate(active):
        source = block.depthwise_bn[ops[j]]
        for name in ("weight", "bias", "running_mean", "running_var"):
            getattr(dw_bn, name)[g * width:(g + 1) * width] = getattr(source, name)[j * width:(j + 1) * width]
    _copy_conv(target.conv_pwl, block.project.weight[:, rows])
    _copy_bn(target.bn3, block.project_bn.norm_for(len(active)))
