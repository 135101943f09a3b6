"""The paper and official setups: one switch, and each step of the method following it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from replication.ablation import build_variants
from sgnas._infra.errors import SgnasError
from sgnas.cli._config_args import add_config_arguments, config_from_args
from sgnas.config.presets import PRESETS, load_preset
from sgnas.config.schema import apply_overrides
from sgnas.config.setups import SETUPS, apply_setup, setup_of, setup_overrides
from sgnas.search.generator.prior import PriorPool
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.choices import UnifiedChoices, decode, lone_layers, one_hot, relax
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import SKIP, get_space
from sgnas.training.samplers import build_sampler

#: a layer the paper setup never trains or emits: k7 before k3, a skip between active sub-blocks
UNSORTED = ("k7", "k3", "skip", "k5", "skip", "k3")


def _architecture(num_layers: int) -> Architecture:
    return Architecture((UNSORTED,) * num_layers)


def _logits(arch: Architecture) -> torch.Tensor:
    """Logits whose argmax is ``arch`` by a wide margin."""
    return one_hot(arch) * 20.0


def test_every_preset_names_its_setup() -> None:
    assert {name: setup_of(load_preset(name)) for name in PRESETS} == {
        name: "official" if name == "cifar100" else "paper" for name in PRESETS}
    for name in SETUPS:
        assert setup_of(apply_setup(load_preset("proxy"), name)) == name
    assert setup_of(apply_overrides(load_preset("proxy"), ["supernet.forced_sampling=false"])) is None


def test_setup_switch_on_the_command_line() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_config_arguments(parser)
    args = parser.parse_args(["--preset", "smoke", "--setup", "official", "--set", "data.crop_scale=0.5"])
    config = config_from_args(args)
    assert not config.supernet.forced_sampling and config.supernet.sampler == "official"
    assert config.data.crop_scale == 0.5, "--set applies after the setup"
    with pytest.raises(SgnasError, match="unknown setup"):
        setup_overrides("code")
    with pytest.raises(SgnasError, match="crop_scale"):
        apply_overrides(load_preset("smoke"), ["data.crop_scale=0"])


@pytest.mark.parametrize("setup", ["paper", "official"])
def test_an_unsorted_path_is_trained_relaxed_and_generated_as_the_setup_says(setup: str) -> None:
    config = apply_setup(load_preset("proxy"), setup)
    fs = config.supernet.forced_sampling
    num_layers = config.space.build().num_layers
    arch = _architecture(num_layers)
    expected = arch.canonical() if setup == "paper" else arch

    sampler = build_sampler(config.supernet.sampler, num_layers, seed=0, forced_sampling=fs)
    paths = [path for _ in range(50) for path in sampler.next_step()]
    layers = {layer for path in paths for layer in path.layers}
    assert all(path.is_canonical() for path in paths) == (setup == "paper")
    if setup == "official":  # kernels out of order and skips between active sub-blocks are trained as drawn
        assert any(layer.index("k7") < layer.index("k3") for layer in layers if {"k3", "k7"} <= set(layer))
        assert any(SKIP in layer[:layer.index(next(op for op in reversed(layer) if op != SKIP))] for layer in layers)

    torch.manual_seed(0)
    weights = relax(_logits(arch), tau=0.1, forced_sampling=fs)
    relaxed = Architecture(tuple(tuple(("k3", "k5", "k7", SKIP)[i] for i in row) for row in weights.argmax(-1).tolist()))
    assert relaxed == expected
    assert decode(_logits(arch), forced_sampling=fs) == expected


def test_the_official_mask_forbids_skip_on_sub_block_zero_only_and_decoding_keeps_two_active() -> None:
    arch = Architecture((("k5", "skip", "k3", "skip", "skip", "skip"),) * 3)
    logits = _logits(arch)
    logits[1, 2] = torch.tensor([0.0, 0.0, 0.0, 20.0])  # layer 1: sub-block 2 now prefers skip...
    logits[1, 4] = torch.tensor([0.0, 0.0, 5.0, 6.0])  # ...and sub-block 4's k7 is its closest second
    assert decode(logits, forced_sampling=False).layers[0] == arch.layers[0], "a skip after sub-block 0 is kept"
    assert lone_layers(logits, forced_sampling=False) == [1]
    assert decode(logits, forced_sampling=False).layers[1] == ("k5", "skip", "skip", "skip", "k7", "skip")
    assert lone_layers(logits, forced_sampling=True) == [], "the paper mask keeps the first two sub-blocks active"
    assert decode(logits, forced_sampling=True).layers[1] == ("k3", "k5", "skip", "skip", "skip", "skip")


def test_the_official_prior_lays_kernels_first_in_the_order_drawn() -> None:
    rng = np.random.default_rng(0)
    choices = UnifiedChoices(19)
    draws = [choices.prior_draw(rng, forced_sampling=False) for _ in range(20)]
    for arch in draws:
        for layer in arch.layers:
            active = sum(op != SKIP for op in layer)
            assert all(op != SKIP for op in layer[:active]) and all(op == SKIP for op in layer[active:])
    assert not all(arch.is_canonical() for arch in draws), "kernels keep the order drawn"
    assert all(choices.prior_draw(rng, forced_sampling=True).is_canonical() for _ in range(5))
    space = get_space("cifar", 16, 0.5)
    pool = PriorPool(UnifiedChoices(space.num_layers), CostModel(space), 8.0, 12.0, forced_sampling=False)
    assert not pool.archs[0].is_canonical()


def test_the_official_code_is_an_ablation_variant() -> None:
    official = next(v for v in build_variants(official=True) if v.name == "official code")
    assert list(official.overrides) == setup_overrides("official")
    config = apply_overrides(load_preset("smoke"), official.overrides)
    assert setup_of(config) == "official"
