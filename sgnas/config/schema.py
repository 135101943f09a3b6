"""Typed configuration of every pipeline step and ``section.field=value`` overrides.

A :class:`Config` is plain data: one dataclass per step (data, search space,
supernet training, generator training, search, stand-alone evaluation). The
named presets that fill it (``paper``, ``cifar``, ``proxy``, ``smoke``) live in
:mod:`sgnas.config.presets`, one registered function each.

Every field can be overridden with ``section.field=value`` strings (values are
parsed as YAML: ``3``, ``0.1``, ``4e-05``, ``1e-3``, ``true``, ``[1, 2]``, ``null``;
exponents without a dot are numbers, as in YAML 1.2 and JSON); an unknown key
or a value of the wrong type is a one-line :class:`~sgnas._infra.errors.SgnasError`.
Targets are millions of MACs in the generator's ``convention`` (SGNAS counts
conv layers only, SPEC section 7).
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml

from sgnas._infra.errors import SgnasError
from sgnas.registry import SAMPLERS, UNIFIED
from sgnas.spaces.cost import CONVENTIONS, Convention
from sgnas.spaces.unified.activations import ACTIVATION_NAMES, Activation
from sgnas.spaces.unified.space import MAX_WIDTH, MIN_WIDTH, SearchSpace, get_space

__all__ = [
    "FLOAT32_MAX",
    "MAX_CLASSES",
    "MAX_COUNT",
    "MAX_PER_CLASS",
    "MAX_RESOLUTION",
    "MAX_SEARCH_BUDGET",
    "MAX_THREADS",
    "SEED_LIMIT",
    "Config",
    "DataConfig",
    "EvaluateConfig",
    "GeneratorConfig",
    "SearchConfig",
    "SpaceConfig",
    "SupernetConfig",
    "apply_overrides",
    "check_value",
    "config_from_dict",
    "override_section",
    "parse_value",
    "split_override",
]


@dataclass
class DataConfig:
    """Where images come from and how the splits are carved (supp. A.1)."""

    #: ``cifar10`` or ``cifar100`` (torchvision's pickled layout or an ImageFolder copy), ``imagefolder`` or
    #: ``synthetic`` (tests)
    dataset: str = "cifar10"
    #: dataset folder; ``None`` means ``$SGNAS_DATA_DIR``, else the user's cache (resolved at run time, never in run keys)
    root: str | None = None
    #: images per class of the training set held out as the generator's validation split
    val_per_class: int = 50
    #: images per class kept for supernet training (``None``: all that remain)
    train_per_class: int | None = None
    #: images per class of the test split (``None``: all); only for smoke runs
    test_per_class: int | None = None
    #: side of the square images the networks see (``None``: the space's resolution)
    image_size: int | None = None
    #: decode once into memory (small datasets); ``False`` streams from disk (ImageNet)
    in_memory: bool = True
    #: random crop with padding and horizontal flip on training batches
    augment: bool = True
    #: smallest area fraction of the random resized crop of streamed (ImageNet-style) training images:
    #: torchvision's 0.08 in the paper setup, 0.2 in the official code (``utils/dataflow.py``)
    crop_scale: float = 0.08
    #: download CIFAR-10 into a given folder that has no copy (the default cache folder is filled unasked)
    download: bool = False
    #: loader processes for the streaming path
    workers: int = 4


@dataclass
class SpaceConfig:
    """Which macro search space (sgnas.spaces.unified.space.get_space arguments)."""

    name: str = "imagenet"
    resolution: int | None = None
    width: float = 1.0
    num_classes: int | None = None

    def build(self) -> SearchSpace:
        try:
            return get_space(self.name, self.resolution, self.width, self.num_classes)
        except ValueError as err:
            raise SgnasError(f"space: {err}") from None


@dataclass
class SupernetConfig:
    """Supernet training (supp. A.2): sampler, schedule, checkpoints."""

    sampler: str = "strict-fair"
    forced_sampling: bool = True
    shadow_bn: bool = True
    act: Activation = "relu6"
    epochs: int = 50
    batch_size: int = 256
    lr: float = 0.045
    momentum: float = 0.9
    weight_decay: float = 4e-5
    nesterov: bool = False
    label_smoothing: float = 0.0
    #: start every residual block's projection BN at gamma 0, so each path begins as its shortcuts
    #: (Goyal et al. 2017; timm's ``zero_init_last``); the official code starts it at 1
    zero_init_residual: bool = False
    #: linear warm-up of the learning rate over this many optimizer steps before the cosine decay
    warmup_steps: int = 0
    #: also checkpoint every this many optimizer steps (0: only at epoch ends)
    checkpoint_every: int = 500
    #: fixed architectures validated after every epoch (seeded; the smallest and largest are always included)
    val_archs: int = 4
    #: validation batches per fixed architecture (``None``: the whole split)
    val_batches: int | None = None
    #: training batches used to recalibrate BN before validating each architecture
    calib_batches: int = 5
    #: clip the gradient norm at this before each step (0: no clipping; NAS-Bench-201's protocol clips at 5)
    grad_clip: float = 0.0
    #: how the paths of one step combine their gradients: ``sum`` (FairNAS and the official code accumulate
    #: them) or ``mean`` (each path's loss divided by the paths of the step)
    path_gradients: str = "sum"


@dataclass
class GeneratorConfig:
    """The architecture generator and its training (supp. A.3, C; official utils/generator.py)."""

    network: str = "conv"
    hidden: int = 32
    epochs: int = 50
    batch_size: int = 128
    lr: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    weight_decay: float = 0.0
    tau: float = 5.0
    #: the last epoch's tau: tau anneals geometrically from ``tau`` to this over the run's own epochs (official:
    #: 5 x 0.95^49 = 0.405 after 50 epochs; a shorter run keeps both ends); equal to ``tau`` keeps it constant
    tau_end: float = 5.0 * 0.95**49
    #: where given, tau is instead multiplied by this after each epoch whatever the run's length (cut, not scaled)
    tau_decay: float | None = None
    #: ``asymmetric`` (official, squared error in millions) or ``relative`` (scale-free)
    loss: str = "asymmetric"
    hw_lambda: float = 3e-4
    target_low: float = 270.0
    target_high: float = 450.0
    target_step: float = 5.0
    target_jitter: float = 0.5
    #: ``official``: ``range(low, high, step)`` (high excluded) shuffled per cycle, +-jitter, not clipped (official
    #: ``utils/trainer.py``); ``current``: the grid with ``high`` included, jittered targets clipped to [low, high]
    target_cycle: str = "official"
    #: weight initialisation: ``official`` (``SinGenerator._initialize_weights``: convs He-normal on fan-out,
    #: linear layers N(0, 0.01), zero biases) or ``default`` (PyTorch's own)
    init: str = "official"
    #: label smoothing of the generator's cross-entropy (official ``search.py``: 0.1)
    label_smoothing: float = 0.1
    #: MACs counting convention of the targets (SGNAS: conv layers only)
    convention: Convention = "conv"
    #: ops with a relaxed probability at or below this are left out of the supernet's forward
    threshold: float = 0.01
    #: ops with a relaxed probability at or below this are left out of the expected MACs (official
    #: ``utils/lookup_table_builder.py``: 0.01; 0 counts every op)
    macs_threshold: float = 0.01
    #: architectures in the prior pool (one per MACs level inside the target range; official configs: 1)
    prior_pool: int = 1
    #: how each level's prior is drawn: ``official`` (uniform expansion rates and kernels, the first draw within
    #: +-(high - low) / 180 of the level, as ``utils/prior_pool.py``'s +-1M at 270-450M) or ``sweep`` (the closest
    #: of a density sweep from the smallest to the largest choices)
    prior_draw: str = "official"
    #: targets swept (evenly over the range) for model selection and for ``search --sweep``
    sweep_targets: int = 10
    #: validation batches for the accuracy at the middle target during model selection
    select_batches: int | None = None
    #: model-selection points per unit of Kendall tau(targets, generated MACs) (top-1 and -100 x error are the others)
    select_tau_weight: float = 10.0
    #: model selection after each epoch: ``official`` (the best top-1 at the middle target among epochs whose summed
    #: hardware loss over ``range(low, high, select_step)`` is below ``select_max_hw_loss``) or ``score``
    #: (the best ``top1 - 100 x mean error + select_tau_weight x tau``); see :mod:`sgnas.search.generator.train`
    selection: str = "official"
    #: step of the targets whose hardware losses the official rule sums (official: 10, in millions)
    select_step: float = 10.0
    #: the official rule keeps only epochs whose summed ``hw_lambda x hardware loss`` is below this (official: 0.4)
    select_max_hw_loss: float = 0.4
    #: measure the model-selection top-1 on augmented batches of the held-out split, as the official code (its
    #: validation loader is the generator's training loader, augmented); the paper setup measures it unaugmented
    select_augmented: bool = False


@dataclass
class SearchConfig:
    """Search given a trained supernet (any strategy) and the supernet-estimated accuracy."""

    #: BN recalibration batches (training split) before measuring an architecture
    calib_batches: int = 10
    #: validation batches per accuracy estimate (``None``: the whole split)
    val_batches: int | None = None
    #: evaluation budget (architectures) for the iterative baselines
    budget: int = 1000
    #: ``refuse`` targets outside the generator's trained range, or ``warn`` and generate anyway
    outside_range: str = "refuse"


@dataclass
class EvaluateConfig:
    """Stand-alone training of an exported architecture from scratch."""

    epochs: int = 500
    batch_size: int = 256
    #: ``rmsproptf`` (timm's ``RMSpropTF``, the official ``--opt rmsproptf``: eps inside the square root, square
    #: average initialised to ones; alpha 0.9, eps 1e-3) or ``sgd`` (Nesterov momentum)
    optimizer: str = "rmsproptf"
    lr: float = 0.016
    momentum: float = 0.9
    weight_decay: float = 1e-5
    #: ``step`` (multiply by ``decay_rate`` every ``decay_epochs``) or ``cosine``
    schedule: str = "step"
    decay_rate: float = 0.963
    decay_epochs: float = 3.0
    warmup_epochs: int = 5
    #: the learning rate the warm-up starts from, rising linearly to ``lr`` (official: timm's default 1e-4)
    warmup_lr: float = 1e-4
    label_smoothing: float = 0.1
    dropout: float = 0.2
    #: timm's model EMA (``ModelEmaV3``) decay (0: off; official 0.99995); the EMA weights are the ones tested
    ema_decay: float = 0.99995
    #: BN momentum of the retrained model, PyTorch's convention (``None``: timm's default, 0.1; official: 0.001)
    bn_momentum: float | None = None
    se: bool = False
    act: Activation = "relu6"


@dataclass
class Config:
    """Everything that defines a run of the pipeline."""

    preset: str = "paper"
    seed: int = 0
    #: ``cpu``, ``cuda`` or ``auto``
    device: str = "auto"
    #: mixed precision on CUDA: ``off``, ``bf16`` (autocast) or ``fp16`` (autocast and gradient scaling); CPU runs ignore it
    amp: str = "off"
    #: torch intra-op threads (0: torch's default)
    threads: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    space: SpaceConfig = field(default_factory=SpaceConfig)
    supernet: SupernetConfig = field(default_factory=SupernetConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def target_range(self) -> tuple[float, float]:
        return self.generator.target_low, self.generator.target_high


# --- overrides and round trips ------------------------------------------------------


class _ValueLoader(yaml.SafeLoader):
    """YAML 1.1's safe loader, but reading ``4e-05`` and ``1e-3`` as floats (YAML 1.2 and JSON do; 1.1 wants a dot)."""


_ValueLoader.yaml_implicit_resolvers = {key: list(value) for key, value in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_ValueLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_value(text: str) -> Any:
    """An override's value: YAML with numbers as YAML 1.2 reads them; unparsable text stays a string."""
    if not text.strip():
        return ""
    try:
        return yaml.load(text, Loader=_ValueLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return text
    except (ValueError, RecursionError) as err:  # an integer of more digits than Python converts; deep nesting
        shown = text if len(text) <= 40 else f"{text[:37]}..."
        raise SgnasError(f"override value {shown!r} cannot be read: {str(err).split(';')[0]}") from None


def _coerce(value: Any, hint: Any, key: str) -> Any:
    """``value`` checked (and converted where lossless) against the type hint of ``key``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(value, option, key)
            except SgnasError:
                continue
        raise SgnasError(f"{key}: {value!r} is not a valid {hint}")
    if origin is typing.Literal:
        choices = typing.get_args(hint)
        if value in choices:
            return value
        raise SgnasError(f"{key}: {value!r} is not one of {', '.join(map(str, choices))}")
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, (list, tuple)) or len(value) != len(args):
            raise SgnasError(f"{key}: expected a list of {len(args)} values, got {value!r}")
        return tuple(_coerce(v, a, key) for v, a in zip(value, args))
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise SgnasError(f"{key}: expected true or false, got {value!r}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise SgnasError(f"{key}: expected an integer, got {value!r}")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise SgnasError(f"{key}: expected a number, got {value!r}")
    if hint is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise SgnasError(f"{key}: expected a string, got {value!r}")
    raise SgnasError(f"{key}: cannot set a value of type {hint}")


def _set(config: Config, key: str, value: Any) -> None:
    parts = key.split(".")
    target: Any = config
    for depth, part in enumerate(parts):
        hints = typing.get_type_hints(type(target))
        if part not in hints:
            known = ", ".join(sorted(hints))
            where = ".".join(parts[:depth]) or "the config"
            raise SgnasError(f"unknown config key {key!r}: {where} has no field {part!r} (fields: {known})")
        if depth == len(parts) - 1:
            if dataclasses.is_dataclass(hints[part]):
                raise SgnasError(f"config key {key!r} is a section; set one of its fields")
            setattr(target, part, _coerce(value, hints[part], key))
        else:
            target = getattr(target, part)
            if not dataclasses.is_dataclass(target):
                raise SgnasError(f"unknown config key {key!r}: {'.'.join(parts[: depth + 1])} is not a section")


def split_override(item: str) -> tuple[str, Any]:
    """``section.field=value`` as its key and its YAML-parsed value; a one-line error for any other form."""
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise SgnasError(f"override {item!r} is not of the form section.field=value")
    return key.strip(), parse_value(text)


def apply_overrides(config: Config, overrides: typing.Sequence[str]) -> Config:
    """A copy of ``config`` with each ``section.field=value`` applied (YAML-parsed value)."""
    config = dataclasses.replace(config)
    for name in ("data", "space", "supernet", "generator", "search", "evaluate"):
        setattr(config, name, dataclasses.replace(getattr(config, name)))
    for item in overrides:
        _set(config, *split_override(item))
    validate(config)
    return config


Frozen = typing.TypeVar("Frozen")


def override_section(section: Frozen, name: str, overrides: typing.Sequence[str],
                     fixed: typing.Collection[str] = ()) -> Frozen:
    """A copy of the frozen dataclass ``section`` with each ``name.field=value`` applied, by the rules of
    :func:`apply_overrides`: the same parsing, the same type checks and the same float32 bounds (the copy's
    own ``__post_init__`` checks what its fields mean together). The ``fixed`` fields (what names the section or
    says how far its numbers go) cannot be set."""
    hints = typing.get_type_hints(type(section))
    changes: dict[str, Any] = {}
    for item in overrides:
        key, value = split_override(item)
        field = key.removeprefix(f"{name}.")
        if field in fixed:
            raise SgnasError(f"config key {key!r} cannot be set: it is what the preset is (choose another preset)")
        if field == key or field not in hints or field.startswith("_"):
            known = ", ".join(sorted(f.name for f in dataclasses.fields(section) if f.name not in fixed))  # type: ignore[arg-type]
            raise SgnasError(f"unknown config key {key!r}: {name} has no field {field!r} (fields: {known})")
        changes[field] = _coerce(value, hints[field], key)
        check_value(key, changes[field])
    return dataclasses.replace(section, **changes)  # type: ignore[type-var]


#: seeds reach ``torch.manual_seed`` (any 64-bit value) and ``np.random.default_rng`` (non-negative), and are
#: combined with epochs and targets into derived seeds; 0 .. 2**32 - 1 (numpy's legacy range) fits every use
SEED_LIMIT = 2**32
#: every number of a config ends up in float32 tensors or is compared with them (learning rates and weight decays
#: as optimizer arguments, tau, lambda and targets in the generator's losses); beyond the largest float32 it is
#: infinity there, so a larger one is refused up front. Up to it, a learning rate that is merely far too high
#: makes the loss non-finite, which stops the run with "diverged at step N" (:mod:`sgnas.training.divergence`).
FLOAT32_MAX = float(np.finfo(np.float32).max)
#: input side (pixels) of ``data.image_size`` and ``space.resolution``: above every input size this family of
#: models is published at (224 for SGNAS, 600 for EfficientNet-B7) with room to spare; far larger ones only end
#: in the allocator (one 100000x100000 RGB image is 120 GB of float32)
MAX_RESOLUTION = 1024
#: torch threads: more than the cores of any one machine (a thread beyond the cores only adds contention), and
#: far below where OpenMP fails to allocate its per-thread state and the process crashes (100000 does). A fixed
#: cap, not one of this machine's cores, so a run's saved config stays valid on every machine that reads it.
MAX_THREADS = 1024
#: images per batch: 16 times the largest batch of any recipe here (4096, large-batch ImageNet training); far
#: larger ones only end in the allocator
MAX_BATCH = 65536
#: channels of the generator's hidden layers: 128 times the official 32; a width that allocates gigabytes of
#: weights per layer is a typo, not a setting
MAX_GENERATOR_HIDDEN = 4096
#: classifier outputs: 45 times ImageNet-21k's 21,841 classes, the largest common label set; a classifier of
#: 10**12 outputs is a typo (its weights alone would fit no machine)
MAX_CLASSES = 1_000_000
#: images per class of a split: a split holds no more than its dataset, and the datasets here hold at most 5,000
#: (CIFAR-10's training classes; ImageNet about 1,300); 10**7 per class leaves room for any larger one
MAX_PER_CLASS = 10**7
#: architectures evaluated per search target: 100 times SPOS's published 1000; each is a BN recalibration and a
#: validation pass on the supernet, so even at a tenth of a second each this is more than a day per target
MAX_SEARCH_BUDGET = 100_000
#: targets of a sweep and architectures of the prior pool: one per 0.02M over SGNAS's 270-450M range is 9,000;
#: each target is a generator pass (and, in model selection, a supernet validation), so more is a typo
MAX_COUNT = 10_000


def _at_least(low: int | float) -> tuple[typing.Callable[[Any], bool], str]:
    return (lambda v: v >= low), f"at least {low}"


def _positive() -> tuple[typing.Callable[[Any], bool], str]:
    return (lambda v: v > 0), "greater than 0"


def _fraction(high_included: bool = False) -> tuple[typing.Callable[[Any], bool], str]:
    if high_included:
        return (lambda v: 0 < v <= 1), "in (0, 1]"
    return (lambda v: 0 <= v < 1), "in [0, 1)"


def _batch() -> tuple[typing.Callable[[Any], bool], str]:
    return (lambda v: 1 <= v <= MAX_BATCH), f"from 1 to {MAX_BATCH} images"


def _between(low: int, high: int, unit: str) -> tuple[typing.Callable[[Any], bool], str]:
    return (lambda v: low <= v <= high), f"from {low} to {high:,} {unit}"


def _side() -> tuple[typing.Callable[[Any], bool], str]:
    return (lambda v: 1 <= v <= MAX_RESOLUTION), f"positive and at most {MAX_RESOLUTION} pixels"


#: what each numeric field means, as a predicate and its wording; ``None`` (where the field allows it) is not
#: checked. Every float is also finite and at most :data:`FLOAT32_MAX` in size (:func:`check_value`).
_RANGES: dict[str, tuple[typing.Callable[[Any], bool], str]] = {
    "seed": ((lambda v: 0 <= v < SEED_LIMIT), f"an integer from 0 to {SEED_LIMIT - 1}"),
    "threads": ((lambda v: 0 <= v <= MAX_THREADS),
                f"0 (torch's default) or a positive number of threads up to {MAX_THREADS}"),
    "data.val_per_class": _between(1, MAX_PER_CLASS, "images per class"),
    "data.train_per_class": _between(1, MAX_PER_CLASS, "images per class"),
    "data.test_per_class": _between(1, MAX_PER_CLASS, "images per class"),
    "data.image_size": _side(),
    "data.workers": _at_least(0),
    "data.crop_scale": ((lambda v: 0 < v <= 1), "a fraction of the image area in (0, 1]"),
    "space.resolution": _side(),
    "space.width": ((lambda v: MIN_WIDTH <= v <= MAX_WIDTH), f"from {MIN_WIDTH:g} to {MAX_WIDTH:g}"),
    "space.num_classes": _between(2, MAX_CLASSES, "classes"),
    "supernet.epochs": _at_least(1),
    "supernet.batch_size": _batch(),
    "supernet.lr": _positive(),
    "supernet.momentum": _fraction(),
    "supernet.weight_decay": _at_least(0),
    "supernet.label_smoothing": _fraction(),
    "supernet.checkpoint_every": ((lambda v: v >= 0), "0 (only at epoch ends) or a positive number of steps"),
    "supernet.warmup_steps": ((lambda v: v >= 0), "0 (no warm-up) or a positive number of steps"),
    "supernet.val_archs": _at_least(2),
    "supernet.val_batches": _at_least(1),
    "supernet.calib_batches": _at_least(1),
    "supernet.grad_clip": _at_least(0),
    "generator.hidden": ((lambda v: 1 <= v <= MAX_GENERATOR_HIDDEN), f"from 1 to {MAX_GENERATOR_HIDDEN} channels"),
    "generator.epochs": _at_least(1),
    "generator.batch_size": _batch(),
    "generator.lr": _positive(),
    "generator.betas": ((lambda v: all(0 <= b < 1 for b in v)), "two values in [0, 1)"),
    "generator.weight_decay": _at_least(0),
    "generator.tau": _positive(),
    "generator.tau_decay": _fraction(high_included=True),
    "generator.tau_end": _positive(),
    "generator.hw_lambda": _at_least(0),
    "generator.target_low": _positive(),
    "generator.target_step": _positive(),
    "generator.target_jitter": _at_least(0),
    "generator.threshold": _fraction(),
    "generator.macs_threshold": _fraction(),
    "generator.label_smoothing": _fraction(),
    "generator.prior_pool": _between(1, MAX_COUNT, "architectures"),
    "generator.select_step": _positive(),
    "generator.select_max_hw_loss": _positive(),
    "generator.sweep_targets": _between(2, MAX_COUNT, "targets"),
    "generator.select_batches": _at_least(1),
    "search.calib_batches": _at_least(1),
    "search.val_batches": _at_least(1),
    "search.budget": _between(1, MAX_SEARCH_BUDGET, "architectures"),
    "evaluate.epochs": _at_least(1),
    "evaluate.batch_size": _batch(),
    "evaluate.lr": _positive(),
    "evaluate.momentum": _fraction(),
    "evaluate.weight_decay": _at_least(0),
    "evaluate.decay_rate": _fraction(high_included=True),
    "evaluate.decay_epochs": _positive(),
    "evaluate.warmup_epochs": _at_least(0),
    "evaluate.warmup_lr": _positive(),
    "evaluate.bn_momentum": ((lambda v: 0 < v <= 1), "in (0, 1]"),
    "evaluate.label_smoothing": _fraction(),
    "evaluate.dropout": _fraction(),
    "evaluate.ema_decay": _fraction(),
}


def _numbers(config: Any, prefix: str = "") -> typing.Iterator[tuple[str, Any]]:
    """Every (key, value) of ``config``'s fields, sections flattened to ``section.field``."""
    for item in dataclasses.fields(config):
        value = getattr(config, item.name)
        if dataclasses.is_dataclass(value):
            yield from _numbers(value, f"{prefix}{item.name}.")
        else:
            yield f"{prefix}{item.name}", value


def check_value(key: str, value: Any, name: str | None = None) -> None:
    """One value against what ``key`` means (:data:`_RANGES`); a one-line error naming ``name`` (an option) or ``key``.

    The one check of every number: configs run it on each field (:func:`validate`), commands on the options
    that mean the same as a field (``sgnas export --seed`` is ``seed``, ``--resolution`` ``space.resolution``).
    """
    name = name or key
    floats = [v for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, float)]
    if not all(math.isfinite(v) for v in floats):
        raise SgnasError(f"{name} must be a finite number, got {value!r}")
    if any(abs(v) > FLOAT32_MAX for v in floats):
        raise SgnasError(f"{name} must be at most {FLOAT32_MAX:.4g} in absolute value (the largest float32, the "
                         f"precision torch computes in), got {value!r}")
    if key in _RANGES and value is not None:
        ok, wording = _RANGES[key]
        if not ok(value):
            raise SgnasError(f"{name} must be {wording}, got {value!r}")


def _check_ranges(config: Config) -> None:
    """Every float finite in float32 (NaN and infinity mean nothing anywhere), every listed field inside its range."""
    for key, value in _numbers(config):
        check_value(key, value)


def _choice(key: str, value: str, choices: tuple[str, ...]) -> tuple[bool, str]:
    """One check of :func:`validate`: ``value`` is one of ``choices``."""
    return value in choices, f"{key} must be {' or '.join(choices)}, got {value!r}"


def validate(config: Config) -> None:
    """Raise a one-line error for values no step could use (before anything is created or trained)."""
    _check_ranges(config)
    target_width = config.generator.target_high - config.generator.target_low
    checks = [
        (config.data.dataset in ("cifar10", "cifar100", "imagefolder", "synthetic"),
         "data.dataset must be cifar10, cifar100, imagefolder or synthetic"),
        (config.supernet.sampler in SAMPLERS.names(family=UNIFIED),
         f"supernet.sampler must be one of {', '.join(SAMPLERS.names(family=UNIFIED))}, got {config.supernet.sampler!r}"),
        _choice("supernet.path_gradients", config.supernet.path_gradients, ("sum", "mean")),
        (config.generator.network in ("conv", "mlp"), "generator.network must be conv or mlp"),
        (config.generator.loss in ("asymmetric", "relative"), "generator.loss must be asymmetric or relative"),
        _choice("generator.target_cycle", config.generator.target_cycle, ("official", "current")),
        _choice("generator.init", config.generator.init, ("official", "default")),
        _choice("generator.prior_draw", config.generator.prior_draw, ("official", "sweep")),
        _choice("generator.selection", config.generator.selection, ("official", "score")),
        (config.generator.convention in CONVENTIONS, f"generator.convention must be {' or '.join(CONVENTIONS)}"),
        (0 < config.generator.target_low < config.generator.target_high, "generator targets need 0 < target_low < target_high"),
        # jitter perturbs each training target around its grid point; wider than the range itself it means nothing
        (config.generator.target_jitter <= target_width, f"generator.target_jitter must be at most the width of the target "
         f"range (target_high - target_low = {target_width:g}), got {config.generator.target_jitter!r}"),
        (config.search.outside_range in ("refuse", "warn"), "search.outside_range must be refuse or warn"),
        _choice("supernet.act", config.supernet.act, ACTIVATION_NAMES),
        _choice("evaluate.optimizer", config.evaluate.optimizer, ("rmsproptf", "sgd")),
        _choice("evaluate.act", config.evaluate.act, ACTIVATION_NAMES),
        (config.evaluate.schedule in ("step", "cosine"), "evaluate.schedule must be step or cosine"),
        (config.device in ("auto", "cpu", "cuda") or config.device.startswith("cuda:"), "device must be auto, cpu or cuda[:N]"),
        (config.amp in ("off", "bf16", "fp16"), "amp must be off, bf16 or fp16"),
    ]
    for ok, message in checks:
        if not ok:
            raise SgnasError(message)
    config.space.build()


def config_from_dict(data: dict[str, Any], base: Config | None = None) -> Config:
    """A :class:`Config` from :meth:`Config.to_dict` output (e.g. a run's saved config), set on a copy of ``base``.

    Values are taken as they are (numbers read from JSON stay exactly those
    numbers), checked against the field types like overrides.
    """
    config = apply_overrides(base, ()) if base is not None else Config()
    for section, values in data.items():
        if isinstance(values, dict):
            for name, value in values.items():
                _set(config, f"{section}.{name}", value)
        else:
            _set(config, section, values)
    validate(config)
    return config
