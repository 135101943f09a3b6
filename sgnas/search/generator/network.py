"""The architecture generator networks of SGNAS (supp. A.3, C; official ``utils/generator.py``).

Both map a random *prior* architecture (one-hot, ``[B, *choice_shape]``) and a
normalised FLOPs target (``[B]``, 0 at the range's low end, 1 at its high end)
to logits of the same shape. The space gives the shape (its choice structure's ``shape``):
``[L, 6, 4]`` on the unified space (4 ops per sub-block), ``[6, 5]`` on the
NAS-Bench-201 cell (5 ops per edge); the last axis is always the choice.

:class:`ConvGenerator` is the official network. The prior and the output are
laid out as one-channel maps of the first axis by the rest (``L x 24`` on the
unified space, ``6 x 5`` on the cell: "the shape of the output map fits
different search spaces", supp. C); the target is broadcast into a constant
10-channel map of the same size. 3x3 stride-1 convs of width 32 with
ReLU and no BN: a 3-conv head for the constraint, a 2-conv head for the prior,
their sum, one conv, 3 body convs with a residual from the sum, and a 3x3 conv
to one channel with bias (about 68k parameters at ImageNet size, independent
of the number of layers). :class:`MLPGenerator` is the fully connected variant
the authors found less reliable (supp. C), kept for the ablation.

Initialisation (:func:`initialise`, ``generator.init``): ``official`` is
``SinGenerator._initialize_weights``: convs He-normal on fan-out, std
``sqrt(2 / (k * k * C_out))``, linear layers N(0, 0.01), zero biases;
``default`` keeps PyTorch's (Kaiming-uniform with a = sqrt(5), fan-in). With
PyTorch's the generator's logits barely depend on the target at step 0 (the
constraint map passes through five convs whose default scale shrinks it): the
standard deviation of a logit over ten targets across the range is about 0.007
at initialisation, against about 1.5 with the official rule (logits overall: std
0.03 against 1.8; measured in ``tests/test_generator.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn as nn

__all__ = ["GENERATORS", "INITIALISATIONS", "ConvGenerator", "MLPGenerator", "build_generator", "initialise", "output_map"]

#: width of the constant map that carries the target (official ``hc_dim``)
CONSTRAINT_CHANNELS = 10


def output_map(choice_shape: Sequence[int]) -> tuple[int, int]:
    """The 2-D map a choice shape is laid out on: its first axis by the product of the others."""
    rows, *rest = choice_shape
    return rows, math.prod(rest)


def _conv_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.ReLU())


class ConvGenerator(nn.Module):
    """The official convolutional generator."""

    def __init__(self, choice_shape: Sequence[int], hidden: int = 32, body_convs: int = 3) -> None:
        super().__init__()
        self.choice_shape = tuple(choice_shape)
        self.map_shape = output_map(self.choice_shape)
        self.constraint_head = nn.Sequential(
            _conv_relu(CONSTRAINT_CHANNELS, hidden), _conv_relu(hidden, hidden), _conv_relu(hidden, hidden)
        )
        self.prior_head = nn.Sequential(_conv_relu(1, hidden), _conv_relu(hidden, hidden))
        self.head = _conv_relu(hidden, hidden)
        self.body = nn.Sequential(*[_conv_relu(hidden, hidden) for _ in range(body_convs)])
        self.tail = nn.Conv2d(hidden, 1, 3, 1, 1, bias=True)

    def forward(self, prior: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        batch = prior.shape[0]
        prior_map = prior.reshape(batch, 1, *self.map_shape)
        constraint = target.reshape(batch, 1, 1, 1).expand(batch, CONSTRAINT_CHANNELS, *self.map_shape)
        merged = self.constraint_head(constraint) + self.prior_head(prior_map)
        features = self.body(self.head(merged)) + merged
        return self.tail(features).reshape(batch, *self.choice_shape)


class MLPGenerator(nn.Module):
    """A fully connected generator: flattened prior and target -> hidden layers -> logits."""

    def __init__(self, choice_shape: Sequence[int], hidden: int = 256, depth: int = 3) -> None:
        super().__init__()
        self.choice_shape = tuple(choice_shape)
        choices = math.prod(self.choice_shape)
        sizes = [choices + 1] + [hidden] * depth
        layers: list[nn.Module] = []
        for cin, cout in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(cin, cout), nn.ReLU()]
        layers.append(nn.Linear(hidden, choices))
        self.net = nn.Sequential(*layers)

    def forward(self, prior: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        batch = prior.shape[0]
        features = torch.cat([prior.reshape(batch, -1), target.reshape(batch, 1)], dim=1)
        return self.net(features).reshape(batch, *self.choice_shape)


GENERATORS: dict[str, type[nn.Module]] = {"conv": ConvGenerator, "mlp": MLPGenerator}
#: the choices of ``generator.init``
INITIALISATIONS = ("official", "default")


def initialise(generator: nn.Module, init: str) -> nn.Module:
    """``generator`` with its weights set by the ``official`` rule (in place), or as built (``default``)."""
    if init not in INITIALISATIONS:
        raise ValueError(f"unknown generator initialisation {init!r}; choose official or default")
    if init == "default":
        return generator
    for module in generator.modules():
        if isinstance(module, nn.Conv2d):
            fan_out = module.kernel_size[0] * module.kernel_size[1] * module.out_channels
            nn.init.normal_(module.weight, 0.0, math.sqrt(2.0 / fan_out))
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, 0.0, 0.01)
        else:
            continue
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    return generator


def build_generator(network: str, choice_shape: Sequence[int], hidden: int, init: str = "official") -> nn.Module:
    """The generator named ``network`` for a space's ``choice_shape`` (``conv``: hidden = conv width; ``mlp``:
    hidden = 8 x conv width), initialised."""
    if network == "conv":
        return initialise(ConvGenerator(choice_shape, hidden), init)
    if network == "mlp":
        return initialise(MLPGenerator(choice_shape, hidden * 8), init)
    raise ValueError(f"unknown generator network {network!r}; choose conv or mlp")
