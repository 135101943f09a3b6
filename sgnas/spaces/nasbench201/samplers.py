"""Path samplers for NAS-Bench-201 supernet training: the grid samplers on the cell's six edges of five ops.

:class:`UniformSampler` (SPOS / RSPS: one cell per step, uniform over all 15,625)
and :class:`StrictFairSampler` (FairNAS: five cells per step, every op of every
edge trained once) are :mod:`sgnas.training.grid_samplers`' samplers with the
cell's choice structure bound. They are registered in
:data:`sgnas.registry.SAMPLERS` as ``nb201-uniform`` and ``nb201-strict-fair``,
of family ``nas-bench-201``: names of their own rather than the unified
samplers' names made space-aware, because a registry name stands for one class
with one constructor, and the unified samplers' (``(num_layers, seed,
forced_sampling)``) have no meaning here. Consumers that serve one family ask
``SAMPLERS.names(family=...)``; :func:`build_cell_sampler` builds one by name.
"""

from __future__ import annotations

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.registry import SAMPLERS, family_of
from sgnas.spaces.nasbench201.cell import class_representatives
from sgnas.spaces.nasbench201.choices import CellChoices
from sgnas.training.grid_samplers import GridSampler, StrictFairGridSampler, UniformGridSampler

__all__ = ["SPACE", "StrictFairSampler", "UniformSampler", "UniqueSampler", "build_cell_sampler"]

#: Recorded in the state so that a state of another space's samplers is never loaded here.
SPACE = "nas-bench-201"


@SAMPLERS.register("nb201-uniform")
class UniformSampler(UniformGridSampler):
    """One cell per step, each edge's op uniform over the five ops."""

    family = SPACE
    choices = CellChoices()


@SAMPLERS.register("nb201-strict-fair")
class StrictFairSampler(StrictFairGridSampler):
    """Five cells per step; on every edge the five cells take the five ops in a fresh random order."""

    family = SPACE
    choices = CellChoices()


@SAMPLERS.register("nb201-unique")
class UniqueSampler(GridSampler):
    """One cell per step, uniform over the isomorphism classes: each class's representative
    (:func:`~sgnas.spaces.nasbench201.cell.class_representatives`), so every distinct function is trained equally
    often (Ning et al., "Evaluating Efficient Performance Estimators"), where uniform cells train the functions
    with many isomorphic cells more often: the cell space's counterpart of forced sampling."""

    family = SPACE
    choices = CellChoices()
    label = "uniform over isomorphism classes"

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.codes = np.array([cell.op_indices() for cell in class_representatives()])

    def _draw(self) -> np.ndarray:
        return self.codes[self.rng.integers(len(self.codes))][None]


def build_cell_sampler(name: str, seed: int) -> GridSampler:
    """The NAS-Bench-201 sampler registered as ``name``; a sampler of another space family is an error."""
    cls = SAMPLERS.get(name)
    if family_of(cls) != SPACE:
        raise SgnasError(f"sampler {name!r} draws {family_of(cls)} architectures, not NAS-Bench-201 cells; "
                         f"choose one of {', '.join(SAMPLERS.names(family=SPACE))}")
    return cls(seed)
