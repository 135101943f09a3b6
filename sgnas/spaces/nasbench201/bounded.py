"""NAS-Bench-201 cells within a MACs limit: the cell space's side of :class:`sgnas.spaces.protocol.BoundedSpace`.

Space-generic searches (random sampling, random search, SPOS evolution)
search cells through :class:`BoundedCells`, as they search the unified space through
:class:`sgnas.spaces.unified.entry.UnifiedBounded`. Here a cell's unit of variation
is its edge:

* a draw is uniform over the cells within the limit (every cell is canonical,
  so forced sampling changes nothing; ``uniform`` is the only measure);
* a mutation redraws each edge's op uniformly with the given probability;
* a crossover takes each edge's op from one of two parents.

:class:`CellSpace` holds every cell with its MACs (benchmark network, ``nb201``
convention), so the cells within a limit are a lookup; :func:`cell_space`
keeps one per macro network.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import OPS, Cell, all_cells
from sgnas.spaces.nasbench201.cost import CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec

if TYPE_CHECKING:
    from sgnas.spaces.nasbench201.latency import LatencyCostModel

__all__ = ["BoundedCells", "CellSpace", "cell_space"]


class CellSpace:
    """Every cell with its cost under ``cost_model`` (default: MACs of the benchmark network, ``nb201`` convention;
    a :class:`~sgnas.spaces.nasbench201.latency.LatencyCostModel` gives its table's latency), for drawing within a
    limit."""

    def __init__(self, cost_model: CostModel | LatencyCostModel | None = None) -> None:
        self.cost_model = cost_model or CostModel()
        self.cells = tuple(all_cells())
        codes = np.array([cell.op_indices() for cell in self.cells])
        self.costs = self.cost_model.table_costs(codes)[0]
        self._costs = dict(zip(self.cells, self.costs.tolist()))

    def cost_of(self, cell: Cell) -> float:
        return self._costs[cell]

    def feasible(self, limit: float) -> list[Cell]:
        """The cells costing at most ``limit``, in :func:`all_cells` order; none is an error naming the smallest."""
        feasible = [cell for cell, cost in zip(self.cells, self.costs) if cost <= limit]
        if not feasible:
            scale, unit = self.cost_model.unit_scale, self.cost_model.unit
            raise SgnasError(f"no NAS-Bench-201 cell within {limit / scale:.3f} {unit} "
                             f"(the smallest costs {self.costs.min() / scale:.3f} {unit})")
        return feasible

    def within(self, limit: float) -> BoundedCells:
        """The cells within ``limit`` MACs, for the baselines' searches."""
        return BoundedCells(self, limit)


@lru_cache(maxsize=8)
def cell_space(macro: MacroSpec) -> CellSpace:
    """The :class:`CellSpace` of ``macro``'s network, built once (it costs every one of the 15,625 cells)."""
    return CellSpace(CostModel(macro))


class BoundedCells:
    """The cells of ``space`` within ``limit`` (its cost model's cost): uniform draws, edge-wise mutation and crossover."""

    def __init__(self, space: CellSpace, limit: float) -> None:
        self.space = space
        self.cost_model = space.cost_model
        self.limit = float(limit)
        self.cells = space.feasible(limit)

    def sample(self, rng: np.random.Generator) -> Cell:
        return self.cells[int(rng.integers(len(self.cells)))]

    def fits(self, cell: Cell) -> bool:
        return self.space.cost_of(cell) <= self.limit

    def mutate(self, cell: Cell, rng: np.random.Generator, probability: float) -> Cell:
        return Cell.from_indices([int(rng.integers(len(OPS))) if rng.random() < probability else op
                                  for op in cell.op_indices()])

    def crossover(self, first: Cell, second: Cell, rng: np.random.Generator) -> Cell:
        return Cell.from_indices([a if rng.random() < 0.5 else b
                                  for a, b in zip(first.op_indices(), second.op_indices())])
