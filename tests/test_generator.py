"""The architecture generator: network shape, prior pool, relaxation with forced sampling, losses, training, search."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn as nn
from hypothesis import given

from sgnas._infra.errors import SgnasError
from sgnas.config.presets import load_preset
from sgnas.data import load_splits, make_batches
from sgnas.search.generator import (
    ConvGenerator,
    GeneratorStrategy,
    GeneratorTrainer,
    MLPGenerator,
    PriorPool,
    TargetCycle,
    TauSchedule,
    asymmetric_squared,
    relative_squared,
)
from sgnas.search.generator.schedule import OFFICIAL_TAU_END
from sgnas.spaces.unified.choices import (
    UnifiedChoices,
    canonical_relaxed,
    decode,
    mask_logits,
    one_hot,
    relax,
)
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import OPS, get_space
from strategies import architectures


@pytest.fixture(autouse=True)
def _one_thread():
    """Single-threaded: the machines these run on are shared, and exact CPU results are asserted."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_conv_generator_has_the_official_size() -> None:
    generator = ConvGenerator((19, 6, 4))
    # 3x3 convs without bias: 10->32, 2 x 32->32 (constraint), 1->32, 32->32 (prior), 4 x 32->32, 32->1 with bias
    expected = 9 * (10 * 32 + 2 * 32 * 32 + 32 + 32 * 32 + 4 * 32 * 32 + 32) + 1
    assert sum(p.numel() for p in generator.parameters()) == expected == 67969


@pytest.mark.parametrize("network", [ConvGenerator, MLPGenerator])
def test_generators_map_prior_and_target_to_logits(network: type[nn.Module]) -> None:
    generator = network((7, 6, 4))
    logits = generator(torch.rand(3, 7, 6, 4), torch.tensor([0.0, 0.5, 1.0]))
    assert logits.shape == (3, 7, 6, 4)
    assert not torch.allclose(logits[0], logits[2]), "the target must change the output"


def test_hardware_losses() -> None:
    t = torch.tensor(100.0)
    assert asymmetric_squared(torch.tensor(100.05), t) == 0
    assert asymmetric_squared(torch.tensor(101.0), t) == pytest.approx(1.2)
    assert asymmetric_squared(torch.tensor(99.0), t) == pytest.approx(1.0)
    # scale-free: the same relative error costs the same at any FLOPs scale
    assert relative_squared(torch.tensor(110.0), t) == pytest.approx(relative_squared(torch.tensor(1.1), torch.tensor(1.0)))
    assert relative_squared(torch.tensor(90.0), t) == pytest.approx(0.01)
    assert relative_squared(torch.tensor(110.0), t) == pytest.approx(0.012)


def test_tau_schedule_keeps_the_official_start_and_end_over_any_length() -> None:
    official = TauSchedule()
    assert [official(e) for e in (0, 2, 49)] == pytest.approx([5.0, 5.0 * 0.95**2, 5.0 * 0.95**49])
    for epochs in (2, 8, 12, 30):
        schedule = TauSchedule(5.0, OFFICIAL_TAU_END, epochs)
        assert schedule(0) == 5.0 and schedule(epochs - 1) == pytest.approx(0.405, rel=1e-3)
        assert all(schedule(e) > schedule(e + 1) for e in range(epochs - 1))
    assert TauSchedule(2.0, 2.0, 10)(9) == 2.0  # end == start: constant
    assert TauSchedule(5.0, OFFICIAL_TAU_END, 12, decay=0.95)(11) == pytest.approx(5.0 * 0.95**11)  # the cut rule
    assert TauSchedule(5.0, OFFICIAL_TAU_END, 1)(0) == 5.0


def test_target_cycle_visits_the_grid_once_per_cycle() -> None:
    cycle = TargetCycle(270, 450, 5, 0.0, seed=0, mode="current")
    first = sorted(cycle(s) for s in range(37))
    assert first == list(np.arange(270, 451, 5))
    assert [cycle(s) for s in range(37)] != first, "the order is shuffled"
    jittered = TargetCycle(270, 450, 5, 0.5, seed=0, mode="current")
    assert all(abs(jittered(s) - cycle(s)) <= 0.5 for s in range(72))
    assert all(270 <= jittered(s) <= 450 for s in range(370)), "current: clipped to the range"


def test_the_official_target_cycle_is_range_low_high_step_shuffled_jittered_unclipped() -> None:
    """``range(270, 450, 5)`` (36 targets, 450 excluded) in a fresh order per cycle, +-0.5, not clipped."""
    assert load_preset("paper").generator.target_cycle == "official"
    cycle = TargetCycle(270, 450, 5, 0.0, seed=0)
    grid = list(range(270, 450, 5))
    assert sorted(cycle(s) for s in range(36)) == grid
    assert sorted(cycle(s) for s in range(36, 72)) == grid, "every cycle visits the grid once"
    assert [cycle(s) for s in range(36)] != grid and [cycle(s) for s in range(36)] != [cycle(s) for s in range(36, 72)]
    jittered = TargetCycle(270, 450, 5, 0.5, seed=0)
    offsets = [jittered(s) - cycle(s) for s in range(360)]
    assert all(-0.5 <= d <= 0.5 for d in offsets) and np.std(offsets) > 0.2
    assert min(jittered(s) for s in range(360)) < 270, "not clipped at the low end"
    assert max(jittered(s) for s in range(360)) < 445.5, "450 is never a grid point"
    proxy = load_preset("proxy").generator
    scaled = TargetCycle(proxy.target_low, proxy.target_high, proxy.target_step, 0.0, seed=0)
    assert len(scaled.grid) == 20 and scaled.grid[-1] < proxy.target_high


@pytest.mark.invariants
@given(architectures(19))
def test_relaxation_of_a_one_hot_architecture_is_its_canonical_form(arch) -> None:  # noqa: ANN001
    weights = canonical_relaxed(one_hot(arch))
    assert decode(torch.log(weights.clamp_min(1e-9)), forced_sampling=False) == arch.canonical()


def test_forced_sampling_relaxation_keeps_expected_macs_and_gradients() -> None:
    cost = CostModel(get_space("imagenet"))
    logits = torch.randn(19, 6, 4, requires_grad=True)
    torch.manual_seed(0)
    free = torch.nn.functional.gumbel_softmax(mask_logits(logits), tau=1.0, dim=-1)
    torch.manual_seed(0)
    canonical = relax(logits, 1.0, forced_sampling=True)
    assert torch.equal(canonical, canonical_relaxed(free))
    assert torch.allclose(cost.expected_macs(free), cost.expected_macs(canonical))
    order_key = (canonical * torch.arange(4.0)).sum(-1)
    assert bool((order_key[:, 1:] >= order_key[:, :-1]).all()), "sub-blocks sorted by expected op index"
    cost.expected_macs(canonical).backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0


def test_decoded_architectures_are_valid_and_canonical_under_fs() -> None:
    torch.manual_seed(0)
    for _ in range(20):
        logits = torch.randn(19, 6, 4) * 3
        logits[..., OPS.index("skip")] += 5  # push hard towards skipping everything
        arch = decode(logits, forced_sampling=True)
        assert arch.is_canonical() and min(arch.expansions) >= 2
        assert min(decode(logits, forced_sampling=False).expansions) >= 2


def test_prior_pool_levels_and_round_trip() -> None:
    cost = CostModel(get_space("cifar", resolution=16, width=0.5))
    pool = PriorPool(UnifiedChoices(cost.space.num_layers), cost, 6.2, 9.7, size=5, seed=0, draws=300, draw="sweep")
    assert len(pool.levels) == 5 and 6.2 < pool.levels[0] < pool.levels[-1] < 9.7
    assert all(abs(m - level) / level < 0.05 for m, level in zip(pool.macs, pool.levels))
    assert all(a.is_canonical() for a in pool.archs)
    assert torch.equal(pool(6.2), pool.priors[0]) and torch.equal(pool(9.7), pool.priors[-1])
    again = PriorPool.from_state(pool.state_dict(), pool.choices)
    assert again.archs == pool.archs and np.allclose(again.levels, pool.levels)


@pytest.mark.parametrize("name", ["paper", "cifar", "proxy", "smoke"])
def test_the_default_prior_pool_is_one_prior_for_every_target(name: str) -> None:
    """Official configs: ``pool_size: 1``, its level the middle of the range, drawn uniformly within the band."""
    config = load_preset(name).generator
    assert (config.prior_pool, config.prior_draw) == (1, "official")
    cost = CostModel(load_preset(name).space.build())
    pool = PriorPool(UnifiedChoices(cost.space.num_layers), cost, config.target_low, config.target_high, config.prior_pool, seed=0, draws=500)
    middle = (config.target_low + config.target_high) / 2
    assert list(pool.levels) == pytest.approx([middle])
    assert torch.equal(pool(config.target_low), pool(config.target_high))
    assert abs(pool.macs[0] - middle) <= (config.target_high - config.target_low) / 180
    assert pool.archs[0].is_canonical()


def test_the_official_prior_draw_takes_the_first_draw_within_the_band() -> None:
    cost = CostModel(get_space("cifar", resolution=16, width=0.5))
    pool = PriorPool(UnifiedChoices(cost.space.num_layers), cost, 6.2, 9.7, size=3, seed=1, draws=2000)
    band = 3.5 / 180
    assert all(abs(m - level) <= band for m, level in zip(pool.macs, pool.levels))
    assert PriorPool(UnifiedChoices(cost.space.num_layers), cost, 6.2, 9.7, size=3, seed=1, draws=2000).archs == pool.archs, "seeded"
    again = PriorPool(UnifiedChoices(cost.space.num_layers), cost, 6.2, 9.7, size=3, seed=1, draws=2000, forced_sampling=False)
    assert all(min(a.expansions) >= 2 for a in again.archs)


def _logit_spread(init: str, seeds: int = 5) -> float:
    """Standard deviation of each logit over 10 targets across [0, 1], averaged over cells and seeds."""
    from sgnas.search.generator.network import build_generator
    from sgnas.spaces.unified.architecture import random_architecture

    spreads = []
    for seed in range(seeds):
        torch.manual_seed(seed)
        generator = build_generator("conv", (19, 6, 4), 32, init)
        prior = one_hot(random_architecture(19, np.random.default_rng(seed), True))
        with torch.no_grad():
            logits = generator(prior.expand(10, -1, -1, -1), torch.linspace(0, 1, 10))
        spreads.append(logits.std(dim=0).mean().item())
    return float(np.mean(spreads))


def test_the_official_initialisation_makes_the_logits_depend_on_the_target_at_step_0() -> None:
    """Measured (5 seeds, 19 layers): the spread of a logit over 10 targets is about 0.0065 with PyTorch's
    default initialisation and about 1.49 with the official one (He-normal on fan-out, zero bias); the
    logits' overall std is 0.033 against 1.81."""
    from sgnas.search.generator.network import build_generator

    default, official = _logit_spread("default"), _logit_spread("official")
    assert default < 0.02 and official > 0.5 and official > 50 * default
    torch.manual_seed(0)
    generator = build_generator("conv", (19, 6, 4), 32)
    assert generator.tail.bias.abs().sum() == 0
    fan_out = 9 * 32
    assert generator.body[0][0].weight.std().item() == pytest.approx((2 / fan_out) ** 0.5, rel=0.05)
    mlp = build_generator("mlp", (19, 6, 4), 32)
    assert mlp.net[0].weight.std().item() == pytest.approx(0.01, rel=0.05) and mlp.net[0].bias.abs().sum() == 0


def test_expected_macs_leave_out_ops_at_or_below_the_threshold() -> None:
    cost = CostModel(get_space("cifar", resolution=16, width=0.5))
    probs = torch.zeros(19, 6, 4)
    probs[..., OPS.index("k3")] = 0.995
    probs[..., OPS.index("k7")] = 0.005
    k3_only = probs.clone()
    k3_only[..., OPS.index("k7")] = 0
    assert cost.expected_macs(probs, "conv", threshold=0.01) == pytest.approx(cost.expected_macs(k3_only, "conv").item())
    assert cost.expected_macs(probs, "conv") > cost.expected_macs(k3_only, "conv")
    probs.requires_grad_(True)
    cost.expected_macs(probs, "conv", threshold=0.01).backward()
    assert probs.grad[..., OPS.index("k7")].abs().sum() == 0 and probs.grad[..., OPS.index("k3")].abs().sum() > 0
    assert load_preset("paper").generator.macs_threshold == 0.01


def _history(*epochs: tuple[float, float, float]) -> list[dict[str, float]]:
    """Selection metrics per epoch from (top-1 at the middle target, summed hardware loss, score)."""
    return [{"top1_middle": top1, "summed_hw_loss": loss, "score": score} for top1, loss, score in epochs]


def _kept(history: list[dict[str, float]], selection: str, max_hw_loss: float = 0.4) -> int:
    from sgnas.search.generator.train import is_better

    best = None
    for epoch, metrics in enumerate(history):
        if is_better(metrics, None if best is None else history[best], selection, max_hw_loss):
            best = epoch
    assert best is not None
    return best


def test_the_official_selection_keeps_the_best_top1_among_epochs_under_the_loss_threshold() -> None:
    history = _history((30.0, 0.9, 5.0), (50.0, 0.5, 9.0), (40.0, 0.3, 1.0), (45.0, 0.1, 2.0), (45.0, 0.2, 3.0),
                       (44.0, 0.39, 4.0))
    assert _kept(history, "official") == 3, "epoch 1 has the best top-1 but its loss is above 0.4; ties keep the first"
    assert _kept(history, "score") == 1
    assert _kept(history, "official", max_hw_loss=0.6) == 1
    assert _kept(_history((30.0, 0.9, 0.0), (50.0, 0.5, 0.0), (60.0, 0.7, 0.0)), "official") == 1, \
        "no epoch qualifies: the least summed loss"
    assert load_preset("paper").generator.selection == "official"
    assert load_preset("paper").generator.select_step == 10.0


def test_the_generator_cross_entropy_is_label_smoothed(tmp_path: Path) -> None:
    import torch.nn.functional as F

    config, trainer = _trainer(tmp_path, epochs=1)
    assert config.generator.label_smoothing == 0.1
    images, labels = next(iter(trainer.train_batches.epoch(0)))
    with torch.no_grad():
        logits = trainer.supernet(images, None)
    record = trainer._step(images, labels, tau=1.0)
    assert record["ce"] == pytest.approx(F.cross_entropy(logits, labels, label_smoothing=0.1).item(), rel=1e-5)
    assert record["ce"] != pytest.approx(F.cross_entropy(logits, labels).item(), rel=1e-3)


def test_selection_metrics_sum_the_hardware_loss_over_the_official_sweep(tmp_path: Path) -> None:
    config, trainer = _trainer(tmp_path, epochs=1)
    metrics = trainer.select()
    low, high, step = config.generator.target_low, config.generator.target_high, config.generator.select_step
    assert len(metrics["hw_targets_m"]) == 18 and metrics["hw_targets_m"][0] == low
    assert all(b - a == pytest.approx(step) for a, b in zip(metrics["hw_targets_m"], metrics["hw_targets_m"][1:]))
    assert metrics["hw_targets_m"][-1] < high
    expected = sum(config.generator.hw_lambda * relative_squared(torch.tensor(f), torch.tensor(t)).item()
                   for f, t in zip(metrics["hw_macs_m"], metrics["hw_targets_m"]))
    assert metrics["summed_hw_loss"] == pytest.approx(expected)
    results = trainer.train()
    assert results["selection"] == "official" and "summed hardware loss" in results["selected_by"]


class ConstantSupernet(nn.Module):
    """A stand-in for the supernet: logits from pooled pixels; the architecture does not matter."""

    def __init__(self, space) -> None:  # noqa: ANN001
        super().__init__()
        self.space = space
        self.linear = nn.Linear(3, space.num_classes)

    def forward(self, x: torch.Tensor, arch) -> torch.Tensor:  # noqa: ANN001
        return self.linear(x.mean(dim=(2, 3)))

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float = 0.01) -> torch.Tensor:
        return self.forward(x, None) + 0 * weights.sum()


def _trainer(tmp_path: Path, epochs: int = 8, per_class: int = 16):
    config = load_preset("smoke", ["data.dataset=synthetic", f"data.val_per_class={per_class}", f"generator.epochs={epochs}",
                                   "generator.batch_size=4", "generator.tau_decay=0.8"])
    space = config.space.build()
    splits = load_splits(config.data, space.resolution, 0)
    batches = make_batches(splits, "val", 4, True, 0, "cpu")
    torch.manual_seed(0)  # the stand-in supernet's weights
    trainer = GeneratorTrainer(ConstantSupernet(space), CostModel(space), UnifiedChoices(space.num_layers), batches,
                               make_batches(splits, "val", 4, False, 0, "cpu"), config.generator,
                               forced_sampling=True, preset="smoke", seed=0)
    return config, trainer


@pytest.mark.slow
def test_generator_learns_the_constraint_and_search_is_fast(tmp_path: Path) -> None:
    config, trainer = _trainer(tmp_path)
    untrained = trainer.select()["mean_relative_error"]
    results = trainer.train()
    assert results["mean_relative_error"] < min(untrained, 0.06)  # 4.x% to 5.3% across CPU models at smoke scale
    assert results["kendall_tau"] >= 0.8
    trainer.export(tmp_path / "generator.pt")
    cost = CostModel(config.space.build())
    strategy = GeneratorStrategy.load(tmp_path / "generator.pt", cost, UnifiedChoices(cost.space.num_layers), "smoke")
    target = (config.generator.target_low + config.generator.target_high) / 2
    assert strategy.generate(target) == trainer.generate(target)
    start = time.perf_counter()
    result = strategy.search(None, target * 1e6 + cost.fixed_macs("conv+fc") - cost.fixed_macs("conv"))
    assert time.perf_counter() - start < 0.1 and result.wall_seconds < 0.1
    assert result.architecture.is_canonical() and result.forward_passes == 0
    assert result.extra["target_m_in_convention"] == pytest.approx(target)


def test_the_prior_strategy_returns_the_prior_of_the_target_unchanged(tmp_path: Path) -> None:
    from sgnas.search.generator import PriorStrategy

    config, trainer = _trainer(tmp_path, epochs=1)
    trainer.pool = PriorPool(trainer.choices, trainer.cost_model, config.generator.target_low, config.generator.target_high, 4,
                             seed=0, draws=300)
    trainer.export(tmp_path / "generator.pt")
    cost = trainer.cost_model
    prior = PriorStrategy.load(tmp_path / "generator.pt", cost, UnifiedChoices(cost.space.num_layers), "smoke")
    generator = GeneratorStrategy.load(tmp_path / "generator.pt", cost, UnifiedChoices(cost.space.num_layers), "smoke")
    for level, arch in zip(trainer.pool.levels, trainer.pool.archs):
        assert prior.generate(float(level)) == arch == decode(torch.log(one_hot(arch).clamp_min(1e-9)), True)
        result = prior.search(None, cost.to_interface(level * 1e6, "conv"))
        assert result.architecture == arch and result.strategy == "prior" and result.forward_passes == 0
    assert torch.equal(prior.pool.priors, generator.pool.priors), "the generator's own input"
    with pytest.raises(SgnasError, match="outside the generator's trained range"):
        prior.generate(config.generator.target_high * 1.5)


def test_targets_outside_the_trained_range_are_refused_or_warned(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config, trainer = _trainer(tmp_path, epochs=1)
    trainer.export(tmp_path / "generator.pt")
    cost = CostModel(config.space.build())
    strategy = GeneratorStrategy.load(tmp_path / "generator.pt", cost, UnifiedChoices(cost.space.num_layers), "smoke")
    with pytest.raises(SgnasError, match="outside the generator's trained range"):
        strategy.generate(config.generator.target_high * 1.5)
    warning = GeneratorStrategy.load(tmp_path / "generator.pt", cost, UnifiedChoices(cost.space.num_layers), "smoke", outside_range="warn")
    warning.generate(config.generator.target_high * 1.5)
    assert "warning" in capsys.readouterr().err
    with pytest.raises(SgnasError, match="not the cifar space|preset"):
        GeneratorStrategy.load(tmp_path / "generator.pt", CostModel(get_space("cifar", width=0.5)),
                               UnifiedChoices(19), "smoke")


def test_generator_training_repeats_and_resumes_exactly(tmp_path: Path) -> None:
    from sgnas._infra.runs import RunDir

    _, straight = _trainer(tmp_path, epochs=2)
    straight.train()
    _, again = _trainer(tmp_path, epochs=2)
    again.train()
    assert all(torch.equal(a, b) for a, b in zip(straight.generator.state_dict().values(),
                                                  again.generator.state_dict().values()))
    run = RunDir.open(tmp_path / "runs", "generator", {"x": 1}, 0)
    _, first = _trainer(tmp_path, epochs=1)
    first.run = run
    first.train()
    _, resumed = _trainer(tmp_path, epochs=2)
    resumed.resume(run.checkpoint_path)
    assert resumed.epoch == 1
    resumed.train()
    assert straight.history == resumed.history
    assert all(torch.equal(a, b) for a, b in zip(straight.generator.state_dict().values(),
                                                  resumed.generator.state_dict().values()))


def test_the_mlp_generator_trains_through_the_same_loop(tmp_path: Path) -> None:
    config = load_preset("smoke", ["data.dataset=synthetic", "generator.network=mlp", "generator.batch_size=10"])
    space = config.space.build()
    splits = load_splits(config.data, space.resolution, 0)
    trainer = GeneratorTrainer(ConstantSupernet(space), CostModel(space), UnifiedChoices(space.num_layers), make_batches(splits, "val", 10, True, 0, "cpu"),
                               make_batches(splits, "val", 10, False, 0, "cpu"), config.generator,
                               forced_sampling=True, preset="smoke", seed=0)
    results = trainer.train()
    assert len(results["archs"]) == config.generator.sweep_targets
    trainer.export(tmp_path / "generator.pt")
    strategy = GeneratorStrategy.load(tmp_path / "generator.pt", CostModel(space), UnifiedChoices(space.num_layers), "smoke")
    assert isinstance(strategy.generator, MLPGenerator)


def test_generator_logs_every_epoch_and_records_its_whole_cost(tmp_path: Path) -> None:
    """Each epoch's last step and tau are logged; results count forward passes and wall seconds over resumes."""
    from sgnas._infra.runs import RunDir
    from sgnas.training.checkpoint import load_checkpoint

    run = RunDir.open(tmp_path / "runs", "generator", {"x": 1}, 0)
    config, first = _trainer(tmp_path, epochs=1, per_class=15)
    first.run = run
    first.train()
    first_seconds = load_checkpoint(run.checkpoint_path, "generator-training")["wall_seconds"]
    _, resumed = _trainer(tmp_path, epochs=2, per_class=15)
    resumed.run = run
    resumed.resume(run.checkpoint_path)
    results = resumed.train()

    steps = len(resumed.train_batches)
    select = min(config.generator.select_batches or len(resumed.select_batches), len(resumed.select_batches))
    assert steps % 10 != 0, "the last step of an epoch must be logged on its own account here"
    assert results["forward_passes"] == 2 * (steps + select)
    assert results["wall_seconds"] > first_seconds > 0, "earlier sessions count"
    logged = [r["step"] for r in run.iter_metrics(event="generator_train")]
    assert steps in logged and 2 * steps in logged
    epochs = list(run.iter_metrics(event="generator_epoch"))
    assert [r["epoch"] for r in epochs] == [0, 1]
    assert [r["tau"] for r in epochs] == pytest.approx([config.generator.tau, config.generator.tau * 0.8])
    assert all(np.isfinite(r["mean_ce"]) for r in epochs)


def _generator_configs() -> list[tuple[str, Any]]:
    """Every preset's, plan's and NAS-Bench-201 preset's generator settings."""
    from replication.nasbench201 import generator_config
    from replication.plans import NB201_PRESETS, PLANS, load_plan
    from sgnas.config.presets import PRESETS
    from sgnas.spaces.nasbench201.cost import CostModel as CellCostModel

    configs = [(f"preset {name}", load_preset(name).generator) for name in PRESETS.names()]
    configs += [(f"plan {name}", load_plan(name)[1].generator) for name in PLANS]
    low, high = (m / 1e6 for m in CellCostModel().macs_range())
    configs += [(f"nas-bench-201 preset {name}", generator_config(preset, low, high))
                for name, preset in NB201_PRESETS.items()]
    return configs


@pytest.mark.parametrize(("name", "config"), _generator_configs(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_generator_anneals_from_the_official_start_to_the_official_end(name: str, config: Any) -> None:
    """Scaled, not cut: a run of two or more epochs starts at 5 and runs its last epoch at 5 x 0.95^49 = 0.405."""
    schedule = TauSchedule(config.tau, config.tau_end, config.epochs, config.tau_decay)
    if config.epochs >= 2:
        assert schedule(0) == 5.0
        assert schedule(config.epochs - 1) == pytest.approx(0.405, rel=0.01)
