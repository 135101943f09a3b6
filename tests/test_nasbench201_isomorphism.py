"""NAS-Bench-201's isomorphism classes: the cell's label against the table's UniqueString column, and the sampler
that trains one cell per class (the cell space's forced sampling)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from nasbench201_support import cells, real_table_path

from sgnas.spaces.nasbench201.cell import Cell, class_representatives, representative
from sgnas.spaces.nasbench201.samplers import build_cell_sampler


def test_every_cells_label_is_the_tables_unique_string_and_there_are_6466_classes():
    table = pd.read_csv(real_table_path(), usecols=["ArchitectureString", "UniqueString"])
    ours = [Cell.from_string(text).unique_string() for text in table["ArchitectureString"]]
    assert ours == list(table["UniqueString"])
    assert len(class_representatives()) == table["UniqueString"].nunique() == 6466


@settings(max_examples=50, deadline=None)
@given(cells())
def test_a_cells_representative_is_in_its_class_and_represents_itself(cell):
    rep = representative(cell)
    assert rep.unique_string() == cell.unique_string() and representative(rep) == rep


def test_the_unique_sampler_draws_only_representatives_uniformly_over_classes():
    sampler = build_cell_sampler("nb201-unique", seed=0)
    representatives = set(class_representatives())
    draws = [sampler.next_step() for _ in range(3000)]
    assert all(len(step) == 1 and step[0] in representatives for step in draws)
    # uniform over classes: the cells whose output is zero (#+#+#) are one class of 6,466, where they are 225 of
    # 15,625 cells (uniform over cells would draw one about 43 times in 3,000 steps)
    zero = sum(step[0].unique_string() == "#+#+#" for step in draws)
    assert zero <= 5
    state = sampler.state_dict()
    again = build_cell_sampler("nb201-unique", seed=1)
    again.load_state_dict(state)
    assert again.next_step() == sampler.next_step()
    assert np.unique([step[0].unique_string() for step in draws]).size > 2000
