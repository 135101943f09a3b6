"""The library's own extensions, registered as the first plugin (``pyproject.toml``, group ``sgnas.plugins``).

Importing this module registers SGNAS's search spaces (:mod:`sgnas.spaces.unified`),
the NAS-Bench-201 cell space and its samplers (:mod:`sgnas.spaces.nasbench201.space`,
:mod:`sgnas.spaces.nasbench201.samplers`), path samplers (:mod:`sgnas.samplers`), the generator strategy
(:mod:`sgnas.generator.strategy`) and the presets (:mod:`sgnas.presets`); the
registries (:mod:`sgnas.registry`) import it through the entry point, never by
name, so that no module is imported back by what it registers.
"""

from __future__ import annotations

from sgnas import presets, samplers, space
from sgnas.generator import strategy
from sgnas.spaces import unified
from sgnas.spaces.nasbench201 import samplers as nb201_samplers
from sgnas.spaces.nasbench201 import space as nb201_space

__all__ = ["nb201_samplers", "nb201_space", "presets", "samplers", "space", "strategy", "unified"]
