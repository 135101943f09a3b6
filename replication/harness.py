"""The replication harness: every method x seed x budget through the library, cached, into one results folder.

For each seed, through :mod:`sgnas.pipeline` (which caches every step in a
:class:`~sgnas._infra.runs.RunDir` keyed by config hash and seed, so a second run of
the harness only reads finished runs):

1. one supernet per training sampler the methods use, shared by every method
   on that sampler: strict fairness (SGNAS, FairNAS, and the searches that need
   "a trained supernet") and uniform single path (SPOS);
2. the SGNAS generator over the strict-fairness supernet, shared by every
   method whose strategy is built from a generator run (the generator itself
   and the prior-only baseline, which answers with the generator's input prior);
3. for each method (:mod:`replication.methods`), one search per budget A/B/C
   (:func:`replication.plans.budget_targets`), a run of kind ``search`` like
   ``sgnas search`` writes, with the supernet-estimated accuracy after BN
   recalibration;
4. optionally, stand-alone training of every architecture found.

The results folder then holds the files of :mod:`replication.results`:
``search.csv`` (Table B), ``cost_vs_n.csv`` (Table C, by
:mod:`replication.cost_for_n`), ``generator_sweep.csv`` (the generator's MACs
over its selection sweep of targets, ``variant`` ``default``, and the MACs of
its prior for the same targets, ``variant`` ``prior-only``), ``supernets.csv``
(whether each supernet learned, :mod:`replication.supernets`) and ``manifest.json`` (its run folders
relative to the results folder, so that a results folder holding its runs can move).

    python replication/harness.py --plan smoke --seeds 0 --results results/smoke
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from replication._inputs import check_seeds  # noqa: E402
from replication.cost_for_n import (  # noqa: E402
    NS,
    OneTimeCost,
    cost_rows,
    evaluation_strategies,
    generator_strategies,
    one_time_cost,
)
from replication.methods import Method, methods, resolve_methods  # noqa: E402
from replication.plans import BUDGET_FRACTIONS, PLANS, Plan, budget_targets, load_plan, overrides_for  # noqa: E402
from replication.results import (  # noqa: E402
    COST_COLUMNS,
    SEARCH_COLUMNS,
    SUPERNET_COLUMNS,
    SWEEP_COLUMNS,
    write_csv,
)
from replication.seed_runs import seed_runs  # noqa: E402
from replication.supernets import supernet_row  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas._infra.runs import RunDir  # noqa: E402
from sgnas.config.schema import Config, apply_overrides  # noqa: E402
from sgnas.registry import SPACES  # noqa: E402

__all__ = ["check_data", "main", "run_replication", "search_rows", "seed_configs"]

#: the ``variant`` of generator_sweep.csv rows that hold the prior-only baseline's MACs
PRIOR_ONLY = "prior-only"


def _needs_generator(method: Method) -> bool:
    """Whether ``method``'s strategy is built from a trained generator run."""
    from sgnas.registry import STRATEGIES

    return bool(getattr(STRATEGIES.get(method.strategy), "needs_generator", False))


def _prior_sweep(generator_run: RunDir, config: Config, targets_m: Sequence[float]) -> list[float]:
    """MACs (millions, the generator's convention) of the generator run's prior for each target."""
    from sgnas.search.generator.strategy import PriorStrategy
    from sgnas.spaces.unified.cost import CostModel

    space = config.space.build()
    cost_model = CostModel(space)
    choices = SPACES.get(config.space.name).choices(space)
    prior = PriorStrategy.load(generator_run.path / "generator.pt", cost_model, choices, config.preset)
    return [cost_model.macs(prior.prior(t), config.generator.convention) / 1e6 for t in targets_m]


def _with_sampler(config: Config, sampler: str) -> Config:
    return apply_overrides(config, [f"supernet.sampler={sampler}"])


def _search(method: Method, runtime: Any, supernet_run: RunDir, generator_run: RunDir | None,
            targets: dict[str, float], runs_dir: Path) -> list[dict[str, Any]]:
    """One search per budget with ``method``'s strategy (a cached run of kind ``search``); its records."""
    from sgnas.pipeline import search

    generator_path = generator_run.path / "generator.pt" if generator_run is not None else None
    run = search(runtime, method.strategy, list(targets.values()), supernet_run.path / "supernet.pt",
                 generator_path, runs_dir)
    return run.results["results"]


def _standalone(runtime: Any, architecture: str, runs_dir: Path) -> float | None:
    from sgnas.pipeline import evaluate_architecture
    from sgnas.spaces.unified.architecture import Architecture

    run = evaluate_architecture(runtime, Architecture.from_string(architecture), runs_dir)
    return run.results.get("test_top1")


def search_rows(method: str, seed: int, budgets: Sequence[str], records: Sequence[dict[str, Any]],
                evaluation_budget: int | None = None) -> list[dict[str, Any]]:
    """Rows of search.csv for one method and seed; evaluation-based searches also get the evaluations they spent
    (distinct architectures, as the strategy recorded them) and the ``evaluation_budget`` they were given."""
    rows = []
    evaluation_based = evaluation_strategies()
    for budget, record in zip(budgets, records):
        counted = record["strategy"] in evaluation_based
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


def _runs_per_seed(chosen: Sequence[Method], evaluate: bool) -> int:
    """Supernets, generators, searches and stand-alone trainings of one seed of :func:`run_replication`."""
    samplers = len({m.sampler for m in chosen})
    generators = len({m.sampler for m in chosen if _needs_generator(m)})
    return samplers + generators + len(chosen) * (1 + len(BUDGET_FRACTIONS) * evaluate)


def seed_configs(plan_name: str, seeds: Sequence[int], overrides: Sequence[str] = ()) -> dict[int, tuple[Plan, Config]]:
    """The plan and resolved config of every seed: the harness's arguments checked, a one-line error for a bad one.

    Called before the results folder is created or locked (here and by the main job before its Table A), so a
    bad plan, seed or override leaves nothing behind.
    """
    return {seed: load_plan(plan_name, overrides, seed) for seed in check_seeds(seeds)}


def check_data(plans: dict[int, tuple[Plan, Config]], data_dir: str | Path | None) -> None:
    """The data folder every seed's config reads, checked (a one-line error) before anything is created."""
    from sgnas.data import resolve_data_root

    for _, config in plans.values():
        resolve_data_root(config.data, data_dir)


def run_replication(
    plan_name: str,
    seeds: Sequence[int],
    results_dir: str | Path,
    method_keys: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    standalone: bool | None = None,
    data_dir: str | Path | None = None,
    runs_dir: str | Path | None = None,
    rebuild: bool = False,
) -> Path:
    """Run every method (default: all declared) for every seed, reusing finished runs; write the results folder.

    The results folder is locked while the harness runs: a second harness on it waits, then reuses the
    runs. ``rebuild`` empties and redoes runs whose files do not load instead of stopping.
    """
    from sgnas.pipeline import prepare, train_generator, train_supernet

    chosen = resolve_methods(method_keys if method_keys is not None else methods())
    plans = seed_configs(plan_name, seeds, overrides_for(False, overrides))
    check_data(plans, data_dir)
    seeds = list(plans)
    first_plan = plans[seeds[0]][0]
    per_seed = _runs_per_seed(chosen, first_plan.standalone if standalone is None else standalone)
    with seed_runs("harness", seeds, results_dir, runs_dir, per_seed) as runs:
        searched_rows: list[dict[str, Any]] = []
        sweep_rows: list[dict[str, Any]] = []
        supernet_rows: list[dict[str, Any]] = []
        costs: list[dict[str, Any]] = []
        configs: dict[str, Any] = {}
        run_paths: dict[str, list[str]] = {"supernet": [], "generator": []}
        for seed in runs:
            plan, config = plans[seed]
            evaluate = plan.standalone if standalone is None else standalone
            targets = budget_targets(config)
            supernets: dict[str, RunDir] = {}
            generators: dict[str, RunDir] = {}
            runtimes: dict[str, Any] = {}
            shared = prepare(config, data_dir, rebuild)  # data decoded once per seed, shared by every sampler's runs
            for sampler in dict.fromkeys(m.sampler for m in chosen):
                sampler_config = _with_sampler(config, sampler)
                runtimes[sampler] = dataclasses.replace(shared, config=sampler_config)
                runs.start(seed, f"{sampler} supernet")
                supernets[sampler] = train_supernet(runtimes[sampler], runs.runs_dir)
                # one resolved config per sampler: the seeds differ only in ``seed`` (listed in the manifest)
                configs[f"{sampler} supernet"] = {k: v for k, v in sampler_config.to_dict().items() if k != "seed"}
                run_paths["supernet"].append(os.path.relpath(supernets[sampler].path, runs.results_dir))
                supernet_rows.append(supernet_row(supernets[sampler].results, sampler, seed,
                                                  supernets[sampler].path.resolve()))
            for sampler in dict.fromkeys(m.sampler for m in chosen if _needs_generator(m)):
                runs.start(seed, "generator")
                generators[sampler] = train_generator(runtimes[sampler], supernets[sampler].path, runs.runs_dir)
                run_paths["generator"].append(os.path.relpath(generators[sampler].path, runs.results_dir))
                generated = generators[sampler].results
                sweep_rows += [{"variant": "default", "seed": seed, "target_macs_m": t, "macs_m": f}
                               for t, f in zip(generated["targets_m"], generated["macs_m"])]
                priors = _prior_sweep(generators[sampler], runtimes[sampler].config, generated["targets_m"])
                sweep_rows += [{"variant": PRIOR_ONLY, "seed": seed, "target_macs_m": t, "macs_m": f}
                               for t, f in zip(generated["targets_m"], priors)]
            for method in chosen:
                runtime = runtimes[method.sampler]
                generator_run = generators.get(method.sampler) if _needs_generator(method) else None
                runs.start(seed, f"{method.key} search")
                records = _search(method, runtime, supernets[method.sampler], generator_run, targets, runs.runs_dir)
                budget = runtime.config.search.budget
                rows = search_rows(method.key, seed, list(targets), records, budget)
                if evaluate:
                    for row in rows:
                        runs.start(seed, f"{method.key} budget {row['budget']} stand-alone training")
                        row["standalone_top1"] = _standalone(runtime, row["architecture"], runs.runs_dir)
                one_time: OneTimeCost | None = None
                if generator_run is not None and method.strategy in generator_strategies():
                    one_time = one_time_cost(generator_run.results, f"generator run {generator_run.path}")
                searched_rows += rows
                costs += cost_rows(method.key, seed, [{**r, "evaluation_budget": budget} for r in records], one_time, NS)
        write_csv(runs.results_dir, "search", searched_rows, SEARCH_COLUMNS)
        write_csv(runs.results_dir, "cost_vs_n", costs, COST_COLUMNS)
        write_csv(runs.results_dir, "supernets", supernet_rows, SUPERNET_COLUMNS)
        if sweep_rows:
            write_csv(runs.results_dir, "generator_sweep", sweep_rows, SWEEP_COLUMNS)
        plan, config = plans[seeds[0]]
        runs.write_manifest("manifest", {
            "plan": plan_name, "preset": plan.preset, "methods": [m.key for m in chosen],
            "method_labels": {m.key: m.label for m in chosen},
            "budgets": budget_targets(config), "convention": config.generator.convention,
            "indicative": plan.indicative, "standalone": plan.standalone if standalone is None else standalone,
            "space": {"name": config.space.name, "resolution": config.space.build().resolution,
                      "width": config.space.width, "num_classes": config.space.build().num_classes},
            "overrides": [*plan.overrides, *overrides], "configs": configs, "runs": run_paths,
        })
    return runs.results_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="harness")
    parser.add_argument("--plan", choices=tuple(PLANS), default="quick", help="scale (default: quick)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds (default: 0)")
    parser.add_argument("--methods", nargs="+", default=None, metavar="METHOD",
                        help=f"methods (default: every declared one: {', '.join(methods())}) or STRATEGY@SAMPLER")
    parser.add_argument("--results", default="results", help="results folder (default: results)")
    parser.add_argument("--runs", default=None, help="runs folder (default: <results>/runs)")
    parser.add_argument("--data-dir", default=None, help="dataset folder (default: $SGNAS_DATA_DIR, else data/ in the user's cache, where CIFAR-10 is downloaded)")
    parser.add_argument("--standalone", action=argparse.BooleanOptionalAction, default=None,
                        help="train the found architectures from scratch (default: as the plan says)")
    parser.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="SECTION.FIELD=VALUE",
                        help="config overrides for every run")
    parser.add_argument("--rebuild", action="store_true",
                        help="empty and redo reused runs whose files do not load, instead of stopping")
    args = parser.parse_args(argv)
    return run_tool("harness", lambda: print(run_replication(
        args.plan, args.seeds, args.results, args.methods, args.overrides, args.standalone, args.data_dir, args.runs,
        args.rebuild)))


if __name__ == "__main__":
    sys.exit(main())
