"""A weight-sharing supernet over the NAS-Bench-201 cells (Dong & Yang, ICLR 2020, Sec. 5; NATS-Bench).

Every cell of the macro network holds all five ops on each of its six edges;
the cell to run is an argument of the forward pass, never module state, so the
samplers and search strategies stay outside the model:

* :meth:`NB201Supernet.forward` runs one op per edge (a single path, as SPOS,
  RSPS and FairNAS train it);
* :meth:`NB201Supernet.forward_relaxed` gives each edge the p-weighted sum of
  its ops (DARTS-style), leaving out ops with ``p <= threshold``.

``none`` is never computed: it adds zero to its node, in value and gradient.

BN setting, the constructor's ``bn``. It changes the ranking the supernet
gives, so every result must state it: the benchmark's paper reports the
weight-sharing methods under both (NAS-Bench-201, Table 5), batch statistics
doing much better.

* ``"batch-stats"`` (default; the benchmark's weight-sharing protocol): the
  cells' BNs have no affine parameters and keep no running statistics, so they
  normalise with the current batch's statistics in training and evaluation
  alike; no path inherits another's statistics and no recalibration is needed;
* ``"running"``: the cells' BNs have no affine parameters but keep running
  statistics, which mix every path trained; evaluate a path after recalibrating
  them (:func:`sgnas.supernet.bn_recalibration.recalibrate_bn`, which only calls
  ``supernet(images, cell)`` and so serves this supernet as it is).

In both settings the stem, the reduction blocks and the head, shared by every
path, keep affine BN with running statistics: in the benchmark's search models
the setting reaches only the cells.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn as nn

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import EDGES, NUM_EDGES, NUM_NODES, OPS, Cell
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.nasbench201.network import build_body, build_head, build_stem
from sgnas.spaces.nasbench201.ops import make_op

__all__ = ["BN_MODES", "BnMode", "NB201Supernet", "SupernetCell"]

BnMode = Literal["batch-stats", "running"]
BN_MODES: tuple[str, ...] = ("batch-stats", "running")
_NONE = OPS.index("none")


class SupernetCell(nn.Module):
    """One cell holding all five ops on each edge (``edges[e][o]`` is op ``OPS[o]`` of edge ``e``)."""

    def __init__(self, channels: int, bn: BnMode) -> None:
        super().__init__()
        track = bn == "running"
        self.edges = nn.ModuleList(
            nn.ModuleList(make_op(op, channels, affine=False, track_running_stats=track) for op in OPS)
            for _ in EDGES
        )

    def forward(self, x: torch.Tensor, codes: tuple[int, ...]) -> torch.Tensor:
        """The single path whose edge ``e`` runs op ``codes[e]``."""
        nodes = [x]
        for target in range(1, NUM_NODES):
            terms = [
                self.edges[e][codes[e]](nodes[source])
                for e, (source, node) in enumerate(EDGES)
                if node == target and codes[e] != _NONE
            ]
            nodes.append(_node_sum(x, terms))
        return nodes[-1]

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, keep: list[list[bool]]) -> torch.Tensor:
        """Each edge the sum of ``weights[e, o] * op(x)`` over its ops with ``keep[e][o]``."""
        nodes = [x]
        for target in range(1, NUM_NODES):
            terms = [
                weights[e, o] * self.edges[e][o](nodes[source])
                for e, (source, node) in enumerate(EDGES)
                if node == target
                for o in range(len(OPS))
                if keep[e][o]
            ]
            nodes.append(_node_sum(x, terms))
        return nodes[-1]


def _node_sum(x: torch.Tensor, terms: list[torch.Tensor]) -> torch.Tensor:
    """A node: the sum of its incoming terms, zeros shaped like the cell input when none adds anything."""
    return sum(terms[1:], terms[0]) if terms else torch.zeros_like(x)


class NB201Supernet(nn.Module):
    """The macro network of ``macro`` with a :class:`SupernetCell` in every cell position."""

    def __init__(self, macro: MacroSpec | None = None, bn: BnMode = "batch-stats") -> None:
        super().__init__()
        if bn not in BN_MODES:
            raise SgnasError(f"unknown supernet BN setting {bn!r}; choose one of {', '.join(BN_MODES)}")
        self.macro = macro = macro or MacroSpec()
        self.bn = bn
        self.stem = build_stem(macro)
        self.layers = nn.ModuleList(build_body(macro, lambda width: SupernetCell(width, bn)))
        self.head = build_head(macro)

    def forward(self, x: torch.Tensor, cell: Cell) -> torch.Tensor:
        """Logits of the single path ``cell``."""
        codes = cell.op_indices()
        x = self.stem(x)
        for layer in self.layers:
            x = layer(x, codes) if isinstance(layer, SupernetCell) else layer(x)
        return self.head(x)

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float = 0.0) -> torch.Tensor:
        """Logits of a relaxed cell ``weights[6, 5]`` (op probabilities in OPS order), shared by every cell.

        Ops with ``p <= threshold`` are left out, so the logits are
        differentiable w.r.t. the kept probabilities; a one-hot ``weights``
        gives exactly :meth:`forward` of its cell.
        """
        expected = (NUM_EDGES, len(OPS))
        if tuple(weights.shape) != expected:
            raise SgnasError(f"relaxed cell has shape {tuple(weights.shape)}, expected {expected}")
        # One host transfer for the whole pass rather than one per op and cell.
        keep = (weights > threshold).tolist()
        for row in keep:
            row[_NONE] = False
        x = self.stem(x)
        for layer in self.layers:
            x = layer.forward_relaxed(x, weights, keep) if isinstance(layer, SupernetCell) else layer(x)
        return self.head(x)
