"""The vocabulary of cost every space shares: the MACs counting conventions (SPEC section 7), what a FLOPs
number of this literature counts, and :class:`Cost`, one architecture's counted cost.

* ``conv``: conv layers only, SGNAS's own counter (its 373/326/281M leave out
  the classifier);
* ``conv+fc``: conv layers and the classifier, the usual convention, and the one
  search strategies work in (:mod:`sgnas.search.strategy`).

One ``Literal`` type end to end: configs, the cost model, the generator and the
strategies all take a :data:`Convention`, and a target is converted between
conventions once (:meth:`sgnas.spaces.unified.cost.CostModel.to_interface`).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CONVENTIONS", "INTERFACE_CONVENTION", "MACS_SCALE", "Convention", "Cost", "cost_unit", "unit_scale"]

Convention = Literal["conv", "conv+fc"]
CONVENTIONS: tuple[str, ...] = typing.get_args(Convention)
#: the convention of every target a search strategy receives
INTERFACE_CONVENTION: Convention = "conv+fc"


#: what a generator's target counts where a cost model does not say: millions of MACs
MACS_SCALE = 1e6


def unit_scale(cost_model: Any) -> float:
    """The cost per unit of a generator's target under ``cost_model``: its ``unit_scale`` (1 for milliseconds of
    latency), or :data:`MACS_SCALE` for a cost model of MACs that predates the attribute (a plug-in space's)."""
    return float(getattr(cost_model, "unit_scale", MACS_SCALE))


def cost_unit(cost_model: Any) -> str:
    """The unit of a generator's targets under ``cost_model`` (``M MACs`` where it does not say, as
    :func:`unit_scale`)."""
    return str(getattr(cost_model, "unit", "M MACs"))


@dataclass(frozen=True)
class Cost:
    """Multiply-adds and parameters of one architecture, with the counting convention that produced them."""

    macs: int
    params: int
    convention: str
    se: bool

    @property
    def macs_m(self) -> float:
        return self.macs / 1e6

    @property
    def params_m(self) -> float:
        return self.params / 1e6

    def to_json(self) -> dict[str, Any]:
        return {
            "macs": self.macs,
            "params": self.params,
            "macs_m": round(self.macs_m, 4),
            "params_m": round(self.params_m, 4),
            "convention": self.convention,
            "se": self.se,
        }

    def __str__(self) -> str:
        se = " +SE" if self.se else ""
        return f"{self.macs_m:.2f}M MACs ({self.convention}{se}), {self.params_m:.3f}M params"
