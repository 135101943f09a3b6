"""The generator's random prior: a uniformly drawn valid architecture, one-hot encoded (SGNAS supp. A.3).

Each layer draws its expansion rate uniformly from 2..6, the kernels of its
active sub-blocks uniformly from {3, 5, 7}, and their positions at random (or
the canonical positions under forced sampling). The one-hot tensor has shape
``[L, 6, 4]`` with ops in :data:`sgnas.space.OPS` order.
"""

from __future__ import annotations

import torch

from sgnas.architecture import Architecture
from sgnas.space import KERNEL_OPS, MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS

__all__ = ["one_hot", "random_architecture", "random_prior"]


def random_architecture(num_layers: int, generator: torch.Generator, forced_sampling: bool) -> Architecture:
    """A random valid architecture drawn with ``generator`` (canonical when ``forced_sampling``)."""
    layers = []
    for _ in range(num_layers):
        active = int(torch.randint(MIN_ACTIVE, SUB_BLOCKS + 1, (1,), generator=generator))
        kernels = torch.randint(0, len(KERNEL_OPS), (active,), generator=generator).tolist()
        ops = [KERNEL_OPS[k] for k in kernels] + [SKIP] * (SUB_BLOCKS - active)
        order = torch.randperm(SUB_BLOCKS, generator=generator).tolist()
        layers.append(tuple(ops[i] for i in order))
    arch = Architecture(tuple(layers))
    return arch.canonical() if forced_sampling else arch


def one_hot(arch: Architecture) -> torch.Tensor:
    """``[L, 6, 4]`` float one-hot encoding of ``arch``."""
    indices = torch.tensor(arch.op_indices())
    return torch.nn.functional.one_hot(indices, len(OPS)).float()


def random_prior(num_layers: int, generator: torch.Generator, forced_sampling: bool) -> torch.Tensor:
    """The one-hot encoding of :func:`random_architecture`."""
    return one_hot(random_architecture(num_layers, generator, forced_sampling))
