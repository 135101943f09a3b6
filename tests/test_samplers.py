"""Path samplers: strict fairness as stated in StrictFairSampler's docstring, uniform sampling, the official
SGNAS sampler's defining properties, exact resume."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.space import KERNEL_OPS, SKIP, SUB_BLOCKS
from sgnas.training.samplers import EXPANSIONS, OfficialSampler, StrictFairSampler, UniformSampler

LAYERS = 3


def _steps(sampler, count):
    return [sampler.next_step() for _ in range(count)]


def _window_spread(counts: np.ndarray) -> int:
    """Largest spread (max - min over the last axis) of counts summed over any window of consecutive steps.

    ``counts[step, ..., kernel]``; prefix sums make every window [a, b) one subtraction.
    """
    prefix = np.concatenate([np.zeros_like(counts[:1]), np.cumsum(counts, axis=0)])
    spread = 0
    for a in range(len(counts)):
        window = prefix[a + 1:] - prefix[a]
        spread = max(spread, int((window.max(axis=-1) - window.min(axis=-1)).max()))
    return spread


def _kernel_counts(steps, per_sub_block: bool) -> np.ndarray:
    """counts[step, layer, (sub-block,) kernel] of trained kernels."""
    shape = (len(steps), LAYERS, SUB_BLOCKS, len(KERNEL_OPS)) if per_sub_block else (len(steps), LAYERS, len(KERNEL_OPS))
    counts = np.zeros(shape, dtype=np.int64)
    for s, paths in enumerate(steps):
        for arch in paths:
            for layer, ops in enumerate(arch.layers):
                for j, op in enumerate(ops):
                    if op != SKIP:
                        index = (s, layer, j, KERNEL_OPS.index(op)) if per_sub_block else (s, layer, KERNEL_OPS.index(op))
                        counts[index] += 1
    return counts


@pytest.mark.invariants
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 12))
def test_strict_fairness_without_forced_sampling(seed, steps):
    sampler = StrictFairSampler(LAYERS, seed, forced_sampling=False)
    history = _steps(sampler, steps)
    for paths in history:
        assert len(paths) == sampler.paths_per_step == 5
        for layer in range(LAYERS):
            assert sorted(arch.expansion(layer) for arch in paths) == list(EXPANSIONS)
            active = Counter(j for arch in paths for j in arch.active(layer))
            assert sorted(active[j] for j in range(SUB_BLOCKS)) == [3, 3, 3, 3, 4, 4]
    counts = _kernel_counts(history, per_sub_block=True)
    assert _window_spread(counts) <= 1
    assert counts.min() >= 1  # every kernel of every sub-block is trained in every step


@pytest.mark.invariants
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 12))
def test_strict_fairness_with_forced_sampling(seed, steps):
    history = _steps(StrictFairSampler(LAYERS, seed, forced_sampling=True), steps)
    unforced = _steps(StrictFairSampler(LAYERS, seed, forced_sampling=False), steps)
    for paths, ordered in zip(history, unforced):
        assert paths == [arch.canonical() for arch in ordered]
        for layer in range(LAYERS):
            assert sorted(arch.expansion(layer) for arch in paths) == list(EXPANSIONS)
    counts = _kernel_counts(history, per_sub_block=False)
    assert _window_spread(counts) <= SUB_BLOCKS
    assert counts.min() >= SUB_BLOCKS


@pytest.mark.invariants
@given(seed=st.integers(0, 2**32 - 1),
       sampler_class=st.sampled_from([StrictFairSampler, UniformSampler, OfficialSampler]))
def test_forced_sampling_draws_only_canonical_paths(seed, sampler_class):
    sampler = sampler_class(LAYERS, seed, forced_sampling=True)
    assert all(arch.is_canonical() for paths in _steps(sampler, 4) for arch in paths)


@pytest.mark.invariants
@pytest.mark.parametrize("sampler_class", [StrictFairSampler, UniformSampler, OfficialSampler])
def test_without_forced_sampling_other_arrangements_occur(sampler_class):
    sampler = sampler_class(LAYERS, 0, forced_sampling=False)
    assert any(not arch.is_canonical() for paths in _steps(sampler, 4) for arch in paths)


@pytest.mark.parametrize("sampler_class", [StrictFairSampler, UniformSampler, OfficialSampler])
@pytest.mark.parametrize("forced", [True, False])
def test_resume_from_state_is_exact(sampler_class, forced):
    sampler = sampler_class(LAYERS, 11, forced_sampling=forced)
    _steps(sampler, 3)
    state = json.loads(json.dumps(sampler.state_dict()))
    expected = _steps(sampler, 5)
    resumed = sampler_class(LAYERS, 99, forced_sampling=forced)
    resumed.load_state_dict(state)
    assert _steps(resumed, 5) == expected
    assert resumed.steps == sampler.steps == 8


def test_same_seed_same_paths_and_different_seeds_differ():
    assert _steps(StrictFairSampler(LAYERS, 1), 3) == _steps(StrictFairSampler(LAYERS, 1), 3)
    assert _steps(UniformSampler(LAYERS, 1), 3) != _steps(UniformSampler(LAYERS, 2), 3)


def test_state_of_another_sampler_is_refused():
    state = UniformSampler(LAYERS, 0).state_dict()
    with pytest.raises(SgnasError, match="sampler state"):
        StrictFairSampler(LAYERS, 0).load_state_dict(state)
    with pytest.raises(SgnasError, match="sampler state"):
        UniformSampler(LAYERS, 0, forced_sampling=False).load_state_dict(state)
    with pytest.raises(SgnasError, match="at least one layer"):
        UniformSampler(0, 0)


def test_uniform_sampler_covers_expansions_evenly():
    sampler = UniformSampler(19, 4, forced_sampling=False)
    paths = [arch for paths in _steps(sampler, 60) for arch in paths]
    assert sampler.paths_per_step == 1 and len(paths) == 60
    counts = Counter(e for arch in paths for e in arch.expansions)
    assert set(counts) == set(EXPANSIONS)
    assert max(counts.values()) < 1.5 * min(counts.values())  # 1140 draws, 228 expected each


def _kernel_walks(paths, layer: int) -> list[list[str]]:
    """Per sub-block, the kernels it takes over the passes of one batch in which it is active."""
    return [[arch.layers[layer][j] for arch in paths if arch.layers[layer][j] != SKIP] for j in range(SUB_BLOCKS)]


@pytest.mark.invariants
@given(seed=st.integers(0, 2**32 - 1))
def test_official_sampler_four_passes_with_four_distinct_rates_per_layer(seed):
    sampler = OfficialSampler(LAYERS, seed, forced_sampling=False)
    for paths in _steps(sampler, 6):
        assert len(paths) == sampler.paths_per_step == 4
        for layer in range(LAYERS):
            rates = [arch.expansion(layer) for arch in paths]
            assert len(set(rates)) == 4 and set(rates) <= set(EXPANSIONS)
            for walk in _kernel_walks(paths, layer):
                # the walk starts at the second entry of a fresh shuffle: two distinct kernels, then a new list
                assert len(walk) < 2 or walk[0] != walk[1]
                assert len(walk) < 4 or walk[2] != walk[3]


def test_official_sampler_lets_sub_block_0_skip_and_draws_positions_at_random():
    paths = [arch for step in _steps(OfficialSampler(19, 3, forced_sampling=False), 40) for arch in step]
    first = Counter(arch.layers[layer][0] == SKIP for arch in paths for layer in range(19))
    assert first[True] > 0.1 * sum(first.values()), "sub-block 0 skips in a good share of the layers"
    active = Counter(j for arch in paths for layer in range(19) for j in arch.active(layer))
    assert max(active.values()) < 1.2 * min(active.values()), "every position is active about as often"


def test_official_sampler_kernel_lists_cycle_per_sub_block():
    """Over many batches the first two uses of a sub-block are every ordered pair of distinct kernels, and a
    third use starts a fresh list (it may repeat either of the first two)."""
    pairs, repeats = Counter(), 0
    for paths in _steps(OfficialSampler(LAYERS, 5, forced_sampling=False), 300):
        for layer in range(LAYERS):
            for walk in _kernel_walks(paths, layer):
                if len(walk) >= 2:
                    pairs[tuple(walk[:2])] += 1
                if len(walk) >= 3:
                    repeats += walk[2] in walk[:2]
    assert set(pairs) == {(a, b) for a in KERNEL_OPS for b in KERNEL_OPS if a != b}
    assert max(pairs.values()) < 1.3 * min(pairs.values())
    assert repeats > 0, "the third use comes from a new shuffle, not the rest of the first list"


def test_official_sampler_with_forced_sampling_canonicalises_the_same_draw():
    forced = _steps(OfficialSampler(LAYERS, 8, forced_sampling=True), 5)
    free = _steps(OfficialSampler(LAYERS, 8, forced_sampling=False), 5)
    assert forced == [[arch.canonical() for arch in paths] for paths in free]
