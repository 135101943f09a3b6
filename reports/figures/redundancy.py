"""Architecture redundancy with and without forced sampling (SGNAS supp. D, Fig. 8), from redundancy.json.

Panels: the size of the space counted by ordered arrangements and by canonical
forms (log10); how often replayed supernet training visits each canonical layer
configuration in its canonical arrangement, FS on versus off; how often each
(sub-block position, op) pair is trained; and, when trained supernets were
measured, the spread of supernet-estimated accuracy across arrangements of the
same ops.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from replication.results import read_json
from reports.figures._common import MissingResult, hide_unused, new_figure, styled
from reports.style import FULL_WIDTH, OP_LABELS
from sgnas.spaces.unified.space import OPS

__all__ = ["redundancy_figure"]

_MODES = (("fs_on", "FS on"), ("fs_off", "FS off"))


@styled
def redundancy_figure(results_dir: Path) -> Figure:
    data = read_json(results_dir, "redundancy")
    if not data or "counts" not in data:
        raise MissingResult("redundancy.json not produced (run replication/redundancy.py)")
    figure, axes = new_figure(FULL_WIDTH, 5.2, nrows=2, ncols=3)
    panels = 0
    counts = data["counts"]
    ax = axes.flat[panels]
    panels += 1
    values = [counts["log10_ordered"], counts["log10_canonical"]]
    ax.bar(["ordered", "canonical (FS)"], values, color=["#999999", "#D6453D"])
    for i, value in enumerate(values):
        ax.text(i, value, f"$10^{{{value:.1f}}}$", ha="center", va="bottom", fontsize=7)
    ax.set_ylabel("log10 architectures in the space")
    ax.set_title(f"per layer: {counts['layer_ordered']} ordered, {counts['layer_canonical']} canonical", fontsize=7)
    replay = data.get("replay", {})
    if replay:
        ax = axes.flat[panels]
        panels += 1
        for mode, label in _MODES:
            visits = np.sort(np.asarray(replay[mode]["canonical_visits"], dtype=float))[::-1]
            ax.plot(np.arange(1, visits.size + 1), visits, label=label)
        ax.set_xlabel("canonical layer configuration (rank)")
        ax.set_ylabel("trained in canonical arrangement")
        ax.set_title(f"replayed sampler, {replay['steps']} steps, every layer", fontsize=7)
        ax.legend(loc="best")
        grids = {mode: np.asarray(replay[mode]["position_op_counts"], dtype=float) for mode, _ in _MODES}
        top = max(float(g.max()) for g in grids.values()) or 1.0
        for mode, label in _MODES:
            ax = axes.flat[panels]
            panels += 1
            image = ax.imshow(grids[mode].T, aspect="auto", cmap="viridis", vmin=0, vmax=top)
            ax.set_xlabel("sub-block position")
            ax.set_yticks(range(len(OPS)), [OP_LABELS[o] for o in OPS])
            ax.set_title(f"{label}: times each (position, op) is trained", fontsize=7)
            ax.grid(False)
            figure.colorbar(image, ax=ax, shrink=0.8)
    spread = data.get("spread", {})
    if spread:
        ax = axes.flat[panels]
        panels += 1
        labels, stds = [], []
        for mode, label in _MODES:
            if mode in spread:
                labels.append(label)
                stds.append([float(np.std(m["accuracies"], ddof=1)) for m in spread[mode]["multisets"]
                             if len(m["accuracies"]) > 1])
        ax.boxplot(stds, tick_labels=labels)
        ax.set_ylabel("std of supernet top-1 across arrangements (pp)")
        ax.set_title("same ops, different positions", fontsize=7)
    hide_unused(axes, panels)
    return figure
