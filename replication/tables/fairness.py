"""The fairness table: per sub-block position, how often the main job's supernet sampler trains each op, with
and without forced sampling (register D45).

Read from the redundancy study's replay of the sampler (``redundancy.json``);
``python -m replication.fairness`` gives the same table for every sampler.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from replication.fairness import TITLE, share_rows
from replication.results import Table, read_json

__all__ = ["NAME", "NEEDS", "TITLE", "fairness"]

NAME = "fairness_table"  # not "fairness_samplers", the file of python -m replication.fairness
NEEDS = "redundancy"


def fairness(results_dir: str | Path) -> Table | None:
    data = read_json(results_dir, "redundancy")
    replay = (data or {}).get("replay", {})
    if not {"fs_on", "fs_off"} <= set(replay):
        return None
    rows = [row for mode, forced in (("fs_on", True), ("fs_off", False))
            for row in share_rows(data.get("sampler", "not recorded"), forced, replay[mode]["position_op_counts"])]
    notes = [f"{replay['steps']} replayed steps of every layer. Strict fairness promises each kernel of each "
             "sub-block the same share (kernel spread 0); forced sampling moves kernels between positions, so "
             "with it the promise holds per layer, not per sub-block (register D45)."]
    return Table(NAME, TITLE, pd.DataFrame(rows), notes)
