"""Measured latency on one machine as a cost model of the unified space: a per-layer, per-choice table.

``sgnas latency-table`` (:mod:`sgnas.export.latency`) times every searchable
layer on the machine it runs on and fits, per layer, a base plus one cost per
active sub-block of each kernel; the bases and the parts every architecture
shares (stem, fixed block, head, classifier) make one fixed term. The estimate
of an architecture is that fixed term plus the sum of its sub-blocks' costs
(``skip`` costs nothing), the same shape as the MACs table
(:class:`sgnas.spaces.unified.cost.CostModel`), so the expected latency of a
relaxed architecture is exact in expectation and differentiable, and the
generator trains on it as it trains on MACs. Latency is not additive on real
hardware: the command also times whole exported models and reports how far the
table's sum is from them.

The cost-model methods keep the protocol's names (``macs``, ``expected_macs``,
``macs_range``) and give milliseconds in the ``latency`` convention
(:attr:`LatencyTableModel.unit_scale` is 1).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import NotJson, read_json
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import MIN_ACTIVE, OPS, SUB_BLOCKS, SearchSpace

__all__ = ["LatencyTableModel"]


class LatencyTableModel:
    """One machine's latency table of a space: ``table[layer, op]`` ms per active sub-block, plus ``fixed`` ms."""

    conventions: tuple[str, ...] = ("latency",)
    unit = "ms"
    unit_scale = 1.0

    def __init__(self, space: SearchSpace, table: np.ndarray, fixed: float, settings: dict[str, Any] | None = None) -> None:
        table = np.asarray(table, dtype=np.float64)
        if table.shape != (space.num_layers, len(OPS)):
            raise SgnasError(f"a latency table of the {space.name} space has shape [{space.num_layers}, {len(OPS)}], "
                             f"got {list(table.shape)}")
        if not np.isfinite(table).all() or (table < 0).any() or not np.isfinite(fixed) or fixed < 0:
            raise SgnasError("a latency table holds finite, non-negative milliseconds")
        self.space, self.table, self.fixed = space, table, float(fixed)
        self.settings = settings or {}

    @classmethod
    def load(cls, path: str | Path, space: SearchSpace) -> LatencyTableModel:
        """The table of a ``sgnas latency-table`` run (its folder or its ``latency_table.json``) for ``space``."""
        file = Path(path)
        if file.is_dir():
            file = file / "latency_table.json"
        try:
            payload = read_json(file)
        except NotJson as err:
            raise SgnasError(f"latency table {file}: {err}") from None
        try:
            if list(payload.get("ops", OPS)) != list(OPS):
                raise ValueError(f"ops {payload['ops']} are not {list(OPS)} in that order")
            return cls(space, np.array(payload["table_ms"], dtype=np.float64), payload["fixed_ms"], payload.get("settings"))
        except (KeyError, TypeError, ValueError) as err:
            raise SgnasError(f"{file} is not a latency table ({type(err).__name__}: {err})") from None

    def estimate(self, arch: Architecture) -> float:
        """The table's latency (ms) of ``arch``."""
        arch.check_space(self.space)
        rows = np.array(arch.op_indices())
        return self.fixed + float(self.table[np.arange(len(rows))[:, None], rows].sum())

    def macs(self, arch: Architecture, convention: str = "latency") -> float:
        """The protocol's cost of one architecture: its estimate (ms)."""
        _check_convention(convention)
        return self.estimate(arch)

    @cached_property
    def _range(self) -> tuple[float, float]:
        kernels = self.table[:, [o for o, op in enumerate(OPS) if op != "skip"]]
        return (self.fixed + float(MIN_ACTIVE * kernels.min(axis=1).sum()),
                self.fixed + float(SUB_BLOCKS * kernels.max(axis=1).sum()))

    def macs_range(self, convention: str = "latency") -> tuple[float, float]:
        """Smallest and largest estimate over the space (ms)."""
        _check_convention(convention)
        return self._range

    def expected_macs(self, probs: Any, convention: str = "latency", threshold: float = 0.0) -> Any:
        """Expected estimate (ms) of a relaxed architecture ``probs[..., layer, sub_block, op]`` (numpy or torch;
        differentiable in torch); ops at or below ``threshold`` are left out, as in the MACs table."""
        _check_convention(convention)
        kept = probs * (probs > threshold) if threshold > 0 else probs
        if isinstance(kept, np.ndarray):
            return (kept * self.table[:, None, :]).sum(axis=(-1, -2, -3)) + self.fixed
        import torch

        table = torch.as_tensor(self.table, dtype=kept.dtype, device=kept.device)
        return (kept * table[:, None, :]).sum(dim=(-1, -2, -3)) + self.fixed


def _check_convention(convention: str) -> None:
    if convention != "latency":
        raise SgnasError(f"a latency table has the convention latency, not {convention!r}")
