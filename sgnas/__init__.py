"""SGNAS (Huang & Chu, "Searching by Generating", CVPR 2021) and its one-shot NAS peers, reproducibly.

The pipeline, one module per step: :mod:`sgnas.spaces.unified.space` (macro layout) ->
:mod:`sgnas.spaces.unified.architecture` (what is searched, forced sampling) -> :mod:`sgnas.spaces.unified.cost`
(exact MACs/params) -> supernet -> samplers -> search strategies ->
:mod:`sgnas.export.timm` (timm model) -> evaluation -> results.
"""

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.architecture import Architecture, ArchitectureError, load_architecture
from sgnas.spaces.unified.cost import Cost, CostModel
from sgnas.spaces.unified.space import OPS, SearchSpace, get_space

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
