"""What every figure shares: the missing-result signal, the report style, and saving as PNG and SVG."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reports.style import RC  # noqa: E402

__all__ = ["AT_CHANCE", "MissingResult", "chance_line", "hide_unused", "new_figure", "save_figure", "styled"]

#: legend suffix of a series estimated on a supernet that did not learn (its points are noise)
AT_CHANCE = " (not testable: supernet at chance)"


class MissingResult(Exception):
    """A figure's input file was not produced; the message says which."""


def styled(function: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a figure function inside the report style (fonts are fixed when artists are created)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, np.ndarray]:
    """A figure independent of pyplot's global state, and its axes as a 2-D array."""
    figure = Figure(figsize=(width, height), layout="constrained")
    axes: np.ndarray = figure.subplots(nrows, ncols, squeeze=False, **kwargs)
    return figure, axes


def save_figure(figure: Figure, out_dir: str | Path, stem: str) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` into ``out_dir``; the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with matplotlib.rc_context(RC):
        for suffix in ("png", "svg"):
            path = out_dir / f"{stem}.{suffix}"
            figure.savefig(path)
            paths.append(path)
    return paths


def chance_line(ax: Any, value: float | None, label: str) -> None:
    """A dotted grey horizontal line at chance level (nothing when it is unknown), labelled for the legend."""
    if value is not None:
        ax.axhline(value, color="0.45", linestyle=":", linewidth=0.9, label=label, zorder=1)


def hide_unused(axes: np.ndarray, used: int) -> None:
    """Remove the trailing axes of a grid that has more cells than panels."""
    for ax in list(axes.flat)[used:]:
        ax.remove()


