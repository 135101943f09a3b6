"""SGNAS (Huang & Chu, "Searching by Generating", CVPR 2021) and its one-shot NAS peers, reproducibly.

The pipeline, one module per step: :mod:`sgnas.space` (macro layout) ->
:mod:`sgnas.architecture` (what is searched, forced sampling) -> :mod:`sgnas.cost`
(exact MACs/params) -> supernet -> samplers -> search strategies ->
:mod:`sgnas.export` (timm model) -> evaluation -> results.
"""

from sgnas.architecture import Architecture, ArchitectureError, load_architecture
from sgnas.cost import Cost, CostModel
from sgnas.errors import SgnasError
from sgnas.space import OPS, SearchSpace, get_space

__all__ = [
    "OPS",
    "Architecture",
    "ArchitectureError",
    "Cost",
    "CostModel",
    "SearchSpace",
    "SgnasError",
    "get_space",
    "load_architecture",
]
__version__ = "0.1.0"
