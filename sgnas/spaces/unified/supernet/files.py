"""The unified supernet's files and fixed architectures: what the unified space adds to the generic trainer.

Validation architectures (the smallest, the largest and seeded random ones),
the exported supernet (weights plus activation and shadow-BN setting, checked
against the space and preset), the training checkpoint a ``--resume`` reads,
and the result value that lists the validated architectures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn as nn

from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import ResultValue
from sgnas.config.schema import SupernetConfig
from sgnas.spaces.unified.architecture import Architecture, is_architecture_string, random_architecture
from sgnas.spaces.unified.space import MIN_ACTIVE, SKIP, SUB_BLOCKS, SearchSpace
from sgnas.training.checkpoint import check_checkpoint, load_checkpoint, load_error

__all__ = [
    "ARCHITECTURE_STRINGS", "check_supernet_file", "export_settings", "load_supernet", "load_training_checkpoint",
    "supernet_from_checkpoint", "validation_architectures",
]

#: what a supernet run's ``val_archs`` result must be: the architectures it validated, as strings
ARCHITECTURE_STRINGS = ResultValue("a list of architecture strings",
                                   lambda v: isinstance(v, list) and all(is_architecture_string(a) for a in v))


def validation_architectures(num_layers: int, count: int, seed: int, forced_sampling: bool) -> list[Architecture]:
    """The smallest (2 x k3) and largest (6 x k7) architectures plus ``count - 2`` seeded random ones."""
    smallest = Architecture((("k3",) * MIN_ACTIVE + (SKIP,) * (SUB_BLOCKS - MIN_ACTIVE),) * num_layers)
    largest = Architecture((("k7",) * SUB_BLOCKS,) * num_layers)
    archs = [smallest, largest][: max(count, 0)]
    rng = np.random.default_rng(seed)
    archs += [random_architecture(num_layers, rng, forced_sampling) for _ in range(count - len(archs))]
    return archs


def export_settings(supernet: nn.Module) -> dict[str, Any]:
    """What an exported unified supernet carries beside its weights to be built again."""
    return {"act": supernet.act_name, "shadow_bn": supernet.shadow_bn}


def _identity(space: SearchSpace, preset: str) -> dict[str, Any]:
    return {"space": space.describe(), "preset": preset}


def load_supernet(path: str | Path, space: SearchSpace, preset: str | None = None,
                  device: str | torch.device = "cpu") -> nn.Module:
    """A trained UnifiedSupernet from a supernet checkpoint (checked against ``space`` and ``preset``)."""
    payload = load_checkpoint(path, "supernet", space.describe(), preset, map_location=device)
    return supernet_from_checkpoint(payload, path, space).to(device)


def supernet_from_checkpoint(payload: dict[str, Any], path: str | Path, space: SearchSpace) -> nn.Module:
    """The UnifiedSupernet of ``space`` holding the weights of ``payload``, an exported supernet read from
    ``path``: every key and shape of the model's state dict, no more, no fewer (else a one-line error)."""
    from sgnas.spaces.unified.supernet import UnifiedSupernet

    try:
        supernet = UnifiedSupernet(space, act=payload["act"], shadow_bn=payload["shadow_bn"])
        supernet.load_state_dict(payload["model"])
    except (RuntimeError, KeyError, TypeError, AttributeError) as err:
        raise SgnasError(f"checkpoint {path} does not fit the supernet: {load_error(err)}") from None
    return supernet


def load_training_checkpoint(path: str | Path, space: SearchSpace, config: SupernetConfig,
                             preset: str) -> dict[str, Any]:
    """The supernet-training checkpoint at ``path`` (``train-supernet --resume``), checked to be one of ``space``
    and ``preset`` whose model has every key and shape of a supernet of ``config``.

    Read before the run folder is opened, so that a file that is no such checkpoint is one line and leaves no run
    folder behind; the model is compared with one built on the meta device (nothing allocated).
    """
    from sgnas.spaces.unified.supernet import UnifiedSupernet

    payload = load_checkpoint(path, "supernet-training", space.describe(), preset)
    with torch.device("meta"):
        expected = UnifiedSupernet(space, act=config.act, shadow_bn=config.shadow_bn).state_dict()
    model = payload.get("model")
    shapes = ({key: tuple(value.shape) for key, value in model.items() if isinstance(value, torch.Tensor)}
              if isinstance(model, dict) else {})
    if shapes != {key: tuple(value.shape) for key, value in expected.items()}:
        wrong = sorted(set(shapes) ^ set(expected)) or sorted(k for k in shapes if shapes[k] != expected[k].shape)
        raise SgnasError(f"checkpoint {path} does not fit this supernet (its model differs at "
                         f"{', '.join(wrong[:3]) or 'every key'})")
    return payload


def check_supernet_file(path: Path, payload: Any, space: SearchSpace, preset: str) -> None:
    """That ``payload`` (read from ``path``) is what :meth:`~sgnas.training.supernet.SupernetTrainer.export` writes for ``space`` and
    ``preset``: an exported supernet, not a training checkpoint, whose weights fit the model."""
    supernet_from_checkpoint(check_checkpoint(payload, path, "supernet", space.describe(), preset), path, space)


