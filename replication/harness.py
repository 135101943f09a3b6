"""The replication harness: every method x seed x budget through the library, cached, into one results folder.

For each seed, through :mod:`sgnas.pipeline` (which caches every step in a
:class:`~sgnas.runs.RunDir` keyed by config hash and seed, so a second run of
the harness only reads finished runs):

1. a supernet per training sampler: strict fairness (SGNAS, FairNAS, and the
   searches that need "a trained supernet") and uniform single path (SPOS);
2. the SGNAS generator over the strict-fairness supernet;
3. for each method of :data:`METHODS`, one search per budget A/B/C (targets at
   the relative positions of SGNAS-A/B/C's 365/320/275M in the paper's
   270-450M range, mapped onto the preset's target range: :func:`budget_targets`),
   with the supernet-estimated accuracy after BN recalibration;
4. optionally, stand-alone training of every architecture found.

The results folder then holds the files of :mod:`replication.results`:
``search.csv`` (Table B), ``cost_vs_n.csv`` (Table C), ``generator_sweep.csv``
and ``manifest.json``. A *plan* (:data:`PLANS`) is a library preset plus
overrides sized for a wall-time budget; ``quick`` is the proxy preset shortened
so that the whole harness fits in about 25 minutes on 2 CPU cores.

    python replication/harness.py --plan smoke --seeds 0 --results results/smoke
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from baselines.cost_for_n import EVALUATION_STRATEGIES, at_spos_budget  # noqa: E402
from replication.results import (  # noqa: E402
    COST_COLUMNS,
    SEARCH_COLUMNS,
    SWEEP_COLUMNS,
    Table,
    write_csv,
    write_json,
)
from sgnas import locking  # noqa: E402
from sgnas.config import Config, apply_overrides, load_preset  # noqa: E402
from sgnas.errors import SgnasError  # noqa: E402
from sgnas.runs import RunDir, environment, remove_stale_temps  # noqa: E402

__all__ = [
    "BUDGET_FRACTIONS",
    "METHODS",
    "MethodSpec",
    "NS",
    "PLANS",
    "Plan",
    "budget_targets",
    "build_tables",
    "load_plan",
    "main",
    "run_generator_variant",
    "run_replication",
]

#: SGNAS-A/B/C's targets (365/320/275M) as fractions of the paper's generator range 270-450M
BUDGET_FRACTIONS: dict[str, float] = {"A": (365 - 270) / 180, "B": (320 - 270) / 180, "C": (275 - 270) / 180}
#: numbers of constraints of Table C
NS: tuple[int, ...] = (1, 3, 5, 10)


@dataclass(frozen=True)
class MethodSpec:
    """A method of Table B: the sampler that trains its supernet and the search strategy (registry name)."""

    sampler: str
    strategy: str


METHODS: dict[str, MethodSpec] = {
    "sgnas": MethodSpec("strict-fair", "generator"),
    "fairnas-evolution": MethodSpec("strict-fair", "evolution"),
    "spos-evolution": MethodSpec("uniform", "evolution"),
    "proxyless": MethodSpec("strict-fair", "proxyless"),
    "random-search": MethodSpec("strict-fair", "random-search"),
    "random-sampling": MethodSpec("strict-fair", "random"),
}


@dataclass(frozen=True)
class Plan:
    """A library preset plus overrides, whether to train the found architectures, and whether numbers are indicative."""

    preset: str
    overrides: tuple[str, ...] = field(default=())
    standalone: bool = True
    indicative: bool = True


PLANS: dict[str, Plan] = {
    "smoke": Plan("smoke"),
    # proxy, shortened so that two seeds, the redundancy study and every table fit in about 25 minutes on
    # 2 CPU cores: fewer images and epochs, smaller search budgets, supernet-estimated accuracy only
    # (stand-alone training of 18 architectures per seed does not fit)
    "quick": Plan("proxy", (
        "data.train_per_class=600", "supernet.epochs=3", "generator.epochs=12", "search.budget=60",
        "search.val_batches=4", "search.calib_batches=2",
    ), standalone=False),
    "proxy": Plan("proxy"),
    "paper": Plan("paper", indicative=False),
}


def load_plan(name: str, overrides: Sequence[str] = (), seed: int = 0) -> tuple[Plan, Config]:
    """The plan and its resolved config for one seed (plan overrides, then ``overrides``)."""
    if name not in PLANS:
        raise SgnasError(f"unknown plan {name!r}; choose one of {', '.join(PLANS)}")
    plan = PLANS[name]
    return plan, load_preset(plan.preset, [*plan.overrides, *overrides, f"seed={seed}"])


def budget_targets(config: Config) -> dict[str, float]:
    """Budgets A/B/C in the preset's target range, at SGNAS-A/B/C's relative positions in 270-450M."""
    low, high = config.target_range()
    return {label: round(low + fraction * (high - low), 4) for label, fraction in BUDGET_FRACTIONS.items()}


def _with_sampler(config: Config, sampler: str) -> Config:
    return apply_overrides(config, [f"supernet.sampler={sampler}"])


def _search(method: str, runtime: Any, supernet_run: RunDir, generator_run: RunDir | None,
            targets: dict[str, float], runs_dir: Path) -> dict[str, Any]:
    """One search per budget with ``method`` (cached as a run of kind ``harness-search``)."""
    from sgnas.commands._strategies import build_strategy
    from sgnas.pipeline import search_context, search_targets

    spec = METHODS[method]
    config = runtime.config
    key = {
        "preset": config.preset, "method": method, "strategy": spec.strategy,
        "supernet_run": supernet_run.path.name, "generator_run": generator_run.path.name if generator_run else None,
        # the generator section too: the proxyless search sizes its gate steps by the generator's training
        "targets": targets, "search": config.to_dict()["search"], "generator": config.to_dict()["generator"],
    }
    run = RunDir.open(runs_dir, "harness-search", key, config.seed, rebuild=runtime.rebuild)
    if not run.finished:
        context = search_context(runtime, supernet_run.path / "supernet.pt",
                                 generator_run.path / "generator.pt" if generator_run else None)
        strategy = build_strategy(spec.strategy, context)
        results = search_targets(strategy, context, list(targets.values()))
        run.finish({"budgets": list(targets), "results": [r.to_json() for r in results]})
    return run.results


def _standalone(runtime: Any, architecture: str, runs_dir: Path) -> float | None:
    from sgnas.architecture import Architecture
    from sgnas.pipeline import evaluate_architecture

    run = evaluate_architecture(runtime, Architecture.from_string(architecture), runs_dir)
    return run.results.get("test_top1")


def _rows(method: str, seed: int, searched: dict[str, Any], evaluation_budget: int | None = None) -> list[dict[str, Any]]:
    """Rows of search.csv for one method and seed; evaluation-based searches also get the evaluations they spent
    (distinct architectures, as the strategy recorded them) and the ``evaluation_budget`` they were given."""
    rows = []
    for budget, record in zip(searched["budgets"], searched["results"]):
        counted = record["strategy"] in EVALUATION_STRATEGIES
        rows.append({
            "method": method, "seed": seed, "budget": budget,
            "target_macs_m": record["target_m_in_convention"], "macs_m": record["macs_m_in_convention"],
            "params_m": record["params_m"], "supernet_accuracy": record["supernet_accuracy"],
            "standalone_top1": None, "search_seconds": record["wall_seconds"],
            "forward_passes": record["forward_passes"],
            "evaluations": record.get("evaluations") if counted else None,
            "evaluation_budget": evaluation_budget if counted else None,
            "architecture": record["architecture"],
        })
    return rows


def _cost_rows(method: str, seed: int, rows: list[dict[str, Any]], one_time: tuple[float, float]) -> list[dict[str, Any]]:
    """Cost for N targets: one-time cost + N x the mean per-target cost measured on the budgets.

    The same accounting as ``baselines.cost_for_n`` (one-time costs included,
    accuracy estimates made only to report a result excluded). Rows whose
    searches recorded their evaluations (evolution, random search) also get the
    cost at SPOS's 1000 evaluations per target, extrapolated linearly from the
    measured cost per evaluation; the others leave those columns empty.
    """
    seconds = float(np.mean([r["search_seconds"] for r in rows]))
    passes = float(np.mean([r["forward_passes"] for r in rows]))
    evaluated = all(r.get("evaluations") is not None for r in rows)
    if evaluated:
        evaluations = float(np.mean([r["evaluations"] for r in rows]))
        evaluation_budget = rows[0]["evaluation_budget"]
        spos_seconds = float(np.mean([at_spos_budget(r["search_seconds"], r["evaluations"]) for r in rows]))
        spos_passes = float(np.mean([at_spos_budget(r["forward_passes"], r["evaluations"]) for r in rows]))
    else:
        evaluations = evaluation_budget = spos_seconds = spos_passes = np.nan
    once_seconds, once_passes = one_time
    return [{"method": method, "seed": seed, "n": n, "wall_seconds": once_seconds + n * seconds,
             "forward_passes": once_passes + n * passes, "one_time_seconds": once_seconds,
             "evaluations": evaluations, "evaluation_budget": evaluation_budget,
             "wall_seconds_at_spos_budget": once_seconds + n * spos_seconds,
             "forward_passes_at_spos_budget": once_passes + n * spos_passes} for n in NS]


def _generator_one_time(generator_run: RunDir) -> tuple[float, float]:
    """Wall seconds and supernet forward passes of training the generator (NaN passes when not recorded)."""
    results = generator_run.results
    seconds = results.get("wall_seconds", results.get("seconds_this_session"))
    if seconds is None:
        raise SgnasError(f"generator run {generator_run.path} records no training time")
    return float(seconds), float(results.get("forward_passes", np.nan))


def run_replication(
    plan_name: str,
    seeds: Sequence[int],
    results_dir: str | Path,
    methods: Sequence[str] = tuple(METHODS),
    overrides: Sequence[str] = (),
    standalone: bool | None = None,
    data_dir: str | Path | None = None,
    runs_dir: str | Path | None = None,
    rebuild: bool = False,
) -> Path:
    """Run every method for every seed (finished runs are reused) and write the results folder; its path.

    The results folder is locked while the harness runs: a second harness on it waits, then reuses the
    runs. ``rebuild`` empties and redoes runs whose files do not load instead of stopping.
    """
    from sgnas.pipeline import prepare, train_generator, train_supernet

    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise SgnasError(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    if not seeds:
        raise SgnasError("no seeds given")
    results_dir = Path(results_dir)
    runs_dir = Path(runs_dir) if runs_dir is not None else results_dir / "runs"
    try:
        results_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SgnasError(f"cannot create results folder {results_dir}: {err.strerror}") from None
    locking.acquire(results_dir, "results folder")
    remove_stale_temps(results_dir)
    search_rows: list[dict[str, Any]] = []
    sweep_rows: list[dict[str, Any]] = []
    cost_rows: list[dict[str, Any]] = []
    configs: dict[str, Any] = {}
    run_paths: dict[str, list[str]] = {"supernet": [], "generator": []}
    started = time.perf_counter()
    for seed in seeds:
        plan, config = load_plan(plan_name, overrides, seed)
        evaluate = plan.standalone if standalone is None else standalone
        targets = budget_targets(config)
        supernets: dict[str, RunDir] = {}
        runtimes: dict[str, Any] = {}
        shared = prepare(config, data_dir, rebuild)  # data decoded once per seed, shared by every sampler's runs
        for sampler in dict.fromkeys(METHODS[m].sampler for m in methods):
            sampler_config = _with_sampler(config, sampler)
            runtimes[sampler] = dataclasses.replace(shared, config=sampler_config)
            supernets[sampler] = train_supernet(runtimes[sampler], runs_dir)
            # one resolved config per sampler: the seeds differ only in ``seed`` (listed in the manifest)
            configs[f"{sampler} supernet"] = {k: v for k, v in sampler_config.to_dict().items() if k != "seed"}
            run_paths["supernet"].append(str(supernets[sampler].path.resolve()))
        generator_run = None
        if "sgnas" in methods:
            fair = METHODS["sgnas"].sampler
            generator_run = train_generator(runtimes[fair], supernets[fair].path, runs_dir)
            run_paths["generator"].append(str(generator_run.path.resolve()))
            generated = generator_run.results
            sweep_rows += [{"variant": "default", "seed": seed, "target_macs_m": t, "macs_m": f}
                           for t, f in zip(generated["targets_m"], generated["macs_m"])]
        for method in methods:
            sampler = METHODS[method].sampler
            searched = _search(method, runtimes[sampler], supernets[sampler],
                               generator_run if method == "sgnas" else None, targets, runs_dir)
            rows = _rows(method, seed, searched, runtimes[sampler].config.search.budget)
            if evaluate:
                for row in rows:
                    row["standalone_top1"] = _standalone(runtimes[sampler], row["architecture"], runs_dir)
            one_time = _generator_one_time(generator_run) if method == "sgnas" and generator_run else (0.0, 0.0)
            search_rows += rows
            cost_rows += _cost_rows(method, seed, rows, one_time)
    write_csv(results_dir, "search", search_rows, SEARCH_COLUMNS)
    write_csv(results_dir, "cost_vs_n", cost_rows, COST_COLUMNS)
    if sweep_rows:
        write_csv(results_dir, "generator_sweep", sweep_rows, SWEEP_COLUMNS)
    plan, config = load_plan(plan_name, overrides, seeds[0])
    write_json(results_dir, "manifest", {
        "plan": plan_name, "preset": plan.preset, "seeds": list(seeds), "methods": list(methods),
        "budgets": budget_targets(config), "convention": config.generator.convention,
        "indicative": plan.indicative, "standalone": plan.standalone if standalone is None else standalone,
        "space": {"name": config.space.name, "resolution": config.space.build().resolution,
                  "width": config.space.width},
        "overrides": [*plan.overrides, *overrides], "configs": configs, "environment": environment(),
        "runs": run_paths, "harness_seconds": time.perf_counter() - started,
    })
    locking.release(results_dir)
    return results_dir


def run_generator_variant(
    preset: str,
    overrides: Sequence[str],
    seed: int,
    results_dir: str | Path,
    standalone: bool = False,
    data_dir: str | Path | None = None,
    runs_dir: str | Path | None = None,
) -> list[dict[str, Any]]:
    """One ablation variant and seed: supernet -> generator -> budgets A/B/C; rows of ablation.csv.

    ``preset`` is a plan name (:data:`PLANS`) or a library preset. Rows: one per
    budget (with supernet-estimated and, when asked, stand-alone top-1), then one
    per target of the generator's model-selection sweep (constraint fit only).
    Kendall tau is the generator's over that sweep.
    """
    from sgnas.pipeline import run_pipeline

    if preset in PLANS:
        _, config = load_plan(preset, overrides, seed)
    else:
        config = load_preset(preset, [*overrides, f"seed={seed}"])
    results_dir = Path(results_dir)
    runs_dir = Path(runs_dir) if runs_dir is not None else results_dir / "runs"
    targets = budget_targets(config)
    outcome = run_pipeline(config, list(targets.values()), runs_dir, data_dir=data_dir, evaluate=standalone)
    generated = RunDir(Path(outcome["generator_run"])).results
    tau = generated.get("kendall_tau")
    standalone_top1 = {round(e["target_m"], 6): e.get("test_top1") for e in outcome["evaluated"]}
    rows = []
    for budget, record in zip(targets, outcome["search"]["results"]):
        target, macs = record["target_m_in_convention"], record["macs_m_in_convention"]
        rows.append({
            "budget": budget, "target_macs_m": target, "macs_m": macs, "relative_error": abs(macs - target) / target,
            "supernet_accuracy": record["supernet_accuracy"], "standalone_top1": standalone_top1.get(round(target, 6)),
            "kendall_tau": tau, "architecture": record["architecture"],
        })
    for target, macs, arch in zip(generated["targets_m"], generated["macs_m"], generated["archs"]):
        rows.append({
            "budget": None, "target_macs_m": target, "macs_m": macs, "relative_error": abs(macs - target) / target,
            "supernet_accuracy": None, "standalone_top1": None, "kendall_tau": tau, "architecture": arch,
        })
    return rows


def build_tables(
    plan_name: str,
    seeds: Sequence[int],
    results_dir: str | Path,
    data_dir: str | Path | None = None,
    redundancy_spread: bool = True,
) -> list[Table]:
    """Run (or reuse) the harness and the redundancy study, then Tables B, C and the claims summary.

    The entry point of ``replication/replicate_table.py`` for the measured tables;
    a table whose inputs were not produced is left out (its builder returns None).
    """
    from replication.claims import claims_table
    from replication.proxy_tables import table_b, table_c
    from replication.redundancy import redundancy_study

    run_replication(plan_name, seeds, results_dir, data_dir=data_dir)
    redundancy_study(plan_name, seeds[0], results_dir, spread=redundancy_spread, data_dir=data_dir)
    tables = [table_b(results_dir), table_c(results_dir), claims_table(results_dir)]
    return [table for table in tables if table is not None]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", choices=tuple(PLANS), default="quick", help="scale (default: quick)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds (default: 0)")
    parser.add_argument("--methods", nargs="+", choices=tuple(METHODS), default=list(METHODS))
    parser.add_argument("--results", default="results", help="results folder (default: results)")
    parser.add_argument("--runs", default=None, help="runs folder (default: <results>/runs)")
    parser.add_argument("--data-dir", default=None, help="dataset folder (default: $SGNAS_DATA_DIR)")
    parser.add_argument("--standalone", action=argparse.BooleanOptionalAction, default=None,
                        help="train the found architectures from scratch (default: as the plan says)")
    parser.add_argument("--set", dest="overrides", nargs="*", default=[], metavar="SECTION.FIELD=VALUE",
                        help="config overrides for every run")
    parser.add_argument("--rebuild", action="store_true",
                        help="empty and redo reused runs whose files do not load, instead of stopping")
    args = parser.parse_args(argv)
    try:
        path = run_replication(args.plan, args.seeds, args.results, args.methods, args.overrides,
                               args.standalone, args.data_dir, args.runs, args.rebuild)
    except SgnasError as err:
        print(f"harness: error: {err}", file=sys.stderr)
        return 2
    finally:
        locking.release_all()
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
