"""Measured latency as a cost model of the NAS-Bench-201 space, on 27 device settings (HW-NAS-Bench, Li et al.,
ICLR 2021; HELP, Lee et al., NeurIPS 2021).

``nas-bench-201/latency.csv`` in the data folder holds the latency (ms per
inference) of every cell's network on each device, one column per device,
row ``i`` = benchmark index ``i``. Latency is not additive over the cell's
edges on real hardware, but a search needs a cost it can differentiate and
check cheaply, so each device gets two costs:

* the **estimate**, a lookup table fitted to the device's measurements by least
  squares, ``base + sum over the 6 edges of table[edge, op]``: what the
  generator's hardware loss (its expected value under a relaxed cell), the
  prior pool and every baseline's budget check use, so every method searches
  under the same estimate;
* the **measurement**, the device's own value for the cell: what every found
  cell is judged by.

:class:`LatencyFit` reports how well the table explains each device (R^2, the
mean absolute error, the median relative error): exact for the two simulated
devices (eyeriss, fpga), R^2 0.80-0.98 on measured ones. :class:`LatencyCostModel`
speaks the cost-model protocol the generator and the bounded searches take, in
the ``latency`` convention and milliseconds (:attr:`LatencyCostModel.unit_scale`
is 1: a target is a number of milliseconds, where a MACs target is a number of
millions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.benchmark import parse_cells, read_table, resolve_file
from sgnas.spaces.nasbench201.cell import NUM_CELLS, NUM_EDGES, OPS, Cell
from sgnas.spaces.nasbench201.cost import CostModel, expected_cost
from sgnas.spaces.nasbench201.macro import MacroSpec

__all__ = [
    "DEVICE_KINDS", "LATENCY_PATH", "LatencyCostModel", "LatencyFit", "LatencyTable", "MeasuredLatency", "fit_additive",
    "load_latency",
]

LATENCY_PATH = Path("nas-bench-201") / "latency.csv"
_ARCH_COLUMN = "ArchitectureString"
#: what kind of hardware each device setting of the file is (the GPUs at every batch size)
DEVICE_KINDS: dict[str, str] = {
    "eyeriss": "ASIC (simulated)", "fpga": "FPGA (simulated)", "pixel3": "phone CPU", "raspi4": "single-board CPU",
    "pixel2": "phone CPU", "samsung_a50": "phone CPU", "samsung_s7": "phone CPU", "essential_ph_1": "phone CPU",
    "gold_6226": "server CPU", "gold_6240": "server CPU", "silver_4114": "server CPU", "silver_4210r": "server CPU",
    **{f"{gpu}_{batch}": "GPU" for gpu in ("1080ti", "2080ti", "titanx", "titanxp", "titan_rtx") for batch in (1, 32, 256)},
}


@dataclass(frozen=True)
class LatencyFit:
    """How well an additive per-edge, per-op table explains one device's measured latencies over every cell."""

    device: str
    base: float
    table: np.ndarray
    r2: float
    mae_ms: float
    median_relative_error: float
    mean_ms: float

    def to_json(self) -> dict[str, Any]:
        return {"device": self.device, "kind": DEVICE_KINDS.get(self.device, "other"), "r2": self.r2,
                "mae_ms": self.mae_ms, "median_relative_error": self.median_relative_error, "mean_ms": self.mean_ms,
                "base_ms": self.base, "table_ms": self.table.round(6).tolist()}


def _design(codes: np.ndarray) -> np.ndarray:
    """One row per cell: a constant and the one-hot of each edge's op."""
    design = np.zeros((len(codes), 1 + NUM_EDGES * len(OPS)))
    design[:, 0] = 1.0
    for edge in range(NUM_EDGES):
        design[np.arange(len(codes)), 1 + edge * len(OPS) + codes[:, edge]] = 1.0
    return design


def fit_additive(device: str, codes: np.ndarray, latency: np.ndarray) -> LatencyFit:
    """The table ``latency ~ base + sum_e table[e, op_e]`` of ``codes[n, 6]`` that fits best by least squares with
    every term non-negative: a latency estimate is never below 0 ms, which a relative hardware loss needs, and an
    additive device is fitted exactly all the same."""
    coefficients, _ = nnls(_design(codes), latency, maxiter=50 * (1 + NUM_EDGES * len(OPS)))
    table = coefficients[1:].reshape(NUM_EDGES, len(OPS))
    estimate = coefficients[0] + table[np.arange(NUM_EDGES), codes].sum(axis=1)
    residual = latency - estimate
    total = float(((latency - latency.mean()) ** 2).sum())
    r2 = 1.0 - float((residual ** 2).sum()) / total if total > 0 else 1.0
    # relative to each cell's latency; a cell whose network computes almost nothing (measured near 0 ms) is left out
    meaningful = latency > 0.05 * latency.max()
    relative = np.abs(residual[meaningful]) / latency[meaningful]
    return LatencyFit(device, float(coefficients[0]), table, r2, float(np.abs(residual).mean()),
                      float(np.median(relative)), float(latency.mean()))


class LatencyTable:
    """Every cell's measured latency on every device of the file, with the cells in row (benchmark index) order."""

    def __init__(self, frame: pd.DataFrame, cells: list[Cell], source: str) -> None:
        self.frame = frame
        self.cells = tuple(cells)
        self.source = source
        self.codes = np.array([cell.op_indices() for cell in self.cells], dtype=np.int64)
        self._fits: dict[str, LatencyFit] = {}

    @property
    def devices(self) -> list[str]:
        return list(self.frame.columns)

    def check_device(self, device: str) -> str:
        if device not in self.frame.columns:
            raise SgnasError(f"device {device!r} is not a column of {self.source}; choose one of "
                             f"{', '.join(self.devices)}")
        return device

    def measured(self, device: str) -> np.ndarray:
        """The device's latency (ms) of every cell, in row order."""
        return self.frame[self.check_device(device)].to_numpy(dtype=np.float64)

    def fit(self, device: str) -> LatencyFit:
        """The device's additive table (fitted once per device)."""
        if device not in self._fits:
            self._fits[device] = fit_additive(device, self.codes, self.measured(device))
        return self._fits[device]

    def cost_model(self, device: str, macro: MacroSpec | None = None) -> LatencyCostModel:
        """The device's latency cost model (its fitted table and its measurements)."""
        return LatencyCostModel(self.fit(device), self.cells, self.measured(device), macro)


class LatencyCostModel:
    """One device's latency as a cost model: the fitted table's estimate for searching, the measurement for judging.

    The methods of the cost-model protocol (``macs``, ``expected_macs``,
    ``macs_range``, ``table_costs``) give the estimate in milliseconds here:
    they are the cost a search constrains, whatever its unit.
    """

    conventions: tuple[str, ...] = ("latency",)
    unit = "ms"
    unit_scale = 1.0

    def __init__(self, fit: LatencyFit, cells: tuple[Cell, ...], measured: np.ndarray,
                 macro: MacroSpec | None = None) -> None:
        self.fit = fit
        self.device = fit.device
        self.macro = macro or MacroSpec()
        self._measured = dict(zip(cells, measured.tolist()))
        self._params = CostModel(self.macro)

    @property
    def space(self) -> MacroSpec:
        return self.macro

    def measured(self, cell: Cell) -> float:
        """The device's measured latency (ms) of ``cell``: the judge."""
        return self._measured[cell]

    def estimate(self, cell: Cell) -> float:
        """The table's latency (ms) of ``cell``."""
        return self.fit.base + float(self.fit.table[np.arange(NUM_EDGES), list(cell.op_indices())].sum())

    def macs(self, cell: Cell, convention: str = "latency") -> float:
        """The protocol's cost of one cell: its estimate (ms)."""
        _check_convention(convention)
        return self.estimate(cell)

    def table_costs(self, codes: np.ndarray, convention: str = "latency") -> tuple[np.ndarray, np.ndarray]:
        """Estimates (ms) and parameters of many cells, ``codes[n, 6]``."""
        _check_convention(convention)
        codes = np.asarray(codes, dtype=np.int64)
        estimates = self.fit.base + self.fit.table[np.arange(NUM_EDGES), codes].sum(axis=1)
        return estimates, self._params.table_costs(codes)[1]

    @cached_property
    def _range(self) -> tuple[float, float]:
        return self.fit.base + float(self.fit.table.min(axis=1).sum()), self.fit.base + float(self.fit.table.max(axis=1).sum())

    def macs_range(self, convention: str = "latency") -> tuple[float, float]:
        """Smallest and largest estimate over the space (ms)."""
        _check_convention(convention)
        return self._range

    def expected_macs(self, probs: Any, convention: str = "latency", threshold: float = 0.0) -> Any:
        """The expected estimate (ms) of a relaxed cell ``probs[..., 6, 5]`` (numpy or torch; differentiable in torch);
        ops with a probability at or below ``threshold`` are left out, as in the MACs cost models."""
        _check_convention(convention)
        return expected_cost(probs, self.fit.table, threshold) + self.fit.base


class MeasuredLatency:
    """A device's measurements as the cost a search checks: for references that search on the truth (the oracle,
    random search on true accuracies), never for a method under test."""

    unit = "ms"
    unit_scale = 1.0

    def __init__(self, model: LatencyCostModel) -> None:
        self.model = model

    def table_costs(self, codes: np.ndarray) -> tuple[np.ndarray, None]:
        """Measured latencies (ms) of many cells, ``codes[n, 6]``."""
        return np.array([self.model.measured(Cell.from_indices(code)) for code in codes]), None


def _check_convention(convention: str) -> None:
    if convention != "latency":
        raise SgnasError(f"a latency cost model has the convention latency, not {convention!r}")


def load_latency(data_dir: str | Path | None = None, path: str | Path | None = None) -> LatencyTable:
    """The latency table at ``path``, else ``nas-bench-201/latency.csv`` in ``data_dir`` or ``$SGNAS_DATA_DIR``,
    checked before anything uses it: every row a distinct cell, every device value a finite non-negative number."""
    file = resolve_file(data_dir, path, LATENCY_PATH)
    frame = read_table(file)
    if _ARCH_COLUMN not in frame.columns:
        raise SgnasError(f"latency table {file} lacks the column {_ARCH_COLUMN} (has {', '.join(map(str, frame.columns))})")
    if len(frame) != NUM_CELLS:
        raise SgnasError(f"latency table {file} has {len(frame):,} rows, expected {NUM_CELLS:,} (truncated?)")
    devices = [column for column in frame.columns if column not in ("index", _ARCH_COLUMN)]
    if not devices:
        raise SgnasError(f"latency table {file} has no device column")
    values = frame[devices].apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=np.float64)) | (values.to_numpy(dtype=np.float64) < 0)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise SgnasError(f"latency table {file}, row {row}: {devices[column]} is {frame[devices[column]].iloc[row]!r}, "
                         f"not a finite latency in ms ({int(bad.sum())} such value(s) in all)")
    return LatencyTable(values.astype(np.float64), parse_cells(file, frame), str(file))
