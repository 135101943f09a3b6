"""NAS-Bench-201 (Dong & Yang, ICLR 2020) / NATS-Bench topology space as a second search space.

One module per concept: :mod:`.cell` (what is searched), :mod:`.macro` (the
fixed skeleton), :mod:`.cost` (exact MACs/params in the benchmark's
convention), :mod:`.ops` and :mod:`.network` (the stand-alone network).
"""

from sgnas.spaces.nasbench201.cell import EDGES, NUM_CELLS, OPS, Cell, CellError, all_cells, random_cell
from sgnas.spaces.nasbench201.cost import CONVENTIONS, CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec, macro_for
from sgnas.spaces.nasbench201.network import NB201Network

__all__ = [
    "CONVENTIONS",
    "EDGES",
    "NUM_CELLS",
    "OPS",
    "Cell",
    "CellError",
    "CostModel",
    "MacroSpec",
    "NB201Network",
    "all_cells",
    "macro_for",
    "random_cell",
]
