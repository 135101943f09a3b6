"""The NAS-Bench-201 track's figures: the space against the truth, supernet estimate against truth, regret.

* :func:`nb201_landscape`: the table's CIFAR-10 accuracy against MACs of all
  15,625 cells, the Pareto front, the budgets and each method's finds;
* :func:`nb201_ranking`: per sampler, the supernet's estimate against the
  table's accuracy over the ranking sample, with Kendall tau;
* :func:`nb201_regret`: regret to the oracle per method and budget, mean and
  std over seeds.

They read ``nas-bench-201/*.csv`` and, for the landscape, the table the track
used (its path is in the track's manifest).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from replication.pareto import pareto_front
from replication.results import read_csv, read_json
from reports.figures._common import MissingResult, new_figure, styled
from reports.style import COLUMN_WIDTH
from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.benchmark import load_benchmark
from sgnas.supernet.ranking import kendall_tau

__all__ = ["nb201_landscape", "nb201_ranking", "nb201_regret"]

_REFERENCES = ("oracle", "random-search-true")


def _search(results_dir: Path):
    search = read_csv(results_dir, "nb201_search")
    if search is None or search.empty:
        raise MissingResult("nas-bench-201/search.csv not produced (run replication/nasbench201.py)")
    return search


@styled
def nb201_landscape(results_dir: Path) -> Figure:
    search = _search(results_dir)
    manifest = read_json(results_dir, "nb201_manifest") or {}
    try:
        frame = load_benchmark(path=manifest["table"]).frame
    except (KeyError, SgnasError) as err:
        raise MissingResult(f"the NAS-Bench-201 table the track used is not readable here ({err})") from None
    figure, axes = new_figure(COLUMN_WIDTH * 2, COLUMN_WIDTH * 1.2)
    ax = axes[0, 0]
    macs, accuracy = frame["macs"].to_numpy() / 1e6, frame["cifar10"].to_numpy()
    ax.scatter(macs, accuracy, s=2, color="0.8", label="all 15,625 cells", rasterized=True)
    front = pareto_front(macs, accuracy)
    ax.step(macs[front], accuracy[front], where="post", color="black", linewidth=0.8, label="Pareto front")
    for limit in search["limit_macs_m"].unique():
        ax.axvline(limit, color="0.5", linestyle=":", linewidth=0.6)
    markers = "os^vDP*Xh"
    for marker, (method, group) in zip(markers, search.groupby("method", sort=False)):
        ax.scatter(group["macs_m"], group["cifar10"], s=14, marker=marker, label=method, zorder=3)
    ax.set_xlabel("MACs (M, benchmark network)")
    ax.set_ylabel("CIFAR-10 test accuracy (%, table)")
    ax.set_ylim(max(10.0, float(np.percentile(accuracy, 5))), float(accuracy.max()) + 1)
    ax.legend(fontsize=6, ncol=2, loc="lower right")
    return figure


@styled
def nb201_ranking(results_dir: Path) -> Figure:
    estimates = read_csv(results_dir, "nb201_estimates")
    if estimates is None or estimates.empty:
        raise MissingResult("nas-bench-201/estimates.csv not produced (run replication/nasbench201.py)")
    samplers = list(dict.fromkeys(estimates["sampler"]))
    figure, axes = new_figure(COLUMN_WIDTH * 2, COLUMN_WIDTH, ncols=len(samplers), sharey=True)
    for ax, sampler in zip(axes[0], samplers):
        part = estimates[estimates["sampler"] == sampler]
        taus = [kendall_tau(g["estimate"], g["cifar10"]) for _, g in part.groupby("seed")]
        for seed, group in part.groupby("seed"):
            ax.scatter(group["cifar10"], group["estimate"], s=3, alpha=0.6, label=f"seed {seed}")
        ax.set_title(f"{sampler}: tau {np.mean(taus):.2f}")
        ax.set_xlabel("CIFAR-10 test accuracy (%, table)")
        ax.legend(fontsize=6)
    axes[0, 0].set_ylabel("supernet-estimated accuracy (%)")
    return figure


@styled
def nb201_regret(results_dir: Path) -> Figure:
    search = _search(results_dir)
    methods = [m for m in dict.fromkeys(search["method"]) if m != "oracle"]
    budgets = list(dict.fromkeys(search["budget"]))
    figure, axes = new_figure(COLUMN_WIDTH * 2, COLUMN_WIDTH * 1.1)
    ax = axes[0, 0]
    width = 0.8 / len(budgets)
    for b, budget in enumerate(budgets):
        stats = search[search["budget"] == budget].groupby("method")["regret"].agg(["mean", "std"])
        stats = stats.reindex(methods)
        ax.bar(np.arange(len(methods)) + b * width, stats["mean"], width, yerr=stats["std"].fillna(0),
               label=budget, capsize=1.5)
    ax.set_xticks(np.arange(len(methods)) + width * (len(budgets) - 1) / 2)
    ax.set_xticklabels(methods, rotation=30, ha="right", fontsize=6)
    ax.set_ylabel("regret to the oracle (CIFAR-10 points)")
    ax.legend(title="budget", fontsize=6)
    return figure
