"""Independent studies of the main job run side by side on the machine's cores, to fill the run cache first.

Every step of the main job (:mod:`replication.replicate_table`) is a cached
run keyed by config hash and seed: the harness's chain for one seed, the
redundancy study's extra supernet, the NAS-Bench-201 track for one seed. These
chains share no run, and each trains at one torch thread, so on a machine with
several cores they can run at once in separate processes. :func:`prefill` does
that: each :class:`Study` runs in its own worker process into a scratch results
folder, writing its runs into the shared runs folder (each run folder is locked,
so a run two studies need is trained once). The main job then builds its tables
as it always does, reading finished runs instead of training them; the numbers
are those a one-process run gives (same seeds, one thread per run), only the
wall-clock columns measure runs that shared the machine.

A worker's output goes to its own log (two progress bars cannot share one
terminal); every ``$SGNAS_PROGRESS_SECONDS`` seconds the main process prints
the last line of each running study's log, and one line as each study ends.
A study that fails stops the others and is one error line naming its log.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from sgnas._infra import locking
from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import report_interval

__all__ = ["Study", "available_cores", "prefill"]


@dataclass(frozen=True)
class Study:
    """One independent piece of the main job: ``function(**kwargs)``, a module-level function (it is pickled by
    name into the worker), described by ``label``; ``results_dir`` in ``kwargs`` is pointed at a scratch folder."""

    label: str
    function: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.label).strip("-")


def available_cores() -> int:
    """The cores this process may run on (its affinity where the system says it, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _run(study: Study, log: Path) -> None:
    """Worker body: ``study`` with its output in ``log``; a one-line error is written to ``log.error``, exit 2."""
    with open(log, "a", buffering=1) as stream:
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
        sys.stdout = sys.stderr = stream
        try:
            study.function(**study.kwargs)
        except SgnasError as err:
            log.with_suffix(".error").write_text(str(err))
            sys.exit(2)
        finally:
            locking.release_all()


def _last_line(log: Path) -> str:
    """The last non-empty line (or carriage-return segment) of ``log``."""
    try:
        with open(log, "rb") as stream:
            stream.seek(max(0, stream.seek(0, os.SEEK_END) - 4096))
            tail = stream.read().decode(errors="replace")
    except OSError:
        return ""
    pieces = [p.strip() for p in tail.replace("\r", "\n").split("\n") if p.strip()]
    return pieces[-1] if pieces else "starting"


def _failure(study: Study, process: multiprocessing.process.BaseProcess, log: Path) -> str | None:
    """Why ``study``'s finished worker failed, or None when it succeeded."""
    if process.exitcode == 0:
        return None
    error = log.with_suffix(".error")
    if process.exitcode == 2 and error.exists():
        return f"{study.label}: {error.read_text().strip()} (log: {log})"
    return (f"{study.label}: its worker process ended with exit code {process.exitcode} (killed, out of memory or "
            f"a crash; the last lines of {log} say which); run the main job again to resume")


def prefill(studies: Sequence[Study], jobs: int, scratch: Path) -> None:
    """Run ``studies`` on ``jobs`` worker processes (in order, longest first is best), their results folders and
    logs under ``scratch`` (removed when every study succeeded); nothing when ``jobs`` or the studies are < 2.

    The first failure stops the other workers (their runs resume on the next call) and is raised as one line.
    """
    if jobs < 2 or len(studies) < 2:
        return
    scratch.mkdir(parents=True, exist_ok=True)
    logs = {study.label: scratch / f"{study.slug}.log" for study in studies}
    for log in logs.values():
        log.write_text("")
        log.with_suffix(".error").unlink(missing_ok=True)
    jobs = min(jobs, len(studies))
    print(f"prefill: {len(studies)} studies on {jobs} processes, logs in {scratch}", file=sys.stderr, flush=True)
    context = multiprocessing.get_context("spawn")
    start, interval = time.monotonic(), report_interval()
    queue = list(studies)
    running: dict[Any, tuple[Study, multiprocessing.process.BaseProcess]] = {}
    done = 0
    try:
        while queue or running:
            while queue and len(running) < jobs:
                study = queue.pop(0)
                kwargs = {**study.kwargs, "results_dir": scratch / study.slug}
                process = context.Process(target=_run, args=(Study(study.label, study.function, kwargs),
                                                             logs[study.label]), name=study.slug)
                process.start()
                running[process.sentinel] = (study, process)
            ready = multiprocessing.connection.wait(list(running), timeout=interval or None)
            elapsed = tqdm.format_interval(time.monotonic() - start)
            for sentinel in ready:
                study, process = running.pop(sentinel)
                process.join()
                failure = _failure(study, process, logs[study.label])
                if failure is not None:
                    raise SgnasError(failure)
                done += 1
                print(f"prefill: {study.label} done ({done} of {len(studies)}), elapsed {elapsed}",
                      file=sys.stderr, flush=True)
            if not ready:
                for study, _ in running.values():
                    print(f"prefill: {study.label}: {_last_line(logs[study.label])} (elapsed {elapsed})",
                          file=sys.stderr, flush=True)
    finally:
        for _, process in running.values():
            process.terminate()
        for _, process in running.values():
            process.join()
    shutil.rmtree(scratch, ignore_errors=True)
