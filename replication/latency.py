"""The NAS-Bench-201 latency track (Table E): SGNAS and its peers searching under measured latency on real devices.

SGNAS's title promises flexible hardware constraints, and the paper tests FLOPs
only. Here each device of ``nas-bench-201/latency.csv`` (HW-NAS-Bench and HELP
measurements of every cell's network) is a cost model of the cell space
(:mod:`sgnas.spaces.nasbench201.latency`): every method searches under the
device's fitted per-edge, per-op table (the generator's hardware loss, the prior
pool, every baseline's budget check) and every find is judged by the device's
measurement. For each seed and device, at the scale of the plan's NAS-Bench-201
preset:

* SGNAS's generator, trained on the device's latency targets over the seed's
  strict-fairness supernet (the NAS-Bench-201 track's cached run, so the two
  tracks share it), and its prior alone;
* random sampling, random search and evolution on the supernet estimate, within
  the table's limit;
* two references on the truth: the oracle (best true accuracy among the cells
  whose measurement keeps the limit) and random search on true accuracies.

Budgets are three fractions of the device's range (:data:`BUDGET_FRACTIONS`)
and the unconstrained one (no limit; the generator's target there is the range's
top). The device's range runs from its 5th percentile of measured latency (on the phones some cells compute almost nothing and measure
near 0 ms) to its slowest cell, within the table's own range. A sweep of targets
across it records what the generator and the prior return, measured and
estimated. One device and seed is a cached run (kind ``nb201-latency``).
Results: ``nas-bench-201/latency_{search,sweep,fit,pareto}.csv`` and
``latency_manifest.json`` (:data:`replication.results.FILES`).

    python -m replication.latency --plan quick --seeds 0 1 --results results/
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from replication._inputs import check_seeds, distinct  # noqa: E402
from replication.nasbench201 import (  # noqa: E402
    BUDGET_FRACTIONS,
    DATASETS,
    SEARCHES,
    SEED_COUNTS,
    UNCONSTRAINED,
    SeedContext,
    find_cell,
    generator_config,
    seed_context,
    table_key,
    train_generator,
    trained_supernet,
)
from replication.pareto import pareto_front  # noqa: E402
from replication.plans import NB201_PRESETS, PLANS, load_nb201, overrides_for  # noqa: E402
from replication.results import write_csv  # noqa: E402
from replication.seed_runs import seed_runs  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas._infra.errors import SgnasError  # noqa: E402
from sgnas._infra.runs import LIST, OBJECT, RunDir, RunKind, declare_run_kind  # noqa: E402
from sgnas.config.schema import DataConfig  # noqa: E402
from sgnas.data import resolve_data_root  # noqa: E402
from sgnas.search.generator.train import GeneratorTrainer  # noqa: E402
from sgnas.spaces.nasbench201.benchmark import Benchmark, load_benchmark  # noqa: E402
from sgnas.spaces.nasbench201.bounded import CellSpace, cell_space  # noqa: E402
from sgnas.spaces.nasbench201.cell import Cell  # noqa: E402
from sgnas.spaces.nasbench201.latency import (  # noqa: E402
    DEVICE_KINDS,
    LatencyCostModel,
    LatencyTable,
    MeasuredLatency,
    load_latency,
)

__all__ = ["DEVICES", "METHODS", "NB201_LATENCY_RUN", "device_range", "main", "run_latency"]

#: the default devices, one of each kind of hardware the file covers: ASIC, FPGA, phone, single-board CPU, server
#: CPU, GPU (batch 1)
DEVICES: tuple[str, ...] = ("eyeriss", "fpga", "pixel3", "raspi4", "gold_6226", "titan_rtx_1")
#: the share of the fastest cells left below a device's range (3-4% of cells measure near 0 ms on the phones)
RANGE_QUANTILE = 0.05

#: method key -> (label, algorithm); every supernet search is on the strict-fairness supernet
METHODS: dict[str, tuple[str, str]] = {
    "sgnas": ("SGNAS (generator)", "generator"),
    "prior-only": ("Prior only", "prior"),
    "random-sampling": ("Random sampling", "random"),
    "random-search": ("Random search (strict-fair supernet)", "random-search"),
    "fairnas-evolution": ("FairNAS + evolution", "evolution"),
    "random-search-true": ("Random search on true accuracy (reference)", "true-random-search"),
    "oracle": ("Oracle (reference)", "oracle"),
}
SEARCH_COLUMNS = (
    "device", "method", "seed", "budget", "limit_ms", "architecture", "index", "latency_ms", "estimate_ms",
    "estimate_error", "constraint_error", "within_budget", *DATASETS, "oracle_cifar10", "regret", "supernet_accuracy",
    "evaluations", "search_seconds", "one_time_seconds",
)
SWEEP_COLUMNS = ("device", "seed", "method", "target_ms", "latency_ms", "estimate_ms", "generate_ms")
FIT_COLUMNS = ("device", "kind", "r2", "mae_ms", "median_relative_error", "mean_ms", "base_ms")
PARETO_COLUMNS = ("device", "index", "latency_ms", "cifar10")


def device_range(model: LatencyCostModel, measured: np.ndarray) -> tuple[float, float]:
    """The latencies (ms) a device's searches span: its measured 5th percentile to its slowest cell, within the
    table's range (the generator trains on targets the table can express)."""
    low, high = model.macs_range()
    return max(low, float(np.quantile(measured, RANGE_QUANTILE))), min(high, float(measured.max()))


def budget_limits(span: tuple[float, float]) -> dict[str, float]:
    """Label -> latency limit (ms): the fractions of the device's range, and unconstrained (no limit: a cell
    above the range's top is still within it)."""
    low, high = span
    return {**{label: low + fraction * (high - low) for label, fraction in BUDGET_FRACTIONS.items()},
            UNCONSTRAINED: float("inf")}


#: one device and seed of the latency track
NB201_LATENCY_RUN = declare_run_kind(RunKind(
    "nb201-latency", required={"search": LIST, "sweep": LIST, "generator": OBJECT},
))


class _Device:
    """One device's side of a seed: its cost model, its measured cells and its limits."""

    def __init__(self, table: LatencyTable, benchmark: Benchmark, device: str) -> None:
        self.name = device
        self.model = table.cost_model(device, benchmark.cost_model.macro)
        measured = table.measured(device)
        self.span = device_range(self.model, measured)
        self.limits = budget_limits(self.span)
        self.space = CellSpace(self.model)
        self.truth_space = CellSpace(MeasuredLatency(self.model))
        accuracy = benchmark.frame["cifar10"].to_numpy()
        self.index = {cell: benchmark.index_of(cell) for cell in table.cells}
        self.measured_of = dict(zip(table.cells, measured.tolist()))
        self.oracles = {}
        for budget, limit in self.limits.items():
            within = np.flatnonzero(measured <= limit)
            best = within[np.argmax(accuracy[[self.index[table.cells[i]] for i in within]])]
            self.oracles[budget] = table.cells[int(best)]


def _written(limit: float) -> float | None:
    """A limit as results and run keys write it: no limit (unconstrained) as none, as a cached run's JSON would give
    it back, never as infinity."""
    return limit if np.isfinite(limit) else None


def _row(context: SeedContext, device: _Device, method: str, budget: str, cell: Cell, fitness: float | None,
         evaluations: int, seconds: float, one_time: float | None) -> dict[str, Any]:
    """A row of latency_search.csv: the find's measurement, the table's estimate, its true accuracies, its regret."""
    frame, limit = context.benchmark.frame, device.limits[budget]
    index = device.index[cell]
    measured, estimate = device.measured_of[cell], device.model.estimate(cell)
    oracle = float(frame.at[device.index[device.oracles[budget]], "cifar10"])
    accuracy = float(frame.at[index, "cifar10"])
    return {
        "device": device.name, "method": method, "seed": context.seed, "budget": budget,
        "limit_ms": _written(limit),
        "architecture": cell.to_string(), "index": index, "latency_ms": measured, "estimate_ms": estimate,
        "estimate_error": (estimate - measured) / measured if measured > 0 else None,
        "constraint_error": (measured - limit) / limit if np.isfinite(limit) else None,
        "within_budget": bool(measured <= limit),
        **{dataset: float(frame.at[index, dataset]) for dataset in DATASETS},
        "oracle_cifar10": oracle, "regret": oracle - accuracy, "supernet_accuracy": fitness,
        "evaluations": evaluations, "search_seconds": seconds, "one_time_seconds": one_time,
    }


def _searches(context: SeedContext, device: _Device, supernet: Any, generator: GeneratorTrainer,
              generator_seconds: float) -> list[dict[str, Any]]:
    """Every method of :data:`METHODS` for every budget of ``device``; each supernet search on a fresh evaluator
    cache, so that its seconds are its own."""
    budget_size = context.plan.search_budget
    accuracy = context.benchmark.frame["cifar10"].to_numpy()
    truth = {cell: float(accuracy[i]) for cell, i in device.index.items()}
    rows = []
    for b, (budget, limit) in enumerate(device.limits.items()):
        cells = device.space.within(limit)
        for m, (method, (_, algorithm)) in enumerate(METHODS.items()):
            rng = np.random.default_rng([context.seed, b, m])
            start = time.perf_counter()
            target = min(limit, device.span[1])  # the generator's target: the limit, or the range's top
            if algorithm == "oracle":
                cell, score, evaluations = device.oracles[budget], None, len(device.truth_space.feasible(limit))
            elif algorithm == "true-random-search":  # a reference: the measured latency and the table's accuracy
                cell, _, evaluations = find_cell(algorithm, target, device.truth_space.within(limit),
                                                 truth.__getitem__, budget_size, rng, generator)
                score = None
            else:
                fitness = context.evaluator(supernet).accuracy if algorithm in SEARCHES else None
                cell, score, evaluations = find_cell(algorithm, target, cells, fitness, budget_size, rng, generator)
            one_time = generator_seconds if algorithm == "generator" else None
            rows.append(_row(context, device, method, budget, cell, score, evaluations,
                             time.perf_counter() - start, one_time))
    return rows


def _sweep(context: SeedContext, device: _Device, generator: GeneratorTrainer) -> list[dict[str, Any]]:
    """What the generator (one forward pass per target) and its prior return over targets across the range."""
    low, high = device.span
    rows = []
    for target in np.linspace(low + (high - low) * 0.05, high, context.plan.sweep_targets):
        for method, make in (("sgnas", generator.generate), ("prior-only", generator.pool.architecture)):
            start = time.perf_counter()
            cell = make(float(target))
            seconds = time.perf_counter() - start
            rows.append({"device": device.name, "seed": context.seed, "method": method, "target_ms": float(target),
                         "latency_ms": device.measured_of[cell], "estimate_ms": device.model.estimate(cell),
                         "generate_ms": 1000 * seconds})
    return rows


def _measure(context: SeedContext, table: LatencyTable, device: _Device, rebuild: bool) -> dict[str, Any]:
    """Generator, searches and sweep of one device and seed (a cached ``nb201-latency`` run)."""
    plan = context.plan
    settings = generator_config(plan, *device.span, convention="latency")
    key = {"plan": {k: v for k, v in dataclasses.asdict(plan).items() if k not in SEED_COUNTS},
           "device": device.name, "latency": _latency_key(table, device.name), "table": table_key(context.benchmark),
           "generator": dataclasses.asdict(settings), "methods": list(METHODS),
           "limits": {k: _written(v) for k, v in device.limits.items()}}
    run = RunDir.open(context.runs_dir, "nb201-latency", key, context.seed, rebuild)
    if run.finished:
        return run.results
    supernet, _ = trained_supernet(context, "nb201-strict-fair", rebuild)
    generator, trained = train_generator(context, supernet, settings, device.model)
    results = {
        "search": _searches(context, device, supernet, generator, trained["wall_seconds"]),
        "sweep": _sweep(context, device, generator),
        "generator": {"device": device.name, **trained},
    }
    run.finish(results)
    return results


def _latency_key(table: LatencyTable, device: str) -> dict[str, Any]:
    """What identifies a device's measurements: the file's name and a digest of the device's column."""
    return {"source": Path(table.source).name, "sum": float(np.round(table.measured(device).sum(), 6))}


def _fits(table: LatencyTable) -> list[dict[str, Any]]:
    """The additive table's fit on every device of the file."""
    rows = []
    for device in table.devices:
        fit = table.fit(device).to_json()
        rows.append({k: fit[k] for k in FIT_COLUMNS})
    return rows


def _fronts(table: LatencyTable, benchmark: Benchmark, devices: Sequence[str]) -> list[dict[str, Any]]:
    """Each device's Pareto front of measured latency against true CIFAR-10 accuracy, over every cell."""
    index = np.array([benchmark.index_of(cell) for cell in table.cells])
    accuracy = benchmark.frame["cifar10"].to_numpy()[index]
    rows = []
    for device in devices:
        latency = table.measured(device)
        rows += [{"device": device, "index": int(index[i]), "latency_ms": float(latency[i]),
                  "cifar10": float(accuracy[i])} for i in pareto_front(latency, accuracy)]
    return rows


def run_latency(
    plan_name: str,
    seeds: Sequence[int] | None,
    results_dir: str | Path,
    data_dir: str | Path | None = None,
    table: str | Path | None = None,
    latency: str | Path | None = None,
    devices: Sequence[str] | None = None,
    runs_dir: str | Path | None = None,
    rebuild: bool = False,
    overrides: Sequence[str] = (),
) -> Path:
    """The track for every seed (None: the preset's ``latency_seeds``) and device (None: :data:`DEVICES`) at the
    NAS-Bench-201 preset of plan ``plan_name``, reusing finished runs; its files in ``results_dir``. The latency
    file is read and checked (devices included) before anything trains."""
    plan = load_nb201(plan_name, overrides_for(True, overrides))
    if plan is None:
        raise SgnasError(f"plan {plan_name} has no NAS-Bench-201 track; choose one of "
                         f"{', '.join(name for name, p in PLANS.items() if p.nb201 is not None)}")
    seeds = check_seeds(seeds if seeds is not None else range(plan.latency_seeds))
    measurements = load_latency(data_dir, latency)
    devices = [measurements.check_device(d) for d in distinct(devices or DEVICES, "device")]
    benchmark = load_benchmark(data_dir, table)
    resolve_data_root(DataConfig(dataset=plan.dataset), data_dir)
    threads = torch.get_num_threads()
    if plan.threads > 0:
        torch.set_num_threads(plan.threads)
    try:
        sides = {device: _Device(measurements, benchmark, device) for device in devices}
        collected: dict[str, list[dict[str, Any]]] = {"search": [], "sweep": []}
        generators = []
        with seed_runs("latency", seeds, results_dir, runs_dir, len(devices)) as runs:
            for seed in runs:
                context = seed_context(plan, benchmark, cell_space(benchmark.cost_model.macro), seed, runs.runs_dir,
                                       data_dir)
                for device in devices:
                    runs.start(seed, f"latency on {device}")
                    measured = _measure(context, measurements, sides[device], rebuild)
                    collected["search"] += measured["search"]
                    collected["sweep"] += measured["sweep"]
                    generators.append({"seed": seed, **measured["generator"]})
            write_csv(runs.results_dir, "latency_search", collected["search"], SEARCH_COLUMNS)
            write_csv(runs.results_dir, "latency_sweep", collected["sweep"], SWEEP_COLUMNS)
            write_csv(runs.results_dir, "latency_fit", _fits(measurements), FIT_COLUMNS)
            write_csv(runs.results_dir, "latency_pareto", _fronts(measurements, benchmark, devices), PARETO_COLUMNS)
            runs.write_manifest("latency_manifest", {
                "plan": plan_name, "preset": plan.name, "overrides": list(overrides), "indicative": plan.indicative,
                "description": plan.describe(), "devices": {d: DEVICE_KINDS.get(d, "other") for d in devices},
                "ranges_ms": {d: list(sides[d].span) for d in devices},
                "limits_ms": {d: {k: _written(v) for k, v in sides[d].limits.items()}
                              for d in devices},
                "methods": {key: label for key, (label, _) in METHODS.items()},
                "latency": measurements.source, "table": benchmark.source, "generators": generators,
            })
    finally:
        torch.set_num_threads(threads)
    return runs.results_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="latency")
    parser.add_argument("--plan", choices=tuple(name for name, plan in PLANS.items() if plan.nb201 is not None),
                        default="quick", help="scale: the NAS-Bench-201 preset of this plan (default: quick)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="seeds (default: the preset's, 0 to nb201.latency_seeds - 1: "
                             f"{NB201_PRESETS['quick'].latency_seeds} for quick)")
    parser.add_argument("--devices", nargs="+", default=None, metavar="DEVICE",
                        help=f"columns of latency.csv (default: {' '.join(DEVICES)})")
    parser.add_argument("--results", default="results", help="results folder (default: results)")
    parser.add_argument("--runs", default=None, help="runs folder (default: <results>/runs)")
    parser.add_argument("--data-dir", default=None,
                        help="data folder with cifar10-jpeg/ and nas-bench-201/ (default: $SGNAS_DATA_DIR)")
    parser.add_argument("--table", default=None, help="the NAS-Bench-201 accuracy table, when not in the data folder")
    parser.add_argument("--latency", default=None, help="the latency table, when not in the data folder")
    parser.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="nb201.FIELD=VALUE",
                        help="overrides of the plan's NAS-Bench-201 preset (e.g. nb201.generator_epochs=8)")
    parser.add_argument("--rebuild", action="store_true", help="empty and redo runs whose files do not load")
    args = parser.parse_args(argv)
    return run_tool("latency", lambda: print(run_latency(
        args.plan, args.seeds, args.results, args.data_dir, args.table, args.latency, args.devices, args.runs,
        args.rebuild, args.overrides)))


if __name__ == "__main__":
    sys.exit(main())
