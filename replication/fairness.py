"""How often each sub-block position trains each op, per sampler, with and without forced sampling.

Strict fairness (FairNAS, SGNAS supp. A.2) promises that every op of every
sub-block is trained equally often. Forced sampling (supp. D) replaces each
path by its canonical arrangement (kernels ascending, skips last), which keeps
each layer's multiset of ops but moves kernels between positions: the first
sub-blocks then mostly train k3, the last ones mostly skip. So the guarantee
holds per layer, summed over its sub-blocks, not per sub-block (register D2).
This module measures it: the share of training uses of each op at each of the
six positions, averaged over the space's layers, for every unified sampler in
both arrangements. No training is involved; the samplers are simulated for
``steps`` steps.

Command line::

    python -m replication.fairness [--steps 500] [--seed 0] [--out results]

prints the table and writes ``fairness_samplers.csv``, ``.md`` and ``.tex`` (the main job's own
``fairness_table`` is the same for its sampler, read from its redundancy study).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from replication.redundancy import replay_sampler
from sgnas._infra.argparser import ArgumentParser
from sgnas._infra.command import run_tool
from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import output_folder
from sgnas._infra.tables import render, write_table
from sgnas.config.schema import check_value
from sgnas.registry import SAMPLERS, UNIFIED
from sgnas.spaces.unified.space import OPS

__all__ = ["TITLE", "fairness_table", "share_rows"]

TITLE = "Share (%) of each op's training uses at each sub-block position, per sampler and arrangement"
#: the most steps simulated (a million layer draws per sampler already fix every share to 0.1 pp)
MAX_STEPS = 100_000
#: layers simulated: the ImageNet space's 19 searchable layers (the samplers draw each layer alike)
NUM_LAYERS = 19


def share_rows(sampler: str, forced_sampling: bool, counts: np.ndarray | Sequence[Sequence[int]]) -> list[dict[str, Any]]:
    """Rows of the fairness table for one sampler and arrangement from its ``[6, 4]`` position-op counts: the
    share (%) of each op at each position, and the spread of the kernels' shares (max - min, percentage points)
    that strict fairness promises to keep at zero."""
    counts = np.asarray(counts, dtype=float)
    shares = 100 * counts / counts.sum(axis=1, keepdims=True)
    return [{"sampler": sampler, "forced_sampling": forced_sampling, "position": position,
             **{op: round(float(v), 1) for op, v in zip(OPS, row)},
             "kernel_spread_pp": round(float(row[:-1].max() - row[:-1].min()), 1)}
            for position, row in enumerate(shares)]


def fairness_table(steps: int = 500, seed: int = 0, samplers: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`share_rows` of every unified sampler (or ``samplers``), with and without forced sampling."""
    rows = []
    for sampler in samplers or SAMPLERS.names(family=UNIFIED):
        for forced in (True, False):
            counts = replay_sampler(sampler, NUM_LAYERS, steps, seed, forced)["position_op_counts"]
            rows += share_rows(sampler, forced, counts)
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="fairness")
    parser.add_argument("--steps", type=int, default=500, help="simulated steps per sampler (default: 500)")
    parser.add_argument("--seed", type=int, default=0, help="sampler seed (default: 0)")
    parser.add_argument("--out", default="results", help="results folder (default: results)")
    args = parser.parse_args(argv)

    def body() -> None:
        if not 1 <= args.steps <= MAX_STEPS:
            raise SgnasError(f"--steps must be from 1 to {MAX_STEPS:,}, got {args.steps}")
        check_value("seed", args.seed, "--seed")
        table = fairness_table(args.steps, args.seed)
        write_table(table, output_folder(args.out, "the fairness table"), "fairness_samplers", TITLE)
        print(render(table, TITLE))

    return run_tool("fairness", body)


if __name__ == "__main__":
    sys.exit(main())
