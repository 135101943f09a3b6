"""Ablations of SGNAS: each idea switched off or changed, run against the default configuration.

A :class:`Variant` is a name and a list of ``section.field=value`` config
overrides (:func:`sgnas.config.apply_overrides`); the axes of the issue map to
config fields:

=====================  =====================================================
``--no-fs``            ``supernet.forced_sampling=false`` (supernet and generator)
``--lambda L``         ``generator.hw_lambda=L`` (one variant per value)
``--tau-decay D``      ``generator.tau_decay=D``
``--tau-constant T``   ``generator.tau=T``, ``generator.tau_decay=1.0``
``--hw-loss``          ``generator.loss=asymmetric`` (official) or ``relative``
``--generator``        ``generator.network=conv`` or ``mlp``
``--sampler``          ``supernet.sampler=strict-fair`` (fair) or ``uniform``
=====================  =====================================================

:func:`run_ablation` runs every variant and seed through the harness (cached
like every other run), writes ``ablation/ablation.csv`` and
``ablation/ablation.json`` into the results folder, and :func:`ablation_table`
turns the CSV into the table: per variant the constraint error, Kendall tau,
supernet-estimated top-1 per budget target, stand-alone top-1 when measured,
and a paired comparison with the default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from replication.results import ABLATION_COLUMNS, Table, read_csv, read_json, write_csv, write_json
from sgnas.errors import SgnasError
from sgnas.stats import format_mean_std, paired_compare

__all__ = [
    "DEFAULT",
    "HW_LOSSES",
    "SAMPLERS",
    "Variant",
    "ablation_table",
    "build_variants",
    "run_ablation",
]

#: CLI names of the hardware losses and samplers -> config values
HW_LOSSES: dict[str, str] = {"official": "asymmetric", "relative": "relative"}
SAMPLERS: dict[str, str] = {"fair": "strict-fair", "uniform": "uniform"}


@dataclass(frozen=True)
class Variant:
    """One configuration of the ablation: a name for tables and the config overrides that make it."""

    name: str
    overrides: tuple[str, ...] = field(default=())


DEFAULT = Variant("default")


def build_variants(
    no_fs: bool = False,
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
    for value in lambdas:
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
                                (f"generator.tau={tau_constant!r}", "generator.tau_decay=1.0")))
    if hw_loss is not None:
        if hw_loss not in HW_LOSSES:
            raise SgnasError(f"--hw-loss {hw_loss!r}: choose {' or '.join(HW_LOSSES)}")
        variants.append(Variant(f"hw-loss={hw_loss}", (f"generator.loss={HW_LOSSES[hw_loss]}",)))
    if generator is not None:
        if generator not in ("conv", "mlp"):
            raise SgnasError(f"--generator {generator!r}: choose conv or mlp")
        variants.append(Variant(f"generator={generator}", (f"generator.network={generator}",)))
    if sampler is not None:
        if sampler not in SAMPLERS:
            raise SgnasError(f"--sampler {sampler!r}: choose {' or '.join(SAMPLERS)}")
        variants.append(Variant(f"sampler={sampler}", (f"supernet.sampler={SAMPLERS[sampler]}",)))
    if len(variants) == 1:
        raise SgnasError("no ablation requested; give at least one of --no-fs, --lambda, --tau-decay, "
                         "--tau-constant, --hw-loss, --generator, --sampler")
    return variants


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
    """Run every variant for every seed (cached runs are reused) and write ablation.csv; its path."""
    from replication.harness import run_generator_variant  # the harness trains; this module only tabulates

    if not seeds:
        raise SgnasError("no seeds given")
    rows = []
    for variant in variants:
        for seed in seeds:
            outcome = run_generator_variant(preset, [*overrides, *variant.overrides], seed, results_dir,
                                            standalone=standalone, data_dir=data_dir, runs_dir=runs_dir)
            for row in outcome:
                rows.append({**row, "variant": variant.name, "seed": seed, "overrides": " ".join(variant.overrides)})
    write_json(results_dir, "ablation_meta", {
        "preset": preset, "seeds": list(seeds), "common_overrides": list(overrides), "standalone": standalone,
        "variants": [{"name": v.name, "overrides": list(v.overrides)} for v in variants],
    })
    return write_csv(results_dir, "ablation", rows, ABLATION_COLUMNS)


def _per_seed(ablation: pd.DataFrame) -> pd.DataFrame:
    """One row per (variant, seed): mean constraint error, tau, mean supernet and stand-alone top-1."""
    return ablation.groupby(["variant", "seed"], sort=False).agg(
        relative_error=("relative_error", "mean"),
        kendall_tau=("kendall_tau", "first"),
        supernet_accuracy=("supernet_accuracy", "mean"),
        standalone_top1=("standalone_top1", "mean"),
    ).reset_index()


def _versus_default(per_seed: pd.DataFrame, variant: str) -> str:
    """Paired comparison of the variant's mean supernet top-1 with the default's, over common seeds."""
    if variant == DEFAULT.name:
        return "reference"
    table = per_seed.pivot(index="seed", columns="variant", values="supernet_accuracy")
    if DEFAULT.name not in table or variant not in table:
        return "no default run"
    pairs = table[[variant, DEFAULT.name]].dropna()
    if pairs.empty:
        return "no common seeds"
    result = paired_compare(pairs[variant].to_numpy(), pairs[DEFAULT.name].to_numpy(),
                            [int(s) for s in pairs.index], names=(variant, DEFAULT.name))
    return result.statement


def ablation_table(results_dir: str | Path) -> Table | None:
    """The ablation table from ablation/ablation.csv, or ``None`` when no ablation was run."""
    ablation = read_csv(results_dir, "ablation")
    if ablation is None or ablation.empty:
        return None
    per_seed = _per_seed(ablation)
    budgets = ablation.dropna(subset=["supernet_accuracy"])
    targets = sorted(budgets["target_macs_m"].unique(), reverse=True)
    rows = []
    for variant in dict.fromkeys(ablation["variant"]):
        mine = per_seed[per_seed["variant"] == variant]
        first = ablation[ablation["variant"] == variant].iloc[0]
        row = {
            "Variant": variant,
            "Overrides": first["overrides"] if isinstance(first["overrides"], str) else "",
            "Seeds": ", ".join(str(int(s)) for s in mine["seed"]),
            "Constraint error (%)": format_mean_std(100 * mine["relative_error"].mean(),
                                                    100 * mine["relative_error"].std()),
            "Kendall tau": format_mean_std(mine["kendall_tau"].mean(), mine["kendall_tau"].std()),
        }
        for target in targets:
            values = budgets[(budgets["variant"] == variant) & (budgets["target_macs_m"] == target)]
            values = values.groupby("seed")["supernet_accuracy"].mean()
            row[f"Supernet top-1 @ {target:.3g}M"] = format_mean_std(values.mean(), values.std()) \
                if not values.empty else "not measured"
        standalone = mine["standalone_top1"].dropna()
        if ablation["standalone_top1"].notna().any():
            row["Stand-alone top-1 (%)"] = format_mean_std(standalone.mean(), standalone.std()) \
                if not standalone.empty else "not measured"
        row["vs default (supernet top-1)"] = _versus_default(per_seed, variant)
        rows.append(row)
    meta = read_json(results_dir, "ablation_meta") or {}
    notes = [f"Preset {meta['preset']}, seeds {meta.get('seeds')}." if meta.get("preset") else ""]
    if meta.get("preset") and meta["preset"] != "paper":
        notes.append(f"Numbers from preset {meta['preset']} are indicative only: short training on a small proxy, "
                     "not a replication of the paper's scale.")
    notes = [n for n in notes if n]
    notes.append("Constraint error: mean |F-T|/T over the targets of each seed; Kendall tau between targets and "
                 "generated MACs over the sweep; mean ± std over seeds.")
    if math.isnan(per_seed["supernet_accuracy"].mean()):
        notes.append("No supernet-estimated accuracies were recorded.")
    return Table("ablation_table", "Ablations: each variant against the default configuration", pd.DataFrame(rows), notes)
