"""The plain reference computation of a unified block, the way the official SGNAS code runs it.

The official code (``utils/network_utils.py``: ``MBConv`` -> ``MPDBlock`` ->
``MixedBlock``) expands to all 6*C_in channels, runs every sub-block on its own
C_in channels (one depthwise conv per sub-block; a skipped sub-block outputs
zeros), concatenates all six outputs and projects them with the full 1x1 conv.
This module does the same with the parameters of a
:class:`~sgnas.spaces.unified.supernet.unified_block.UnifiedBlock`, so that tests can check the
fast path against it and ``sgnas bench supernet`` can time both.

One deliberate difference from the official code: the expand BN normalises each
active sub-block's slice (the official code normalises all 6*C_in channels, so a
skipped sub-block's expand statistics also move). Outputs and gradients are the
same either way; the difference is only in the running statistics, and here they
follow the rule of the fast path (a sub-block's statistics move only when it is
trained), so that both implementations define one model.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from sgnas.spaces.unified.space import KERNEL_OPS, SKIP
from sgnas.spaces.unified.supernet.shadow_bn import running_average_factor, sliced_batch_norm
from sgnas.spaces.unified.supernet.unified_block import UnifiedBlock, relaxed_expansion

__all__ = ["reference_forward", "reference_forward_relaxed"]


def _zero_output(block: UnifiedBlock, expanded: torch.Tensor) -> torch.Tensor:
    """What a skipped sub-block outputs: zeros of one sub-block's channels at the block's output size."""
    stride = block.spec.stride
    batch, _, height, width = expanded.shape
    return expanded.new_zeros(batch, block.width, -(-height // stride), -(-width // stride))


def reference_forward(block: UnifiedBlock, x: torch.Tensor, ops: tuple[str, ...]) -> torch.Tensor:
    """``block`` on ``x`` for the layer configuration ``ops``, computing all six sub-blocks."""
    width, training = block.width, block.training
    used_ops = {op for op in ops if op != SKIP}
    # One running-average step per BN module per forward, however many sub-blocks share the module.
    momenta = {op: running_average_factor(block.depthwise_bn[op]) if training else None for op in used_ops}
    expand_momentum = running_average_factor(block.expand_bn) if training else None
    expanded = F.conv2d(x, block.expand.weight)
    zeros = _zero_output(block, expanded)
    outputs = []
    for j, (op, chunk) in enumerate(zip(ops, expanded.split(width, dim=1))):
        rows = slice(j * width, (j + 1) * width)
        if op == SKIP:
            outputs.append(zeros)
            continue
        hidden = block.act(sliced_batch_norm(chunk, block.expand_bn, rows, expand_momentum))
        conv = block.depthwise[op]
        y = F.conv2d(hidden, conv.weight[rows], None, conv.stride, conv.padding, 1, width)
        outputs.append(block.act(sliced_batch_norm(y, block.depthwise_bn[op], rows, momenta[op])))
    out = F.conv2d(torch.cat(outputs, dim=1), block.project.weight)
    out = block.project_bn(out, sum(op != SKIP for op in ops))
    return out + x if block.spec.residual else out


def reference_forward_relaxed(
    block: UnifiedBlock, x: torch.Tensor, weights: torch.Tensor, threshold: float
) -> torch.Tensor:
    """``block`` for op probabilities ``weights[6, 4]``, the official way (``MixedBlock`` with ``arch_flag``).

    Every sub-block outputs the sum of ``p * op(chunk)`` over its ops with
    ``p > threshold`` (skip adds zero); the shadow BN is chosen by
    :func:`~sgnas.spaces.unified.supernet.unified_block.relaxed_expansion`.
    """
    width, training = block.width, block.training
    keep = (weights.detach()[:, : len(KERNEL_OPS)] > threshold).tolist()
    used_ops = {op for row in keep for op, kept in zip(KERNEL_OPS, row) if kept}
    momenta = {op: running_average_factor(block.depthwise_bn[op]) if training else None for op in used_ops}
    expand_momentum = running_average_factor(block.expand_bn) if training and used_ops else None
    expanded = F.conv2d(x, block.expand.weight)
    outputs = []
    for j, chunk in enumerate(expanded.split(width, dim=1)):
        rows = slice(j * width, (j + 1) * width)
        out = _zero_output(block, expanded)
        if any(keep[j]):
            hidden = block.act(sliced_batch_norm(chunk, block.expand_bn, rows, expand_momentum))
            for o, op in enumerate(KERNEL_OPS):
                if keep[j][o]:
                    conv = block.depthwise[op]
                    y = F.conv2d(hidden, conv.weight[rows], None, conv.stride, conv.padding, 1, width)
                    out = out + weights[j, o] * block.act(sliced_batch_norm(y, block.depthwise_bn[op], rows, momenta[op]))
        outputs.append(out)
    out = F.conv2d(torch.cat(outputs, dim=1), block.project.weight)
    out = block.project_bn(out, relaxed_expansion(weights))
    return out + x if block.spec.residual else out
