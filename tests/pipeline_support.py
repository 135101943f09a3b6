"""Copies of the session's smoke pipeline (the ``smoke_pipeline`` fixture of conftest.py) for tests that write runs."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_smoke_pipeline(source: Path, destination: Path) -> Path:
    """A writable copy of the session's smoke pipeline runs at ``destination``."""
    shutil.copytree(source, destination)
    return destination
