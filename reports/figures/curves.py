"""Training curves of the supernet (loss, accuracy) and the generator (losses, tau, constraint fit) from metrics.jsonl.

The run directories are the ones ``manifest.json`` lists under ``runs``
(``{"supernet": [...], "generator": [...]}``, absolute or relative to the
results folder). Numeric fields of the logged records are grouped by meaning
(:func:`metric_group`), so a new metric of the same kind shows up without a
change here. The x axis is the record's ``step`` where it has one, else its
``epoch`` (tau, set once per epoch, is always drawn over epochs). Records are labelled by their ``event`` field, validation records
also by their ``arch_index`` (one curve per fixed validation architecture).
Accuracy panels draw chance (100 / classes %), the supernet's loss panel the
loss of a uniform guess, ln(classes): a curve that stays there did not learn.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from replication.results import manifest_runs
from replication.supernets import chance_top1
from reports.figures._common import MissingResult, chance_line, new_figure, styled
from reports.style import FULL_WIDTH
from sgnas._infra.jsonfiles import NotJson, read_json
from sgnas._infra.runs import read_jsonl

__all__ = ["generator_curves", "metric_group", "metric_series", "run_dirs", "run_label", "supernet_curves"]

#: label -> (x name, xs, ys)
Series = dict[str, tuple[str, list[float], list[float]]]
_YLABELS = {
    "loss": "loss",
    "accuracy": "top-1 (%)",
    "tau": "Gumbel-softmax tau",
    "constraint": "constraint fit",
}


def metric_group(key: str) -> str | None:
    """Which panel a logged field belongs to: loss, accuracy, tau, constraint, or none."""
    name = key.lower()
    if name == "tau":
        return "tau"
    if "relative_error" in name or name == "kendall_tau":
        return "constraint"
    if "loss" in name or name in ("ce", "hardware"):
        return "loss"
    if "acc" in name or "top1" in name:
        return "accuracy"
    return None


def run_dirs(results_dir: Path, kind: str) -> list[Path]:
    """The run directories of ``kind`` (``supernet`` or ``generator``) that the manifest lists and that exist."""
    return [p for p in manifest_runs(results_dir, kind) if (p / "metrics.jsonl").exists()]


def metric_series(records: list[dict[str, Any]]) -> dict[str, Series]:
    """``{group: {label: (x name, xs, ys)}}`` of every numeric field of the records."""
    series: dict[str, Series] = defaultdict(dict)
    for record in records:
        x_name = "step" if "step" in record else "epoch"
        x = record.get(x_name)
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            continue
        tag = record.get("event")
        for key, value in record.items():
            group = metric_group(key)
            if group is None or isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                continue
            if group == "tau":
                # tau is set per epoch; several events repeat it, so keep one curve over epochs
                epoch = record.get("epoch")
                _, xs, ys = series[group].setdefault("tau", ("epoch", [], []))
                if isinstance(epoch, (int, float)) and epoch not in xs:
                    xs.append(float(epoch))
                    ys.append(float(value))
                continue
            # "generator_select" -> "select": the panel and run label already say which model
            label = f"{tag.removeprefix('generator_')} {key}" if isinstance(tag, str) else key
            if "arch_index" in record:
                label += f" (arch {record['arch_index']})"
            _, xs, ys = series[group].setdefault(label, (x_name, [], []))
            xs.append(float(x))
            ys.append(float(value))
    return dict(series)


def run_label(run: Path) -> str:
    """A short name for a run from its config.json: sampler (and FS off) for supernets, the seed always."""
    try:
        saved = read_json(run / "config.json")
    except NotJson:
        return run.name
    if not isinstance(saved, dict):
        return run.name
    config = saved.get("config")
    supernet = config.get("supernet") if isinstance(config, dict) else None
    supernet = supernet if isinstance(supernet, dict) else {}
    parts = [supernet.get("sampler", saved.get("kind", "run"))]
    if supernet.get("forced_sampling") is False:
        parts.append("no FS")
    if saved.get("kind") == "generator":
        parts = [f"generator ({parts[0]} supernet)"]
    return f"{' '.join(parts)}, seed {saved.get('seed', '?')}"


def _plot(ax: Axes, series: Series, prefix: str) -> None:
    for label, (_, xs, ys) in series.items():
        ax.plot(xs, ys, marker="o" if len(xs) < 30 else None, markersize=2.5, label=f"{prefix}{label}")


def _chance_lines(results_dir: Path, with_loss: bool) -> dict[str, tuple[float, str]]:
    """``{panel: (level, label)}`` of chance: top-1 on accuracy panels, ln(classes) on the loss panel."""
    chance = chance_top1(results_dir)
    if chance is None:
        return {}
    lines = {"accuracy": (chance, f"chance ({chance:g}%)")}
    if with_loss:
        lines["loss"] = (math.log(100.0 / chance), f"uniform guess (ln {100.0 / chance:g})")
    return lines


def _curves(results_dir: Path, kind: str, panels: tuple[str, ...],
            chance: dict[str, tuple[float, str]] | None = None) -> Figure:
    runs = run_dirs(Path(results_dir), kind)
    if not runs:
        raise MissingResult(f"no {kind} run with metrics.jsonl listed in manifest.json")
    loaded = [(run, metric_series(read_jsonl(run / "metrics.jsonl"))) for run in runs]
    if not any(series.get(group) for _, series in loaded for group in panels):
        raise MissingResult(f"the {kind} runs' metrics.jsonl hold no {'/'.join(panels)} values")
    figure, axes = new_figure(FULL_WIDTH, 2.4 * math.ceil(len(panels) / 2), nrows=math.ceil(len(panels) / 2),
                              ncols=min(2, len(panels)))
    for ax, group in zip(axes.flat, panels):
        x_names = set()
        for run, series in loaded:
            prefix = f"{run_label(run)}: " if len(loaded) > 1 else ""
            _plot(ax, series.get(group, {}), prefix)
            x_names |= {x for x, _, _ in series.get(group, {}).values()}
        ax.set_ylabel(_YLABELS[group])
        ax.set_xlabel(" / ".join(sorted(x_names)) or "step")
        if ax.has_data() and chance and group in chance:
            chance_line(ax, *chance[group])
        if ax.has_data():
            values = [y for _, s in loaded for _, _, ys in s.get(group, {}).values() for y in ys]
            if group == "loss" and min(values) > 0 and max(values) / min(values) > 20:
                ax.set_yscale("log")  # losses of different scales (cross-entropy and hardware) side by side
            ax.legend(loc="best", fontsize=5.5)
        else:
            ax.text(0.5, 0.5, f"no {group} values logged", ha="center", va="center", transform=ax.transAxes)
    return figure


@styled
def supernet_curves(results_dir: Path) -> Figure:
    """Supernet training loss and the fixed validation architectures' top-1 after BN recalibration."""
    return _curves(results_dir, "supernet", ("loss", "accuracy"), _chance_lines(Path(results_dir), with_loss=True))


@styled
def generator_curves(results_dir: Path) -> Figure:
    """Generator losses (cross-entropy, hardware), tau, constraint fit and top-1 at the middle target."""
    return _curves(results_dir, "generator", ("loss", "tau", "constraint", "accuracy"),
                   _chance_lines(Path(results_dir), with_loss=False))
