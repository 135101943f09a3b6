"""The main job's studies side by side: they all run, their output goes to logs, and a failure is one line."""

from __future__ import annotations

import os
from pathlib import Path

import prefill_support as support
import pytest

from replication.prefill import Study, prefill
from sgnas._infra.errors import SgnasError


def test_every_study_runs_in_its_own_process_and_the_scratch_folder_goes(tmp_path: Path, capsys) -> None:
    markers = [tmp_path / f"marker{i}" for i in range(3)]
    studies = [Study(f"study {i}", support.write_marker, {"marker": m, "text": str(i)}) for i, m in enumerate(markers)]
    prefill(studies, 2, tmp_path / "scratch")
    texts = [m.read_text() for m in markers]
    assert [t.split()[0] for t in texts] == ["0", "1", "2"]
    assert str(os.getpid()) not in {t.split()[-1] for t in texts}, "each study runs in a worker process"
    err = capsys.readouterr().err
    assert "prefill: 3 studies on 2 processes" in err and err.count(" done (") == 3
    assert not (tmp_path / "scratch").exists()


def test_one_job_or_one_study_runs_nothing_here(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    prefill([Study("a", support.write_marker, {"marker": marker, "text": "a"})] * 2, 1, tmp_path / "scratch")
    prefill([Study("a", support.write_marker, {"marker": marker, "text": "a"})], 4, tmp_path / "scratch")
    assert not marker.exists() and not (tmp_path / "scratch").exists()


def test_a_failing_study_is_one_line_naming_it_and_stops_the_others(tmp_path: Path) -> None:
    late = tmp_path / "late"
    studies = [Study("slow one", support.sleep_then_mark, {"marker": late, "seconds": 60}),
               Study("seed 3 harness", support.refuse)]
    with pytest.raises(SgnasError, match=r"^seed 3 harness: the data folder is empty \(log: .*seed-3-harness.log\)$"):
        prefill(studies, 2, tmp_path / "scratch")
    assert not late.exists()


def test_a_worker_that_dies_is_named_with_its_exit_code(tmp_path: Path) -> None:
    studies = [Study("doomed", support.die), Study("fine", support.write_marker,
                                                   {"marker": tmp_path / "m", "text": "x"})]
    with pytest.raises(SgnasError, match="doomed: its worker process ended with exit code 9"):
        prefill(studies, 2, tmp_path / "scratch")
