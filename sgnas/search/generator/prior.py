"""The generator's prior: an architecture near the target's MACs, one-hot encoded (official ``utils/prior_pool.py``).

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
  smallest to the largest choices (:func:`sgnas.spaces.unified.architecture.random_architecture`),
  so that every level of any range, its ends included, finds a close architecture.

Under forced sampling the priors are canonical (kernels ascending, skips last;
the official pool lays the kernels first in the order drawn); without it their
positions are shuffled like every other draw of the space. For pool sizes
above 1 the official code spaces its levels by ``(high - low) // (size + 1)``
in integers up to ``high - 1``, e.g. 11 levels for size 10 at 270-450M; here
there are exactly ``size`` evenly spaced levels (for size 1 both give the middle).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from sgnas.spaces.unified.architecture import Architecture, random_architecture
from sgnas.spaces.unified.cost import Convention, CostModel
from sgnas.spaces.unified.space import OPS

__all__ = ["PRIOR_DRAWS", "PriorPool", "one_hot"]

#: the choices of ``generator.prior_draw``
PRIOR_DRAWS = ("official", "sweep")
#: the official band around a level (+-1M) as a fraction of the official range (270-450M)
OFFICIAL_BAND = 1.0 / 180.0


def one_hot(arch: Architecture) -> torch.Tensor:
    """``[L, 6, 4]`` float one-hot encoding of ``arch`` (ops in OPS order)."""
    return torch.nn.functional.one_hot(torch.tensor(arch.op_indices()), len(OPS)).float()


class PriorPool:
    """One prior architecture per MACs level inside [low, high] (millions, in ``convention``)."""

    def __init__(
        self,
        cost_model: CostModel,
        low: float,
        high: float,
        size: int = 1,
        seed: int = 0,
        forced_sampling: bool = True,
        convention: Convention = "conv",
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
        num_layers = cost_model.space.num_layers

        def macs_m(arch: Architecture) -> float:
            return cost_model.macs(arch, convention) / 1e6

        if draw == "sweep":
            candidates = [random_architecture(num_layers, rng, forced_sampling, density)
                          for density in np.linspace(0.0, 1.0, draws)]
            macs = np.array([macs_m(a) for a in candidates])
            self.archs = [candidates[int(np.abs(macs - level).argmin())] for level in self.levels]
        else:
            band = OFFICIAL_BAND * (high - low)
            self.archs = [self._first_within(level, band, draws, lambda: random_architecture(
                num_layers, rng, forced_sampling), macs_m) for level in self.levels]
        self.macs = [macs_m(a) for a in self.archs]
        self.priors = torch.stack([one_hot(a) for a in self.archs])

    @staticmethod
    def _first_within(level: float, band: float, draws: int, draw_one: Callable[[], Architecture],
                      macs_m: Callable[[Architecture], float]) -> Architecture:
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

    def architecture(self, target: float) -> Architecture:
        """The prior architecture for a target (millions of MACs)."""
        return self.archs[self.index(target)]

    def __call__(self, target: float) -> torch.Tensor:
        """The one-hot prior ``[L, 6, 4]`` for a target (millions of MACs)."""
        return self.priors[self.index(target)]

    def state_dict(self) -> dict[str, object]:
        return {"levels": torch.from_numpy(self.levels), "priors": self.priors, "macs": torch.tensor(self.macs)}

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor]) -> PriorPool:
        pool = cls.__new__(cls)
        pool.levels = state["levels"].numpy()
        pool.priors = state["priors"]
        pool.macs = state["macs"].tolist()
        pool.archs = [Architecture(tuple(tuple(OPS[i] for i in row) for row in p.argmax(-1).tolist()))
                      for p in pool.priors]
        return pool
