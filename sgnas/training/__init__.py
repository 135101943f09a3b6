"""Training loops: the supernet trainer (any path sampler), checkpoints that resume exactly, LR schedules, data parallelism."""

from sgnas.training.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from sgnas.training.distributed import Distributed, Precision, init_distributed
from sgnas.training.schedules import LRFactor
from sgnas.training.supernet import SupernetTrainer, load_supernet

__all__ = [
    "Distributed",
    "LRFactor",
    "Precision",
    "SupernetTrainer",
    "init_distributed",
    "load_checkpoint",
    "load_supernet",
    "rng_state",
    "save_checkpoint",
    "set_rng_state",
]
