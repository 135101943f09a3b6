"""NAS-Bench-201 samplers: strict fairness per step, uniform frequencies, exact resume."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell
from sgnas.spaces.nasbench201.samplers import StrictFairSampler, UniformSampler
from sgnas.training.samplers import UniformSampler as UnifiedUniformSampler


@pytest.mark.invariants
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 10))
def test_strict_fairness_trains_every_op_of_every_edge_exactly_once_per_step(seed, steps):
    sampler = StrictFairSampler(seed)
    for _ in range(steps):
        paths = sampler.next_step()
        assert len(paths) == sampler.paths_per_step == len(OPS)
        assert all(isinstance(cell, Cell) for cell in paths)
        codes = np.array([cell.op_indices() for cell in paths])
        for edge in range(NUM_EDGES):
            assert sorted(codes[:, edge]) == list(range(len(OPS)))
    assert sampler.steps == steps


def test_uniform_sampling_frequencies_pass_a_chi_square_test():
    sampler = UniformSampler(11)
    codes = np.array([sampler.next_step()[0].op_indices() for _ in range(5000)])
    assert UniformSampler.paths_per_step == 1
    for edge in range(NUM_EDGES):
        assert chisquare(np.bincount(codes[:, edge], minlength=len(OPS))).pvalue > 1e-3
    # Edges are independent: the 25 op pairs of two edges are uniform too.
    pairs = codes[:, 0] * len(OPS) + codes[:, 5]
    assert chisquare(np.bincount(pairs, minlength=len(OPS) ** 2)).pvalue > 1e-3


@pytest.mark.parametrize("kind", [UniformSampler, StrictFairSampler])
def test_exact_resume(kind):
    straight = kind(3)
    expected = [straight.next_step() for _ in range(7)]
    first = kind(3)
    head = [first.next_step() for _ in range(4)]
    state = json.loads(json.dumps(first.state_dict()))
    resumed = kind(99)
    resumed.load_state_dict(state)
    assert head + [resumed.next_step() for _ in range(3)] == expected
    assert resumed.steps == 7 and resumed.seed == 3


def test_a_foreign_state_is_refused():
    with pytest.raises(SgnasError, match="StrictFairSampler"):
        UniformSampler(0).load_state_dict(StrictFairSampler(0).state_dict())
    with pytest.raises(SgnasError, match="nas-bench-201"):
        UniformSampler(0).load_state_dict(UnifiedUniformSampler(3, 0).state_dict())
