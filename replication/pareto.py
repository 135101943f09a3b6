"""The Pareto front of a cost against an accuracy: what the landscape figures and the latency track draw."""

from __future__ import annotations

import numpy as np

__all__ = ["pareto_front"]


def pareto_front(cost: np.ndarray, accuracy: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both cost (lower) and accuracy (higher), cheapest first; of
    equal points, the first."""
    order = np.lexsort((-accuracy, cost))
    front, best = [], -np.inf
    for index in order:
        if accuracy[index] > best:
            front.append(int(index))
            best = accuracy[index]
    return np.array(front, dtype=np.int64)
