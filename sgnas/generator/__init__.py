"""SGNAS's architecture generator (Huang & Chu, CVPR 2021, supp. A.3, C): networks, prior, relaxation, losses, training, search.

:mod:`~sgnas.generator.network` (conv and MLP generators) ->
:mod:`~sgnas.generator.prior` (random one-hot priors) ->
:mod:`~sgnas.generator.relax` (Gumbel-softmax, tau schedule, forced sampling, argmax) ->
:mod:`~sgnas.generator.losses` (hardware losses) ->
:mod:`~sgnas.generator.train` (training against a frozen supernet) ->
:mod:`~sgnas.generator.strategy` (search by generating, and the prior-only baseline).
"""

from sgnas.generator.losses import HARDWARE_LOSSES, asymmetric_squared, relative_squared
from sgnas.generator.network import ConvGenerator, MLPGenerator, build_generator
from sgnas.generator.prior import PriorPool, one_hot
from sgnas.generator.relax import TauSchedule, canonical_relaxed, decode, mask_logits, relax
from sgnas.generator.strategy import GeneratorStrategy, PriorStrategy
from sgnas.generator.train import GeneratorTrainer, TargetCycle, sweep_targets

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
    "canonical_relaxed",
    "decode",
    "mask_logits",
    "one_hot",
    "relative_squared",
    "relax",
    "sweep_targets",
]
