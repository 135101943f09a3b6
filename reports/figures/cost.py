"""Search cost versus the number of constraints N (Table C as a plot).

Per method, mean wall seconds (left) and supernet forward passes (right) to
deliver architectures for N targets given a trained supernet, one-time costs
included; log scale, so "N times the cost" shows as a constant slope. Solid
lines are measured; for the evaluation-based searches (evolution, random
search) dashed lines give the cost at SPOS's published 1000 evaluations per
target, extrapolated from the measured cost per evaluation, when the results
record it (``*_at_spos_budget`` columns of ``cost_vs_n.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from replication.cost_for_n import AT_SPOS_BUDGET
from replication.methods import method_label, method_order
from replication.results import read_csv
from reports.figures._common import MissingResult, new_figure, styled
from reports.style import FULL_WIDTH, method_color

__all__ = ["cost_vs_n"]


def _plot(ax: Axes, cost: pd.DataFrame, method: str, value: str, linestyle: str) -> bool:
    """Mean ± std over seeds of ``value`` against N for one method; False when it was not measured."""
    if value not in cost.columns:
        return False
    stats = cost[cost["method"] == method].groupby("n")[value].agg(["mean", "std"]).dropna(subset=["mean"])
    if stats.empty:
        return False
    ax.errorbar(stats.index, stats["mean"], yerr=stats["std"].fillna(0), marker="o", capsize=2,
                linestyle=linestyle, color=method_color(method))
    return True


@styled
def cost_vs_n(results_dir: Path) -> Figure:
    cost = read_csv(results_dir, "cost_vs_n")
    if cost is None or cost.empty:
        raise MissingResult("cost_vs_n.csv not produced (run replication/harness.py)")
    figure, axes = new_figure(FULL_WIDTH, 3.0, ncols=2)
    extrapolated = False
    for ax, value, label in ((axes[0, 0], "wall_seconds", "wall time (s)"),
                             (axes[0, 1], "forward_passes", "supernet forward passes")):
        for method in method_order(cost["method"]):
            _plot(ax, cost, method, value, "-")
            extrapolated |= _plot(ax, cost, method, f"{value}_at_spos_budget", "--")
        ax.set_xlabel("number of constraints N")
        ax.set_ylabel(label)
        ax.set_yscale("log")
        ax.set_xticks(sorted(cost["n"].unique()))
    handles = [Line2D([], [], color=method_color(m), marker="o", label=method_label(m))
               for m in method_order(cost["method"])]
    if extrapolated:
        handles.append(Line2D([], [], color="#777777", linestyle="--", label=f"dashed: {AT_SPOS_BUDGET}"))
    figure.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=6.5)
    return figure
