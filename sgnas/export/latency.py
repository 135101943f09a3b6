"""Latency of the unified space measured on this machine: the per-layer table, and whole exported models.

Everything is timed as deployed: the architecture exported to timm
(:func:`sgnas.export.timm.export_timm`), eval mode, no gradients, at a stated
number of threads, batch size and input size, in
repeated blocks of calls (their median and interquartile range).

* :func:`measure_table`: every searchable layer (timm's block of that layer, on
  an input of its shape) with 2, 4 and 6 active sub-blocks of each kernel, and
  the parts every architecture shares; per layer a non-negative least-squares
  fit of a base plus one cost per active sub-block of each kernel
  (:class:`sgnas.spaces.unified.latency.LatencyTableModel`);
* :func:`time_architecture`: one whole exported model, end to end: what every
  found architecture is judged by, and how far the table's sum is from the truth.

The default input is 224x224 (ImageNet, the paper's deployment): there one
layer takes from about a tenth of a millisecond to a few milliseconds on one
CPU thread, well above the timer's spread; at the CIFAR proxy's 32x32 most layers
take tens of microseconds, where the spread between repeats is of the same order.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.optimize import nnls

from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress as make_progress
from sgnas._infra.runs import LIST, OBJECT, RunDir, RunKind, atomic_write_json, declare_run_kind, number
from sgnas.export.timm import export_timm
from sgnas.spaces.unified.architecture import Architecture, random_architecture
from sgnas.spaces.unified.latency import LatencyTableModel
from sgnas.spaces.unified.space import KERNEL_SIZE, OPS, SUB_BLOCKS, SearchSpace

__all__ = [
    "DEFAULT_INPUT_SIZE", "EXPANSIONS", "LATENCY_TABLE_RUN", "Timing", "latency_table_run", "measure_table",
    "time_architecture", "time_module",
]

DEFAULT_INPUT_SIZE = 224
#: active sub-blocks per layer at which every kernel is timed
EXPANSIONS = (2, 4, 6)
_KERNELS = tuple(op for op in OPS if op in KERNEL_SIZE)


@dataclass(frozen=True)
class Timing:
    """Milliseconds of one forward pass: the median over repeated blocks, their interquartile range, how many."""

    median_ms: float
    iqr_ms: float
    repeats: int

    @property
    def relative_spread(self) -> float:
        return self.iqr_ms / self.median_ms if self.median_ms > 0 else float("inf")

    def to_json(self) -> dict[str, Any]:
        return {"median_ms": self.median_ms, "iqr_ms": self.iqr_ms, "repeats": self.repeats}


#: the shortest timed block (s): calls are repeated within a block until it lasts this long, so the clock's
#: resolution and the call overhead stay small against the time measured
BLOCK_SECONDS = 0.005
#: the fewest blocks a timing takes (its median and interquartile range need several)
MIN_BLOCKS = 7


@torch.no_grad()
def time_module(module: torch.nn.Module, inputs: torch.Tensor, threads: int, min_seconds: float) -> Timing:
    """One forward pass of ``module`` (eval mode) on ``inputs`` at ``threads`` threads: blocks of calls repeated
    for at least ``min_seconds`` and at least :data:`MIN_BLOCKS` times; the median and IQR of the blocks' per-call
    times."""
    module.eval()
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        first = _block(module, inputs, 1)  # also the warm-up: first-call allocations are not latency
        number = max(1, int(np.ceil(BLOCK_SECONDS / max(first, 1e-9))))
        blocks = max(MIN_BLOCKS, int(np.ceil(min_seconds / (number * max(first, 1e-9)))))
        times = np.array([_block(module, inputs, number) for _ in range(blocks)]) * 1000
    finally:
        torch.set_num_threads(previous)
    low, median, high = np.percentile(times, [25, 50, 75])
    return Timing(float(median), float(high - low), blocks)


def _block(module: torch.nn.Module, inputs: torch.Tensor, number: int) -> float:
    """Seconds per call of ``number`` calls in a row."""
    start = time.perf_counter()
    for _ in range(number):
        module(inputs)
    return (time.perf_counter() - start) / number


def _uniform(space: SearchSpace, kernel: str, active: int) -> Architecture:
    """Every layer with ``active`` sub-blocks of ``kernel`` and the rest skipped."""
    return Architecture(tuple((kernel,) * active + ("skip",) * (SUB_BLOCKS - active) for _ in range(space.num_layers)))


def _parts(model: Any, space: SearchSpace, batch: int) -> Iterator[tuple[str, torch.nn.Module, torch.Tensor]]:
    """The exported model's timed pieces with an input of their shape: stem, fixed block, each layer, head."""
    size = space.resolution
    yield "stem", torch.nn.Sequential(model.conv_stem, model.bn1), torch.randn(batch, space.in_channels, size, size)
    stem = space.stem_out_size
    yield "fixed_block", model.blocks[0], torch.randn(batch, space.stem_channels, stem, stem)
    for spec in space.layers:
        yield f"layer{spec.index}", model.blocks[spec.index + 1], torch.randn(batch, spec.in_channels, spec.in_size,
                                                                              spec.in_size)
    last = space.layers[-1]
    head = torch.nn.Sequential(model.conv_head, model.bn2, model.global_pool, model.classifier)
    yield "head", head, torch.randn(batch, last.out_channels, space.final_size, space.final_size)


def measure_table(space: SearchSpace, threads: int = 1, batch: int = 1, min_seconds: float = 0.1,
                  progress: Any = None) -> tuple[LatencyTableModel, dict[str, Any]]:
    """The latency table of ``space`` (at its resolution) on this machine, and what was measured: every timing with
    its spread and each layer's fit residual. ``progress(n)`` is called after each timed piece."""
    torch.manual_seed(0)
    fixed: dict[str, list[float]] = {}
    layer_times: dict[int, list[tuple[str, int, Timing]]] = {spec.index: [] for spec in space.layers}
    timings = []
    for kernel in _KERNELS:
        for active in EXPANSIONS:
            model = export_timm(_uniform(space, kernel, active), space)
            for name, module, inputs in _parts(model, space, batch):
                timing = time_module(module, inputs, threads, min_seconds)
                timings.append({"part": name, "kernel": kernel, "active": active, **timing.to_json()})
                if name.startswith("layer"):
                    layer_times[int(name[5:])].append((kernel, active, timing))
                else:
                    fixed.setdefault(name, []).append(timing.median_ms)
                if progress is not None:
                    progress(1)
    table = np.zeros((space.num_layers, len(OPS)))
    bases, residuals = [], []
    for layer, observed in layer_times.items():
        design = np.array([[1.0, *(active * (kernel == k) for k in _KERNELS)] for kernel, active, _ in observed])
        times = np.array([timing.median_ms for _, _, timing in observed])
        coefficients, _ = nnls(design, times)
        bases.append(float(coefficients[0]))
        for k, kernel in enumerate(_KERNELS):
            table[layer, OPS.index(kernel)] = coefficients[1 + k]
        residuals.append(float(np.abs(design @ coefficients - times).max() / times.mean()))
    shared = {name: float(np.median(values)) for name, values in fixed.items()}
    model = LatencyTableModel(space, table, sum(shared.values()) + sum(bases))
    spreads = [t["iqr_ms"] / t["median_ms"] for t in timings]
    details = {
        "timings": timings, "shared_ms": shared, "layer_base_ms": bases, "layer_fit_max_residual": residuals,
        "median_relative_spread": float(np.median(spreads)), "max_relative_spread": float(np.max(spreads)),
    }
    return model, details


def time_architecture(arch: Architecture, space: SearchSpace, threads: int = 1, batch: int = 1,
                      min_seconds: float = 0.2) -> Timing:
    """End-to-end latency of ``arch`` exported to timm (freshly initialised weights: latency does not depend on them)."""
    torch.manual_seed(0)
    model = export_timm(arch, space)
    inputs = torch.randn(batch, space.in_channels, space.resolution, space.resolution)
    return time_module(model, inputs, threads, min_seconds)


def _check_table_file(path: Path, payload: Any, run: RunDir) -> None:
    """latency_table.json of a run: a table of finite, non-negative milliseconds per layer and op, in OPS order."""
    try:
        table = np.asarray(payload["table_ms"], dtype=np.float64)
        fixed = float(payload["fixed_ms"])
        ops = list(payload["ops"])
    except (KeyError, TypeError, ValueError) as err:
        raise SgnasError(f"{path} is not a latency table ({type(err).__name__}: {err})") from None
    if ops != list(OPS) or table.ndim != 2 or table.shape[1] != len(OPS) or not np.isfinite([*table.ravel(), fixed]).all() \
            or (table < 0).any() or fixed < 0:
        raise SgnasError(f"{path} is not a latency table of ops {', '.join(OPS)} in finite, non-negative ms")


#: a ``sgnas latency-table`` run: the table (``latency_table.json``), its spreads and its end-to-end check
LATENCY_TABLE_RUN = declare_run_kind(RunKind(
    "latency-table", required={"settings": OBJECT, "fixed_ms": number(0), "range_ms": LIST, "check": LIST,
                               "table_vs_end_to_end": OBJECT, "median_relative_spread": number(0)},
    files={"table": _check_table_file}, logs=True,
))


def _machine() -> dict[str, Any]:
    """What identifies the machine a table was measured on (a table is reused only on the same one)."""
    return {"node": platform.node(), "machine": platform.machine(), "processor": platform.processor(),
            "torch": torch.__version__, "cores": os.cpu_count()}


def latency_table_run(space: SearchSpace, runs_dir: str | Path, threads: int = 1, batch: int = 1,
                      min_seconds: float = 0.1, check: int = 8, seed: int = 0, rebuild: bool = False) -> RunDir:
    """The latency table of ``space`` on this machine as a cached run: measured once per space, settings and
    machine; ``check`` random architectures (densities spread over the space) timed end to end against it."""
    settings = {"input_size": space.resolution, "batch": batch, "threads": threads, "min_seconds": min_seconds,
                "check": check}
    key = {"space": space.describe(), **settings, "machine": _machine()}
    run = RunDir.open(runs_dir, "latency-table", key, seed, rebuild)
    if run.finished:
        return run
    pieces = len(_KERNELS) * len(EXPANSIONS) * (space.num_layers + 3)
    with make_progress(total=pieces + check, desc="latency table", unit="timing") as progress:
        model, details = measure_table(space, threads, batch, min_seconds, progress.update)
        rng = np.random.default_rng(seed)
        rows = []
        for density in np.linspace(0.0, 1.0, check):
            arch = random_architecture(space.num_layers, rng, True, float(density))
            timing = time_architecture(arch, space, threads, batch, 2 * min_seconds)
            estimate = model.estimate(arch)
            rows.append({"architecture": arch.to_string(), "estimate_ms": estimate, **timing.to_json(),
                         "error": (estimate - timing.median_ms) / timing.median_ms})
            run.log({"event": "end_to_end", **rows[-1]})
            progress.update(1)
    errors = np.array([row["error"] for row in rows])
    table_file = run.path / "latency_table.json"
    atomic_write_json(table_file, {"table_ms": model.table.tolist(), "fixed_ms": model.fixed, "ops": list(OPS),
                                 "settings": settings})
    run.finish({
        "settings": settings, "table": str(table_file), "fixed_ms": model.fixed, "range_ms": list(model.macs_range()),
        "check": rows, "median_relative_spread": details["median_relative_spread"],
        "max_relative_spread": details["max_relative_spread"], "layer_fit_max_residual": details["layer_fit_max_residual"],
        "table_vs_end_to_end": {"mean_error": float(errors.mean()), "mean_abs_error": float(np.abs(errors).mean()),
                                "max_abs_error": float(np.abs(errors).max())},
        "timings": details["timings"], "shared_ms": details["shared_ms"],
    })
    return run
