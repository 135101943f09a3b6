"""Accuracy versus MACs: this replication's methods at each budget, beside the published ImageNet models.

Left: per method and budget, mean ± std over seeds of stand-alone top-1 (or,
when no architecture was trained stand-alone, the supernet-estimated top-1;
the axis says which), with chance (100 / classes %) dotted; a supernet-estimated
series whose supernet did not learn is dashed and says so in the legend. Right:
the published ImageNet numbers of the reference zoo, as reported by their
papers (not measured here).
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from replication.methods import method_label, method_order
from replication.results import read_csv
from replication.supernets import at_chance, chance_top1, method_supernets, supernet_qualities
from reports.figures._common import AT_CHANCE, MissingResult, chance_line, new_figure, styled
from reports.style import FULL_WIDTH, method_color
from sgnas.zoo.reference import load_zoo

__all__ = ["accuracy_vs_macs"]


@styled
def accuracy_vs_macs(results_dir: Path) -> Figure:
    search = read_csv(results_dir, "search")
    if search is None or search.empty:
        raise MissingResult("search.csv not produced (run replication/harness.py)")
    standalone = search["standalone_top1"].notna().any()
    value = "standalone_top1" if standalone else "supernet_accuracy"
    label = "stand-alone test top-1 (%)" if standalone else "supernet-estimated top-1 (%)"
    data = search.dropna(subset=[value])
    if data.empty:
        raise MissingResult("search.csv has no accuracies")
    figure, axes = new_figure(FULL_WIDTH, 3.4, ncols=2)
    ax = axes[0, 0]
    qualities = supernet_qualities(results_dir) if not standalone else {}
    for method in method_order(data["method"]):
        rows = data[data["method"] == method]
        stats = rows.groupby("budget").agg(
            macs=("macs_m", "mean"), macs_std=("macs_m", "std"), acc=(value, "mean"), acc_std=(value, "std"),
        ).sort_values("macs")
        untrained = at_chance(method_supernets(qualities, method, rows["seed"].unique())) is not None
        ax.errorbar(stats["macs"], stats["acc"], xerr=stats["macs_std"].fillna(0), yerr=stats["acc_std"].fillna(0),
                    marker="o", capsize=2, color=method_color(method), linestyle="--" if untrained else "-",
                    label=method_label(method) + (AT_CHANCE if untrained else ""))
    chance = chance_top1(results_dir)
    chance_line(ax, chance, f"chance ({chance:g}%)" if chance is not None else "")
    ax.set_xlabel("MACs (M, this space)")
    ax.set_ylabel(label)
    ax.set_title("This replication (mean ± std over seeds)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    ax = axes[0, 1]
    for entry in load_zoo():
        if entry.published.top1 is None:
            continue
        family = entry.name.split("-")[0]
        color = method_color("sgnas") if family == "SGNAS" else (
            method_color("fairnas-evolution") if family == "FairNAS" else "#555555")
        point = (entry.published.flops_m, entry.published.top1)
        ax.scatter(*point, color=color, s=14, zorder=3)
        ax.annotate(entry.name, point, fontsize=5.5, xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("published FLOPs (M, each paper's convention)")
    ax.set_ylabel("published ImageNet top-1 (%)")
    ax.set_title("Published (reported, not measured here)")
    return figure
