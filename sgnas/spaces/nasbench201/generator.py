"""SGNAS's architecture generator on the NAS-Bench-201 cell: a 6 x 5 output map (edges x ops) per FLOPs target.

The generator's network takes any space's choice shape; its training loop of
:mod:`sgnas.search.generator.train` still assumes the unified space (its
relaxation masks skips on the first sub-blocks), so this module carries the
training on the cell and reuses what is shape-free: the network, the
Gumbel-softmax temperature schedule (:class:`~sgnas.search.generator.relax.TauSchedule`),
the hardware losses (:mod:`sgnas.search.generator.losses`) and model selection.

* the network is the unified space's :class:`~sgnas.search.generator.network.ConvGenerator`
  on the cell's ``6 x 5`` choice shape (:attr:`CellSpace.choice_shape`), with
  PyTorch's default initialisation;
* :class:`CellPriorPool`: one prior cell per MACs level across the range (a
  random cell nearest the level); the prior of a target is the pool's cell
  at the nearest level, and on its own it is the "prior-only" method;
* :func:`train_cell_generator`: per step a target drawn uniformly in the
  range, its prior, soft Gumbel-softmax weights at the epoch's tau, and
  ``CE(supernet.forward_relaxed(x, w), y) + lambda * relative_squared(E[MACs], T)``
  with Adam, the supernet frozen; E[MACs] is the exact expected cost of the
  relaxed cell (:meth:`~sgnas.spaces.nasbench201.cost.CostModel.expected_macs`).
  After every epoch, model selection by the unified generator's own code and
  rule (``selection``, ``official`` or ``score``, with the same fields and
  defaults as :class:`sgnas.config.schema.GeneratorConfig`;
  :func:`sgnas.search.generator.train.selection_metrics` and
  :func:`~sgnas.search.generator.train.is_better`): argmax cells over the MACs range,
  their constraint error and Kendall tau, the supernet top-1 of the cell at the
  middle target (``top1``, the caller's supernet estimate) and the summed
  hardware loss over ``range(low, high, select_step)``. The selected epoch's
  generator is kept. With the relative loss and lambda 5 over the 22 targets of
  the benchmark's range in steps of 10M, the official threshold 0.4 bounds the
  root-mean-square relative error at 6%.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from sgnas._infra.errors import SgnasError
from sgnas.config.schema import GeneratorConfig, check_value
from sgnas.data import BatchSource
from sgnas.search.generator.losses import relative_squared
from sgnas.search.generator.network import ConvGenerator
from sgnas.search.generator.relax import TauSchedule
from sgnas.search.generator.train import SELECTIONS, is_better, selected_by, selection_metrics
from sgnas.spaces.nasbench201.bounded import CellSpace
from sgnas.spaces.nasbench201.cell import OPS, Cell
from sgnas.spaces.nasbench201.supernet import NB201Supernet

__all__ = ["CellGeneratorConfig", "CellPriorPool", "train_cell_generator"]


def one_hot(cell: Cell) -> torch.Tensor:
    """``[6, 5]`` one-hot encoding of ``cell`` (ops in OPS order)."""
    return F.one_hot(torch.tensor(cell.op_indices()), len(OPS)).float()


class CellPriorPool:
    """One prior cell per MACs level evenly inside [low, high] (MACs), each a random cell nearest its level."""

    def __init__(self, space: CellSpace, low: float, high: float, size: int, seed: int) -> None:
        if size < 1:
            raise SgnasError(f"prior pool size must be positive, got {size}")
        interval = (high - low) / (size + 1)
        self.levels = np.array([low + interval * (i + 1) for i in range(size)])
        rng = np.random.default_rng(seed)
        self.cells = []
        for level in self.levels:
            nearest = np.flatnonzero(np.abs(space.macs - level) == np.abs(space.macs - level).min())
            self.cells.append(space.cells[int(rng.choice(nearest))])

    def cell(self, target: float) -> Cell:
        """The prior of a target (MACs): the pool's cell at the level nearest to it."""
        return self.cells[int(np.abs(self.levels - target).argmin())]


@dataclass(frozen=True)
class CellGeneratorConfig:
    """Generator training (official defaults where they carry over: tau 5 x 0.95 per epoch, Adam 1e-3)."""

    epochs: int = 10
    steps_per_epoch: int | None = None
    lr: float = 1e-3
    tau: float = 5.0
    tau_decay: float = 0.95
    hw_lambda: float = 5.0
    prior_pool: int = 10
    threshold: float = 0.0
    hidden: int = 32
    #: model selection after each epoch: the unified generator's rule and fields, with its defaults
    selection: str = GeneratorConfig.selection
    sweep_targets: int = GeneratorConfig.sweep_targets
    select_step: float = GeneratorConfig.select_step
    select_max_hw_loss: float = GeneratorConfig.select_max_hw_loss
    select_tau_weight: float = GeneratorConfig.select_tau_weight

    def __post_init__(self) -> None:
        """The counts against the unified generator's ranges (:func:`sgnas.config.schema.check_value`), one line each."""
        for name in ("prior_pool", "sweep_targets"):
            check_value(f"generator.{name}", getattr(self, name), name)


class TrainedGenerator:
    """A trained cell generator with its prior pool and target range: ``generate(target)`` is a cell."""

    def __init__(self, network: ConvGenerator, pool: CellPriorPool, low: float, high: float) -> None:
        self.network, self.pool, self.low, self.high = network, pool, low, high

    def normalise(self, target: float) -> torch.Tensor:
        return torch.tensor([(target - self.low) / (self.high - self.low)], dtype=torch.float32)

    @torch.no_grad()
    def generate(self, target: float) -> Cell:
        """The argmax cell for ``target`` MACs: one generator forward pass."""
        self.network.eval()
        logits = self.network(one_hot(self.pool.cell(target))[None], self.normalise(target))
        return Cell.from_indices(logits[0].argmax(-1).tolist())


def _selection(generator: TrainedGenerator, space: CellSpace, top1: Callable[[Cell], float],
               config: CellGeneratorConfig) -> dict[str, Any]:
    """The unified generator's model-selection metrics of ``generator`` (targets and MACs in millions)."""
    return selection_metrics(
        lambda target_m: generator.generate(target_m * 1e6), lambda cell: space.macs_of(cell) / 1e6, top1,
        generator.low / 1e6, generator.high / 1e6, config.sweep_targets, config.select_step,
        lambda f, t: config.hw_lambda * float(relative_squared(torch.tensor(f), torch.tensor(t))),
        config.select_tau_weight,
    )


def train_cell_generator(
    supernet: NB201Supernet, space: CellSpace, batches: BatchSource, config: CellGeneratorConfig, seed: int,
    top1: Callable[[Cell], float],
) -> tuple[TrainedGenerator, dict[str, Any]]:
    """Train a generator over the frozen ``supernet`` for targets across the space's MACs range.

    ``top1`` is the supernet accuracy of a cell that model selection uses (the
    track's estimate on its held-out images); its forward passes are the
    caller's to count.
    """
    if config.selection not in SELECTIONS:
        raise SgnasError(f"generator selection must be one of {', '.join(SELECTIONS)}, got {config.selection!r}")
    low, high = (float(m) for m in space.cost_model.macs_range())
    torch.manual_seed(seed)
    rng = np.random.default_rng([seed, 201])
    network = ConvGenerator(space.choice_shape, config.hidden)
    pool = CellPriorPool(space, low, high, config.prior_pool, seed)
    generator = TrainedGenerator(network, pool, low, high)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.lr)
    tau = TauSchedule(config.tau, config.tau_decay)
    for parameter in supernet.parameters():
        parameter.requires_grad_(False)
    supernet.eval()
    start, steps, history = time.perf_counter(), 0, []
    best: dict[str, Any] | None = None
    try:
        for epoch in range(config.epochs):
            ce_sum = hw_sum = 0.0
            count = 0
            for images, labels in batches.epoch(epoch):
                if config.steps_per_epoch is not None and count >= config.steps_per_epoch:
                    break
                target = float(rng.uniform(low, high))
                network.train()
                logits = network(one_hot(pool.cell(target))[None], generator.normalise(target))[0]
                weights = F.gumbel_softmax(logits, tau=tau(epoch), hard=False, dim=-1)
                ce = F.cross_entropy(supernet.forward_relaxed(images, weights, config.threshold), labels)
                expected = space.cost_model.expected_macs(weights) / 1e6
                hardware = relative_squared(expected, torch.tensor(target / 1e6))
                loss = ce + config.hw_lambda * hardware
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                ce_sum, hw_sum, count, steps = ce_sum + ce.item(), hw_sum + hardware.item(), count + 1, steps + 1
            metrics = _selection(generator, space, top1, config)
            history.append({"epoch": epoch, "tau": tau(epoch), "ce": ce_sum / max(1, count),
                            "hardware": hw_sum / max(1, count),
                            **{k: metrics[k] for k in ("mean_relative_error", "kendall_tau", "top1_middle", "score",
                                                       "summed_hw_loss")}})
            if is_better(metrics, best["metrics"] if best is not None else None, config.selection,
                         config.select_max_hw_loss):
                best = {"epoch": epoch, "metrics": metrics,
                        "state": {k: v.detach().clone() for k, v in network.state_dict().items()}}
    finally:
        for parameter in supernet.parameters():
            parameter.requires_grad_(True)
    if best is None:
        raise SgnasError("the cell generator needs at least one epoch")
    network.load_state_dict(best["state"])
    return generator, {"seconds": time.perf_counter() - start, "steps": steps, "history": history,
                       "forward_passes": steps, "best_epoch": best["epoch"], "selection": config.selection,
                       "selected_by": selected_by(best["metrics"], config.selection, config.select_max_hw_loss)}
