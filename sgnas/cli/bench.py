"""``sgnas bench supernet``: training-step throughput of the fast supernet path, the reference path, the
stand-alone timm model and the generator's relaxed step.

Every implementation starts from the same weights and trains, in one process,
on the same synthetic batch and the same sequence of uniformly random paths
(forced sampling off, so arbitrary arrangements are included): forward,
cross-entropy, backward, SGD step.

* ``fast``: :class:`sgnas.spaces.unified.supernet.UnifiedSupernet`, fused single paths;
* ``reference``: the same model with ``fast=False``, every sub-block computed;
* ``timm``: the path exported as a stand-alone timm model (one per path, built
  before the clock starts; channels-last on a CPU, timm's fastest there): what
  a plain network of the same architecture costs, the floor PyTorch's own ops set;
* ``relaxed``: the generator's step, the supernet's relaxed forward on soft
  op weights (the generator's relaxation of random logits at tau 1) and backward to them,
  the supernet frozen.

Timed blocks of steps alternate between them (the order flips every repeat,
so none always runs on a warmer or a quieter machine); the medians of the
repeats are compared and printed as milliseconds per step, images per second
and ratios to ``fast``. ``--preset`` takes the width, resolution and batch of a
preset (``proxy``: the quick plan's supernets) unless given.

Also printed: the largest output and gradient differences of fast and
reference on one path, relative to the reference's largest value (they compute
the same function; see :func:`numerics` for why train mode is compared in
float64), and the activation memory each keeps for backward (bytes of the
tensors autograd saves, each storage once), with the GPU's peak allocation on
CUDA. The last line is ``fused_vs_reference_speedup=X.XX``.
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
from sgnas.spaces.unified.choices import relax
from sgnas.spaces.unified.space import OPS, SUB_BLOCKS, get_space
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
    parser.add_argument("--preset", default=None,
                        help="take width, resolution and batch from this preset (e.g. proxy) unless given")
    parser.add_argument("--batch", type=int, default=None, help="batch size (default 64)")
    parser.add_argument("--repeats", type=int, default=5, help="timed blocks per implementation (default 5)")
    parser.add_argument("--steps", type=int, default=2, help="training steps per timed block (default 2)")
    parser.add_argument("--width", type=float, default=None, help="width multiplier of the CIFAR space (default 1.0)")
    parser.add_argument("--resolution", type=int, default=None, help="input resolution (default 32)")
    parser.add_argument("--no-timm", dest="timm", action="store_false", help="leave out the stand-alone timm model")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, data and paths (default 0)")
    parser.add_argument("--json", metavar="PATH", help="also write the results to this JSON file")
    parser.set_defaults(func=run)


def _settings(args: argparse.Namespace) -> None:
    """Width, resolution and batch: as given, else the preset's (``--preset``), else 1.0, 32 and 64."""
    defaults = {"width": 1.0, "resolution": 32, "batch": 64}
    if args.preset is not None:
        from sgnas.config.presets import load_preset

        config = load_preset(args.preset)
        if config.space.name != "cifar":
            raise SgnasError(f"--preset {args.preset}: the benchmark runs the CIFAR space, the preset's space is "
                             f"{config.space.name}")
        defaults = {"width": config.space.width, "resolution": config.space.resolution,
                    "batch": config.supernet.batch_size}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)


def _check(args: argparse.Namespace) -> None:
    _settings(args)
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


def _timm_steps(space: Any, archs: list[Architecture], device: torch.device, seed: int) -> dict[Architecture, Any]:
    """Per path, its stand-alone timm model (channels-last on a CPU) and an optimizer like the supernet's."""
    from sgnas.export.timm import export_timm

    torch.manual_seed(seed)
    models = {}
    for arch in archs:
        model = export_timm(arch, space).to(device)
        if device.type == "cpu":
            model = model.to(memory_format=torch.channels_last)
        models[arch] = (model, torch.optim.SGD(model.parameters(), lr=0.045, momentum=0.9, weight_decay=4e-5))
    return models


def _relaxed_step(supernet: UnifiedSupernet, images: torch.Tensor, labels: torch.Tensor, logits: torch.Tensor) -> None:
    """The generator's step on the frozen supernet: soft op weights, relaxed forward, backward to the weights."""
    logits = logits.detach().requires_grad_(True)
    weights = relax(logits, 1.0, forced_sampling=False)  # the generator's relaxation, its masks included
    F.cross_entropy(supernet.forward_relaxed(images, weights), labels).backward()


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
    frozen = copy.deepcopy(models["fast"]).requires_grad_(False)
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
    timm = _timm_steps(space, [warmup, *(a for block in paths for a in block)], device, args.seed) if args.timm else {}
    relaxed_logits = {arch: torch.randn(space.num_layers, SUB_BLOCKS, len(OPS), generator=generator).to(device)
                      for arch in [warmup, *(a for block in paths for a in block)]}

    def step(name: str, arch: Architecture) -> None:
        if name == "timm":
            model, optimizer = timm[arch]
            optimizer.zero_grad(set_to_none=True)
            source = batch[0].contiguous(memory_format=torch.channels_last) if device.type == "cpu" else batch[0]
            F.cross_entropy(model(source), batch[1]).backward()
            optimizer.step()
        elif name == "relaxed":
            _relaxed_step(frozen, *batch, relaxed_logits[arch])
        else:
            _train_step(models[name], optimizers[name], batch, arch)

    names = [*models, *(["timm"] if args.timm else []), "relaxed"]
    print(f"supernet benchmark: CIFAR space width {space.width:g}, {space.resolution}x{space.resolution}, "
          f"batch {args.batch}, device {device}, torch threads {torch.get_num_threads()}, "
          f"{args.repeats} repeats x {args.steps} steps, uniform random paths (forced sampling off)")
    difference = numerics(models["fast"], models["reference"], batch, warmup)
    print("max |fast - reference| / max |reference| on one path: "
          + ", ".join(f"{k} {v:.2e}" for k, v in difference.items()))
    memory = {name: saved_activation_bytes(model, batch[0], warmup) / 2**20 for name, model in models.items()}
    for name in names:
        step(name, warmup)

    seconds: dict[str, list[float]] = {name: [] for name in names}
    peak_gpu: dict[str, float] = {}
    for repeat, block in enumerate(progress(paths, desc="repeats", leave=False)):
        for name in names if repeat % 2 == 0 else list(reversed(names)):
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            _synchronize(device)
            start = time.perf_counter()
            for arch in block:
                step(name, arch)
            _synchronize(device)
            seconds[name].append((time.perf_counter() - start) / len(block))
            if device.type == "cuda":
                peak_gpu[name] = max(peak_gpu.get(name, 0.0), torch.cuda.max_memory_allocated(device) / 2**20)

    medians = {name: statistics.median(values) for name, values in seconds.items()}
    images_per_second = {name: args.batch / median for name, median in medians.items()}
    for name in names:
        gpu = f", peak GPU allocation {peak_gpu[name]:.1f} MiB" if name in peak_gpu else ""
        saved = f"; activations saved for backward {memory[name]:.1f} MiB" if name in memory else ""
        print(f"{name:>9}: median {medians[name] * 1000:8.1f} ms/step = {images_per_second[name]:7.1f} images/s, "
              f"{images_per_second[name] / images_per_second['fast']:.2f}x fast "
              f"(repeats: {', '.join(f'{s * 1000:.0f}' for s in seconds[name])} ms){saved}{gpu}")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    speedup = medians["reference"] / medians["fast"]
    if args.json:
        atomic_write_json(args.json, {
            "space": space.describe(), "batch": args.batch, "device": str(device), "threads": torch.get_num_threads(),
            "repeats": args.repeats, "steps": args.steps, "seconds_per_step": seconds, "median_seconds": medians,
            "images_per_second": images_per_second, "saved_activation_mib": memory, "peak_gpu_mib": peak_gpu,
            "numerics": difference, "speedup": speedup, "environment": environment(),
        })
    print(f"fused_vs_reference_speedup={speedup:.2f}")
    return 0
