"""Random architectures of the unified space under a MACs budget, drawn constructively instead of by blind rejection.

Random sampling, random search and the initial population of SPOS's
evolutionary search (Guo et al., "Single Path One-Shot NAS", ECCV 2020) all need
"a random architecture that fits the budget": in the unified space they get it
from here, through :class:`sgnas.spaces.unified.entry.UnifiedBounded` (the space's
side of :class:`sgnas.spaces.protocol.BoundedSpace`). SPOS rejection-samples its uniform
single-path sampler; in the unified space that stalls for low targets, where
the feasible architectures are a vanishing fraction of the space.

:class:`BudgetSampler` draws from exactly the distribution that
sampling-plus-rejection would give (by default the uniform distribution over the
feasible architectures of the space), without the stall:

* The default measure, ``"uniform"``, is uniform over architectures: with
  forced sampling (FS) on, over the canonical ones (one per multiset of ops in
  each layer), without FS over every ordered arrangement of 2..6 kernels among
  the 6 sub-blocks. The ``"spos"`` measure is instead the law of the library's
  SPOS sampler (:class:`sgnas.training.samplers.UniformSampler`: expansion rate uniform
  in 2..6, positions and kernels uniform), which is what SPOS's own
  uniform-plus-rejection would draw here. A layer's MACs depend only on its
  multiset (its counts of k3, k5 and k7), so each layer is a choice among 80
  multisets, weighted by its mass under the measure; without FS the
  arrangement of the chosen multiset is then uniform, as under both measures.
* A dynamic programme over layers counts, for every remaining budget, the
  weighted number of completions, on per-layer costs rounded *down* to a grid.
  Rounding down only enlarges the set, so walking the table forwards draws a
  member of a superset of the feasible set with the measure's probabilities;
  members over the real budget (a thin shell at most ``num_layers`` grid steps
  wide) are rejected. A draw from a superset conditioned on the subset follows
  the measure conditioned on the subset, which is what rejection gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.architecture import Architecture, canonical_layer
from sgnas.spaces.unified.cost import Convention, CostModel
from sgnas.spaces.unified.space import KERNEL_OPS, MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS

__all__ = ["BudgetSampler", "LAYER_MULTISETS", "MEASURES", "random_layer"]

#: Every valid layer as counts of (k3, k5, k7): 2 to 6 kernels, the rest skips (80 multisets).
LAYER_MULTISETS: tuple[tuple[int, int, int], ...] = tuple(
    counts for counts in product(range(SUB_BLOCKS + 1), repeat=len(KERNEL_OPS))
    if MIN_ACTIVE <= sum(counts) <= SUB_BLOCKS
)


def _arrangements(counts: Sequence[int]) -> int:
    """Ordered layers with this multiset: 6! / (n3! n5! n7! nskip!)."""
    skips = SUB_BLOCKS - sum(counts)
    denominator = math.prod(math.factorial(n) for n in (*counts, skips))
    return math.factorial(SUB_BLOCKS) // denominator


#: Distributions over a layer's configurations: uniform over the space's architectures, or SPOS's sampler's.
MEASURES: tuple[str, ...] = ("uniform", "spos")


def _multiset_weights(forced_sampling: bool, measure: str = "uniform") -> np.ndarray:
    """Unnormalised mass of each multiset in one layer under ``measure``."""
    if measure == "spos":
        # P(expansion e) = 1/5, kernels i.i.d. uniform: multinomial(e; n3, n5, n7) / 3^e.
        return np.array([
            math.factorial(sum(n)) / math.prod(math.factorial(k) for k in n) / 3 ** sum(n) for n in LAYER_MULTISETS
        ])
    if measure != "uniform":
        raise SgnasError(f"unknown sampling measure {measure!r}; choose one of {', '.join(MEASURES)}")
    if forced_sampling:
        return np.ones(len(LAYER_MULTISETS))
    return np.array([_arrangements(counts) for counts in LAYER_MULTISETS], dtype=np.float64)


def _layer_ops(counts: Sequence[int], rng: np.random.Generator, forced_sampling: bool) -> tuple[str, ...]:
    """The layer of a multiset: canonical under FS, a uniformly random arrangement without."""
    ops = [op for op, n in zip(KERNEL_OPS, counts) for _ in range(n)]
    ops += [SKIP] * (SUB_BLOCKS - len(ops))
    if forced_sampling:
        return canonical_layer(ops)
    return tuple(ops[i] for i in rng.permutation(SUB_BLOCKS))


def random_layer(rng: np.random.Generator, forced_sampling: bool = True, measure: str = "uniform") -> tuple[str, ...]:
    """A random valid layer under ``measure`` (canonical under FS), ignoring cost."""
    weights = _multiset_weights(forced_sampling, measure)
    choice = rng.choice(len(LAYER_MULTISETS), p=weights / weights.sum())
    return _layer_ops(LAYER_MULTISETS[choice], rng, forced_sampling)


class BudgetSampler:
    """Draws under ``measure`` from the architectures of a space whose MACs are at most ``max_macs``.

    ``grid`` is the number of budget cells of the dynamic programme: finer grids
    reject less (the rejected shell is ``num_layers`` cells wide) at a linear cost
    in table size. ``max_tries`` bounds the rejections of one draw.
    """

    def __init__(
        self,
        cost_model: CostModel,
        max_macs: float,
        forced_sampling: bool = True,
        convention: Convention = "conv+fc",
        measure: str = "uniform",
        grid: int = 4096,
        max_tries: int = 1000,
    ) -> None:
        if cost_model.se:
            raise SgnasError("budget sampling is defined for the searched space without SE")
        self.cost_model = cost_model
        self.max_macs = float(max_macs)
        self.forced_sampling = forced_sampling
        self.convention = convention
        self.measure = measure
        self.max_tries = max_tries
        low, _ = cost_model.macs_range(convention)
        if self.max_macs < low:
            raise SgnasError(
                f"MACs budget {self.max_macs / 1e6:.2f}M is below the smallest architecture of the "
                f"{cost_model.space.name} space ({low / 1e6:.2f}M, {convention})"
            )
        kernel_macs = cost_model.sub_macs[:, [OPS.index(op) for op in KERNEL_OPS]]
        #: exact MACs of every multiset in every layer: [layers, multisets]
        self.layer_macs = kernel_macs @ np.array(LAYER_MULTISETS, dtype=np.int64).T
        self.variable_budget = self.max_macs - cost_model.fixed_macs(convention)
        self.cell = max(self.variable_budget / grid, 1.0)
        self.cells = int(self.variable_budget // self.cell)
        self._cell_costs = np.floor(self.layer_macs / self.cell).astype(np.int64)
        self._weights = _multiset_weights(forced_sampling, measure)
        self._completions = self._count_completions()

    def _count_completions(self) -> np.ndarray:
        """``table[i, k]``: weighted number of ways to fill layers i.. within k cells (rounded-down costs)."""
        num_layers = self.layer_macs.shape[0]
        table = np.zeros((num_layers + 1, self.cells + 1))
        table[num_layers] = 1.0
        for i in range(num_layers - 1, -1, -1):
            for m, weight in enumerate(self._weights):
                cost = self._cell_costs[i, m]
                if cost <= self.cells:
                    table[i, cost:] += weight * table[i + 1, : self.cells + 1 - cost]
        return table

    def _draw_candidate(self, rng: np.random.Generator) -> Architecture:
        layers = []
        remaining = self.cells
        for i in range(self.layer_macs.shape[0]):
            costs = self._cell_costs[i]
            fits = costs <= remaining
            mass = np.zeros(len(LAYER_MULTISETS))
            mass[fits] = self._weights[fits] * self._completions[i + 1, remaining - costs[fits]]
            choice = rng.choice(len(LAYER_MULTISETS), p=mass / mass.sum())
            remaining -= costs[choice]
            layers.append(_layer_ops(LAYER_MULTISETS[choice], rng, self.forced_sampling))
        return Architecture(tuple(layers))

    def sample(self, rng: np.random.Generator) -> Architecture:
        """One random architecture within the budget."""
        for _ in range(self.max_tries):
            arch = self._draw_candidate(rng)
            if self.cost_model.macs(arch, self.convention) <= self.max_macs:
                return arch
        raise SgnasError(
            f"no architecture within {self.max_macs / 1e6:.2f}M MACs after {self.max_tries} draws; "
            "raise the target or the sampler's grid"
        )

    def fits(self, arch: Architecture) -> bool:
        return self.cost_model.macs(arch, self.convention) <= self.max_macs
