"""The SGNAS method end to end: supernet -> generator -> search by generating -> stand-alone evaluation.

Each step is a function that opens its own :class:`~sgnas._infra.runs.RunDir`, keyed
by the part of the resolved config that defines it (and by the run it builds
on) plus the seed, and returns at once when that run has finished
(``results.json`` holds what its kind declares and what it names loads, see
:mod:`sgnas._infra.runs`). What each kind's results hold is declared beside its step
(:data:`SUPERNET_RUN`, :data:`GENERATOR_RUN`, :data:`SEARCH_RUN`,
:data:`EVALUATE_RUN`). An unfinished run resumes from its checkpoint. So
``sgnas pipeline`` run twice with the same config does the work once, and a
changed generator setting retrains the generator but reuses the supernet.

Run keys never contain the data folder's path (only what the data *is*:
dataset kind and split sizes), so the same runs are found from any checkout.
Nor do they contain the device, the precision or the number of processes: a
run started on a CPU can be finished on GPUs.

On GPUs, the training steps and stand-alone evaluation scale out with
``torchrun`` (one process per GPU; the preset's batch size is the global batch,
split over the processes; only rank 0 writes), e.g. the paper preset on 8 GPUs::

    torchrun --nproc_per_node 8 -m sgnas.cli train-supernet --preset paper --data-dir /imagenet --amp bf16

(see :mod:`sgnas.training.distributed`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import NotJson, read_json
from sgnas._infra.runs import (
    COUNT,
    LIST,
    OBJECT,
    TEXT,
    RunDir,
    RunKind,
    config_hash,
    declare_run_kind,
    nullable,
    number,
)
from sgnas.config.presets import PRESETS
from sgnas.config.schema import Config, apply_overrides, config_from_dict
from sgnas.config.setups import setup_of
from sgnas.data import BatchSource, DataSplits, load_splits, make_batches
from sgnas.registry import SPACES, STRATEGIES
from sgnas.search.strategy import SearchContext, SearchResult, SearchStrategy
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.supernet.files import ARCHITECTURE_STRINGS
from sgnas.supernet.ranking import kendall_tau
from sgnas.training.checkpoint import seed_all
from sgnas.training.distributed import Distributed, Precision, init_distributed
from sgnas.training.samplers import build_sampler
from sgnas.training.supernet import VALIDATION_SUMMARY

__all__ = [
    "EVALUATE_RUN",
    "GENERATOR_RUN",
    "IndexedBatches",
    "Runtime",
    "SEARCH_RUN",
    "SUPERNET_RUN",
    "build_strategy",
    "check_targets",
    "config_of_run",
    "evaluate_architecture",
    "prepare",
    "resolve_run",
    "run_path",
    "run_pipeline",
    "run_search",
    "search",
    "search_context",
    "search_key",
    "search_targets",
    "summarise_search",
    "train_generator",
    "train_supernet",
]

_STEP_SECTIONS = {
    "supernet": ("data", "space", "supernet"),
    "generator": ("data", "space", "supernet", "generator"),
    "search": ("data", "space", "supernet", "generator", "search"),
    "evaluate": ("data", "space", "evaluate"),
}
#: data fields that say where or how fast data is read, not what it is
_NOT_IN_KEY = ("root", "workers", "download")


def step_key(config: Config, kind: str, **upstream: Any) -> dict[str, Any]:
    """What defines a run of step ``kind``: its config sections, the preset and the runs it builds on."""
    full = config.to_dict()
    key: dict[str, Any] = {"preset": config.preset, **{s: full[s] for s in _STEP_SECTIONS[kind]}}
    key["data"] = {k: v for k, v in key["data"].items() if k not in _NOT_IN_KEY}
    key.update(upstream)
    return key


def run_path(runs_dir: str | Path, kind: str, key: dict[str, Any], seed: int) -> RunDir:
    """The directory :meth:`RunDir.open` gives ``key`` and ``seed``, without creating anything."""
    return RunDir(Path(runs_dir) / kind / f"{config_hash(key)}-s{seed}")


def config_of_run(run_dir: str | Path, overrides: Sequence[str] = ()) -> Config:
    """The config a run was made with (its preset, its saved sections), plus ``overrides``.

    The saved sections are read as JSON and set as they are, so numbers come
    back exactly (never re-parsed from text).
    """
    path = Path(run_dir)
    try:
        saved = read_json(path / "config.json")
    except NotJson as err:
        raise SgnasError(f"{path} is not a run directory (its config.json is {err})") from None
    key = saved.get("config") if isinstance(saved, dict) else None
    if not isinstance(key, dict):
        raise SgnasError(f"{path} is not a run directory (its config.json holds no run's config)")
    preset = key.get("preset")
    if preset not in PRESETS:
        raise SgnasError(f"run {path} names an unknown preset {preset!r}")
    sections = {name: values for name, values in key.items()
                if isinstance(values, dict) and name in Config.__dataclass_fields__}
    config = config_from_dict({**sections, "seed": saved.get("seed", 0)}, base=PRESETS.get(preset)())
    return apply_overrides(config, overrides)


def resolve_run(source: str | Path, kind: str, artefact: str) -> tuple[Path, Path | None]:
    """(artefact file, run dir or None) from a run directory or the artefact file itself."""
    path = Path(source)
    if path.is_dir():
        if not (path / artefact).exists():
            raise SgnasError(f"{path} has no {artefact}: is it a finished {kind} run?")
        return path / artefact, path
    if not path.exists():
        raise SgnasError(f"{kind} run or checkpoint {path} does not exist")
    parent = path.parent if (path.parent / "config.json").exists() else None
    return path, parent


# --- runtime ------------------------------------------------------------------------


@dataclass
class Runtime:
    """Device, process group, data splits and batch sources shared by the steps of one process."""

    config: Config
    device: torch.device
    splits: DataSplits
    dist: Distributed = Distributed()
    #: empty and redo runs whose files do not load, instead of stopping (``--rebuild``)
    rebuild: bool = False

    def batches(self, which: str, batch_size: int, train: bool, sharded: bool = True,
                augment_eval: bool = False) -> BatchSource:
        """Batches of ``batch_size`` (global); under torchrun this rank's slice of each unless not ``sharded``;
        ``augment_eval`` augments them even where they are not ``train`` batches."""
        rank, world = (self.dist.rank, self.dist.world_size) if sharded else (0, 1)
        data = self.config.data
        return make_batches(self.splits, which, batch_size, train, self.config.seed, self.device,
                            augment=data.augment, workers=data.workers, rank=rank, world_size=world,
                            crop_scale=data.crop_scale, augment_eval=augment_eval)

    def precision(self) -> Precision:
        return Precision(self.config.amp, self.device)

    def open_run(self, runs_dir: str | Path, kind: str, key: dict[str, Any]) -> RunDir:
        """The run directory of ``key``: created by rank 0; the other ranks wait for it and write nothing."""
        seed = self.config.seed
        if self.dist.is_main:
            run = RunDir.open(runs_dir, kind, key, seed, rebuild=self.rebuild)
        self.dist.barrier()
        return run if self.dist.is_main else run_path(runs_dir, kind, key, seed)

    def finish(self, run: RunDir, results: dict[str, Any]) -> None:
        """Rank 0 writes the results, with the setup the config is in (``paper``, ``official`` or ``neither``: an
        ablation or another mixture, :mod:`sgnas.config.setups`); every rank returns once they are there."""
        if self.dist.is_main:
            run.finish({**results, "setup": setup_of(self.config) or "neither"})
        self.dist.barrier()


def prepare(config: Config, data_dir: str | Path | None = None, rebuild: bool = False) -> Runtime:
    """Threads, process group, device and data for ``config``; the same seed gives the same numbers on a CPU.

    ``rebuild``: the steps run on this runtime empty and redo runs whose files do not load.
    """
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    dist, device = init_distributed(config.device)
    space = config.space.build()
    splits = load_splits(config.data, space.resolution, config.seed, data_dir)
    if len(splits.classes) != space.num_classes:
        raise SgnasError(f"the data has {len(splits.classes)} classes, the space's classifier {space.num_classes}; "
                         f"set space.num_classes={len(splits.classes)}")
    return Runtime(config, device, splits, dist, rebuild)


class IndexedBatches:
    """Batch ``i`` of epoch 0 of a source by index (what a sampler's held-out batches are read as)."""

    def __init__(self, source: BatchSource) -> None:
        self.source = source

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not 0 <= index < len(self):
            raise IndexError(index)
        return next(iter(self.source.epoch(0, index)))


class _Limited:
    """The first ``limit`` batches of epoch 0 of a source, re-iterable (what evaluators consume)."""

    def __init__(self, source: BatchSource, limit: int | None) -> None:
        self.source, self.limit = source, limit

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return itertools.islice(self.source.epoch(0), self.limit)

    def __len__(self) -> int:
        return len(self.source) if self.limit is None else min(self.limit, len(self.source))


# --- steps ---------------------------------------------------------------------------


def _check_supernet_weights(path: Path, payload: Any, run: RunDir) -> None:
    """supernet.pt: the exported supernet of the run's space and preset, whose weights fit the model."""
    from sgnas.spaces.unified.supernet.files import check_supernet_file

    config = config_of_run(run.path)
    check_supernet_file(path, payload, config.space.build(), config.preset)


#: a supernet run's results: the trainer's summary and the exported supernet
SUPERNET_RUN = declare_run_kind(RunKind(
    "supernet", required={"steps": COUNT, "forward_passes": COUNT, "wall_seconds": number(0)},
    optional={"epochs": COUNT, "steps_per_epoch": COUNT, "world_size": COUNT, "seconds_this_session": number(0),
              "final_val": LIST, "val_archs": ARCHITECTURE_STRINGS, "final_train_loss": nullable(number()),
              "validation": VALIDATION_SUMMARY},
    files={"supernet": _check_supernet_weights}, logs=True,
))


def train_supernet(runtime: Runtime, runs_dir: str | Path, resume_from: str | Path | None = None,
                   max_steps: int | None = None) -> RunDir:
    """Train (or resume, or reuse) the supernet run of ``runtime.config``; its ``supernet.pt`` is the result.

    A sampler that co-trains architecture parameters (``proxyless``) gets the
    generator-validation split as its held-out data and the middle of the
    preset's target range as its MACs target. ``resume_from`` is read and
    checked before the run folder is opened, so a file that is no training
    checkpoint of this supernet is one line and leaves nothing behind.
    """
    from sgnas.spaces.unified.supernet import UnifiedSupernet
    from sgnas.spaces.unified.supernet.files import (
        export_settings,
        load_training_checkpoint,
        validation_architectures,
    )
    from sgnas.training.supernet import SupernetTrainer

    config = runtime.config
    space = config.space.build()
    resumed = (load_training_checkpoint(resume_from, space, config.supernet, config.preset)
               if resume_from is not None else None)
    run = runtime.open_run(runs_dir, "supernet", step_key(config, "supernet"))
    if run.finished:
        return run
    cost_model = CostModel(space)
    seed_all(config.seed)
    supernet = UnifiedSupernet(space, act=config.supernet.act, shadow_bn=config.supernet.shadow_bn,
                               zero_init_residual=config.supernet.zero_init_residual).to(runtime.device)
    sampler = build_sampler(config.supernet.sampler, space.num_layers, config.seed, config.supernet.forced_sampling)
    middle = sum(config.target_range()) / 2
    trainer = SupernetTrainer(
        supernet, sampler,
        train=runtime.batches("train", config.supernet.batch_size, True),
        val=runtime.batches("val", config.supernet.batch_size, False),
        calib=runtime.batches("train", config.supernet.batch_size, True, sharded=False),
        config=config.supernet, preset=config.preset, seed=config.seed, space=space, cost_model=cost_model,
        val_archs=validation_architectures(space.num_layers, config.supernet.val_archs, config.seed,
                                           config.supernet.forced_sampling),
        run=run if runtime.dist.is_main else None,
        held_out=IndexedBatches(runtime.batches("val", config.generator.batch_size, True, sharded=False)),
        target_macs=cost_model.to_interface(middle * 1e6, config.generator.convention),
        dist=runtime.dist, precision=runtime.precision(),
    )
    if resume_from is not None:
        trainer.resume(resume_from, resumed)
    elif run.checkpoint_path.exists():
        trainer.resume(run.checkpoint_path)
    results = trainer.train(max_steps=max_steps)
    if results is not None:
        if runtime.dist.is_main:
            trainer.export(run.path / "supernet.pt", **export_settings(supernet))
        runtime.finish(run, {**results, "supernet": str(run.path / "supernet.pt")})
    return run


def _check_generator_weights(path: Path, payload: Any, run: RunDir) -> None:
    """generator.pt: the exported generator of the run's space and preset, whose network builds from it."""
    from sgnas.search.generator.strategy import GeneratorStrategy

    config = config_of_run(run.path)
    space = config.space.build()
    GeneratorStrategy.check_file(path, payload, CostModel(space), SPACES.get(config.space.name).choices(space),
                                 config.preset)


#: a generator run's results: the selected epoch's metrics and sweep, the exported generator, the supernet it
#: was trained over (a file of that supernet's run)
GENERATOR_RUN = declare_run_kind(RunKind(
    "generator",
    required={"best_epoch": COUNT, "mean_relative_error": number(0), "kendall_tau": number(-1, 1),
              "top1_middle": number(0, 100), "seconds_per_target": number(0), "targets_m": LIST, "macs_m": LIST,
              "archs": LIST, "forward_passes": COUNT, "wall_seconds": number(0)},
    files={"generator": _check_generator_weights}, links=("supernet",), logs=True,
))


def train_generator(runtime: Runtime, supernet_source: str | Path, runs_dir: str | Path) -> RunDir:
    """Train (or resume, or reuse) the generator over a trained supernet; its ``generator.pt`` is the result.

    Unless the generator run has finished, the supernet (and the run it comes from, :meth:`RunDir.verify`) is
    checked and loaded before the generator's run folder is opened, so a file that is no supernet of this space
    is one line and leaves nothing behind.
    """
    from sgnas.search.generator.train import GeneratorTrainer
    from sgnas.spaces.unified.supernet.files import load_supernet

    config = runtime.config
    space = config.space.build()
    supernet_path, supernet_run = resolve_run(supernet_source, "supernet", "supernet.pt")
    upstream = {"supernet_run": supernet_run.name if supernet_run else str(supernet_path)}
    key = step_key(config, "generator", **upstream)
    supernet = None
    if not run_path(runs_dir, "generator", key, config.seed).finished:
        if supernet_run is not None and RunDir(supernet_run).finished:
            RunDir(supernet_run).verify()
        supernet = load_supernet(supernet_path, space, config.preset, runtime.device)
    run = runtime.open_run(runs_dir, "generator", key)
    if run.finished:
        return run
    if supernet is None:  # finished when looked at, emptied since (--rebuild) or by its own checks
        supernet = load_supernet(supernet_path, space, config.preset, runtime.device)
    seed_all(config.seed)
    trainer = GeneratorTrainer(
        supernet, CostModel(space), SPACES.get(config.space.name).choices(space),
        train=runtime.batches("val", config.generator.batch_size, True),
        select=runtime.batches("val", config.generator.batch_size, False,
                               augment_eval=config.generator.select_augmented),
        config=config.generator, forced_sampling=config.supernet.forced_sampling,
        preset=config.preset, seed=config.seed, run=run if runtime.dist.is_main else None,
        dist=runtime.dist, precision=runtime.precision(),
    )
    if run.checkpoint_path.exists():
        trainer.resume(run.checkpoint_path)
    start = time.perf_counter()
    results = trainer.train()
    if runtime.dist.is_main:
        trainer.export(run.path / "generator.pt")
    runtime.finish(run, {**results, "generator": str(run.path / "generator.pt"),
                         "supernet": str(supernet_path), "seconds_this_session": time.perf_counter() - start})
    return run


def search_context(runtime: Runtime, supernet_path: Path, generator_path: Path | None = None) -> SearchContext:
    """Load the supernet and build the BN-recalibrating evaluator on the validation split."""
    from sgnas.spaces.unified.supernet.files import load_supernet
    from sgnas.supernet.evaluator import SupernetEvaluator

    config = runtime.config
    space = config.space.build()
    supernet = load_supernet(supernet_path, space, config.preset, runtime.device)
    cost_model = CostModel(space)
    evaluator = SupernetEvaluator(
        supernet, cost_model,
        _Limited(runtime.batches("val", config.supernet.batch_size, False), config.search.val_batches),
        _Limited(runtime.batches("train", config.supernet.batch_size, True), config.search.calib_batches),
        config.search.calib_batches,
        forced_sampling=config.supernet.forced_sampling,
    )
    return SearchContext(config, runtime, supernet, cost_model, evaluator, runtime.device, supernet_path, generator_path)


def build_strategy(name: str, context: SearchContext) -> SearchStrategy:
    """The strategy registered as ``name``, built from ``context``."""
    return STRATEGIES.get(name).from_context(context)


def check_targets(config: Config, targets_m: Sequence[float]) -> None:
    """Refuse, before anything trains, targets the space cannot meet or the generator will not be trained for."""
    convention = config.generator.convention
    low, high = (m / 1e6 for m in CostModel(config.space.build()).macs_range(convention))
    trained_low, trained_high = config.target_range()
    for target in targets_m:
        if not low <= target <= high:
            raise SgnasError(f"target {target:g}M MACs ({convention}) is outside the space's range {low:.2f}-{high:.2f}M")
        if config.search.outside_range == "refuse" and not trained_low <= target <= trained_high:
            raise SgnasError(f"target {target:g}M MACs ({convention}) is outside the generator's trained range "
                             f"{trained_low:g}-{trained_high:g}M (search.outside_range=warn generates anyway)")


def search_targets(strategy: SearchStrategy, context: SearchContext, targets_m: Sequence[float],
                   with_accuracy: bool = True) -> list[SearchResult]:
    """One search per target (millions of MACs in the preset's convention); targets the space cannot meet are refused."""
    convention = context.config.generator.convention
    low, high = (m / 1e6 for m in context.cost_model.macs_range(convention))
    results = []
    for target in targets_m:
        if not low <= target <= high:
            raise SgnasError(f"target {target:g}M MACs ({convention}) is outside the space's range {low:.2f}-{high:.2f}M")
        macs = context.cost_model.to_interface(target * 1e6, convention)
        evaluator = context.evaluator if with_accuracy else None
        result = strategy.search(evaluator, macs, context.config.search.budget)
        result.extra.setdefault("target_m_in_convention", target)
        result.extra.setdefault("macs_m_in_convention", context.cost_model.macs(result.architecture, convention) / 1e6)
        result.extra.setdefault("convention", convention)
        results.append(result)
    return results


def summarise_search(results: Sequence[SearchResult]) -> dict[str, Any]:
    """Kendall tau (target vs generated MACs), mean |F-T|/T and per-target wall time, in the targets' convention."""
    targets = [r.extra["target_m_in_convention"] for r in results]
    macs = [r.extra["macs_m_in_convention"] for r in results]
    errors = [abs(f - t) / t for f, t in zip(macs, targets)]
    summary: dict[str, Any] = {
        "targets": len(results),
        "mean_relative_error": float(np.mean(errors)),
        "max_relative_error": float(np.max(errors)),
        "mean_wall_seconds": float(np.mean([r.wall_seconds for r in results])),
        "max_wall_seconds": float(np.max([r.wall_seconds for r in results])),
        "convention": results[0].extra["convention"],
    }
    if len(results) >= 2:
        summary["kendall_tau"] = kendall_tau(targets, macs)
    return summary


def search_key(config: Config, strategy: str, targets_m: Sequence[float], supernet_run: str,
               generator_run: str | None, with_accuracy: bool = True) -> dict[str, Any]:
    """What defines a search run: the search-relevant config, the strategy, the targets and the runs searched."""
    return step_key(config, "search", strategy=strategy, targets=[float(t) for t in targets_m],
                    supernet_run=supernet_run, generator_run=generator_run, with_accuracy=with_accuracy)


#: a search run's results: the strategy, one record per target, the summary over the targets
SEARCH_RUN = declare_run_kind(RunKind("search", required={"strategy": TEXT, "results": LIST, "summary": OBJECT}))


def _cached_search(runtime: Runtime, runs_dir: str | Path, key: dict[str, Any]) -> RunDir | None:
    """The finished search run of ``key``, or None when it has to be searched.

    Read without taking its lock when all is well; a finished run with a damaged
    file is opened, which stops with one line naming the file (with ``--rebuild``
    empties the run) before anything is searched.
    """
    done = run_path(runs_dir, "search", key, runtime.config.seed)
    if not done.finished:
        return None
    if not done.problems():
        return done
    run = runtime.open_run(runs_dir, "search", key)
    return run if run.finished else None


def run_search(context: SearchContext, strategy_name: str, strategy: SearchStrategy, targets_m: Sequence[float],
               runs_dir: str | Path, with_accuracy: bool = True) -> RunDir:
    """Search every target with ``strategy`` in a run of kind ``search`` (reused when that search has finished).

    ``results.json`` holds ``strategy``, one record per target
    (:meth:`SearchResult.to_json`, with ``wall_seconds`` and
    ``forward_passes``) and the summary: what a table of search cost per strategy is built from.
    """
    key = search_key(context.config, strategy_name, targets_m, _run_name(context.supernet_path) or "",
                     _run_name(context.generator_path), with_accuracy)
    done = _cached_search(context.runtime, runs_dir, key)
    if done is not None:
        return done
    results = search_targets(strategy, context, targets_m, with_accuracy)  # refused targets leave no run behind
    run = context.runtime.open_run(runs_dir, "search", key)
    if run.finished:  # another process finished it meanwhile
        return run
    context.runtime.finish(run, {"strategy": strategy_name, "results": [r.to_json() for r in results],
                                 "summary": summarise_search(results)})
    return run


def _run_name(path: Path | None) -> str | None:
    """How a search key names the run a checkpoint came from (its folder), or the file itself outside a run."""
    if path is None:
        return None
    return path.parent.name if (path.parent / "config.json").exists() else str(path)


def search(runtime: Runtime, strategy_name: str, targets_m: Sequence[float], supernet_path: Path,
           generator_path: Path | None, runs_dir: str | Path, with_accuracy: bool = True) -> RunDir:
    """The finished search run of ``strategy_name`` over ``targets_m``, searched now unless it is cached.

    The supernet is loaded and the strategy built only when the search has not
    run before: a cached search costs reading its ``results.json``, ``config.json``.
    """
    key = search_key(runtime.config, strategy_name, targets_m, _run_name(supernet_path) or "",
                     _run_name(generator_path), with_accuracy)
    done = _cached_search(runtime, runs_dir, key)
    if done is not None:
        return done
    context = search_context(runtime, supernet_path, generator_path)
    return run_search(context, strategy_name, build_strategy(strategy_name, context), targets_m, runs_dir,
                      with_accuracy)


#: an evaluation run's results (:func:`sgnas.standalone.train_standalone`): the architecture, its cost, test top-1/5
EVALUATE_RUN = declare_run_kind(RunKind(
    "evaluate", required={"architecture": TEXT, "macs_m": number(0), "params_m": number(0), "convention": TEXT,
                          "test_top1": number(0, 100), "test_top5": number(0, 100), "epochs": COUNT}, logs=True,
))


def evaluate_architecture(runtime: Runtime, arch: Architecture, runs_dir: str | Path) -> RunDir:
    """Train ``arch`` from scratch with the preset's recipe (or reuse that run); test top-1/top-5 in results."""
    from sgnas.standalone import train_standalone

    config = runtime.config
    space = config.space.build()
    arch.check_space(space)
    run = runtime.open_run(runs_dir, "evaluate", step_key(config, "evaluate", architecture=arch.to_string()))
    if run.finished:
        return run
    results = train_standalone(arch, space, config.evaluate, runtime.splits, config.seed, config.preset,
                               runtime.device, run, workers=config.data.workers, dist=runtime.dist,
                               precision=runtime.precision())
    runtime.finish(run, results)
    return run


def run_pipeline(config: Config, targets_m: Sequence[float], runs_dir: str | Path,
                 data_dir: str | Path | None = None, evaluate: bool = True, rebuild: bool = False) -> dict[str, Any]:
    """Supernet -> generator -> one architecture per target -> stand-alone training; reuses finished runs."""
    check_targets(config, targets_m)
    runtime = prepare(config, data_dir, rebuild)
    supernet_run = train_supernet(runtime, runs_dir)
    generator_run = train_generator(runtime, supernet_run.path, runs_dir)
    search_run = search(runtime, "generator", targets_m, supernet_run.path / "supernet.pt",
                        generator_run.path / "generator.pt", runs_dir)
    searched = search_run.results["results"]
    evaluated = []
    if evaluate:
        for record in searched:
            run = evaluate_architecture(runtime, Architecture.from_string(record["architecture"]), runs_dir)
            evaluated.append({"target_m": record["target_m_in_convention"], "run": str(run.path), **run.results})
    return {
        "supernet_run": str(supernet_run.path), "generator_run": str(generator_run.path),
        "search_run": str(search_run.path), "search": search_run.results, "evaluated": evaluated,
    }
