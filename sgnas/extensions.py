"""The library's own extensions, registered as the first plugin (``pyproject.toml``, group ``sgnas.plugins``).

Importing this module registers SGNAS's search spaces (:mod:`sgnas.space`),
path samplers (:mod:`sgnas.samplers`), the generator strategy
(:mod:`sgnas.generator.strategy`) and the presets (:mod:`sgnas.presets`); the
registries (:mod:`sgnas.registry`) import it through the entry point, never by
name, so that no module is imported back by what it registers.
"""

from __future__ import annotations

from sgnas import presets, samplers, space
from sgnas.generator import strategy

__all__ = ["presets", "samplers", "space", "strategy"]
