"""The NAS-Bench-201 cell (Dong & Yang, ICLR 2020; NATS-Bench topology space, Dong et al., TPAMI 2021).

A cell is a DAG of four nodes: node 0 is the cell's input, node ``j`` sums one
op applied to each earlier node ``i < j``, node 3 is the output. Its six edges
each carry one of five ops, so the space holds 5^6 = 15,625 cells. The standard
text form lists, for each of nodes 1, 2, 3, the ops of its incoming edges with
their source node::

    |op~0|+|op~0|op~1|+|op~0|op~1|op~2|

Every cell is its own representative (:meth:`Cell.canonical` returns it): the
benchmark trains all 15,625 separately, although some compute the same function
(its ``UniqueString`` column groups them into 6,466 classes,
:meth:`Cell.unique_string`), so no cell stands for another by default. A
supernet trained on one cell per class (``nb201-unique``, NAS-Bench-201's own
analogue of forced sampling) is evaluated on each cell's class
:func:`representative`.

The benchmark's row order is not an enumeration of the ops (row 0 is
``|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|``),
so a cell's benchmark index comes from the table:
:meth:`~sgnas.spaces.nasbench201.benchmark.Benchmark.index_of`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from sgnas._infra.errors import SgnasError

__all__ = [
    "CONV_KERNEL",
    "Cell",
    "CellError",
    "EDGES",
    "JSON_FORMAT",
    "NONE",
    "NUM_CELLS",
    "NUM_EDGES",
    "NUM_NODES",
    "OPS",
    "all_cells",
    "class_representatives",
    "random_cell",
    "representative",
]

#: The five ops in the benchmark's order (``NAS_BENCH_201`` of its library): the index of an op everywhere.
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
NONE = "none"
#: Kernel size of the two ReLU-Conv-BN ops.
CONV_KERNEL: dict[str, int] = {"nor_conv_1x1": 1, "nor_conv_3x3": 3}
NUM_NODES = 4
#: The (from, to) node pairs of the six edges, in the order of the text form (and of the benchmark's edge keys).
EDGES: tuple[tuple[int, int], ...] = tuple((i, j) for j in range(1, NUM_NODES) for i in range(j))
NUM_EDGES = len(EDGES)
NUM_CELLS = len(OPS) ** NUM_EDGES
JSON_FORMAT = "sgnas-nb201-cell/1"
_INDEX = {op: i for i, op in enumerate(OPS)}


class CellError(SgnasError, ValueError):
    """A malformed cell; the message names the problem and where it is."""


def _check_ops(ops: tuple[str, ...]) -> None:
    if len(ops) != NUM_EDGES:
        raise CellError(f"a NAS-Bench-201 cell has {NUM_EDGES} edges, got {len(ops)} ops")
    for edge, op in enumerate(ops):
        if op not in _INDEX:
            source, target = EDGES[edge]
            raise CellError(
                f"edge {edge} ({source}->{target}): unknown op {op!r}; expected one of {', '.join(OPS)}"
            )


@dataclass(frozen=True)
class Cell:
    """The op of each of the six edges, in :data:`EDGES` order (validated on creation)."""

    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        ops = tuple(self.ops)
        _check_ops(ops)
        object.__setattr__(self, "ops", ops)

    @classmethod
    def from_indices(cls, indices: Any) -> Cell:
        """The cell whose edge ``e`` carries ``OPS[indices[e]]``."""
        values = [int(i) for i in indices]
        if len(values) != NUM_EDGES:
            raise CellError(f"a NAS-Bench-201 cell has {NUM_EDGES} edges, got {len(values)} op indices")
        bad = [i for i in values if not 0 <= i < len(OPS)]
        if bad:
            raise CellError(f"op index {bad[0]} out of range 0..{len(OPS) - 1}")
        return cls(tuple(OPS[i] for i in values))

    def op_indices(self) -> tuple[int, ...]:
        """Per edge, the index of its op in :data:`OPS` (the samplers' and cost tables' encoding)."""
        return tuple(_INDEX[op] for op in self.ops)

    def unique_string(self) -> str:
        """The benchmark's label of the function the cell computes (its ``UniqueString`` column): each node is the
        sorted sum of its inputs, an op applied to a node written ``(node)@op``, a skip passing its input on and
        ``none`` (or an input that is itself zero) giving ``#``; isomorphic cells share the label."""
        nodes = ["0"]
        for target in range(1, NUM_NODES):
            terms = []
            for edge, (source, to) in enumerate(EDGES):
                if to != target:
                    continue
                op, value = self.ops[edge], nodes[source]
                if op == NONE or value == "#":
                    terms.append("#")
                elif op == "skip_connect":
                    terms.append(value)
                else:
                    terms.append(f"({value})@{op}")
            nodes.append("+".join(sorted(terms)))
        return nodes[-1]

    def canonical(self) -> Cell:
        """The cell itself: every cell of the benchmark is a distinct architecture."""
        return self


    # --- text forms ---------------------------------------------------------------------------
    def to_string(self) -> str:
        nodes = []
        for target in range(1, NUM_NODES):
            edges = [f"{op}~{source}" for (source, node), op in zip(EDGES, self.ops) if node == target]
            nodes.append("|" + "|".join(edges) + "|")
        return "+".join(nodes)

    def __str__(self) -> str:
        return self.to_string()

    @classmethod
    def from_string(cls, text: str) -> Cell:
        """Strict parse of the standard form; errors name the node, the edge and the character position."""
        if not isinstance(text, str):
            raise CellError(f"a cell string must be text, got {type(text).__name__}")
        groups = text.split("+")
        if len(groups) != NUM_NODES - 1:
            raise CellError(
                f"cell string {text!r}: {len(groups)} node group(s) separated by '+', expected {NUM_NODES - 1}"
            )
        ops: list[str] = []
        position = 0
        for target, group in enumerate(groups, start=1):
            if len(group) < 2 or not group.startswith("|") or not group.endswith("|"):
                raise CellError(
                    f"cell string {text!r}: node {target} at character {position}: expected '|op~0|...|', got {group!r}"
                )
            tokens = group[1:-1].split("|")
            if len(tokens) != target:
                raise CellError(
                    f"cell string {text!r}: node {target} at character {position}: "
                    f"{len(tokens)} edge(s), expected {target} (one from each of nodes 0..{target - 1})"
                )
            offset = position + 1
            for source, token in enumerate(tokens):
                op, sep, node = token.partition("~")
                if not sep or node != str(source):
                    raise CellError(
                        f"cell string {text!r}: node {target}, edge {source} at character {offset}: "
                        f"expected 'op~{source}', got {token!r}"
                    )
                if op not in _INDEX:
                    raise CellError(
                        f"cell string {text!r}: node {target}, edge {source} at character {offset}: "
                        f"unknown op {op!r}; expected one of {', '.join(OPS)}"
                    )
                ops.append(op)
                offset += len(token) + 1
            position += len(group) + 1
        # The text lists edges node by node, which is EDGES order.
        return cls(tuple(ops))

    def to_json(self) -> dict[str, Any]:
        return {"format": JSON_FORMAT, "ops": list(self.ops)}

    @classmethod
    def from_json(cls, data: Any) -> Cell:
        if not isinstance(data, dict) or "ops" not in data:
            raise CellError(f"a JSON cell is an object with 'format' {JSON_FORMAT!r} and 'ops'")
        if data.get("format") != JSON_FORMAT:
            raise CellError(f"JSON cell has format {data.get('format')!r}, expected {JSON_FORMAT!r}")
        ops = data["ops"]
        if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
            raise CellError("JSON cell 'ops' must be a list of op names")
        return cls(tuple(ops))


def all_cells() -> Iterator[Cell]:
    """Every cell of the space once, edge 5 varying fastest (not the benchmark's row order)."""
    for ops in itertools.product(OPS, repeat=NUM_EDGES):
        yield Cell(ops)


@lru_cache(maxsize=1)
def class_representatives() -> tuple[Cell, ...]:
    """One cell per isomorphism class (:meth:`Cell.unique_string`), the first of each class in :func:`all_cells`
    order: 6,466 classes, as the benchmark's ``UniqueString`` column has."""
    first: dict[str, Cell] = {}
    for cell in all_cells():
        first.setdefault(cell.unique_string(), cell)
    return tuple(first.values())


@lru_cache(maxsize=1)
def _representative_of() -> dict[str, Cell]:
    return {cell.unique_string(): cell for cell in class_representatives()}


def representative(cell: Cell) -> Cell:
    """The representative of ``cell``'s isomorphism class (:func:`class_representatives`)."""
    return _representative_of()[cell.unique_string()]


def random_cell(rng: np.random.Generator) -> Cell:
    """A cell drawn uniformly from the 15,625, each edge's op independently uniform."""
    return Cell.from_indices(rng.integers(0, len(OPS), size=NUM_EDGES))
