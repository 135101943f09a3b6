"""Architecture diagrams in the style of the paper's Fig. 9 and 10.

Each searchable layer is a column of its six sub-blocks, every cell coloured by
its op (3x3, 5x5, 7x7 depthwise, or skip); the expansion rate e (non-skip
sub-blocks) is printed above the column and stride-2 layers are marked below.
The published SGNAS-A/B/C (from the project's reference zoo) are drawn on the
left, the architectures SGNAS generated here for budgets A/B/C (``search.csv``)
on the right.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from replication.results import read_csv, read_manifest
from reports.figures._common import MissingResult, new_figure, styled
from reports.style import FULL_WIDTH, OP_COLORS, OP_LABELS
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import OPS, SKIP, SUB_BLOCKS, get_space
from sgnas.zoo.reference import load_zoo

__all__ = ["architecture_diagrams", "draw_architecture", "published_sgnas"]

#: the published models the diagram shows, in the paper's order
PUBLISHED = ("SGNAS-A", "SGNAS-B", "SGNAS-C")


def published_sgnas() -> dict[str, Architecture]:
    """SGNAS-A/B/C from the reference zoo shipped with the package (facts, not results)."""
    models = {entry.name: entry.arch for entry in load_zoo() if entry.arch is not None}
    return {name: models[name] for name in PUBLISHED if name in models}


def draw_architecture(ax: Axes, arch: Architecture, title: str, strides: tuple[int, ...] | None = None) -> None:
    """One architecture as a grid: x = layer, y = sub-block (top = sub-block 0); e above, s2 below."""
    for layer, ops in enumerate(arch.layers):
        for position, op in enumerate(ops):
            ax.add_patch(Rectangle(
                (layer + 0.06, SUB_BLOCKS - 1 - position + 0.06), 0.88, 0.88,
                facecolor=OP_COLORS[op], edgecolor="#9A9A9A" if op == SKIP else "white",
                linewidth=0.4, hatch="////" if op == SKIP else None,
            ))
        ax.text(layer + 0.5, SUB_BLOCKS + 0.25, str(arch.expansion(layer)), ha="center", va="bottom", fontsize=5.5)
        if strides is not None and strides[layer] == 2:
            ax.text(layer + 0.5, -0.2, "s2", ha="center", va="top", fontsize=5, color="#555555")
    ax.set_xlim(-0.1, arch.num_layers + 0.1)
    ax.set_ylim(-0.9, SUB_BLOCKS + 1.1)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=7.5, loc="left", pad=2)
    ax.axis("off")


def _generated(results_dir: Path) -> dict[str, tuple[Architecture, str]]:
    """SGNAS's architecture per budget (lowest seed), with a caption, from search.csv."""
    search = read_csv(results_dir, "search")
    if search is None:
        return {}
    rows = search[search["method"] == "sgnas"].dropna(subset=["architecture"]).sort_values("seed")
    found = {}
    for budget, group in rows.groupby("budget", sort=False):
        row = group.iloc[0]
        caption = (f"generated, budget {budget}: target {row['target_macs_m']:.2f}M, "
                   f"got {row['macs_m']:.2f}M (seed {int(row['seed'])})")
        found[str(budget)] = (Architecture.from_string(str(row["architecture"])), caption)
    return dict(sorted(found.items()))


@styled
def architecture_diagrams(results_dir: Path) -> Figure:
    """SGNAS-A/B/C (published) beside the architectures generated here per budget."""
    published = published_sgnas()
    if not published:
        raise MissingResult("the reference zoo has no SGNAS-A/B/C architectures")
    generated = _generated(Path(results_dir))
    rows = max(len(published), len(generated))
    columns = 2 if generated else 1
    figure, axes = new_figure(FULL_WIDTH, 1.25 * rows + 0.6, nrows=rows, ncols=columns)
    for row, (name, arch) in enumerate(published.items()):
        draw_architecture(axes[row, 0], arch, f"{name} (published, ImageNet space)", get_space("imagenet").layer_strides)
    space_name = read_manifest(results_dir).get("space", {}).get("name", "imagenet")
    for row, (_, (arch, caption)) in enumerate(generated.items()):
        draw_architecture(axes[row, 1], arch, caption, get_space(space_name).layer_strides)
    for ax in axes.flat:
        if not ax.has_data():
            ax.remove()
    handles = [Patch(facecolor=OP_COLORS[op], edgecolor="#9A9A9A", hatch="////" if op == SKIP else None,
                     label=OP_LABELS[op]) for op in OPS]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(OPS), fontsize=7,
                  title="sub-block op (column = layer, number above = expansion e, s2 = stride 2)",
                  title_fontsize=7)
    return figure
