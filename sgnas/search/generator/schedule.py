"""The Gumbel-softmax temperature of generator training (official ``utils/generator.py``), the same on every space.

The official run starts at tau 5 and multiplies it by 0.95 after each of its
50 epochs, so its last epoch runs at 5 x 0.95^49 = 0.405. A run of another
length keeps that start and that end and anneals geometrically between them
over its own epochs (:data:`OFFICIAL_TAU_END`): scaled, not cut. Cut short,
the official decay would leave a 12-epoch run at 2.84, training the generator
on architectures far softer than the argmax ones it outputs. An explicit
per-epoch ``decay`` keeps the old rule (old runs rebuild exactly; ablations
that vary the decay itself).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OFFICIAL_TAU_END", "TauSchedule"]

#: the official last-epoch temperature: 5.0 x 0.95 ** 49 (50 epochs)
OFFICIAL_TAU_END = 5.0 * 0.95**49


@dataclass(frozen=True)
class TauSchedule:
    """Gumbel-softmax temperature at each epoch: from ``initial`` at the first to ``end`` at the last of ``epochs``
    (geometric), or ``initial * decay ** epoch`` where ``decay`` is given; ``end == initial`` keeps it constant."""

    initial: float = 5.0
    end: float = OFFICIAL_TAU_END
    epochs: int = 50
    decay: float | None = None

    def __call__(self, epoch: int) -> float:
        if self.decay is not None:
            return self.initial * self.decay**epoch
        if self.epochs < 2:
            return self.initial
        return self.initial * (self.end / self.initial) ** (min(epoch, self.epochs - 1) / (self.epochs - 1))
