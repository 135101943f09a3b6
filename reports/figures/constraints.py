"""Target versus generated MACs: how closely the generator meets the constraint it is given.

One point per (seed, target) of the sweep across the trained range
(``generator_sweep.csv``), the ideal y = x line, and per seed the mean
relative error and Kendall tau in the legend.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from replication.results import read_csv
from reports.figures._common import MissingResult, new_figure, styled
from reports.style import COLUMN_WIDTH
from sgnas.supernet.ranking import kendall_tau

__all__ = ["target_vs_generated"]


@styled
def target_vs_generated(results_dir: Path) -> Figure:
    sweep = read_csv(results_dir, "generator_sweep")
    if sweep is None or sweep.empty:
        raise MissingResult("generator_sweep.csv not produced (run replication/harness.py)")
    figure, axes = new_figure(COLUMN_WIDTH * 1.3, COLUMN_WIDTH * 1.2)
    ax = axes[0, 0]
    data = sweep.assign(variant=sweep["variant"].fillna("default") if "variant" in sweep else "default")
    for (variant, seed), group in data.groupby(["variant", "seed"]):
        group = group.sort_values("target_macs_m")
        error = (abs(group["macs_m"] - group["target_macs_m"]) / group["target_macs_m"]).mean()
        tau = kendall_tau(group["target_macs_m"], group["macs_m"])
        name = f"seed {seed}" if variant == "default" else f"{variant}, seed {seed}"
        ax.plot(group["target_macs_m"], group["macs_m"], marker="o", linewidth=0.8,
                label=f"{name}: error {error:.1%}, tau {tau:.2f}")
    low = min(data["target_macs_m"].min(), data["macs_m"].min())
    high = max(data["target_macs_m"].max(), data["macs_m"].max())
    ax.plot([low, high], [low, high], color="black", linestyle="--", linewidth=0.7, label="F = T")
    ax.set_xlabel("target MACs T (M)")
    ax.set_ylabel("generated MACs F (M)")
    ax.legend(loc="upper left")
    return figure
