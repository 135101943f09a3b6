"""Progress of long loops: tqdm's bar on a terminal, a plain line at a steady interval anywhere else.

tqdm redraws one line with carriage returns, which a log file (``nohup``, CI)
shows as an ever-growing line, and callers that let tqdm decide for itself
(``disable=None``) get no output at all without a terminal. :func:`progress`
takes tqdm's arguments and returns tqdm when stderr is a terminal, else a
:class:`PlainProgress` with the same interface (iteration, ``update``,
``set_postfix``, ``close``) that prints one self-contained line every
``$SGNAS_PROGRESS_SECONDS`` seconds (default 30): position, rate, elapsed time
and ETA. :class:`RunCounter` is the same for a known list of runs: one line
"run k of n" with the ETA of what remains, as each run starts.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from tqdm.auto import tqdm

from sgnas._infra.errors import SgnasError

__all__ = ["DEFAULT_SECONDS", "PROGRESS_ENV", "PlainProgress", "RunCounter", "progress", "report_interval"]

PROGRESS_ENV = "SGNAS_PROGRESS_SECONDS"
DEFAULT_SECONDS = 30.0


def report_interval() -> float:
    """Seconds between two plain progress lines: ``$SGNAS_PROGRESS_SECONDS``, else :data:`DEFAULT_SECONDS`."""
    text = os.environ.get(PROGRESS_ENV, "").strip()
    if not text:
        return DEFAULT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise SgnasError(f"${PROGRESS_ENV} must be a number of seconds >= 0, got {text!r}")
    return seconds


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _duration(seconds: float) -> str:
    return tqdm.format_interval(seconds)


def _rate(done: float, seconds: float, unit: str) -> str:
    """``2.50 step/s`` or, below one per second, ``3.20 s/epoch`` (as tqdm writes it)."""
    if done <= 0 or seconds <= 0:
        return f"? {unit}/s"
    per_second = done / seconds
    return f"{per_second:.2f} {unit}/s" if per_second >= 1 else f"{1 / per_second:.2f} s/{unit}"


class PlainProgress:
    """tqdm's interface for logs: a line such as ``supernet: step 120/936 (13%), 1.52 step/s, elapsed 01:19,
    ETA 08:57, epoch=0, loss=2.281`` at most every ``interval`` seconds, and a last one on ``close`` (if
    ``leave`` and the loop ran to its end).

    Rate and ETA count only the progress made since this object was created, so
    a resumed run (``initial`` > 0) does not look faster than it is.
    """

    def __init__(
        self,
        iterable: Iterable[Any] | None = None,
        total: float | None = None,
        initial: float = 0,
        desc: str = "",
        unit: str = "it",
        leave: bool = True,
        interval: float | None = None,
        stream: TextIO | None = None,
    ) -> None:
        if total is None and iterable is not None:
            try:
                total = len(iterable)  # type: ignore[arg-type]
            except TypeError:
                total = None
        self.iterable, self.total, self.n = iterable, total, initial
        self.desc, self.unit, self.leave = desc, unit, leave
        self.interval = report_interval() if interval is None else interval
        self.stream = stream
        self.postfix = ""
        self._initial = initial
        self._started = self._reported_at = time.monotonic()
        self._reported_n: float | None = None
        self._closed = False

    def __iter__(self) -> Iterator[Any]:
        if self.iterable is None:
            raise TypeError("PlainProgress was given no iterable")
        for item in self.iterable:
            yield item
            self.update(1)
        self.close()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def update(self, n: float = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self._reported_at >= self.interval:
            self._report(now)

    def set_postfix(self, ordered_dict: dict[str, Any] | None = None, refresh: bool = True, **kwargs: Any) -> None:
        items = {**(ordered_dict or {}), **kwargs}
        self.postfix = ", ".join(f"{key}={value}" for key, value in items.items())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # a loop cut short (an error, a kill) leaves its last line to whatever stopped it
        finished = self.total is None or self.n >= self.total
        if self.leave and finished and self.n != self._reported_n:
            self._report(time.monotonic())

    def line(self, now: float | None = None) -> str:
        """The progress line as of ``now`` (monotonic seconds)."""
        elapsed = (time.monotonic() if now is None else now) - self._started
        done = self.n - self._initial
        parts = [f"{self.unit} {self.n:g}" + ("" if self.total is None else f"/{self.total:g}")]
        if self.total:
            parts[0] += f" ({100 * self.n / self.total:.0f}%)"
        parts += [_rate(done, elapsed, self.unit), f"elapsed {_duration(elapsed)}"]
        if self.total is not None:
            left = self.total - self.n
            parts.append(f"ETA {_duration(left * elapsed / done)}" if done > 0 else "ETA ?")
        if self.postfix:
            parts.append(self.postfix)
        return f"{self.desc}: " * bool(self.desc) + ", ".join(parts)

    def _report(self, now: float) -> None:
        print(self.line(now), file=self.stream or sys.stderr, flush=True)
        self._reported_at, self._reported_n = now, self.n


def progress(
    iterable: Iterable[Any] | None = None,
    *,
    total: float | None = None,
    initial: float = 0,
    desc: str = "",
    unit: str = "it",
    leave: bool = True,
    disable: bool | None = False,
    **tqdm_options: Any,
) -> Any:
    """A progress reporter with tqdm's interface: tqdm's bar on a terminal, :class:`PlainProgress` otherwise.

    ``disable=True`` turns it off (ranks other than 0); ``None`` and ``False``
    both mean on. ``tqdm_options`` (e.g. ``mininterval``) only reach the bar.
    """
    shared: dict[str, Any] = {"total": total, "initial": initial, "desc": desc, "unit": unit, "leave": leave}
    if disable or _is_terminal(sys.stderr):
        return tqdm(iterable, disable=bool(disable), **shared, **tqdm_options)
    return PlainProgress(iterable, **shared)


class RunCounter:
    """One line per run of a known list as it starts: ``harness: run 3 of 18 (seed 0, supernet uniform),
    elapsed 04:12, ETA 21:00``; the ETA is the mean time of the runs so far times the runs that remain."""

    def __init__(self, total: int, desc: str, stream: TextIO | None = None) -> None:
        self.total, self.desc, self.stream = total, desc, stream
        self.started = 0
        self._clock = time.monotonic()

    def start(self, label: str) -> None:
        """Announce the next run, described by ``label``."""
        self.started += 1
        elapsed = time.monotonic() - self._clock
        done = self.started - 1
        eta = _duration(elapsed / done * (self.total - done)) if done else "?"
        print(f"{self.desc}: run {self.started} of {self.total} ({label}), elapsed {_duration(elapsed)}, ETA {eta}",
              file=self.stream or sys.stderr, flush=True)
