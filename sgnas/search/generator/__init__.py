"""SGNAS's architecture generator (Huang & Chu, CVPR 2021, supp. A.3, C): networks, prior, losses, training, search.

Written once for every space: what is specific to a space (the shape of the
output map, one-hot priors, the relaxation with or without forced sampling,
the argmax architecture, random draws) is its choice structure
(:class:`sgnas.spaces.protocol.ChoiceStructure`, from the space's registry entry).

:mod:`~sgnas.search.generator.network` (conv and MLP generators on any choice shape) ->
:mod:`~sgnas.search.generator.prior` (the prior pool) ->
:mod:`~sgnas.search.generator.schedule` (the Gumbel-softmax temperature) ->
:mod:`~sgnas.search.generator.losses` (hardware losses) ->
:mod:`~sgnas.search.generator.train` (training against a frozen supernet) ->
:mod:`~sgnas.search.generator.strategy` (search by generating, and the prior-only baseline).
"""

from sgnas.search.generator.losses import HARDWARE_LOSSES, asymmetric_squared, relative_squared
from sgnas.search.generator.network import ConvGenerator, MLPGenerator, build_generator
from sgnas.search.generator.prior import PriorPool
from sgnas.search.generator.schedule import TauSchedule
from sgnas.search.generator.strategy import GeneratorStrategy, PriorStrategy
from sgnas.search.generator.train import GeneratorTrainer, TargetCycle, sweep_targets

__all__ = [
    "HARDWARE_LOSSES",
    "ConvGenerator",
    "GeneratorStrategy",
    "GeneratorTrainer",
    "MLPGenerator",
    "PriorPool",
    "PriorStrategy",
    "TargetCycle",
    "TauSchedule",
    "asymmetric_squared",
    "build_generator",
    "relative_squared",
    "sweep_targets",
]
