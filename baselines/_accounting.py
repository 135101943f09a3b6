"""What a baseline search spent: wall seconds and supernet forward passes, turned into a SearchResult.

Every strategy reports its cost in the same currency (SPEC section 8: search cost
end to end), measured around the whole ``search`` call from the evaluator's own
forward-pass counter, so no strategy can leave part of its work off the bill.
"""

from __future__ import annotations

import time
from typing import Any

from sgnas.architecture import Architecture
from sgnas.strategy import Evaluator, SearchResult

__all__ = ["SearchMeter"]


class SearchMeter:
    """Started when a search starts; :meth:`result` closes the bill."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.start_passes = evaluator.forward_passes
        self.start_time = time.perf_counter()

    @property
    def forward_passes(self) -> int:
        return self.evaluator.forward_passes - self.start_passes

    def result(
        self,
        strategy: str,
        target_macs: float,
        arch: Architecture,
        accuracy: float | None,
        extra_passes: int = 0,
        **extra: Any,
    ) -> SearchResult:
        """The search's result; ``extra_passes`` are forward passes spent outside the evaluator."""
        cost = self.evaluator.cost_model.cost(arch)
        return SearchResult(
            strategy=strategy,
            target_macs=float(target_macs),
            architecture=arch,
            macs=cost.macs,
            params=cost.params,
            accuracy=accuracy,
            wall_seconds=time.perf_counter() - self.start_time,
            forward_passes=self.forward_passes + extra_passes,
            extra=extra,
        )
