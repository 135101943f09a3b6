"""Training loops: the supernet trainer (any path sampler), checkpoints that resume exactly, LR schedules."""

from sgnas.training.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from sgnas.training.schedules import LRFactor
from sgnas.training.supernet import SupernetTrainer, evaluate_top1, load_supernet

__all__ = [
    "LRFactor",
    "SupernetTrainer",
    "evaluate_top1",
    "load_checkpoint",
    "load_supernet",
    "rng_state",
    "save_checkpoint",
    "set_rng_state",
]
