"""How well an additive per-edge, per-op table explains each device's measured latency over all 15,625 cells.

The table every latency search steers by (:func:`sgnas.spaces.nasbench201.latency.fit_additive`); its R^2, mean
absolute error and median relative error per device of ``latency.csv``. Reads
``nas-bench-201/latency_fit.csv``; ``None`` when absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from replication.results import Table, read_csv

__all__ = ["NAME", "NEEDS", "TITLE", "latency_fit"]

NAME = "latency_fit"
TITLE = "The latency tables' fit: measured latency against base + per-edge, per-op costs, per device"
NEEDS = "latency_fit"


def latency_fit(results_dir: str | Path) -> Table | None:
    fit = read_csv(results_dir, "latency_fit")
    if fit is None or fit.empty:
        return None
    frame = pd.DataFrame({
        "Device": fit["device"], "Kind": fit["kind"], "R^2": fit["r2"].map("{:.3f}".format),
        "Mean abs. error (ms)": fit["mae_ms"].map("{:.3f}".format),
        "Median rel. error": (100 * fit["median_relative_error"]).map("{:.1f} %".format),
        "Mean latency (ms)": fit["mean_ms"].map("{:.2f}".format),
    })
    notes = ["Non-negative least squares over all 15,625 cells (every cost at least 0 ms, so no estimate is "
             "negative). Relative errors leave out the cells measured below 5% of the device's slowest (3-4% of "
             "cells on pixel3 and raspi4 measure near 0 ms). The simulated devices (eyeriss, fpga) are additive; "
             "on measured ones a search steering by the table can miss a target it meets on paper."]
    return Table(NAME, TITLE, frame, notes)
