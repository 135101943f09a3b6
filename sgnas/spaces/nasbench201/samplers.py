"""Path samplers for NAS-Bench-201 supernet training: which cells run on each batch.

The same interface as :class:`sgnas.training.samplers.PathSampler` (``next_step()``,
``paths_per_step``, ``state_dict``/``load_state_dict`` with exact resume),
drawing :class:`~sgnas.spaces.nasbench201.cell.Cell` objects. They cannot be
subclasses of it: it builds unified-space architectures and its forced
sampling has no counterpart here (every cell is its own canonical form).

* :class:`UniformSampler`: SPOS / RSPS uniform single path (Guo et al., arXiv
  1904.00420; Li & Talwalkar, UAI 2019): one cell per step, each edge's op
  independently uniform over the five, so uniform over all 15,625 cells.
* :class:`StrictFairSampler`: FairNAS strict fairness (Chu et al., ICCV 2021):
  five cells per step; each edge draws a random permutation of its five ops and
  cell ``k`` takes the ``k``-th, so every op of every edge is trained exactly
  once per step.

Both are registered in :data:`sgnas.registry.SAMPLERS` as ``nb201-uniform``
and ``nb201-strict-fair``, of family ``nas-bench-201``: names of their own
rather than the unified samplers' names made space-aware, because a registry
name stands for one class with one constructor, and the unified samplers'
(``(num_layers, seed, forced_sampling)``) have no meaning here. Consumers that
serve one family ask ``SAMPLERS.names(family=...)``; :func:`build_cell_sampler`
builds one by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.registry import SAMPLERS, family_of
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell

__all__ = ["CellSampler", "SPACE", "StrictFairSampler", "UniformSampler", "build_cell_sampler"]

#: Recorded in the state so that a state of the unified space's samplers is never loaded here.
SPACE = "nas-bench-201"


class CellSampler(ABC):
    """Draws the cells of each optimizer step, reproducibly from a seed."""

    #: how many cells :meth:`next_step` returns
    paths_per_step: int = 1
    #: the space family of its cells (:func:`sgnas.registry.family_of`)
    family: str = SPACE
    #: what tables and legends call the method this sampler stands for
    label: str = "cell sampler"

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.steps = 0

    def next_step(self) -> list[Cell]:
        """The cells to run forward/backward on one batch before one optimizer step."""
        codes = self._draw()
        self.steps += 1
        return [Cell.from_indices(row) for row in codes]

    @abstractmethod
    def _draw(self) -> np.ndarray:
        """Op indices ``[paths_per_step, 6]`` of one step."""

    def state_dict(self) -> dict[str, Any]:
        """Everything that determines the following steps (JSON- and torch.save-able)."""
        return {
            "sampler": type(self).__name__,
            "space": SPACE,
            "seed": self.seed,
            "steps": self.steps,
            "rng": self.rng.bit_generator.state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue exactly where the sampler that produced ``state`` stopped."""
        expected = (type(self).__name__, SPACE)
        found = (state.get("sampler"), state.get("space"))
        if found != expected:
            raise SgnasError(f"sampler state is for (sampler, space) = {found}, this sampler is {expected}")
        self.seed = state["seed"]
        self.steps = int(state["steps"])
        self.rng.bit_generator.state = state["rng"]


@SAMPLERS.register("nb201-uniform")
class UniformSampler(CellSampler):
    """One cell per step, each edge's op uniform over the five ops."""

    paths_per_step = 1
    label = "SPOS / RSPS uniform"

    def _draw(self) -> np.ndarray:
        return self.rng.integers(0, len(OPS), size=(1, NUM_EDGES))


@SAMPLERS.register("nb201-strict-fair")
class StrictFairSampler(CellSampler):
    """Five cells per step; on every edge the five cells take the five ops in a fresh random order."""

    paths_per_step = len(OPS)
    label = "FairNAS strict fairness"

    def _draw(self) -> np.ndarray:
        # Column e is a permutation of the ops: each op of edge e appears in exactly one of the cells.
        return np.stack([self.rng.permutation(len(OPS)) for _ in range(NUM_EDGES)], axis=1)


def build_cell_sampler(name: str, seed: int) -> CellSampler:
    """The NAS-Bench-201 sampler registered as ``name``; a sampler of another space family is an error."""
    cls = SAMPLERS.get(name)
    if family_of(cls) != SPACE:
        raise SgnasError(f"sampler {name!r} draws {family_of(cls)} architectures, not NAS-Bench-201 cells; "
                         f"choose one of {', '.join(SAMPLERS.names(family=SPACE))}")
    return cls(seed)
