"""NAS-Bench-201 cells: the op and edge order, strict parsing, round trips, random draws."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from nasbench201_support import cells, real_table_path

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import EDGES, NUM_CELLS, OPS, Cell, CellError, all_cells, random_cell

INDEX0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"


def test_ops_and_edges_follow_the_benchmark():
    assert OPS == ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
    assert EDGES == ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
    assert NUM_CELLS == 15_625


def test_the_string_lists_edges_node_by_node():
    cell = Cell.from_string(INDEX0)
    assert cell.ops == ("avg_pool_3x3", "nor_conv_1x1", "skip_connect", "nor_conv_1x1", "skip_connect", "skip_connect")
    assert cell.op_indices() == (4, 2, 1, 2, 1, 1)
    assert Cell.from_indices(cell.op_indices()) == cell
    assert cell.canonical() is cell


@pytest.mark.invariants
@given(cells())
def test_string_and_json_round_trip(cell):
    assert Cell.from_string(cell.to_string()) == cell
    assert Cell.from_json(json.loads(json.dumps(cell.to_json()))) == cell


def test_every_string_of_the_benchmark_round_trips():
    strings = pd.read_csv(real_table_path(), usecols=["ArchitectureString"])["ArchitectureString"]
    parsed = [Cell.from_string(text) for text in strings]
    assert [cell.to_string() for cell in parsed] == list(strings)
    assert len(set(parsed)) == NUM_CELLS


def test_all_cells_enumerates_the_space_once():
    every = list(all_cells())
    assert len(every) == len(set(every)) == NUM_CELLS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("|none~0|+|none~0|none~1|", "2 node group(s)"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|", "4 node group(s)"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 at character 9: 1 edge(s), expected 2"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|none~3|", "node 3 at character 25: 4 edge(s)"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "node 1 at character 0: expected '|op~0|...|'"),
        ("|none~0|+|none~0|none~2|+|none~0|none~1|none~2|", "node 2, edge 1 at character 17: expected 'op~1'"),
        ("|none~0|+|none~0|none1|+|none~0|none~1|none~2|", "node 2, edge 1 at character 17: expected 'op~1'"),
        ("|none~0|+|none~0|conv~1|+|none~0|none~1|none~2|", "node 2, edge 1 at character 17: unknown op 'conv'"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|max_pool_3x3~2|", "node 3, edge 2 at character 40: unknown op"),
        (" |none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "node 1 at character 0"),
        ("", "1 node group(s)"),
    ],
)
def test_malformed_strings_are_one_line_errors_naming_the_position(text, message):
    with pytest.raises(CellError) as info:
        Cell.from_string(text)
    assert isinstance(info.value, SgnasError)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Cell(("none",) * 5), "6 edges, got 5 ops"),
        (lambda: Cell(("none",) * 5 + ("conv",)), "edge 5 (2->3): unknown op 'conv'"),
        (lambda: Cell.from_indices([0, 1, 2, 3, 4, 5]), "op index 5 out of range"),
        (lambda: Cell.from_json({"ops": ["none"] * 6}), "format None"),
        (lambda: Cell.from_json({"format": "sgnas-nb201-cell/1", "ops": "none"}), "list of op names"),
        (lambda: Cell.from_json(["none"] * 6), "an object with"),
        (lambda: Cell.from_string(None), "must be text"),
    ],
)
def test_invalid_cells_are_rejected(make, message):
    with pytest.raises(CellError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_random_cells_are_seeded_and_cover_every_op_on_every_edge():
    first = [random_cell(np.random.default_rng(7)) for _ in range(3)]
    assert len(set(first)) == 1
    rng = np.random.default_rng(0)
    drawn = np.array([random_cell(rng).op_indices() for _ in range(500)])
    for edge in range(len(EDGES)):
        assert set(drawn[:, edge]) == set(range(len(OPS)))
