"""Ablation plots: each variant of replication/ablate.py against the default configuration.

Four panels from ``ablation/ablation.csv``: constraint error |F-T|/T and
Kendall tau(T, F) per variant (mean ± std over seeds), supernet-estimated
top-1 per target (stand-alone top-1 dashed where it was measured), and target
versus generated MACs. The accuracy panel draws chance (100 / classes %) and
marks a variant whose supernet did not learn (``ablation/supernets.csv``).
"""

from __future__ import annotations

from pathlib import Path

import seaborn as sns
from matplotlib.figure import Figure

from replication.results import read_csv
from replication.supernets import at_chance, chance_top1, supernet_qualities, supernets_of
from reports.figures._common import AT_CHANCE, MissingResult, chance_line, new_figure, styled
from reports.style import FULL_WIDTH

__all__ = ["ablation_figure"]


@styled
def ablation_figure(results_dir: Path) -> Figure:
    ablation = read_csv(results_dir, "ablation")
    if ablation is None or ablation.empty:
        raise MissingResult("ablation/ablation.csv not produced (run replication/ablate.py)")
    variants = list(dict.fromkeys(ablation["variant"]))
    palette = dict(zip(variants, sns.color_palette("colorblind", len(variants))))
    per_seed = ablation.groupby(["variant", "seed"], sort=False).agg(
        relative_error=("relative_error", "mean"), kendall_tau=("kendall_tau", "first")).reset_index()
    figure, axes = new_figure(FULL_WIDTH, 5.0, nrows=2, ncols=2)
    for ax, value, label in ((axes[0, 0], "relative_error", "constraint error |F-T|/T"),
                             (axes[0, 1], "kendall_tau", "Kendall tau(T, F)")):
        stats = per_seed.groupby("variant", sort=False)[value].agg(["mean", "std"]).reindex(variants)
        ax.bar(range(len(variants)), stats["mean"].fillna(0), yerr=stats["std"].fillna(0), capsize=2,
               color=[palette[v] for v in variants])
        ax.set_xticks(range(len(variants)), variants, rotation=30, ha="right")
        ax.set_ylabel(label)
        ax.grid(axis="x", visible=False)
    axes[0, 0].yaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    ax = axes[1, 0]
    qualities = supernet_qualities(results_dir, "ablation_supernets")
    for variant in variants:
        mine = ablation[ablation["variant"] == variant]
        rows = mine.groupby("target_macs_m")
        accuracy = rows["supernet_accuracy"].mean().dropna()
        if not accuracy.empty:
            untrained = at_chance(supernets_of(qualities, variant, mine["seed"].unique())) is not None
            ax.plot(accuracy.index, accuracy, marker="o", color=palette[variant], linestyle=":" if untrained else "-",
                    label=f"{variant} (supernet){AT_CHANCE if untrained else ''}")
        standalone = rows["standalone_top1"].mean().dropna()
        if not standalone.empty:
            ax.plot(standalone.index, standalone, marker="s", linestyle="--", color=palette[variant],
                    label=f"{variant} (stand-alone)")
    chance = chance_top1(results_dir)
    if ax.has_data():  # a chance line alone is no accuracy panel
        chance_line(ax, chance, f"chance ({chance:g}%)" if chance is not None else "")
    ax.set_xlabel("target MACs (M)")
    ax.set_ylabel("top-1 (%)")
    ax.legend(loc="best")
    ax = axes[1, 1]
    for variant in variants:
        rows = ablation[ablation["variant"] == variant].groupby("target_macs_m")["macs_m"].mean()
        ax.plot(rows.index, rows, marker="o", color=palette[variant], label=variant)
    low, high = ablation["target_macs_m"].min(), ablation["target_macs_m"].max()
    ax.plot([low, high], [low, high], color="black", linestyle="--", linewidth=0.7, label="F = T")
    ax.set_xlabel("target MACs T (M)")
    ax.set_ylabel("generated MACs F (M, mean over seeds)")
    ax.legend(loc="best")
    return figure
