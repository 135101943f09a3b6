"""Plans: a library preset plus overrides sized for a wall-time budget, and the MACs budgets every table uses.

A :class:`Plan` says which preset the harness, the ablations and the
redundancy study run, with which overrides, whether the architectures found are
trained from scratch, and whether the numbers are only indicative. ``quick`` is
the proxy preset shortened for a CPU main job of at most 30 minutes on 2 CPU
cores (README, Results, has the measured time): most of it goes to the
strict-fairness supernets, trained for as many epochs as the budget leaves room
for (their validation accuracy grows with the images they see, register D37). Budgets A/B/C (:func:`budget_targets`) sit at the relative
positions of SGNAS-A/B/C's targets (365/320/275M) in the paper's 270-450M range,
mapped onto the preset's target range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sgnas._infra.errors import SgnasError
from sgnas.config.presets import PRESETS, load_preset
from sgnas.config.schema import Config

__all__ = ["BUDGET_FRACTIONS", "PLANS", "Plan", "budget_targets", "load_plan", "resolve_config"]

#: SGNAS-A/B/C's targets (365/320/275M) as fractions of the paper's generator range 270-450M
BUDGET_FRACTIONS: dict[str, float] = {"A": (365 - 270) / 180, "B": (320 - 270) / 180, "C": (275 - 270) / 180}


@dataclass(frozen=True)
class Plan:
    """A library preset plus overrides, whether to train the found architectures, and whether numbers are indicative."""

    preset: str
    overrides: tuple[str, ...] = field(default=())
    standalone: bool = True
    indicative: bool = True
    #: the NAS-Bench-201 track's plan (:data:`replication.nasbench201.NB201_PLANS`) run beside it, or None
    nb201: str | None = None


PLANS: dict[str, Plan] = {
    "smoke": Plan("smoke", nb201="smoke"),
    # proxy, shortened so that two seeds, the redundancy study and every table run within 30 minutes on 2 CPU
    # cores (the studies side by side, replication/prefill.py): fewer images and epochs, smaller search budgets,
    # supernet-estimated accuracy only (stand-alone training of 18 architectures per seed does not fit)
    "quick": Plan("proxy", (
        "data.train_per_class=600", "supernet.epochs=6", "generator.epochs=12", "search.budget=60",
        "search.val_batches=4", "search.calib_batches=2",
    ), standalone=False, nb201="quick"),
    "proxy": Plan("proxy", nb201="quick"),
    "paper": Plan("paper", indicative=False, nb201="full"),
}


def load_plan(name: str, overrides: Sequence[str] = (), seed: int = 0) -> tuple[Plan, Config]:
    """The plan and its resolved config for one seed (plan overrides, then ``overrides``)."""
    if name not in PLANS:
        raise SgnasError(f"unknown plan {name!r}; choose one of {', '.join(PLANS)}")
    plan = PLANS[name]
    return plan, load_preset(plan.preset, [*plan.overrides, *overrides, f"seed={seed}"])


def resolve_config(name: str, overrides: Sequence[str], seed: int) -> Config:
    """The config of a plan name (:data:`PLANS`) or a library preset, for one seed."""
    if name in PLANS:
        return load_plan(name, overrides, seed)[1]
    if name not in PRESETS:
        raise SgnasError(f"unknown plan or preset {name!r}; choose one of {', '.join([*PLANS, *PRESETS.names()])}")
    return load_preset(name, [*overrides, f"seed={seed}"])


def budget_targets(config: Config) -> dict[str, float]:
    """Budgets A/B/C in the preset's target range, at SGNAS-A/B/C's relative positions in 270-450M."""
    low, high = config.target_range()
    return {label: round(low + fraction * (high - low), 4) for label, fraction in BUDGET_FRACTIONS.items()}
