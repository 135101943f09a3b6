"""Learning-rate schedules as picklable per-step factors for ``torch.optim.lr_scheduler.LambdaLR``.

* cosine annealing to zero over the whole run (supernet, supp. A.2);
* exponential step decay, ``decay_rate`` every ``decay_epochs`` (the official
  retraining recipe: 0.963 every 3 epochs);

both after an optional linear warm-up from ``warmup_start`` times the base rate
(timm's ``warmup_lr_init``, as a fraction). Being an object with plain attributes,
the factor's state travels in the scheduler's ``state_dict`` and resumes exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["LRFactor"]


@dataclass
class LRFactor:
    """Multiplier of the base learning rate at optimizer step ``step``."""

    kind: str
    total_steps: int
    steps_per_epoch: int
    warmup_steps: int = 0
    decay_rate: float = 0.963
    decay_epochs: float = 3.0
    #: the warm-up's starting point as a fraction of the base learning rate
    warmup_start: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("cosine", "step"):
            raise ValueError(f"unknown schedule {self.kind!r}; choose cosine or step")

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.warmup_start + (1.0 - self.warmup_start) * (step + 1) / self.warmup_steps
        if self.kind == "cosine":
            span = max(1, self.total_steps - self.warmup_steps)
            return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (step - self.warmup_steps) / span)))
        epochs = (step - self.warmup_steps) / max(1, self.steps_per_epoch)
        return self.decay_rate ** math.floor(epochs / self.decay_epochs)
