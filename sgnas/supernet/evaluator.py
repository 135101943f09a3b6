"""Supernet-estimated accuracy of architectures, the currency every search strategy spends (SPOS-style).

:class:`SupernetEvaluator` implements :class:`sgnas.search.strategy.Evaluator`: an
architecture's accuracy is the top-1 of its path in the trained supernet on the
validation batches, after recalibrating the BN statistics of that path on
training batches (SPOS, Guo et al., arXiv 1904.00420); the supernet's own
statistics are restored afterwards. Every batch forwarded (calibration and
validation) counts as one supernet forward pass, so strategies report search
cost in one unit. Results are cached per architecture, and with forced sampling
per canonical form: only canonical paths were trained, so an architecture
stands for its canonical representative.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.supernet import UnifiedSupernet
from sgnas.supernet.bn_recalibration import preserved_bn_statistics, recalibrate_bn

__all__ = ["SupernetEvaluator"]

Batch = tuple[torch.Tensor, torch.Tensor]


class SupernetEvaluator:
    """Top-1 (%) of architectures with inherited supernet weights, after BN recalibration.

    ``val_batches`` and ``calib_batches`` must be re-iterable (lists, or loaders
    that start over on each ``iter``); batches are ``(images, labels)`` pairs
    (calibration batches may be bare image tensors).
    """

    def __init__(
        self,
        supernet: UnifiedSupernet,
        cost_model: CostModel,
        val_batches: Iterable[Batch],
        calib_batches: Iterable[Batch | torch.Tensor],
        calib_steps: int,
        forced_sampling: bool = True,
    ) -> None:
        if calib_steps < 1:
            raise SgnasError(f"calib_steps must be at least 1, got {calib_steps}")
        self.supernet = supernet
        self.cost_model = cost_model
        self.val_batches = val_batches
        self.calib_batches = calib_batches
        self.calib_steps = calib_steps
        self.forced_sampling = forced_sampling
        self.forward_passes = 0
        self.cache: dict[str, float] = {}

    def key(self, arch: Architecture) -> Architecture:
        """The architecture actually evaluated for ``arch``: its canonical form under forced sampling."""
        return arch.canonical() if self.forced_sampling else arch

    def accuracy(self, arch: Architecture) -> float:
        """Top-1 (%) of ``arch`` on the validation batches after recalibrating its BN statistics."""
        evaluated = self.key(arch)
        name = evaluated.to_string()
        if name not in self.cache:
            self.cache[name] = self._measure(evaluated)
        return self.cache[name]

    def _measure(self, arch: Architecture) -> float:
        supernet = self.supernet
        device = next(supernet.parameters()).device
        was_training = supernet.training
        correct = seen = 0
        with preserved_bn_statistics(supernet):
            recalibrate_bn(supernet, arch, self.calib_batches, self.calib_steps)
            self.forward_passes += self.calib_steps
            supernet.eval()
            with torch.no_grad():
                for images, labels in self.val_batches:
                    logits = supernet(images.to(device, non_blocking=True), arch)
                    correct += int((logits.argmax(dim=1) == labels.to(device)).sum())
                    seen += len(labels)
                    self.forward_passes += 1
        supernet.train(was_training)
        if seen == 0:
            raise SgnasError("the evaluator's validation batches are empty (or were a one-shot iterator)")
        return 100.0 * correct / seen
