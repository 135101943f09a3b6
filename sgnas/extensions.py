"""The library's own extensions, registered as the first plugin (``pyproject.toml``, group ``sgnas.plugins``).

Importing this module registers SGNAS's search spaces (:mod:`sgnas.spaces.unified.entry`),
the NAS-Bench-201 cell space and its samplers (:mod:`sgnas.spaces.nasbench201.space`,
:mod:`sgnas.spaces.nasbench201.samplers`), path samplers (:mod:`sgnas.training.samplers`), the generator strategy
(:mod:`sgnas.search.generator.strategy`) and the presets (:mod:`sgnas.config.presets`); the
registries (:mod:`sgnas.registry`) import it through the entry point, never by
name, so that no module is imported back by what it registers.
"""

from __future__ import annotations

from sgnas.config import presets
from sgnas.search.generator import strategy
from sgnas.spaces.nasbench201 import samplers as nb201_samplers
from sgnas.spaces.nasbench201 import space as nb201_space
from sgnas.spaces.unified import entry as unified
from sgnas.spaces.unified import space
from sgnas.training import samplers

__all__ = ["nb201_samplers", "nb201_space", "presets", "samplers", "space", "strategy", "unified"]
