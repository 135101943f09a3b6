"""Table A end to end: ``replication/replicate_table.py`` writes CSV, Markdown and LaTeX and prints the table."""

from __future__ import annotations

import pandas as pd

from replication.replicate_table import main
from replication.tables import TABLES
from replication.tables.table_a import table_a

COLUMNS = [
    "Model", "Built as", "Convention", "MACs (M)", "Published MACs (M)", "MACs diff (%)", "Params (M)",
    "Published params (M)", "Params diff (M)", "Top-1 reported (%)", "Counted by", "Note", "Source",
]


def test_reference_table_is_the_first_builder():
    assert TABLES[0].build is table_a


def test_replicate_table_writes_and_prints_table_a(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--reference-only"]) == 0
    out = capsys.readouterr().out
    assert "Table A" in out and "as reported, not measured here" in out
    for suffix in ("csv", "md", "tex"):
        assert (tmp_path / f"reference_table.{suffix}").is_file()
    table = pd.read_csv(tmp_path / "reference_table.csv", keep_default_na=False)
    assert list(table.columns) == COLUMNS
    assert len(table) == 13
    rows = table.set_index("Model")
    for name in ("SGNAS-A", "SGNAS-B", "SGNAS-C"):
        assert rows.loc[name, "Convention"] == "conv"
        assert rows.loc[name, "Counted by"] == "cost model = export"
        assert abs(rows.loc[name, "MACs diff (%)"]) <= 0.5
    for name in ("FairNAS-A", "FairNAS-B", "FairNAS-C"):
        assert rows.loc[name, "Convention"] == "conv+fc"
        assert abs(rows.loc[name, "MACs diff (%)"]) <= 0.5
    for name, row in rows.iterrows():
        if abs(row["MACs diff (%)"]) > 3:
            assert row["Note"].startswith("outside ±3%"), name
    assert rows.loc["SGNAS-A", "MACs (M)"] == 373.18


def test_the_main_job_runs_the_nas_bench_201_track_on_its_own_seeds(tmp_path):
    """Five at the quick plan whatever seeds the unified space's studies use; nb201.seeds changes the count."""
    from replication.replicate_table import _studies

    def track_seeds(overrides: tuple[str, ...] = (), track: str = "run_nasbench201",
                    latency: bool = True) -> list[list[int]]:
        studies = _studies("quick", [0, 1], tmp_path, None, True, True, latency, overrides)
        return [s.kwargs["seeds"] for s in studies if s.function.__name__ == track]

    assert track_seeds() == [[0], [1], [2], [3], [4]]
    assert track_seeds(("nb201.seeds=7",)) == [[seed] for seed in range(7)]
    harness = [s for s in _studies("quick", [3], tmp_path, None, True, True, True, ())
               if s.function.__name__ == "run_replication"]
    assert [s.kwargs["seeds"] for s in harness] == [[3]]
    # the latency track: its own seeds, none without latency.csv
    assert track_seeds(track="run_latency") == [[0]]
    assert track_seeds(("nb201.latency_seeds=3",), "run_latency") == [[0], [1], [2]]
    assert track_seeds(track="run_latency", latency=False) == []
