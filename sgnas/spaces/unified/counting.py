"""Exact sizes of the unified search space with and without forced sampling (SGNAS supp. D).

A layer has six sub-blocks, each ``k3``, ``k5``, ``k7`` or ``skip``, with 2..6 of
them not skipped. Without forced sampling every arrangement is a distinct
architecture (*ordered* count); with it only one arrangement per multiset of ops
can be sampled (*canonical* count):

* ordered:   sum over e = 2..6 of C(6, e) * 3^e   (choose the active positions, then a kernel each) = 4077
* canonical: sum over e = 2..6 of C(e + 2, 2)     (multisets of e kernels out of 3)                = 80

Canonicalisation acts layer by layer, so the whole space is the product over its
layers. Brute-force enumeration (every assignment of ops to sub-blocks, validated
and canonicalised by :mod:`sgnas.spaces.unified.architecture`) checks the formulas.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sgnas.spaces.unified.architecture import Architecture, ArchitectureError, Layer, canonical_layer
from sgnas.spaces.unified.space import KERNEL_OPS, MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS, SearchSpace

__all__ = [
    "Count",
    "SpaceCount",
    "layer_counts",
    "space_counts",
    "enumerate_layer_count",
    "enumerate_layers",
    "enumerate_space_count",
]


class Count(NamedTuple):
    """Configurations of a layer or a space: all arrangements (ordered) and forced-sampling representatives (canonical)."""

    ordered: int
    canonical: int


@dataclass(frozen=True)
class SpaceCount:
    """Configurations of a whole space: per layer and the exact product."""

    per_layer: tuple[Count, ...]

    @property
    def ordered(self) -> int:
        return math.prod(layer.ordered for layer in self.per_layer)

    @property
    def canonical(self) -> int:
        return math.prod(layer.canonical for layer in self.per_layer)

    @property
    def log10_ordered(self) -> float:
        return sum(math.log10(layer.ordered) for layer in self.per_layer)

    @property
    def log10_canonical(self) -> float:
        return sum(math.log10(layer.canonical) for layer in self.per_layer)

    def to_json(self) -> dict[str, Any]:
        return {
            "layers": [{"ordered": c.ordered, "canonical": c.canonical} for c in self.per_layer],
            "ordered": self.ordered,
            "canonical": self.canonical,
            "log10_ordered": self.log10_ordered,
            "log10_canonical": self.log10_canonical,
        }


def layer_counts(
    sub_blocks: int = SUB_BLOCKS, kernels: int = len(KERNEL_OPS), min_active: int = MIN_ACTIVE
) -> Count:
    """Ordered and canonical configurations of one layer, by formula."""
    actives = range(min_active, sub_blocks + 1)
    ordered = sum(math.comb(sub_blocks, e) * kernels**e for e in actives)
    canonical = sum(math.comb(e + kernels - 1, kernels - 1) for e in actives)
    return Count(ordered, canonical)


def space_counts(space: SearchSpace) -> SpaceCount:
    """Counts of every searchable layer of ``space`` and of the whole space, by formula."""
    return SpaceCount(tuple(layer_counts() for _ in space.layers))


# --- brute force ---------------------------------------------------------------------------
def enumerate_layers(sub_blocks: int = SUB_BLOCKS, min_active: int = MIN_ACTIVE) -> Iterator[Layer]:
    """Every valid ordered layer: all 4^sub_blocks assignments with at least ``min_active`` kernels.

    For the real space (the defaults) validity is decided by :class:`Architecture`
    itself, so the enumeration checks the project's rule, not a copy of it.
    """
    real = (sub_blocks, min_active) == (SUB_BLOCKS, MIN_ACTIVE)
    for ops in itertools.product(OPS, repeat=sub_blocks):
        if real:
            try:
                Architecture((ops,))
            except ArchitectureError:
                continue
        elif sum(op != SKIP for op in ops) < min_active:
            continue
        yield ops


def enumerate_layer_count(sub_blocks: int = SUB_BLOCKS, min_active: int = MIN_ACTIVE) -> Count:
    """Ordered and canonical configurations of one layer, by enumeration and canonicalisation."""
    layers = list(enumerate_layers(sub_blocks, min_active))
    return Count(len(layers), len({canonical_layer(ops) for ops in layers}))


def enumerate_space_count(num_layers: int, sub_blocks: int = SUB_BLOCKS, min_active: int = MIN_ACTIVE) -> Count:
    """Ordered and canonical configurations of a whole (small) space, canonicalising every architecture.

    Exponential in ``num_layers``: meant for 1-2 layers, or more with fewer sub-blocks.
    """
    layers = list(enumerate_layers(sub_blocks, min_active))
    ordered, canonical = 0, set()
    for arch in itertools.product(layers, repeat=num_layers):
        ordered += 1
        canonical.add(tuple(canonical_layer(ops) for ops in arch))
    return Count(ordered, len(canonical))
