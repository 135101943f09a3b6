"""The activations of the unified spaces' networks, by name (torch-free, so configs can check them up front).

``relu6`` is SGNAS's supernet and this project's default; ``hswish`` (h-swish)
is what SGNAS-A/B/C are published with. The supernet maps each name to its
functional form (:data:`sgnas.spaces.unified.supernet.unified_block.ACTIVATION_FUNCTIONS`),
the timm export to timm's layer name (:data:`sgnas.export.timm.ACTIVATIONS`).
"""

from __future__ import annotations

import typing
from typing import Literal

__all__ = ["ACTIVATION_NAMES", "Activation"]

Activation = Literal["relu6", "hswish"]
ACTIVATION_NAMES: tuple[str, ...] = typing.get_args(Activation)
