"""The Gumbel-softmax temperature of generator training (official ``utils/generator.py``), the same on every space."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TauSchedule"]


@dataclass(frozen=True)
class TauSchedule:
    """Gumbel-softmax temperature: ``initial * decay ** epoch`` (official: 5.0 x 0.95; decay 1 keeps it constant)."""

    initial: float = 5.0
    decay: float = 0.95

    def __call__(self, epoch: int) -> float:
        return self.initial * self.decay**epoch
