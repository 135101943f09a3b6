"""Exclusive locks on folders that one process at a time may write: run folders, results folders, report folders.

A lock is :class:`filelock.FileLock` on a ``.lock`` file inside the folder: an
``flock`` the kernel releases when its process dies, however it dies, so a
lock never outlives its holder and needs no cleaning up (on file systems that
cannot lock at all, the folder is used unlocked). The holder writes who it is (pid,
host, command line, start time) into the file; a second process wanting the
folder prints one line naming that holder and waits until the lock is free
(Ctrl-C stops the wait). Within one process a held lock is re-entrant:
opening the same folder again does not wait on itself, and one release lets
it go.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from sgnas._infra.errors import SgnasError

__all__ = ["LOCK_NAME", "acquire", "holder", "locked", "release", "release_all", "release_within"]

LOCK_NAME = ".lock"

#: folders (resolved) this process holds, with their locks
_HELD: dict[Path, FileLock] = {}

#: errors of file systems that cannot lock (some network mounts): the folder is used unlocked
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)


def _sign(descriptor: int) -> None:
    """Write this process's name into the lock file it has just locked (read by :func:`holder`)."""
    call = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join([sys.executable, *sys.argv]),
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, (json.dumps(call) + "\n").encode(), 0)


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
    if (folder / LOCK_NAME).is_dir():
        raise SgnasError(f"cannot lock {what} {folder}: its {LOCK_NAME} is a folder, not a file; delete "
                         f"{folder / LOCK_NAME} (it holds no results)")
    lock = FileLock(folder / LOCK_NAME, thread_local=False, on_acquired=_sign)
    try:
        try:
            lock.acquire(blocking=False)
        except Timeout:
            print(f"sgnas: waiting for {what} {folder}: in use by {holder(folder)}", file=sys.stderr, flush=True)
            lock.acquire()
    except OSError as err:
        if err.errno in _NO_LOCKS:
            return  # the folder is used unlocked, as before locks existed
        raise SgnasError(f"cannot lock {what} {folder}: {err.strerror or err}") from None
    _HELD[folder] = lock


def release(folder: str | Path) -> None:
    """Let ``folder`` go (a no-op when this process does not hold it)."""
    lock = _HELD.pop(Path(folder).resolve(), None)
    if lock is None:
        return
    try:
        os.truncate(lock.lock_file, 0)  # a waiter that reads the file before the next holder signs sees no stale name
    except OSError:
        pass  # the folder is gone: nobody reads the name
    lock.release(force=True)


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
