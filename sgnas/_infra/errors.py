"""The project's error type: anything a user can get wrong, reported as one line by the CLI; and the one line
every command prints when it is interrupted."""

from __future__ import annotations

import sys

__all__ = ["INTERRUPTED", "SgnasError", "interrupted"]

#: exit status of a command stopped by Ctrl-C (128 + SIGINT, what a shell reports)
INTERRUPTED = 130


class SgnasError(Exception):
    """Bad input (config, path, checkpoint, target, data): the message alone explains it, no traceback."""


def interrupted(tool: str) -> int:
    """Say on stderr, in one line, that ``tool`` was stopped and that its finished work is kept; the exit status."""
    print(f"{tool}: interrupted; finished runs and files and the last checkpoints are kept (the same command "
          "again resumes)", file=sys.stderr)
    return INTERRUPTED

