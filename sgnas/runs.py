"""Run directories: one per (step, resolved config, seed), written atomically and reused when finished.

Layout (NASLib-style, but keyed by a hash instead of hand-formatted paths)::

    <root>/<kind>/<config-hash>-s<seed>/
        config.json       resolved config (everything that defines the run)
        environment.json  package versions, CPU/GPU, torch threads, git commit
        metrics.jsonl     one JSON object per logged event
        results.json      final results; its presence marks the run finished
        checkpoint.pt     latest complete checkpoint (training steps only)

Every file is written to a temporary name and renamed, so a killed run leaves
the last complete version of each file intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sgnas.errors import SgnasError

__all__ = [
    "RunDir",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "config_hash",
    "environment",
    "read_jsonl",
]

_PACKAGES = ("torch", "torchvision", "timm", "numpy", "pandas", "scipy", "hypothesis", "sgnas-replication")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename (never a half-written file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


@dataclass(frozen=True)
class RunDir:
    """The directory of one run; created by :meth:`open`, finished by :meth:`finish`."""

    path: Path

    @classmethod
    def open(cls, root: str | Path, kind: str, config: dict[str, Any], seed: int) -> RunDir:
        """The run directory for this config and seed, created (with config and environment) if new."""
        path = Path(root) / kind / f"{config_hash(config)}-s{seed}"
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SgnasError(f"cannot create run directory {path}: {err.strerror}") from None
        run = cls(path)
        if not (path / "config.json").exists():
            atomic_write_json(path / "config.json", {"kind": kind, "seed": seed, "config": config})
        atomic_write_json(path / "environment.json", environment())
        return run

    @property
    def config(self) -> dict[str, Any]:
        return json.loads((self.path / "config.json").read_text())["config"]

    @property
    def finished(self) -> bool:
        return (self.path / "results.json").exists()

    @property
    def results(self) -> dict[str, Any]:
        return json.loads((self.path / "results.json").read_text())

    @property
    def checkpoint_path(self) -> Path:
        return self.path / "checkpoint.pt"

    def log(self, record: dict[str, Any]) -> None:
        """Append one metrics record (a line is either complete or ignored on read)."""
        with open(self.path / "metrics.jsonl", "a") as handle:
            handle.write(json.dumps(record, default=str) + "\n")

    def metrics(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / "metrics.jsonl")

    def iter_metrics(self, **match: Any) -> Iterator[dict[str, Any]]:
        for record in self.metrics():
            if all(record.get(k) == v for k, v in match.items()):
                yield record

    def finish(self, results: dict[str, Any]) -> None:
        atomic_write_json(self.path / "results.json", results)
