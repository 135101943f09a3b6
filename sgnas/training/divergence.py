"""Stop a training run the moment its loss stops being a number, instead of training NaN weights to the end.

A NaN or infinite loss (a learning rate far too high, a bad batch) makes every
later step NaN; finishing such a run would cache it as a result that the
next steps silently build on. The check runs before the optimizer step, so
the run's last checkpoint still holds finite weights and the run stays
unfinished.
"""

from __future__ import annotations

import math

from sgnas.errors import SgnasError

__all__ = ["check_loss"]


def check_loss(loss: float, what: str, step: int, lr_key: str) -> None:
    """A one-line error naming ``what`` and the step when ``loss`` is not finite."""
    if not math.isfinite(loss):
        raise SgnasError(f"{what} diverged at step {step}: the loss is {loss}; the run is left unfinished "
                         f"(a lower {lr_key} may help)")
