"""Report pages that are not plots: a title page, tables as typeset pages, notices and monospaced text.

Each function returns matplotlib Figures of one page, so the report is one
``PdfPages`` file with no LaTeX needed. Long tables continue on further pages;
long cell text is wrapped to the column's width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from replication.results import Table  # noqa: E402
from reports.style import PAGE_SIZE, RC  # noqa: E402

__all__ = ["missing_page", "table_pages", "text_pages", "title_page"]

LANDSCAPE = (PAGE_SIZE[1], PAGE_SIZE[0])
#: characters of 6.5-pt text per inch of column, and lines per inch, for wrapping and row heights
_CHARS_PER_INCH = 17.0
_LINE_INCH = 0.115


def _page(size: tuple[float, float] = PAGE_SIZE) -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=size)


def title_page(title: str, lines: Sequence[str]) -> Figure:
    """The report's first page: its title and a few lines (preset, seeds, what is missing)."""
    with matplotlib.rc_context(RC):
        figure = _page()
        figure.text(0.5, 0.9, title, ha="center", va="top", fontsize=18)
        body = "\n".join(textwrap.fill(line, 95) for line in lines)
        figure.text(0.08, 0.84, body, ha="left", va="top", fontsize=8.5, linespacing=1.5)
    return figure


def missing_page(title: str, message: str) -> Figure:
    """The page of a figure or table whose input was not produced: it says so, and draws nothing."""
    with matplotlib.rc_context(RC):
        figure = _page()
        figure.text(0.5, 0.9, title, ha="center", va="top", fontsize=12)
        figure.text(0.5, 0.6, f"Not available: {message}.\nNo number on this page is filled in or estimated.",
                    ha="center", va="center", fontsize=10, color="#A00000")
    return figure


def _wrapped(table: Table, width: float) -> tuple[list[str], list[list[str]], list[float]]:
    """Header and cells wrapped to column widths (inches) shared in proportion to content length."""
    shown = table.shown
    frame = shown.astype(object).where(shown.notna(), "")
    header = [str(c) for c in frame.columns]
    cells = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    def longest_word(j: int) -> int:
        return max(len(word) for text in [header[j], *(r[j] for r in cells)] for word in (text.split() or [""]))

    lengths = [max([len(header[j]) / 2, 4] + [min(len(r[j]), 160) for r in cells]) for j in range(len(header))]
    def longest_short_cell(j: int) -> int:
        return max([len(r[j]) for r in cells if len(r[j]) <= 16] or [0])

    # no column narrower than its longest word (a verdict must not break mid-word), nor than its short
    # cells such as "6.13 ± 0.18" (numbers must not wrap)
    minimum = [min(max(longest_word(j), longest_short_cell(j)), 24) + 1 for j in range(len(header))]
    total = sum(lengths)
    widths = [width * n / total for n in lengths]
    deficit = [max(0.0, m / _CHARS_PER_INCH - w) for m, w in zip(minimum, widths)]
    spare = [w - m / _CHARS_PER_INCH if d == 0 else 0.0 for w, m, d in zip(widths, minimum, deficit)]
    if sum(deficit) and sum(spare) > 0:
        widths = [w + d - sum(deficit) * sp / sum(spare) for w, d, sp in zip(widths, deficit, spare)]
    chars = [max(4, int(w * _CHARS_PER_INCH)) for w in widths]
    header = [textwrap.fill(h, c, break_long_words=False) for h, c in zip(header, chars)]
    cells = [[textwrap.fill(v, c, break_long_words=False) for v, c in zip(row, chars)] for row in cells]
    return header, cells, widths


def table_pages(table: Table) -> list[Figure]:
    """The table typeset on landscape pages (continued when long), caption above and notes below."""
    width_in, height_in = LANDSCAPE
    usable_width, usable_height = width_in - 1.0, height_in - 2.2
    header, cells, widths = _wrapped(table, usable_width)

    def height(row: list[str]) -> float:
        return (max(text.count("\n") for text in row) + 1) * _LINE_INCH + 0.06

    chunks: list[list[list[str]]] = [[]]
    used = height(header)
    for row in cells:
        if chunks[-1] and used + height(row) > usable_height:
            chunks.append([])
            used = height(header)
        chunks[-1].append(row)
        used += height(row)
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        with matplotlib.rc_context(RC):
            figure = _page(LANDSCAPE)
            suffix = f" (continued, page {number} of {len(chunks)})" if len(chunks) > 1 else ""
            figure.text(0.5, 1 - 0.45 / height_in, table.title + suffix, ha="center", va="top", fontsize=11)
            top = 1 - 0.9 / height_in
            rows = [header, *chunk] if chunk else [header]
            heights = [height(r) / height_in for r in rows]
            ax = figure.add_axes((0.5 / width_in, top - sum(heights), usable_width / width_in, sum(heights)))
            ax.axis("off")
            drawn = ax.table(cellText=rows[1:] or None, colLabels=rows[0], colWidths=[w / usable_width for w in widths],
                             cellLoc="left", colLoc="left", loc="upper center", bbox=(0, 0, 1, 1))
            drawn.auto_set_font_size(False)
            drawn.set_fontsize(6.5)
            for (r, _), cell in drawn.get_celld().items():
                cell.set_height(heights[r] / sum(heights))
                cell.set_linewidth(0.3)
                cell.set_edgecolor("#BBBBBB")
                if r == 0:
                    cell.set_facecolor("#EEEEEE")
                    cell.set_text_props(fontweight="bold")
            if number == len(chunks) and table.notes:
                notes = "\n".join(textwrap.fill(n, 170) for n in table.notes)
                figure.text(0.5 / width_in, top - sum(heights) - 0.15 / height_in, notes, ha="left", va="top",
                            fontsize=7, style="italic")
        pages.append(figure)
    return pages


def text_pages(title: str, text: str, lines_per_page: int = 80) -> list[Figure]:
    """Monospaced text (configs, environment) over as many pages as it needs."""
    lines = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, 110, subsequent_indent="    ") or [""])
    pages = []
    chunks = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    for number, chunk in enumerate(chunks, start=1):
        with matplotlib.rc_context(RC):
            figure = _page()
            suffix = f" ({number}/{len(chunks)})" if len(chunks) > 1 else ""
            figure.text(0.5, 0.96, title + suffix, ha="center", va="top", fontsize=11)
            figure.text(0.06, 0.93, "\n".join(chunk), ha="left", va="top", fontsize=6, family="monospace")
        pages.append(figure)
    return pages
