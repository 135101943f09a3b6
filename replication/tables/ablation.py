"""The ablation table: per variant of ``replication/ablate.py``, constraint fit, accuracy and a paired comparison.

Per variant the constraint error, Kendall tau, supernet-estimated top-1 per
budget target, the top-1 of its finds on one common judge (the default's
supernet), stand-alone top-1 when measured, and the default judged against it
over common seeds in the claims' verdict words; read from ``ablation/ablation.csv``, ``None``
when no ablation was run into the results folder. Where a variant's supernet
did not learn (``ablation/supernets.csv``), its supernet top-1 cells and its
comparison with the default say "not testable: supernet at chance" instead.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from replication.ablation import DEFAULT
from replication.claims import ACCURACY_MARGIN_PP, CONSTRAINT_MARGIN_PP
from replication.results import Table, read_csv, read_json
from replication.stats import format_mean_std, judge
from replication.supernets import SupernetQuality, at_chance, supernet_qualities, supernets_of

__all__ = ["NAME", "NEEDS", "TITLE", "ablation_table"]

NAME = "ablation_table"
TITLE = "Ablations: each variant against the default configuration"
NEEDS = "ablation"


def _per_seed(ablation: pd.DataFrame) -> pd.DataFrame:
    """One row per (variant, seed): mean constraint error, tau, mean supernet, common-judge and stand-alone top-1."""
    if "judge_accuracy" not in ablation:  # written before the common judge
        ablation = ablation.assign(judge_accuracy=float("nan"))
    return ablation.groupby(["variant", "seed"], sort=False).agg(
        relative_error=("relative_error", "mean"),
        kendall_tau=("kendall_tau", "first"),
        supernet_accuracy=("supernet_accuracy", "mean"),
        judge_accuracy=("judge_accuracy", "mean"),
        standalone_top1=("standalone_top1", "mean"),
    ).reset_index()


def _versus_default(per_seed: pd.DataFrame, variant: str, value: str, qualities: dict[tuple[str, int], SupernetQuality],
                    margin: float, scale: float, higher_is_better: bool) -> str:
    """The default (the paper's choice) against ``variant`` on ``value``, paired over common seeds and judged as
    the claims are: "the default beats the variant" by ``margin`` (points), with its 95% t interval and verdict."""
    if variant == DEFAULT.name:
        seeds = per_seed.loc[per_seed["variant"] == variant, "seed"]
        return at_chance(supernets_of(qualities, variant, seeds)) or "reference"
    table = per_seed.pivot(index="seed", columns="variant", values=value)
    if DEFAULT.name not in table or variant not in table:
        return "no default run"
    pairs = table[[variant, DEFAULT.name]].dropna()
    if pairs.empty:
        return "not measured on common seeds"
    if value != "relative_error":  # on the common judge only the judge, the default's supernet, must have learned
        judged = [DEFAULT.name] if value == "judge_accuracy" else [variant, DEFAULT.name]
        untrained = at_chance([s for name in judged for s in supernets_of(qualities, name, pairs.index)])
        if untrained is not None:
            return untrained
    difference = scale * (pairs[DEFAULT.name] - pairs[variant])
    result = judge((difference if higher_is_better else -difference).to_numpy(), margin,
                   seeds=[int(s) for s in pairs.index], names=(DEFAULT.name, variant) if higher_is_better
                   else (variant, DEFAULT.name), unit=" pp")
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
        judged = mine["judge_accuracy"].dropna()
        row["Top-1, common judge (%)"] = format_mean_std(judged.mean(), judged.std()) if not judged.empty \
            else "not measured"
        standalone = mine["standalone_top1"].dropna()
        if ablation["standalone_top1"].notna().any():
            row["Stand-alone top-1 (%)"] = format_mean_std(standalone.mean(), standalone.std()) \
                if not standalone.empty else "not measured"
        accuracy = "standalone_top1" if not standalone.empty else "judge_accuracy"
        row["Default vs variant: top-1"] = _versus_default(per_seed, variant, accuracy, qualities,
                                                           ACCURACY_MARGIN_PP, 1.0, True)
        row["Default vs variant: constraint error"] = _versus_default(per_seed, variant, "relative_error", qualities,
                                                                      CONSTRAINT_MARGIN_PP, 100.0, False)
        rows.append(row)
    meta = read_json(results_dir, "ablation_meta") or {}
    notes = [f"Preset {meta['preset']}, seeds {meta.get('seeds')}." if meta.get("preset") else ""]
    if meta.get("preset") and meta["preset"] != "paper":
        notes.append(f"Numbers from preset {meta['preset']} are indicative only: short training on a small proxy, "
                     "not a replication of the paper's scale.")
    notes = [n for n in notes if n]
    notes.append("Constraint error: mean |F-T|/T over the targets of each seed; Kendall tau between targets and "
                 "generated MACs over the sweep; mean ± std over seeds. Supernet top-1 is each variant's own "
                 "supernet's estimate; the common judge is the default's supernet of the same seed scoring every "
                 "variant's finds (one scale for all), and stand-alone top-1 where measured.")
    notes.append(f"Default vs variant: the claim that the default (the paper's choice) beats the variant, paired "
                 f"over seeds: 95% t interval of the difference against a margin of {ACCURACY_MARGIN_PP} pp of top-1 "
                 f"(stand-alone where measured, else the common judge) or {CONSTRAINT_MARGIN_PP} pp of constraint "
                 "error, judged in the claims' four words: reproduced, contradicted, inconclusive (with the seeds "
                 "needed), not testable (a supernet at chance).")
    if math.isnan(per_seed["supernet_accuracy"].mean()):
        notes.append("No supernet-estimated accuracies were recorded.")
    return Table(NAME, TITLE, pd.DataFrame(rows), notes)
