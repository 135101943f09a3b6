"""Strict JSON: the one reader of the JSON files the project writes and reads back (run folders, results, manifests).

Python's ``json`` reads more than JSON: bare ``NaN`` and ``Infinity``, numbers
such as ``1e400`` that become infinity, and it fails with exceptions of many
types (``RecursionError`` on deep nesting, ``ValueError`` on an integer of
more than 4,300 digits, ``OSError``, ``UnicodeDecodeError``). A damaged or
foreign file must be told apart from a good one in one line, never as a
traceback and never as a NaN that flows into a table, so every reader here
goes through :func:`read_json`, which either gives standard JSON's values or
raises :class:`NotJson` saying why. What the project writes is standard JSON
too (:func:`strict_json` turns non-finite floats into ``null`` first).
"""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path
from typing import Any

__all__ = ["MissingJson", "NotJson", "UnreadableJson", "loads", "read_json", "regular_file_problem", "strict_json"]

#: the largest magnitude a float holds: a JSON number beyond it (``1e400``, an integer of 400 digits) is no result
_FLOAT_MAX = 1.7976931348623157e308


class NotJson(ValueError):
    """Why a text or file is not strict JSON; the message reads after "FILE is" (``a folder, not a file``)."""


class MissingJson(NotJson):
    """The file is not there (``missing``)."""


class UnreadableJson(NotJson):
    """The file is there but cannot be read as a file (a folder, a FIFO or device, permissions, I/O): its bytes
    may be sound, so a reader must not take it for damaged contents and replace it."""


def _refuse_constant(constant: str) -> None:
    raise ValueError(f"bare {constant} is not standard JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is beyond a float's range")
    return value


def _float_sized_int(text: str) -> int:
    value = int(text)
    if abs(value) > _FLOAT_MAX:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits is beyond a float's range")
    return value


def _first_line(err: BaseException) -> str:
    """The first line of ``err``'s message, cut at a word to at most about 100 characters."""
    text = str(err).strip()
    line = text.splitlines()[0] if text else type(err).__name__
    return line if len(line) <= 100 else line[:100].rsplit(" ", 1)[0] + " ..."


def loads(text: str | bytes) -> Any:
    """The value of standard JSON ``text`` (no NaN, no infinity, no number beyond a float's range, integers
    included); :class:`NotJson`."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                          parse_int=_float_sized_int)
    except RecursionError:
        raise NotJson("nested too deeply to be read") from None
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, digit limits, the refusals above
        raise NotJson(f"not strict JSON ({_first_line(err)})") from None


def regular_file_problem(path: str | Path) -> str | None:
    """Why ``path`` is not a regular file to read (``missing``, ``a folder, not a file``, ``not a regular file
    (a FIFO, a device...)``); None when it is. Reading a FIFO or ``/dev/zero`` would wait or read for ever."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as err:  # a symlink loop, a name too long, a folder that cannot be searched
        return f"unreadable ({err.strerror or _first_line(err)})"
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device)"
    return None


def read_json(path: str | Path) -> Any:
    """The value of the strict-JSON file ``path``; :class:`NotJson` (``missing``, ``a folder, not a file``,
    ``unreadable (...)``, ``not strict JSON (...)``) when it cannot be read as one: :class:`MissingJson` when it
    is not there, :class:`UnreadableJson` when it is there but cannot be read as a file."""
    path = Path(path)
    problem = regular_file_problem(path)
    if problem == "missing":
        raise MissingJson(problem)
    if problem is not None:
        raise UnreadableJson(problem)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MissingJson("missing") from None
    except OSError as err:
        raise UnreadableJson(f"unreadable ({err.strerror or _first_line(err)})") from None
    return loads(data)


def strict_json(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, infinity) replaced by None, so that it is standard JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: strict_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(item) for item in value]
    return value
