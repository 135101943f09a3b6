"""Hardware losses that pull the generated architecture's MACs F towards the target T (SGNAS Eq. 11).

* :func:`asymmetric_squared` is the official form, on MACs in millions:
  ``1.2 (F - T)^2`` if ``F > T + 0.1``, ``(T - F)^2`` if ``F < T - 0.1``, else 0.
  Its scale grows with the square of the FLOPs scale, which is why the paper
  (supp. F) says lambda must be retuned per dataset.
* :func:`relative_squared` is the same shape on the relative error
  ``r = (F - T) / T`` (over-budget errors weighted 1.2, a dead zone of 0.05%),
  so one lambda serves ImageNet and a 5M-MACs proxy space alike.

Both take tensors (F is differentiable: the expected MACs of a relaxed architecture).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["HARDWARE_LOSSES", "asymmetric_squared", "relative_squared"]

#: extra weight on going over the budget (official code)
OVER_WEIGHT = 1.2


def asymmetric_squared(macs_m: torch.Tensor, target_m: torch.Tensor, margin: float = 0.1) -> torch.Tensor:
    """Official loss on millions of MACs with a +-``margin`` (millions) dead zone."""
    error = macs_m - target_m
    over = OVER_WEIGHT * error.square() * (error > margin)
    under = error.square() * (error < -margin)
    return over + under


def relative_squared(macs_m: torch.Tensor, target_m: torch.Tensor, margin: float = 5e-4) -> torch.Tensor:
    """Scale-free loss on the relative error with a +-``margin`` (relative) dead zone."""
    error = (macs_m - target_m) / target_m
    over = OVER_WEIGHT * error.square() * (error > margin)
    under = error.square() * (error < -margin)
    return over + under


HARDWARE_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "asymmetric": asymmetric_squared,
    "relative": relative_squared,
}
