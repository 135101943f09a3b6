"""The project's error type: anything a user can get wrong, reported as one line by the CLI."""

from __future__ import annotations

__all__ = ["SgnasError"]


class SgnasError(Exception):
    """Bad input (config, path, checkpoint, target, data): the message alone explains it, no traceback."""
