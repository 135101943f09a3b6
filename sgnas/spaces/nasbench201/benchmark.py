"""The NAS-Bench-201 / NATS-Bench table of true accuracies (Dong & Yang, ICLR 2020; Dong et al., TPAMI 2021).

The table is read from the data folder (``nas-bench-201/nats_bench.csv``, one
row per architecture, row ``i`` = benchmark index ``i``) with the 200-epoch test
accuracies on CIFAR-10, CIFAR-100 and ImageNet16-120 averaged over seeds. It is
checked on reading: every row parses as a cell, the 15,625 rows are the whole
space once each, accuracies are numbers. The frame gains each cell's MACs and
parameters from the additive cost model (one vectorised lookup), so queries
such as the best accuracy under a MACs budget are one filter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sgnas._infra.download import check_data_dir
from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import NUM_CELLS, Cell
from sgnas.spaces.nasbench201.cost import CostModel

__all__ = ["ACCURACY_COLUMNS", "Benchmark", "DATA_ENV", "Entry", "RELATIVE_PATH", "load_benchmark"]

DATA_ENV = "SGNAS_DATA_DIR"
RELATIVE_PATH = Path("nas-bench-201") / "nats_bench.csv"
#: The table's column of each dataset's 200-epoch test accuracy (%).
ACCURACY_COLUMNS: dict[str, str] = {
    "cifar10": "CIFAR10TestAccuracy200Epochs",
    "cifar100": "CIFAR100TestAccuracy200Epochs",
    "imagenet16-120": "ImageNetTestAccuracy200Epochs",
}
_ARCH_COLUMN = "ArchitectureString"
_UNIQUE_COLUMN = "UniqueString"


@dataclass(frozen=True)
class Entry:
    """One architecture of the benchmark with its true accuracy on one dataset and its cost."""

    index: int
    cell: Cell
    dataset: str
    accuracy: float
    macs: int
    params: int


class Benchmark:
    """The table as a frame indexed by benchmark index.

    Columns: ``arch`` (the cell string), one accuracy column per dataset
    (``cifar10``, ``cifar100``, ``imagenet16-120``), ``macs``, ``params`` and,
    when the file has it, ``unique`` (the benchmark's isomorphism label).

    MACs and parameters come from ``cost_model`` (default: the benchmark's CIFAR-10
    network in its own convention), the network the search runs on.
    """

    def __init__(self, frame: pd.DataFrame, cells: list[Cell], cost_model: CostModel, source: str) -> None:
        self.cells = tuple(cells)
        self.cost_model = cost_model
        self.source = source
        self._index = {cell: i for i, cell in enumerate(self.cells)}
        macs, params = cost_model.table_costs(np.array([cell.op_indices() for cell in self.cells]))
        self.frame = pd.DataFrame(
            {
                "arch": [cell.to_string() for cell in self.cells],
                **{dataset: frame[column].to_numpy(dtype=np.float64) for dataset, column in ACCURACY_COLUMNS.items()},
                "macs": macs,
                "params": params,
            }
        )
        if _UNIQUE_COLUMN in frame.columns:
            # The benchmark's label of the function a cell computes: isomorphic cells share it.
            self.frame["unique"] = frame[_UNIQUE_COLUMN].to_numpy()
        self.frame.index.name = "index"

    def __len__(self) -> int:
        return len(self.cells)

    def index_of(self, cell: Cell) -> int:
        return self._index[cell]

    def cell(self, index: int) -> Cell:
        if not 0 <= index < len(self.cells):
            raise SgnasError(f"benchmark index {index} out of range 0..{len(self.cells) - 1}")
        return self.cells[index]

    def accuracy(self, cell: Cell, dataset: str = "cifar10") -> float:
        """True 200-epoch test accuracy (%) of ``cell`` on ``dataset``."""
        return float(self.frame.at[self.index_of(cell), _check_dataset(dataset)])

    def entry(self, index: int, dataset: str = "cifar10") -> Entry:
        """Benchmark index ``index`` with its accuracy on ``dataset`` and its cost."""
        cell = self.cell(int(index))
        row = self.frame.loc[int(index)]
        return Entry(
            index=int(index),
            cell=cell,
            dataset=dataset,
            accuracy=float(row[_check_dataset(dataset)]),
            macs=int(row["macs"]),
            params=int(row["params"]),
        )

    def oracle(self, max_macs: float, dataset: str = "cifar10") -> Entry:
        """The most accurate architecture with at most ``max_macs`` MACs (ties: lowest index)."""
        within = self.frame[self.frame["macs"] <= max_macs]
        if within.empty:
            lowest = int(self.frame["macs"].min())
            raise SgnasError(f"no NAS-Bench-201 architecture within {max_macs:,.0f} MACs (the smallest has {lowest:,})")
        return self.entry(int(within[_check_dataset(dataset)].idxmax()), dataset)

    def best(self, dataset: str = "cifar10") -> Entry:
        """The most accurate architecture of the whole space on ``dataset``."""
        return self.oracle(float("inf"), dataset)


def _check_dataset(dataset: str) -> str:
    if dataset not in ACCURACY_COLUMNS:
        raise SgnasError(f"unknown NAS-Bench-201 dataset {dataset!r}; choose one of {', '.join(ACCURACY_COLUMNS)}")
    return dataset


def resolve_file(data_dir: str | Path | None, path: str | Path | None, relative: Path = RELATIVE_PATH) -> Path:
    """``path``, else the file at ``relative`` in ``data_dir`` or ``$SGNAS_DATA_DIR``."""
    if path is not None:
        return Path(path)
    root = data_dir if data_dir is not None else os.environ.get(DATA_ENV)
    if not root:
        raise SgnasError(f"no NAS-Bench-201 file {relative}: pass a data folder or a file, or set {DATA_ENV}")
    if Path(root).exists():  # a missing folder is reported as the missing table it would hold
        check_data_dir(root)
    return Path(root) / relative


def read_table(path: Path) -> pd.DataFrame:
    """A CSV file of the benchmark's, or a one-line error saying why it cannot be read."""
    if path.is_dir():
        raise SgnasError(f"NAS-Bench-201 table {path} is a directory, not a CSV file")
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise SgnasError(f"NAS-Bench-201 table {path} does not exist") from None
    except pd.errors.EmptyDataError:
        raise SgnasError(f"NAS-Bench-201 table {path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as err:
        message = " ".join(str(err).split())
        raise SgnasError(f"NAS-Bench-201 table {path} cannot be read as CSV: {message}") from None


def parse_cells(path: Path, frame: pd.DataFrame) -> list[Cell]:
    """The cell of each row of a benchmark file's ``ArchitectureString`` column, each once."""
    cells: list[Cell] = []
    seen: dict[Cell, int] = {}
    for row, text in enumerate(frame[_ARCH_COLUMN]):
        try:
            cell = Cell.from_string(text)
        except SgnasError as err:
            raise SgnasError(f"NAS-Bench-201 table {path}, row {row}: {err}") from None
        if cell in seen:
            raise SgnasError(f"NAS-Bench-201 table {path}, row {row}: repeats the architecture of row {seen[cell]}")
        seen[cell] = row
        cells.append(cell)
    return cells


def load_benchmark(
    data_dir: str | Path | None = None, path: str | Path | None = None, cost_model: CostModel | None = None
) -> Benchmark:
    """The table at ``path``, else ``nas-bench-201/nats_bench.csv`` in ``data_dir`` or in ``$SGNAS_DATA_DIR``."""
    file = resolve_file(data_dir, path)
    frame = read_table(file)
    required = [*ACCURACY_COLUMNS.values(), _ARCH_COLUMN]
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise SgnasError(
            f"NAS-Bench-201 table {file} lacks column(s) {', '.join(missing)} (has {', '.join(map(str, frame.columns))})"
        )
    if len(frame) != NUM_CELLS:
        raise SgnasError(f"NAS-Bench-201 table {file} has {len(frame):,} rows, expected {NUM_CELLS:,} (truncated?)")
    for column in ACCURACY_COLUMNS.values():
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = np.flatnonzero(values.isna().to_numpy() | ~values.between(0.0, 100.0).to_numpy())
        if len(bad):
            raise SgnasError(
                f"NAS-Bench-201 table {file}, row {bad[0]}: {column} is {frame[column].iloc[bad[0]]!r}, "
                "not an accuracy in 0..100"
            )
        frame[column] = values
    if frame[_ARCH_COLUMN].isna().any():
        row = int(np.flatnonzero(frame[_ARCH_COLUMN].isna().to_numpy())[0])
        raise SgnasError(f"NAS-Bench-201 table {file}, row {row}: {_ARCH_COLUMN} is empty")
    return Benchmark(frame, parse_cells(file, frame), cost_model or CostModel(), str(file))
