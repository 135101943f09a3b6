"""The fixed macro skeleton around NAS-Bench-201 cells (Dong & Yang, ICLR 2020, Sec. 3; NATS-Bench).

Everything that is not searched: a 3x3 stem conv (3 -> C, BN); three stages of
N cells at C, 2C, 4C channels on R, R/2, R/4 pixels; between stages a residual
reduction block (ReLU-Conv3x3 stride 2-BN, ReLU-Conv3x3-BN, shortcut
AvgPool2d(2) then a 1x1 conv); then BN, ReLU, global average pooling and a
linear classifier. The benchmark trains it with C = 16, N = 5 on 32x32 CIFAR
and 16x16 ImageNet16-120; :func:`macro_for` gives those layouts, and smaller
ones serve fast tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from sgnas._infra.errors import SgnasError

__all__ = ["DATASETS", "MacroSpec", "STAGES", "macro_for"]

STAGES = 3
#: Classes and input resolution of the benchmark's three datasets.
DATASETS: dict[str, tuple[int, int]] = {"cifar10": (10, 32), "cifar100": (100, 32), "imagenet16-120": (120, 16)}


@dataclass(frozen=True)
class MacroSpec:
    """Width, depth, classes and input size of the macro network (defaults: the benchmark's CIFAR-10 network)."""

    channels: int = 16
    cells_per_stage: int = 5
    num_classes: int = 10
    resolution: int = 32
    in_channels: int = 3

    def __post_init__(self) -> None:
        for name in ("channels", "cells_per_stage", "num_classes", "resolution", "in_channels"):
            if getattr(self, name) < 1:
                raise SgnasError(f"macro network: {name} must be positive, got {getattr(self, name)}")
        # Two stride-2 reductions must halve the map exactly, as AvgPool2d(2) and the strided conv agree only then.
        if self.resolution % 4:
            raise SgnasError(f"macro network: resolution must be a multiple of 4, got {self.resolution}")

    def describe(self) -> dict[str, object]:
        """What identifies the network (its space name, input size, widths, depth and classes)."""
        return {"name": "nas-bench-201", "resolution": self.resolution, "channels": self.channels,
                "cells_per_stage": self.cells_per_stage, "num_classes": self.num_classes}

    @property
    def stage_channels(self) -> tuple[int, ...]:
        return tuple(self.channels * 2**s for s in range(STAGES))

    @property
    def stage_sizes(self) -> tuple[int, ...]:
        return tuple(self.resolution // 2**s for s in range(STAGES))


def macro_for(dataset: str) -> MacroSpec:
    """The benchmark's network for ``dataset`` (cifar10, cifar100 or imagenet16-120)."""
    if dataset not in DATASETS:
        raise SgnasError(f"unknown NAS-Bench-201 dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    num_classes, resolution = DATASETS[dataset]
    return MacroSpec(num_classes=num_classes, resolution=resolution)
