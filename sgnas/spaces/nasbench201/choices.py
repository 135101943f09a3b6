"""The cell's choice structure as the generator sees it: one distribution over the five ops of each of six edges.

:class:`CellChoices` is what the generator (written once for every space,
:mod:`sgnas.search.generator`) asks of this space: a ``6 x 5`` output map, the
one-hot form of a cell (its prior), plain Gumbel-softmax weights (every cell is
its own canonical form: the space has no forced sampling), the argmax cell and
random cells for the prior pool.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell, random_cell

__all__ = ["COST_ORDER", "CellChoices"]

#: the ops from the cheapest to the dearest in MACs (``none``, the parameter-free ops, then the convolutions):
#: a density sweep of random cells runs along this order
COST_ORDER: tuple[str, ...] = ("none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3")


def _no_forced_sampling(forced_sampling: bool) -> None:
    if forced_sampling:
        raise SgnasError("NAS-Bench-201 cells have no redundant arrangements: forced sampling does not apply")


class CellChoices:
    """The generator's view of the NAS-Bench-201 cell."""

    shape = (NUM_EDGES, len(OPS))

    def one_hot(self, cell: Cell) -> torch.Tensor:
        return F.one_hot(torch.tensor(cell.op_indices()), len(OPS)).float()

    def from_one_hot(self, encoded: torch.Tensor) -> Cell:
        return Cell.from_indices(encoded.argmax(-1).tolist())

    def from_indices(self, indices: Sequence[int]) -> Cell:
        return Cell.from_indices(indices)

    def relax(self, logits: torch.Tensor, tau: float, forced_sampling: bool) -> torch.Tensor:
        _no_forced_sampling(forced_sampling)
        return F.gumbel_softmax(logits, tau=tau, hard=False, dim=-1)

    def decode(self, logits: torch.Tensor, forced_sampling: bool) -> Cell:
        _no_forced_sampling(forced_sampling)
        return Cell.from_indices(logits.detach().argmax(-1).tolist())

    def random(self, rng: np.random.Generator, forced_sampling: bool, density: float | None = None) -> Cell:
        """A uniform cell, or with ``density`` q each edge's op drawn binomially along :data:`COST_ORDER`."""
        _no_forced_sampling(forced_sampling)
        if density is None:
            return random_cell(rng)
        ranks = rng.binomial(len(COST_ORDER) - 1, density, NUM_EDGES)
        return Cell.from_indices([OPS.index(COST_ORDER[r]) for r in ranks])
