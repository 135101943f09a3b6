"""The ablation table: per variant of ``replication/ablate.py``, constraint fit, accuracy and a paired comparison.

Per variant the constraint error, Kendall tau, supernet-estimated top-1 per
budget target, stand-alone top-1 when measured, and a paired comparison with
the default over common seeds; read from ``ablation/ablation.csv``, ``None``
when no ablation was run into the results folder. Where a variant's supernet
did not learn (``ablation/supernets.csv``), its supernet top-1 cells and its
comparison with the default say "not testable: supernet at chance" instead.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from replication.ablation import DEFAULT
from replication.results import Table, read_csv, read_json
from replication.stats import format_mean_std, paired_compare
from replication.supernets import SupernetQuality, at_chance, supernet_qualities, supernets_of

__all__ = ["NAME", "NEEDS", "TITLE", "ablation_table"]

NAME = "ablation_table"
TITLE = "Ablations: each variant against the default configuration"
NEEDS = "ablation"


def _per_seed(ablation: pd.DataFrame) -> pd.DataFrame:
    """One row per (variant, seed): mean constraint error, tau, mean supernet and stand-alone top-1."""
    return ablation.groupby(["variant", "seed"], sort=False).agg(
        relative_error=("relative_error", "mean"),
        kendall_tau=("kendall_tau", "first"),
        supernet_accuracy=("supernet_accuracy", "mean"),
        standalone_top1=("standalone_top1", "mean"),
    ).reset_index()


def _versus_default(per_seed: pd.DataFrame, variant: str, qualities: dict[tuple[str, int], SupernetQuality]) -> str:
    """Paired comparison of the variant's mean supernet top-1 with the default's, over common seeds."""
    if variant == DEFAULT.name:
        seeds = per_seed.loc[per_seed["variant"] == variant, "seed"]
        return at_chance(supernets_of(qualities, variant, seeds)) or "reference"
    table = per_seed.pivot(index="seed", columns="variant", values="supernet_accuracy")
    if DEFAULT.name not in table or variant not in table:
        return "no default run"
    pairs = table[[variant, DEFAULT.name]].dropna()
    if pairs.empty:
        return "no common seeds"
    seeds = pairs.index.to_series()
    untrained = at_chance([*supernets_of(qualities, variant, seeds),
                           *supernets_of(qualities, DEFAULT.name, seeds)])
    if untrained is not None:
        return untrained
    result = paired_compare(pairs[variant].to_numpy(), pairs[DEFAULT.name].to_numpy(),
                            [int(s) for s in pairs.index], names=(variant, DEFAULT.name))
    return result.statement


def ablation_table(results_dir: str | Path) -> Table | None:
    """The ablation table from ablation/ablation.csv, or ``None`` when no ablation was run."""
    ablation = read_csv(results_dir, "ablation")
    if ablation is None or ablation.empty:
        return None
    per_seed = _per_seed(ablation)
    qualities = supernet_qualities(results_dir, "ablation_supernets")
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
        untrained = at_chance(supernets_of(qualities, variant, mine["seed"]))
        for target in targets:
            values = budgets[(budgets["variant"] == variant) & (budgets["target_macs_m"] == target)]
            values = values.groupby("seed")["supernet_accuracy"].mean()
            row[f"Supernet top-1 @ {target:.3g}M"] = untrained or (format_mean_std(values.mean(), values.std())
                                                                   if not values.empty else "not measured")
        standalone = mine["standalone_top1"].dropna()
        if ablation["standalone_top1"].notna().any():
            row["Stand-alone top-1 (%)"] = format_mean_std(standalone.mean(), standalone.std()) \
                if not standalone.empty else "not measured"
        row["vs default (supernet top-1)"] = _versus_default(per_seed, variant, qualities)
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
    return Table(NAME, TITLE, pd.DataFrame(rows), notes)
