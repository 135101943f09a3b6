"""The generator's prior: an architecture near the target's MACs, one-hot encoded (official ``utils/prior_pool.py``).

The pool is written once for every space: the space's choice structure
(``choices``: :class:`sgnas.spaces.unified.choices.UnifiedChoices`, the cell's
:class:`sgnas.spaces.nasbench201.choices.CellChoices`) draws its random
architectures and encodes them, its cost model measures them.

SGNAS feeds the generator a one-hot architecture beside the target. The
official code builds a *prior pool* once: ``size`` MACs levels inside the
target range, ``low + (i + 1) (high - low) / (size + 1)``, and for each level a
random architecture whose MACs lie near it; the prior for a target is the pool
entry with the nearest level. Both official configs use ``pool_size: 1``: one
prior, at the middle of the range, for every target, so the generator alone
maps targets to architectures. With a prior per level (``generator.prior_pool``
> 1) the pool already meets the targets roughly without any generator, which is
what the ``prior`` strategy (:mod:`sgnas.search.generator.strategy`) measures.

Drawing a level's architecture (``generator.prior_draw``):

* ``official``: as ``utils/prior_pool.py``: per layer an expansion rate
  uniformly from 2..6 and that many kernels uniformly from 3/5/7, redrawn until
  the MACs lie within a band around the level. The official band is +-1M at
  270-450M; here it is +-(high - low) / 180, which is that band on the paper's
  range and scales with any range (the official CIFAR config keeps +-1M on
  80-120M, i.e. (high - low) / 40). Draws are seeded; after ``draws`` draws
  without a hit the closest one is kept, so the pool is built in bounded time.
* ``sweep``: the closest of ``draws`` seeded draws whose density sweeps from the
  smallest to the largest choices (the space's ``random(rng, forced_sampling, density)``),
  so that every level of any range, its ends included, finds a close architecture.

Under forced sampling the priors are canonical (kernels ascending, skips last);
without it the official draw lays each layer's kernels first in the order drawn
and its skips last, as the official pool does (the unified space's
``prior_draw``; a space without one draws its priors as its other random
architectures), and the sweep draw shuffles positions like every other draw of
the space. For pool sizes
above 1 the official code spaces its levels by ``(high - low) // (size + 1)``
in integers up to ``high - 1``, e.g. 11 levels for size 10 at 270-450M; here
there are exactly ``size`` evenly spaced levels (for size 1 both give the middle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from sgnas.spaces.cost import unit_scale

__all__ = ["PRIOR_DRAWS", "PriorPool"]

#: the choices of ``generator.prior_draw``
PRIOR_DRAWS = ("official", "sweep")
#: the official band around a level (+-1M) as a fraction of the official range (270-450M)
OFFICIAL_BAND = 1.0 / 180.0


class PriorPool:
    """One prior architecture per MACs level inside [low, high] (millions, in ``convention``), drawn and encoded by
    the space's ``choices`` and measured by its ``cost_model``."""

    def __init__(
        self,
        choices: Any,
        cost_model: Any,
        low: float,
        high: float,
        size: int = 1,
        seed: int = 0,
        forced_sampling: bool = True,
        convention: str = "conv",
        draws: int = 2000,
        draw: str = "official",
    ) -> None:
        if size < 1:
            raise ValueError(f"prior pool size must be positive, got {size}")
        if draw not in PRIOR_DRAWS:
            raise ValueError(f"unknown prior draw {draw!r}; choose official or sweep")
        interval = (high - low) / (size + 1)
        self.levels = np.array([low + interval * (i + 1) for i in range(size)])
        rng = np.random.default_rng(seed)
        self.choices = choices

        def macs_m(arch: Any) -> float:
            return cost_model.macs(arch, convention) / unit_scale(cost_model)

        if draw == "sweep":
            candidates = [choices.random(rng, forced_sampling, density) for density in np.linspace(0.0, 1.0, draws)]
            macs = np.array([macs_m(a) for a in candidates])
            self.archs = [candidates[int(np.abs(macs - level).argmin())] for level in self.levels]
        else:
            band = OFFICIAL_BAND * (high - low)
            draw_one = getattr(choices, "prior_draw", choices.random)  # a space without its own prior layout
            self.archs = [self._first_within(level, band, draws, lambda: draw_one(rng, forced_sampling), macs_m)
                          for level in self.levels]
        self.macs = [macs_m(a) for a in self.archs]
        self.priors = torch.stack([choices.one_hot(a) for a in self.archs])

    @staticmethod
    def _first_within(level: float, band: float, draws: int, draw_one: Callable[[], Any],
                      macs_m: Callable[[Any], float]) -> Any:
        """The first of up to ``draws`` draws within ``band`` of ``level``, else the closest of them."""
        best, best_gap = None, float("inf")
        for _ in range(draws):
            arch = draw_one()
            gap = abs(macs_m(arch) - level)
            if gap <= band:
                return arch
            if gap < best_gap:
                best, best_gap = arch, gap
        assert best is not None
        return best

    def index(self, target: float) -> int:
        return int(np.abs(self.levels - target).argmin())

    def architecture(self, target: float) -> Any:
        """The prior architecture for a target (millions of MACs)."""
        return self.archs[self.index(target)]

    def __call__(self, target: float) -> torch.Tensor:
        """The one-hot prior (the space's choice shape) for a target (millions of MACs)."""
        return self.priors[self.index(target)]

    def state_dict(self) -> dict[str, object]:
        return {"levels": torch.from_numpy(self.levels), "priors": self.priors, "macs": torch.tensor(self.macs)}

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor], choices: Any) -> PriorPool:
        """The pool saved by :meth:`state_dict`, its architectures decoded by the space's ``choices``."""
        pool = cls.__new__(cls)
        pool.choices = choices
        pool.levels = state["levels"].numpy()
        pool.priors = state["priors"]
        pool.macs = state["macs"].tolist()
        pool.archs = [choices.from_one_hot(p) for p in pool.priors]
        return pool
