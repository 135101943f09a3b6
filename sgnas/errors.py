"""The project's error type: anything a user can get wrong, reported as one line; and how every command (the
``sgnas`` CLI and each script) turns errors, a machine out of memory and Ctrl-C into one line and an exit status."""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["INTERRUPTED", "SgnasError", "interrupted", "out_of_memory", "run_tool"]

#: exit status of a command stopped by Ctrl-C (128 + SIGINT, what a shell reports)
INTERRUPTED = 130


class SgnasError(Exception):
    """Bad input (config, path, checkpoint, target, data): the message alone explains it, no traceback."""


def interrupted(tool: str) -> int:
    """Say on stderr, in one line, that ``tool`` was stopped and that its finished work is kept; the exit status."""
    print(f"{tool}: interrupted; finished runs and files and the last checkpoints are kept (the same command "
          "again resumes)", file=sys.stderr)
    return INTERRUPTED


def out_of_memory(err: BaseException) -> bool:
    """Whether ``err`` is the host or the device running out of memory (a setting too large for the machine)."""
    return (isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError"
            or "can't allocate memory" in str(err) or "out of memory" in str(err).lower())


def run_tool(tool: str, body: Callable[[], int | None]) -> int:
    """``body()``'s exit status (0 for None), with what every command does around its work: a :class:`SgnasError`
    is ``TOOL: error: ...`` and exit 2, running out of memory one line and exit 2 (other errors stay tracebacks:
    they are bugs), Ctrl-C :func:`interrupted`; and the folders the command locked are let go however it ends,
    so the next command can use them at once."""
    from sgnas import locking  # locking reports its errors as SgnasError: imported here, not at the top

    try:
        return int(body() or 0)
    except SgnasError as err:
        print(f"{tool}: error: {err}", file=sys.stderr)
        return 2
    except (MemoryError, RuntimeError) as err:
        if not out_of_memory(err):
            raise
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        print(f"{tool}: error: out of memory ({first}); smaller batch sizes, images or widths need less; "
              "finished files and the last checkpoint are kept", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return interrupted(tool)
    finally:
        locking.release_all()
