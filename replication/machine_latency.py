"""Latency on this machine, on the unified space: SGNAS's generator trained on a measured latency table and every
architecture it returns timed end to end.

For one seed at the plan's scale:

1. the plan's space timed on this machine by ``sgnas latency-table``'s code
   (:func:`sgnas.export.latency.latency_table_run`, a cached run per space,
   settings and machine) at :data:`BATCH` images of the plan's input size, one
   thread: a table per layer and kernel, its spread between repeats and its
   error against whole exported models;
2. SGNAS's generator trained by the one generator trainer over the harness's
   strict-fairness supernet of that seed (the same cached run), with the table
   as its cost model: targets in milliseconds over the middle 80% of the table's
   range, the relative hardware loss at lambda 5 (the official squared error in
   millions of MACs has no meaning in ms), the rest the plan's generator settings;
3. a sweep of targets: the generator's find and its prior alone for each, both
   exported to timm and timed end to end on this machine, beside the table's
   estimate.

Results: ``machine_latency.csv`` and ``machine_latency.json`` in the results
folder (:data:`replication.results.FILES`). In the main job the timings share
the machine with the other studies (each on its own core at one thread), so
their spread is stated beside them.

    python -m replication.machine_latency --plan quick --seed 0 --results results/
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from replication.plans import load_plan, overrides_for  # noqa: E402
from replication.results import write_csv, write_json  # noqa: E402
from replication.seed_runs import seed_runs  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas._infra.runs import LIST, OBJECT, RunDir, RunKind, declare_run_kind  # noqa: E402
from sgnas.config.schema import GeneratorConfig, apply_overrides  # noqa: E402
from sgnas.data import resolve_data_root  # noqa: E402

__all__ = ["BATCH", "COLUMNS", "MACHINE_LATENCY_RUN", "latency_generator_config", "machine_latency", "main"]

#: images per timed forward pass: at the proxy's 16x16 a layer then takes 0.2-3 ms, well above the timer's spread
BATCH = 64
#: share of the table's range left out at each end of the generator's targets
MARGIN = 0.1
COLUMNS = ("seed", "method", "target_ms", "estimate_ms", "measured_ms", "measured_iqr_ms", "architecture")

MACHINE_LATENCY_RUN = declare_run_kind(RunKind(
    "machine-latency", required={"sweep": LIST, "generator": OBJECT, "table": OBJECT},
))


def latency_generator_config(config: GeneratorConfig, low: float, high: float) -> GeneratorConfig:
    """``config`` on latency targets (ms) from ``low`` to ``high``: the target grid and the model-selection steps at
    the official run's densities (36 and 18 steps over the range), the relative loss at lambda 5."""
    step = (high - low) / 36
    return dataclasses.replace(config, convention="latency", loss="relative", hw_lambda=5.0, target_low=low,
                               target_high=high, target_step=step, target_jitter=step / 10,
                               select_step=(high - low) / 18)


def _measure(config: Any, data_dir: str | Path | None, runs_dir: Path, rebuild: bool) -> dict[str, Any]:
    """Table, generator and timed sweep of one seed (a cached ``machine-latency`` run over cached upstream runs)."""
    from sgnas.export.latency import latency_table_run, time_architecture
    from sgnas.pipeline import prepare, train_supernet
    from sgnas.registry import SPACES
    from sgnas.search.generator.train import GeneratorTrainer
    from sgnas.spaces.unified.latency import LatencyTableModel
    from sgnas.spaces.unified.supernet.files import load_supernet

    space = config.space.build()
    table_run = latency_table_run(space, runs_dir, threads=1, batch=BATCH, min_seconds=0.05, seed=config.seed)
    table = LatencyTableModel.load(table_run.results["table"], space)
    low, high = table.macs_range()
    settings = latency_generator_config(config.generator, low + MARGIN * (high - low), high - MARGIN * (high - low))
    runtime = prepare(config, data_dir, rebuild)
    supernet_run = train_supernet(runtime, runs_dir)
    # the table's values, not its run's name: a table measured again is a new cost model
    measured = hashlib.sha256(np.array([*table.table.ravel(), table.fixed]).tobytes()).hexdigest()[:16]
    key = {"supernet": supernet_run.path.name, "table": measured, "generator": dataclasses.asdict(settings)}
    run = RunDir.open(runs_dir, "machine-latency", key, config.seed, rebuild)
    if run.finished:
        return run.results
    supernet = load_supernet(supernet_run.path / "supernet.pt", space, config.preset, runtime.device)
    trainer = GeneratorTrainer(
        supernet, table, SPACES.get(config.space.name).choices(space),
        train=runtime.batches("val", settings.batch_size, True),
        select=runtime.batches("val", settings.batch_size, False, augment_eval=settings.select_augmented),
        config=settings, forced_sampling=config.supernet.forced_sampling, preset=config.preset, seed=config.seed)
    trained = trainer.train()
    rows = []
    for target in np.linspace(settings.target_low, settings.target_high, settings.sweep_targets):
        for method, arch in (("sgnas", trainer.generate(float(target))),
                             ("prior-only", trainer.pool.architecture(float(target)))):
            timing = time_architecture(arch, space, threads=1, batch=BATCH, min_seconds=0.25)
            rows.append({"seed": config.seed, "method": method, "target_ms": float(target),
                         "estimate_ms": table.estimate(arch), "measured_ms": timing.median_ms,
                         "measured_iqr_ms": timing.iqr_ms, "architecture": arch.to_string()})
    check = table_run.results
    results = {
        "sweep": rows,
        "generator": {k: trained[k] for k in ("best_epoch", "mean_relative_error", "kendall_tau", "wall_seconds")},
        "table": {"run": str(table_run.path), "settings": check["settings"], "range_ms": check["range_ms"],
                  "median_relative_spread": check["median_relative_spread"],
                  "table_vs_end_to_end": check["table_vs_end_to_end"]},
    }
    run.finish(results)
    return results


def machine_latency(plan_name: str, seed: int, results_dir: str | Path, data_dir: str | Path | None = None,
                    runs_dir: str | Path | None = None, rebuild: bool = False, overrides: Sequence[str] = ()) -> Path:
    """The study for ``seed`` at plan ``plan_name`` with its unified-config ``overrides``; files in ``results_dir``."""
    _, config = load_plan(plan_name, overrides_for(False, overrides), seed)
    config = apply_overrides(config, ["supernet.sampler=strict-fair"])  # the harness's SGNAS supernet
    resolve_data_root(config.data, data_dir)  # a bad data folder, before the results folder
    with seed_runs("machine-latency", [seed], results_dir, runs_dir, 1) as runs:
        for _ in runs:
            runs.start(seed, "latency table, generator and end-to-end timings")
            measured = _measure(config, data_dir, runs.runs_dir, rebuild)
        write_csv(runs.results_dir, "machine_latency", measured["sweep"], COLUMNS)
        write_json(runs.results_dir, "machine_latency_meta", {"plan": plan_name, "seed": seed, "batch": BATCH,
                                                              **{k: measured[k] for k in ("generator", "table")}})
    return runs.results_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="machine_latency")
    parser.add_argument("--plan", default="quick", help="harness plan (default: quick)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", default="results", help="results folder (default: results)")
    parser.add_argument("--runs", default=None, help="runs folder (default: <results>/runs)")
    parser.add_argument("--data-dir", default=None, help="dataset folder (default: $SGNAS_DATA_DIR)")
    parser.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="SECTION.FIELD=VALUE",
                        help="overrides of the plan's unified config")
    parser.add_argument("--rebuild", action="store_true", help="empty and redo runs whose files do not load")
    args = parser.parse_args(argv)
    return run_tool("machine_latency", lambda: print(machine_latency(
        args.plan, args.seed, args.results, args.data_dir, args.runs, args.rebuild, args.overrides)))


if __name__ == "__main__":
    sys.exit(main())
