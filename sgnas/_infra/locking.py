"""Exclusive locks on folders that one process at a time may write: run folders, results folders, report folders.

A lock is ``fcntl.flock`` on a ``.lock`` file inside the folder, so the kernel
releases it when its process dies, however it dies: a lock never outlives
its holder and needs no cleaning up. While holding it, the holder writes who
it is (pid, host, command line, start time) into the file; a second process
wanting the folder prints one line naming that holder and waits until the
lock is free (Ctrl-C stops the wait). Within one process a held lock is
re-entrant: opening the same folder again does not wait on itself.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sgnas._infra.errors import SgnasError

__all__ = ["LOCK_NAME", "acquire", "holder", "locked", "release", "release_all", "release_within"]

LOCK_NAME = ".lock"

#: folders (resolved) this process holds, with the open lock files that hold them
_HELD: dict[Path, IO[str]] = {}

#: errors of file systems that cannot lock (some network mounts): the folder is used unlocked
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)


def _this_call() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join([sys.executable, *sys.argv]),
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def holder(folder: str | Path) -> str:
    """Who holds ``folder``'s lock, as its lock file says (pid, host, command, start time)."""
    try:
        info = json.loads((Path(folder) / LOCK_NAME).read_text())
    except (OSError, json.JSONDecodeError):
        return "another process"
    if not isinstance(info, dict):
        return "another process"
    return (f"pid {info.get('pid')} on {info.get('host')} since {info.get('started')} "
            f"({info.get('command')})")


def acquire(folder: str | Path, what: str = "run folder") -> None:
    """Hold ``folder`` exclusively, waiting (with one line naming the holder) while another process has it."""
    folder = Path(folder).resolve()
    if folder in _HELD:
        return
    try:
        handle = open(folder / LOCK_NAME, "a+")  # noqa: SIM115 - kept open for as long as the lock is held
    except IsADirectoryError:
        raise SgnasError(f"cannot lock {what} {folder}: its {LOCK_NAME} is a folder, not a file; delete "
                         f"{folder / LOCK_NAME} (it holds no results)") from None
    except OSError as err:
        raise SgnasError(f"cannot lock {what} {folder}: {err.strerror or err}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"sgnas: waiting for {what} {folder}: in use by {holder(folder)}", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
    except OSError as err:
        if err.errno not in _NO_LOCKS:
            handle.close()
            raise
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(_this_call()) + "\n")
    handle.flush()
    _HELD[folder] = handle


def release(folder: str | Path) -> None:
    """Let ``folder`` go (a no-op when this process does not hold it)."""
    handle = _HELD.pop(Path(folder).resolve(), None)
    if handle is None:
        return
    handle.seek(0)
    handle.truncate()  # a waiter that reads the file before the next holder writes sees no stale name
    handle.close()  # closing the only descriptor releases the flock


def release_all() -> None:
    """Let every folder this process holds go (the end of a command, in or out of error)."""
    for folder in list(_HELD):
        release(folder)


def release_within(folder: str | Path) -> None:
    """Let ``folder`` and every folder below it that this process holds go (before the folder is removed)."""
    folder = Path(folder).resolve()
    for held in list(_HELD):
        if held == folder or folder in held.parents:
            release(held)


@contextmanager
def locked(folder: str | Path, what: str) -> Iterator[None]:
    """``folder`` held for the duration of the block."""
    acquire(folder, what)
    try:
        yield
    finally:
        release(folder)
