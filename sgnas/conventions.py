"""MACs counting conventions (SPEC section 7): what a FLOPs number of this literature counts.

* ``conv``: conv layers only, SGNAS's own counter (its 373/326/281M leave out
  the classifier);
* ``conv+fc``: conv layers and the classifier, the usual convention, and the one
  search strategies work in (:mod:`sgnas.strategy`).

One ``Literal`` type end to end: configs, the cost model, the generator and the
strategies all take a :data:`Convention`, and a target is converted between
conventions once (:meth:`sgnas.cost.CostModel.to_interface`).
"""

from __future__ import annotations

import typing
from typing import Literal

__all__ = ["CONVENTIONS", "Convention", "INTERFACE_CONVENTION"]

Convention = Literal["conv", "conv+fc"]
CONVENTIONS: tuple[str, ...] = typing.get_args(Convention)
#: the convention of every target a search strategy receives
INTERFACE_CONVENTION: Convention = "conv+fc"
