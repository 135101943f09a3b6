"""Tables as CSV, Markdown, LaTeX and terminal text."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sgnas._infra.errors import SgnasError
from sgnas._infra.tables import format_table, render, to_latex, to_markdown, write_table

LONG = "a note long enough to become a footnote in the terminal, with 50% and an_underscore"


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Model": ["A|B", "C", "D"],
            "MACs (M)": [373.18, 326.0, math.nan],
            "Count": [1, 2, 3],
            "Note": [LONG, "", LONG],
        }
    )


def test_write_table_writes_three_files_and_csv_keeps_raw_values(frame, tmp_path):
    paths = write_table(frame, tmp_path / "out", "demo", "Demo table", ["first note"])
    assert {p.name for p in paths.values()} == {"demo.csv", "demo.md", "demo.tex"}
    back = pd.read_csv(paths["csv"], keep_default_na=False, na_values=[""])
    assert back["MACs (M)"].iloc[0] == 373.18 and math.isnan(back["MACs (M)"].iloc[2])
    assert list(back.columns) == list(frame.columns)
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_markdown_aligns_numbers_escapes_pipes_and_shows_missing(frame):
    text = to_markdown(frame, "Demo", ["a note"])
    lines = text.splitlines()
    assert lines[0] == "**Demo**"
    assert lines[3] == "|---|---:|---:|---|"
    assert "A\\|B" in lines[4]
    # one number of decimals per column; missing values as a dash
    assert "| 373.18 |" in lines[4] and "| 326.00 |" in lines[5] and "| – |" in lines[6]
    assert text.rstrip().endswith("a note")


def test_latex_is_booktabs_with_escaped_text(frame):
    text = to_latex(frame, "Demo 100%", ["note_1"])
    assert r"\toprule" in text and r"\bottomrule" in text
    assert r"\caption{Demo 100\%}" in text
    assert r"50\% and an\_underscore" in text
    assert r"MACs (M)" in text
    assert r"\par\footnotesize note\_1" in text
    assert r"p{5cm}" in text


def test_render_turns_long_text_into_shared_footnotes(frame):
    text = render(frame, "Demo", ["closing note"])
    assert text.count(LONG) == 1
    assert "[1]" in text.splitlines()[3] and "[1]" in text.splitlines()[5]
    assert text.rstrip().endswith("closing note")


def test_unknown_format_and_unwritable_folder_are_errors(frame, tmp_path):
    with pytest.raises(SgnasError, match="unknown table format"):
        format_table(frame, "html")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SgnasError, match="cannot write"):
        write_table(frame, blocker, "demo")
