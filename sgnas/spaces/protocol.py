"""What every entry of :data:`sgnas.registry.SPACES` offers, whatever the shape of its architectures.

SGNAS's unified space and the NAS-Bench-201 cell space differ in everything
that is searched (19 layers of six sub-blocks against six edges of a cell), so
an entry is not a bare factory: it builds its space description, parses the
text form of its architectures, gives the exact cost model and draws random
architectures. ``sgnas cost --space NAME`` runs through these alone, and
space-generic searches (random sampling, random search, evolution) run on any space
through what :meth:`SpaceEntry.within` gives: its architectures within a cost
limit (:class:`BoundedSpace`), drawn, mutated and crossed over by the space's
own unit of variation (a layer of six sub-blocks, an edge of a cell). An
entry's ``family`` says which samplers and strategies serve it
(:func:`sgnas.registry.family_of`); the unified entries are also the
``(resolution, width, num_classes) -> SearchSpace`` factories of
:func:`sgnas.spaces.unified.space.get_space`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Protocol

import numpy as np

from sgnas.spaces.cost import Cost

__all__ = ["ArchitectureLike", "BoundedSpace", "ChoiceStructure", "CostModelLike", "SpaceEntry"]


class ArchitectureLike(Hashable, Protocol):
    """What a search needs of an architecture of any space: a value (equal ones hash equal, so a search
    counts distinct architectures by them) with a text form and a JSON form."""

    def to_string(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...


class CostModelLike(Protocol):
    """The part of a cost model every space has: exact cost of one architecture, MACs range of the space."""

    def cost(self, arch: Any, convention: Any = ...) -> Cost: ...

    def macs_range(self, convention: Any = ...) -> tuple[int, int]: ...


class BoundedSpace(Protocol):
    """The architectures of a space within a cost limit, as random sampling, random search and evolution use them.

    The searches only draw, vary and filter through these operations, so the
    same search code runs on every space; each space varies its architectures
    by its own unit (a layer, an edge), one random draw per unit in unit order.
    """

    #: the exact cost model of the space, and the largest cost allowed (MACs, in the limit's convention)
    cost_model: CostModelLike
    limit: float

    def sample(self, rng: np.random.Generator) -> ArchitectureLike:
        """A random architecture within the limit (the space's measure, conditioned on the limit)."""
        ...

    def fits(self, arch: Any) -> bool:
        """Whether ``arch`` is within the limit."""
        ...

    def mutate(self, arch: Any, rng: np.random.Generator, probability: float) -> ArchitectureLike:
        """``arch`` with each unit redrawn at random with ``probability`` (the result may exceed the limit)."""
        ...

    def crossover(self, first: Any, second: Any, rng: np.random.Generator) -> ArchitectureLike:
        """Each unit from ``first`` or ``second`` with equal probability (the result may exceed the limit)."""
        ...


class ChoiceStructure(Protocol):
    """What the architecture generator asks of a space, so that one generator, one prior pool and one trainer
    serve every space (SGNAS supp. C: "the shape of the output map fits different search spaces").

    Tensors are torch tensors; the last axis of :attr:`shape` is always the choice among ops.
    """

    #: the generator's output per architecture (``[L, 6, 4]`` on the unified space, ``[6, 5]`` on the cell)
    shape: tuple[int, ...]

    def one_hot(self, arch: Any) -> Any:
        """``arch`` as a float one-hot tensor of :attr:`shape` (the generator's prior)."""
        ...

    def from_one_hot(self, encoded: Any) -> Any:
        """The architecture a one-hot tensor encodes, as it is."""
        ...

    def relax(self, logits: Any, tau: float, forced_sampling: bool) -> Any:
        """Soft Gumbel-softmax op weights of ``logits`` (``[B, *shape]``), what the supernet's relaxed forward takes."""
        ...

    def decode(self, logits: Any, forced_sampling: bool) -> Any:
        """The argmax architecture of one logits tensor of :attr:`shape`."""
        ...

    def random(self, rng: np.random.Generator, forced_sampling: bool, density: float | None = None) -> Any:
        """A random architecture (``density`` from 0, the smallest choices, to 1, the largest; None: uniform)."""
        ...


class SpaceEntry(Protocol):
    """A registered search space."""

    #: which samplers and strategies serve it (``unified`` or the space's own family name)
    family: str
    #: the FLOPs conventions its cost model knows, and the one printed by default
    conventions: tuple[str, ...]
    default_convention: str
    #: decimals of millions of MACs its published figures use
    macs_digits: int
    #: the ``sgnas cost`` options beyond space and convention it understands (``se``, ``act``)
    options: frozenset[str]

    def build(self, resolution: int | None = None, width: float = 1.0, num_classes: int | None = None) -> Any:
        """The space's description at this input size, width and classifier size."""
        ...

    def parse(self, text: str, space: Any) -> Any:
        """An architecture from its text form (or a file, where the space has one); bad input is SgnasError."""
        ...

    def cost_model(self, space: Any, se: bool = False) -> CostModelLike:
        """The exact cost model of ``space``."""
        ...

    def random(self, rng: np.random.Generator, space: Any) -> Any:
        """A random architecture of ``space``."""
        ...

    def choices(self, space: Any) -> ChoiceStructure:
        """``space``'s choice structure, as the generator and its prior pool use it (imports torch)."""
        ...

    def within(self, cost_model: Any, limit: float, forced_sampling: bool = True,
               measure: str = "uniform") -> BoundedSpace:
        """The architectures of ``cost_model``'s space within ``limit`` MACs, drawn under ``measure``
        (with ``forced_sampling``, canonical ones only, where the space has non-canonical ones)."""
        ...

    def summary(self, space: Any) -> str:
        """One line that identifies ``space`` (printed by ``sgnas cost``)."""
        ...

    def describe(self, space: Any) -> dict[str, Any]:
        """A JSON-ready description of ``space``."""
        ...

    def details(self, arch: Any) -> dict[str, Any]:
        """JSON-ready facts of ``arch`` beside its cost (its canonical form, expansion rates, ...)."""
        ...
