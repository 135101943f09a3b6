"""Run directories: one per (step, resolved config, seed), written atomically and reused when finished.

Layout (NASLib-style, but keyed by a hash instead of hand-formatted paths)::

    <root>/<kind>/<config-hash>-s<seed>/
        config.json       resolved config (everything that defines the run)
        environment.json  the call that created the run: package versions, CPU/GPU, threads, git commit, command
        reuses.jsonl      one line per later call that opened the run (resumed, reused or rebuilt it), never
                          overwriting environment.json
        metrics.jsonl     one strict-JSON object per logged event (non-finite numbers are written as null)
        results.json      final results; a readable one (a JSON object) marks the run finished
        checkpoint.pt     latest complete checkpoint (training steps only)
        .lock             held by the process using the run (:mod:`sgnas.locking`)

Every file is written to a temporary name (``.NAME.PID.XXXXXXXX.tmp``) and
renamed, so a killed run leaves the last complete version of each file intact;
temporary files of writers that are no longer alive are removed when the
run is opened.

Opening a run (:meth:`RunDir.open`) takes its lock (a second process waits,
told who holds it) and checks what is there:

* a finished run is reused only if every file of its own that its results
  name (``*.pt``, ``*.json``) is present and loads. If one is damaged and the
  run's final ``checkpoint.pt`` loads, the run is resumed from that checkpoint,
  which on the CPU reproduces the files exactly; otherwise it is a one-line
  error naming the file (``--rebuild`` or deleting the run folder recovers);
* an unreadable ``results.json`` (truncated, empty, not an object) makes the
  run unfinished again, with a one-line note;
* an unfinished run resumes from its checkpoint (which must load), and
  ``metrics.jsonl`` is cut back to what that checkpoint had logged, so records
  between the checkpoint and a kill are not logged twice;
* with ``rebuild``, a run whose files do not load is emptied and run again.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sgnas import locking
from sgnas.errors import SgnasError

__all__ = [
    "RunDir",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "config_hash",
    "environment",
    "output_folder",
    "read_jsonl",
    "remove_stale_temps",
    "strict_json",
]

_PACKAGES = ("torch", "torchvision", "timm", "numpy", "pandas", "scipy", "hypothesis", "sgnas-replication")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename (never a half-written file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def atomic_write_json(path: str | Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def output_folder(folder: str | Path, what: str) -> Path:
    """``folder``, created with its parents, to write ``what`` into; a one-line error where it cannot be.

    Called before any work (the results of the main job and the harness, the report), so that a folder under a
    regular file, under ``/proc`` or without write permission stops the command at once, in one line naming it.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as err:
        raise SgnasError(f"cannot write {what} into {folder}: {err.strerror or err}") from None
    return folder


#: a temporary file of :func:`atomic_write_bytes` (``.NAME.PID.RANDOM.tmp``; older writers left out the pid)
_TEMP = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[A-Za-z0-9_]+\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temps(folder: str | Path) -> list[Path]:
    """Remove the temporary files in ``folder`` whose writer is gone (pid not alive, or none recorded); them."""
    removed = []
    for path in Path(folder).glob(".*.tmp"):
        match = _TEMP.match(path.name)
        if match is None or not path.is_file():
            continue
        pid = match.group("pid")
        if pid is None or not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def strict_json(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, infinity) replaced by None, so that it is standard JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: strict_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(item) for item in value]
    return value


def config_hash(config: Any) -> str:
    """A short stable hash of a JSON-able config (key order does not matter)."""
    blob = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def environment() -> dict[str, Any]:
    """What produced a result: package versions, interpreter, CPU/GPU, threads, git commit."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    env: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": versions,
        "git_commit": _git_commit(),
    }
    try:
        import torch

        env["torch_threads"] = torch.get_num_threads()
        env["cuda"] = torch.cuda.is_available()
        if env["cuda"]:
            env["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    return env


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """All complete records of a JSON-lines file (a torn last line from a crash is ignored)."""
    records = []
    path = Path(path)
    if not path.exists():
        return records
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def _load(path: Path) -> tuple[Any, str | None]:
    """(contents, None) of a ``.pt`` or ``.json`` file, or (None, why it does not load)."""
    if not path.is_file():
        return None, "missing"
    try:
        if path.suffix == ".json":
            return json.loads(path.read_text()), None
        import torch

        return torch.load(path, map_location="cpu", weights_only=True), None
    except Exception as err:  # torch raises many types for truncated or foreign files
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, f"corrupt ({text[:100]})"


def _note(message: str) -> None:
    print(f"sgnas: note: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class RunDir:
    """The directory of one run; created by :meth:`open`, finished by :meth:`finish`."""

    path: Path

    @classmethod
    def open(cls, root: str | Path, kind: str, config: dict[str, Any], seed: int, rebuild: bool = False) -> RunDir:
        """The run directory for this config and seed, locked, checked, and created (config, environment) if new.

        Waits while another process holds the run. The lock is let go by
        :meth:`finish`, at once when the run is found finished, or when the
        process ends.
        """
        path = Path(root) / kind / f"{config_hash(config)}-s{seed}"
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SgnasError(f"cannot create run directory {path}: {err.strerror}") from None
        run = cls(path)
        locking.acquire(path)
        remove_stale_temps(path)
        new = not (path / "environment.json").exists()
        role = run._check(rebuild)
        if not (path / "config.json").exists():
            atomic_write_json(path / "config.json", {"kind": kind, "seed": seed, "config": config})
        call = {**environment(), "command": " ".join([sys.executable, *sys.argv]), "pid": os.getpid(),
                "host": platform.node(), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        if new or role == "rebuilt":
            atomic_write_json(path / "environment.json", call)
        else:
            with open(path / "reuses.jsonl", "a") as handle:
                handle.write(json.dumps(strict_json({"role": role, **call}), default=str) + "\n")
        if role == "reused":
            locking.release(path)
        return run

    def _check(self, rebuild: bool) -> str:
        """Verify what the run holds (see the module's docstring); ``reused``, ``resumed`` or ``rebuilt``."""
        results = self.path / "results.json"
        if results.exists() and self._read_results() is None:
            _note(f"run {self.path}: results.json is unreadable or not a JSON object; the run is resumed")
            results.unlink()
        if self.finished:
            damaged = self._damaged_files()
            if not damaged:
                return "reused"
            target, problem = damaged[0]
            checkpoint, unreadable = _load(self.checkpoint_path)
            if unreadable is None:
                _note(f"run {self.path}: {target.name} is {problem}; rebuilding it from the run's final checkpoint.pt")
                results.unlink()
                self._cut_metrics(checkpoint)
                return "resumed"
            if rebuild:
                return self._empty()
            raise SgnasError(f"run {self.path}: {target.name} is {problem}; rerun with --rebuild or delete the "
                             f"run folder {self.path}")
        if not self.checkpoint_path.exists():
            self._cut_metrics(None)  # no checkpoint: the run starts again from nothing
            return "resumed"
        checkpoint, problem = _load(self.checkpoint_path)
        if problem is not None and rebuild:
            return self._empty()
        if problem is not None:
            raise SgnasError(f"run {self.path}: checkpoint.pt is {problem}; rerun with --rebuild or delete the "
                             f"run folder {self.path}")
        self._cut_metrics(checkpoint)
        return "resumed"

    def _empty(self) -> str:
        """Remove everything the run holds but its lock (``rebuild``)."""
        for entry in self.path.iterdir():
            if entry.name != locking.LOCK_NAME and entry.is_file():
                entry.unlink()
        _note(f"run {self.path}: emptied for --rebuild; the run starts again")
        return "rebuilt"

    def _damaged_files(self) -> list[tuple[Path, str]]:
        """(file, problem) of every ``.pt``/``.json`` file of this run its results name that does not load.

        Files of other runs (a generator names its supernet) are checked when their own run is opened;
        this run's files are found by their place in the run folder, as the results may hold a path
        relative to another working directory or to where the runs folder used to be.
        """
        damaged = []
        for value in (self._read_results() or {}).values():
            if isinstance(value, str) and value.endswith((".pt", ".json")) and Path(value).parent.name == self.path.name:
                target = self.path / Path(value).name
                problem = _load(target)[1]
                if problem is not None:
                    damaged.append((target, problem))
        return damaged

    def _cut_metrics(self, checkpoint: Any) -> None:
        """Keep of metrics.jsonl what ``checkpoint`` had logged (all of it for None: nothing), atomically."""
        metrics = self.path / "metrics.jsonl"
        size = checkpoint.get("metrics_bytes") if isinstance(checkpoint, dict) else 0
        if checkpoint is not None and size is None:  # a checkpoint of a version that did not record it
            return
        if metrics.exists() and metrics.stat().st_size > int(size):
            atomic_write_bytes(metrics, metrics.read_bytes()[:int(size)])

    def resume_point(self) -> dict[str, Any]:
        """What a checkpoint of this run records about the run's files: how much of metrics.jsonl it covers."""
        metrics = self.path / "metrics.jsonl"
        return {"metrics_bytes": metrics.stat().st_size if metrics.exists() else 0}

    @property
    def config(self) -> dict[str, Any]:
        return json.loads((self.path / "config.json").read_text())["config"]

    def _read_results(self) -> dict[str, Any] | None:
        try:
            results = json.loads((self.path / "results.json").read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        return results if isinstance(results, dict) else None

    @property
    def finished(self) -> bool:
        """Whether ``results.json`` holds a JSON object (an unreadable one does not finish a run)."""
        return self._read_results() is not None

    @property
    def results(self) -> dict[str, Any]:
        results = self._read_results()
        if results is None:
            raise SgnasError(f"run {self.path} has no readable results.json (unfinished or damaged); run its step "
                             "again, with --rebuild if it is damaged")
        return results

    @property
    def checkpoint_path(self) -> Path:
        return self.path / "checkpoint.pt"

    def log(self, record: dict[str, Any]) -> None:
        """Append one metrics record as strict JSON (NaN and infinity become null; a line is complete or ignored)."""
        with open(self.path / "metrics.jsonl", "a") as handle:
            handle.write(json.dumps(strict_json(record), default=str, allow_nan=False) + "\n")

    def metrics(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / "metrics.jsonl")

    def iter_metrics(self, **match: Any) -> Iterator[dict[str, Any]]:
        for record in self.metrics():
            if all(record.get(k) == v for k, v in match.items()):
                yield record

    def finish(self, results: dict[str, Any]) -> None:
        """Write the results (the run is finished) and let the run's lock go."""
        atomic_write_json(self.path / "results.json", results)
        locking.release(self.path)
