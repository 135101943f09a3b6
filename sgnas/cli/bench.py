"""``sgnas bench supernet``: training-step throughput of the fast supernet path against the reference path.

Both implementations (:class:`sgnas.spaces.unified.supernet.UnifiedSupernet` with ``fast=True``
and ``fast=False``) start from the same weights and train, in one process, on
the same synthetic batch and the same sequence of uniformly random paths
(forced sampling off, so arbitrary arrangements are included): forward,
cross-entropy, backward, SGD step. Timed blocks of steps alternate between the
two (the order flips every repeat, so neither always runs on a warmer or a
quieter machine); the medians of the repeats are compared.

Also printed: the largest output and gradient differences of the two on one
path, relative to the reference's largest value (they compute the same
function; see :func:`numerics` for why train mode is compared in float64), and
the activation memory each keeps for backward (bytes of the tensors autograd
saves, each storage once), with the GPU's peak allocation on CUDA. The last
line is ``fused_vs_reference_speedup=X.XX``.
"""

from __future__ import annotations

import argparse
import copy
import resource
import statistics
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress
from sgnas._infra.runs import atomic_write_json, environment, output_folder
from sgnas.config.schema import check_value
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import get_space
from sgnas.spaces.unified.supernet import UnifiedSupernet
from sgnas.training.distributed import resolve_device
from sgnas.training.samplers import UniformSampler

__all__ = ["register", "run"]

TARGETS = ("supernet",)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmarks: 'supernet' = fast vs reference single-path training steps",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("target", choices=TARGETS, help="what to benchmark")
    parser.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--repeats", type=int, default=5, help="timed blocks per implementation (default 5)")
    parser.add_argument("--steps", type=int, default=2, help="training steps per timed block (default 2)")
    parser.add_argument("--width", type=float, default=1.0, help="width multiplier of the CIFAR space (default 1.0)")
    parser.add_argument("--resolution", type=int, default=32, help="input resolution (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, data and paths (default 0)")
    parser.add_argument("--json", metavar="PATH", help="also write the results to this JSON file")
    parser.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    for name in ("batch", "repeats", "steps", "threads", "resolution"):
        if getattr(args, name) < 1:
            raise SgnasError(f"--{name} must be at least 1, got {getattr(args, name)}")
    for key, name in (("threads", "threads"), ("space.resolution", "resolution"), ("space.width", "width"),
                      ("seed", "seed")):
        check_value(key, getattr(args, name), f"--{name}")
    resolve_device(args.device)
    if args.json:  # checked before the benchmark runs, so that its minutes are not lost to a bad path
        if Path(args.json).is_dir():
            raise SgnasError(f"--json {args.json} is a folder; give a file path")
        output_folder(Path(args.json).parent, "the benchmark results")


def _train_step(model: UnifiedSupernet, optimizer: torch.optim.Optimizer, batch: tuple[torch.Tensor, torch.Tensor],
                arch: Architecture) -> None:
    images, labels = batch
    optimizer.zero_grad(set_to_none=True)
    F.cross_entropy(model(images, arch), labels).backward()
    optimizer.step()


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def saved_activation_bytes(model: UnifiedSupernet, images: torch.Tensor, arch: Architecture) -> int:
    """Bytes of the tensors autograd keeps for the backward pass of one forward (each storage once)."""
    storages: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(images, arch)
    parameters = {p.untyped_storage().data_ptr() for p in model.parameters()}
    return sum(size for ptr, size in storages.items() if ptr not in parameters)


def _relative_difference(first: list[torch.Tensor], second: list[torch.Tensor]) -> float:
    """Largest ``|first - second|`` over the pairs, over the largest magnitude in ``second``.

    Relative, because an absolute difference means nothing without the scale: a freshly
    initialised supernet's logits are ~1e-5, so even two unrelated functions differ by less.
    """
    difference = max(float((a - b).abs().max()) for a, b in zip(first, second))
    scale = max(float(b.abs().max()) for b in second)
    return difference / scale if scale else difference


def numerics(fast: UnifiedSupernet, reference: UnifiedSupernet, batch: tuple[torch.Tensor, torch.Tensor],
             arch: Architecture) -> dict[str, float]:
    """Largest differences between the two implementations on one path, computed on copies.

    Each is relative to the largest magnitude of the reference's values (:func:`_relative_difference`).

    Eval mode in float32 on the whole batch. Train mode in float64 on up to 8
    images: at initialisation, gradients through 19 blocks of batch-statistics BN
    are so sensitive to float32 rounding that any change of summation order
    (even running the reference in another memory format) moves them by 1e-2;
    in float64 the two implementations agree to rounding.
    """
    images, labels = batch
    result = {}
    for mode, dtype, count in (("eval_float32", torch.float32, len(labels)), ("train_float64", torch.float64, 8)):
        pair = [copy.deepcopy(model).to(dtype).train(mode.startswith("train")) for model in (fast, reference)]
        outputs = []
        for model in pair:
            out = model(images[:count].to(dtype), arch)
            F.cross_entropy(out, labels[:count]).backward()
            outputs.append(out.detach())
        result[f"{mode}_output"] = _relative_difference(outputs[:1], outputs[1:])
        grads = [[p.grad for p in model.parameters() if p.grad is not None] for model in pair]
        result[f"{mode}_gradient"] = _relative_difference(*grads)
        if mode.startswith("train"):
            result[f"{mode}_running_stats"] = _relative_difference(*(list(model.buffers()) for model in pair))
    return result


def run(args: argparse.Namespace) -> int:
    _check(args)
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    try:
        space = get_space("cifar", resolution=args.resolution, width=args.width)
    except ValueError as err:  # what the space itself refuses (a resolution below its smallest side)
        raise SgnasError(str(err)) from None
    torch.manual_seed(args.seed)
    models = {"fast": UnifiedSupernet(space, fast=True).to(device)}
    models["reference"] = copy.deepcopy(models["fast"])
    models["reference"].fast = False
    optimizers = {
        name: torch.optim.SGD(model.parameters(), lr=0.045, momentum=0.9, weight_decay=4e-5)
        for name, model in models.items()
    }
    generator = torch.Generator().manual_seed(args.seed)
    images = torch.randn(args.batch, space.in_channels, space.resolution, space.resolution, generator=generator)
    labels = torch.randint(0, space.num_classes, (args.batch,), generator=generator)
    batch = (images.to(device), labels.to(device))
    sampler = UniformSampler(space.num_layers, args.seed, forced_sampling=False)
    warmup = sampler.next_step()[0]
    paths = [[sampler.next_step()[0] for _ in range(args.steps)] for _ in range(args.repeats)]

    print(f"supernet benchmark: CIFAR space width {space.width:g}, {space.resolution}x{space.resolution}, "
          f"batch {args.batch}, device {device}, torch threads {torch.get_num_threads()}, "
          f"{args.repeats} repeats x {args.steps} steps, uniform random paths (forced sampling off)")
    difference = numerics(models["fast"], models["reference"], batch, warmup)
    print("max |fast - reference| / max |reference| on one path: "
          + ", ".join(f"{k} {v:.2e}" for k, v in difference.items()))
    memory = {name: saved_activation_bytes(model, batch[0], warmup) / 2**20 for name, model in models.items()}
    for name, model in models.items():
        _train_step(model, optimizers[name], batch, warmup)

    seconds: dict[str, list[float]] = {name: [] for name in models}
    peak_gpu: dict[str, float] = {}
    for repeat, block in enumerate(progress(paths, desc="repeats", leave=False)):
        order = list(models) if repeat % 2 == 0 else list(reversed(models))
        for name in order:
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            _synchronize(device)
            start = time.perf_counter()
            for arch in block:
                _train_step(models[name], optimizers[name], batch, arch)
            _synchronize(device)
            seconds[name].append((time.perf_counter() - start) / len(block))
            if device.type == "cuda":
                peak_gpu[name] = max(peak_gpu.get(name, 0.0), torch.cuda.max_memory_allocated(device) / 2**20)

    medians = {name: statistics.median(values) for name, values in seconds.items()}
    for name in models:
        gpu = f", peak GPU allocation {peak_gpu[name]:.1f} MiB" if name in peak_gpu else ""
        print(f"{name:>9}: median {medians[name] * 1000:8.1f} ms/step = {args.batch / medians[name]:7.1f} images/s "
              f"(repeats: {', '.join(f'{s * 1000:.0f}' for s in seconds[name])} ms); "
              f"activations saved for backward {memory[name]:.1f} MiB{gpu}")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    speedup = medians["reference"] / medians["fast"]
    if args.json:
        atomic_write_json(args.json, {
            "space": space.describe(), "batch": args.batch, "device": str(device), "threads": torch.get_num_threads(),
            "repeats": args.repeats, "steps": args.steps, "seconds_per_step": seconds, "median_seconds": medians,
            "saved_activation_mib": memory, "peak_gpu_mib": peak_gpu, "numerics": difference,
            "speedup": speedup, "environment": environment(),
        })
    print(f"fused_vs_reference_speedup={speedup:.2f}")
    return 0
