"""NAS-Bench-201 (Dong & Yang, ICLR 2020) / NATS-Bench topology space as a second search space.

One module per concept: :mod:`.cell` (what is searched), :mod:`.macro` (the
fixed skeleton), :mod:`.cost` (exact MACs/params in the benchmark's
convention), :mod:`.benchmark` (the table of true accuracies), :mod:`.ops` and
:mod:`.network` (the stand-alone network), :mod:`.supernet` (weight sharing,
with its BN setting), :mod:`.samplers` (uniform and strict-fairness paths)
and :mod:`.bounded` (the cells within a MACs limit, drawn and varied edge by
edge, as the baselines' searches use them). Supernet-estimated accuracy is the
one evaluator of every space (:mod:`sgnas.supernet.evaluator`).
"""

from sgnas.spaces.nasbench201.benchmark import Benchmark, Entry, load_benchmark
from sgnas.spaces.nasbench201.cell import EDGES, NUM_CELLS, OPS, Cell, CellError, all_cells, random_cell
from sgnas.spaces.nasbench201.cost import CONVENTIONS, CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec, macro_for
from sgnas.spaces.nasbench201.network import NB201Network
from sgnas.spaces.nasbench201.samplers import StrictFairSampler, UniformSampler
from sgnas.spaces.nasbench201.supernet import BN_MODES, NB201Supernet

__all__ = [
    "BN_MODES",
    "CONVENTIONS",
    "EDGES",
    "NUM_CELLS",
    "OPS",
    "Benchmark",
    "Cell",
    "CellError",
    "CostModel",
    "Entry",
    "MacroSpec",
    "NB201Network",
    "NB201Supernet",
    "StrictFairSampler",
    "UniformSampler",
    "all_cells",
    "load_benchmark",
    "macro_for",
    "random_cell",
]
