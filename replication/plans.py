"""Plans: presets plus overrides sized for a wall-time budget, and the MACs budgets every table uses.

One vocabulary for the scale of every space. A *preset* is a named base: a
library preset (:data:`sgnas.config.presets.PRESETS`, the unified space's
:class:`~sgnas.config.schema.Config`) or a NAS-Bench-201 preset
(:data:`NB201_PRESETS`, the ground-truth track's :class:`NB201Preset`). A
:class:`Plan` names one of each and overrides either with the same
``section.field=value`` form (``nb201.field=value`` for the track), checked by
the same code (:func:`sgnas.config.schema.override_section`); a user's
``--set`` reaches every field of every plan the same way. The plan also says
whether the architectures found are trained from scratch, and whether the
numbers are only indicative. ``quick`` is
the proxy preset shortened for a CPU main job of at most 30 minutes on 2 CPU
cores (README, Results, has the measured time): most of it goes to the
strict-fairness supernets, trained for as many epochs as the budget leaves room
for (their validation accuracy grows with the images they see, register D37). Budgets A/B/C (:func:`budget_targets`) sit at the relative
positions of SGNAS-A/B/C's targets (365/320/275M) in the paper's 270-450M range,
mapped onto the preset's target range.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sgnas._infra.errors import SgnasError
from sgnas.config.presets import PRESETS, load_preset
from sgnas.config.schema import Config, GeneratorConfig, check_value, override_section, split_override
from sgnas.spaces.nasbench201.cell import NUM_CELLS
from sgnas.spaces.nasbench201.macro import MacroSpec
from sgnas.spaces.nasbench201.supernet import BN_MODES

__all__ = [
    "BUDGET_FRACTIONS", "NB201Preset", "NB201_PRESETS", "NB201_SECTION", "PLANS", "Plan", "RANKING_STRATA",
    "budget_targets", "load_nb201", "load_plan", "overrides_for", "resolve_config", "split_overrides",
]

#: SGNAS-A/B/C's targets (365/320/275M) as fractions of the paper's generator range 270-450M
BUDGET_FRACTIONS: dict[str, float] = {"A": (365 - 270) / 180, "B": (320 - 270) / 180, "C": (275 - 270) / 180}
#: the section name of the NAS-Bench-201 preset's fields in overrides (``nb201.epochs=3``)
NB201_SECTION = "nb201"
#: the NAS-Bench-201 ranking sample draws equally from this many MACs strata of the space
RANKING_STRATA = 10
#: NAS-Bench-201 preset fields bounded as their namesakes of the unified config are
_SAME_AS: dict[str, str] = {
    "resolution": "space.resolution", "train_per_class": "data.train_per_class",
    "val_per_class": "data.val_per_class", "batch_size": "supernet.batch_size",
    "eval_batch_size": "supernet.batch_size", "val_batches": "search.val_batches", "epochs": "supernet.epochs",
    "lr": "supernet.lr", "generator_epochs": "generator.epochs", "sweep_targets": "generator.sweep_targets",
    "threads": "threads",
}
#: NAS-Bench-201 preset counts without a namesake: their least value (None, where allowed, means no cap)
_COUNTS: dict[str, int] = {"channels": 1, "cells_per_stage": 1, "calib_batches": 0, "generator_steps": 1, "seeds": 1,
                           "latency_seeds": 1}
#: NAS-Bench-201 preset fields no override may change: its name, and whether its numbers are only indicative
#: (a smoke run renamed ``full`` would be judged against the published figures)
_FIXED = ("name", "indicative")


@dataclass(frozen=True)
class NB201Preset:
    """The NAS-Bench-201 track's scale (its preset): the proxy network, the data, the training, the evaluation and
    the searches. Each field that means the same as a field of the unified :class:`~sgnas.config.schema.Config`
    is bounded by that field's range (:data:`_SAME_AS`)."""

    name: str
    #: proxy supernet: channels C, cells per stage N, input side (the benchmark's: 16, 5, 32)
    channels: int
    cells_per_stage: int
    resolution: int
    dataset: str = "cifar10"
    train_per_class: int | None = None
    val_per_class: int = 25
    batch_size: int = 64
    eval_batch_size: int = 250
    val_batches: int = 1
    epochs: int = 1
    lr: float = 0.05
    bn: str = "batch-stats"
    calib_batches: int = 0
    ranking_cells: int = 500
    search_budget: int = 50
    generator_epochs: int = 5
    generator_steps: int | None = None
    #: the generator's model selection after each epoch (``generator.selection`` of the unified space's config)
    generator_selection: str = GeneratorConfig.selection
    sweep_targets: int = 11
    threads: int = 1
    #: seeds the track runs by default (0 to seeds - 1), whatever seeds the unified space's studies use: a seed
    #: costs little here, and its verdicts need several
    seeds: int = 5
    #: seeds of the latency track (:mod:`replication.latency`): one generator per device and seed
    latency_seeds: int = 2
    indicative: bool = True

    def __post_init__(self) -> None:
        """Counts bounded by what they count (a search or a ranking sample takes at most every cell of the space),
        every other field as the unified config bounds its namesake; a one-line error naming the field."""
        for name, low in (("search_budget", 1), ("ranking_cells", RANKING_STRATA)):
            value = getattr(self, name)
            if not low <= value <= NUM_CELLS:
                raise SgnasError(f"nb201.{name} must be from {low} to {NUM_CELLS:,} (the cells of the space), "
                                 f"got {value!r}")
        for item in dataclasses.fields(self):
            check_value(_SAME_AS.get(item.name, ""), getattr(self, item.name), f"nb201.{item.name}")
        for name, low in _COUNTS.items():
            if getattr(self, name) is not None and getattr(self, name) < low:
                raise SgnasError(f"nb201.{name} must be at least {low}, got {getattr(self, name)!r}")
        if self.bn == "running" and self.calib_batches < 1:
            raise SgnasError("nb201.calib_batches must be at least 1 where nb201.bn is running (it recalibrates BN)")
        try:  # what the network itself refuses (a side not divisible by its two reductions), before any run starts
            MacroSpec(channels=self.channels, cells_per_stage=self.cells_per_stage, resolution=self.resolution)
        except SgnasError as err:
            raise SgnasError(f"nb201: {err}") from None
        for name, choices in (("bn", BN_MODES), ("dataset", ("cifar10", "synthetic")),
                              ("generator_selection", ("official", "score"))):
            if getattr(self, name) not in choices:
                raise SgnasError(f"nb201.{name} must be one of {', '.join(choices)}, got {getattr(self, name)!r}")

    def describe(self) -> str:
        """One line for the table's notes: what was trained and how it was evaluated."""
        images = "all" if self.train_per_class is None else f"{self.train_per_class}"
        return (f"preset {self.name}: supernet C={self.channels}, N={self.cells_per_stage} at "
                f"{self.resolution}x{self.resolution}, {images} training images per class, {self.epochs} epochs, "
                f"batch {self.batch_size}, BN {self.bn}; estimates on {self.val_batches * self.eval_batch_size} "
                f"held-out training images; {self.ranking_cells} ranked cells; {self.search_budget} evaluations "
                f"per search; generator {self.generator_epochs} epochs, model selection {self.generator_selection}")

    def supernet_key(self, sampler: str) -> dict[str, Any]:
        """What a supernet run is made of: the network, data and training, and the validation it reports."""
        fields = ("channels", "cells_per_stage", "resolution", "dataset", "train_per_class", "val_per_class",
                  "batch_size", "epochs", "lr", "bn", "eval_batch_size", "val_batches", "calib_batches")
        return {"sampler": sampler, **{f: getattr(self, f) for f in fields}}


NB201_PRESETS: dict[str, NB201Preset] = {
    # seconds: a tiny network on synthetic images (tests pass a synthetic table too)
    "smoke": NB201Preset("smoke", channels=4, cells_per_stage=1, resolution=8, dataset="synthetic",
                         train_per_class=8, val_per_class=4, batch_size=16, eval_batch_size=40, epochs=1,
                         ranking_cells=20, search_budget=6, generator_epochs=1, generator_steps=3, sweep_targets=5,
                         seeds=2, latency_seeds=1),
    # the main job's share (about 1.7 minutes per seed beside its other studies on 2 CPU cores, 5 seeds): C=8, N=1
    # at 16x16, 150 images per class for 10 epochs, estimates on 160 held-out images, 500 ranked cells, 40
    # evaluations per search
    "quick": NB201Preset("quick", channels=8, cells_per_stage=1, resolution=16, train_per_class=150,
                         val_per_class=16, batch_size=64, eval_batch_size=160, epochs=10, ranking_cells=500,
                         search_budget=40, generator_epochs=32, generator_steps=25, seeds=5, latency_seeds=1),
    # the benchmark's weight-sharing protocol (GPU): its network at 32x32, the whole training split less the
    # held-out images, 100 epochs; 1000 ranked cells; SPOS's 1000 evaluations per search
    "full": NB201Preset("full", channels=16, cells_per_stage=5, resolution=32, train_per_class=None,
                        val_per_class=500, batch_size=64, eval_batch_size=250, val_batches=4, epochs=100,
                        ranking_cells=1000, search_budget=1000, generator_epochs=50, threads=0, latency_seeds=3,
                        indicative=False),
}


@dataclass(frozen=True)
class Plan:
    """A library preset plus overrides, whether to train the found architectures, and whether numbers are indicative."""

    preset: str
    overrides: tuple[str, ...] = field(default=())
    standalone: bool = True
    indicative: bool = True
    #: the NAS-Bench-201 track's preset (:data:`NB201_PRESETS`) run beside it, or None
    nb201: str | None = None


PLANS: dict[str, Plan] = {
    "smoke": Plan("smoke", nb201="smoke"),
    # proxy, shortened so that two seeds, the redundancy study and every table run within 30 minutes on 2 CPU
    # cores (the studies side by side, replication/prefill.py): fewer images and epochs, smaller search budgets,
    # supernet-estimated accuracy only (stand-alone training of 18 architectures per seed does not fit)
    "quick": Plan("proxy", (
        "data.train_per_class=600", "supernet.epochs=5", "generator.epochs=12", "search.budget=60",
        "search.val_batches=4", "search.calib_batches=2",
    ), standalone=False, nb201="quick"),
    "proxy": Plan("proxy", nb201="quick"),
    "paper": Plan("paper", indicative=False, nb201="full"),
}


def _plan(name: str) -> Plan:
    if name not in PLANS:
        raise SgnasError(f"unknown plan {name!r}; choose one of {', '.join(PLANS)}")
    return PLANS[name]


def split_overrides(overrides: Sequence[str]) -> tuple[list[str], list[str]]:
    """Overrides parted into the unified config's (``section.field=value``) and the NAS-Bench-201 preset's
    (``nb201.field=value``), each in the order given."""
    config: list[str] = []
    track: list[str] = []
    for item in overrides:
        (track if split_override(item)[0].startswith(f"{NB201_SECTION}.") else config).append(item)
    return config, track


def overrides_for(track: bool, overrides: Sequence[str]) -> list[str]:
    """``overrides`` checked to be all of one kind: the NAS-Bench-201 track's (``track``) or the unified config's;
    one of the other kind would set nothing where it is given, so it is an error naming where it belongs."""
    config, nb201 = split_overrides(overrides)
    if track and config:
        raise SgnasError(f"the NAS-Bench-201 track takes {NB201_SECTION}.field=value overrides; {config[0]!r} sets "
                         "the unified space's config (give it to replicate_table.py or the harness)")
    if not track and nb201:
        raise SgnasError(f"{nb201[0]!r} sets the NAS-Bench-201 track, which this step does not run (give it to "
                         "replicate_table.py or nasbench201.py)")
    return list(overrides)


def _split(plan_name: str, overrides: Sequence[str]) -> tuple[list[str], list[str]]:
    """A plan's overrides, then ``overrides``, parted as :func:`split_overrides` does."""
    config, track = split_overrides([*_plan(plan_name).overrides, *overrides])
    if track and _plan(plan_name).nb201 is None:
        raise SgnasError(f"plan {plan_name} has no NAS-Bench-201 track, so {track[0]!r} sets nothing")
    return config, track


def load_plan(name: str, overrides: Sequence[str] = (), seed: int = 0) -> tuple[Plan, Config]:
    """The plan and its resolved config for one seed (plan overrides, then ``overrides``); the NAS-Bench-201
    overrides among them are checked too, so that a bad one stops the main job before anything runs."""
    config_overrides, track = _split(name, overrides)
    _track_preset(name, track)
    return _plan(name), load_preset(_plan(name).preset, [*config_overrides, f"seed={seed}"])


def load_nb201(name: str, overrides: Sequence[str] = ()) -> NB201Preset | None:
    """The NAS-Bench-201 preset of plan ``name`` with its ``nb201.field=value`` overrides (the plan's, then
    ``overrides``) applied; None for a plan without the track."""
    return _track_preset(name, _split(name, overrides)[1])


def _track_preset(name: str, track: Sequence[str]) -> NB201Preset | None:
    preset = _plan(name).nb201
    return None if preset is None else override_section(NB201_PRESETS[preset], NB201_SECTION, track, _FIXED)


def resolve_config(name: str, overrides: Sequence[str], seed: int) -> Config:
    """The config of a plan name (:data:`PLANS`) or a library preset, for one seed (the unified space's steps:
    an ``nb201.*`` override is refused)."""
    overrides = overrides_for(False, overrides)
    if name in PLANS:
        return load_plan(name, overrides, seed)[1]
    if name not in PRESETS:
        raise SgnasError(f"unknown plan or preset {name!r}; choose one of {', '.join([*PLANS, *PRESETS.names()])}")
    return load_preset(name, [*overrides, f"seed={seed}"])


def budget_targets(config: Config) -> dict[str, float]:
    """Budgets A/B/C in the preset's target range, at SGNAS-A/B/C's relative positions in 270-450M."""
    low, high = config.target_range()
    return {label: round(low + fraction * (high - low), 4) for label, fraction in BUDGET_FRACTIONS.items()}
