"""The replication's tables, one file each, and the one list of them that the main job and the report both read.

Every table is a function of a results folder (:mod:`replication.results`)
returning a :class:`~replication.results.Table`, or ``None`` when the result
file it needs was not produced: a missing measurement is shown as missing,
never filled in. ``replicate_table.py`` writes and prints them in
:data:`TABLES` order; the PDF report typesets the same list. A new
table is one module here with ``NAME``, ``TITLE``, ``NEEDS`` and its function,
and one line in :data:`TABLES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from replication.results import Table
from replication.tables import (
    ablation,
    claims,
    fairness,
    latency_fit,
    machine_latency,
    supernets,
    table_a,
    table_b,
    table_c,
    table_d,
    table_e,
)

__all__ = ["TABLES", "TableSpec"]


@dataclass(frozen=True)
class TableSpec:
    """A table: its file name, its title, the result file it needs (``None``: any) and its builder."""

    name: str
    title: str
    needs: str | None
    build: Callable[[str | Path], Table | None]


TABLES: tuple[TableSpec, ...] = tuple(
    TableSpec(module.NAME, module.TITLE, module.NEEDS, builder)
    for module, builder in (
        (table_a, table_a.table_a),
        (table_b, table_b.table_b),
        (supernets, supernets.supernets_table),
        (table_c, table_c.table_c),
        (table_d, table_d.table_d),
        (table_e, table_e.table_e),
        (latency_fit, latency_fit.latency_fit),
        (machine_latency, machine_latency.machine_latency_table),
        (claims, claims.claims_table),
        (ablation, ablation.ablation_table),
        (fairness, fairness.fairness),
    )
)
