"""Ablation plots: each variant of replication/ablate.py against the default configuration.

Six panels from ``ablation/ablation.csv``: constraint error |F-T|/T and the
top-1 of each variant's finds on the common judge (the default's supernet) per
variant, each seed and the mean with its 95% t interval; the lambda sweep and
the temperature (annealed against constant) on both measures; each variant's
own supernet-estimated top-1 per target (stand-alone top-1 dashed where it was
measured); and target versus generated MACs. The accuracy panel draws chance (100 / classes %) and
marks a variant whose supernet did not learn (``ablation/supernets.csv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from replication.results import read_csv, read_json
from replication.stats import t_interval
from replication.supernets import at_chance, chance_top1, supernet_qualities, supernets_of
from reports.figures._common import AT_CHANCE, MissingResult, chance_line, new_figure, styled
from reports.style import FULL_WIDTH

__all__ = ["ablation_figure"]


def _variant_parameter(variant: str, prefix: str) -> float | None:
    """The number in a variant's name (``lambda=10`` -> 10.0), or None."""
    if not variant.startswith(prefix):
        return None
    try:
        return float(variant[len(prefix):].split()[0])
    except ValueError:
        return None


def _with_interval(ax: Any, xs: Sequence[float], per_seed: pd.DataFrame, variants: Sequence[str], value: str,
                   colors: Sequence[Any], scale: float = 1.0) -> None:
    """Per variant: its seeds' values as dots and their mean with the 95% t interval (none for one seed)."""
    for x, variant, color in zip(xs, variants, colors):
        values = scale * per_seed.loc[per_seed["variant"] == variant, value].dropna().to_numpy()
        if values.size == 0:
            continue
        low, high = t_interval(values)
        mean = float(values.mean())
        yerr = [[mean - low], [high - mean]] if np.isfinite(low) else None
        ax.errorbar([x], [mean], yerr=yerr, fmt="o", color=color, capsize=3, markersize=4)
        ax.scatter(np.full(values.size, x) + 0.08, values, s=6, color=color, alpha=0.5)


@styled
def ablation_figure(results_dir: Path) -> Figure:
    ablation = read_csv(results_dir, "ablation")
    if ablation is None or ablation.empty:
        raise MissingResult("ablation/ablation.csv not produced (run replication/ablate.py)")
    if "judge_accuracy" not in ablation:  # written before the common judge
        ablation = ablation.assign(judge_accuracy=float("nan"))
    variants = list(dict.fromkeys(ablation["variant"]))
    palette = dict(zip(variants, sns.color_palette("colorblind", len(variants))))
    per_seed = ablation.groupby(["variant", "seed"], sort=False).agg(
        relative_error=("relative_error", "mean"), judge_accuracy=("judge_accuracy", "mean")).reset_index()
    figure, axes = new_figure(FULL_WIDTH, 7.5, nrows=3, ncols=2)
    for ax, value, label, scale in ((axes[0, 0], "relative_error", "constraint error |F-T|/T (%)", 100.0),
                                    (axes[0, 1], "judge_accuracy", "top-1 on the common judge (%)", 1.0)):
        _with_interval(ax, range(len(variants)), per_seed, variants, value, [palette[v] for v in variants], scale)
        ax.set_xticks(range(len(variants)), variants, rotation=30, ha="right")
        ax.set_ylabel(label)
        ax.grid(axis="x", visible=False)
    axes[0, 0].set_title("mean and 95% t interval over seeds (dots: seeds)", fontsize=7)
    # the lambda sweep: the default's lambda beside the lambda variants'
    default_lambda = (read_json(results_dir, "ablation_meta") or {}).get("default_lambda")
    sweep = [(_variant_parameter(v, "lambda="), v) for v in variants]
    sweep = [(x, v) for x, v in sweep if x is not None]
    ax = axes[1, 0]
    if sweep:
        if default_lambda is not None:
            sweep.append((float(default_lambda), "default"))
        sweep.sort()
        xs, names = [x for x, _ in sweep], [v for _, v in sweep]
        _with_interval(ax, xs, per_seed, names, "relative_error", ["C0"] * len(names), 100.0)
        ax.set_xscale("log")
        ax.set_xlabel("lambda (hardware-loss weight)")
        ax.set_ylabel("constraint error (%)", color="C0")
        twin = ax.twinx()
        _with_interval(twin, [x * 1.08 for x in xs], per_seed, names, "judge_accuracy", ["C1"] * len(names))
        twin.set_ylabel("top-1, common judge (%)", color="C1")
        ax.set_title("lambda sweep" + ("" if default_lambda is not None else " (default's lambda not recorded)"),
                     fontsize=7)
    else:
        ax.remove()  # no lambda variants in this ablation
    # the temperature: annealed (default) against held constant
    ax = axes[1, 1]
    constant = [v for v in variants if v.startswith("tau=") or v.startswith("tau-decay=")]
    if constant:
        names = ["default", *constant]
        _with_interval(ax, range(len(names)), per_seed, names, "relative_error", ["C0"] * len(names), 100.0)
        twin = ax.twinx()
        _with_interval(twin, [i + 0.2 for i in range(len(names))], per_seed, names, "judge_accuracy",
                       ["C1"] * len(names))
        ax.set_xticks(range(len(names)), ["annealed (default)", *constant], rotation=15, ha="right")
        ax.set_ylabel("constraint error (%)", color="C0")
        twin.set_ylabel("top-1, common judge (%)", color="C1")
        ax.set_title("temperature annealing against a constant temperature", fontsize=7)
    else:
        ax.remove()  # no temperature variant in this ablation
    ax = axes[2, 0]
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
    ax = axes[2, 1]
    for variant in variants:
        rows = ablation[ablation["variant"] == variant].groupby("target_macs_m")["macs_m"].mean()
        ax.plot(rows.index, rows, marker="o", color=palette[variant], label=variant)
    low, high = ablation["target_macs_m"].min(), ablation["target_macs_m"].max()
    ax.plot([low, high], [low, high], color="black", linestyle="--", linewidth=0.7, label="F = T")
    ax.set_xlabel("target MACs T (M)")
    ax.set_ylabel("generated MACs F (M, mean over seeds)")
    ax.legend(loc="best")
    return figure
