"""The NAS-Bench-201 cell space as the entry ``nas-bench-201`` of :data:`sgnas.registry.SPACES`.

Its description is the macro network (:class:`~sgnas.spaces.nasbench201.macro.MacroSpec`;
default: the benchmark's CIFAR-10 network, C = 16, N = 5, 32x32, 10 classes;
``width`` scales C), its architectures are cells in the standard string
(:meth:`~sgnas.spaces.nasbench201.cell.Cell.from_string`), its cost model the
exact additive one in the benchmark's own convention by default, its cells
within a MACs limit those of :mod:`~sgnas.spaces.nasbench201.bounded`. Its
samplers and strategies are those of family :data:`FAMILY`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.registry import SPACES
from sgnas.spaces.nasbench201.bounded import BoundedCells, cell_space
from sgnas.spaces.nasbench201.cell import Cell, random_cell
from sgnas.spaces.nasbench201.cost import CONVENTIONS, CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.unified.space import MAX_WIDTH, MIN_WIDTH

if TYPE_CHECKING:
    from sgnas.spaces.nasbench201.choices import CellChoices

__all__ = ["FAMILY", "NB201Space"]

FAMILY = "nas-bench-201"


class NB201Space:
    """The NAS-Bench-201 topology space."""

    family = FAMILY
    conventions: tuple[str, ...] = CONVENTIONS
    default_convention = "nb201"
    #: the benchmark publishes 15.647M for index 0: three decimals
    macs_digits = 3
    options: frozenset[str] = frozenset()

    def build(self, resolution: int | None = None, width: float = 1.0, num_classes: int | None = None) -> MacroSpec:
        base = MacroSpec()
        if not MIN_WIDTH <= width <= MAX_WIDTH:
            raise SgnasError(f"width multiplier {width} is outside {MIN_WIDTH:g}..{MAX_WIDTH:g}")
        return MacroSpec(
            channels=max(1, round(base.channels * width)),
            num_classes=base.num_classes if num_classes is None else num_classes,
            resolution=base.resolution if resolution is None else resolution,
        )

    def parse(self, text: str, space: MacroSpec) -> Cell:
        return Cell.from_string(text)

    def cost_model(self, space: MacroSpec, se: bool = False) -> CostModel:
        if se:
            raise SgnasError("the NAS-Bench-201 space has no squeeze-and-excitation")
        return CostModel(space)

    def random(self, rng: np.random.Generator, space: MacroSpec) -> Cell:
        return random_cell(rng)

    def choices(self, space: MacroSpec) -> CellChoices:
        from sgnas.spaces.nasbench201.choices import CellChoices

        return CellChoices()

    def within(self, cost_model: CostModel, limit: float, forced_sampling: bool = True,
               measure: str = "uniform") -> BoundedCells:
        """Cells within ``limit`` MACs (``nb201``), drawn uniformly; every cell is canonical, so
        ``forced_sampling`` changes nothing."""
        if measure != "uniform":
            raise SgnasError(f"the NAS-Bench-201 space draws cells uniformly; measure {measure!r} is not defined")
        return cell_space(cost_model.macro).within(limit)

    def summary(self, space: MacroSpec) -> str:
        return (f"{FAMILY}, {space.resolution}x{space.resolution}, C={space.channels}, "
                f"N={space.cells_per_stage}, {space.num_classes} classes")

    def describe(self, space: MacroSpec) -> dict[str, Any]:
        return space.describe()

    def details(self, arch: Cell) -> dict[str, Any]:
        return {"ops": list(arch.ops)}


SPACES.add(FAMILY, NB201Space())
