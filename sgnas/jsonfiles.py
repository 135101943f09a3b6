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
from pathlib import Path
from typing import Any

__all__ = ["NotJson", "loads", "read_json", "strict_json"]


class NotJson(ValueError):
    """Why a text or file is not strict JSON; the message reads after "FILE is" (``a folder, not a file``)."""


def _refuse_constant(constant: str) -> None:
    raise ValueError(f"bare {constant} is not standard JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is beyond a float's range")
    return value


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:100]


def loads(text: str | bytes) -> Any:
    """The value of standard JSON ``text`` (no NaN, no infinity, no number beyond a float); :class:`NotJson`."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise NotJson("nested too deeply to be read") from None
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, digit limits, the refusals above
        raise NotJson(f"not strict JSON ({_first_line(err)})") from None


def read_json(path: str | Path) -> Any:
    """The value of the strict-JSON file ``path``; :class:`NotJson` (``missing``, ``a folder, not a file``,
    ``unreadable (...)``, ``not strict JSON (...)``) when it cannot be read as one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotJson("missing") from None
    except IsADirectoryError:
        raise NotJson("a folder, not a file") from None
    except OSError as err:
        raise NotJson(f"unreadable ({err.strerror or _first_line(err)})") from None
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
