"""SGNAS (Huang & Chu, "Searching by Generating", CVPR 2021) and its one-shot NAS peers, reproducibly.

The packages are the method's pipeline, in the order data flows:

1. :mod:`sgnas.config`: typed configs of every step and the presets that fill them;
2. :mod:`sgnas.spaces`: search spaces as plug-ins (``unified``: SGNAS's macro
   space; ``nasbench201``: the benchmark's cell), each with its architectures,
   cost models, supernet and choice structure;
3. :mod:`sgnas.data`: the splits and batches every training step reads;
4. :mod:`sgnas.training` and :mod:`sgnas.supernet`: path samplers and supernet
   training; BN recalibration, supernet-estimated accuracy and ranking;
5. :mod:`sgnas.search`: the strategy interface and SGNAS's architecture generator;
6. :mod:`sgnas.export`: any architecture as a timm model (weights inherited or fresh);
7. :mod:`sgnas.standalone`: training a found architecture from scratch;

with :mod:`sgnas.pipeline` running them end to end, :mod:`sgnas.cli` the ``sgnas``
command, :mod:`sgnas.registry` the extension points and :mod:`sgnas.zoo` the
published architectures. Infrastructure shared by every stage (run folders,
locks, strict JSON, progress, downloads) is the private ``sgnas._infra``.
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
