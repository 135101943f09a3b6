"""Search cost versus the number of constraints N (Table C as a plot).

Per method, mean wall seconds (left) and supernet forward passes (right) to
deliver architectures for N targets given a trained supernet, one-time costs
included; log scale, so "N times the cost" shows as a constant slope.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from replication.proxy_tables import method_order
from replication.results import METHOD_LABELS, read_csv
from reports.figures._common import MissingResult, new_figure, styled
from reports.style import FULL_WIDTH, method_color

__all__ = ["cost_vs_n"]


@styled
def cost_vs_n(results_dir: Path) -> Figure:
    cost = read_csv(results_dir, "cost_vs_n")
    if cost is None or cost.empty:
        raise MissingResult("cost_vs_n.csv not produced (run replication/harness.py)")
    figure, axes = new_figure(FULL_WIDTH, 2.5, ncols=2)
    for ax, value, label in ((axes[0, 0], "wall_seconds", "wall time (s)"),
                             (axes[0, 1], "forward_passes", "supernet forward passes")):
        for method in method_order(cost["method"]):
            stats = cost[cost["method"] == method].groupby("n")[value].agg(["mean", "std"]).dropna(subset=["mean"])
            if stats.empty:
                continue
            ax.errorbar(stats.index, stats["mean"], yerr=stats["std"].fillna(0), marker="o", capsize=2,
                        color=method_color(method), label=METHOD_LABELS.get(method, method))
        ax.set_xlabel("number of constraints N")
        ax.set_ylabel(label)
        ax.set_yscale("log")
        ax.set_xticks(sorted(cost["n"].unique()))
    axes[0, 0].legend(loc="best")
    return figure
