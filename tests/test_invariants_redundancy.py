"""Invariants of the unified space's redundancy and of the supernet that exploits it (``pytest -m invariants``).

Forced sampling rests on these facts: a layer's sub-blocks can be permuted
without changing what the layer is (its multiset of ops, MACs and parameters),
the canonical form picks one arrangement per multiset, and the counts of both
spaces follow from that. The supernet's fast path, its relaxed forward and the
exported model with inherited weights must all compute the official function.
"""

from __future__ import annotations

import copy
from functools import cache

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from supernet_support import TINY_SPACE, max_difference, randomised_supernet

from sgnas.export.inherit import inherit_weights
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.counting import Count, enumerate_space_count, layer_counts
from sgnas.spaces.unified.space import OPS, SUB_BLOCKS, get_space
from sgnas.spaces.unified.supernet import (
    UnifiedBlock,
    UnifiedSupernet,
    reference_forward,
    reference_forward_relaxed,
)
from strategies import architectures, layers

pytestmark = pytest.mark.invariants

COST_MODELS = (CostModel(get_space("imagenet")), CostModel(get_space("cifar")))
IMAGES = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
LABELS = torch.tensor([3, 7])


@cache
def _eval_supernet() -> UnifiedSupernet:
    return randomised_supernet(0).eval()


def _permuted(arch: Architecture, permutations: list[list[int]]) -> Architecture:
    return Architecture(tuple(tuple(ops[i] for i in order) for ops, order in zip(arch.layers, permutations)))


_PERMUTATIONS = st.lists(st.permutations(range(SUB_BLOCKS)), min_size=19, max_size=19)


# --- redundancy of the space -----------------------------------------------------------------
@given(architectures())
def test_canonicalisation_is_idempotent(arch):
    canonical = arch.canonical()
    assert canonical.is_canonical() and canonical.canonical() == canonical


@given(architectures(), _PERMUTATIONS)
def test_canonical_form_ignores_any_permutation_of_sub_blocks(arch, permutations):
    assert _permuted(arch, permutations).canonical() == arch.canonical()


@given(architectures(), _PERMUTATIONS)
def test_permutations_keep_multisets_macs_and_params(arch, permutations):
    for other in (_permuted(arch, permutations), arch.canonical()):
        assert other.multisets() == arch.multisets()
        for model in COST_MODELS:
            assert model.cost(other) == model.cost(arch)


@given(num_layers=st.integers(1, 2), sub_blocks=st.integers(1, 4), data=st.data())
def test_counts_equal_brute_force_on_small_spaces(num_layers, sub_blocks, data):
    min_active = data.draw(st.integers(0, sub_blocks))
    layer = layer_counts(sub_blocks=sub_blocks, min_active=min_active)
    expected = Count(layer.ordered**num_layers, layer.canonical**num_layers)
    assert enumerate_space_count(num_layers, sub_blocks, min_active) == expected


# --- the supernet computes the official function ------------------------------------------------
@given(architectures())
def test_fast_path_equals_reference_in_eval_mode(arch):
    supernet = _eval_supernet()
    reference = copy.copy(supernet)
    reference.fast = False
    params = list(supernet.parameters())
    results = []
    for model in (supernet, reference):
        out = model(IMAGES, arch)
        results.append((out, torch.autograd.grad(F.cross_entropy(out, LABELS), params, allow_unused=True)))
    (out, grads), (ref_out, ref_grads) = results
    assert (out - ref_out).abs().max() <= 1e-5
    pairs = [(g, r) for g, r in zip(grads, ref_grads) if g is not None or r is not None]
    assert all(g is not None and r is not None for g, r in pairs)
    assert max_difference([g for g, _ in pairs], [r for _, r in pairs]) <= 1e-5


@given(index=st.integers(0, TINY_SPACE.num_layers - 1), ops=layers(), seed=st.integers(0, 2**16))
def test_fast_block_equals_reference_in_train_mode_float32(index, ops, seed):
    spec = TINY_SPACE.layers[index]
    torch.manual_seed(seed)
    block = UnifiedBlock(spec)
    twin = copy.deepcopy(block)
    x = torch.randn(3, spec.in_channels, spec.in_size, spec.in_size, requires_grad=True)
    target = torch.randn(3, spec.out_channels, spec.out_size, spec.out_size)
    results = []
    for model, forward in ((block, block.forward), (twin, lambda x, ops: reference_forward(twin, x, ops))):
        out = forward(x, ops)
        params = [x, *model.parameters()]
        grads = torch.autograd.grad((out * target).mean(), params, allow_unused=True)
        results.append(([out], [g if g is not None else torch.zeros_like(p) for g, p in zip(grads, params)]))
    assert max_difference(results[0][0], results[1][0]) <= 1e-5
    assert max_difference(results[0][1], results[1][1]) <= 1e-5
    assert max_difference(list(block.buffers()), list(twin.buffers())) <= 1e-5


@pytest.mark.slow
@given(architectures())
def test_fast_path_equals_reference_in_train_mode_float64(arch):
    """Whole-network train mode in float64: at initialisation, float32 gradients through 19 blocks of
    batch-statistics BN move by ~1e-2 under any change of summation order, even the reference's own."""
    fast = randomised_supernet(1).double().train()
    reference = copy.deepcopy(fast)
    reference.fast = False
    results = []
    for model in (fast, reference):
        out = model(IMAGES.double(), arch)
        grads = torch.autograd.grad(F.cross_entropy(out, LABELS), list(model.parameters()), allow_unused=True)
        results.append(([out], [g if g is not None else torch.zeros_like(p) for g, p in zip(grads, model.parameters())]))
    gradient_scale = max(1.0, max(float(g.abs().max()) for g in results[1][1]))
    assert max_difference(results[0][0], results[1][0]) <= 1e-10
    assert max_difference(results[0][1], results[1][1]) <= 1e-11 * gradient_scale
    assert max_difference(list(fast.buffers()), list(reference.buffers())) <= 1e-10


@given(architectures())
def test_relaxed_forward_of_one_hot_weights_is_the_path(arch):
    supernet = _eval_supernet()
    weights = F.one_hot(torch.tensor(arch.op_indices()), len(OPS)).float()
    with torch.no_grad():
        assert (supernet.forward_relaxed(IMAGES, weights) - supernet(IMAGES, arch)).abs().max() <= 1e-5


@pytest.mark.slow
@given(architectures())
def test_supernet_equals_exported_model_with_inherited_weights(arch):
    supernet = _eval_supernet()
    model = inherit_weights(supernet, arch).eval()
    with torch.no_grad():
        assert (model(IMAGES) - supernet(IMAGES, arch)).abs().max() <= 1e-4


_RELAXED = st.lists(
    st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=len(OPS), max_size=len(OPS)), min_size=SUB_BLOCKS, max_size=SUB_BLOCKS
)


@given(index=st.integers(0, TINY_SPACE.num_layers - 1), raw=_RELAXED, train=st.booleans(), seed=st.integers(0, 2**16))
def test_relaxed_block_equals_the_official_weighted_sum(index, raw, train, seed):
    spec = TINY_SPACE.layers[index]
    torch.manual_seed(seed)
    block = UnifiedBlock(spec).train(train)
    twin = copy.deepcopy(block)
    weights = torch.tensor(raw)
    weights = (weights / weights.sum(-1, keepdim=True).clamp_min(1e-6)).requires_grad_()
    x = torch.randn(3, spec.in_channels, spec.in_size, spec.in_size)
    results = []
    for model, forward in ((block, block.forward_relaxed), (twin, lambda *a: reference_forward_relaxed(twin, *a))):
        out = forward(x, weights, 0.01)
        params = [weights, *model.parameters()]
        grads = torch.autograd.grad(out.square().mean(), params, allow_unused=True)
        results.append(([out], [g if g is not None else torch.zeros_like(p) for g, p in zip(grads, params)]))
    assert max_difference(results[0][0], results[1][0]) <= 1e-5
    assert max_difference(results[0][1], results[1][1]) <= 1e-5
    assert max_difference(list(block.buffers()), list(twin.buffers())) <= 1e-5
