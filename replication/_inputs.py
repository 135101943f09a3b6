"""Lists a user gives the scripts (seeds, methods, ablation values): each value at most once.

A value given twice would run the same cached runs twice and write their rows
twice, so every table would count it twice; the harness, the ablations and the
NAS-Bench-201 track refuse it the same way, with one line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TypeVar

from sgnas._infra.errors import SgnasError

__all__ = ["check_seeds", "distinct"]

T = TypeVar("T")


def distinct(values: Iterable[T], what: str) -> list[T]:
    """``values`` as a list; a value given more than once is an error naming it (``what``: e.g. ``seed``)."""
    values = list(values)
    repeated = [value for value, count in Counter(values).items() if count > 1]
    if repeated:
        listed = ", ".join(repr(value) if isinstance(value, str) else f"{value:g}" for value in repeated)
        raise SgnasError(f"{what} given more than once: {listed} (give each once)")
    return values


def check_seeds(seeds: Iterable[int]) -> list[int]:
    """The seeds of a run of the harness (at least one, each once)."""
    seeds = distinct(seeds, "seed")
    if not seeds:
        raise SgnasError("no seeds given")
    return seeds
