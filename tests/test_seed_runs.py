"""The seed loop the harness and the NAS-Bench-201 track share: folder, lock, run counting, manifest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from replication.results import read_json
from replication.seed_runs import seed_runs
from sgnas._infra import locking
from sgnas._infra.errors import SgnasError


def test_a_study_counts_its_runs_holds_its_folder_and_writes_the_common_manifest(tmp_path: Path, capsys) -> None:
    results = tmp_path / "results"
    results.mkdir()
    stale = results / ".manifest.json.abc.tmp"  # an interrupted write that names no live writer
    stale.write_text("{}")
    with seed_runs("study", [3, 4], results, None, 2) as runs:
        assert str(os.getpid()) in locking.holder(results)
        assert not stale.exists() and runs.runs_dir == results / "runs"
        for seed in runs:
            runs.start(seed, "supernet")
            runs.start(seed, "search")
        runs.write_manifest("manifest", {"plan": "smoke", "seeds": "overridden"})
    assert str(os.getpid()) not in locking.holder(results)
    announced = capsys.readouterr().err.splitlines()
    assert [line.split(", elapsed")[0] for line in announced] == [
        "study: run 1 of 4 (seed 3, supernet)", "study: run 2 of 4 (seed 3, search)",
        "study: run 3 of 4 (seed 4, supernet)", "study: run 4 of 4 (seed 4, search)"]
    manifest = read_json(results, "manifest")
    assert manifest["plan"] == "smoke" and manifest["seeds"] == [3, 4]
    assert manifest["seconds"] >= 0 and "python" in manifest["environment"]


def test_no_seeds_and_an_unmakeable_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SgnasError, match="no seeds"), seed_runs("study", [], tmp_path, None, 1):
        pass
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SgnasError, match="cannot write the results into"), \
            seed_runs("study", [0], blocker / "results", tmp_path / "runs", 1):
        pass


def test_a_study_that_fails_before_writing_removes_the_folder_it_made(tmp_path: Path) -> None:
    made, kept = tmp_path / "made", tmp_path / "kept"
    kept.mkdir()
    for folder in (made, kept):
        with pytest.raises(SgnasError, match="no data"), seed_runs("study", [0], folder, None, 1) as runs:
            runs.runs_dir.mkdir(parents=True)
            locking.acquire(runs.runs_dir)  # a run folder held, nothing written into it yet
            raise SgnasError("no data")
    assert not made.exists(), "a results folder this study made and left empty is removed"
    assert kept.is_dir(), "a folder that was there before stays"
    with pytest.raises(SgnasError, match="late"), seed_runs("study", [0], made, None, 1) as runs:
        (runs.results_dir / "search.csv").write_text("")
        raise SgnasError("late")
    assert (made / "search.csv").exists(), "what a study wrote is kept"
    locking.release_all()


def test_a_runs_folder_under_a_file_is_refused_before_the_results_folder_is_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(SgnasError, match="cannot write the runs into .*: .*file is a file, not a folder"), \
            seed_runs("study", [0], tmp_path / "results", tmp_path / "file" / "runs", 1):
        pass
    assert not (tmp_path / "results").exists()
