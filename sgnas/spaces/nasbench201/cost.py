"""Exact multiply-adds and parameters of NAS-Bench-201 networks (Dong & Yang, ICLR 2020; NATS-Bench).

The benchmark's FLOPs (``xautodl/utils/flop_benchmark.py``) count, per image,
the multiply-adds of every Conv2d, ``out elements x (in / groups) x k x k``
(plus ``out elements`` for a conv with a bias), and of the Linear classifier,
``in x out`` plus ``out`` for its bias; pooling, BN, ReLU and additions are
not counted. Every conv of the network has ``bias=False`` (the stand-alone
network's BNs are affine), so the classifier's bias is the only bias counted.
This reproduces the published CIFAR-10 figures exactly:

* all-``none`` cell:          7,783,050 MACs (published 7.78M);
* all-``nor_conv_3x3`` cell: 220,119,690 MACs (published 220.12M);
* benchmark index 0:         15,647,370 MACs (published 15.647M), 129,306 parameters (0.129M).

A conv bias would add ``C x H x W`` per conv (220.98M for all-``nor_conv_3x3``),
and counting pooling would move index 0, so neither is in the convention.

Cost is additive over edges: edge ``e`` with op ``o`` adds the same term in
every cell of the network, ``edge_macs[e, o]``, and the rest of the network is
a fixed part. So the expected cost of a relaxed cell (independent per-edge op
probabilities) is the probability-weighted sum of the table, exactly, and
differentiable. Parameters count every weight and the BN affine parameters of
the stand-alone network (running statistics are buffers, not parameters).

Conventions: ``nb201`` is the benchmark's (classifier bias included);
``conv+fc`` is the project's usual one (classifier without its bias, what
``torch.utils.flop_counter`` measures); ``conv`` leaves the classifier out.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.spaces.cost import Cost
from sgnas.spaces.nasbench201.cell import CONV_KERNEL, NUM_EDGES, OPS, Cell
from sgnas.spaces.nasbench201.macro import MacroSpec

__all__ = ["CONVENTIONS", "Convention", "CostModel", "expected_cost"]

Convention = Literal["nb201", "conv+fc", "conv"]
CONVENTIONS: tuple[str, ...] = ("nb201", "conv+fc", "conv")


def _conv(cin: int, cout: int, kernel: int, out_size: int) -> int:
    """MACs of a bias-free, ungrouped conv producing ``cout x out_size^2``."""
    return cout * out_size * out_size * cin * kernel * kernel


class CostModel:
    """Lookup-table cost model of the NAS-Bench-201 macro network ``macro`` over all cells."""

    #: what a target of the generator counts: millions of MACs
    unit = "M MACs"
    unit_scale = 1e6

    def __init__(self, macro: MacroSpec | None = None) -> None:
        self.macro = macro or MacroSpec()
        m = self.macro
        self.edge_macs = np.zeros((NUM_EDGES, len(OPS)), dtype=np.int64)
        self.edge_params = np.zeros((NUM_EDGES, len(OPS)), dtype=np.int64)
        for o, op in enumerate(OPS):
            if op not in CONV_KERNEL:
                continue
            k = CONV_KERNEL[op]
            # One ReLU-Conv-BN per cell on this edge, in every cell of every stage.
            macs = sum(_conv(c, c, k, size) for c, size in zip(m.stage_channels, m.stage_sizes))
            params = sum(c * c * k * k + 2 * c for c in m.stage_channels)
            self.edge_macs[:, o] = m.cells_per_stage * macs
            self.edge_params[:, o] = m.cells_per_stage * params

    @cached_property
    def fixed(self) -> dict[str, tuple[int, int]]:
        """MACs (classifier bias included) and params of the parts every cell shares."""
        m = self.macro
        c0 = m.channels
        parts = {"stem": (_conv(m.in_channels, c0, 3, m.resolution), m.in_channels * c0 * 9 + 2 * c0)}
        channels, sizes = m.stage_channels, m.stage_sizes
        for s in range(1, len(channels)):
            cin, cout, size = channels[s - 1], channels[s], sizes[s]
            macs = _conv(cin, cout, 3, size) + _conv(cout, cout, 3, size) + _conv(cin, cout, 1, size)
            params = cin * cout * 9 + 2 * cout + cout * cout * 9 + 2 * cout + cin * cout
            parts[f"reduction{s}"] = (macs, params)
        last = channels[-1]
        parts["last_bn"] = (0, 2 * last)
        parts["classifier"] = (last * m.num_classes + m.num_classes, last * m.num_classes + m.num_classes)
        return parts

    def fixed_macs(self, convention: Convention = "nb201") -> int:
        _check_convention(convention)
        total = sum(macs for macs, _ in self.fixed.values())
        if convention == "conv+fc":
            return total - self.macro.num_classes
        if convention == "conv":
            return total - self.fixed["classifier"][0]
        return total

    @cached_property
    def fixed_params(self) -> int:
        return sum(params for _, params in self.fixed.values())

    # --- hard cells -------------------------------------------------------------------------------
    def cost(self, cell: Cell, convention: Convention = "nb201") -> Cost:
        rows = np.arange(NUM_EDGES)
        codes = list(cell.op_indices())
        macs = self.fixed_macs(convention) + int(self.edge_macs[rows, codes].sum())
        params = self.fixed_params + int(self.edge_params[rows, codes].sum())
        return Cost(macs=macs, params=params, convention=convention, se=False)

    def macs(self, cell: Cell, convention: Convention = "nb201") -> int:
        return self.cost(cell, convention).macs

    def params(self, cell: Cell) -> int:
        return self.cost(cell).params

    def table_costs(self, codes: np.ndarray, convention: Convention = "nb201") -> tuple[np.ndarray, np.ndarray]:
        """MACs and params of many cells at once, ``codes[n, 6]`` of op indices (vectorised lookup)."""
        codes = np.asarray(codes, dtype=np.int64)
        if codes.ndim != 2 or codes.shape[1] != NUM_EDGES:
            raise SgnasError(f"cell codes must have shape [n, {NUM_EDGES}], got {list(codes.shape)}")
        rows = np.arange(NUM_EDGES)
        macs = self.edge_macs[rows, codes].sum(axis=1) + self.fixed_macs(convention)
        params = self.edge_params[rows, codes].sum(axis=1) + self.fixed_params
        return macs, params

    def macs_range(self, convention: Convention = "nb201") -> tuple[int, int]:
        """Smallest and largest MACs over the space (every edge at its cheapest and dearest op)."""
        base = self.fixed_macs(convention)
        return base + int(self.edge_macs.min(axis=1).sum()), base + int(self.edge_macs.max(axis=1).sum())

    # --- relaxed cells ----------------------------------------------------------------------------
    @property
    def space(self) -> MacroSpec:
        """The network whose cells this model costs (what a generator trained on it is tied to)."""
        return self.macro

    def expected_macs(self, probs: Any, convention: Convention = "nb201", threshold: float = 0.0) -> Any:
        """Expected MACs of a relaxed cell ``probs[..., 6, 5]`` (numpy or torch; differentiable in torch); ops with
        a probability at or below ``threshold`` are left out, as in the unified cost model."""
        return expected_cost(probs, self.edge_macs, threshold) + self.fixed_macs(convention)

    def expected_params(self, probs: Any) -> Any:
        """Expected parameters of a relaxed cell ``probs[..., 6, 5]``."""
        return expected_cost(probs, self.edge_params) + self.fixed_params


def expected_cost(probs: Any, table: np.ndarray, threshold: float = 0.0) -> Any:
    """The sum of a per-edge, per-op cost ``table[6, 5]`` weighted by a relaxed cell ``probs[..., 6, 5]`` (numpy or
    torch; differentiable in torch); ops with a probability at or below ``threshold`` are left out. Every cost model
    of the cell (MACs, parameters, a device's latency table) relaxes this way."""
    if tuple(probs.shape[-2:]) != table.shape:
        raise SgnasError(f"relaxed cell has shape {tuple(probs.shape)}, expected [..., {NUM_EDGES}, {len(OPS)}]")
    kept = probs * (probs > threshold) if threshold > 0 else probs
    values = table.astype(np.float64)
    if isinstance(kept, np.ndarray):
        return (kept * values).sum(axis=(-1, -2))
    import torch

    return (kept * torch.as_tensor(values, dtype=kept.dtype, device=kept.device)).sum(dim=(-1, -2))


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise SgnasError(f"unknown FLOPs convention {convention!r}; choose one of {', '.join(CONVENTIONS)}")
