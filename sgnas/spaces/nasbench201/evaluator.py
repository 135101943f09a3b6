"""Supernet-estimated accuracy of NAS-Bench-201 cells, in the currency every search strategy spends.

:class:`SupernetEvaluator` satisfies the project's :class:`sgnas.search.strategy.Evaluator`
protocol for this space (``cost_model``, ``forward_passes``, ``accuracy(cell)``):
a cell's accuracy is the top-1 of its path in the trained supernet on the
validation batches. Under the ``running`` BN setting the path's BN statistics
are first recalibrated on training batches (:func:`sgnas.supernet.bn_recalibration.recalibrate_bn`)
and the supernet's own statistics restored afterwards; under ``batch-stats`` the
cells normalise with each batch's statistics and nothing is recalibrated. Every
batch forwarded counts as one supernet forward pass; results are cached per cell.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.cell import Cell
from sgnas.spaces.nasbench201.cost import CostModel
from sgnas.spaces.nasbench201.supernet import NB201Supernet
from sgnas.supernet.bn_recalibration import preserved_bn_statistics, recalibrate_bn

__all__ = ["SupernetEvaluator"]

Batch = tuple[torch.Tensor, torch.Tensor]


class SupernetEvaluator:
    """Top-1 (%) of cells with inherited supernet weights.

    ``val_batches`` (and ``calib_batches``) must be re-iterable: lists, or
    loaders that start over on each ``iter``. ``calib_steps`` calibration
    batches are required under the ``running`` BN setting and refused under
    ``batch-stats``, where there are no path statistics to recalibrate.
    """

    def __init__(
        self,
        supernet: NB201Supernet,
        cost_model: CostModel,
        val_batches: Iterable[Batch],
        calib_batches: Iterable[Batch | torch.Tensor] | None = None,
        calib_steps: int = 0,
    ) -> None:
        if supernet.bn == "running" and (calib_steps < 1 or calib_batches is None):
            raise SgnasError("a supernet with running BN statistics needs calib_batches and calib_steps >= 1")
        if supernet.bn == "batch-stats" and calib_steps:
            raise SgnasError("a batch-stats supernet normalises with each batch; set calib_steps to 0")
        self.supernet = supernet
        self.cost_model = cost_model
        self.val_batches = val_batches
        self.calib_batches = calib_batches
        self.calib_steps = calib_steps
        self.forward_passes = 0
        self.cache: dict[Cell, float] = {}

    def accuracy(self, cell: Cell) -> float:
        """Top-1 (%) of ``cell`` on the validation batches."""
        if cell not in self.cache:
            self.cache[cell] = self._measure(cell)
        return self.cache[cell]

    def _measure(self, cell: Cell) -> float:
        supernet = self.supernet
        was_training = supernet.training
        try:
            if supernet.bn == "running":
                with preserved_bn_statistics(supernet):
                    recalibrate_bn(supernet, cell, self.calib_batches, self.calib_steps)
                    self.forward_passes += self.calib_steps
                    return self._validate(cell)
            return self._validate(cell)
        finally:
            supernet.train(was_training)

    def _validate(self, cell: Cell) -> float:
        supernet = self.supernet
        device = next(supernet.parameters()).device
        supernet.eval()
        correct = seen = 0
        with torch.no_grad():
            for images, labels in self.val_batches:
                logits = supernet(images.to(device, non_blocking=True), cell)
                correct += int((logits.argmax(dim=1) == labels.to(device)).sum())
                seen += len(labels)
                self.forward_passes += 1
        if seen == 0:
            raise SgnasError("the evaluator's validation batches are empty (or were a one-shot iterator)")
        return 100.0 * correct / seen
