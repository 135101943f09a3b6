"""Training curves of the supernet (loss, accuracy) and the generator (loss, tau) from metrics.jsonl.

The run directories are the ones ``manifest.json`` lists under ``runs``
(``{"supernet": [...], "generator": [...]}``, absolute or relative to the
results folder). Every numeric field of the logged records is grouped by
meaning, so a new metric shows up without a change here: names containing
``loss`` go to the loss panel, ``acc``/``top1`` to the accuracy panel, and
``tau`` to its own. The x axis is ``epoch`` when records carry it, else ``step``.
Records carrying ``event``, ``phase`` or ``split`` are labelled by it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from replication.results import read_manifest
from reports.figures._common import MissingResult, new_figure, styled
from reports.style import FULL_WIDTH
from sgnas.runs import read_jsonl

__all__ = ["generator_curves", "metric_series", "run_dirs", "supernet_curves"]

Series = dict[str, tuple[list[float], list[float]]]
_GROUPS = {"loss": ("loss",), "accuracy": ("acc", "top1"), "tau": ("tau", "temperature")}
_IGNORED = {"epoch", "step", "seed", "time", "wall_seconds", "lr_step", "kendall_tau"}


def run_dirs(results_dir: Path, kind: str) -> list[Path]:
    """The run directories of ``kind`` (``supernet`` or ``generator``) that the manifest lists and that exist."""
    listed = read_manifest(results_dir).get("runs", {}).get(kind, [])
    paths = [Path(p) if Path(p).is_absolute() else Path(results_dir) / p for p in listed]
    return [p for p in paths if (p / "metrics.jsonl").exists()]


def _group(key: str) -> str | None:
    if key in _IGNORED:
        return None
    name = key.lower()
    if name in ("tau", "temperature"):
        return "tau"
    for group, parts in _GROUPS.items():
        if group != "tau" and any(part in name for part in parts):
            return group
    return None


def metric_series(records: list[dict[str, Any]]) -> dict[str, Series]:
    """``{group: {label: (x, y)}}`` of every numeric field of the records, grouped as the module says."""
    series: dict[str, Series] = defaultdict(dict)
    for index, record in enumerate(records):
        x = record.get("epoch", record.get("step", index))
        if not isinstance(x, (int, float)):
            continue
        tag = record.get("event") or record.get("phase") or record.get("split")
        for key, value in record.items():
            group = _group(key)
            if group is None or isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                continue
            label = f"{tag} {key}" if isinstance(tag, str) and tag not in key else key
            xs, ys = series[group].setdefault(label, ([], []))
            xs.append(float(x))
            ys.append(float(value))
    return dict(series)


def _x_label(records: list[dict[str, Any]]) -> str:
    return "epoch" if any("epoch" in r for r in records) else "step"


def _plot(ax: Axes, series: Series, ylabel: str, prefix: str) -> None:
    for label, (xs, ys) in series.items():
        ax.plot(xs, ys, marker="o" if len(xs) < 30 else None, label=f"{prefix}{label}")
    ax.set_ylabel(ylabel)


def _curves(results_dir: Path, kind: str, panels: tuple[str, ...]) -> Figure:
    runs = run_dirs(Path(results_dir), kind)
    if not runs:
        raise MissingResult(f"no {kind} run with metrics.jsonl listed in manifest.json")
    loaded = [(run, read_jsonl(run / "metrics.jsonl")) for run in runs]
    figure, axes = new_figure(FULL_WIDTH, 2.6, ncols=len(panels))
    drawn = False
    for ax, group in zip(axes.flat, panels):
        for run, records in loaded:
            series = metric_series(records).get(group, {})
            prefix = f"{run.name}: " if len(loaded) > 1 else ""
            _plot(ax, series, group, prefix)
            ax.set_xlabel(_x_label(records))
            drawn |= bool(series)
        if ax.has_data():
            ax.legend(loc="best", fontsize=5.5)
        else:
            ax.text(0.5, 0.5, f"no {group} logged", ha="center", va="center", transform=ax.transAxes)
    if not drawn:
        raise MissingResult(f"the {kind} runs' metrics.jsonl hold no {'/'.join(panels)} values")
    return figure


@styled
def supernet_curves(results_dir: Path) -> Figure:
    """Supernet training loss and accuracy (training batches and the fixed validation architectures)."""
    return _curves(results_dir, "supernet", ("loss", "accuracy"))


@styled
def generator_curves(results_dir: Path) -> Figure:
    """Generator loss (total, cross-entropy, hardware) and the Gumbel-softmax temperature tau."""
    return _curves(results_dir, "generator", ("loss", "tau"))
