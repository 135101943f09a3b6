"""Ablations of SGNAS: each idea switched off or changed, run against the default configuration.

A :class:`Variant` is a name and a list of ``section.field=value`` config
overrides (:func:`sgnas.config.schema.apply_overrides`); the axes of the issue map to
config fields:

=====================  =====================================================
``--no-fs``            ``supernet.forced_sampling=false`` (supernet, generator, prior), the paper setup otherwise
``--official``         the official code's setup (:mod:`sgnas.config.setups`): no forced sampling, its sampler, its
                       mask, prior and augmentation
``--lambda L``         ``generator.hw_lambda=L`` (one variant per value)
``--tau-decay D``      ``generator.tau_decay=D``
``--tau-constant T``   ``generator.tau=T``, ``generator.tau_end=T``
``--hw-loss``          ``generator.loss=asymmetric`` (official) or ``relative``
``--generator``        ``generator.network=conv`` or ``mlp``
``--sampler S``        ``supernet.sampler=S``, any registered sampler (:data:`sgnas.registry.SAMPLERS`), in the
                       paper setup (``official`` is the official sampler with forced sampling; ``--official``
                       is the official code)
=====================  =====================================================

:func:`run_ablation` runs every variant and seed through the pipeline (cached
like every other run) and writes ``ablation/ablation.csv`` and
``ablation/ablation.json`` (and ``ablation/supernets.csv``, whether each variant's supernet learned) into the
results folder;
:mod:`replication.tables.ablation` turns them into the table and the report
draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replication._inputs import check_seeds, distinct
from replication.plans import budget_targets, resolve_config
from replication.results import ABLATION_COLUMNS, ABLATION_SUPERNET_COLUMNS, write_csv, write_json
from replication.supernets import supernet_row
from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import RunDir
from sgnas.config.setups import setup_overrides
from sgnas.registry import SAMPLERS, UNIFIED

__all__ = ["DEFAULT", "HW_LOSSES", "Variant", "build_variants", "main_job_variants", "run_ablation",
           "run_generator_variant"]

#: CLI names of the hardware losses -> config values
HW_LOSSES: dict[str, str] = {"official": "asymmetric", "relative": "relative"}


@dataclass(frozen=True)
class Variant:
    """One configuration of the ablation: a name for tables and the config overrides that make it."""

    name: str
    overrides: tuple[str, ...] = field(default=())


DEFAULT = Variant("default")


def build_variants(
    no_fs: bool = False,
    official: bool = False,
    lambdas: Sequence[float] = (),
    tau_decay: float | None = None,
    tau_constant: float | None = None,
    hw_loss: str | None = None,
    generator: str | None = None,
    sampler: str | None = None,
) -> list[Variant]:
    """The default followed by one variant per requested change (at least one is required)."""
    variants = [DEFAULT]
    if no_fs:
        variants.append(Variant("no-fs", ("supernet.forced_sampling=false",)))
    if official:
        variants.append(Variant("official code", tuple(setup_overrides("official"))))
    for value in distinct(lambdas, "--lambda"):
        if not value > 0:
            raise SgnasError(f"--lambda {value}: the hardware-loss weight must be positive")
        variants.append(Variant(f"lambda={value:g}", (f"generator.hw_lambda={value!r}",)))
    if tau_decay is not None and tau_constant is not None:
        raise SgnasError("--tau-decay and --tau-constant are alternatives; give one")
    if tau_decay is not None:
        if not 0 < tau_decay <= 1:
            raise SgnasError(f"--tau-decay {tau_decay}: must lie in (0, 1]")
        variants.append(Variant(f"tau-decay={tau_decay:g}", (f"generator.tau_decay={tau_decay!r}",)))
    if tau_constant is not None:
        if not tau_constant > 0:
            raise SgnasError(f"--tau-constant {tau_constant}: must be positive")
        variants.append(Variant(f"tau={tau_constant:g} constant",
                                (f"generator.tau={tau_constant!r}", f"generator.tau_end={tau_constant!r}")))
    if hw_loss is not None:
        if hw_loss not in HW_LOSSES:
            raise SgnasError(f"--hw-loss {hw_loss!r}: choose {' or '.join(HW_LOSSES)}")
        variants.append(Variant(f"hw-loss={hw_loss}", (f"generator.loss={HW_LOSSES[hw_loss]}",)))
    if generator is not None:
        if generator not in ("conv", "mlp"):
            raise SgnasError(f"--generator {generator!r}: choose conv or mlp")
        variants.append(Variant(f"generator={generator}", (f"generator.network={generator}",)))
    if sampler is not None:
        if sampler not in SAMPLERS.names(family=UNIFIED):
            raise SgnasError(f"--sampler {sampler!r}: choose one of {', '.join(SAMPLERS.names(family=UNIFIED))}")
        variants.append(Variant(f"sampler={sampler}", (f"supernet.sampler={sampler}",)))
    if len(variants) == 1:
        raise SgnasError("no ablation requested; give at least one of --no-fs, --official, --lambda, --tau-decay, "
                         "--tau-constant, --hw-loss, --generator, --sampler")
    return variants


def main_job_variants(preset: str, overrides: Sequence[str] = ()) -> list[Variant]:
    """The ablations the main job runs by default: forced sampling off, lambda at a quarter and four times the
    preset's, the temperature held at its start (no annealing) and the fully connected generator. The official
    code's setup (``ablate.py --official``) is left to ablate.py: it trains a supernet of its own per seed (its
    sampler and augmentation differ), which the main job's half hour does not hold."""
    config = resolve_config(preset, overrides, 0)
    hw_lambda = config.generator.hw_lambda
    return build_variants(no_fs=True, lambdas=(hw_lambda / 4, hw_lambda * 4), tau_constant=config.generator.tau,
                          generator="mlp")


def run_generator_variant(
    preset: str,
    overrides: Sequence[str],
    seed: int,
    results_dir: str | Path,
    standalone: bool = False,
    data_dir: str | Path | None = None,
    runs_dir: str | Path | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One ablation variant and seed: supernet -> generator -> budgets A/B/C; rows of ablation.csv and the
    supernet's row (:func:`replication.supernets.supernet_row`, without the variant; its ``run`` is the run's
    folder).

    ``preset`` is a plan name (:data:`~replication.plans.PLANS`) or a library preset. Rows: one per
    budget (with supernet-estimated and, when asked, stand-alone top-1), then one
    per target of the generator's model-selection sweep (constraint fit only).
    Kendall tau is the generator's over that sweep.
    """
    from sgnas.pipeline import run_pipeline

    config = resolve_config(preset, overrides, seed)
    results_dir = Path(results_dir)
    runs_dir = Path(runs_dir) if runs_dir is not None else results_dir / "runs"
    targets = budget_targets(config)
    outcome = run_pipeline(config, list(targets.values()), runs_dir, data_dir=data_dir, evaluate=standalone)
    generated = RunDir(Path(outcome["generator_run"])).results
    tau = generated.get("kendall_tau")
    standalone_top1 = {round(e["target_m"], 6): e.get("test_top1") for e in outcome["evaluated"]}
    rows = []
    for budget, record in zip(targets, outcome["search"]["results"]):
        target, macs = record["target_m_in_convention"], record["macs_m_in_convention"]
        rows.append({
            "budget": budget, "target_macs_m": target, "macs_m": macs, "relative_error": abs(macs - target) / target,
            "supernet_accuracy": record["supernet_accuracy"], "standalone_top1": standalone_top1.get(round(target, 6)),
            "kendall_tau": tau, "architecture": record["architecture"],
        })
    for target, macs, arch in zip(generated["targets_m"], generated["macs_m"], generated["archs"]):
        rows.append({
            "budget": None, "target_macs_m": target, "macs_m": macs, "relative_error": abs(macs - target) / target,
            "supernet_accuracy": None, "standalone_top1": None, "kendall_tau": tau, "architecture": arch,
        })
    supernet_run = Path(outcome["supernet_run"])
    return rows, supernet_row(RunDir(supernet_run).results, config.supernet.sampler, seed, supernet_run.resolve())


def _common_judge(preset: str, overrides: Sequence[str], seed: int, supernet_run: str | Path,
                  data_dir: str | Path | None) -> Any:
    """The supernet estimate of an architecture (its string) by the default variant's supernet of ``seed``: one
    judge for every variant's finds, so that a difference between variants is the architectures', not their
    supernets' (a forced-sampling evaluator scores a non-canonical find on its canonical form, the same network)."""
    from sgnas.pipeline import prepare, search_context
    from sgnas.registry import SPACES

    config = resolve_config(preset, overrides, seed)
    context = search_context(prepare(config, data_dir), Path(supernet_run) / "supernet.pt")
    space, entry = config.space.build(), SPACES.get(config.space.name)
    return lambda text: context.evaluator.accuracy(entry.parse(text, space))


def run_ablation(
    variants: Sequence[Variant],
    preset: str,
    seeds: Sequence[int],
    results_dir: str | Path,
    overrides: Sequence[str] = (),
    standalone: bool = False,
    data_dir: str | Path | None = None,
    runs_dir: str | Path | None = None,
) -> Path:
    """Run every variant for every seed (cached runs are reused), score every variant's finds by the default
    variant's supernet of the same seed (``judge_accuracy``), and write ablation.csv; its path. The default runs
    whether or not ``variants`` lists it: it is the reference and the judge."""
    seeds = check_seeds(seeds)
    default = resolve_config(preset, overrides, seeds[0])
    for variant in variants:
        if variant != DEFAULT and resolve_config(preset, [*overrides, *variant.overrides], seeds[0]) == default:
            raise SgnasError(f"variant {variant.name!r} changes nothing on preset {preset} (it is already the "
                             "preset's own setting, e.g. the official setup of cifar100); leave it out")
    rows, supernets = [], []
    judges: dict[int, Any] = {}
    for variant in [DEFAULT, *(v for v in variants if v != DEFAULT)]:  # the default first: it is every seed's judge
        for seed in seeds:
            outcome, supernet = run_generator_variant(preset, [*overrides, *variant.overrides], seed, results_dir,
                                                      standalone=standalone, data_dir=data_dir, runs_dir=runs_dir)
            if variant == DEFAULT:
                judges[seed] = _common_judge(preset, overrides, seed, supernet["run"], data_dir)
            for row in outcome:
                judged = judges[seed](row["architecture"]) if row["budget"] is not None else None
                rows.append({**row, "judge_accuracy": judged, "variant": variant.name, "seed": seed,
                             "overrides": " ".join(variant.overrides)})
            supernets.append({**supernet, "variant": variant.name})
    write_json(results_dir, "ablation_meta", {
        "preset": preset, "seeds": list(seeds), "common_overrides": list(overrides), "standalone": standalone,
        "variants": [{"name": v.name, "overrides": list(v.overrides)} for v in variants],
        "default_lambda": default.generator.hw_lambda, "default_tau": [default.generator.tau, default.generator.tau_end],
    })
    write_csv(results_dir, "ablation_supernets", supernets, ABLATION_SUPERNET_COLUMNS)
    return write_csv(results_dir, "ablation", rows, ABLATION_COLUMNS)
