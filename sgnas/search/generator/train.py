"""Training the architecture generator once over a frozen supernet (SGNAS supp. A.3; official ``utils/generator.py``).

Per batch of the generator-validation split (the held-out images of supp. A.1):
draw one target T from the cycle of targets (:class:`TargetCycle`; official:
``range(low, high, step)`` shuffled per cycle, plus uniform +-jitter, not
clipped), take its prior, generate logits, take a soft Gumbel-softmax sample at
the epoch's tau (under forced sampling reordered into the canonical
arrangement, see :mod:`sgnas.spaces.unified.choices`), and minimise

    CE_smoothed(supernet.forward_relaxed(x, weights), y) + lambda * hardware_loss(E[MACs], T)

with Adam; the supernet is frozen in eval mode, the cross-entropy has label
smoothing ``generator.label_smoothing`` (official: 0.1) and E[MACs] is the cost
model's differentiable expected MACs of the relaxed architecture, leaving out
ops with p <= ``generator.macs_threshold`` (official: 0.01).

The prior of a target is the architecture of the prior pool nearest to it in
MACs (:class:`~sgnas.search.generator.prior.PriorPool`, official ``prior_pool.py``;
official size 1: one prior for every target), in training and in search alike.

Model selection after every epoch, on argmax architectures (``generator.selection``):

* ``official`` (``utils/trainer.py``, ``search_train_loop``): the supernet's
  top-1 at the middle target on the validation split, and the hardware loss
  ``lambda * hardware_loss(F, T)`` summed over the targets
  ``range(low, high, select_step)`` (official: steps of 10). The kept generator
  (the official ``best_avg``) has the best top-1 among the epochs whose summed
  loss is below ``select_max_hw_loss`` (official: 0.4); Kendall tau is only
  logged. Until an epoch qualifies, the one with the least summed loss is kept
  (the official code saves that one too, as ``best_generator``), so a run
  always ends with a generator; ``selected_by`` in the results says which case
  held. With the official loss (squared error in millions, lambda 3e-4) and 18
  targets at 270-450M, 0.4 bounds the root-mean-square error at 8.6M (2.4% of
  360M); with the relative loss and lambda 40 of the proxy presets over 18
  targets it bounds the root-mean-square relative error at 2.4% too.
* ``score``: the best ``top1 - 100 * mean_error + select_tau_weight *
  kendall_tau`` over ``sweep_targets`` targets evenly across the range (both
  ends included): one point of accuracy is worth one percent of constraint
  error and, by default, 0.1 of Kendall tau. Without the tau term, top-1
  differences of a few validation images outweighed a generator whose outputs
  no longer rose with the target (proxy: tau 0.81 kept over 0.99).

Both rules log both sets of metrics. The metrics (:func:`selection_metrics`),
the rule (:func:`is_better`) and its account (:func:`selected_by`) take the
generator as a function of the target. The trainer is written once for every
space: what is specific to one (output shape, relaxation, decoding, random
priors) comes from its choice structure, so the NAS-Bench-201 track trains
its cell generator with this same code. A checkpoint after each epoch resumes at
epoch boundaries; it carries the run's total wall seconds and supernet forward
passes (one per training step, one per model-selection batch) over all sessions.

Logged: every 10th step and the last step of each epoch (``generator_train``),
and per epoch its tau and mean losses (``generator_epoch``) and the selection
metrics (``generator_select``). Under ``torchrun`` the ranks share each batch
(slices) and average the generator's gradients; only rank 0 writes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress as make_progress
from sgnas._infra.runs import RunDir
from sgnas.config.schema import GeneratorConfig
from sgnas.data import BatchSource
from sgnas.search.generator.losses import HARDWARE_LOSSES
from sgnas.search.generator.network import build_generator
from sgnas.search.generator.prior import PriorPool
from sgnas.search.generator.schedule import TauSchedule
from sgnas.spaces.cost import cost_unit, unit_scale
from sgnas.supernet.ranking import kendall_tau
from sgnas.supernet.top1 import evaluate_top1
from sgnas.training.checkpoint import (
    RunCost,
    load_checkpoint,
    rng_state,
    save_checkpoint,
    seed_all,
    set_rng_state,
)
from sgnas.training.distributed import Distributed, Precision
from sgnas.training.divergence import check_loss

__all__ = [
    "SELECTIONS", "TARGET_CYCLES", "GeneratorTrainer", "TargetCycle", "is_better", "selected_by", "selection_metrics",
    "sweep_targets", "target_grid",
]

#: the choices of ``generator.target_cycle``
TARGET_CYCLES = ("official", "current")
#: the choices of ``generator.selection``
SELECTIONS = ("official", "score")


def target_grid(low: float, high: float, step: float) -> np.ndarray:
    """``range(low, high, step)`` for real numbers: ``low + i * step`` below ``high`` (``high`` excluded)."""
    count = max(1, math.ceil((high - low) / step - 1e-9))
    return low + step * np.arange(count)


class TargetCycle:
    """Training targets: a grid of targets shuffled per cycle, plus uniform +-jitter.

    ``official`` (``utils/trainer.py``): the grid is ``range(low, high, step)``,
    so ``high`` itself is never a grid point, and jittered targets are not
    clipped (they may fall up to ``jitter`` outside [low, high]). ``current``:
    the grid ``low, low + step, ..., high`` includes ``high`` and targets are
    clipped to [low, high]. The target of global step ``s`` depends only on
    (seed, s), so resuming replays it.
    """

    def __init__(self, low: float, high: float, step: float, jitter: float, seed: int, mode: str = "official") -> None:
        if mode not in TARGET_CYCLES:
            raise SgnasError(f"generator.target_cycle must be official or current, got {mode!r}")
        self.grid = target_grid(low, high, step) if mode == "official" else np.arange(low, high + step / 2, step)
        self.low, self.high, self.jitter, self.seed, self.mode = low, high, jitter, seed, mode

    def __call__(self, step: int) -> float:
        cycle, position = divmod(step, len(self.grid))
        order = np.random.default_rng([self.seed, cycle]).permutation(len(self.grid))
        jitter = np.random.default_rng([self.seed, cycle, position, 1]).uniform(-self.jitter, self.jitter)
        target = float(self.grid[order[position]] + jitter)
        return target if self.mode == "official" else float(np.clip(target, self.low, self.high))


def sweep_targets(low: float, high: float, count: int) -> list[float]:
    """``count`` targets evenly across [low, high] (both ends included)."""
    return [float(t) for t in np.linspace(low, high, count)]


def is_better(metrics: Mapping[str, Any], best: Mapping[str, Any] | None, selection: str, max_hw_loss: float) -> bool:
    """Whether an epoch's selection ``metrics`` replace the ``best`` kept so far under rule ``selection``.

    ``official``: an epoch whose summed hardware loss is below ``max_hw_loss``
    wins over one that is not; among those below, a strictly higher top-1 at the
    middle target wins; among those above (none has qualified yet), a strictly
    lower summed loss. ``score``: a strictly higher score.
    """
    if best is None:
        return True
    if selection == "score":
        return metrics["score"] > best["score"]
    qualifies, best_qualifies = metrics["summed_hw_loss"] < max_hw_loss, best["summed_hw_loss"] < max_hw_loss
    if qualifies != best_qualifies:
        return qualifies
    if qualifies:
        return metrics["top1_middle"] > best["top1_middle"]
    return metrics["summed_hw_loss"] < best["summed_hw_loss"]


def selected_by(metrics: Mapping[str, Any], selection: str, max_hw_loss: float) -> str:
    """How the epoch kept under rule ``selection`` was chosen, in words (for results and logs)."""
    if selection == "score":
        return "the best score"
    if metrics["summed_hw_loss"] < max_hw_loss:
        return f"the best top-1 among epochs with summed hardware loss below {max_hw_loss:g}"
    return f"the least summed hardware loss (no epoch below {max_hw_loss:g})"


def selection_metrics(
    generate: Callable[[float], Any],
    macs_m: Callable[[Any], float],
    top1: Callable[[Any], float],
    low: float,
    high: float,
    sweep: int,
    select_step: float,
    hardware: Callable[[float, float], float],
    tau_weight: float,
) -> dict[str, Any]:
    """Model-selection metrics of a generator of any space, targets and MACs in millions.

    ``generate(T)`` is the generator's architecture for target T, ``macs_m`` its
    MACs, ``top1`` its supernet accuracy, ``hardware(F, T)`` the weighted
    hardware loss ``lambda * loss(F, T)``. The sweep is ``sweep`` targets evenly
    across [low, high]; the official rule's summed loss is over
    ``range(low, high, select_step)``; top-1 is at the middle target.
    """
    targets = sweep_targets(low, high, sweep)
    start = time.perf_counter()
    archs = [generate(t) for t in targets]
    per_target = (time.perf_counter() - start) / len(targets)
    macs = [macs_m(a) for a in archs]
    errors = [abs(f - t) / t for f, t in zip(macs, targets)]
    tau = kendall_tau(targets, macs)
    middle = generate((low + high) / 2)
    accuracy = top1(middle)
    mean_error = float(np.mean(errors))
    hw_targets = [float(t) for t in target_grid(low, high, select_step)]
    hw_macs = [macs_m(generate(t)) for t in hw_targets]
    summed = sum(hardware(f, t) for f, t in zip(hw_macs, hw_targets))
    return {
        "targets_m": targets, "macs_m": macs, "archs": [a.to_string() for a in archs],
        "mean_relative_error": mean_error, "max_relative_error": float(np.max(errors)),
        "kendall_tau": float(tau), "top1_middle": accuracy, "middle_arch": middle.to_string(),
        "seconds_per_target": per_target, "score": accuracy - 100.0 * mean_error + tau_weight * float(tau),
        "hw_targets_m": hw_targets, "hw_macs_m": hw_macs, "summed_hw_loss": summed,
    }


class GeneratorTrainer:
    """Trains a generator for ``config`` against a frozen ``supernet``; ``train()`` returns the results."""

    def __init__(
        self,
        supernet: nn.Module,
        cost_model: Any,
        choices: Any,
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
        """``choices`` is the space's choice structure (shape, relaxation, decoding, random draws); ``run`` is where
        to write (rank 0 only); ``train`` and ``select`` are this rank's slices under ``dist``."""
        if config.selection not in SELECTIONS:
            raise SgnasError(f"generator selection must be one of {', '.join(SELECTIONS)}, got {config.selection!r}")
        self.supernet, self.cost_model, self.choices, self.config = supernet, cost_model, choices, config
        self.train_batches, self.select_batches = train, select
        self.forced_sampling, self.preset, self.seed, self.run = forced_sampling, preset, seed, run
        low_space, high_space = (m / unit_scale(cost_model) for m in cost_model.macs_range(config.convention))
        if config.target_low < low_space or config.target_high > high_space:
            raise SgnasError(
                f"generator targets {config.target_low}-{config.target_high} lie outside the space's "
                f"{config.convention} range {low_space:.2f}-{high_space:.2f} (in {cost_unit(cost_model)})"
            )
        self.device = next(supernet.parameters()).device
        self.dist = dist or Distributed()
        self.precision = precision or Precision("off", self.device)
        seed_all(seed)
        self.generator = build_generator(config.network, choices.shape, config.hidden, config.init).to(self.device)
        self.optimizer = torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=config.betas,
                                          weight_decay=config.weight_decay)
        self.hardware_loss = HARDWARE_LOSSES[config.loss]
        self.tau = TauSchedule(config.tau, config.tau_end, config.epochs, config.tau_decay)
        self.targets = TargetCycle(config.target_low, config.target_high, config.target_step, config.target_jitter, seed,
                                   config.target_cycle)
        self.pool = PriorPool(choices, cost_model, config.target_low, config.target_high, config.prior_pool, seed,
                              forced_sampling, config.convention, draw=config.prior_draw)
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

    def macs_m(self, arch: Any) -> float:
        """Exact MACs (millions) in the generator's convention."""
        return self.cost_model.macs(arch, self.config.convention) / unit_scale(self.cost_model)

    @torch.no_grad()
    def generate(self, target_m: float) -> Any:
        self.generator.eval()
        logits = self.generator(self.pool(target_m)[None].to(self.device), self.normalise([target_m]))
        return self.choices.decode(logits[0], self.forced_sampling)

    # --- training ----------------------------------------------------------------------
    def _step(self, images: torch.Tensor, labels: torch.Tensor, tau: float) -> dict[str, float]:
        target = self.targets(self.global_step)
        logits = self.generator(self.pool(target)[None].to(self.device), self.normalise([target]))
        weights = self.choices.relax(logits, tau, self.forced_sampling)[0]
        # weights the optimizer has made non-finite give NaN probabilities, which the supernet cannot turn into
        # expansion rates: the step stops here as the loss check below would stop it
        check_loss(float(weights.detach().sum()), "generator training", self.global_step + 1, "generator.lr",
                   "the sum of the relaxed op probabilities")
        with self.precision.autocast():
            ce = F.cross_entropy(self.supernet.forward_relaxed(images, weights, self.config.threshold), labels,
                                 label_smoothing=self.config.label_smoothing)
        expected_m = self.cost_model.expected_macs(weights, self.config.convention, self.config.macs_threshold)
        expected_m = expected_m / unit_scale(self.cost_model)
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
        config = self.config
        return selection_metrics(
            self.generate, self.macs_m, self._select_top1, config.target_low, config.target_high,
            config.sweep_targets, config.select_step,
            lambda f, t: config.hw_lambda * float(self.hardware_loss(torch.tensor(f), torch.tensor(t))),
            config.select_tau_weight,
        )

    def _select_top1(self, arch: Any) -> float:
        """Top-1 of ``arch`` on the model-selection batches, its forward passes counted."""
        top1, _ = evaluate_top1(self.supernet, self.select_batches.epoch(0), arch, self.config.select_batches,
                                self.dist)
        self.cost.forward_passes += min(self.config.select_batches or len(self.select_batches), len(self.select_batches))
        return top1

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
                summary = {k: metrics[k] for k in ("mean_relative_error", "kendall_tau", "top1_middle", "score",
                                                   "summed_hw_loss")}
                self.history.append({"epoch": self.epoch, "tau": tau, **summary})
                if self.run is not None:
                    self.run.log({"event": "generator_select", "epoch": self.epoch, "tau": tau, **metrics})
                best = self.best["metrics"] if self.best is not None else None
                if is_better(metrics, best, self.config.selection, self.config.select_max_hw_loss):
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
                # every target and cost above (the keys ending in _m) is in this unit: millions of MACs, or
                # milliseconds for a latency cost model
                "unit": cost_unit(self.cost_model), "selection": self.config.selection,
                "selected_by": selected_by(self.best["metrics"], self.config.selection, self.config.select_max_hw_loss),
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


