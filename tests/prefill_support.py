"""Studies for the prefill tests: module-level so that a spawned worker can import them by name."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sgnas._infra.errors import SgnasError


def write_marker(results_dir: Path, marker: Path, text: str) -> None:
    """A study that succeeds: says something on stdout and writes ``text`` into ``marker``."""
    print(f"writing {marker}")
    marker.write_text(text + f" from pid {os.getpid()}")


def refuse(results_dir: Path) -> None:
    """A study that fails the way bad input does."""
    raise SgnasError("the data folder is empty")


def die(results_dir: Path) -> None:
    """A study whose process dies without a word (a kill -9, the out-of-memory killer)."""
    os._exit(9)


def sleep_then_mark(results_dir: Path, marker: Path, seconds: float) -> None:
    """A study still running when another fails: it must be stopped, so it never writes ``marker``."""
    time.sleep(seconds)
    marker.write_text("finished")
