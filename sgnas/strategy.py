"""The one interface every search strategy implements: a FLOPs target in, an architecture out.

SGNAS's generator, SPOS's evolution, random sampling and search, and the
ProxylessNAS-style gradient search all answer the same question through
:class:`SearchStrategy`, and report their cost in the same currency
(wall seconds and supernet forward passes, through :class:`Evaluator`), so
the comparison of search cost for N constraints runs through one code path.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Protocol

from sgnas.architecture import Architecture
from sgnas.cost import CostModel

__all__ = ["Evaluator", "SearchResult", "SearchStrategy"]


class Evaluator(Protocol):
    """Supernet-estimated quality of architectures, counting what it spends."""

    cost_model: CostModel
    #: supernet forward passes (one per batch per architecture) spent so far
    forward_passes: int

    def accuracy(self, arch: Architecture) -> float:
        """Top-1 (%) of ``arch`` with inherited supernet weights on the validation split."""
        ...


@dataclass
class SearchResult:
    """What a strategy delivers for one target, and what it cost."""

    strategy: str
    target_macs: float
    architecture: Architecture
    macs: int
    params: int
    accuracy: float | None
    wall_seconds: float
    forward_passes: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "target_macs_m": self.target_macs / 1e6,
            "architecture": self.architecture.to_string(),
            "architecture_json": self.architecture.to_json(),
            "macs_m": self.macs / 1e6,
            "params_m": self.params / 1e6,
            "relative_error": abs(self.macs - self.target_macs) / self.target_macs,
            "supernet_accuracy": self.accuracy,
            "wall_seconds": self.wall_seconds,
            "forward_passes": self.forward_passes,
            **self.extra,
        }


class SearchStrategy(ABC):
    """Finds an architecture for a MACs target (in the cost model's ``conv+fc`` convention)."""

    name: str = "strategy"

    @abstractmethod
    def search(self, evaluator: Evaluator, target_macs: float, budget: int) -> SearchResult:
        """Best architecture found for ``target_macs``, spending at most ``budget`` architecture evaluations."""
