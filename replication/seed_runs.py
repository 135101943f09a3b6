"""One pass of a study over its seeds into a results folder: the folder made and locked, each run announced, the manifest.

The harness (:mod:`replication.harness`) and the NAS-Bench-201 track
(:mod:`replication.nasbench201`) both run a known number of cached runs per
seed into one results folder and finish with a manifest of what they ran. They
share this one loop: :func:`seed_runs` checks the seeds, makes the folder (a
folder that cannot be made is one error line), holds its lock while the study
runs (a second study on the same folder waits, then reuses the finished runs),
clears temporary files an interrupted write left behind, and counts the runs
(``harness: run 3 of 18 (seed 0, generator), elapsed 04:12, ETA 21:00``);
:meth:`SeedRuns.write_manifest` adds what every manifest holds (the seeds, the
environment and the study's wall seconds) to the study's own fields.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from replication._inputs import check_seeds
from replication.results import write_json
from sgnas._infra import locking
from sgnas._infra.progress import RunCounter
from sgnas._infra.runs import check_output_folder, environment, output_folder, remove_stale_temps

__all__ = ["SeedRuns", "seed_runs"]


@dataclass
class SeedRuns:
    """The open results folder of a study, its runs folder, its seeds and its run counter."""

    results_dir: Path
    runs_dir: Path
    seeds: tuple[int, ...]
    counter: RunCounter
    started: float

    def __iter__(self) -> Iterator[int]:
        return iter(self.seeds)

    def start(self, seed: int, what: str) -> None:
        """Announce the next run: ``what`` of ``seed``."""
        self.counter.start(f"seed {seed}, {what}")

    def write_manifest(self, name: str, fields: dict[str, Any]) -> Path:
        """Result file ``name`` (:data:`replication.results.FILES`): ``fields``, the seeds, the environment and
        the seconds since the study started."""
        return write_json(self.results_dir, name, {
            **fields, "seeds": list(self.seeds), "environment": environment(),
            "seconds": time.perf_counter() - self.started,
        })


def _holds_nothing(folder: Path) -> bool:
    """Whether ``folder`` holds no file but lock files (in it or in empty folders below it)."""
    return all(path.is_dir() or path.name == locking.LOCK_NAME for path in folder.rglob("*"))


@contextmanager
def seed_runs(desc: str, seeds: Sequence[int], results_dir: str | Path, runs_dir: str | Path | None,
              runs_per_seed: int) -> Iterator[SeedRuns]:
    """The study ``desc`` over ``seeds`` into ``results_dir`` (runs under ``runs_dir``, default ``<results>/runs``),
    ``runs_per_seed`` announced runs each; the folder is locked until the block ends.

    A runs folder that cannot be made is an error before the results folder is made; a results folder this call
    made is removed again when the study stops before writing anything into it (a bad data folder, say), so a
    refused study leaves neither a folder nor its ``.lock`` behind.
    """
    seeds = check_seeds(seeds)
    if runs_dir is not None:
        check_output_folder(runs_dir, "the runs")
    made = not Path(results_dir).exists()
    results_dir = output_folder(results_dir, "the results")
    runs = Path(runs_dir) if runs_dir is not None else results_dir / "runs"
    try:
        with locking.locked(results_dir, "results folder"):
            remove_stale_temps(results_dir)
            yield SeedRuns(results_dir, runs, tuple(seeds), RunCounter(len(seeds) * runs_per_seed, desc),
                           time.perf_counter())
    except BaseException:
        if made and _holds_nothing(results_dir):
            locking.release_within(results_dir)  # the runs it holds inside the folder go with it
            shutil.rmtree(results_dir, ignore_errors=True)
        raise
