"""Supernet-estimated accuracy of architectures of any space, the currency every search strategy spends (SPOS-style).

:class:`SupernetEvaluator` implements :class:`sgnas.search.strategy.Evaluator`: an
architecture's accuracy is the top-1 of its path in the trained supernet on the
validation batches. A supernet that keeps running BN statistics has them
recalibrated for the path on training batches first (SPOS, Guo et al., arXiv
1904.00420) and its own statistics restored afterwards; a supernet whose BN
normalises with each batch's statistics (``supernet.bn == "batch-stats"``, as
NAS-Bench-201's weight-sharing searches train) has nothing to recalibrate.
Every batch forwarded (calibration and validation) counts as one supernet
forward pass, so strategies report search cost in one unit. Results are cached
per architecture, and under forced sampling per canonical form: only canonical
paths were trained, so an architecture stands for its canonical representative.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import torch
import torch.nn as nn

from sgnas._infra.errors import SgnasError
from sgnas.supernet.bn_recalibration import preserved_bn_statistics, recalibrate_bn

__all__ = ["SupernetEvaluator"]

Batch = tuple[torch.Tensor, torch.Tensor]


class SupernetEvaluator:
    """Top-1 (%) of architectures with inherited supernet weights.

    ``val_batches`` and ``calib_batches`` must be re-iterable (lists, or loaders
    that start over on each ``iter``); batches are ``(images, labels)`` pairs
    (calibration batches may be bare image tensors). ``calib_steps``
    calibration batches are required for a supernet with running BN statistics
    and refused for a batch-statistics one. With ``forced_sampling`` an
    architecture is evaluated as its canonical form (``arch.canonical()``).
    """

    def __init__(
        self,
        supernet: nn.Module,
        cost_model: Any,
        val_batches: Iterable[Batch],
        calib_batches: Iterable[Batch | torch.Tensor] | None = None,
        calib_steps: int = 0,
        forced_sampling: bool = False,
    ) -> None:
        self.recalibrates = getattr(supernet, "bn", "running") == "running"
        if self.recalibrates and (calib_steps < 1 or calib_batches is None):
            raise SgnasError("a supernet with running BN statistics needs calib_batches and calib_steps >= 1, "
                             f"got calib_steps={calib_steps}")
        if not self.recalibrates and calib_steps:
            raise SgnasError("a batch-stats supernet normalises with each batch; set calib_steps to 0")
        self.supernet = supernet
        self.cost_model = cost_model
        self.val_batches = val_batches
        self.calib_batches = calib_batches
        self.calib_steps = calib_steps
        self.forced_sampling = forced_sampling
        self.forward_passes = 0
        self.cache: dict[Hashable, float] = {}

    def key(self, arch: Any) -> Any:
        """The architecture actually evaluated for ``arch``: its canonical form under forced sampling."""
        return arch.canonical() if self.forced_sampling else arch

    def accuracy(self, arch: Any) -> float:
        """Top-1 (%) of ``arch`` on the validation batches (after recalibrating its BN statistics)."""
        evaluated = self.key(arch)
        if evaluated not in self.cache:
            self.cache[evaluated] = self._measure(evaluated)
        return self.cache[evaluated]

    def _measure(self, arch: Any) -> float:
        supernet = self.supernet
        was_training = supernet.training
        try:
            if not self.recalibrates:
                return self._validate(arch)
            with preserved_bn_statistics(supernet):
                recalibrate_bn(supernet, arch, self.calib_batches, self.calib_steps)
                self.forward_passes += self.calib_steps
                return self._validate(arch)
        finally:
            if supernet.training != was_training:  # the mode walks every submodule: set it only when it changed
                supernet.train(was_training)

    def _validate(self, arch: Any) -> float:
        supernet = self.supernet
        device = next(supernet.parameters()).device
        supernet.eval()
        correct = seen = 0
        with torch.no_grad():
            for images, labels in self.val_batches:
                logits = supernet(images.to(device, non_blocking=True), arch)
                correct += int((logits.argmax(dim=1) == labels.to(device)).sum())
                seen += len(labels)
                self.forward_passes += 1
        if seen == 0:
            raise SgnasError("the evaluator's validation batches are empty (or were a one-shot iterator)")
        return 100.0 * correct / seen
