"""Path samplers for supernet training: which single paths run on each batch.

A :class:`PathSampler` answers one question per optimizer step: which
architectures run forward/backward on this batch (gradients accumulate, then one
optimizer step). Samplers are objects outside the model (the official SGNAS code
keeps this state inside its modules); their whole state, including the numpy
generator's, is in :meth:`PathSampler.state_dict`, so a resumed run draws exactly
the paths an uninterrupted run would have drawn.

Forced sampling (SGNAS supp. D) is one switch honoured by every sampler: with it
on, each drawn path is replaced by its canonical form
(:meth:`sgnas.spaces.unified.architecture.Architecture.canonical`), which keeps every layer's
multiset of ops, hence its expansion rate, kernels, MACs and parameters; with it
off, every arrangement of a layer's sub-blocks is a distinct architecture.
Samplers draw the same ordered paths either way, so their guarantees on
expansion rates and multisets hold in both modes.

* :class:`StrictFairSampler`: FairNAS strict fairness (Chu et al., arXiv
  1907.01845) adapted to unified blocks, as SGNAS supp. A.2 asks.
* :class:`UniformSampler`: SPOS uniform single-path sampling (Guo et al., arXiv 1904.00420).
* :class:`OfficialSampler`: what the official SGNAS code does instead of strict
  fairness (``utils/trainer.py``, ``utils/network_utils.py``).

Each sampler is registered under its config name (``supernet.sampler``) in
:data:`sgnas.registry.SAMPLERS`; :func:`build_sampler` builds one by name. A new
sampler is one class with ``@SAMPLERS.register("name")``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas.registry import SAMPLERS, UNIFIED
from sgnas.spaces.unified.architecture import Architecture, Layer
from sgnas.spaces.unified.space import KERNEL_OPS, MIN_ACTIVE, SKIP, SUB_BLOCKS

__all__ = ["EXPANSIONS", "OfficialSampler", "PathSampler", "StrictFairSampler", "UniformSampler", "build_sampler"]

#: The expansion rates of a unified block, 2..6.
EXPANSIONS: tuple[int, ...] = tuple(range(MIN_ACTIVE, SUB_BLOCKS + 1))


def _layer(active: dict[int, str]) -> Layer:
    """Six ops from the kernels of the active positions; the others skip."""
    return tuple(active.get(j, SKIP) for j in range(SUB_BLOCKS))


class PathSampler(ABC):
    """Draws the paths of each optimizer step, reproducibly from a seed."""

    #: how many paths :meth:`next_step` returns
    paths_per_step: int = 1
    #: what tables and legends call the method this sampler stands for
    label: str = "path sampler"
    #: the space family it draws for (:func:`sgnas.registry.family_of`): the unified spaces
    family: str = UNIFIED

    def __init__(self, num_layers: int, seed: int, forced_sampling: bool = True) -> None:
        if num_layers < 1:
            raise SgnasError(f"a sampler needs at least one layer, got {num_layers}")
        self.num_layers = num_layers
        self.seed = seed
        self.forced_sampling = forced_sampling
        self.rng = np.random.default_rng(seed)
        self.steps = 0

    def next_step(self) -> list[Architecture]:
        """The paths to run forward/backward on one batch before one optimizer step."""
        paths = [Architecture(layers) for layers in self._draw()]
        self.steps += 1
        return [arch.canonical() for arch in paths] if self.forced_sampling else paths

    @abstractmethod
    def _draw(self) -> list[tuple[Layer, ...]]:
        """The ordered (not yet canonicalised) layers of each path of one step."""

    # --- exact resume ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything that determines the following steps (JSON- and torch.save-able)."""
        return {
            "sampler": type(self).__name__,
            "num_layers": self.num_layers,
            "seed": self.seed,
            "forced_sampling": self.forced_sampling,
            "steps": self.steps,
            "rng": self.rng.bit_generator.state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue exactly where the sampler that produced ``state`` stopped."""
        expected = (type(self).__name__, self.num_layers, self.forced_sampling)
        found = (state.get("sampler"), state.get("num_layers"), state.get("forced_sampling"))
        if found != expected:
            raise SgnasError(
                f"sampler state is for (sampler, layers, forced sampling) = {found}, this sampler is {expected}"
            )
        self.seed = state["seed"]
        self.steps = int(state["steps"])
        self.rng.bit_generator.state = state["rng"]


@SAMPLERS.register("strict-fair")
class StrictFairSampler(PathSampler):
    """FairNAS strict fairness for unified blocks: five paths per step, one per expansion rate.

    Each step, independently per layer:

    1. the five paths' expansion rates are a random permutation of 2..6;
    2. the active positions are consecutive runs of one random cyclic order of
       the six sub-blocks: path 1 takes the first ``e_1`` positions of the cycle,
       path 2 the next ``e_2``, and so on around the cycle (a run of at most six
       is never repeated within a path, and every subset of positions is a run of
       some cyclic order);
    3. every sub-block walks through its three kernels in a fixed cyclic order
       (random per sub-block, drawn once from the seed), taking the next kernel
       each time a path activates it.

    Guarantees, for every layer (tested in tests/test_samplers.py):

    * within a step, the expansion rates of the paths form a permutation of 2..6;
    * within a step, each sub-block is active in 3 or 4 of the 5 paths (the 20
      active sub-blocks are spread as evenly as six positions allow), so every
      kernel of every sub-block is trained at least once per step;
    * without forced sampling: over ANY run of consecutive steps, the numbers of
      times a sub-block's k3, k5 and k7 are trained differ by at most one (any
      stretch of a fixed 3-cycle is balanced);
    * with forced sampling, the same paths are canonicalised, which moves
      kernels between positions but keeps each layer's multiset, so the
      guarantee holds for the layer's kernel counts (summed over its sub-blocks):
      over any run of consecutive steps they differ by at most six (one per
      sub-block), and each kernel is trained at least six times per step.
    """

    paths_per_step = len(EXPANSIONS)
    label = "FairNAS strict fairness"

    def __init__(self, num_layers: int, seed: int, forced_sampling: bool = True) -> None:
        super().__init__(num_layers, seed, forced_sampling)
        kernels = len(KERNEL_OPS)
        self.kernel_cycles = np.stack(
            [self.rng.permutation(kernels) for _ in range(num_layers * SUB_BLOCKS)]
        ).reshape(num_layers, SUB_BLOCKS, kernels)
        self.kernel_uses = np.zeros((num_layers, SUB_BLOCKS), dtype=np.int64)

    def _draw(self) -> list[tuple[Layer, ...]]:
        per_path: list[list[Layer]] = [[] for _ in EXPANSIONS]
        for layer in range(self.num_layers):
            expansions = self.rng.permutation(EXPANSIONS)
            cycle = self.rng.permutation(SUB_BLOCKS)
            start = 0
            for path, expansion in enumerate(expansions):
                active = {}
                for offset in range(start, start + int(expansion)):
                    j = int(cycle[offset % SUB_BLOCKS])
                    uses = self.kernel_uses[layer, j]
                    active[j] = KERNEL_OPS[self.kernel_cycles[layer, j, uses % len(KERNEL_OPS)]]
                    self.kernel_uses[layer, j] = uses + 1
                per_path[path].append(_layer(active))
                start += int(expansion)
        return [tuple(layers) for layers in per_path]

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "kernel_cycles": self.kernel_cycles.tolist(),
            "kernel_uses": self.kernel_uses.tolist(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.kernel_cycles = np.asarray(state["kernel_cycles"], dtype=np.int64)
        self.kernel_uses = np.asarray(state["kernel_uses"], dtype=np.int64)


@SAMPLERS.register("uniform")
class UniformSampler(PathSampler):
    """SPOS: one path per step, each layer drawn independently and uniformly at random.

    Per layer: the expansion rate uniformly from 2..6, then that many positions
    uniformly among the six sub-blocks, then an independent uniform kernel for
    each. (So it is uniform over expansion rates, not over the ordered layer
    configurations, of which expansion 6 has far the most.) With forced
    sampling the same draw is canonicalised.
    """

    paths_per_step = 1
    label = "SPOS uniform"

    def _draw(self) -> list[tuple[Layer, ...]]:
        layers = []
        for _ in range(self.num_layers):
            expansion = int(self.rng.integers(MIN_ACTIVE, SUB_BLOCKS + 1))
            positions = self.rng.choice(SUB_BLOCKS, size=expansion, replace=False)
            kernels = self.rng.integers(0, len(KERNEL_OPS), size=expansion)
            layers.append(_layer({int(j): KERNEL_OPS[k] for j, k in zip(positions, kernels)}))
        return [tuple(layers)]


@SAMPLERS.register("official")
class OfficialSampler(PathSampler):
    """The official SGNAS supernet sampler: four passes per batch, gradients summed, one optimizer step.

    Read from the official code (``Trainer._training_step``, ``MBConv``,
    ``MPDBlock`` and ``MixedBlock.set_training_order``): at the start of every
    batch each layer and each sub-block reset their state, then each of the 4
    passes draws, independently per layer:

    1. the expansion rate: the next entry of the layer's list 2..6, shuffled
       afresh at the batch's start, so the 4 passes of a batch take 4 distinct
       rates (one of the five is left out each batch);
    2. the active positions: a uniformly random subset of that many of the six
       sub-blocks; any sub-block may skip, sub-block 0 included (the official
       "at least one block" rule only applies to an expansion rate of 0, which
       never occurs), and nothing inside the sampler forces a canonical
       arrangement: the official code has no forced sampling. The
       :class:`PathSampler` switch still canonicalises its paths when
       ``supernet.forced_sampling`` is on (the paper setup); the official
       code's paths are those of the ``official`` setup
       (:mod:`sgnas.config.setups`), where it is off;
    3. the kernels: each active sub-block takes the next entry of its own list
       of k3/k5/k7, shuffled afresh at the batch's start and again each time it
       is used up. The official reset sets the list's index to 0 and the same
       call advances it, so the walk begins at the list's second entry: a
       sub-block's first two uses in a batch are two distinct kernels, its next
       three (a fresh shuffle) the three kernels.

    All state is renewed every batch, so the numpy generator is the whole state
    and resuming is exact. The official code draws from Python's and numpy's
    global generators; here one seeded generator draws the same distributions.
    """

    paths_per_step = 4
    label = "official SGNAS sampler"

    def _draw(self) -> list[tuple[Layer, ...]]:
        per_path: list[list[Layer]] = [[] for _ in range(self.paths_per_step)]
        kernels = len(KERNEL_OPS)
        for _ in range(self.num_layers):
            expansions = self.rng.permutation(EXPANSIONS)[: self.paths_per_step]
            lists = [self.rng.permutation(kernels) for _ in range(SUB_BLOCKS)]
            index = [0] * SUB_BLOCKS
            for path, expansion in enumerate(expansions):
                active = {}
                for j in sorted(int(j) for j in self.rng.permutation(SUB_BLOCKS)[: int(expansion)]):
                    index[j] += 1
                    if index[j] == kernels:
                        lists[j], index[j] = self.rng.permutation(kernels), 0
                    active[j] = KERNEL_OPS[int(lists[j][index[j]])]
                per_path[path].append(_layer(active))
        return [tuple(layers) for layers in per_path]


def build_sampler(name: str, num_layers: int, seed: int, forced_sampling: bool = True) -> PathSampler:
    """The sampler registered as ``name``, built as ``Sampler(num_layers, seed, forced_sampling=...)``."""
    return SAMPLERS.get(name)(num_layers, seed, forced_sampling=forced_sampling)
