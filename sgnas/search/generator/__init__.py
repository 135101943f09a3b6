"""SGNAS's architecture generator (Huang & Chu, CVPR 2021, supp. A.3, C): networks, prior, relaxation, losses, training, search.

:mod:`~sgnas.search.generator.network` (conv and MLP generators) ->
:mod:`~sgnas.search.generator.prior` (random one-hot priors) ->
:mod:`~sgnas.search.generator.relax` (Gumbel-softmax, tau schedule, forced sampling, argmax) ->
:mod:`~sgnas.search.generator.losses` (hardware losses) ->
:mod:`~sgnas.search.generator.train` (training against a frozen supernet) ->
:mod:`~sgnas.search.generator.strategy` (search by generating, and the prior-only baseline).
"""

from sgnas.search.generator.losses import HARDWARE_LOSSES, asymmetric_squared, relative_squared
from sgnas.search.generator.network import ConvGenerator, MLPGenerator, build_generator
from sgnas.search.generator.prior import PriorPool, one_hot
from sgnas.search.generator.relax import TauSchedule, canonical_relaxed, decode, mask_logits, relax
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
    "canonical_relaxed",
    "decode",
    "mask_logits",
    "one_hot",
    "relative_squared",
    "relax",
    "sweep_targets",
]
