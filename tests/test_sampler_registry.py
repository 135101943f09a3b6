"""The supernet-training samplers by registry name: SPOS trains every choice equally often, FairNAS exactly fairly."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.stats import chisquare

from baselines.proxyless import ProxylessSampler
from sgnas.errors import SgnasError
from sgnas.registry import SAMPLERS, UNIFIED
from sgnas.samplers import StrictFairSampler, UniformSampler, build_sampler
from sgnas.space import KERNEL_OPS, MIN_ACTIVE, SKIP, SUB_BLOCKS

LAYERS = 4


def test_names_map_to_the_library_samplers_and_the_gates():
    assert isinstance(build_sampler("strict-fair", LAYERS, 0), StrictFairSampler)
    assert isinstance(build_sampler("uniform", LAYERS, 0), UniformSampler)
    proxyless = SAMPLERS.get("proxyless")(LAYERS, 0, forced_sampling=False, update_every=3)
    assert isinstance(proxyless, ProxylessSampler) and proxyless.update_every == 3
    assert SAMPLERS.get("strict-fair") is StrictFairSampler
    assert SAMPLERS.get("proxyless") is ProxylessSampler
    with pytest.raises(SgnasError, match="unknown sampler"):
        build_sampler("darts", LAYERS, 0)


def test_spos_trains_every_choice_equally_often():
    sampler = build_sampler("uniform", LAYERS, seed=1, forced_sampling=False)
    expansions, kernels, positions = Counter(), Counter(), Counter()
    steps = 1500
    for _ in range(steps):
        (arch,) = sampler.next_step()
        for layer, ops in enumerate(arch.layers):
            expansions[arch.expansion(layer)] += 1
            kernels.update(op for op in ops if op != SKIP)
            positions.update(arch.active(layer))
    assert sum(expansions.values()) == steps * LAYERS
    assert chisquare([expansions[e] for e in range(MIN_ACTIVE, SUB_BLOCKS + 1)]).pvalue > 1e-3
    assert chisquare([kernels[k] for k in KERNEL_OPS]).pvalue > 1e-3
    assert chisquare([positions[j] for j in range(SUB_BLOCKS)]).pvalue > 1e-3


def test_fairnas_trains_every_expansion_once_per_step_and_every_kernel_within_one():
    sampler = build_sampler("strict-fair", LAYERS, seed=2, forced_sampling=False)
    uses = np.zeros((LAYERS, SUB_BLOCKS, len(KERNEL_OPS)), dtype=int)
    for _ in range(7):
        paths = sampler.next_step()
        for layer in range(LAYERS):
            assert sorted(arch.expansion(layer) for arch in paths) == list(range(MIN_ACTIVE, SUB_BLOCKS + 1))
        for arch in paths:
            for layer, ops in enumerate(arch.layers):
                for j, op in enumerate(ops):
                    if op != SKIP:
                        uses[layer, j, KERNEL_OPS.index(op)] += 1
        assert (uses.max(-1) - uses.min(-1) <= 1).all()


@pytest.mark.parametrize("name", sorted(SAMPLERS.names(family=UNIFIED)))
def test_every_sampler_honours_forced_sampling_and_resumes_exactly(name):
    sampler = build_sampler(name, LAYERS, seed=3, forced_sampling=True)
    for _ in range(3):
        assert all(arch.is_canonical() for arch in sampler.next_step())
    state = sampler.state_dict()
    ahead = [sampler.next_step() for _ in range(3)]
    resumed = build_sampler(name, LAYERS, seed=99, forced_sampling=True)
    resumed.load_state_dict(state)
    assert [resumed.next_step() for _ in range(3)] == ahead
