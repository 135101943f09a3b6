"""Exact multiply-adds and parameters of any architecture of a search space, from lookup tables.

Every unified layer's cost is a sum of per-sub-block terms: an active sub-block of
kernel k adds its C_in expansion channels (1x1 expand + BN), its depthwise k x k
conv (+ BN) and its C_in rows of the 1x1 projection. These terms form the table
``sub_macs[layer, op]`` (``skip`` costs nothing), which is also what the
architecture generator needs: the expected cost of a relaxed architecture is the
probability-weighted sum of the table, exact in expectation and differentiable.

Squeeze-and-excitation on the expanded channels (reduction 4, as in the published
SGNAS-A/B/C) is not additive in the sub-blocks; it is a second table indexed by
the layer's expansion rate.

Conventions (SPEC section 7): ``conv`` counts conv layers only (SGNAS's own
counter; SE's 1x1 convs included), ``conv+fc`` adds the classifier (the usual
one). BN, activations and pooling are never counted. Parameters always include
every weight, BN affine parameters and biases.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from sgnas.spaces.cost import CONVENTIONS, INTERFACE_CONVENTION, Convention, Cost
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import KERNEL_SIZE, MIN_ACTIVE, OPS, SUB_BLOCKS, SearchSpace

__all__ = ["CONVENTIONS", "Convention", "Cost", "CostModel", "SE_REDUCTION"]

#: SE reduction on the expanded channels used by the published SGNAS models.
SE_REDUCTION = 4


def _se_cost(channels: int) -> tuple[int, int]:
    """MACs and params of SE on ``channels`` (two biased 1x1 convs on the pooled vector)."""
    reduced = max(1, channels // SE_REDUCTION)
    return 2 * channels * reduced, 2 * channels * reduced + reduced + channels


class CostModel:
    """Lookup-table cost model of one :class:`SearchSpace`, optionally with SE on every block."""

    #: what a target of the generator counts: millions of MACs
    unit = "M MACs"
    unit_scale = 1e6

    def __init__(self, space: SearchSpace, se: bool = False) -> None:
        self.space = space
        self.se = se
        layers = space.layers
        self.sub_macs = np.zeros((len(layers), len(OPS)), dtype=np.int64)
        self.sub_params = np.zeros((len(layers), len(OPS)), dtype=np.int64)
        self.layer_params = np.zeros(len(layers), dtype=np.int64)
        self.se_macs = np.zeros((len(layers), SUB_BLOCKS + 1), dtype=np.int64)
        self.se_params = np.zeros((len(layers), SUB_BLOCKS + 1), dtype=np.int64)
        for spec in layers:
            cin, cout = spec.in_channels, spec.out_channels
            hin2, hout2 = spec.in_size**2, spec.out_size**2
            for o, op in enumerate(OPS):
                if op not in KERNEL_SIZE:
                    continue
                k2 = KERNEL_SIZE[op] ** 2
                self.sub_macs[spec.index, o] = cin * cin * hin2 + cin * k2 * hout2 + cin * cout * hout2
                self.sub_params[spec.index, o] = cin * cin + 2 * cin + cin * k2 + 2 * cin + cin * cout
            self.layer_params[spec.index] = 2 * cout  # projection BN
            if se:
                for e in range(MIN_ACTIVE, SUB_BLOCKS + 1):
                    self.se_macs[spec.index, e], self.se_params[spec.index, e] = _se_cost(e * cin)

    # --- fixed parts ---------------------------------------------------------------
    @cached_property
    def fixed(self) -> dict[str, tuple[int, int]]:
        """MACs and params of the parts every architecture shares: stem, fixed MBConv, head, classifier."""
        s = self.space
        stem, fixed_out = s.stem_channels, s.fixed_channels
        size2 = s.stem_out_size**2
        parts = {
            "stem": (s.in_channels * stem * 9 * size2, s.in_channels * stem * 9 + 2 * stem),
            # Depthwise 3x3 (+BN) then 1x1 projection (+BN); no expansion conv at expansion 1.
            "fixed_block": (stem * 9 * size2 + stem * fixed_out * size2, stem * 9 + 2 * stem + stem * fixed_out + 2 * fixed_out),
        }
        if self.se:
            parts["fixed_block_se"] = _se_cost(stem)
        last = s.layers[-1].out_channels
        parts["head"] = (last * s.head_channels * s.final_size**2, last * s.head_channels + 2 * s.head_channels)
        parts["classifier"] = (s.head_channels * s.num_classes, s.head_channels * s.num_classes + s.num_classes)
        return parts

    def fixed_macs(self, convention: Convention) -> int:
        return sum(m for name, (m, _) in self.fixed.items() if convention == "conv+fc" or name != "classifier")

    def to_interface(self, macs: float, convention: Convention) -> float:
        """MACs counted in ``convention`` as the ``conv+fc`` MACs every search strategy works in."""
        return macs + self.fixed_macs(INTERFACE_CONVENTION) - self.fixed_macs(convention)

    def from_interface(self, macs: float, convention: Convention) -> float:
        """The inverse of :meth:`to_interface`: interface (``conv+fc``) MACs counted in ``convention``."""
        return macs - (self.fixed_macs(INTERFACE_CONVENTION) - self.fixed_macs(convention))

    @cached_property
    def fixed_params(self) -> int:
        return sum(p for _, p in self.fixed.values()) + int(self.layer_params.sum())

    # --- hard architectures -------------------------------------------------------------
    def layer_costs(self, arch: Architecture) -> list[tuple[int, int]]:
        """Per searchable layer, (MACs, params) of its variable part (BN of the projection excluded)."""
        arch.check_space(self.space)
        costs = []
        for i, row in enumerate(arch.op_indices()):
            e = arch.expansion(i)
            macs = int(self.sub_macs[i, row].sum() + self.se_macs[i, e])
            params = int(self.sub_params[i, row].sum() + self.se_params[i, e])
            costs.append((macs, params))
        return costs

    def cost(self, arch: Architecture, convention: Convention = "conv+fc") -> Cost:
        if convention not in CONVENTIONS:
            raise ValueError(f"unknown FLOPs convention {convention!r}; choose conv or conv+fc")
        per_layer = self.layer_costs(arch)
        macs = self.fixed_macs(convention) + sum(m for m, _ in per_layer)
        params = self.fixed_params + sum(p for _, p in per_layer)
        return Cost(macs=macs, params=params, convention=convention, se=self.se)

    def macs(self, arch: Architecture, convention: Convention = "conv+fc") -> int:
        return self.cost(arch, convention).macs

    def macs_range(self, convention: Convention = "conv+fc") -> tuple[int, int]:
        """Smallest and largest MACs over the whole space (2 x k3 everywhere, 6 x k7 everywhere)."""
        k3, k7 = OPS.index("k3"), OPS.index("k7")
        low = MIN_ACTIVE * self.sub_macs[:, k3] + self.se_macs[:, MIN_ACTIVE]
        high = SUB_BLOCKS * self.sub_macs[:, k7] + self.se_macs[:, SUB_BLOCKS]
        base = self.fixed_macs(convention)
        return base + int(low.sum()), base + int(high.sum())

    # --- relaxed architectures --------------------------------------------------------------
    def expected_macs(self, probs: Any, convention: Convention = "conv+fc", threshold: float = 0.0) -> Any:
        """Expected MACs of a relaxed architecture ``probs[layer, sub_block, op]`` (numpy or torch).

        Exact in expectation for the searched space (no SE), and differentiable
        when ``probs`` is a torch tensor; batched inputs ``[..., L, 6, 4]`` give one value each.
        Ops with a probability at or below ``threshold`` are left out (the
        official lookup table drops p <= 0.01, as the supernet's relaxed forward does).
        """
        if self.se:
            raise ValueError("expected MACs are defined for the searched space without SE")
        table = self.sub_macs.astype(np.float64)
        kept = probs * (probs > threshold) if threshold > 0 else probs
        if not isinstance(probs, np.ndarray):
            import torch

            table = torch.as_tensor(table, dtype=probs.dtype, device=probs.device)
            return (kept * table[:, None, :]).sum(dim=(-1, -2, -3)) + self.fixed_macs(convention)
        return (kept * table[:, None, :]).sum(axis=(-1, -2, -3)) + self.fixed_macs(convention)
