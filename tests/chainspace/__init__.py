"""A toy third search space: a chain of choice layers, as a space package and nothing else.

Four layers, each one of ``skip``, ``conv1x1`` or ``conv3x3`` on a few channels
at a small resolution. The package supplies only what is specific to a space
(``SpaceEntry``): its architecture type with a string form, its exact and
expected cost, its supernet (hard path and relaxed), its choice structure for
the generator, its architectures within a cost limit for the baselines, and its
two grid samplers. Everything else (supernet training, the generator and its
trainer, supernet evaluation, random search, evolution) is the library's,
unchanged: this package is the proof that the pipeline is generic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from sgnas._infra.errors import SgnasError
from sgnas.registry import SAMPLERS, SPACES
from sgnas.spaces.cost import Cost
from sgnas.training.grid_samplers import StrictFairGridSampler, UniformGridSampler

FAMILY = "chain"
OPS = ("skip", "conv1x1", "conv3x3")
KERNEL = {"conv1x1": 1, "conv3x3": 3}
LAYERS = 4


@dataclass(frozen=True)
class Chain:
    """One op per layer; text form ``conv3x3-skip-conv1x1-conv3x3``."""

    ops: tuple[str, ...]

    @classmethod
    def from_indices(cls, indices: Sequence[int]) -> Chain:
        return cls(tuple(OPS[int(i)] for i in indices))

    @classmethod
    def from_string(cls, text: str) -> Chain:
        ops = tuple(text.split("-"))
        if len(ops) != LAYERS or not set(ops) <= set(OPS):
            raise SgnasError(f"a chain is {LAYERS} of {', '.join(OPS)} joined by '-', got {text!r}")
        return cls(ops)

    def op_indices(self) -> tuple[int, ...]:
        return tuple(OPS.index(op) for op in self.ops)

    def to_string(self) -> str:
        return "-".join(self.ops)

    def to_json(self) -> dict[str, Any]:
        return {"ops": list(self.ops)}


@dataclass(frozen=True)
class ChainSpec:
    """The fixed network around the chain."""

    channels: int = 4
    resolution: int = 8
    num_classes: int = 10

    def describe(self) -> dict[str, Any]:
        return {"name": FAMILY, "channels": self.channels, "resolution": self.resolution,
                "num_classes": self.num_classes}


class ChainCost:
    """Exact MACs of a chain (the stem and classifier fixed, each conv ``k * k * C * C * H * W``), and expected."""

    def __init__(self, space: ChainSpec) -> None:
        self.space = space
        pixels = space.resolution**2
        self.table = np.array([[KERNEL.get(op, 0) ** 2 * space.channels**2 * pixels for op in OPS]] * LAYERS)
        self.fixed = 27 * space.channels * pixels + space.channels * space.num_classes

    def macs(self, arch: Chain, convention: str = "macs") -> int:
        return self.fixed + int(sum(self.table[i, o] for i, o in enumerate(arch.op_indices())))

    def cost(self, arch: Chain, convention: str = "macs") -> Cost:
        return Cost(self.macs(arch), 0, "macs", False)

    def macs_range(self, convention: str = "macs") -> tuple[int, int]:
        return self.fixed + int(self.table.min(1).sum()), self.fixed + int(self.table.max(1).sum())

    def expected_macs(self, probs: torch.Tensor, convention: str = "macs", threshold: float = 0.0) -> torch.Tensor:
        kept = probs * (probs > threshold) if threshold > 0 else probs
        return (kept * torch.as_tensor(self.table, dtype=probs.dtype)).sum() + self.fixed


class ChainChoices:
    """The generator's view: a ``4 x 3`` map, one distribution over the ops of each layer."""

    shape = (LAYERS, len(OPS))

    def one_hot(self, arch: Chain) -> torch.Tensor:
        return F.one_hot(torch.tensor(arch.op_indices()), len(OPS)).float()

    def from_one_hot(self, encoded: torch.Tensor) -> Chain:
        return Chain.from_indices(encoded.argmax(-1).tolist())

    def from_indices(self, indices: Sequence[int]) -> Chain:
        return Chain.from_indices(indices)

    def relax(self, logits: torch.Tensor, tau: float, forced_sampling: bool) -> torch.Tensor:
        return F.gumbel_softmax(logits, tau=tau, hard=False, dim=-1)

    def decode(self, logits: torch.Tensor, forced_sampling: bool) -> Chain:
        return Chain.from_indices(logits.detach().argmax(-1).tolist())

    def random(self, rng: np.random.Generator, forced_sampling: bool, density: float | None = None) -> Chain:
        if density is None:
            return Chain.from_indices(rng.integers(0, len(OPS), LAYERS))
        return Chain.from_indices(rng.binomial(len(OPS) - 1, density, LAYERS))  # OPS run from cheap to dear


class ChainSupernet(nn.Module):
    """Stem, four layers of shared op weights, pooled classifier; no BN, so nothing to recalibrate."""

    bn = "batch-stats"

    def __init__(self, space: ChainSpec) -> None:
        super().__init__()
        c = space.channels
        self.stem = nn.Conv2d(3, c, 3, padding=1, bias=False)
        self.layers = nn.ModuleList(
            nn.ModuleDict({op: nn.Conv2d(c, c, k, padding=k // 2, bias=False) for op, k in KERNEL.items()})
            for _ in range(LAYERS))
        self.head = nn.Linear(c, space.num_classes)

    def _op(self, layer: int, op: str, x: torch.Tensor) -> torch.Tensor:
        return x if op == "skip" else F.relu(self.layers[layer][op](x))

    def forward(self, x: torch.Tensor, arch: Chain) -> torch.Tensor:
        x = F.relu(self.stem(x))
        for layer, op in enumerate(arch.ops):
            x = self._op(layer, op, x)
        return self.head(x.mean((2, 3)))

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float = 0.0) -> torch.Tensor:
        x = F.relu(self.stem(x))
        for layer in range(LAYERS):
            x = sum(weights[layer, o] * self._op(layer, op, x) for o, op in enumerate(OPS)
                    if weights[layer, o] > threshold)
        return self.head(x.mean((2, 3)))


class ChainBounded:
    """Chains within a MACs limit: uniform draws among those that fit, layer-wise mutation and crossover."""

    def __init__(self, cost_model: ChainCost, limit: float) -> None:
        self.cost_model, self.limit = cost_model, float(limit)
        every = [Chain.from_indices(np.unravel_index(i, (len(OPS),) * LAYERS)) for i in range(len(OPS) ** LAYERS)]
        self.chains = [c for c in every if self.fits(c)]

    def sample(self, rng: np.random.Generator) -> Chain:
        return self.chains[int(rng.integers(len(self.chains)))]

    def fits(self, arch: Chain) -> bool:
        return self.cost_model.macs(arch) <= self.limit

    def mutate(self, arch: Chain, rng: np.random.Generator, probability: float) -> Chain:
        return Chain.from_indices([int(rng.integers(len(OPS))) if rng.random() < probability else o
                                   for o in arch.op_indices()])

    def crossover(self, first: Chain, second: Chain, rng: np.random.Generator) -> Chain:
        return Chain(tuple(a if rng.random() < 0.5 else b for a, b in zip(first.ops, second.ops)))


class ChainEntry:
    """The registry entry of the chain space."""

    family = FAMILY
    conventions = ("macs",)
    default_convention = "macs"
    macs_digits = 3
    options: frozenset[str] = frozenset()

    def build(self, resolution: int | None = None, width: float = 1.0, num_classes: int | None = None) -> ChainSpec:
        return ChainSpec(resolution=resolution or 8, num_classes=num_classes or 10)

    def parse(self, text: str, space: ChainSpec) -> Chain:
        return Chain.from_string(text)

    def cost_model(self, space: ChainSpec, se: bool = False) -> ChainCost:
        return ChainCost(space)

    def random(self, rng: np.random.Generator, space: ChainSpec) -> Chain:
        return ChainChoices().random(rng, False)

    def within(self, cost_model: ChainCost, limit: float, forced_sampling: bool = True,
               measure: str = "uniform") -> ChainBounded:
        return ChainBounded(cost_model, limit)

    def choices(self, space: ChainSpec) -> ChainChoices:
        return ChainChoices()

    def summary(self, space: ChainSpec) -> str:
        return f"chain of {LAYERS} layers, {space.channels} channels"

    def describe(self, space: ChainSpec) -> dict[str, Any]:
        return space.describe()

    def details(self, arch: Chain) -> dict[str, Any]:
        return arch.to_json()


SPACES.add(FAMILY, ChainEntry())


@SAMPLERS.register("chain-uniform")
class ChainUniform(UniformGridSampler):
    family = FAMILY
    choices = ChainChoices()


@SAMPLERS.register("chain-strict-fair")
class ChainStrictFair(StrictFairGridSampler):
    family = FAMILY
    choices = ChainChoices()
