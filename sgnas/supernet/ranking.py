"""How well a supernet ranks architectures, and whether it learned at all.

* :func:`kendall_tau`, :func:`spearman_rho`: rank agreement (targets against
  generated MACs, supernet estimate against ground truth), the one place ranks
  are correlated;
* :func:`binomial_interval`: the 95% Wilson interval of an accuracy measured on
  a number of images (is a supernet above chance?).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats as scipy_stats

from sgnas._infra.errors import SgnasError

__all__ = ["binomial_interval", "kendall_tau", "spearman_rho"]


def _rank_inputs(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Both series as arrays, or None when either is constant (no ranking to agree with)."""
    a, b = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if a.size != b.size:
        raise SgnasError(f"rank correlation of series of different lengths ({a.size} and {b.size})")
    if a.size < 2 or len(np.unique(a)) < 2 or len(np.unique(b)) < 2:
        return None
    return a, b


def kendall_tau(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Kendall's tau-b between ``x`` and ``y``; 0.0 when either series is constant."""
    inputs = _rank_inputs(x, y)
    return 0.0 if inputs is None else float(scipy_stats.kendalltau(*inputs).statistic)


def spearman_rho(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation between ``x`` and ``y``; 0.0 when either series is constant."""
    inputs = _rank_inputs(x, y)
    return 0.0 if inputs is None else float(scipy_stats.spearmanr(*inputs).statistic)


def binomial_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson interval of a proportion (``scipy.stats.binomtest(...).proportion_ci``), as fractions in [0, 1]."""
    if trials < 1 or not 0 <= successes <= trials:
        raise SgnasError(f"binomial interval of {successes} successes in {trials} trials")
    interval = scipy_stats.binomtest(int(successes), int(trials)).proportion_ci(confidence, method="wilson")
    return float(interval.low), float(interval.high)
