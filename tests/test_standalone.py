"""The stand-alone retraining recipe: timm's RMSpropTF and model EMA, the warm-up start and BN momentum."""

from __future__ import annotations

import pytest
import torch
from timm.optim import RMSpropTF

from sgnas.config.presets import load_preset
from sgnas.spaces.unified.architecture import Architecture
from sgnas.standalone import _optimizer
from sgnas.training.schedules import LRFactor


def test_the_paper_recipe_uses_timm_rmsproptf_with_the_official_values() -> None:
    config = load_preset("paper").evaluate
    assert (config.optimizer, config.ema_decay, config.bn_momentum, config.warmup_lr) == ("rmsproptf", 0.99995, 0.001, 1e-4)
    model = torch.nn.Linear(3, 2)
    optimizer = _optimizer(model, config)
    assert isinstance(optimizer, RMSpropTF)
    group = optimizer.param_groups[0]
    assert (group["alpha"], group["eps"], group["momentum"], group["weight_decay"]) == (0.9, 1e-3, 0.9, 1e-5)
    model(torch.randn(4, 3)).sum().backward()
    optimizer.step()
    square_avg = optimizer.state[model.weight]["square_avg"]
    # initialised to ones, then one step of alpha 0.9: 0.9 + 0.1 g^2
    assert torch.allclose(square_avg, 0.9 + 0.1 * model.weight.grad.square())


def test_the_warm_up_starts_from_the_warm_up_learning_rate() -> None:
    factor = LRFactor("step", total_steps=100, steps_per_epoch=10, warmup_steps=10, warmup_start=1e-4 / 0.016)
    assert factor(0) == pytest.approx(1e-4 / 0.016 + (1 - 1e-4 / 0.016) / 10)
    assert factor(9) == pytest.approx(1.0) and factor(10) == pytest.approx(1.0)
    assert LRFactor("step", 100, 10, 10)(0) == pytest.approx(0.1), "no start: from zero, as before"


def test_bn_momentum_reaches_every_batch_norm_of_the_retrained_model() -> None:
    from sgnas.standalone import _model

    config = load_preset("paper")
    space = config.space.build()
    arch = Architecture.from_string("-".join(["35xxxx"] * space.num_layers))
    norms = [m for m in _model(arch, space, config.evaluate).modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms and {m.momentum for m in norms} == {0.001}
    proxy = load_preset("proxy")
    proxy_space = proxy.space.build()
    default = [m.momentum for m in _model(arch, proxy_space, proxy.evaluate).modules()
               if isinstance(m, torch.nn.BatchNorm2d)]
    assert set(default) == {0.1}, "unset: timm's default"
