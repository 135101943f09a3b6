"""Shared hypothesis strategies for architectures of the unified space (used by every property test)."""

from __future__ import annotations

from hypothesis import strategies as st

from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS

__all__ = ["architectures", "layers"]

_KERNELS = [op for op in OPS if op != SKIP]


@st.composite
def layers(draw: st.DrawFn) -> tuple[str, ...]:
    """One valid layer: 2..6 kernels placed at any positions among the 6 sub-blocks."""
    active = draw(st.integers(MIN_ACTIVE, SUB_BLOCKS))
    kernels = draw(st.lists(st.sampled_from(_KERNELS), min_size=active, max_size=active))
    ops = kernels + [SKIP] * (SUB_BLOCKS - active)
    return tuple(draw(st.permutations(ops)))


def architectures(num_layers: int = 19) -> st.SearchStrategy[Architecture]:
    """Valid architectures with ``num_layers`` layers, skips anywhere (canonical or not)."""
    return st.lists(layers(), min_size=num_layers, max_size=num_layers).map(
        lambda ls: Architecture(tuple(ls))
    )
