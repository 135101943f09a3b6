"""The generator's prior: an architecture near the target's MACs, one-hot encoded (official ``prior_pool.py``).

SGNAS feeds the generator a one-hot architecture beside the target. The
official code builds a *prior pool* once: for ``size`` MACs levels evenly
inside the target range, a random architecture whose MACs lie near that level;
the prior for a target is the pool entry with the nearest level. The generator
then refines an architecture that already meets the budget roughly, instead of
mapping noise to a budget (which, fed a fresh random prior per step, learns the
constraint far more slowly: measured in ``tests/test_generator.py``).

Differences from the official pool, for determinism: instead of rejection
sampling until an architecture falls within a fixed +-1M band, each level takes
the closest of ``draws`` seeded random architectures (the band then adapts to
any space's scale). The draws sweep a density from smallest to largest choices
(:func:`sgnas.architecture.random_architecture`) so that every level of any range finds a close
architecture; they are canonical under forced sampling (kernels first, skips
last, as the official pool also lays them out).
"""

from __future__ import annotations

import numpy as np
import torch

from sgnas.architecture import Architecture, random_architecture
from sgnas.cost import Convention, CostModel
from sgnas.space import OPS

__all__ = ["PriorPool", "one_hot"]


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
        size: int = 10,
        seed: int = 0,
        forced_sampling: bool = True,
        convention: Convention = "conv",
        draws: int = 2000,
    ) -> None:
        if size < 1:
            raise ValueError(f"prior pool size must be positive, got {size}")
        interval = (high - low) / (size + 1)
        self.levels = np.array([low + interval * (i + 1) for i in range(size)])
        rng = np.random.default_rng(seed)
        num_layers = cost_model.space.num_layers
        candidates = [random_architecture(num_layers, rng, forced_sampling, density)
                      for density in np.linspace(0.0, 1.0, draws)]
        macs = np.array([cost_model.macs(a, convention) / 1e6 for a in candidates])
        self.archs = [candidates[int(np.abs(macs - level).argmin())] for level in self.levels]
        self.macs = [float(macs[int(np.abs(macs - level).argmin())]) for level in self.levels]
        self.priors = torch.stack([one_hot(a) for a in self.archs])

    def index(self, target: float) -> int:
        return int(np.abs(self.levels - target).argmin())

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
