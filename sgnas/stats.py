"""Statistics over seeds: mean, spread, bootstrap intervals and paired comparisons.

Lindauer & Hutter (JMLR 2020, "Best practices for scientific research on NAS")
ask for several seeds with mean and spread, the seeds released, and comparisons
that say whether a difference is real. This module is that, for the handful of
seeds a replication can afford:

* :func:`summarize`: mean, sample standard deviation and a 95% percentile
  bootstrap interval of the mean, resampling seeds with a fixed-seed numpy
  ``Generator`` (so the interval itself is reproducible), seeds written down.
* :func:`paired_compare`: two methods run on the same seeds. The primary test
  is the paired t-test (``scipy.stats.ttest_rel``): with 3 to 5 seeds the
  Wilcoxon signed-rank test cannot reach p < 0.05 at all (its smallest
  two-sided exact p-value is 2 / 2**n, 0.0625 for n = 5), so it would call
  every difference insignificant. From 6 paired seeds on, ``test="auto"``
  switches to Wilcoxon, which does not assume normal differences. Either way
  a bootstrap interval of the mean difference is reported beside the test as
  a distribution-free check.
* :func:`kendall_tau`, :func:`spearman_rho`: rank agreement (targets vs
  generated MACs, supernet estimate vs ground truth), the one place ranks are
  correlated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from sgnas.errors import SgnasError

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "Comparison",
    "Summary",
    "bootstrap_interval",
    "format_mean_std",
    "kendall_tau",
    "paired_compare",
    "spearman_rho",
    "summarize",
    "summarize_frame",
]

#: Seed of the bootstrap's numpy Generator: the same data always gives the same interval.
BOOTSTRAP_SEED = 0
BOOTSTRAP_RESAMPLES = 10_000
#: Paired seeds from which ``test="auto"`` uses Wilcoxon (below it, Wilcoxon cannot reach p < 0.05).
WILCOXON_MIN_PAIRS = 6

Test = Literal["auto", "t-test", "wilcoxon"]


def _values(values: Sequence[float] | np.ndarray, what: str = "values") -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        raise SgnasError(f"no {what} to summarize")
    if not np.all(np.isfinite(array)):
        raise SgnasError(f"{what} contain NaN or infinite entries: {array.tolist()}")
    return array


def bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean; NaNs when fewer than two values (no spread to resample)."""
    array = _values(values)
    if not 0 < confidence < 1:
        raise SgnasError(f"confidence {confidence} must lie strictly between 0 and 1")
    if array.size < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = rng.choice(array, size=(resamples, array.size), replace=True).mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class Summary:
    """Mean, sample std (ddof=1) and bootstrap interval of one quantity over seeds."""

    n: int
    mean: float
    std: float
    ci_low: float
    ci_high: float
    confidence: float
    seeds: tuple[int, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "std": self.std,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence": self.confidence,
            "seeds": list(self.seeds),
        }

    def __str__(self) -> str:
        text = format_mean_std(self.mean, self.std)
        if not math.isnan(self.ci_low):
            text += f" [{self.confidence:.0%} CI {self.ci_low:.2f}, {self.ci_high:.2f}]"
        return f"{text} (n={self.n})"


def summarize(
    values: Sequence[float] | np.ndarray,
    seeds: Sequence[int] = (),
    confidence: float = 0.95,
    seed: int = BOOTSTRAP_SEED,
) -> Summary:
    """Summary of per-seed values; ``seeds`` (same length) are recorded with it."""
    array = _values(values)
    if seeds and len(seeds) != array.size:
        raise SgnasError(f"{len(seeds)} seeds for {array.size} values")
    low, high = bootstrap_interval(array, confidence, seed=seed)
    std = float(array.std(ddof=1)) if array.size > 1 else math.nan
    return Summary(array.size, float(array.mean()), std, low, high, confidence, tuple(int(s) for s in seeds))


@dataclass(frozen=True)
class Comparison:
    """A paired comparison of A against B over the same seeds."""

    n: int
    mean_difference: float
    ci_low: float
    ci_high: float
    test: str
    statistic: float
    p_value: float
    alpha: float
    significant: bool
    seeds: tuple[int, ...]
    statement: str

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean_difference": self.mean_difference,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "test": self.test,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "alpha": self.alpha,
            "significant": self.significant,
            "seeds": list(self.seeds),
            "statement": self.statement,
        }


def _signed(value: float) -> str:
    """A signed number with 3 significant digits; float noise around zero shows as 0."""
    return "+0" if abs(value) < 1e-9 else f"{value:+.3g}"


def paired_compare(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    seeds: Sequence[int] = (),
    alpha: float = 0.05,
    test: Test = "auto",
    names: tuple[str, str] = ("A", "B"),
) -> Comparison:
    """Is A's mean different from B's over paired seeds? The test and the bootstrap interval of A - B."""
    first, second = _values(a, "first values"), _values(b, "second values")
    if first.size != second.size:
        raise SgnasError(f"paired comparison needs equal lengths, got {first.size} and {second.size}")
    if seeds and len(seeds) != first.size:
        raise SgnasError(f"{len(seeds)} seeds for {first.size} pairs")
    if test not in ("auto", "t-test", "wilcoxon"):
        raise SgnasError(f"unknown test {test!r}; choose auto, t-test or wilcoxon")
    diff = first - second
    n = diff.size
    low, high = bootstrap_interval(diff)
    label = f"{names[0]} - {names[1]} = {_signed(diff.mean())}"
    if not math.isnan(low):
        label += f" (95% bootstrap CI {_signed(low)} to {_signed(high)})"
    seed_text = f" over seeds {list(seeds)}" if seeds else f" over {n} paired runs"
    if n < 2:
        statement = f"{label}; not testable with one seed"
        return Comparison(n, float(diff.mean()), low, high, "none", math.nan, math.nan, alpha, False,
                          tuple(seeds), statement)
    chosen = test if test != "auto" else ("wilcoxon" if n >= WILCOXON_MIN_PAIRS else "t-test")
    if np.allclose(diff, diff[0]):
        # No spread in the differences: both tests are undefined (zero variance, all ties), and a
        # difference seen on a few seeds without spread is no evidence of a real one.
        verdict = "identical on every seed" if diff[0] == 0 else "the same difference on every seed"
        statement = f"{label}; {verdict}{seed_text}: no test possible without spread, not called significant"
        return Comparison(n, float(diff.mean()), low, high, "none", math.nan, math.nan, alpha, False,
                          tuple(seeds), statement)
    if chosen == "t-test":
        result = scipy_stats.ttest_rel(first, second)
    else:
        result = scipy_stats.wilcoxon(first, second)
    p_value = float(result.pvalue)
    significant = p_value < alpha
    verdict = "significant" if significant else "not significant"
    statement = f"{label}; paired {chosen} p = {p_value:.3g}{seed_text}: {verdict} at alpha = {alpha:g}"
    return Comparison(n, float(diff.mean()), low, high, chosen, float(result.statistic), p_value, alpha,
                      significant, tuple(seeds), statement)


def format_mean_std(mean: float, std: float, digits: int = 2) -> str:
    """``mean ± std``, or the mean alone when there is no spread to show (one seed)."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "n/a"
    if std is None or math.isnan(std):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def summarize_frame(
    frame: pd.DataFrame, by: Sequence[str], value: str, seed_column: str = "seed"
) -> pd.DataFrame:
    """One row per group of ``by``: count, mean, std, bootstrap interval and the seeds of column ``value``.

    Rows whose ``value`` is missing are left out (a run that did not measure it),
    so ``count`` says how many seeds actually back each number.
    """
    missing = [c for c in (*by, value) if c not in frame.columns]
    if missing:
        raise SgnasError(f"cannot summarize: missing column(s) {', '.join(missing)}")
    rows = []
    present = frame.dropna(subset=[value])
    for key, group in present.groupby(list(by), sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        if seed_column in group:
            group = group.sort_values(seed_column)
        seeds = [int(s) for s in group[seed_column]] if seed_column in group else []
        summary = summarize(group[value].to_numpy(dtype=float), seeds)
        stats = summary.to_json()
        stats["count"] = stats.pop("n")
        rows.append({**dict(zip(by, key)), **stats})
    columns = [*by, "count", "mean", "std", "ci_low", "ci_high", "confidence", "seeds"]
    return pd.DataFrame(rows, columns=columns)


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
