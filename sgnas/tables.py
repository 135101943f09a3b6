"""Tables as files and as terminal text: one pandas DataFrame, written as CSV, Markdown and LaTeX.

Every table of the project (the reference table of published architectures,
the replication's proxy tables) goes through these functions, so all of them
look alike and every file is written atomically (:mod:`sgnas.runs`).

* CSV keeps the raw values (missing values empty) for other programs;
* Markdown (GitHub pipe table) and LaTeX (booktabs, via pandas' Styler) are
  for reading; missing values show as a dash, title and notes come along;
* :func:`render` is the terminal form: long text columns (notes) become
  numbered footnotes under the table so that the table stays narrow.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sgnas.errors import SgnasError
from sgnas.runs import atomic_write_text

__all__ = ["FORMATS", "SUFFIXES", "format_table", "render", "to_csv", "to_latex", "to_markdown", "write_table"]

#: file suffix of each written format
SUFFIXES: dict[str, str] = {"csv": "csv", "markdown": "md", "latex": "tex"}
MISSING = "–"
#: text columns longer than this become footnotes in the terminal and paragraph columns in LaTeX
_LONG_TEXT = 40


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cell(value: Any) -> str:
    """A value as table text: missing values as a dash, floats without trailing noise."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 1e5 or value == 0 else f"{value:.6g}"
    return str(value)


def _notes_lines(notes: Iterable[str]) -> list[str]:
    return [note for note in notes if note]


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text with raw values (no index)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def to_markdown(frame: pd.DataFrame, title: str | None = None, notes: Iterable[str] = ()) -> str:
    """A GitHub pipe table, with the title as a heading line and the notes as paragraphs below."""

    def row(cells: Iterable[Any]) -> str:
        return "| " + " | ".join(_cell(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = [f"**{title}**", ""] if title else []
    lines.append(row(frame.columns))
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines.extend(row(values) for values in frame.itertuples(index=False))
    extra = _notes_lines(notes)
    if extra:
        lines.append("")
        lines.extend(f"{note}\n" for note in extra)
    return "\n".join(lines).rstrip("\n") + "\n"


def to_latex(frame: pd.DataFrame, title: str | None = None, notes: Iterable[str] = ()) -> str:
    """A booktabs ``table`` environment (pandas Styler); long text columns become paragraph columns."""
    formats = []
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            formats.append("r")
        elif frame[column].map(lambda v: len(_cell(v))).max(initial=0) > _LONG_TEXT:
            formats.append(r"p{5cm}")
        else:
            formats.append("l")
    styler = frame.style.hide(axis="index").format(_cell, escape="latex").format_index(escape="latex", axis=1)
    body = styler.to_latex(
        column_format="".join(formats),
        hrules=True,
        caption=_escape_latex(title) if title else None,
        position="htbp",
    )
    extra = _notes_lines(notes)
    if extra:
        footer = "\n".join(r"\par\footnotesize " + _escape_latex(note) for note in extra)
        body = body.replace(r"\end{table}", footer + "\n" + r"\end{table}")
    return body


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def _escape_latex(text: str) -> str:
    """Title and notes in LaTeX (cells and headers are escaped by pandas' Styler)."""
    return "".join(_LATEX_SPECIALS.get(char, char) for char in text)


def render(
    frame: pd.DataFrame,
    title: str | None = None,
    notes: Iterable[str] = (),
    footnote_columns: Sequence[str] | None = None,
) -> str:
    """The table for a terminal: aligned columns; long text columns turned into numbered footnotes.

    ``footnote_columns`` defaults to every text column with a value longer than 40 characters.
    """
    if footnote_columns is None:
        footnote_columns = [
            c for c in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[c]) and frame[c].map(lambda v: len(_cell(v))).max(initial=0) > _LONG_TEXT
        ]
    shown = frame.copy()
    footnotes: list[str] = []
    for column in footnote_columns:
        markers = []
        for value in frame[column]:
            if _is_missing(value) or not str(value):
                markers.append("")
                continue
            footnotes.append(f"[{len(footnotes) + 1}] {value}")
            markers.append(f"[{len(footnotes)}]")
        shown[column] = markers
    text = shown.to_string(index=False, na_rep=MISSING, formatters={c: _cell for c in shown.columns})
    parts = [title, "=" * min(len(title), 100)] if title else []
    parts.append(text)
    if footnotes:
        parts.append("")
        parts.extend(footnotes)
    extra = _notes_lines(notes)
    if extra:
        parts.append("")
        parts.extend(extra)
    return "\n".join(parts) + "\n"


def format_table(frame: pd.DataFrame, fmt: str, title: str | None = None, notes: Iterable[str] = ()) -> str:
    """The table in one format: ``csv``, ``markdown``, ``latex`` or ``text`` (the terminal form)."""
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "markdown":
        return to_markdown(frame, title, notes)
    if fmt == "latex":
        return to_latex(frame, title, notes)
    if fmt == "text":
        return render(frame, title, notes)
    raise SgnasError(f"unknown table format {fmt!r}; choose csv, markdown, latex or text")


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
    for fmt, suffix in SUFFIXES.items():
        path = Path(folder) / f"{name}.{suffix}"
        try:
            atomic_write_text(path, format_table(frame, fmt, title, notes))
        except OSError as err:
            raise SgnasError(f"cannot write {path}: {err.strerror or err}") from None
        paths[fmt] = path
    return paths
