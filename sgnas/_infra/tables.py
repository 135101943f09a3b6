"""Tables as files and as terminal text: one pandas DataFrame, written as CSV, Markdown and LaTeX.

Every table of the project (the reference table of published architectures,
the replication's proxy tables) goes through these functions, so all of them
look alike and every file is written atomically (:mod:`sgnas._infra.runs`).

* CSV keeps the raw values (missing values empty) for other programs;
* Markdown (GitHub pipe table) and LaTeX (booktabs, via pandas' Styler) are
  for reading: numbers of a column share one number of decimals, missing
  values show as a dash, the title and notes come along;
* :func:`render` is the terminal form: long text columns (notes, sources)
  become numbered footnotes under the table so that the table stays narrow.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import atomic_write_text

__all__ = ["FORMATS", "MISSING", "format_table", "render", "to_csv", "to_latex", "to_markdown", "write_table"]

#: format name -> file suffix of the written file (``text`` is the terminal form, never written)
FORMATS: dict[str, str | None] = {"csv": "csv", "markdown": "md", "latex": "tex", "text": None}
MISSING = "–"
#: text columns longer than this become footnotes in the terminal and paragraph columns in LaTeX
_LONG_TEXT = 40
_MAX_DECIMALS = 6

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _decimals(value: float) -> int:
    """Decimals needed to show ``value`` as stored (up to 6): 373.0 -> 0, 5.482 -> 3."""
    text = f"{value:.{_MAX_DECIMALS}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _column_text(column: pd.Series) -> list[str]:
    """A column's cells as text; the floats of a column all get the decimals its most precise value needs."""
    floats = [v for v in column if isinstance(v, float) and not _is_missing(v)]
    decimals = max((_decimals(v) for v in floats), default=0)
    cells = []
    for value in column:
        if _is_missing(value):
            cells.append(MISSING)
        elif isinstance(value, float):
            cells.append(f"{value:.{decimals}f}")
        else:
            cells.append(str(value))
    return cells


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({column: _column_text(frame[column]) for column in frame.columns}, index=frame.index)


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _is_long_text(column: pd.Series) -> bool:
    """Whether a column holds text longer than a table cell comfortably shows."""
    return not _is_numeric(column) and max((len(c) for c in _column_text(column)), default=0) > _LONG_TEXT


def _escape_latex(text: str) -> str:
    """Title and notes in LaTeX (cells and headers are escaped by pandas' Styler)."""
    return "".join(_LATEX_SPECIALS.get(char, char) for char in text)


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text with raw values (no index, missing values empty)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def to_markdown(frame: pd.DataFrame, title: str | None = None, notes: Iterable[str] = ()) -> str:
    """A GitHub pipe table, with the title as a bold line above and the notes as paragraphs below."""

    def row(cells: Iterable[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    lines = [f"**{title}**", ""] if title else []
    lines.append(row(frame.columns))
    lines.append("|" + "|".join("---:" if _is_numeric(frame[c]) else "---" for c in frame.columns) + "|")
    lines.extend(row(cells) for cells in _text_frame(frame).itertuples(index=False))
    for note in notes:
        if note:
            lines.extend(["", note])
    return "\n".join(lines) + "\n"


def to_latex(frame: pd.DataFrame, title: str | None = None, notes: Iterable[str] = ()) -> str:
    """A booktabs ``table`` environment (pandas Styler); long text columns become paragraph columns."""
    alignment = "".join(
        "r" if _is_numeric(frame[c]) else r"p{5cm}" if _is_long_text(frame[c]) else "l" for c in frame.columns
    )
    styler = _text_frame(frame).style.hide(axis="index").format(escape="latex").format_index(escape="latex", axis=1)
    body = styler.to_latex(
        column_format=alignment,
        hrules=True,
        caption=_escape_latex(title) if title else None,
        position="htbp",
    )
    footer = "".join(r"\par\footnotesize " + _escape_latex(note) + "\n" for note in notes if note)
    return body.replace(r"\end{table}", footer + r"\end{table}")


def render(
    frame: pd.DataFrame,
    title: str | None = None,
    notes: Iterable[str] = (),
    footnote_columns: Sequence[str] | None = None,
) -> str:
    """The table for a terminal: aligned columns; long text columns turned into numbered footnotes.

    ``footnote_columns`` defaults to every text column with a value longer than 40
    characters; equal texts share one footnote.
    """
    if footnote_columns is None:
        footnote_columns = [c for c in frame.columns if _is_long_text(frame[c])]
    shown = _text_frame(frame)
    footnotes: dict[str, int] = {}
    for column in footnote_columns:
        markers = []
        for value in frame[column]:
            if _is_missing(value) or not str(value):
                markers.append("")
                continue
            number = footnotes.setdefault(str(value), len(footnotes) + 1)
            markers.append(f"[{number}]")
        shown[column] = markers
    widths = {c: max([len(str(c))] + [len(v) for v in shown[c]]) for c in shown.columns}

    def line(cells: Iterable[str]) -> str:
        # Numbers right-aligned, text left-aligned, two spaces between columns.
        return "  ".join(
            cell.rjust(widths[c]) if _is_numeric(frame[c]) else cell.ljust(widths[c])
            for c, cell in zip(shown.columns, cells)
        ).rstrip()

    parts = [title, "=" * min(len(title), 100)] if title else []
    parts.append(line(str(c) for c in shown.columns))
    parts.extend(line(cells) for cells in shown.itertuples(index=False))
    if footnotes:
        parts.append("")
        parts.extend(f"[{number}] {text}" for text, number in footnotes.items())
    extra = [note for note in notes if note]
    if extra:
        parts.append("")
        parts.extend(extra)
    return "\n".join(parts) + "\n"


def format_table(frame: pd.DataFrame, fmt: str, title: str | None = None, notes: Iterable[str] = ()) -> str:
    """The table in one of :data:`FORMATS`: ``csv``, ``markdown``, ``latex`` or ``text`` (the terminal form)."""
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "markdown":
        return to_markdown(frame, title, notes)
    if fmt == "latex":
        return to_latex(frame, title, notes)
    if fmt == "text":
        return render(frame, title, notes)
    raise SgnasError(f"unknown table format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write_table(
    frame: pd.DataFrame,
    folder: str | Path,
    name: str,
    title: str | None = None,
    notes: Iterable[str] = (),
) -> dict[str, Path]:
    """Write ``<folder>/<name>.csv``, ``.md`` and ``.tex`` atomically; returns the path of each format."""
    notes = list(notes)
    paths = {}
    for fmt, suffix in FORMATS.items():
        if suffix is None:
            continue
        path = Path(folder) / f"{name}.{suffix}"
        try:
            atomic_write_text(path, format_table(frame, fmt, title, notes))
        except OSError as err:
            raise SgnasError(f"cannot write {path}: {err.strerror or err}") from None
        paths[fmt] = path
    return paths
