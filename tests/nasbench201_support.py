"""Helpers shared by the NAS-Bench-201 tests: cell strategies, the real table if present, synthetic tables."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import strategies as st

from sgnas.spaces.nasbench201.cell import NUM_EDGES, OPS, Cell, all_cells

__all__ = [
    "ACCURACY_COLUMNS", "TINY_MACRO_KWARGS", "cells", "real_latency_path", "real_table_path", "write_latency", "write_table",
]

ACCURACY_COLUMNS = {
    "cifar10": "CIFAR10TestAccuracy200Epochs",
    "cifar100": "CIFAR100TestAccuracy200Epochs",
    "imagenet16-120": "ImageNetTestAccuracy200Epochs",
}
#: A macro network small enough for a forward and backward pass in milliseconds.
TINY_MACRO_KWARGS = {"channels": 4, "cells_per_stage": 1, "resolution": 8}


def cells() -> st.SearchStrategy[Cell]:
    """Any of the 15,625 cells."""
    return st.lists(st.sampled_from(OPS), min_size=NUM_EDGES, max_size=NUM_EDGES).map(lambda ops: Cell(tuple(ops)))


def real_table_path() -> Path:
    """The shared nats_bench.csv under $SGNAS_DATA_DIR (or ../shared/data); skip the test if it is absent."""
    root = Path(os.environ.get("SGNAS_DATA_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
    path = root / "nas-bench-201" / "nats_bench.csv"
    if not path.is_file():
        pytest.skip(f"NAS-Bench-201 table not found at {path} (set SGNAS_DATA_DIR)")
    return path


def real_latency_path() -> Path:
    """The shared latency.csv beside nats_bench.csv; skip the test if it is absent."""
    path = real_table_path().parent / "latency.csv"
    if not path.is_file():
        pytest.skip(f"NAS-Bench-201 latency table not found at {path}")
    return path


def write_latency(path: Path, strings: list[str], seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, float]:
    """A latency table over the cells ``strings`` (in that row order) with two devices: ``additive``, exactly a base
    plus a per-edge, per-op cost (returned with the base), and ``measured``, the same times a cell-wise noise and an
    interaction of the first and last edges, as a real device is not additive."""
    rng = np.random.default_rng(seed)
    table = rng.uniform(0.1, 2.0, (NUM_EDGES, len(OPS)))
    base = 1.5
    codes = np.array([Cell.from_string(text).op_indices() for text in strings])
    additive = base + table[np.arange(NUM_EDGES), codes].sum(axis=1)
    measured = additive * rng.lognormal(0.0, 0.05, len(codes)) + 0.5 * (codes[:, 0] == codes[:, 5])
    frame = pd.DataFrame({"index": np.arange(len(codes)), "ArchitectureString": strings, "additive": additive,
                          "measured": measured})
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return frame, table, base


def write_table(path: Path, seed: int = 0) -> pd.DataFrame:
    """A full-size table of every cell in a shuffled order with random accuracies, written as CSV at ``path``."""
    rng = np.random.default_rng(seed)
    strings = [cell.to_string() for cell in all_cells()]
    order = rng.permutation(len(strings))
    frame = pd.DataFrame({column: rng.uniform(10.0, 95.0, len(strings)) for column in ACCURACY_COLUMNS.values()})
    frame["ArchitectureString"] = [strings[i] for i in order]
    frame["UniqueString"] = frame["ArchitectureString"]
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return frame
