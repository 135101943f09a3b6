"""A paper-like matplotlib style for the report: Times-like serif text, thin axes, CVPR column widths.

CVPR pages are set in Times with 3.25-inch columns; figures here use the STIX
fonts (a Times design that ships with matplotlib, so no LaTeX is needed), the
same widths, and one fixed colour per method and per op so that a colour means
the same thing on every page.
"""

from __future__ import annotations

import seaborn as sns

from replication.methods import methods

__all__ = [
    "COLUMN_WIDTH",
    "FULL_WIDTH",
    "OP_COLORS",
    "OP_LABELS",
    "PAGE_SIZE",
    "RC",
    "method_color",
]

#: one CVPR column and the full text width, in inches
COLUMN_WIDTH = 3.25
FULL_WIDTH = 6.875
#: US letter, the page of the PDF report
PAGE_SIZE = (8.5, 11.0)

_PALETTE = sns.color_palette("colorblind", 10)

#: cell colours of the architecture diagrams, one per op of sgnas.spaces.unified.space.OPS (Fig. 9/10 of the paper colour kernels)
OP_COLORS: dict[str, str] = {"k3": "#4C9BE8", "k5": "#F2A93B", "k7": "#D6453D", "skip": "#EDEDED"}
OP_LABELS: dict[str, str] = {"k3": "3x3", "k5": "5x5", "k7": "7x7", "skip": "skip"}

#: palette positions of the declared methods, in declaration order (SGNAS, the first, in red)
_METHOD_PALETTE_ORDER = (3, 0, 2, 4, 5, 7, 1, 6, 8, 9)

RC: dict[str, object] = {
    "font.family": "serif",
    "font.serif": ["STIXGeneral", "DejaVu Serif"],
    "mathtext.fontset": "stix",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.4,
    "lines.linewidth": 1.2,
    "lines.markersize": 4,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


def method_color(method: str) -> tuple[float, float, float]:
    """The fixed colour of a method: by its place among the declared methods, else a stable hash of its key."""
    declared = list(methods())
    if method in declared and declared.index(method) < len(_METHOD_PALETTE_ORDER):
        return _PALETTE[_METHOD_PALETTE_ORDER[declared.index(method)]]
    return _PALETTE[sum(map(ord, method)) % len(_PALETTE)]
