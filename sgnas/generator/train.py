"""Training the architecture generator once over a frozen supernet (SGNAS supp. A.3; official ``utils/generator.py``).

Per batch of the generator-validation split (the held-out images of supp. A.1):
draw one target T from the cycle of targets (``range(low, high, step)`` in a
shuffled order, plus uniform jitter, as the official code, see
:class:`TargetCycle`), take its prior,
generate logits, take a soft Gumbel-softmax sample at the epoch's tau (under
forced sampling reordered into the canonical arrangement, see
:mod:`sgnas.generator.relax`), and minimise

    CE(supernet.forward_relaxed(x, weights), y) + lambda * hardware_loss(E[MACs], T)

with Adam; the supernet is frozen in eval mode and E[MACs] is the cost model's
differentiable expected MACs of the relaxed architecture.

The prior of a target is the architecture of the prior pool nearest to it in
MACs (:class:`~sgnas.generator.prior.PriorPool`, official ``prior_pool.py``),
in training and in search alike.

Model selection after every epoch, on argmax architectures: the mean relative constraint error |F - T| / T and Kendall
tau between targets and F over a sweep of targets across the range, and the
supernet's top-1 at the middle target on the validation split. The kept
generator maximises ``top1 - 100 * mean_error + select_tau_weight * kendall_tau``:
one point of accuracy is worth one percent of constraint error and, by
default, 0.1 of Kendall tau. The official code selects on top-1 and Kendall
tau too; without the tau term, top-1 differences of a few validation images
outweighed a generator whose outputs no longer rose with the target (proxy:
tau 0.81 kept over 0.99). A checkpoint after each epoch resumes at
epoch boundaries; it carries the run's total wall seconds and supernet forward
passes (one per training step, one per model-selection batch) over all sessions.

Logged: every 10th step and the last step of each epoch (``generator_train``),
and per epoch its tau and mean losses (``generator_epoch``) and the selection
metrics (``generator_select``). Under ``torchrun`` the ranks share each batch
(slices) and average the generator's gradients; only rank 0 writes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from sgnas.architecture import Architecture
from sgnas.config import GeneratorConfig
from sgnas.cost import CostModel
from sgnas.data import BatchSource
from sgnas.errors import SgnasError
from sgnas.generator.losses import HARDWARE_LOSSES
from sgnas.generator.network import build_generator
from sgnas.generator.prior import PriorPool
from sgnas.generator.relax import TauSchedule, decode, relax
from sgnas.progress import progress as make_progress
from sgnas.runs import RunDir
from sgnas.stats import kendall_tau
from sgnas.training.checkpoint import RunCost, load_checkpoint, rng_state, save_checkpoint, set_rng_state
from sgnas.training.distributed import Distributed, Precision
from sgnas.training.divergence import check_loss
from sgnas.training.supernet import evaluate_top1

__all__ = ["GeneratorTrainer", "TargetCycle", "sweep_targets"]


class TargetCycle:
    """Training targets: the grid ``low, low + step, ..., high`` shuffled per cycle, plus uniform +-jitter.

    The official code cycles through ``range(low, high, step)``; the grid here
    includes ``high`` so that the whole range the search accepts is trained.
    Targets are clipped to [low, high]. The target of global step ``s``
    depends only on (seed, s), so resuming replays it.
    """

    def __init__(self, low: float, high: float, step: float, jitter: float, seed: int) -> None:
        self.grid = np.arange(low, high + step / 2, step)
        if len(self.grid) == 0:
            raise SgnasError(f"no targets in range({low}, {high}, {step})")
        self.low, self.high, self.jitter, self.seed = low, high, jitter, seed

    def __call__(self, step: int) -> float:
        cycle, position = divmod(step, len(self.grid))
        order = np.random.default_rng([self.seed, cycle]).permutation(len(self.grid))
        jitter = np.random.default_rng([self.seed, cycle, position, 1]).uniform(-self.jitter, self.jitter)
        return float(np.clip(self.grid[order[position]] + jitter, self.low, self.high))


def sweep_targets(low: float, high: float, count: int) -> list[float]:
    """``count`` targets evenly across [low, high] (both ends included)."""
    return [float(t) for t in np.linspace(low, high, count)]


class GeneratorTrainer:
    """Trains a generator for ``config`` against a frozen ``supernet``; ``train()`` returns the results."""

    def __init__(
        self,
        supernet: nn.Module,
        cost_model: CostModel,
        train: BatchSource,
        select: BatchSource,
        config: GeneratorConfig,
        forced_sampling: bool,
        preset: str,
        seed: int,
        run: RunDir | None = None,
        dist: Distributed | None = None,
        precision: Precision | None = None,
    ) -> None:
        """``run`` is where to write (rank 0 only); ``train`` and ``select`` are this rank's slices under ``dist``."""
        self.supernet, self.cost_model, self.config = supernet, cost_model, config
        self.train_batches, self.select_batches = train, select
        self.forced_sampling, self.preset, self.seed, self.run = forced_sampling, preset, seed, run
        space = cost_model.space
        low_space, high_space = (m / 1e6 for m in cost_model.macs_range(config.convention))
        if config.target_low < low_space or config.target_high > high_space:
            raise SgnasError(
                f"generator targets {config.target_low}-{config.target_high}M lie outside the space's "
                f"{config.convention} MACs range {low_space:.2f}-{high_space:.2f}M"
            )
        self.device = next(supernet.parameters()).device
        self.dist = dist or Distributed()
        self.precision = precision or Precision("off", self.device)
        torch.manual_seed(seed)
        self.generator = build_generator(config.network, space.num_layers, config.hidden).to(self.device)
        self.optimizer = torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=config.betas,
                                          weight_decay=config.weight_decay)
        self.hardware_loss = HARDWARE_LOSSES[config.loss]
        self.tau = TauSchedule(config.tau, config.tau_decay)
        self.targets = TargetCycle(config.target_low, config.target_high, config.target_step, config.target_jitter, seed)
        self.pool = PriorPool(cost_model, config.target_low, config.target_high, config.prior_pool, seed,
                              forced_sampling, config.convention)
        self.epoch = 0
        self.global_step = 0
        self.best: dict[str, Any] | None = None
        self.history: list[dict[str, Any]] = []
        #: supernet forward passes and wall seconds of the run, over all its sessions
        self.cost = RunCost()
        for parameter in supernet.parameters():
            parameter.requires_grad_(False)


    # --- generation ------------------------------------------------------------------
    def normalise(self, target_m: torch.Tensor | float) -> torch.Tensor:
        target = torch.as_tensor(target_m, dtype=torch.float32, device=self.device)
        return (target - self.config.target_low) / (self.config.target_high - self.config.target_low)

    def macs_m(self, arch: Architecture) -> float:
        """Exact MACs (millions) in the generator's convention."""
        return self.cost_model.macs(arch, self.config.convention) / 1e6

    @torch.no_grad()
    def generate(self, target_m: float) -> Architecture:
        self.generator.eval()
        logits = self.generator(self.pool(target_m)[None].to(self.device), self.normalise([target_m]))
        return decode(logits[0], self.forced_sampling)

    # --- training ----------------------------------------------------------------------
    def _step(self, images: torch.Tensor, labels: torch.Tensor, tau: float) -> dict[str, float]:
        target = self.targets(self.global_step)
        logits = self.generator(self.pool(target)[None].to(self.device), self.normalise([target]))
        weights = relax(logits, tau, self.forced_sampling)[0]
        with self.precision.autocast():
            ce = F.cross_entropy(self.supernet.forward_relaxed(images, weights, self.config.threshold), labels)
        expected_m = self.cost_model.expected_macs(weights, self.config.convention) / 1e6
        hardware = self.hardware_loss(expected_m, torch.tensor(target, device=self.device))
        loss = ce.float() + self.config.hw_lambda * hardware
        check_loss(loss.item(), "generator training", self.global_step + 1, "generator.lr")
        self.optimizer.zero_grad(set_to_none=True)
        self.precision.backward(loss)
        self.dist.average_gradients(self.generator.parameters())
        self.precision.step(self.optimizer)
        self.cost.forward_passes += 1
        return {"ce": ce.item(), "hardware": hardware.item(), "expected_macs_m": expected_m.item(), "target_m": target}

    def select(self) -> dict[str, Any]:
        """Model-selection metrics of the current generator (argmax architectures from the prior pool)."""
        targets = sweep_targets(self.config.target_low, self.config.target_high, self.config.sweep_targets)
        start = time.perf_counter()
        archs = [self.generate(t) for t in targets]
        per_target = (time.perf_counter() - start) / len(targets)
        macs = [self.macs_m(a) for a in archs]
        errors = [abs(f - t) / t for f, t in zip(macs, targets)]
        tau = kendall_tau(targets, macs)
        middle = self.generate((self.config.target_low + self.config.target_high) / 2)
        top1, _ = evaluate_top1(self.supernet, self.select_batches.epoch(0), middle, self.config.select_batches,
                                self.dist)
        self.cost.forward_passes += min(self.config.select_batches or len(self.select_batches), len(self.select_batches))
        mean_error = float(np.mean(errors))
        return {
            "targets_m": targets, "macs_m": macs, "archs": [a.to_string() for a in archs],
            "mean_relative_error": mean_error, "max_relative_error": float(np.max(errors)),
            "kendall_tau": float(tau), "top1_middle": top1, "middle_arch": middle.to_string(),
            "seconds_per_target": per_target, "score": top1 - 100.0 * mean_error + self.config.select_tau_weight * float(tau),
        }

    def train(self) -> dict[str, Any]:
        self.supernet.eval()
        quiet = None if self.dist.is_main else True
        progress = make_progress(total=self.config.epochs, initial=self.epoch, desc="generator", unit="epoch", disable=quiet)
        steps = len(self.train_batches)
        try:
            while self.epoch < self.config.epochs:
                self.generator.train()
                tau = self.tau(self.epoch)
                sums = np.zeros(2)
                for index, (images, labels) in enumerate(make_progress(self.train_batches.epoch(self.epoch), total=steps,
                                                                       desc=f"generator epoch {self.epoch}", unit="step",
                                                                       leave=False, disable=quiet)):
                    record = self._step(images, labels, tau)
                    self.global_step += 1
                    sums += (record["ce"], record["hardware"])
                    if self.run is not None and (self.global_step % 10 == 0 or index == steps - 1):
                        self.run.log({"event": "generator_train", "step": self.global_step, "epoch": self.epoch,
                                      "tau": tau, **record})
                ce_sum, hardware_sum = self.dist.reduce_sum(sums.tolist(), self.device)
                ranks_steps = steps * self.dist.world_size
                if self.run is not None:
                    self.run.log({"event": "generator_epoch", "epoch": self.epoch, "tau": tau, "steps": steps,
                                  "mean_ce": ce_sum / ranks_steps, "mean_hardware": hardware_sum / ranks_steps})
                metrics = self.select()
                summary = {k: metrics[k] for k in ("mean_relative_error", "kendall_tau", "top1_middle", "score")}
                self.history.append({"epoch": self.epoch, "tau": tau, **summary})
                if self.run is not None:
                    self.run.log({"event": "generator_select", "epoch": self.epoch, "tau": tau, **metrics})
                if self.best is None or metrics["score"] > self.best["metrics"]["score"]:
                    state = {k: v.detach().clone() for k, v in self.generator.state_dict().items()}
                    self.best = {"epoch": self.epoch, "metrics": metrics, "state": state}
                self.epoch += 1
                progress.set_postfix(err=f"{metrics['mean_relative_error']:.3f}", tau=f"{metrics['kendall_tau']:.2f}")
                progress.update(1)
                if self.run is not None:
                    self.save(self.run.checkpoint_path)
        finally:
            progress.close()
        assert self.best is not None
        self.generator.load_state_dict(self.best["state"])
        return {"best_epoch": self.best["epoch"], **self.best["metrics"], "history": self.history,
                "wall_seconds": self.cost.wall_seconds, "forward_passes": self.cost.forward_passes,
                "world_size": self.dist.world_size}

    # --- persistence -----------------------------------------------------------------------
    def _identity(self) -> dict[str, Any]:
        return {"space": self.cost_model.space.describe(), "preset": self.preset}

    def save(self, path: str | Path) -> None:
        """A resumable training checkpoint (after an epoch)."""
        save_checkpoint(path, {
            "kind": "generator-training", **self._identity(),
            "generator": self.generator.state_dict(), "optimizer": self.optimizer.state_dict(),
            "epoch": self.epoch, "global_step": self.global_step, "best": self.best, "history": self.history,
            "rng": rng_state(), **self.cost.state_dict(),
            "precision": self.precision.state_dict(),
            **(self.run.resume_point() if self.run is not None else {}),
        })

    def resume(self, path: str | Path) -> None:
        payload = load_checkpoint(path, "generator-training", self.cost_model.space.describe(), self.preset)
        try:
            self.generator.load_state_dict(payload["generator"])
            self.optimizer.load_state_dict(payload["optimizer"])
        except (RuntimeError, ValueError) as err:
            raise SgnasError(f"checkpoint {path} does not fit this generator: {str(err).splitlines()[0]}") from None
        self.epoch, self.global_step = int(payload["epoch"]), int(payload["global_step"])
        self.best, self.history = payload["best"], list(payload["history"])
        set_rng_state(payload["rng"])
        self.cost.load_state_dict(payload)
        self.precision.load_state_dict(payload.get("precision"))

    def export(self, path: str | Path) -> None:
        """The selected generator with everything search needs (range, convention, prior, FS)."""
        save_checkpoint(path, {
            "kind": "generator", **self._identity(),
            "network": self.config.network, "hidden": self.config.hidden,
            "state": self.generator.state_dict(), "prior_pool": self.pool.state_dict(),
            "target_low": self.config.target_low, "target_high": self.config.target_high,
            "convention": self.config.convention, "forced_sampling": self.forced_sampling,
        })


