"""Architectures of the unified search space as plain data, with forced sampling's canonical form.

An :class:`Architecture` holds, for each searchable layer, the op of each of its
six sub-blocks (``k3``, ``k5``, ``k7`` or ``skip``). A layer is valid when 2 to 6
of its sub-blocks are not ``skip``, in any positions.

Forced sampling (SGNAS supp. D): concatenating the sub-blocks and projecting with
one 1x1 conv equals summing per-sub-block projections, so permuting a layer's
sub-blocks yields the same kind of network. The canonical representative of a
layer is its ops sorted in :data:`~sgnas.spaces.unified.space.OPS` order (k3 < k5 < k7 < skip):
kernels ascending, skips last. That is the rule of the authors' later library;
the official SGNAS code has no such rule (its generator emits unsorted kernels
and skips between them: register D6), which is the ``official`` setup.

Two text forms round-trip exactly:

* the compact string: one 6-character group per layer, ``3``/``5``/``7`` for a
  kernel and ``x`` for skip, groups joined by ``-`` (``573733-7333xx-...``);
* JSON: ``{"format": "sgnas-arch/1", "layers": [["k5", "k7", ...], ...]}``.

The per-layer published form of reference files (``{expansion, out_channels,
kernels, stride}``) is read too, checked against a :class:`~sgnas.spaces.unified.space.SearchSpace`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import MissingJson, NotJson, UnreadableJson, read_json
from sgnas.spaces.unified.space import KERNEL_OPS, KERNEL_SIZE, MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS, SearchSpace

__all__ = [
    "Architecture", "ArchitectureError", "JSON_FORMAT", "canonical_layer", "is_architecture_string",
    "load_architecture", "random_architecture",
]

JSON_FORMAT = "sgnas-arch/1"
_CHAR_OF = {"k3": "3", "k5": "5", "k7": "7", SKIP: "x"}
_OP_OF_CHAR = {c: op for op, c in _CHAR_OF.items()}
_OP_OF_KERNEL = {size: op for op, size in KERNEL_SIZE.items()}
_ORDER = {op: i for i, op in enumerate(OPS)}


class ArchitectureError(SgnasError, ValueError):
    """A malformed architecture; the message names the problem and, where there is one, the layer."""


Layer = tuple[str, ...]


def canonical_layer(ops: Iterable[str]) -> Layer:
    """The forced-sampling representative of a layer: ops in OPS order (kernels ascending, skips last)."""
    return tuple(sorted(ops, key=_ORDER.__getitem__))


def _check_layer(index: int, ops: Sequence[str]) -> Layer:
    if len(ops) != SUB_BLOCKS:
        raise ArchitectureError(f"layer {index}: {len(ops)} sub-blocks, expected exactly {SUB_BLOCKS}")
    for op in ops:
        if op not in _ORDER:
            raise ArchitectureError(f"layer {index}: unknown op {op!r}; expected one of {', '.join(OPS)}")
    active = sum(op != SKIP for op in ops)
    if not MIN_ACTIVE <= active <= SUB_BLOCKS:
        raise ArchitectureError(
            f"layer {index}: {active} non-skip sub-block(s), expected {MIN_ACTIVE} to {SUB_BLOCKS}"
        )
    return tuple(ops)


@dataclass(frozen=True)
class Architecture:
    """The ops of every sub-block of every searchable layer (validated on creation)."""

    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise ArchitectureError("architecture has no layers")
        checked = tuple(_check_layer(i, tuple(ops)) for i, ops in enumerate(self.layers))
        object.__setattr__(self, "layers", checked)

    # --- views -----------------------------------------------------------------
    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def expansion(self, layer: int) -> int:
        """Number of non-skip sub-blocks of a layer (its expansion rate E)."""
        return sum(op != SKIP for op in self.layers[layer])

    @property
    def expansions(self) -> tuple[int, ...]:
        return tuple(self.expansion(i) for i in range(self.num_layers))

    def kernels(self, layer: int) -> tuple[int, ...]:
        """Kernel sizes of a layer's active sub-blocks, in sub-block order."""
        return tuple(KERNEL_SIZE[op] for op in self.layers[layer] if op != SKIP)

    def active(self, layer: int) -> tuple[int, ...]:
        """Positions of a layer's non-skip sub-blocks."""
        return tuple(i for i, op in enumerate(self.layers[layer]) if op != SKIP)

    def op_indices(self) -> list[list[int]]:
        """Per layer, per sub-block index into OPS (the generator's and samplers' encoding)."""
        return [[_ORDER[op] for op in ops] for ops in self.layers]

    def multisets(self) -> tuple[tuple[tuple[str, int], ...], ...]:
        """Per layer, the multiset of ops: what forced sampling keeps and permutations cannot change."""
        return tuple(tuple(sorted(Counter(ops).items())) for ops in self.layers)

    # --- forced sampling ----------------------------------------------------------
    def canonical(self) -> Architecture:
        """The forced-sampling representative: every layer in canonical order."""
        return Architecture(tuple(canonical_layer(ops) for ops in self.layers))

    def is_canonical(self) -> bool:
        return all(tuple(ops) == canonical_layer(ops) for ops in self.layers)

    # --- text forms ---------------------------------------------------------------
    def to_string(self) -> str:
        return "-".join("".join(_CHAR_OF[op] for op in ops) for ops in self.layers)

    def __str__(self) -> str:
        return self.to_string()

    @classmethod
    def from_string(cls, text: str) -> Architecture:
        groups = text.strip().split("-")
        layers = []
        for index, group in enumerate(groups):
            try:
                layers.append(tuple(_OP_OF_CHAR[c] for c in group))
            except KeyError as err:
                raise ArchitectureError(
                    f"layer {index}: unknown op character {err.args[0]!r} in {group!r}; use 3, 5, 7 or x"
                ) from None
        return cls(tuple(layers))

    def to_json(self) -> dict[str, Any]:
        return {"format": JSON_FORMAT, "layers": [list(ops) for ops in self.layers]}

    @classmethod
    def from_json(cls, data: Any, space: SearchSpace | None = None) -> Architecture:
        """From the project's JSON form or the per-layer published form (checked against ``space``)."""
        if isinstance(data, dict) and "layers" in data:
            layers = data["layers"]
        elif isinstance(data, list):
            layers = data
        else:
            raise ArchitectureError("JSON architecture must be a list of layers or an object with 'layers'")
        if not isinstance(layers, list) or not layers:
            raise ArchitectureError("JSON architecture has no layers")
        if all(isinstance(layer, list) for layer in layers):
            for index, layer in enumerate(layers):
                if not all(isinstance(op, str) for op in layer):
                    raise ArchitectureError(f"layer {index}: ops must be strings like 'k3' or 'skip'")
            arch = cls(tuple(tuple(layer) for layer in layers))
        elif all(isinstance(layer, dict) for layer in layers):
            arch = cls(tuple(_published_layer(i, layer, space) for i, layer in enumerate(layers)))
        else:
            raise ArchitectureError("JSON layers must all be op lists or all be {expansion, kernels, ...} objects")
        if space is not None:
            arch.check_space(space)
        return arch

    def to_published(self, space: SearchSpace) -> list[dict[str, Any]]:
        """The per-layer form of reference files (expansion, out_channels, kernels, stride)."""
        self.check_space(space)
        return [
            {
                "expansion": self.expansion(i),
                "out_channels": spec.out_channels,
                "kernels": list(self.kernels(i)),
                "stride": spec.stride,
            }
            for i, spec in enumerate(space.layers)
        ]

    def check_space(self, space: SearchSpace) -> None:
        """Raise unless this architecture has one entry per searchable layer of ``space``."""
        if self.num_layers != space.num_layers:
            raise ArchitectureError(
                f"architecture has {self.num_layers} layers, the {space.name} space has {space.num_layers}"
            )


def _whole(value: Any) -> int:
    """``value`` as an int where it is one (``6`` or ``6.0``); 2.5, true, "6" and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{value!r} is not a number")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def _published_layer(index: int, layer: dict[str, Any], space: SearchSpace | None) -> Layer:
    """Sub-block ops of one ``{expansion, out_channels, kernels, stride}`` entry."""
    try:
        expansion = _whole(layer["expansion"])
        kernels = [_whole(k) for k in layer["kernels"]]
    except (KeyError, TypeError, ValueError) as err:
        raise ArchitectureError(f"layer {index}: needs integer 'expansion' and a 'kernels' list ({err})") from None
    if not MIN_ACTIVE <= expansion <= SUB_BLOCKS:
        raise ArchitectureError(f"layer {index}: expansion {expansion}, expected {MIN_ACTIVE} to {SUB_BLOCKS}")
    if len(kernels) == 1:
        kernels = kernels * expansion
    if len(kernels) != expansion:
        raise ArchitectureError(f"layer {index}: {len(kernels)} kernels for expansion {expansion}")
    unknown = [k for k in kernels if k not in _OP_OF_KERNEL]
    if unknown:
        raise ArchitectureError(f"layer {index}: unsupported kernel size {unknown[0]}; expected 3, 5 or 7")
    if space is not None and index < space.num_layers:
        spec = space.layers[index]
        for key, expected in (("out_channels", spec.out_channels), ("stride", spec.stride)):
            if key in layer and layer[key] != expected:
                raise ArchitectureError(
                    f"layer {index}: {key} {layer[key]} does not match the {space.name} space ({expected})"
                )
    return tuple(_OP_OF_KERNEL[k] for k in kernels) + (SKIP,) * (SUB_BLOCKS - expansion)


def load_architecture(source: str | Path, space: SearchSpace | None = None) -> Architecture:
    """An architecture from its compact string or from a JSON file in either JSON form.

    Text that names an existing path or contains ``/`` or ``.`` is read as a JSON file;
    anything else is parsed as the compact string.
    """
    text = str(source)
    path = Path(text)
    looks_like_path = "/" in text or "." in text or (len(text) < 4096 and path.exists())
    if looks_like_path:
        try:
            data = read_json(path)
        except MissingJson:
            raise ArchitectureError(f"architecture file {text} does not exist") from None
        except UnreadableJson as err:
            raise ArchitectureError(f"architecture file {text} cannot be read: it is {err}") from None
        except NotJson as err:
            raise ArchitectureError(f"architecture file {text} is {err}") from None
        arch = Architecture.from_json(data, space)
    else:
        arch = Architecture.from_string(text)
    if space is not None:
        arch.check_space(space)
    return arch


def is_architecture_string(value: Any) -> bool:
    """Whether ``value`` is a string that :meth:`Architecture.from_string` reads (of any space's depth)."""
    if not isinstance(value, str):
        return False
    try:
        Architecture.from_string(value)
    except ArchitectureError:
        return False
    return True


def random_architecture(
    num_layers: int, rng: np.random.Generator, forced_sampling: bool, density: float | None = None
) -> Architecture:
    """A random valid architecture of the space, canonical when ``forced_sampling``: the space's one drawer.

    ``density`` None draws expansion rates (2..6) and kernels uniformly; a
    density q in [0, 1] draws them binomially with success probability q, from
    all-smallest (q = 0) to all-largest (q = 1), so that a sweep of q covers
    the whole MACs range, whose ends uniform draws almost never reach.
    """
    layers = []
    extra, kernels = SUB_BLOCKS - MIN_ACTIVE, len(KERNEL_OPS)
    for _ in range(num_layers):
        if density is None:
            active = int(rng.integers(MIN_ACTIVE, SUB_BLOCKS + 1))
            choice = rng.integers(0, kernels, active)
        else:
            active = MIN_ACTIVE + int(rng.binomial(extra, density))
            choice = rng.binomial(kernels - 1, density, active)
        ops = [KERNEL_OPS[k] for k in choice] + [SKIP] * (SUB_BLOCKS - active)
        layers.append(tuple(ops) if forced_sampling else tuple(ops[i] for i in rng.permutation(SUB_BLOCKS)))
    arch = Architecture(tuple(layers))
    return arch.canonical() if forced_sampling else arch
