"""The NAS-Bench-201 cost model: the published FLOPs, conventions, additivity, exact expected cost."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from nasbench201_support import cells, real_table_path

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell, all_cells
from sgnas.spaces.nasbench201.cost import CostModel
from sgnas.spaces.nasbench201.macro import MacroSpec, macro_for

INDEX0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
MODEL = CostModel()


@pytest.mark.parametrize(
    ("cell", "macs", "published_m", "digits", "params"),
    [
        (Cell(("none",) * 6), 7_783_050, 7.78, 2, 73_306),
        (Cell(("nor_conv_3x3",) * 6), 220_119_690, 220.12, 2, 1_531_546),
        (Cell.from_string(INDEX0), 15_647_370, 15.647, 3, 129_306),
    ],
)
def test_the_published_cifar10_figures(cell, macs, published_m, digits, params):
    cost = MODEL.cost(cell)
    assert (cost.macs, cost.params) == (macs, params)
    assert round(cost.macs_m, digits) == published_m
    assert cost.convention == "nb201"


def test_index_0_of_the_real_table_is_the_published_15_647m():
    import pandas as pd

    first = pd.read_csv(real_table_path(), nrows=1)["ArchitectureString"][0]
    assert MODEL.macs(Cell.from_string(first)) == 15_647_370


def test_conventions_differ_by_the_classifier_bias_and_weights():
    cell = Cell.from_string(INDEX0)
    assert MODEL.macs(cell) - MODEL.macs(cell, "conv+fc") == 10
    assert MODEL.macs(cell, "conv+fc") - MODEL.macs(cell, "conv") == 64 * 10
    with pytest.raises(SgnasError, match="unknown FLOPs convention"):
        MODEL.macs(cell, "flops")


def test_datasets_change_only_the_classifier_and_resolution():
    cell = Cell(("nor_conv_3x3",) * 6)
    cifar100 = CostModel(macro_for("cifar100"))
    assert cifar100.macs(cell) - MODEL.macs(cell) == 64 * 90 + 90
    imagenet = CostModel(macro_for("imagenet16-120"))
    # A quarter of the pixels everywhere; the classifier on the pooled vector is unchanged by resolution.
    conv_only = MODEL.macs(cell, "conv") / imagenet.macs(cell, "conv")
    assert conv_only == pytest.approx(4.0)
    with pytest.raises(SgnasError, match="unknown NAS-Bench-201 dataset"):
        macro_for("imagenet")


def test_range_is_the_extremes_of_the_space():
    macs, _ = MODEL.table_costs(np.array([cell.op_indices() for cell in all_cells()]))
    assert MODEL.macs_range() == (int(macs.min()), int(macs.max())) == (7_783_050, 220_119_690)


@pytest.mark.invariants
@given(cells())
def test_vectorised_costs_equal_per_cell_costs(cell):
    macs, params = MODEL.table_costs(np.array([cell.op_indices()]))
    assert (int(macs[0]), int(params[0])) == (MODEL.macs(cell), MODEL.params(cell))


@pytest.mark.invariants
def test_expected_cost_of_a_relaxed_cell_is_exact():
    """Sum over all 15,625 cells of P(cell) x cost(cell) equals the table's p-weighted sum."""
    model = CostModel(MacroSpec(channels=8, cells_per_stage=2, num_classes=7))
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(len(OPS)), size=NUM_EDGES)
    codes = np.array(list(itertools.product(range(len(OPS)), repeat=NUM_EDGES)))
    weight = probs[np.arange(NUM_EDGES), codes].prod(axis=1)
    macs, params = model.table_costs(codes)
    assert model.expected_macs(probs) == pytest.approx(float((weight * macs).sum()), rel=1e-12)
    assert model.expected_params(probs) == pytest.approx(float((weight * params).sum()), rel=1e-12)


def test_expected_cost_is_differentiable_and_batched():
    logits = torch.zeros(2, NUM_EDGES, len(OPS), dtype=torch.float64, requires_grad=True)
    expected = MODEL.expected_macs(torch.softmax(logits, dim=-1))
    assert expected.shape == (2,)
    expected.sum().backward()
    assert logits.grad is not None and bool(logits.grad.abs().sum() > 0)
    one_hot = torch.nn.functional.one_hot(torch.tensor(Cell.from_string(INDEX0).op_indices()), len(OPS))
    assert MODEL.expected_macs(one_hot.double()).item() == 15_647_370
    with pytest.raises(SgnasError, match="relaxed cell has shape"):
        MODEL.expected_macs(np.ones((6, 4)))


def test_bad_macro_and_codes_are_errors():
    with pytest.raises(SgnasError, match="multiple of 4"):
        MacroSpec(resolution=30)
    with pytest.raises(SgnasError, match="channels must be positive"):
        MacroSpec(channels=0)
    with pytest.raises(SgnasError, match="shape"):
        MODEL.table_costs(np.zeros((3, 5), dtype=int))
