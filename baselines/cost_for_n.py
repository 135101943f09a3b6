"""Search cost for N constraints, per strategy: what SGNAS's "4N times faster" claim is about.

SGNAS (Huang & Chu, CVPR 2021, Sec. 1 and 5) claims that once its generator is
trained, architectures for N FLOPs targets cost N generator forward passes,
while single-path searches (SPOS's evolution, a ProxylessNAS gradient search)
pay a whole search per target. The fair comparison (Lindauer & Hutter, JMLR
2020: search cost end to end) adds each strategy's one-time costs:

    cost(N) = one_time + N * mean per-target search cost

* one-time: training the generator (SGNAS); nothing for the per-target
  searches (a gradient search is a per-target cost here, one run per target);
* per target: the wall seconds and supernet forward passes of one ``search``
  call, from the strategies' :class:`~sgnas.strategy.SearchResult` records:
  the cost of choosing the architecture. Estimating the chosen architecture's
  accuracy only for the report (``estimate_seconds``,
  ``estimate_forward_passes``) is left out unless asked for, since delivering
  an architecture does not need it;
* the supernet, trained once and shared by every strategy, is a column of its
  own and is added in the end-to-end total.

Inputs are result files of runs (:mod:`sgnas.runs`): every ``results.json`` under
a runs folder that holds search records (``strategy``, ``wall_seconds``,
``forward_passes``), any saved ``sgnas search --json`` output given with
``--search-json``, and the ``results.json`` of the generator- and
supernet-training runs (``wall_seconds``, else the last session's
``seconds_this_session``; ``forward_passes`` where recorded).

Command line::

    python -m baselines.cost_for_n --runs-dir runs [--search-json search-*.json] --out results \
        [--ns 1 3 5 10] [--include-reporting]

writes ``cost_for_n.{csv,md,tex}`` and prints the table. For a proxy-preset
table, over one supernet and one generator::

    sgnas train-supernet --preset proxy --runs-dir runs
    sgnas train-generator --supernet runs/supernet/<run> --runs-dir runs
    for s in generator evolution random random-search proxyless; do
        sgnas search --strategy $s --generator runs/generator/<run> --sweep 10 --runs-dir runs
    done
    python -m baselines.cost_for_n --runs-dir runs --out results

Every ``sgnas search`` is a run folder under ``runs/search/``, so the runs
folder alone holds the searches; ``--search-json`` is for saved ``--json``
outputs kept elsewhere (a file given there and also under the runs folder would
count twice).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sgnas.errors import SgnasError
from sgnas.tables import render, write_table

__all__ = [
    "GENERATOR",
    "NS",
    "OneTimeCost",
    "cost_for_n",
    "load_one_time_costs",
    "load_search_records",
    "main",
    "per_target_costs",
    "write_cost_for_n",
]

NS: tuple[int, ...] = (1, 3, 5, 10)
#: strategy name of SGNAS's generator (the one with a one-time training cost)
GENERATOR = "generator"
#: run kinds (``config.json`` "kind", :mod:`sgnas.pipeline`) whose results are one-time costs
_GENERATOR_KIND = "generator"
_SUPERNET_KIND = "supernet"


@dataclass(frozen=True)
class OneTimeCost:
    """A cost paid once whatever N is: wall seconds and supernet forward passes, and where they were measured."""

    wall_seconds: float
    forward_passes: int | None
    source: str = ""


def _records_of(data: Any) -> list[dict[str, Any]]:
    """Search records in a results file: a record, a list of them, or ``{"results": [...]}``-style nesting."""
    if isinstance(data, dict):
        if {"strategy", "wall_seconds", "forward_passes"} <= data.keys():
            return [data]
        return [r for value in data.values() if isinstance(value, list | dict) for r in _records_of(value)]
    if isinstance(data, list):
        return [r for item in data for r in _records_of(item)]
    return []


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise SgnasError(f"cannot read results file {path}: {err}") from None


def load_search_records(runs_dir: str | Path, search_json: Sequence[str | Path] = ()) -> list[dict[str, Any]]:
    """Every search record in the ``results.json`` files under ``runs_dir`` and in the ``search_json`` files."""
    root = Path(runs_dir)
    if not root.is_dir():
        raise SgnasError(f"runs folder {root} does not exist")
    records = []
    for path in [*sorted(root.rglob("results.json")), *map(Path, search_json)]:
        records += _records_of(_read_json(path))
    return records


def _run_kind(run: Path) -> str | None:
    config = run / "config.json"
    return _read_json(config).get("kind") if config.exists() else None


def _one_time_from(results_path: Path) -> OneTimeCost:
    results = _read_json(results_path)
    wall = results.get("wall_seconds", results.get("seconds_this_session"))
    if wall is None:
        raise SgnasError(f"{results_path} records no wall_seconds")
    passes = results.get("forward_passes")
    return OneTimeCost(float(wall), None if passes is None else int(passes), str(results_path.parent))


def load_one_time_costs(runs_dir: str | Path) -> tuple[dict[str, OneTimeCost], OneTimeCost | None]:
    """(per-strategy one-time costs, shared supernet training) from the finished training runs under ``runs_dir``.

    With several finished runs of a kind, the most recent one counts.
    """
    one_time: dict[str, OneTimeCost] = {}
    supernet: OneTimeCost | None = None
    finished = sorted(Path(runs_dir).rglob("results.json"), key=lambda p: p.stat().st_mtime)
    for path in finished:
        kind = _run_kind(path.parent)
        if kind == _GENERATOR_KIND:
            one_time[GENERATOR] = _one_time_from(path)
        elif kind == _SUPERNET_KIND:
            supernet = _one_time_from(path)
    return one_time, supernet


def per_target_costs(records: Iterable[Mapping[str, Any]], include_reporting: bool = False) -> pd.DataFrame:
    """One row per search record: strategy, target, wall seconds and forward passes of the search."""
    rows = []
    for record in records:
        wall, passes = float(record["wall_seconds"]), int(record["forward_passes"])
        if include_reporting:
            wall += float(record.get("estimate_seconds") or 0.0)
            passes += int(record.get("estimate_forward_passes") or 0)
        rows.append({
            "strategy": record["strategy"],
            "target_macs_m": record.get("target_macs_m"),
            "wall_seconds": wall,
            "forward_passes": passes,
        })
    return pd.DataFrame(rows, columns=["strategy", "target_macs_m", "wall_seconds", "forward_passes"])


def cost_for_n(
    per_target: pd.DataFrame,
    one_time: Mapping[str, OneTimeCost] | None = None,
    supernet: OneTimeCost | None = None,
    ns: Sequence[int] = NS,
) -> pd.DataFrame:
    """Cost of delivering N architectures, per strategy and N, with ratios to the generator's where it is measured.

    A one-time cost without recorded forward passes leaves that strategy's pass counts missing (NaN).
    """
    if per_target.empty:
        raise SgnasError("no search records to compute the cost for N targets from")
    one_time = dict(one_time or {})
    rows = []
    for strategy, group in per_target.groupby("strategy", sort=True):
        fixed = one_time.get(str(strategy), OneTimeCost(0.0, 0))
        fixed_passes = float("nan") if fixed.forward_passes is None else fixed.forward_passes
        wall, passes = group["wall_seconds"].mean(), group["forward_passes"].mean()
        for n in ns:
            search_wall = fixed.wall_seconds + n * wall
            row = {
                "strategy": strategy,
                "N": n,
                "targets_measured": len(group),
                "one_time_wall_s": fixed.wall_seconds,
                "per_target_wall_s": wall,
                "search_wall_s": search_wall,
                "one_time_forward_passes": fixed_passes,
                "per_target_forward_passes": passes,
                "search_forward_passes": fixed_passes + n * passes,
            }
            if supernet is not None:
                row["supernet_wall_s"] = supernet.wall_seconds
                row["end_to_end_wall_s"] = supernet.wall_seconds + search_wall
            rows.append(row)
    table = pd.DataFrame(rows)
    generator = table[table["strategy"] == GENERATOR].set_index("N")
    if not generator.empty:
        for measure in ("search_wall_s", "search_forward_passes"):
            baseline = table["N"].map(generator[measure])
            table[f"{measure}_vs_generator"] = table[measure] / baseline.where(baseline > 0)
    return table


def write_cost_for_n(table: pd.DataFrame, out_dir: str | Path, include_reporting: bool = False) -> dict[str, Path]:
    """``cost_for_n.{csv,md,tex}`` in ``out_dir``."""
    return write_table(table, out_dir, "cost_for_n", title="Search cost for N targets", notes=_notes(include_reporting))


def _notes(include_reporting: bool) -> list[str]:
    reporting = "including" if include_reporting else "excluding"
    return [
        "cost(N) = one-time cost + N x mean measured per-target search cost; "
        f"per-target costs {reporting} the accuracy estimate made only to report the chosen architecture.",
        "The supernet is trained once and shared by every strategy (end_to_end adds it).",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines.cost_for_n", description=__doc__.splitlines()[0])
    parser.add_argument("--runs-dir", required=True, help="folder with the search and training runs")
    parser.add_argument("--search-json", nargs="+", default=[], metavar="FILE",
                        help="saved output of 'sgnas search --json' (any strategy)")
    parser.add_argument("--out", required=True, help="folder for cost_for_n.{csv,md,tex}")
    parser.add_argument("--ns", type=int, nargs="+", default=list(NS), help="numbers of targets N")
    parser.add_argument("--include-reporting", action="store_true",
                        help="count the accuracy estimate made only to report the chosen architecture")
    args = parser.parse_args(argv)
    try:
        records = load_search_records(args.runs_dir, args.search_json)
        per_target = per_target_costs(records, args.include_reporting)
        one_time, supernet = load_one_time_costs(args.runs_dir)
        table = cost_for_n(per_target, one_time, supernet, args.ns)
        write_cost_for_n(table, args.out, args.include_reporting)
    except SgnasError as err:
        print(f"cost_for_n: error: {err}", file=sys.stderr)
        return 2
    print(render(table, "Search cost for N targets", _notes(args.include_reporting)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
