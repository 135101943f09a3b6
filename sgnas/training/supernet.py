"""Supernet training on any space with any path sampler (SGNAS supp. A.2; FairNAS strict fairness by default).

One optimizer step per batch: the sampler's ``next_step()`` yields the paths
(m paths under strict fairness, one under uniform sampling), each runs forward
(``supernet(images, arch)``) and backward on the *same* batch, gradients
accumulate (summed, as FairNAS and the official code do, or averaged over the
paths: ``supernet.path_gradients``), are clipped where ``supernet.grad_clip``
asks, then SGD with momentum steps once and the cosine schedule advances. After
every epoch the caller's fixed validation architectures (for the unified space
always including the smallest and the largest,
:func:`sgnas.spaces.unified.supernet.files.validation_architectures`) are
validated with recalibrated BN statistics, which are restored afterwards so
validation never changes training.

The trainer knows nothing of the space beyond what its arguments carry: the
supernet, the sampler, the cost model (for the validated architectures' MACs),
the architectures to validate and the space's ``describe()``/``num_classes``.
Every space trains with it: the unified space's pipeline (the paper's recipe),
the NAS-Bench-201 track (its benchmark's weight-sharing protocol: Nesterov,
gradients averaged over paths and clipped at 5) and any space a plugin adds.

The results say whether the supernet learned at all: per validation
architecture and for their mean, the images scored, top-1 and its 95% Wilson
interval, beside chance (100 / classes %); ``learned`` is the mean's lower
bound above chance (:func:`validation_summary`). The mean's interval counts
the validation images once, not once per architecture: every architecture is
scored on the same images, so their hits are not independent, and pooling
them would overstate the precision. The final training loss is the mean of
the last :data:`FINAL_LOSS_RECORDS` logged training losses (a uniform guess
scores ln(classes)).

Checkpoints, every ``checkpoint_every`` steps and at each epoch end, hold the
model, optimizer, scheduler, sampler and RNG states and the position in the
data order (epoch, batch index); batches are a pure function of (seed, epoch,
index) (:mod:`sgnas.data`), so a resumed run ends with exactly the weights of
an uninterrupted one on the CPU. Checkpoints also carry the run's total wall
seconds and supernet forward passes (paths x batches) so far, so the results
report the whole cost of a run however often it was resumed.

Under ``torchrun`` every rank trains on its slice of each global batch with the
same paths, and gradients are averaged once per step
(:mod:`sgnas.training.distributed`); only rank 0 writes. A sampler with an
``attach`` method (ProxylessNAS's gates, ``supernet.sampler=proxyless``) is
given the supernet, held-out batches (the generator-validation split, whole on
every rank so that all ranks update their gates alike), the cost model and a
MACs target when the trainer is built.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn as nn

from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress as make_progress
from sgnas._infra.runs import COUNT, ResultValue, RunDir, nullable, number
from sgnas.config.schema import SupernetConfig
from sgnas.data import BatchSource
from sgnas.supernet.ranking import binomial_interval
from sgnas.supernet.top1 import evaluate_counts
from sgnas.training.checkpoint import RunCost, load_checkpoint, rng_state, save_checkpoint, set_rng_state
from sgnas.training.distributed import Distributed, Precision
from sgnas.training.divergence import check_loss
from sgnas.training.schedules import LRFactor

__all__ = [
    "FINAL_LOSS_RECORDS", "VALIDATION_SUMMARY", "StepSampler", "SupernetTrainer", "validation_problem",
    "validation_summary",
]

#: logged training losses (every 20 steps and at epoch ends) averaged into the final training loss
FINAL_LOSS_RECORDS = 5


class StepSampler(Protocol):
    """What the trainer asks of a sampler (the unified space's :mod:`sgnas.training.samplers`, the grid samplers of
    :mod:`sgnas.training.grid_samplers`): the paths of the next step, and its state, so a resumed run draws exactly
    the paths an uninterrupted one would."""

    def next_step(self) -> list[Any]: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


def _top1_interval(correct: int, images: int) -> dict[str, float | int]:
    low, high = binomial_interval(correct, images)
    return {"images": images, "top1": 100.0 * correct / images, "top1_low": 100.0 * low, "top1_high": 100.0 * high}


def validation_summary(archs: Sequence[str], correct: Sequence[int], images: int, num_classes: int) -> dict[str, Any]:
    """Per validation architecture and for their mean: images, top-1 and its 95% Wilson interval (%), chance,
    and ``learned``: the mean's lower bound above chance (the mean's interval counts the images once)."""
    if not archs or len(archs) != len(correct):
        raise SgnasError(f"validation summary of {len(archs)} architectures and {len(correct)} hit counts")
    chance = 100.0 / num_classes
    mean = _top1_interval(int(round(float(np.mean(correct)))), images)
    mean["top1"] = 100.0 * float(np.mean(correct)) / images
    return {
        "chance_top1": chance,
        "archs": [{"arch": arch, "correct": int(hits), **_top1_interval(int(hits), images)}
                  for arch, hits in zip(archs, correct)],
        "mean": mean,
        "learned": bool(mean["top1_low"] > chance),
    }


def _wrong(path: str, value: Any, what: str) -> str:
    return f"{path} is {json.dumps(value)[:40]}, not {what}"


def _interval_problem(path: str, value: Any) -> str | None:
    """What is wrong with one top-1 and its interval (images, top1, top1_low <= top1 <= top1_high, in %)."""
    if not isinstance(value, dict):
        return _wrong(path, value, "an object with images and top-1s")
    if not COUNT.ok(value.get("images")) or value["images"] == 0:
        return _wrong(f"{path}.images", value.get("images"), "a positive integer")
    percent = number(0, 100)
    for key in ("top1", "top1_low", "top1_high"):
        if not percent.ok(value.get(key)):
            return _wrong(f"{path}.{key}", value.get(key), percent.wording)
    if not value["top1_low"] <= value["top1"] <= value["top1_high"]:
        return (f"{path}.top1 is {value['top1']:g}, not within its interval "
                f"[{value['top1_low']:g}, {value['top1_high']:g}]")
    return None


def validation_problem(value: Any) -> str | None:
    """What is wrong with a :func:`validation_summary` read back, as ``.PATH is VALUE, not WHAT``; None when
    it is one: the types and ranges of every field, and that its numbers agree (each top-1 is its hit count over
    its images, ``learned`` is the mean's lower bound above chance), so an edited flag cannot turn a supernet at
    chance into one that learned."""
    if not isinstance(value, dict):
        return _wrong("", value, "a validation summary (an object with chance_top1, archs, mean, learned)")
    chance = value.get("chance_top1")
    if not number(0, 100).ok(chance) or chance == 0:
        return _wrong(".chance_top1", chance, "a percentage above 0 and at most 100")
    archs = value.get("archs")
    if not isinstance(archs, list) or not archs:
        return _wrong(".archs", archs, "a non-empty list of validated architectures")
    for index, arch in enumerate(archs):
        path = f".archs[{index}]"
        problem = _interval_problem(path, arch)
        if problem is not None:
            return problem
        if not isinstance(arch.get("arch"), str) or not arch["arch"]:
            return _wrong(f"{path}.arch", arch.get("arch"), "an architecture string")
        correct = arch.get("correct")
        if not COUNT.ok(correct) or correct > arch["images"]:
            return _wrong(f"{path}.correct", correct, f"a hit count from 0 to its {arch['images']} images")
        if not math.isclose(arch["top1"], 100.0 * correct / arch["images"], abs_tol=1e-6):
            return _wrong(f"{path}.top1", arch["top1"], f"its {correct} hits of {arch['images']} images in %")
    problem = _interval_problem(".mean", value.get("mean"))
    if problem is not None:
        return problem
    learned = value.get("learned")
    if learned is not (value["mean"]["top1_low"] > chance):
        return _wrong(".learned", learned, f"whether the mean's lower bound {value['mean']['top1_low']:g}% is "
                                           f"above chance {chance:g}%")
    return None


#: what a supernet run's ``validation`` result must be: null (no epoch validated yet) or a
#: :func:`validation_summary`; its numbers are what the tables' "did it learn" check reads
VALIDATION_SUMMARY = nullable(ResultValue.nested("a validation summary", validation_problem))


class SupernetTrainer:
    """Trains ``supernet`` on ``train`` batches with ``sampler`` per ``config``; resumable step by step."""

    def __init__(
        self,
        supernet: nn.Module,
        sampler: StepSampler,
        train: BatchSource,
        val: BatchSource,
        calib: BatchSource,
        config: SupernetConfig,
        preset: str,
        seed: int,
        space: Any,
        cost_model: Any,
        val_archs: Sequence[Any],
        run: RunDir | None = None,
        held_out: Sequence[tuple[torch.Tensor, torch.Tensor]] | None = None,
        target_macs: float | None = None,
        dist: Distributed | None = None,
        precision: Precision | None = None,
        lr_key: str = "supernet.lr",
    ) -> None:
        """``space`` is the supernet's space (its ``describe()`` names checkpoints, its ``num_classes`` gives
        chance), ``cost_model`` its cost model, ``val_archs`` the architectures validated after every epoch (at
        least one); ``run`` is where to write (rank 0 only); ``held_out`` and ``target_macs`` go to a sampler's
        ``attach``; ``lr_key`` is the setting a divergence message tells the user to lower."""
        if not val_archs:
            raise SgnasError("supernet training needs at least one architecture to validate")
        self.supernet, self.sampler, self.config = supernet, sampler, config
        self.train_batches, self.val_batches, self.calib_batches = train, val, calib
        self.preset, self.seed, self.run = preset, seed, run
        self.space, self.cost_model, self.val_archs, self.lr_key = space, cost_model, list(val_archs), lr_key
        self.identity = {"space": space.describe(), "preset": preset}
        self.dist = dist or Distributed()
        self.precision = precision or Precision("off", next(supernet.parameters()).device)
        if hasattr(sampler, "attach"):
            if held_out is None or target_macs is None:
                raise SgnasError(f"sampler {type(sampler).__name__} needs held-out batches and a MACs target")
            sampler.attach(supernet, held_out, self.cost_model, target_macs)
        self.steps_per_epoch = len(train)
        self.total_steps = config.epochs * self.steps_per_epoch
        self.optimizer = torch.optim.SGD(
            supernet.parameters(), lr=config.lr, momentum=config.momentum,
            weight_decay=config.weight_decay, nesterov=config.nesterov,
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, LRFactor("cosine", self.total_steps, self.steps_per_epoch, warmup_steps=config.warmup_steps)
        )
        self.criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
        self.global_step = 0
        self.history: list[dict[str, Any]] = []
        #: the last logged training losses, for the run's final training loss
        self.recent_losses: list[float] = []
        #: supernet forward passes (paths x batches) and wall seconds of the run, over all its sessions
        self.cost = RunCost()


    # --- checkpoints ---------------------------------------------------------------
    def _payload(self) -> dict[str, Any]:
        return {
            "kind": "supernet-training",
            **self.identity,
            "model": self.supernet.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "sampler": self.sampler.state_dict(),
            "rng": rng_state(),
            "global_step": self.global_step,
            "history": self.history,
            "recent_losses": self.recent_losses,
            **self.cost.state_dict(),
            "precision": self.precision.state_dict(),
            **(self.run.resume_point() if self.run is not None else {}),
        }

    def save(self, path: str | Path) -> None:
        save_checkpoint(path, self._payload())

    def resume(self, path: str | Path, payload: dict[str, Any] | None = None) -> None:
        """Continue from a training checkpoint of the same space and preset (``payload``: it, already loaded from
        ``path``, as :func:`sgnas.spaces.unified.supernet.files.load_training_checkpoint` does for a ``--resume``)."""
        if payload is None:
            payload = load_checkpoint(path, "supernet-training", self.identity["space"], self.preset)
        try:
            self.supernet.load_state_dict(payload["model"])
            self.optimizer.load_state_dict(payload["optimizer"])
        except (RuntimeError, ValueError, KeyError) as err:
            raise SgnasError(f"checkpoint {path} does not fit this supernet: {str(err).splitlines()[0]}") from None
        self.scheduler.load_state_dict(payload["scheduler"])
        self.sampler.load_state_dict(payload["sampler"])
        set_rng_state(payload["rng"])
        self.global_step = int(payload["global_step"])
        self.history = list(payload["history"])
        self.recent_losses = list(payload.get("recent_losses", []))
        self.cost.load_state_dict(payload)
        self.precision.load_state_dict(payload.get("precision"))

    def export(self, path: str | Path, **build: Any) -> None:
        """The trained supernet alone (what the generator and the search strategies load), with ``build``: what
        its space needs, beside the weights, to build the model again."""
        save_checkpoint(path, {
            "kind": "supernet",
            **self.identity,
            **build,
            "model": self.supernet.state_dict(),
            "history": self.history,
        })

    # --- training ---------------------------------------------------------------------
    def validate(self, epoch: int) -> list[dict[str, Any]]:
        """Top-1 of the fixed architectures after BN recalibration; the BN statistics are restored after."""
        from sgnas.supernet.bn_recalibration import preserved_bn_statistics, recalibrate_bn

        records = []
        calib_steps = min(self.config.calib_batches, len(self.calib_batches))
        for index, arch in enumerate(self.val_archs):
            with preserved_bn_statistics(self.supernet):
                recalibrate_bn(self.supernet, arch, self.calib_batches.epoch(0), calib_steps)
                correct, _, seen = evaluate_counts(self.supernet, self.val_batches.epoch(0), arch,
                                                   self.config.val_batches, self.dist)
            records.append({"event": "val", "epoch": epoch, "arch_index": index, "arch": arch.to_string(),
                            "macs_m": self.cost_model.macs(arch) / 1e6, "top1": 100.0 * correct / seen,
                            "correct": correct, "images": seen})
        return records

    def _log(self, record: dict[str, Any]) -> None:
        if self.run is not None:
            self.run.log(record)

    def _log_session(self, steps: int, seconds: float) -> None:
        """What this call did, for timing: steps, wall seconds (validation included), steps per epoch."""
        self._log({"event": "session", "steps": steps, "seconds": seconds, "steps_per_epoch": self.steps_per_epoch,
                   "global_step": self.global_step})

    def _checkpoint(self) -> None:
        """Every rank takes part (BN statistics are averaged over the ranks); rank 0 writes."""
        self.dist.average_buffers(self.supernet)
        if self.run is not None:
            self.save(self.run.checkpoint_path)

    def train(self, max_steps: int | None = None) -> dict[str, Any] | None:
        """Train to the end (results) or for at most ``max_steps`` more steps (None; a checkpoint is kept)."""
        self.supernet.train()
        done_here = 0
        start_time = time.perf_counter()
        progress = make_progress(total=self.total_steps, initial=self.global_step, desc="supernet", unit="step",
                        disable=None if self.dist.is_main else True)
        try:
            while self.global_step < self.total_steps:
                epoch, start = divmod(self.global_step, self.steps_per_epoch)
                for images, labels in self.train_batches.epoch(epoch, start):
                    if max_steps is not None and done_here >= max_steps:
                        self._log_session(done_here, time.perf_counter() - start_time)  # kept by the checkpoint
                        self._checkpoint()
                        return None
                    loss = self._step(images, labels)
                    self.global_step += 1
                    done_here += 1
                    progress.set_postfix(epoch=epoch, loss=f"{loss:.3f}")
                    progress.update(1)
                    if self.global_step % 20 == 0 or self.global_step % self.steps_per_epoch == 0:
                        loss = self.dist.mean(loss, images.device)  # every rank reaches this step: a collective
                        self.recent_losses = [*self.recent_losses, float(loss)][-FINAL_LOSS_RECORDS:]
                        self._log({"event": "train", "step": self.global_step, "epoch": epoch, "loss": loss,
                                   "lr": self.scheduler.get_last_lr()[0],
                                   "seconds": time.perf_counter() - start_time})
                    at_epoch_end = self.global_step % self.steps_per_epoch == 0
                    if at_epoch_end:
                        records = self.validate(epoch)
                        for record in records:
                            self._log(record)
                        self.history.append({"epoch": epoch, "val": [r["top1"] for r in records],
                                             "correct": [r["correct"] for r in records],
                                             "images": records[-1]["images"]})
                    if at_epoch_end or (self.config.checkpoint_every and self.global_step % self.config.checkpoint_every == 0):
                        self._checkpoint()
        finally:
            progress.close()
        seconds = time.perf_counter() - start_time
        self._log_session(done_here, seconds)
        return {
            "steps": self.global_step,
            "epochs": self.config.epochs,
            "steps_per_epoch": self.steps_per_epoch,
            "seconds_this_session": seconds,
            "wall_seconds": self.cost.wall_seconds,
            "forward_passes": self.cost.forward_passes,
            "world_size": self.dist.world_size,
            "final_val": self.history[-1]["val"] if self.history else [],
            "val_archs": [a.to_string() for a in self.val_archs],
            "final_train_loss": float(np.mean(self.recent_losses)) if self.recent_losses else None,
            "validation": self._validation(),
        }

    def _validation(self) -> dict[str, Any] | None:
        """:func:`validation_summary` of the last epoch's validation (None before the first, or from an old
        checkpoint whose history has no hit counts)."""
        last = self.history[-1] if self.history else {}
        if "correct" not in last:
            return None
        return validation_summary([a.to_string() for a in self.val_archs], last["correct"], last["images"],
                                  self.space.num_classes)

    def _step(self, images: torch.Tensor, labels: torch.Tensor) -> float:
        """One optimizer step: every path forward and backward on the batch, gradients averaged over ranks."""
        self.optimizer.zero_grad(set_to_none=True)
        total = 0.0
        # Every rank draws (keeping its sampler's state in step), and runs rank 0's draw.
        paths = self.dist.broadcast(self.sampler.next_step())
        share = len(paths) if self.config.path_gradients == "mean" else 1
        for arch in paths:
            with self.precision.autocast():
                loss = self.criterion(self.supernet(images, arch), labels)
            self.precision.backward(loss / share if share > 1 else loss)
            total += loss.item()
        check_loss(total, "supernet training", self.global_step + 1, self.lr_key)
        self.dist.average_gradients(self.supernet.parameters())
        if self.config.grad_clip > 0:
            self.precision.unscale(self.optimizer)
            nn.utils.clip_grad_norm_(self.supernet.parameters(), self.config.grad_clip)
        self.precision.step(self.optimizer)
        self.scheduler.step()
        self.cost.forward_passes += len(paths)
        return total / len(paths)
