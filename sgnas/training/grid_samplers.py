"""Path samplers for spaces whose architecture is one op per unit: which paths run on each batch.

A *grid* space chooses one of ``ops`` operations independently for each of
``units`` units (NAS-Bench-201's six edges of five ops; a chain of choice
layers): its choice structure's ``shape`` is ``(units, ops)`` and it builds an
architecture from op indices (``choices.from_indices``). The unified space is
not a grid (six sub-blocks per layer, forced sampling) and has its own
samplers (:mod:`sgnas.training.samplers`). The interface is the same:
``next_step()``, ``paths_per_step``, ``state_dict``/``load_state_dict`` with
exact resume.

* :class:`UniformGridSampler`: SPOS / RSPS uniform single path (Guo et al.,
  arXiv 1904.00420; Li & Talwalkar, UAI 2019): one path per step, each unit's op
  independently uniform.
* :class:`StrictFairGridSampler`: FairNAS strict fairness (Chu et al., ICCV
  2021): ``ops`` paths per step; each unit draws a random permutation of its
  ops and path ``k`` takes the ``k``-th, so every op of every unit is trained
  exactly once per step.

A space registers them under names of its own with its ``family`` and
``choices`` bound (``nb201-uniform``, ``nb201-strict-fair``); the state records
the family, so a state of another space's sampler is never loaded.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from sgnas._infra.errors import SgnasError

__all__ = ["GridSampler", "StrictFairGridSampler", "UniformGridSampler"]


class GridSampler(ABC):
    """Draws the paths of each optimizer step of a grid space, reproducibly from a seed."""

    #: how many paths :meth:`next_step` returns
    paths_per_step: int = 1
    #: the space family of its paths (:func:`sgnas.registry.family_of`), set by the space's subclass
    family: ClassVar[str]
    #: the space's choice structure (``shape`` ``(units, ops)`` and ``from_indices``), set by the space's subclass
    choices: ClassVar[Any]
    #: what tables and legends call the method this sampler stands for
    label: str = "path sampler"

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.units, self.ops = self.choices.shape

    def next_step(self) -> list[Any]:
        """The paths to run forward/backward on one batch before one optimizer step."""
        codes = self._draw()
        self.steps += 1
        return [self.choices.from_indices(row) for row in codes]

    @abstractmethod
    def _draw(self) -> np.ndarray:
        """Op indices ``[paths_per_step, units]`` of one step."""

    def state_dict(self) -> dict[str, Any]:
        """Everything that determines the following steps (JSON- and torch.save-able)."""
        return {"sampler": type(self).__name__, "space": self.family, "seed": self.seed, "steps": self.steps,
                "rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue exactly where the sampler that produced ``state`` stopped."""
        expected = (type(self).__name__, self.family)
        found = (state.get("sampler"), state.get("space"))
        if found != expected:
            raise SgnasError(f"sampler state is for (sampler, space) = {found}, this sampler is {expected}")
        self.seed = state["seed"]
        self.steps = int(state["steps"])
        self.rng.bit_generator.state = state["rng"]


class UniformGridSampler(GridSampler):
    """One path per step, each unit's op uniform."""

    label = "SPOS / RSPS uniform"

    def _draw(self) -> np.ndarray:
        return self.rng.integers(0, self.ops, size=(1, self.units))


class StrictFairGridSampler(GridSampler):
    """``ops`` paths per step; on every unit the paths take the ops in a fresh random order."""

    label = "FairNAS strict fairness"

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.paths_per_step = self.ops

    def _draw(self) -> np.ndarray:
        # Column u is a permutation of the ops: each op of unit u appears in exactly one of the paths.
        return np.stack([self.rng.permutation(self.ops) for _ in range(self.units)], axis=1)
