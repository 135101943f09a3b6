"""The SGNAS macro search space (Huang & Chu, CVPR 2021, supp. Table 6) as plain data.

A :class:`SearchSpace` fixes everything that is *not* searched: the stem, the fixed
MBConv, the channels and strides of the 19 unified layers, the head and the
classifier, at a given input resolution and width multiplier. What is searched,
the ops of each layer's six sub-blocks, lives in :mod:`sgnas.spaces.unified.architecture`.

Two variants come from the official code's configs: ``imagenet`` (224x224,
stem stride 2) and ``cifar`` (32x32, stem stride 1, other strides as in
``config_file/cifar_config.yml``). Supp. Table 6 labels the 320->1280 row a
unified block; the official code uses a fixed 1x1 conv there and so does this
project (see docs/discrepancies.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from sgnas.registry import SPACES, UNIFIED

#: the width multipliers a space can be built at (channels are rounded to multiples of 8 from the multiplier)
MIN_WIDTH, MAX_WIDTH = 0.05, 4.0
#: the smallest input side the unified spaces take (five stride-2 stages leave at least one pixel)
MIN_RESOLUTION = 8

__all__ = [
    "MAX_WIDTH",
    "MIN_RESOLUTION",
    "MIN_WIDTH",
    "OPS",
    "KERNEL_OPS",
    "SKIP",
    "SUB_BLOCKS",
    "MIN_ACTIVE",
    "LayerSpec",
    "SearchSpace",
    "VARIANTS",
    "get_space",
    "round_channels",
]

#: The four choices of a sub-block, in the order used for indices everywhere
#: (kernels ascending, skip last: the canonical order of forced sampling).
OPS: tuple[str, ...] = ("k3", "k5", "k7", "skip")
KERNEL_OPS: tuple[str, ...] = OPS[:3]
SKIP = "skip"
KERNEL_SIZE = {"k3": 3, "k5": 5, "k7": 7}
#: Sub-blocks per unified block: the 1x1 expansion is cut into this many groups of C_in channels.
SUB_BLOCKS = 6
#: Smallest expansion rate of a unified block (E = 2..6).
MIN_ACTIVE = 2


def round_channels(channels: float, divisor: int = 8) -> int:
    """Channels rounded to a multiple of ``divisor`` the way timm and MobileNet do (never below 90%)."""
    rounded = max(divisor, int(channels + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * channels:
        rounded += divisor
    return rounded


@dataclass(frozen=True)
class LayerSpec:
    """One searchable unified layer: its channels, stride and feature-map sizes."""

    index: int
    in_channels: int
    out_channels: int
    stride: int
    in_size: int
    out_size: int

    @property
    def residual(self) -> bool:
        """Whether the block adds its input (stride 1 and equal channels)."""
        return self.stride == 1 and self.in_channels == self.out_channels


@dataclass(frozen=True)
class SearchSpace:
    """A macro-architecture of the SGNAS family at one resolution and width.

    ``layer_channels`` and ``layer_strides`` are the base (width 1.0) values of
    the 19 searchable layers; every channel count is scaled by ``width`` and
    rounded to a multiple of 8.
    """

    name: str
    resolution: int
    num_classes: int
    stem_stride: int
    layer_channels: tuple[int, ...]
    layer_strides: tuple[int, ...]
    width: float = 1.0
    stem_channels_base: int = 32
    fixed_channels_base: int = 16
    head_channels_base: int = 1280
    in_channels: int = 3

    def __post_init__(self) -> None:
        if len(self.layer_channels) != len(self.layer_strides):
            raise ValueError("layer_channels and layer_strides differ in length")
        if self.resolution < MIN_RESOLUTION:
            raise ValueError(f"resolution {self.resolution} is below {MIN_RESOLUTION}")
        if not MIN_WIDTH <= self.width <= MAX_WIDTH:
            raise ValueError(f"width multiplier {self.width} is outside {MIN_WIDTH:g}..{MAX_WIDTH:g}")
        if self.num_classes < 1:
            raise ValueError(f"num_classes {self.num_classes} must be positive")

    def scaled(self, channels: int) -> int:
        """A base channel count at this space's width."""
        return channels if self.width == 1.0 else round_channels(channels * self.width)

    @property
    def num_layers(self) -> int:
        return len(self.layer_channels)

    @property
    def stem_channels(self) -> int:
        return self.scaled(self.stem_channels_base)

    @property
    def fixed_channels(self) -> int:
        return self.scaled(self.fixed_channels_base)

    @property
    def head_channels(self) -> int:
        return self.scaled(self.head_channels_base)

    @property
    def stem_out_size(self) -> int:
        return _out_size(self.resolution, self.stem_stride)

    @cached_property
    def layers(self) -> tuple[LayerSpec, ...]:
        """The searchable layers with resolved channels and feature-map sizes."""
        specs = []
        channels, size = self.fixed_channels, self.stem_out_size
        for index, (base, stride) in enumerate(zip(self.layer_channels, self.layer_strides)):
            out_channels, out_size = self.scaled(base), _out_size(size, stride)
            specs.append(LayerSpec(index, channels, out_channels, stride, size, out_size))
            channels, size = out_channels, out_size
        return tuple(specs)

    @property
    def final_size(self) -> int:
        return self.layers[-1].out_size

    def with_(self, **changes: object) -> SearchSpace:
        """A copy with some fields changed (resolution, width, num_classes, ...)."""
        return replace(self, **changes)

    def describe(self) -> dict[str, object]:
        """A JSON-ready summary that identifies the space (stored in checkpoints)."""
        return {
            "name": self.name,
            "resolution": self.resolution,
            "width": self.width,
            "num_classes": self.num_classes,
            "stem_stride": self.stem_stride,
            "layer_channels": list(self.layer_channels),
            "layer_strides": list(self.layer_strides),
        }


def _out_size(size: int, stride: int) -> int:
    """Output size of a 'same'-padded conv: ceil(size / stride)."""
    return -(-size // stride)


_IMAGENET_CHANNELS = (32, 32, 40, 40, 40, 40, 80, 80, 80, 80, 96, 96, 96, 96, 192, 192, 192, 192, 320)
_IMAGENET_STRIDES = (2, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1)
_CIFAR_STRIDES = (1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1)


@dataclass(frozen=True)
class _Variant:
    """A variant of the SGNAS macro space: its default input, classes, stem stride and layer strides."""

    name: str
    resolution: int
    num_classes: int
    stem_stride: int
    strides: tuple[int, ...] = field(default=_IMAGENET_STRIDES)

    def __call__(self, resolution: int | None = None, width: float = 1.0, num_classes: int | None = None) -> SearchSpace:
        return SearchSpace(
            name=self.name,
            resolution=self.resolution if resolution is None else resolution,
            num_classes=self.num_classes if num_classes is None else num_classes,
            stem_stride=self.stem_stride,
            layer_channels=_IMAGENET_CHANNELS,
            layer_strides=self.strides,
            width=width,
        )


#: the two variants of the official configs, registered in :data:`sgnas.registry.SPACES` by :mod:`sgnas.spaces.unified.entry`
VARIANTS: dict[str, _Variant] = {
    "imagenet": _Variant("imagenet", 224, 1000, 2, _IMAGENET_STRIDES),
    "cifar": _Variant("cifar", 32, 10, 1, _CIFAR_STRIDES),
}


def get_space(
    name: str = "imagenet",
    resolution: int | None = None,
    width: float = 1.0,
    num_classes: int | None = None,
) -> SearchSpace:
    """The registered unified space ``name`` (``imagenet`` or ``cifar``), optionally at another resolution, width
    or class count; a space of another family (``nas-bench-201``) has no unified layers and is refused."""
    unified = SPACES.names(family=UNIFIED)
    if name not in unified:
        other = f"{name!r} is not a unified-block space" if name in SPACES else f"unknown search space {name!r}"
        raise ValueError(f"{other}; choose one of {', '.join(unified)}")
    return SPACES.get(name)(resolution=resolution, width=width, num_classes=num_classes)
