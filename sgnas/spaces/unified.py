"""SGNAS's unified macro spaces (``imagenet``, ``cifar``) as entries of :data:`sgnas.registry.SPACES`.

Each entry is the variant's factory of :mod:`sgnas.space` (so
:func:`sgnas.space.get_space` is unchanged) plus the rest of the
:class:`~sgnas.spaces.protocol.SpaceEntry` protocol: architectures in the
compact string or a JSON file (:func:`sgnas.architecture.load_architecture`),
the lookup-table cost model (:class:`sgnas.cost.CostModel`) and the space's one
random drawer. This module sits above :mod:`sgnas.space`, which the
architecture and the cost model import, so it can name them all.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sgnas.architecture import Architecture, load_architecture, random_architecture
from sgnas.cost import CONVENTIONS, CostModel
from sgnas.registry import SPACES, UNIFIED
from sgnas.space import VARIANTS, SearchSpace

__all__ = ["UnifiedSpace"]


class UnifiedSpace:
    """A variant of the SGNAS macro space; calling it is building it."""

    family = UNIFIED
    conventions: tuple[str, ...] = tuple(CONVENTIONS)
    default_convention = "conv+fc"
    macs_digits = 2
    options = frozenset({"se", "act"})

    def __init__(self, name: str) -> None:
        self.variant = VARIANTS[name]

    def __call__(self, resolution: int | None = None, width: float = 1.0, num_classes: int | None = None) -> SearchSpace:
        return self.variant(resolution=resolution, width=width, num_classes=num_classes)

    def build(self, resolution: int | None = None, width: float = 1.0, num_classes: int | None = None) -> SearchSpace:
        return self(resolution, width, num_classes)

    def parse(self, text: str, space: SearchSpace) -> Architecture:
        return load_architecture(text, space)

    def cost_model(self, space: SearchSpace, se: bool = False) -> CostModel:
        return CostModel(space, se=se)

    def random(self, rng: np.random.Generator, space: SearchSpace) -> Architecture:
        return random_architecture(space.num_layers, rng, forced_sampling=True)

    def summary(self, space: SearchSpace) -> str:
        return f"{space.name}, {space.resolution}x{space.resolution}, width {space.width:g}, {space.num_classes} classes"

    def describe(self, space: SearchSpace) -> dict[str, Any]:
        return space.describe()

    def details(self, arch: Architecture) -> dict[str, Any]:
        return {"canonical": arch.canonical().to_string(), "expansions": list(arch.expansions)}


for _name in VARIANTS:
    SPACES.add(_name, UnifiedSpace(_name))
