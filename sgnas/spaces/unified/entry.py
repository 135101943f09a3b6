"""SGNAS's unified macro spaces (``imagenet``, ``cifar``) as entries of :data:`sgnas.registry.SPACES`.

Each entry is the variant's factory of :mod:`sgnas.spaces.unified.space` (so
:func:`sgnas.spaces.unified.space.get_space` is unchanged) plus the rest of the
:class:`~sgnas.spaces.protocol.SpaceEntry` protocol: architectures in the
compact string or a JSON file (:func:`sgnas.spaces.unified.architecture.load_architecture`),
the lookup-table cost model (:class:`sgnas.spaces.unified.cost.CostModel`), the space's one
random drawer, and its architectures within a MACs limit
(:class:`UnifiedBounded`: drawn by the budget-aware layer sampler of
:mod:`sgnas.spaces.unified.budget`, varied layer by layer). This module sits above
:mod:`sgnas.spaces.unified.space`, which the architecture and the cost model import, so it can
name them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sgnas.registry import SPACES, UNIFIED
from sgnas.spaces.unified.architecture import Architecture, load_architecture, random_architecture
from sgnas.spaces.unified.budget import BudgetSampler, random_layer
from sgnas.spaces.unified.cost import CONVENTIONS, CostModel
from sgnas.spaces.unified.space import VARIANTS, SearchSpace

if TYPE_CHECKING:
    from sgnas.spaces.unified.choices import UnifiedChoices

__all__ = ["UnifiedBounded", "UnifiedSpace"]


class UnifiedBounded:
    """The unified space's architectures within ``limit`` MACs (``conv+fc``), for the baselines' searches.

    Draws come from :class:`~sgnas.spaces.unified.budget.BudgetSampler` under ``measure``
    (canonical architectures under forced sampling); a mutation redraws each
    layer with :func:`~sgnas.spaces.unified.budget.random_layer` (cost ignored, the search
    filters), a crossover takes each layer from one of two parents: SPOS's
    variation, with a layer of six sub-blocks as the unit.
    """

    def __init__(self, cost_model: CostModel, limit: float, forced_sampling: bool = True,
                 measure: str = "uniform") -> None:
        self.cost_model = cost_model
        self.limit = float(limit)
        self.forced_sampling = forced_sampling
        self.measure = measure
        self.sampler = BudgetSampler(cost_model, limit, forced_sampling, measure=measure)

    def sample(self, rng: np.random.Generator) -> Architecture:
        return self.sampler.sample(rng)

    def fits(self, arch: Architecture) -> bool:
        return self.sampler.fits(arch)

    def mutate(self, arch: Architecture, rng: np.random.Generator, probability: float) -> Architecture:
        return Architecture(tuple(
            random_layer(rng, self.forced_sampling, self.measure) if rng.random() < probability else ops
            for ops in arch.layers
        ))

    def crossover(self, first: Architecture, second: Architecture, rng: np.random.Generator) -> Architecture:
        return Architecture(tuple(a if rng.random() < 0.5 else b for a, b in zip(first.layers, second.layers)))


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

    def choices(self, space: SearchSpace) -> UnifiedChoices:
        from sgnas.spaces.unified.choices import UnifiedChoices

        return UnifiedChoices(space.num_layers)

    def random(self, rng: np.random.Generator, space: SearchSpace) -> Architecture:
        return random_architecture(space.num_layers, rng, forced_sampling=True)

    def within(self, cost_model: CostModel, limit: float, forced_sampling: bool = True,
               measure: str = "uniform") -> UnifiedBounded:
        return UnifiedBounded(cost_model, limit, forced_sampling, measure)

    def summary(self, space: SearchSpace) -> str:
        return f"{space.name}, {space.resolution}x{space.resolution}, width {space.width:g}, {space.num_classes} classes"

    def describe(self, space: SearchSpace) -> dict[str, Any]:
        return space.describe()

    def details(self, arch: Architecture) -> dict[str, Any]:
        return {"canonical": arch.canonical().to_string(), "expansions": list(arch.expansions)}


for _name in VARIANTS:
    SPACES.add(_name, UnifiedSpace(_name))
