"""The NAS-Bench-201 ground-truth track: supernet ranking quality and searches per FLOPs budget, against the table.

For each seed, at the scale of an :class:`NB201Preset`:

1. one weight-sharing supernet per sampler (``nb201-uniform``: SPOS / RSPS;
   ``nb201-strict-fair``: FairNAS / SGNAS; ``nb201-unique``: uniform over the
   6,466 isomorphism classes, the cell space's forced sampling) trained on CIFAR-10 from the data
   folder by the one supernet trainer of every space
   (:class:`sgnas.training.supernet.SupernetTrainer`, the benchmark's protocol:
   :func:`supernet_config`), each a cached :class:`~sgnas._infra.runs.RunDir`
   (kind ``nb201-supernet``, keyed by config hash and seed, resumable at epoch
   boundaries), with its validation cells' top-1 beside chance (did it learn);
2. **ranking quality**: the supernet-estimated accuracy (the plan's BN setting;
   with ``running``, recalibrated per cell) of a fixed sample of cells
   stratified over MACs against the table's CIFAR-10 accuracy: Kendall tau,
   Spearman rho and the precision of the top 10%, per sampler;
3. **searches per budget** (three MACs limits over the space's range and the
   unconstrained one): SGNAS's generator (6 x 5 output map) and prior-only,
   random sampling, random search and evolution on the supernet estimate (the
   baselines' own functions, :mod:`baselines.random_search` and
   :mod:`baselines.evolution`, on the cells within the limit), and
   two references from the table: the oracle (best true accuracy within the
   limit) and random search on the true accuracies with the same evaluations.
   Every found cell's accuracies are the table's values for its string.

The generator is the one generator trainer of every space
(:class:`sgnas.search.generator.train.GeneratorTrainer`) on the cell's choice
structure, with the settings of :func:`generator_config`: it trains on the
supernet's training batches (the quick plan holds out too few images for a
split of its own), draws its targets from the official shuffled grid over the
benchmark's MACs range, and keeps the epoch its model selection chooses (the
plan's ``generator_selection``, the unified ``generator.selection`` rule, on
the held-out images of the supernet estimate). Steps 2-3 of one seed are one cached run of kind ``nb201-measure``. Results:
``nas-bench-201/{search,ranking,estimates,generator_sweep}.csv`` and
``manifest.json`` in the results folder (:data:`replication.results.FILES`).
All MACs are those of the benchmark's own network (C = 16, N = 5, 32x32,
``nb201`` convention), whatever proxy network the plan trains.

    python replication/nasbench201.py --plan smoke --seeds 0 --results results/
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from baselines.evolution import evolve  # noqa: E402
from baselines.random_search import random_sampling, random_search  # noqa: E402
from replication._inputs import check_seeds, distinct  # noqa: E402
from replication.plans import NB201_PRESETS, PLANS, RANKING_STRATA, NB201Preset, load_nb201, overrides_for  # noqa: E402
from replication.results import write_csv  # noqa: E402
from replication.seed_runs import seed_runs  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas._infra.errors import SgnasError  # noqa: E402
from sgnas._infra.runs import COUNT, LIST, OBJECT, RunDir, RunKind, declare_run_kind, number  # noqa: E402
from sgnas.config.schema import DataConfig, GeneratorConfig, SupernetConfig  # noqa: E402
from sgnas.data import DataSplits, first_batches, load_splits, make_batches, resolve_data_root  # noqa: E402
from sgnas.registry import SPACES  # noqa: E402
from sgnas.search.generator.train import GeneratorTrainer  # noqa: E402
from sgnas.spaces.nasbench201.benchmark import DATA_ENV, RELATIVE_PATH, Benchmark, load_benchmark  # noqa: E402
from sgnas.spaces.nasbench201.bounded import CellSpace, cell_space  # noqa: E402
from sgnas.spaces.nasbench201.cell import Cell, representative  # noqa: E402
from sgnas.spaces.nasbench201.choices import CellChoices  # noqa: E402
from sgnas.spaces.nasbench201.macro import MacroSpec  # noqa: E402
from sgnas.spaces.nasbench201.samplers import build_cell_sampler  # noqa: E402
from sgnas.spaces.nasbench201.space import FAMILY  # noqa: E402
from sgnas.spaces.nasbench201.supernet import NB201Supernet  # noqa: E402
from sgnas.supernet.evaluator import SupernetEvaluator  # noqa: E402
from sgnas.supernet.ranking import kendall_tau, spearman_rho  # noqa: E402
from sgnas.training.checkpoint import load_error, seed_all  # noqa: E402
from sgnas.training.supernet import VALIDATION_SUMMARY, SupernetTrainer  # noqa: E402

__all__ = [
    "BUDGET_FRACTIONS", "METHODS", "NB201_MEASURE_RUN", "NB201_SUPERNET_RUN", "RANKING_SEED", "SAMPLERS_201", "SeedContext",
    "budget_limits", "find_cell", "generator_config", "main", "ranking_sample", "run_nasbench201", "seed_context", "table_key",
    "table_path", "train_generator", "trained_supernet",
]

#: the evaluation-based searches of the tracks' methods (random search on the table's accuracies is a reference)
SEARCHES: dict[str, Callable[..., Any]] = {"random-search": random_search, "true-random-search": random_search,
                                           "evolution": evolve}
#: the samplers whose supernets are compared (registry names, family nas-bench-201): uniform, strict fairness, and
#: uniform over isomorphism classes (the cell space's forced sampling)
SAMPLERS_201: tuple[str, ...] = ("nb201-uniform", "nb201-strict-fair", "nb201-unique")
#: samplers that trained one cell per isomorphism class: their supernets estimate each cell on its class's
#: representative, the only member they trained
ON_REPRESENTATIVES: frozenset[str] = frozenset({"nb201-unique"})
#: MACs limits as fractions of the space's range (low, middle, high), beside the unconstrained search
BUDGET_FRACTIONS: dict[str, float] = {"low": 0.25, "mid": 0.5, "high": 0.75}
UNCONSTRAINED = "unconstrained"
#: the ranking sample is the same for every seed and sampler, so their taus are over the same cells
RANKING_SEED = 0
DATASETS = ("cifar10", "cifar100", "imagenet16-120")

#: method key -> (label, supernet sampler or None, algorithm); references use the table, not a supernet
METHODS: dict[str, tuple[str, str | None, str]] = {
    "sgnas": ("SGNAS (generator)", "nb201-strict-fair", "generator"),
    "prior-only": ("Prior only", None, "prior"),
    "random-sampling": ("Random sampling", None, "random"),
    "random-search": ("Random search (strict-fair supernet)", "nb201-strict-fair", "random-search"),
    "fairnas-evolution": ("FairNAS + evolution", "nb201-strict-fair", "evolution"),
    "rsps": ("RSPS (uniform supernet, random search)", "nb201-uniform", "random-search"),
    "rsps-unique": ("Random search (one cell per class supernet)", "nb201-unique", "random-search"),
    "spos-evolution": ("SPOS + evolution", "nb201-uniform", "evolution"),
    "random-search-true": ("Random search on true accuracy (reference)", None, "true-random-search"),
    "oracle": ("Oracle (reference)", None, "oracle"),
}

SEARCH_COLUMNS = (
    "method", "seed", "budget", "limit_macs_m", "architecture", "index", "macs_m", "constraint_error",
    "within_budget", "cifar10", "cifar100", "imagenet16-120", "oracle_cifar10", "regret", "supernet_accuracy",
    "evaluations", "forward_passes", "search_seconds", "one_time_seconds",
)
RANKING_COLUMNS = ("seed", "sampler", "bn", "cells", "kendall_tau", "spearman_rho", "top10_precision",
                   "mean_estimate", "supernet_seconds", "ranking_seconds")
ESTIMATE_COLUMNS = ("seed", "sampler", "index", "macs_m", "estimate", "cifar10")
SWEEP_COLUMNS = ("seed", "target_macs_m", "macs_m", "best_error")


def budget_limits(benchmark: Benchmark, limits_m: Sequence[float] | None = None) -> dict[str, float]:
    """Label -> MACs limit: the plan's three fractions of the range (or ``limits_m``, millions) and unconstrained.

    A limit outside the space's MACs range (in the benchmark's convention), or given twice, is an error.
    """
    low, high = (float(m) for m in benchmark.cost_model.macs_range())
    if limits_m is None:
        limits = {label: low + fraction * (high - low) for label, fraction in BUDGET_FRACTIONS.items()}
    else:
        limits = {}
        for value in distinct(limits_m, "budget"):  # a budget twice would search and count its rows twice
            if not low <= value * 1e6 <= high:
                raise SgnasError(f"budget {value:g}M is outside the NAS-Bench-201 MACs range "
                                 f"{low / 1e6:.3f}-{high / 1e6:.3f}M")
            limits[f"{value:g}M"] = value * 1e6
    return {**limits, UNCONSTRAINED: high}


def ranking_sample(benchmark: Benchmark, size: int) -> list[int]:
    """Benchmark indices of ``size`` cells stratified over MACs: equal draws from ten equal-count MACs strata."""
    if size < RANKING_STRATA:
        raise SgnasError(f"a ranking sample needs at least {RANKING_STRATA} cells, got {size}")
    order = np.argsort(benchmark.frame["macs"].to_numpy(), kind="stable")
    rng = np.random.default_rng(RANKING_SEED)
    picks = []
    for stratum, indices in enumerate(np.array_split(order, RANKING_STRATA)):
        take = size // RANKING_STRATA + (stratum < size % RANKING_STRATA)
        picks.extend(int(i) for i in rng.choice(indices, size=take, replace=False))
    return sorted(picks)


def top_precision(estimates: Sequence[float], truth: Sequence[float], fraction: float = 0.1) -> float:
    """Of the top ``fraction`` by estimate, the share that is in the top ``fraction`` by truth."""
    k = max(1, int(round(fraction * len(truth))))
    by_estimate = set(np.argsort(-np.asarray(estimates), kind="stable")[:k].tolist())
    by_truth = set(np.argsort(-np.asarray(truth), kind="stable")[:k].tolist())
    return len(by_estimate & by_truth) / k


# --- one seed ---------------------------------------------------------------------------------------------
@dataclass
class SeedContext:
    """What one seed's measurements share: plan, table, cells, data, devices."""

    plan: NB201Preset
    benchmark: Benchmark
    space: CellSpace
    splits: DataSplits
    seed: int
    runs_dir: Path
    device: torch.device

    @property
    def macro(self) -> MacroSpec:
        return MacroSpec(channels=self.plan.channels, cells_per_stage=self.plan.cells_per_stage,
                         num_classes=len(self.splits.classes), resolution=self.plan.resolution)

    def train_batches(self) -> Any:
        return make_batches(self.splits, "train", self.plan.batch_size, True, self.seed, self.device)

    def val_batches(self) -> Any:
        return make_batches(self.splits, "val", self.plan.eval_batch_size, False, self.seed, self.device)

    def evaluator(self, supernet: NB201Supernet) -> SupernetEvaluator:
        plan = self.plan
        val = list(self.val_batches().epoch(0))
        calib = list(self.train_batches().epoch(0))[: plan.calib_batches] if plan.bn == "running" else None
        return SupernetEvaluator(supernet, self.benchmark.cost_model, val[: plan.val_batches], calib,
                                 plan.calib_batches if plan.bn == "running" else 0)


def seed_context(plan: NB201Preset, benchmark: Benchmark, space: CellSpace, seed: int, runs_dir: Path,
                 data_dir: str | Path | None) -> SeedContext:
    """One seed's context: the plan's data splits for ``seed`` (CPU)."""
    data = DataConfig(dataset=plan.dataset, val_per_class=plan.val_per_class, train_per_class=plan.train_per_class,
                      test_per_class=1, image_size=plan.resolution)
    splits = load_splits(data, plan.resolution, seed, data_dir)
    return SeedContext(plan, benchmark, space, splits, seed, runs_dir, torch.device("cpu"))


def estimator(evaluator: SupernetEvaluator, sampler: str) -> Any:
    """The supernet estimate of a cell by the supernet ``sampler`` trained: on the cell itself, or on its class's
    representative where the sampler trained one cell per class."""
    if sampler in ON_REPRESENTATIVES:
        return lambda cell: evaluator.accuracy(representative(cell))
    return evaluator.accuracy


def _check_state_dict(path: Path, payload: Any, run: RunDir) -> None:
    """supernet.pt of an ``nb201-supernet`` run: a plain state dict of tensors (not a training checkpoint); whether
    its keys fit the plan's network is checked where the network is built (:func:`_supernet`)."""
    if not isinstance(payload, dict) or not payload or not all(isinstance(v, torch.Tensor) for v in payload.values()):
        held = sorted(payload)[:4] if isinstance(payload, dict) else type(payload).__name__
        raise SgnasError(f"{path} is not a state dict of tensors (it holds {held})")


#: a NAS-Bench-201 supernet run: the training summary (with its validation: did it learn) and the trained weights
NB201_SUPERNET_RUN = declare_run_kind(RunKind(
    "nb201-supernet", required={"wall_seconds": number(0), "steps": COUNT, "validation": VALIDATION_SUMMARY},
    files={"supernet": _check_state_dict}, logs=True,
))

#: cells validated after every supernet epoch (seeded random cells), for the "did it learn" check
VALIDATION_CELLS = 4


def supernet_config(plan: NB201Preset, sampler: str) -> SupernetConfig:
    """The benchmark's weight-sharing protocol at the preset's scale, for the one supernet trainer of every space:
    Nesterov SGD (momentum 0.9, weight decay 5e-4), cosine to zero without warm-up, no label smoothing, the
    gradients of a step's paths averaged and clipped at norm 5; checkpoints at epoch ends."""
    return SupernetConfig(
        sampler=sampler, forced_sampling=False, epochs=plan.epochs, batch_size=plan.batch_size, lr=plan.lr,
        momentum=0.9, weight_decay=5e-4, nesterov=True, label_smoothing=0.0, checkpoint_every=0,
        val_archs=VALIDATION_CELLS, val_batches=plan.val_batches, calib_batches=max(1, plan.calib_batches),
        grad_clip=5.0, path_gradients="mean",
    )


def trained_supernet(context: SeedContext, sampler_name: str, rebuild: bool) -> tuple[NB201Supernet, float]:
    """The trained supernet of one sampler (cached run), in eval mode (it is only measured from here on); and its
    training wall seconds."""
    plan = context.plan
    seed_all(context.seed)
    supernet = NB201Supernet(context.macro, bn=plan.bn).to(context.device)  # type: ignore[arg-type]
    key = {**plan.supernet_key(sampler_name), "validation_cells": VALIDATION_CELLS}
    run = RunDir.open(context.runs_dir, "nb201-supernet", key, context.seed, rebuild)
    weights = run.path / "supernet.pt"
    if run.finished:
        try:
            supernet.load_state_dict(torch.load(weights, map_location=context.device, weights_only=True))
        except RuntimeError as err:
            raise SgnasError(f"run {run.path}: supernet.pt does not fit the plan's network ({load_error(err)}); "
                             f"rerun with --rebuild or delete the run folder {run.path}") from None
        return supernet.eval(), float(run.results["wall_seconds"])
    rng = np.random.default_rng(context.seed)
    entry = SPACES.get(FAMILY)
    trainer = SupernetTrainer(
        supernet, build_cell_sampler(sampler_name, context.seed), context.train_batches(), context.val_batches(),
        context.train_batches(), supernet_config(plan, sampler_name), plan.name, context.seed, context.macro,
        context.benchmark.cost_model, [entry.random(rng, context.macro) for _ in range(VALIDATION_CELLS)], run,
        lr_key="nb201.lr")
    if run.checkpoint_path.exists():
        trainer.resume(run.checkpoint_path)
    summary = trainer.train()
    assert summary is not None  # trained to the end
    torch.save(supernet.state_dict(), weights)
    run.finish({**summary, "supernet": str(weights)})
    return supernet.eval(), float(summary["wall_seconds"])


def _entry(context: SeedContext, method: str, budget: str, limit: float, cell: Cell, fitness: float | None,
           evaluations: int, forward_passes: int, seconds: float, one_time: float | None) -> dict[str, Any]:
    """A row of search.csv: the found cell's true accuracies (the table's, for its string) and its regret."""
    index = context.benchmark.index_of(cell)
    row = context.benchmark.frame.loc[index]
    oracle = context.benchmark.oracle(limit).accuracy
    macs = int(row["macs"])
    return {
        "method": method, "seed": context.seed, "budget": budget, "limit_macs_m": limit / 1e6,
        "architecture": cell.to_string(), "index": index, "macs_m": macs / 1e6,
        "constraint_error": (macs - limit) / limit, "within_budget": bool(macs <= limit),
        **{dataset: float(row[dataset]) for dataset in DATASETS},
        "oracle_cifar10": oracle, "regret": oracle - float(row["cifar10"]), "supernet_accuracy": fitness,
        "evaluations": evaluations, "forward_passes": forward_passes, "search_seconds": seconds,
        "one_time_seconds": one_time,
    }


def _searches(context: SeedContext, supernets: dict[str, NB201Supernet], generator: GeneratorTrainer, generator_seconds: float,
              limits: dict[str, float]) -> list[dict[str, Any]]:
    """Every method of :data:`METHODS` for every budget; each supernet search on a fresh evaluator cache.

    Random sampling, random search and evolution are the baselines' own
    algorithms (:mod:`baselines.random_search`, :mod:`baselines.evolution`) on
    the cells within the limit, the space entry's
    :meth:`~sgnas.spaces.protocol.SpaceEntry.within`.
    """
    plan, benchmark = context.plan, context.benchmark
    rows = []
    truth = {cell: float(acc) for cell, acc in zip(benchmark.cells, benchmark.frame["cifar10"])}
    for b, (budget, limit) in enumerate(limits.items()):
        cells = SPACES.get(FAMILY).within(benchmark.cost_model, limit)
        for m, (method, (_, sampler, algorithm)) in enumerate(METHODS.items()):
            rng = np.random.default_rng([context.seed, b, m])
            evaluator = context.evaluator(supernets[sampler]) if sampler is not None else None
            fitness = estimator(evaluator, sampler) if evaluator is not None and sampler is not None else None
            start = time.perf_counter()
            if algorithm == "oracle":
                cell, score, evaluations = benchmark.oracle(limit).cell, None, len(cells.cells)
            else:
                cell, score, evaluations = find_cell(algorithm, limit / 1e6, cells, fitness or truth.__getitem__,
                                                     plan.search_budget, rng, generator)
                score = score if fitness else None  # a search on the table's accuracies is a reference, not a fitness
            one_time = generator_seconds if algorithm == "generator" else None
            seconds = time.perf_counter() - start
            passes = evaluator.forward_passes if evaluator is not None else 0
            rows.append(_entry(context, method, budget, limit, cell, score, evaluations, passes, seconds, one_time))
    return rows


def find_cell(algorithm: str, target: float, cells: CellSpace, fitness: Callable[[Cell], float] | None,
              budget: int, rng: np.random.Generator, generator: GeneratorTrainer) -> tuple[Cell, float | None, int]:
    """One method's cell under one limit, whatever the cost the tracks constrain (MACs or a device's latency): the
    generator or its prior at ``target``, a random cell of ``cells``, or random search or evolution over ``cells``
    by ``fitness`` (the searches need one) within ``budget`` evaluations; with the search's best fitness and its
    evaluations."""
    if algorithm == "generator":
        return generator.generate(target), None, 0
    if algorithm == "prior":
        return generator.pool.architecture(target), None, 0
    if algorithm == "random":
        return random_sampling(cells, rng), None, 0
    if algorithm not in SEARCHES or fitness is None:
        raise SgnasError(f"unknown search algorithm {algorithm!r}, or a search without a fitness")
    found = SEARCHES[algorithm](cells, fitness, budget, rng)
    return found.best, found.fitness, found.evaluations


def _ranking(context: SeedContext, sampler: str, supernet: NB201Supernet, seconds: float,
             sample: list[int]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    benchmark = context.benchmark
    estimate = estimator(context.evaluator(supernet), sampler)
    start = time.perf_counter()
    estimates = [estimate(benchmark.cell(i)) for i in sample]
    truth = benchmark.frame.loc[sample, "cifar10"].to_numpy()
    summary = {
        "seed": context.seed, "sampler": sampler, "bn": context.plan.bn, "cells": len(sample),
        "kendall_tau": kendall_tau(estimates, truth), "spearman_rho": spearman_rho(estimates, truth),
        "top10_precision": top_precision(estimates, truth), "mean_estimate": float(np.mean(estimates)),
        "supernet_seconds": seconds, "ranking_seconds": time.perf_counter() - start,
    }
    cells = [{"seed": context.seed, "sampler": sampler, "index": i, "macs_m": benchmark.frame.at[i, "macs"] / 1e6,
              "estimate": e, "cifar10": float(t)} for i, e, t in zip(sample, estimates, truth)]
    return summary, cells


def _sweep(context: SeedContext, generator: GeneratorTrainer) -> list[dict[str, Any]]:
    """Generated MACs over targets across the range, beside the least error any cell achieves at each target."""
    low, high = (float(m) for m in context.benchmark.cost_model.macs_range())
    rows = []
    for target in np.linspace(low + (high - low) * 0.05, high, context.plan.sweep_targets):
        macs = context.space.cost_of(generator.generate(float(target) / 1e6))
        best = float(np.abs(context.space.costs - target).min() / target)
        rows.append({"seed": context.seed, "target_macs_m": target / 1e6, "macs_m": macs / 1e6, "best_error": best})
    return rows


#: the generator's training targets: the grid of the official run's density (270-450M in steps of 5M: 36 steps over
#: the range) over the benchmark's MACs range, each jittered by a tenth of a step
TARGET_STEPS = 36
#: model selection sums the hardware loss over targets at the official run's density too (270-450M in steps of
#: 10M: 18 steps over the range), whatever the unit of the range
SELECT_STEPS = 18


def generator_config(plan: NB201Preset, low: float, high: float, convention: str = "nb201") -> GeneratorConfig:
    """The generator's settings on the cell: the unified generator's own (the official code's: one prior, its
    initialisation and Adam betas, label smoothing 0.1, the op thresholds, the temperature from 5 to 0.405), at
    the targets and loss scale this space takes.

    Only two things change with the space. The targets span ``low``-``high``
    (the cost model's unit: millions of MACs in ``convention``, or milliseconds
    of latency) at the official run's density (:data:`TARGET_STEPS`), and model
    selection sums its hardware loss over targets at its density
    (:data:`SELECT_STEPS`). The loss
    is the relative one with lambda 5, since the official squared error in
    millions is scaled for 270-450M. Model selection uses the held-out images of
    the supernet estimate. Register D46 measures what the official settings and
    the plan's length do to the constraint error here.
    """
    step = (high - low) / TARGET_STEPS
    return GeneratorConfig(select_step=(high - low) / SELECT_STEPS,
        epochs=plan.generator_epochs, loss="relative", hw_lambda=5.0, target_low=low, target_high=high,
        target_step=step, target_jitter=step / 10, convention=convention, select_batches=plan.val_batches,
        selection=plan.generator_selection,
    )


def train_generator(context: SeedContext, supernet: NB201Supernet, config: GeneratorConfig,
                    cost_model: Any = None) -> tuple[GeneratorTrainer, dict[str, Any]]:
    """SGNAS's generator trained over the strict-fairness supernet by the one generator trainer of every space,
    on the cell's choice structure and ``cost_model`` (default: the benchmark's MACs); ``generator_steps`` batches
    per epoch where the plan caps them."""
    plan = context.plan
    train = context.train_batches()
    if plan.generator_steps is not None:
        train = first_batches(train, plan.generator_steps)
    select = make_batches(context.splits, "val", plan.eval_batch_size, False, context.seed, context.device)
    trainer = GeneratorTrainer(supernet, cost_model or context.benchmark.cost_model, CellChoices(), train, select,
                               config, forced_sampling=False,
                               preset=f"nb201-{plan.name}", seed=context.seed)
    return trainer, trainer.train()


#: preset fields that say how many seeds run, not what one seed's run is
SEED_COUNTS = ("seeds", "latency_seeds")

#: one seed's measurements of the track: what the results folder's files are built from
NB201_MEASURE_RUN = declare_run_kind(RunKind(
    "nb201-measure", required={"ranking": LIST, "estimates": LIST, "generator": OBJECT, "search": LIST, "sweep": LIST},
))


def _measure_seed(context: SeedContext, limits: dict[str, float], rebuild: bool) -> dict[str, Any]:
    """Supernets, ranking, generator, searches and sweep of one seed (a cached ``nb201-measure`` run)."""
    plan = context.plan
    # the generator's settings are part of what a measurement is: a run of another generator is not reused
    settings = generator_config(plan, *(m / 1e6 for m in context.benchmark.cost_model.macs_range()))
    measured = {k: v for k, v in dataclasses.asdict(plan).items() if k not in SEED_COUNTS}  # how many: not what one is
    key = {"plan": measured, "limits": limits, "table": table_key(context.benchmark),
           "generator": dataclasses.asdict(settings), "samplers": list(SAMPLERS_201), "methods": list(METHODS)}
    run = RunDir.open(context.runs_dir, "nb201-measure", key, context.seed, rebuild)
    if run.finished:
        return run.results
    supernets, ranking, estimates = {}, [], []
    sample = ranking_sample(context.benchmark, plan.ranking_cells)
    for sampler in SAMPLERS_201:
        supernets[sampler], seconds = trained_supernet(context, sampler, rebuild)
        summary, cells = _ranking(context, sampler, supernets[sampler], seconds, sample)
        ranking.append(summary)
        estimates += cells
    generator, trained = train_generator(context, supernets["nb201-strict-fair"], settings)
    results = {
        "ranking": ranking, "estimates": estimates, "generator": trained,
        "search": _searches(context, supernets, generator, trained["wall_seconds"], limits),
        "sweep": _sweep(context, generator),
    }
    run.finish(results)
    return results


def table_key(benchmark: Benchmark) -> dict[str, Any]:
    """What identifies the table a measurement used: its source and a digest of its CIFAR-10 column."""
    digest = float(np.round(benchmark.frame["cifar10"].sum(), 6))
    return {"source": Path(benchmark.source).name, "rows": len(benchmark), "cifar10_sum": digest}


def table_path(data_dir: str | Path | None = None, table: str | Path | None = None) -> Path | None:
    """Where the track would read the table (``table``, else the data folder's), or None with no folder at all."""
    if table is not None:
        return Path(table)
    root = data_dir if data_dir is not None else os.environ.get(DATA_ENV)
    return Path(root) / RELATIVE_PATH if root else None


def run_nasbench201(
    plan_name: str,
    seeds: Sequence[int] | None,
    results_dir: str | Path,
    data_dir: str | Path | None = None,
    table: str | Path | None = None,
    limits_m: Sequence[float] | None = None,
    runs_dir: str | Path | None = None,
    rebuild: bool = False,
    overrides: Sequence[str] = (),
) -> Path:
    """The track for every seed (None: the preset's, 0 to ``seeds - 1``) at the NAS-Bench-201 preset of plan
    ``plan_name`` (:data:`replication.plans.PLANS`) with its ``nb201.field=value`` overrides, reusing finished runs;
    its files in ``results_dir``."""
    plan = load_nb201(plan_name, overrides_for(True, overrides))
    if plan is None:
        raise SgnasError(f"plan {plan_name} has no NAS-Bench-201 track; choose one of "
                         f"{', '.join(name for name, p in PLANS.items() if p.nb201 is not None)}")
    seeds = check_seeds(seeds if seeds is not None else range(plan.seeds))
    benchmark = load_benchmark(data_dir, table)
    limits = budget_limits(benchmark, limits_m)
    resolve_data_root(DataConfig(dataset=plan.dataset), data_dir)  # a bad data folder, before the results folder
    threads = torch.get_num_threads()
    if plan.threads > 0:
        torch.set_num_threads(plan.threads)
    try:
        space = cell_space(benchmark.cost_model.macro)
        collected: dict[str, list[dict[str, Any]]] = {"search": [], "ranking": [], "estimates": [], "sweep": []}
        generators = []
        with seed_runs("nasbench201", seeds, results_dir, runs_dir, 1) as runs:
            for seed in runs:
                runs.start(seed, "supernets, ranking, generator and searches")
                context = seed_context(plan, benchmark, space, seed, runs.runs_dir, data_dir)
                measured = _measure_seed(context, limits, rebuild)
                for name in collected:
                    collected[name] += measured[name]
                generators.append({"seed": seed, **measured["generator"]})
            write_csv(runs.results_dir, "nb201_search", collected["search"], SEARCH_COLUMNS)
            write_csv(runs.results_dir, "nb201_ranking", collected["ranking"], RANKING_COLUMNS)
            write_csv(runs.results_dir, "nb201_estimates", collected["estimates"], ESTIMATE_COLUMNS)
            write_csv(runs.results_dir, "nb201_sweep", collected["sweep"], SWEEP_COLUMNS)
            runs.write_manifest("nb201_manifest", {
                "plan": plan_name, "preset": plan.name, "overrides": list(overrides),
                "indicative": plan.indicative,
                "description": plan.describe(), "bn": plan.bn, "limits_macs_m": {k: v / 1e6 for k, v in limits.items()},
                "methods": {key: label for key, (label, _, _) in METHODS.items()},
                "table": benchmark.source, "generators": generators,
            })
    finally:
        torch.set_num_threads(threads)
    return runs.results_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="nasbench201")
    parser.add_argument("--plan", choices=tuple(name for name, plan in PLANS.items() if plan.nb201 is not None),
                        default="quick", help="scale: the NAS-Bench-201 preset of this plan (default: quick)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="seeds (default: the preset's, 0 to nb201.seeds - 1: "
                             f"{NB201_PRESETS['quick'].seeds} for quick)")
    parser.add_argument("--results", default="results", help="results folder (default: results)")
    parser.add_argument("--runs", default=None, help="runs folder (default: <results>/runs)")
    parser.add_argument("--data-dir", default=None,
                        help="data folder with cifar10-jpeg/ and nas-bench-201/nats_bench.csv (default: $SGNAS_DATA_DIR)")
    parser.add_argument("--table", default=None, help="the NAS-Bench-201 table, when it is not in the data folder")
    parser.add_argument("--budgets", type=float, nargs="+", default=None, metavar="MACS_M",
                        help="MACs limits in millions (default: 25/50/75%% of the space's range), beside unconstrained")
    parser.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="nb201.FIELD=VALUE",
                        help="overrides of the plan's NAS-Bench-201 preset (e.g. nb201.epochs=3)")
    parser.add_argument("--rebuild", action="store_true", help="empty and redo runs whose files do not load")
    args = parser.parse_args(argv)
    return run_tool("nasbench201", lambda: print(run_nasbench201(
        args.plan, args.seeds, args.results, args.data_dir, args.table, args.budgets, args.runs, args.rebuild,
        args.overrides)))


if __name__ == "__main__":
    sys.exit(main())
