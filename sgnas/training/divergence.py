"""Stop a training run the moment its loss stops being a number, instead of training NaN weights to the end.

A NaN or infinite loss (a learning rate far too high, a bad batch) makes every
later step NaN; finishing such a run would cache it as a result that the
next steps silently build on. The check runs before the optimizer step, so
the run's last checkpoint still holds finite weights and the run stays
unfinished.
"""

from __future__ import annotations

import math

from sgnas._infra.errors import SgnasError

__all__ = ["check_loss"]


def check_loss(loss: float, what: str, step: int, lr_key: str, quantity: str = "the loss") -> None:
    """A one-line error naming ``what`` and the step when ``loss`` (or the step's other ``quantity``) is not finite.

    ``quantity`` names a value checked before the loss exists, where non-finite inputs would fail deeper down
    (the generator's relaxed op probabilities, before the supernet turns them into expansion rates).
    """
    if not math.isfinite(loss):
        raise SgnasError(f"{what} diverged at step {step}: {quantity} is {loss}; the run is left unfinished "
                         f"(a lower {lr_key} may help)")
