"""Weight-sharing supernet training on any space with any path sampler, resumable at epoch boundaries.

Per optimizer step the sampler gives the architectures of the step (one
uniform path for SPOS / RSPS, one path per op for strict fairness: the grid
samplers of :mod:`sgnas.training.grid_samplers`); each runs forward and
backward on the same batch (``supernet(images, arch)``) and the gradients
accumulate (averaged over the paths) before one SGD step with Nesterov
momentum, weight decay and a cosine schedule, gradients clipped at norm 5, as
NAS-Bench-201's weight-sharing searches train. After every epoch a checkpoint
(weights, optimizer, schedule, sampler state, RNG, cost so far) lets an
interrupted run continue with exactly the steps it would have taken.

The unified space's trainer (:mod:`sgnas.training.supernet`) adds what the
paper's ImageNet runs need (validation architectures, step checkpoints,
torchrun, AMP, gates); this loop is what every other space trains with.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from sgnas._infra.runs import RunDir
from sgnas.data import BatchSource
from sgnas.training.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from sgnas.training.divergence import check_loss

__all__ = ["PathTrainConfig", "train_paths"]


@dataclass(frozen=True)
class PathTrainConfig:
    """Optimisation of the supernet (defaults: NAS-Bench-201's weight-sharing searches, shortened by a plan)."""

    epochs: int = 1
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    grad_clip: float = 5.0


def _optimizer(supernet: nn.Module, config: PathTrainConfig, steps: int) -> tuple[Any, Any]:
    optimizer = torch.optim.SGD(supernet.parameters(), lr=config.lr, momentum=config.momentum,
                                weight_decay=config.weight_decay, nesterov=True)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, steps) / max(1, steps))))
    return optimizer, schedule


def train_paths(
    supernet: nn.Module, sampler: Any, batches: BatchSource, config: PathTrainConfig,
    run: RunDir | None = None, kind: str = "supernet-paths",
) -> dict[str, Any]:
    """Train ``supernet`` in place with ``sampler`` (``next_step()``: the architectures of a step, with
    ``state_dict``/``load_state_dict``); with ``run``, checkpoint (of ``kind``) after every epoch and resume from it.

    Returns the run's summary: epochs, steps, paths trained, final loss, wall seconds over all sessions.
    """
    steps_per_epoch = len(batches)
    optimizer, schedule = _optimizer(supernet, config, config.epochs * steps_per_epoch)
    state = {"epoch": 0, "steps": 0, "paths": 0, "seconds": 0.0, "loss": math.nan}
    checkpoint = run.checkpoint_path if run is not None else None
    if checkpoint is not None and Path(checkpoint).exists():
        payload = load_checkpoint(checkpoint, kind)
        supernet.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
        schedule.load_state_dict(payload["schedule"])
        sampler.load_state_dict(payload["sampler"])
        set_rng_state(payload["rng"])
        state = payload["state"]
    device = next(supernet.parameters()).device
    supernet.train()
    while state["epoch"] < config.epochs:
        start, total = time.perf_counter(), 0.0
        for images, labels in batches.epoch(state["epoch"]):
            paths = sampler.next_step()
            optimizer.zero_grad(set_to_none=True)
            loss_sum = 0.0
            for path in paths:
                loss = F.cross_entropy(supernet(images.to(device), path), labels.to(device)) / len(paths)
                loss.backward()
                loss_sum += loss.item()
            check_loss(loss_sum, "supernet training", state["steps"] + 1, "the plan's lr")
            nn.utils.clip_grad_norm_(supernet.parameters(), config.grad_clip)
            optimizer.step()
            schedule.step()
            state["steps"] += 1
            state["paths"] += len(paths)
            total += loss_sum
        state["epoch"] += 1
        state["loss"] = total / max(1, steps_per_epoch)
        state["seconds"] += time.perf_counter() - start
        if run is not None:
            run.log({"event": "supernet_epoch", "epoch": state["epoch"], "loss": state["loss"],
                     "seconds": state["seconds"]})
            save_checkpoint(checkpoint, {
                "kind": kind, "model": supernet.state_dict(), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "sampler": sampler.state_dict(), "rng": rng_state(),
                "state": dict(state), **run.resume_point(),
            })
    return dict(state)
