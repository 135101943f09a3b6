"""The latency track's figures, one panel per device: targets against measured latency, and accuracy against
measured latency with the Pareto front.

* :func:`latency_targets`: the generator's finds over the sweep of targets,
  measured (filled) and as its table estimates them (hollow), beside its prior
  alone, against the line of perfect tracking;
* :func:`machine_latency`: the same on this machine, on the unified space, each
  find timed end to end;
* :func:`latency_pareto`: each device's Pareto front of true CIFAR-10 accuracy
  against measured latency over all 15,625 cells, the budgets and each method's
  finds.

They read ``nas-bench-201/latency_{sweep,search,pareto}.csv`` and ``machine_latency.csv``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from replication.results import read_csv
from reports.figures._common import MissingResult, hide_unused, new_figure, styled
from reports.style import COLUMN_WIDTH

__all__ = ["latency_pareto", "latency_targets", "machine_latency"]


def _read(results_dir: Path, name: str) -> pd.DataFrame:
    frame = read_csv(results_dir, name)
    if frame is None or frame.empty:
        raise MissingResult(f"nas-bench-201/{name}.csv not produced (run python -m replication.latency)")
    return frame


def _panels(devices: list[str]) -> tuple[Figure, np.ndarray]:
    columns = min(3, len(devices))
    rows = math.ceil(len(devices) / columns)
    return new_figure(COLUMN_WIDTH * 2, COLUMN_WIDTH * 0.8 * rows + 0.3, nrows=rows, ncols=columns)


def _targets_panel(ax: Any, sweep: pd.DataFrame, measured: str, iqr: str | None = None) -> None:
    """One sweep: the line of perfect tracking, the prior's finds, and SGNAS's as the table estimates them (hollow)
    and as measured (filled; with half the interquartile range of the timings where ``iqr`` names it)."""
    ends = [sweep["target_ms"].min(), sweep["target_ms"].max()]
    ax.plot(ends, ends, color="0.6", linewidth=0.7, linestyle="--", label="target")
    own, prior = sweep[sweep["method"] == "sgnas"], sweep[sweep["method"] == "prior-only"]
    ax.scatter(prior["target_ms"], prior[measured], s=6, color="0.6", marker="x", label="prior only, measured")
    ax.scatter(own["target_ms"], own["estimate_ms"], s=10, facecolors="none", edgecolors="C0",
               label="SGNAS, table's estimate")
    ax.errorbar(own["target_ms"], own[measured], yerr=own[iqr] / 2 if iqr else None, fmt="o", markersize=3,
                color="C0", label="SGNAS, measured")


@styled
def latency_targets(results_dir: Path) -> Figure:
    sweep = _read(results_dir, "latency_sweep")
    devices = list(dict.fromkeys(sweep["device"]))
    figure, axes = _panels(devices)
    for ax, device in zip(axes.flat, devices):
        _targets_panel(ax, sweep[sweep["device"] == device], "latency_ms")
        ax.set_title(device, fontsize=7)
        ax.set_xlabel("target (ms)")
        ax.set_ylabel("latency (ms)")
    hide_unused(axes, len(devices))
    axes.flat[0].legend(fontsize=5)
    return figure


@styled
def latency_pareto(results_dir: Path) -> Figure:
    search, front = _read(results_dir, "latency_search"), _read(results_dir, "latency_pareto")
    devices = list(dict.fromkeys(search["device"]))
    figure, axes = _panels(devices)
    markers = "os^vDP*Xh"
    for ax, device in zip(axes.flat, devices):
        edge = front[front["device"] == device]
        ax.step(edge["latency_ms"], edge["cifar10"], where="post", color="black", linewidth=0.8, label="Pareto front")
        part = search[search["device"] == device]
        for limit in part["limit_ms"].unique():
            ax.axvline(limit, color="0.5", linestyle=":", linewidth=0.6)
        for marker, (method, group) in zip(markers, part.groupby("method", sort=False)):
            ax.scatter(group["latency_ms"], group["cifar10"], s=10, marker=marker, label=method, zorder=3)
        ax.set_ylim(float(part["cifar10"].min()) - 1, float(edge["cifar10"].max()) + 0.5)
        ax.set_title(device, fontsize=7)
        ax.set_xlabel("measured latency (ms)")
        ax.set_ylabel("CIFAR-10 (%, table)")
    hide_unused(axes, len(devices))
    axes.flat[0].legend(fontsize=5, ncol=2, loc="lower right")
    return figure


@styled
def machine_latency(results_dir: Path) -> Figure:
    sweep = read_csv(results_dir, "machine_latency")
    if sweep is None or sweep.empty:
        raise MissingResult("machine_latency.csv not produced (run python -m replication.machine_latency)")
    figure, axes = new_figure(COLUMN_WIDTH, COLUMN_WIDTH * 0.9)
    ax = axes[0, 0]
    _targets_panel(ax, sweep, "measured_ms", "measured_iqr_ms")
    ax.set_xlabel("target (ms)")
    ax.set_ylabel("latency (ms)")
    ax.legend(fontsize=5)
    return figure
