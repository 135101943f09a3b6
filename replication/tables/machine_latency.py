"""Table E2: on this machine, the unified space's generator trained on a measured latency table, its finds timed
end to end beside the table's estimate and the prior alone.

Reads ``machine_latency.csv`` and ``machine_latency.json``; ``None`` when absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from replication.results import Table, read_csv, read_json

__all__ = ["NAME", "NEEDS", "TITLE", "machine_latency_table"]

NAME = "table_e2"
TITLE = "Table E2: latency targets on this machine (unified space; the generator's finds timed end to end)"
NEEDS = "machine_latency"


def machine_latency_table(results_dir: str | Path) -> Table | None:
    sweep, meta = read_csv(results_dir, "machine_latency"), read_json(results_dir, "machine_latency_meta")
    if sweep is None or meta is None or not {"sgnas", "prior-only"} <= set(sweep["method"]) or "table" not in meta:
        return None
    rows = []
    for target, group in sweep.groupby("target_ms", sort=True):
        if set(group["method"]) < {"sgnas", "prior-only"}:
            continue
        own, prior = (group[group["method"] == m].iloc[0] for m in ("sgnas", "prior-only"))
        rows.append({
            "Target (ms)": f"{target:.1f}",
            "SGNAS measured (ms)": f"{own['measured_ms']:.1f} ± {own['measured_iqr_ms'] / 2:.1f}",
            "SGNAS table (ms)": f"{own['estimate_ms']:.1f}",
            "SGNAS error": f"{100 * (own['measured_ms'] - target) / target:+.1f} %",
            "Prior measured (ms)": f"{prior['measured_ms']:.1f}",
            "Prior error": f"{100 * (prior['measured_ms'] - target) / target:+.1f} %",
        })
    table, settings = meta["table"], meta["table"]["settings"]
    check = table["table_vs_end_to_end"]
    notes = [
        f"Plan {meta['plan']}, seed {meta['seed']}: the generator trained over the harness's strict-fairness supernet "
        f"with this machine's latency table as its cost model. Every latency is one forward pass of the model exported "
        f"to timm, batch {settings['batch']} at {settings['input_size']}x{settings['input_size']}, "
        f"{settings['threads']} thread(s), the median of repeated blocks (± half the interquartile range).",
        f"The table (per layer and kernel; {table['run']}) differs from whole models by {check['mean_error']:+.1%} on "
        f"average ({check['mean_abs_error']:.1%} mean |error|, at most {check['max_abs_error']:.1%}) over "
        f"{settings['check']} random architectures; repeated timings spread by {table['median_relative_spread']:.1%} "
        "(median interquartile range over median). In the main job the other studies run on the other cores.",
    ]
    return Table(NAME, TITLE, pd.DataFrame(rows), notes)
