"""Presets and ``section.field=value`` overrides of :mod:`sgnas.config.schema`."""

from __future__ import annotations

import pytest

from sgnas._infra.errors import SgnasError
from sgnas.config.presets import PRESETS, load_preset
from sgnas.config.schema import apply_overrides, config_from_dict, parse_value
from sgnas.spaces.unified.cost import CostModel


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_valid_and_round_trips(name: str) -> None:
    config = load_preset(name)
    assert config.preset == name
    assert config_from_dict(config.to_dict()) == config


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_targets_lie_inside_the_space(name: str) -> None:
    config = load_preset(name)
    low, high = (m / 1e6 for m in CostModel(config.space.build()).macs_range(config.generator.convention))
    assert low < config.generator.target_low < config.generator.target_high < high


def test_paper_preset_matches_the_supplementary() -> None:
    config = load_preset("paper")
    assert (config.supernet.epochs, config.supernet.batch_size, config.supernet.lr) == (50, 256, 0.045)
    assert (config.supernet.momentum, config.supernet.weight_decay) == (0.9, 4e-5)
    assert (config.generator.lr, config.generator.betas, config.generator.hw_lambda) == (1e-3, (0.5, 0.999), 3e-4)
    assert config.generator.tau == 5.0 and config.generator.tau_decay is None  # 5 x 0.95 per epoch over 50 epochs:
    assert config.generator.epochs == 50 and config.generator.tau_end == pytest.approx(5.0 * 0.95**49)
    assert (config.generator.target_low, config.generator.target_high) == (270.0, 450.0)
    assert config.data.val_per_class == 50


def test_cifar100_preset_matches_the_official_cifar_config() -> None:
    config = load_preset("cifar100")
    space = config.space.build()
    assert (config.data.dataset, space.num_classes, space.resolution) == ("cifar100", 100, 32)
    assert config.data.val_per_class == 100, "train_portion 0.8 of 500 images per class"
    assert (config.generator.target_low, config.generator.target_high, config.generator.prior_pool) == (80.0, 120.0, 1)
    assert (config.supernet.sampler, config.supernet.batch_size, config.supernet.lr) == ("official", 512, 0.064)
    assert (config.supernet.weight_decay, config.supernet.label_smoothing) == (4e-4, 0.1)
    assert (config.evaluate.epochs, config.evaluate.lr, config.evaluate.dropout) == (200, 0.064, 0.2)
    said = " ".join(PRESETS.get("cifar").__doc__.split())
    assert said.startswith("CIFAR-10 in the official CIFAR space") and "Not the official CIFAR config" in said


def test_overrides_are_typed() -> None:
    config = load_preset("smoke", ["supernet.epochs=3", "generator.betas=[0.1, 0.2]", "data.train_per_class=null",
                                   "supernet.lr=1", "seed=7", "generator.loss=asymmetric", "supernet.weight_decay=4e-05"])
    assert config.supernet.epochs == 3 and isinstance(config.supernet.lr, float)
    assert config.generator.betas == (0.1, 0.2)
    assert config.data.train_per_class is None
    assert config.seed == 7 and config.supernet.weight_decay == 4e-5
    assert load_preset("smoke").supernet.epochs == 1, "overrides must not leak into the preset"


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("supernet.epoch=3", "unknown config key 'supernet.epoch'"),
        ("nosuch.epochs=3", "unknown config key"),
        ("supernet.epochs=abc", "expected an integer"),
        ("supernet.epochs=2.5", "expected an integer"),
        ("supernet.forced_sampling=maybe", "expected true or false"),
        ("supernet=3", "is a section"),
        ("no-equals-sign", "not of the form"),
        ("generator.loss=cubic", "generator.loss"),
        ("generator.target_low=900", "target_low < target_high"),
        ("supernet.warmup_steps=-1", "supernet.warmup_steps must be 0 (no warm-up) or a positive number of steps"),
        ("supernet.epochs=" + "9" * 5000, "cannot be read: Exceeds the limit (4300 digits)"),
        ("supernet.epochs=" + "[" * 100_000, "cannot be read: maximum recursion depth exceeded"),
    ],
    ids=lambda value: value if len(value) < 60 else value[:40] + "...",
)
def test_bad_overrides_are_one_line_errors(override: str, fragment: str) -> None:
    with pytest.raises(SgnasError) as info:
        load_preset("smoke", [override])
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_preset() -> None:
    with pytest.raises(SgnasError, match="unknown preset"):
        load_preset("imagenet-full")


def test_apply_overrides_copies() -> None:
    base = load_preset("proxy")
    changed = apply_overrides(base, ["generator.epochs=1"])
    assert base.generator.epochs != 1 and changed.generator.epochs == 1


@pytest.mark.parametrize(("text", "value"), [("4e-05", 4e-05), ("1e-3", 1e-3), ("-2.5E+2", -250.0), ("1.5e3", 1500.0),
                                             ("3", 3), ("0.1", 0.1), ("[1e-3, 0.5]", [1e-3, 0.5]), ("e5", "e5")])
def test_exponents_without_a_dot_are_numbers(text: str, value: object) -> None:
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


def test_a_float_field_refuses_text() -> None:
    with pytest.raises(SgnasError, match="expected a number"):
        load_preset("smoke", ["supernet.lr='0.1'"])


def test_a_run_config_round_trips_exactly(tmp_path) -> None:  # noqa: ANN001
    """Numbers saved in a run's config.json come back bit for bit (4e-05 is not re-read as text)."""
    from sgnas._infra.runs import RunDir
    from sgnas.pipeline import config_of_run, step_key

    config = load_preset("paper", ["supernet.lr=0.1234567890123456789", "generator.hw_lambda=3e-4", "seed=3"])
    run = RunDir.open(tmp_path, "generator", step_key(config, "generator", supernet_run="abc"), config.seed)
    again = config_of_run(run.path)
    assert again.supernet.weight_decay == 4e-05 and again.supernet.lr == config.supernet.lr
    assert (again.seed, again.generator, again.supernet, again.data.val_per_class) == (
        3, config.generator, config.supernet, config.data.val_per_class)
    assert config_of_run(run.path, ["supernet.weight_decay=1e-3"]).supernet.weight_decay == 1e-3


BAD_GENERATOR_SETTINGS = [
    ("generator.prior_pool=0", "generator.prior_pool must be from 1 to 10,000 architectures, got 0"),
    ("generator.selection=tau", "generator.selection must be official or score, got 'tau'"),
    ("generator.init=xavier", "generator.init must be official or default, got 'xavier'"),
    ("generator.target_cycle=clipped", "generator.target_cycle must be official or current, got 'clipped'"),
    ("generator.prior_draw=nearest", "generator.prior_draw must be official or sweep, got 'nearest'"),
    ("generator.label_smoothing=1", "generator.label_smoothing must be in [0, 1), got 1.0"),
    ("generator.macs_threshold=-0.1", "generator.macs_threshold must be in [0, 1), got -0.1"),
    ("generator.select_max_hw_loss=0", "generator.select_max_hw_loss must be greater than 0, got 0.0"),
    ("generator.select_step=-10", "generator.select_step must be greater than 0, got -10.0"),
    ("supernet.sampler=fair", "supernet.sampler must be one of strict-fair, uniform"),
    ("data.dataset=cifar1000", "data.dataset must be cifar10, cifar100, imagefolder or synthetic"),
]


@pytest.mark.parametrize(("override", "message"), BAD_GENERATOR_SETTINGS, ids=[o for o, _ in BAD_GENERATOR_SETTINGS])
def test_bad_generator_settings_are_one_line_and_exit_2(capsys: pytest.CaptureFixture, tmp_path, override: str,
                                                        message: str) -> None:  # noqa: ANN001
    from sgnas.cli import main

    runs = tmp_path / "runs"
    code = main(["train-supernet", "--preset", "smoke", "--set", "data.dataset=synthetic", "--set", override,
                 "--runs-dir", str(runs)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("sgnas: error:") and message in lines[0], lines
    assert not runs.exists()


COUNTS_OUT_OF_RANGE = [
    ("search.budget=100001", "search.budget must be from 1 to 100,000 architectures, got 100001"),
    ("search.budget=0", "search.budget must be from 1 to 100,000 architectures, got 0"),
    ("generator.sweep_targets=1000000", "generator.sweep_targets must be from 2 to 10,000 targets, got 1000000"),
    ("generator.prior_pool=10001", "generator.prior_pool must be from 1 to 10,000 architectures, got 10001"),
    ("data.val_per_class=100000000", "data.val_per_class must be from 1 to 10,000,000 images per class"),
    ("data.train_per_class=100000000", "data.train_per_class must be from 1 to 10,000,000 images per class"),
    ("data.test_per_class=100000000", "data.test_per_class must be from 1 to 10,000,000 images per class"),
    ("space.num_classes=1000000000000", "space.num_classes must be from 2 to 1,000,000 classes, got 1000000000000"),
]


@pytest.mark.parametrize(("override", "message"), COUNTS_OUT_OF_RANGE, ids=[o for o, _ in COUNTS_OUT_OF_RANGE])
def test_counts_are_bounded_by_what_they_count(override: str, message: str) -> None:
    with pytest.raises(SgnasError) as info:
        load_preset("smoke", [override])
    assert str(info.value).startswith(message), info.value
