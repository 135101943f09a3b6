"""Checkpoints written atomically and checked on load: a killed run keeps its last complete checkpoint.

A checkpoint is a dict saved with ``torch.save`` to a temporary file and
renamed. It records what produced it (``kind``, the search space's
description, the preset) so that loading it into another space or preset is a
one-line error instead of a shape mismatch deep in ``load_state_dict``. RNG
states (torch, numpy's legacy global generator, Python's ``random``) are stored
as tensors and plain values so that ``torch.load(weights_only=True)`` reads them.
Every training step seeds all three from the run's seed (:func:`seed_all`), so
two identical runs store identical states, not whatever the process started with.
"""

from __future__ import annotations

import io
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import atomic_write_bytes

__all__ = ["RunCost", "check_checkpoint", "load_checkpoint", "load_error", "rng_state", "save_checkpoint", "seed_all",
           "set_rng_state"]

FORMAT = "sgnas-checkpoint/1"


class RunCost:
    """Supernet forward passes and wall seconds of a training run over all its sessions.

    Kept in every checkpoint (``state_dict``) so that a resumed run reports the
    cost of the whole run, which the search-cost tables need.
    """

    def __init__(self) -> None:
        self.forward_passes = 0
        self._earlier_seconds = 0.0
        self._session_start = time.perf_counter()

    @property
    def wall_seconds(self) -> float:
        """Earlier sessions (from the checkpoint) plus this one."""
        return self._earlier_seconds + time.perf_counter() - self._session_start

    def state_dict(self) -> dict[str, Any]:
        return {"forward_passes": self.forward_passes, "wall_seconds": self.wall_seconds}

    def load_state_dict(self, payload: dict[str, Any]) -> None:
        self.forward_passes = int(payload.get("forward_passes", 0))
        self._earlier_seconds = float(payload.get("wall_seconds", 0.0))
        self._session_start = time.perf_counter()


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` (plus the format tag) atomically."""
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, **payload}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(
    path: str | Path,
    kind: str,
    space: dict[str, Any] | None = None,
    preset: str | None = None,
    map_location: str | torch.device = "cpu",
) -> dict[str, Any]:
    """The checkpoint at ``path``, checked to be a ``kind`` checkpoint of ``space`` and ``preset`` (if given)."""
    path = Path(path)
    if path.is_dir():
        raise SgnasError(f"checkpoint {path} is a folder, not a file")
    if not path.exists():
        raise SgnasError(f"checkpoint {path} does not exist")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises many types for truncated or foreign files
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise SgnasError(f"checkpoint {path} is corrupt or not a checkpoint ({reason[:120]})") from None
    return check_checkpoint(payload, path, kind, space, preset)


def _space_words(space: Any, other: Any) -> str:
    """``space`` in words by what sets it apart from ``other``: its name, then the fields whose values differ
    (``the cifar space at width 0.5``)."""
    if not isinstance(space, dict):
        return "an unknown space"
    other = other if isinstance(other, dict) else {}
    differ = [f"{key.replace('_', ' ')} {value}" for key, value in space.items()
              if key != "name" and other.get(key) != value and other.get("name") == space.get("name")]
    return f"the {space.get('name')} space" + (f" at {', '.join(differ)}" if differ else "")


def check_checkpoint(payload: Any, path: str | Path, kind: str, space: dict[str, Any] | None = None,
                     preset: str | None = None) -> dict[str, Any]:
    """``payload`` (loaded from ``path``), checked to be a ``kind`` checkpoint of ``space`` and ``preset`` (if given).

    What :func:`load_checkpoint` checks, for a payload already loaded (a run folder's check of its files).
    """
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise SgnasError(f"checkpoint {path} is not an sgnas checkpoint")
    if payload.get("kind") != kind:
        raise SgnasError(f"checkpoint {path} holds a {payload.get('kind')}, expected a {kind}")
    if space is not None and payload.get("space") != space:
        got = payload.get("space")
        raise SgnasError(f"checkpoint {path} is for {_space_words(got, space)}, not {_space_words(space, got)}")
    if preset is not None and payload.get("preset") != preset:
        raise SgnasError(f"checkpoint {path} comes from preset {payload.get('preset')!r}, this run uses {preset!r}")
    return payload


def load_error(err: BaseException, limit: int = 160) -> str:
    """One line saying why weights did not load into a model (cut at ``limit`` characters): ``load_state_dict``'s
    first line is a header ending in a colon, and the missing or unexpected keys follow on the next line."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    if not lines:
        return type(err).__name__
    text = lines[1] if lines[0].endswith(":") and len(lines) > 1 else lines[0]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def seed_all(seed: int) -> None:
    """Seed torch, numpy's legacy global generator and Python's ``random`` with ``seed`` (0 to 2^32 - 1).

    The library draws only from torch and from generators of its own, but a
    checkpoint stores all three global states (:func:`rng_state`) so that a
    resumed run continues any library that draws from them; seeded, they are
    the same in two identical runs.
    """
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def rng_state() -> dict[str, Any]:
    """Global RNG states of torch, numpy and random, in a ``weights_only``-loadable form."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "gauss": float(gauss), "kind": kind},
        "random": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    numpy = state["numpy"]
    np.random.set_state((numpy["kind"], numpy["keys"].numpy().astype(np.uint32), numpy["pos"],
                         numpy["has_gauss"], numpy["gauss"]))
    version, internal, gauss = state["random"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
