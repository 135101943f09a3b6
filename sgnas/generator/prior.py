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
(:func:`random_architecture`) so that every level of any range finds a close
architecture; they are canonical under forced sampling (kernels first, skips
last, as the official pool also lays them out).
"""

from __future__ import annotations

import numpy as np
import torch

from sgnas.architecture import Architecture
from sgnas.cost import Convention, CostModel
from sgnas.space import KERNEL_OPS, MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS

__all__ = ["PriorPool", "one_hot", "random_architecture"]


def random_architecture(
    num_layers: int, rng: np.random.Generator, forced_sampling: bool, density: float | None = None
) -> Architecture:
    """A random valid architecture, canonical when ``forced_sampling``.

    ``density`` None draws expansion rates (2..6) and kernels uniformly; a
    density q in [0, 1] draws them binomially with success probability q, from
    all-smallest (q = 0) to all-largest (q = 1), so that a sweep of q covers
    the whole MACs range, whose ends uniform draws almost never reach.
    """
    layers = []
    extra, kernels = SUB_BLOCKS - MIN_ACTIVE, len(KERNEL_OPS)
    for _ in range(num_layers):
        if density is None:
            active = int(rng.integers(MIN_ACTIVE, SUB_BLOCKS + 1))
            choice = rng.integers(0, kernels, active)
        else:
            active = MIN_ACTIVE + int(rng.binomial(extra, density))
            choice = rng.binomial(kernels - 1, density, active)
        ops = [KERNEL_OPS[k] for k in choice] + [SKIP] * (SUB_BLOCKS - active)
        layers.append(tuple(ops) if forced_sampling else tuple(ops[i] for i in rng.permutation(SUB_BLOCKS)))
    arch = Architecture(tuple(layers))
    return arch.canonical() if forced_sampling else arch


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
