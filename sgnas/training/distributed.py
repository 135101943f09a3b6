"""Data-parallel training under ``torchrun`` and mixed precision on CUDA, for every training loop.

``torchrun --nproc_per_node 8 -m sgnas.cli train-supernet --preset paper --data-dir /imagenet``
starts one process per GPU; each finds ``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK``
in its environment and :func:`init_distributed` joins the process group
(``env://``; NCCL on CUDA, Gloo on the CPU). Without ``WORLD_SIZE`` (or with 1)
nothing is initialised and every helper here is a no-op, so single-process runs
are unchanged.

The scheme is plain synchronous data parallelism done by hand rather than with
``DistributedDataParallel``: a supernet step runs several paths, each touching
different parameters, and DDP's bucketed all-reduce assumes one forward per
step over a fixed graph. Here every rank runs the same paths (the sampler is
seeded identically everywhere, and rank 0's paths are broadcast all the same)
on its slice of the global batch, gradients accumulate locally over the paths,
and :meth:`Distributed.average_gradients` all-reduces them once before the
optimizer step. With a global batch split in equal slices, this is gradient
descent on the global batch, except that BatchNorm normalises each slice by
its own statistics (as DDP without SyncBatchNorm does). BN running statistics
are averaged across ranks before a checkpoint, so every rank holds the same state
and rank 0 writes it. Only rank 0 writes files.

:class:`Precision` wraps ``torch.autocast`` (bf16, or fp16 with a ``GradScaler``)
on CUDA; on the CPU it is off whatever the config says.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
import torch.nn as nn

from sgnas._infra.errors import SgnasError

__all__ = ["Distributed", "Precision", "init_distributed", "is_main_process", "resolve_device"]


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """``auto`` -> CUDA when available, else CPU; ``cuda`` under torchrun -> this process's GPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise SgnasError(f"device {name} requested but CUDA is not available")
    if name == "cuda":
        return torch.device("cuda", local_rank)
    if not re.fullmatch(r"cpu|cuda:\d+", name):  # meta, mps, tpu...: devices the training code does not run on
        raise SgnasError(f"device {name!r} is not one this runs on; expected auto, cpu, cuda or cuda:N")
    return torch.device(name)


@dataclass(frozen=True)
class Distributed:
    """This process's place in the process group (rank 0 of 1 when not distributed)."""

    rank: int = 0
    world_size: int = 1

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()

    def average_gradients(self, parameters: Iterator[nn.Parameter] | Sequence[nn.Parameter]) -> None:
        """All-reduce the mean of every gradient; a parameter no path used gets zeros on every rank alike.

        All ranks ran the same paths, so the same parameters have gradients everywhere;
        they are flattened into one buffer per dtype and reduced in a single call.
        """
        if not self.enabled:
            return
        grads = [p.grad for p in parameters if p.grad is not None]
        for dtype in {g.dtype for g in grads}:
            same = [g for g in grads if g.dtype == dtype]
            flat = torch.cat([g.reshape(-1) for g in same])
            dist.all_reduce(flat)
            flat /= self.world_size
            offset = 0
            for g in same:
                g.copy_(flat[offset : offset + g.numel()].view_as(g))
                offset += g.numel()

    def average_buffers(self, module: nn.Module) -> None:
        """Average floating-point buffers (BN running statistics) so that every rank holds the same state."""
        if not self.enabled:
            return
        for buffer in module.buffers():
            if buffer.is_floating_point():
                dist.all_reduce(buffer)
                buffer /= self.world_size

    def reduce_sum(self, values: Sequence[float], device: torch.device | str = "cpu") -> list[float]:
        """Element-wise sum of ``values`` over the ranks (counts for accuracies, losses for means)."""
        if not self.enabled:
            return [float(v) for v in values]
        tensor = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device)
        dist.all_reduce(tensor)
        return tensor.tolist()

    def mean(self, value: float, device: torch.device | str = "cpu") -> float:
        return self.reduce_sum([value], device)[0] / self.world_size

    def broadcast(self, value: Any) -> Any:
        """Rank 0's ``value`` on every rank (any picklable object)."""
        if not self.enabled:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]


def is_main_process() -> bool:
    """Rank 0, or not distributed at all: the process that reports."""
    return not dist.is_initialized() or dist.get_rank() == 0


def init_distributed(device: str) -> tuple[Distributed, torch.device]:
    """Join the torchrun process group when ``WORLD_SIZE`` > 1; this process's rank and device."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return Distributed(), resolve_device(device)
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    resolved = resolve_device(device, local_rank)
    if not dist.is_initialized():
        backend = "nccl" if resolved.type == "cuda" else "gloo"
        if resolved.type == "cuda":
            torch.cuda.set_device(resolved)
        dist.init_process_group(backend, init_method="env://")
    return Distributed(dist.get_rank(), dist.get_world_size()), resolved


class Precision:
    """Autocast and (for fp16) gradient scaling on CUDA; a pass-through elsewhere or when ``amp`` is off."""

    def __init__(self, amp: str, device: torch.device) -> None:
        if amp not in ("off", "bf16", "fp16"):
            raise SgnasError(f"amp must be off, bf16 or fp16, not {amp!r}")
        self.enabled = amp != "off" and device.type == "cuda"
        self.dtype = torch.float16 if amp == "fp16" else torch.bfloat16
        self.device_type = device.type
        self.scaler = torch.amp.GradScaler("cuda") if self.enabled and amp == "fp16" else None

    def autocast(self) -> contextlib.AbstractContextManager:
        if not self.enabled:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    def backward(self, loss: torch.Tensor) -> None:
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()

    def unscale(self, optimizer: torch.optim.Optimizer) -> None:
        """Bring scaled fp16 gradients back to their true scale (before clipping them); a no-op otherwise."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)

    def step(self, optimizer: torch.optim.Optimizer) -> None:
        if self.scaler is None:
            optimizer.step()
            return
        self.scaler.step(optimizer)
        self.scaler.update()

    def state_dict(self) -> dict[str, Any]:
        return self.scaler.state_dict() if self.scaler is not None else {}

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)
