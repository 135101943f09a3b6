"""The named configuration presets, one registered function each, returning a complete :class:`~sgnas.config.schema.Config`.

* ``paper``: ImageNet at the settings of SGNAS supp. A.1-A.3 (SPEC sections 3-5);
* ``cifar``: CIFAR-10 in the official CIFAR space (32x32, targets 80-120M MACs),
  not the official CIFAR config (see ``cifar100``);
* ``cifar100``: the official CIFAR config (``config_file/cifar_config.yml``):
  CIFAR-100, 20% of the training set held out for the generator, in the
  official setup (:mod:`sgnas.config.setups`); every other preset is in the
  paper setup;
* ``proxy``: CIFAR-10 on a 2-core CPU: the CIFAR space at width 0.5 and input
  16x16 (images downsampled), a 2,000-image-per-class training subset, with
  targets at the same relative positions of the space's MACs range as the
  official CIFAR targets (see :func:`proxy`);
* ``smoke``: a tiny space and a few images, the whole pipeline in seconds (tests).

A new preset is one function here (or in a plugin) with ``@PRESETS.register("name")``.
Presets that place their targets inside the space's MACs range use the cost
model, which is why they live apart from the configuration types.
"""

from __future__ import annotations

from collections.abc import Sequence

from sgnas.config.schema import (
    Config,
    DataConfig,
    EvaluateConfig,
    GeneratorConfig,
    SearchConfig,
    SpaceConfig,
    SupernetConfig,
    apply_overrides,
)
from sgnas.config.setups import apply_setup
from sgnas.registry import PRESETS
from sgnas.spaces.cost import Convention
from sgnas.spaces.unified.cost import CostModel

__all__ = ["PRESETS", "cifar", "cifar100", "load_preset", "paper", "proxy", "smoke"]


@PRESETS.register("paper")
def paper() -> Config:
    """ImageNet, SGNAS supp. A.1-A.3 and the official retraining recipe (SPEC sections 3-5).

    The generator's setup is the official code's (one prior, its initialisation,
    label smoothing, MACs threshold, target cycle and model selection); the
    retraining is ``run_example.sh``'s: timm's RMSpropTF and model EMA (decay
    0.99995), warm-up from lr 1e-4, BN momentum 0.001.
    """
    return Config(
        preset="paper",
        data=DataConfig(dataset="imagefolder", val_per_class=50, in_memory=False),
        space=SpaceConfig(name="imagenet"),
        evaluate=EvaluateConfig(bn_momentum=0.001),
    )


@PRESETS.register("cifar")
def cifar() -> Config:
    """CIFAR-10 in the official CIFAR space (32x32, targets 80-120M MACs) with a standard CIFAR retraining recipe.

    Not the official CIFAR config, which is CIFAR-100 (the ``cifar100`` preset);
    the supernet and retraining recipes here are this project's choices.
    """
    return Config(
        preset="cifar",
        data=DataConfig(dataset="cifar10", val_per_class=500),
        space=SpaceConfig(name="cifar"),
        supernet=SupernetConfig(epochs=50, batch_size=128, checkpoint_every=200),
        generator=GeneratorConfig(target_low=80.0, target_high=120.0),
        evaluate=EvaluateConfig(
            epochs=200, batch_size=128, optimizer="sgd", lr=0.05, weight_decay=4e-5, schedule="cosine",
            warmup_epochs=0, label_smoothing=0.0, dropout=0.2, ema_decay=0.0,
        ),
    )


@PRESETS.register("cifar100")
def cifar100() -> Config:
    """The official CIFAR config (``config_file/cifar_config.yml``, ``optim_state.yml``, ``g_optim_state.yml``).

    CIFAR-100 (100 classes) at 32x32, 20% of the training set held out for the
    generator (``train_portion: 0.8``: 100 of 500 images per class; the official
    split takes the last 20% of the unshuffled set, here 100 seeded images per
    class). Supernet: batch 512, SGD lr 0.064, momentum 0.9, wd 4e-4, cosine
    over 200 epochs (the config's ``epochs``; ``search.py`` trains
    ``warmup_epochs`` of them, 1 in the released file, which its README says to
    set), label smoothing 0.1; the official setup (:mod:`sgnas.config.setups`:
    its sampler, no forced sampling anywhere). Generator: targets 80-120M,
    one prior, Adam 1e-3 (0.5, 0.999), tau 5 x 0.95, lambda 3e-4 with the
    official loss, batch 512 (the config's one batch size), 50 epochs
    (``search_epochs``), model selection over ``range(80, 120, 10)`` below 0.4.
    Retraining (``train_cifar.py``): 200 epochs, batch 512, SGD lr 0.064,
    momentum 0.9, wd 4e-4, cosine, label smoothing 0.1, dropout 0.2, no EMA.
    """
    config = Config(
        preset="cifar100",
        data=DataConfig(dataset="cifar100", val_per_class=100),
        space=SpaceConfig(name="cifar", num_classes=100),
        supernet=SupernetConfig(epochs=200, batch_size=512, lr=0.064, weight_decay=4e-4,
                                label_smoothing=0.1, checkpoint_every=200),
        generator=GeneratorConfig(batch_size=512, target_low=80.0, target_high=120.0),
        evaluate=EvaluateConfig(
            epochs=200, batch_size=512, optimizer="sgd", lr=0.064, weight_decay=4e-4, schedule="cosine",
            warmup_epochs=0, label_smoothing=0.1, dropout=0.2, ema_decay=0.0,
        ),
    )
    return apply_setup(config, "official")


#: where the official CIFAR targets (80-120M) sit inside the CIFAR space's conv MACs range (51.3-171.8M)
_OFFICIAL_CIFAR_FRACTIONS = (0.24, 0.57)
#: targets the official selection rule sums its hardware loss over: range(270, 450, 10) on the paper's range
_OFFICIAL_SELECT_TARGETS = 18


def _scaled_targets(space: SpaceConfig, convention: Convention, fractions: tuple[float, float]) -> tuple[float, float]:
    """Targets (millions) at the given relative positions of the space's MACs range."""
    low, high = CostModel(space.build()).macs_range(convention)
    span = high - low
    return round((low + fractions[0] * span) / 1e6, 1), round((low + fractions[1] * span) / 1e6, 1)


@PRESETS.register("proxy")
def proxy() -> Config:
    """CIFAR-10 on a CPU: width 0.5, 16x16 inputs, 2,000 training images per class, one torch thread.

    One strict-fairness epoch (312 steps of 5 paths at batch 64) measured 0.63 s
    per step, about 3.3 minutes, on a 2-core machine shared with other work
    (``sgnas train-supernet --preset proxy --max-steps 8``); two threads on
    cores that other processes also use were 8 times slower, hence one.
    Generator: 30 epochs of 31 steps (batch 32 on the 1,000 held-out images)
    at the official tau schedule, about 2 minutes.

    The supernet starts its residual blocks at their shortcuts (projection BN
    gamma 0) and warms its learning rate up over 40 steps, unlike the official
    code: at this scale weight sharing otherwise barely leaves chance (the
    learning curves are in register D37).

    The space's conv MACs range is 3.63-14.20M; the targets 6.2-9.7M sit where
    the official 80-120M sit in the full CIFAR space.
    """
    space = SpaceConfig(name="cifar", resolution=16, width=0.5)
    low, high = _scaled_targets(space, "conv", _OFFICIAL_CIFAR_FRACTIONS)
    return Config(
        preset="proxy",
        threads=1,
        data=DataConfig(dataset="cifar10", val_per_class=100, train_per_class=2000, image_size=16),
        space=space,
        supernet=SupernetConfig(epochs=10, batch_size=64, lr=0.05, checkpoint_every=50, val_archs=4,
                                val_batches=4, calib_batches=4, zero_init_residual=True, warmup_steps=40),
        generator=GeneratorConfig(epochs=30, batch_size=32, target_low=low, target_high=high,
                                  target_step=round((high - low) / 20, 3), target_jitter=round((high - low) / 40, 3),
                                  loss="relative", hw_lambda=40.0, select_batches=8,
                                  select_step=round((high - low) / _OFFICIAL_SELECT_TARGETS, 4)),
        search=SearchConfig(calib_batches=4, val_batches=8, budget=200),
        evaluate=EvaluateConfig(
            epochs=10, batch_size=64, optimizer="sgd", lr=0.05, weight_decay=4e-5, schedule="cosine",
            warmup_epochs=0, label_smoothing=0.0, dropout=0.0, ema_decay=0.0,
        ),
    )


@PRESETS.register("smoke")
def smoke() -> Config:
    """The whole pipeline in seconds: a width-0.1, 8x8 space and a handful of images."""
    space = SpaceConfig(name="cifar", resolution=8, width=0.1)
    low, high = _scaled_targets(space, "conv", _OFFICIAL_CIFAR_FRACTIONS)
    return Config(
        preset="smoke",
        device="cpu",
        threads=1,
        data=DataConfig(dataset="cifar10", val_per_class=4, train_per_class=8, test_per_class=4, image_size=8),
        space=space,
        supernet=SupernetConfig(epochs=1, batch_size=16, lr=0.05, checkpoint_every=2, val_archs=2,
                                val_batches=1, calib_batches=1),
        generator=GeneratorConfig(epochs=1, batch_size=20, target_low=low, target_high=high,
                                  target_step=round((high - low) / 10, 4), target_jitter=round((high - low) / 20, 4),
                                  loss="relative", hw_lambda=40.0, sweep_targets=5, select_batches=1,
                                  select_step=round((high - low) / _OFFICIAL_SELECT_TARGETS, 4)),
        search=SearchConfig(calib_batches=1, val_batches=1, budget=20),
        evaluate=EvaluateConfig(
            epochs=1, batch_size=16, optimizer="sgd", lr=0.05, weight_decay=4e-5, schedule="cosine",
            warmup_epochs=0, label_smoothing=0.0, dropout=0.0, ema_decay=0.0,
        ),
    )


def load_preset(name: str, overrides: Sequence[str] = ()) -> Config:
    """The registered preset ``name`` with ``section.field=value`` overrides applied."""
    return apply_overrides(PRESETS.get(name)(), overrides)
