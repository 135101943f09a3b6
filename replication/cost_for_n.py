"""Search cost for N constraints, per strategy: what SGNAS's "4N times faster" claim is about.

SGNAS (Huang & Chu, CVPR 2021, Sec. 1 and 5) claims that once its generator is
trained, architectures for N FLOPs targets cost N generator forward passes,
while single-path searches (SPOS's evolution, a ProxylessNAS gradient search)
pay a whole search per target. The fair comparison (Lindauer & Hutter, JMLR
2020: search cost end to end) adds each strategy's one-time costs:

    cost(N) = one_time + N * mean per-target search cost

* one-time: training the generator, for the strategies that declare it their
  one-time cost (:attr:`~sgnas.search.strategy.SearchStrategy.pays_generator_training`:
  SGNAS's generator); nothing for the per-target searches (a gradient search is
  a per-target cost here, one run per target);
* per target: the wall seconds and supernet forward passes of one ``search``
  call, from the strategies' :class:`~sgnas.search.strategy.SearchResult` records:
  the cost of choosing the architecture. Estimating the chosen architecture's
  accuracy only for the report (``estimate_seconds``,
  ``estimate_forward_passes``) is left out unless asked for, since delivering
  an architecture does not need it;
* the supernet, trained once and shared by every strategy, is a column of its
  own and is added in the end-to-end total.

Evaluation-based searches (evolution, random search: the registered strategies
that declare :attr:`~sgnas.search.strategy.SearchStrategy.evaluation_based`, a plugin's
included; :func:`evaluation_strategies`) cost in proportion to the
architectures they evaluate: each evaluation is the same BN recalibration and
validation batches. Runs shortened to save time
(an evaluation budget below SPOS's) would understate their cost, so their cost
is also given at SPOS's published budget, population 50 x 20 generations =
:data:`SPOS_EVALUATIONS` evaluations per target (SPEC section 6), extrapolated
linearly from the measured cost per evaluation (:func:`at_spos_budget`). The
measured cost stays next to it.

Inputs are result files of runs (:mod:`sgnas._infra.runs`): every ``results.json`` under
a runs folder that holds search records (``strategy``, ``wall_seconds``,
``forward_passes``), any saved ``sgnas search --json`` output given with
``--search-json``, and the ``results.json`` of the generator- and
supernet-training runs (``wall_seconds``, else the last session's
``seconds_this_session``; ``forward_passes`` where recorded).

Command line::

    python -m replication.cost_for_n --runs-dir runs [--search-json search-*.json] --out results \
        [--ns 1 3 5 10] [--include-reporting]

writes ``cost_for_n.{csv,md,tex}`` and prints the table. For a proxy-preset
table, over one supernet and one generator::

    sgnas train-supernet --preset proxy --runs-dir runs
    sgnas train-generator --supernet runs/supernet/<run> --runs-dir runs
    for s in generator evolution random random-search proxyless; do
        sgnas search --strategy $s --generator runs/generator/<run> --sweep 10 --runs-dir runs
    done
    python -m replication.cost_for_n --runs-dir runs --out results

Every ``sgnas search`` is a run folder under ``runs/search/``, so the runs
folder alone holds the searches; ``--search-json`` is for saved ``--json``
outputs kept elsewhere (a file given there and also under the runs folder would
count twice).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sgnas._infra.argparser import ArgumentParser
from sgnas._infra.command import run_tool
from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import NotJson, read_json
from sgnas._infra.runs import COUNT, RunDir, number
from sgnas._infra.tables import render, write_table
from sgnas.pipeline import GENERATOR_RUN, SUPERNET_RUN
from sgnas.registry import STRATEGIES

__all__ = [
    "AT_SPOS_BUDGET",
    "NS",
    "OneTimeCost",
    "SPOS_EVALUATIONS",
    "at_spos_budget",
    "cost_for_n",
    "cost_rows",
    "evaluation_strategies",
    "generator_strategies",
    "load_one_time_costs",
    "one_time_cost",
    "load_search_records",
    "main",
    "per_target_costs",
    "write_cost_for_n",
]

NS: tuple[int, ...] = (1, 3, 5, 10)
#: SPOS's published evolutionary search: population 50 x 20 generations (SPEC section 6)
SPOS_EVALUATIONS: int = 50 * 20
#: label of costs of evaluation-based searches scaled to SPOS's published evaluation budget
AT_SPOS_BUDGET = f"extrapolated to SPOS's {SPOS_EVALUATIONS} evaluations"
#: run kinds (the folder a run lives in, :mod:`sgnas.pipeline`) whose results are one-time costs
_GENERATOR_KIND = GENERATOR_RUN.name
_SUPERNET_KIND = SUPERNET_RUN.name


def _declaring(attribute: str) -> tuple[str, ...]:
    """The registered strategies whose class sets ``attribute`` (a :class:`~sgnas.search.strategy.SearchStrategy` flag)."""
    return tuple(name for name, cls in STRATEGIES.items() if getattr(cls, attribute, False))


def evaluation_strategies() -> tuple[str, ...]:
    """The strategies whose search cost is a number of architecture evaluations (each a BN recalibration and
    validation batches), which are also costed at SPOS's budget; a name no longer registered is not one."""
    return _declaring("evaluation_based")


def generator_strategies() -> tuple[str, ...]:
    """The strategies that pay the generator's training once: its run's cost is their one-time cost, and the
    first of them in a table is the one the ``*_vs_generator`` ratios divide by (SGNAS's ``generator``)."""
    return _declaring("pays_generator_training")


@dataclass(frozen=True)
class OneTimeCost:
    """A cost paid once whatever N is: wall seconds and supernet forward passes, and where they were measured."""

    wall_seconds: float
    forward_passes: int | None
    source: str = ""


def at_spos_budget(cost: float, evaluations: float, reference: int = SPOS_EVALUATIONS) -> float:
    """A search cost measured over ``evaluations`` architecture evaluations, scaled linearly to ``reference`` of them.

    Every evaluation costs the same (BN recalibration and validation batches),
    so 60 evaluations that took 6 s take 100 s at 1000.
    """
    if not evaluations > 0:
        raise SgnasError(f"cannot extrapolate a search cost from {evaluations} evaluations")
    return cost * reference / evaluations


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
        return read_json(path)
    except NotJson as err:
        raise SgnasError(f"cannot read results file {path}: it is {err}") from None


def load_search_records(runs_dir: str | Path, search_json: Sequence[str | Path] = ()) -> list[dict[str, Any]]:
    """Every search record in the ``results.json`` files under ``runs_dir`` and in the ``search_json`` files."""
    root = Path(runs_dir)
    if not root.is_dir():
        raise SgnasError(f"runs folder {root} does not exist")
    records = []
    for path in [*sorted(root.rglob("results.json")), *map(Path, search_json)]:
        found = _records_of(_read_json(path))
        budget = _evaluation_budget(path.parent) if found else None
        records += [{"evaluation_budget": budget, **record} for record in found]
    return records


def _evaluation_budget(run: Path) -> int | None:
    """The evaluation budget (``search.budget``) a search run was given, from its ``config.json``, if recorded."""
    if not (run / "config.json").exists():
        return None
    search = RunDir(run).config.get("search")
    budget = search.get("budget") if isinstance(search, dict) else None
    if budget is not None and not COUNT.ok(budget):
        raise SgnasError(f"run {run}: config.json's search.budget is {budget!r}, not a number of architectures")
    return budget


def _run_kind(run: Path) -> str | None:
    config = run / "config.json"
    saved = _read_json(config) if config.exists() else None
    return saved.get("kind") if isinstance(saved, dict) else None


def one_time_cost(results: Mapping[str, Any], source: str) -> OneTimeCost:
    """The one-time cost a training run's results record (``wall_seconds``, else the last session's)."""
    wall = results.get("wall_seconds", results.get("seconds_this_session"))
    if wall is None:
        raise SgnasError(f"{source} records no wall_seconds")
    passes = results.get("forward_passes")
    if not number(0).ok(wall) or not (passes is None or COUNT.ok(passes)):
        raise SgnasError(f"{source} records wall seconds {json.dumps(wall)[:40]} and forward passes "
                         f"{json.dumps(passes)[:40]}: not a number of seconds and a count")
    return OneTimeCost(float(wall), None if passes is None else int(passes), source)


def _one_time_from(results_path: Path) -> OneTimeCost:
    results = _read_json(results_path)
    if not isinstance(results, dict):
        raise SgnasError(f"results file {results_path} is not a JSON object")
    return one_time_cost(results, str(results_path.parent))


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
            cost = _one_time_from(path)
            one_time.update(dict.fromkeys(generator_strategies(), cost))
        elif kind == _SUPERNET_KIND:
            supernet = _one_time_from(path)
    return one_time, supernet


_PER_TARGET_COLUMNS = ["strategy", "target_macs_m", "wall_seconds", "forward_passes", "evaluations",
                       "evaluation_budget"]


def per_target_costs(records: Iterable[Mapping[str, Any]], include_reporting: bool = False) -> pd.DataFrame:
    """One row per search record: strategy, target, wall seconds and forward passes of the search.

    For evaluation-based strategies also the architectures evaluated
    (``evaluations``) and the budget given (``evaluation_budget``), where recorded.
    """
    rows = []
    evaluation_based = evaluation_strategies()
    for record in records:
        wall, passes = float(record["wall_seconds"]), int(record["forward_passes"])
        if include_reporting:
            wall += float(record.get("estimate_seconds") or 0.0)
            passes += int(record.get("estimate_forward_passes") or 0)
        counted = record["strategy"] in evaluation_based
        rows.append({
            "strategy": record["strategy"],
            "target_macs_m": record.get("target_macs_m"),
            "wall_seconds": wall,
            "forward_passes": passes,
            "evaluations": record.get("evaluations") if counted else None,
            "evaluation_budget": record.get("evaluation_budget") if counted else None,
        })
    frame = pd.DataFrame(rows, columns=_PER_TARGET_COLUMNS)
    for column in ("evaluations", "evaluation_budget"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _mean_at_spos_budget(group: pd.DataFrame, measure: str) -> float:
    """Mean per-target ``measure`` extrapolated to SPOS's budget; NaN unless every target's evaluations are known."""
    if str(group["strategy"].iloc[0]) not in evaluation_strategies() or group["evaluations"].isna().any():
        return float("nan")
    return float(sum(at_spos_budget(cost, evaluations)
                     for cost, evaluations in zip(group[measure], group["evaluations"])) / len(group))


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
        spos_wall = _mean_at_spos_budget(group, "wall_seconds")
        spos_passes = _mean_at_spos_budget(group, "forward_passes")
        for n in ns:
            search_wall = fixed.wall_seconds + n * wall
            row = {
                "strategy": strategy,
                "N": n,
                "targets_measured": len(group),
                "evaluations_per_target": group["evaluations"].mean(),
                "evaluation_budget": group["evaluation_budget"].max(),
                "one_time_wall_s": fixed.wall_seconds,
                "per_target_wall_s": wall,
                "search_wall_s": search_wall,
                "one_time_forward_passes": fixed_passes,
                "per_target_forward_passes": passes,
                "search_forward_passes": fixed_passes + n * passes,
                "search_wall_s_at_spos_budget": fixed.wall_seconds + n * spos_wall,
                "search_forward_passes_at_spos_budget": fixed_passes + n * spos_passes,
            }
            if supernet is not None:
                row["supernet_wall_s"] = supernet.wall_seconds
                row["end_to_end_wall_s"] = supernet.wall_seconds + search_wall
            rows.append(row)
    table = pd.DataFrame(rows)
    reference = next((name for name in generator_strategies() if name in set(table["strategy"])), None)
    generator = table[table["strategy"] == reference].set_index("N")
    if not generator.empty:
        for measure in ("search_wall_s", "search_forward_passes"):
            baseline = table["N"].map(generator[measure]).where(lambda b: b > 0)
            table[f"{measure}_vs_generator"] = table[measure] / baseline
            # the generator evaluates no architecture: its measured cost is its cost at any budget
            table[f"{measure}_at_spos_budget_vs_generator"] = table[f"{measure}_at_spos_budget"] / baseline
    return table


#: columns of the harness's cost_vs_n.csv (:mod:`replication.results`) from the columns of :func:`cost_for_n`
_HARNESS_COLUMNS = {
    "N": "n", "search_wall_s": "wall_seconds", "search_forward_passes": "forward_passes",
    "one_time_wall_s": "one_time_seconds", "evaluations_per_target": "evaluations",
    "evaluation_budget": "evaluation_budget", "search_wall_s_at_spos_budget": "wall_seconds_at_spos_budget",
    "search_forward_passes_at_spos_budget": "forward_passes_at_spos_budget",
}


def cost_rows(method: str, seed: int, records: Sequence[Mapping[str, Any]], one_time: OneTimeCost | None = None,
              ns: Sequence[int] = NS) -> list[dict[str, Any]]:
    """Rows of the harness's ``cost_vs_n.csv`` for one method and seed, by :func:`cost_for_n`.

    ``records`` are the method's search records over the budgets
    (:meth:`sgnas.search.strategy.SearchResult.to_json` plus the ``evaluation_budget``
    the search was given); ``one_time`` is what the method paid once (the
    generator's training).
    """
    per_target = per_target_costs(records)
    strategies = set(per_target["strategy"])
    if len(strategies) != 1:
        raise SgnasError(f"method {method}: search records of several strategies {sorted(strategies)}")
    one_time_costs = {strategies.pop(): one_time} if one_time is not None else {}
    table = cost_for_n(per_target, one_time_costs, ns=ns)
    frame = table[list(_HARNESS_COLUMNS)].rename(columns=_HARNESS_COLUMNS)
    return [{"method": method, "seed": seed, **row} for row in frame.to_dict("records")]


def write_cost_for_n(table: pd.DataFrame, out_dir: str | Path, include_reporting: bool = False) -> dict[str, Path]:
    """``cost_for_n.{csv,md,tex}`` in ``out_dir``."""
    return write_table(table, out_dir, "cost_for_n", title="Search cost for N targets", notes=_notes(include_reporting))


def _notes(include_reporting: bool) -> list[str]:
    reporting = "including" if include_reporting else "excluding"
    return [
        "cost(N) = one-time cost + N x mean measured per-target search cost; "
        f"per-target costs {reporting} the accuracy estimate made only to report the chosen architecture.",
        "The supernet is trained once and shared by every strategy (end_to_end adds it).",
        f"*_at_spos_budget: evaluation-based strategies ({', '.join(evaluation_strategies())}) extrapolated to "
        f"SPOS's {SPOS_EVALUATIONS} evaluations per target (50 x 20) from the measured cost per evaluation; "
        "their measured cost is at the evaluations actually spent (evaluations_per_target, budget evaluation_budget).",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m replication.cost_for_n", description=__doc__.splitlines()[0], tool="cost_for_n")
    parser.add_argument("--runs-dir", required=True, help="folder with the search and training runs")
    parser.add_argument("--search-json", nargs="+", default=[], metavar="FILE",
                        help="saved output of 'sgnas search --json' (any strategy)")
    parser.add_argument("--out", required=True, help="folder for cost_for_n.{csv,md,tex}")
    parser.add_argument("--ns", type=int, nargs="+", default=list(NS), help="numbers of targets N")
    parser.add_argument("--include-reporting", action="store_true",
                        help="count the accuracy estimate made only to report the chosen architecture")
    args = parser.parse_args(argv)

    def body() -> None:
        records = load_search_records(args.runs_dir, args.search_json)
        per_target = per_target_costs(records, args.include_reporting)
        one_time, supernet = load_one_time_costs(args.runs_dir)
        table = cost_for_n(per_target, one_time, supernet, args.ns)
        write_cost_for_n(table, args.out, args.include_reporting)
        print(render(table, "Search cost for N targets", _notes(args.include_reporting)))

    return run_tool("cost_for_n", body)


if __name__ == "__main__":
    sys.exit(main())
