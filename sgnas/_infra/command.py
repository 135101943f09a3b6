"""How every command ends (the ``sgnas`` CLI and each script of replication/ and reports/): bad input, a machine
out of memory and Ctrl-C as one line and an exit status, and the folders it locked let go however it ends."""

from __future__ import annotations

import sys
from collections.abc import Callable

from sgnas._infra import locking
from sgnas._infra.errors import SgnasError, interrupted

__all__ = ["out_of_memory", "run_tool"]


def out_of_memory(err: BaseException) -> bool:
    """Whether ``err`` is the host or the device running out of memory (a setting too large for the machine)."""
    return (isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError"
            or "can't allocate memory" in str(err) or "out of memory" in str(err).lower())


def run_tool(tool: str, body: Callable[[], int | None]) -> int:
    """``body()``'s exit status (0 for None), with what every command does around its work: a :class:`SgnasError`
    is ``TOOL: error: ...`` and exit 2, running out of memory one line and exit 2 (other errors stay tracebacks:
    they are bugs), Ctrl-C :func:`interrupted`; and the folders the command locked are let go however it ends,
    so the next command can use them at once."""
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
