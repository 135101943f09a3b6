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
* rank agreement and the Wilson interval of an accuracy live with the
  supernet (:mod:`sgnas.supernet.ranking`), which uses them itself.
* :func:`verdict`, :func:`judge`, :func:`seeds_needed`: the four verdicts of a
  comparison, below.

The four verdicts
-----------------
A comparison is an effect ``d`` (the mean over seeds of paired differences,
oriented so that a positive ``d`` supports the claim), its 95% interval
``[low, high]`` and a margin ``m >= 0`` written beside the criterion, in the
effect's unit. The claim fixes a threshold ``c``: ``c = +m`` for a
*superiority* claim ("A is better than B": better by at least the margin) and
``c = -m`` for a *non-inferiority* claim ("A is as good as B": not worse by
more than the margin). Then, with the interval the t interval of the mean
difference, ``d +- t_{0.975, n-1} * sd / sqrt(n)`` (with 2-5 seeds a bootstrap
interval is far too narrow; this one is exact for normal differences):

* **reproduced** if ``low > c``: the whole interval lies on the claimed side,
  beyond the margin;
* **contradicted** if ``high < c``: the whole interval lies short of it, on
  the other side of zero, inside the margin around zero, or straddling zero
  below the margin; in each case an effect as large as the claim's is
  excluded (so more evidence against a claim never weakens the verdict);
* **inconclusive** otherwise: the interval contains ``c`` (also: one seed, no
  interval).

**not testable** is the fourth verdict, given by the caller when the evidence
was not produced or rests on something that did not work (a supernet at
chance): it never comes from numbers. A negative margin is an error.

An inconclusive comparison states how many seeds would settle it
(:func:`seeds_needed`): the smallest ``n >= 2`` with
``(t_{0.975, n-1} + t_{0.80, n-1}) * sd / sqrt(n) < |d - c|``, the usual
normal-theory sample size of a paired t-test at 80% power, taking the observed
mean and standard deviation of the differences as the truth. It is an
estimate from few seeds (the sd itself is uncertain), not a promise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from sgnas._infra.errors import SgnasError

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "CONTRADICTED",
    "Comparison",
    "INCONCLUSIVE",
    "Judgement",
    "NOT_TESTABLE",
    "REPRODUCED",
    "SEEDS_NEEDED_LIMIT",
    "Summary",
    "VERDICTS",
    "NOT_RUN",
    "STATUSES",
    "bootstrap_interval",
    "combine_verdicts",
    "format_mean_std",
    "judge",
    "paired_compare",
    "seeds_needed",
    "summarize",
    "summarize_frame",
    "t_interval",
    "verdict",
]

#: Seed of the bootstrap's numpy Generator: the same data always gives the same interval.
BOOTSTRAP_SEED = 0
BOOTSTRAP_RESAMPLES = 10_000
#: Paired seeds from which ``test="auto"`` uses Wilcoxon (below it, Wilcoxon cannot reach p < 0.05).
WILCOXON_MIN_PAIRS = 6

Test = Literal["auto", "t-test", "wilcoxon"]

REPRODUCED = "reproduced"
CONTRADICTED = "contradicted"
INCONCLUSIVE = "inconclusive"
NOT_TESTABLE = "not testable"
#: the four verdicts, in the order tables count them
VERDICTS: tuple[str, ...] = (REPRODUCED, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE)
#: not a verdict: the evidence a claim needs was not produced in this results folder, though it could be (its
#: evidence names the command that produces it); "not testable" is kept for what this machine or scale cannot test
NOT_RUN = "not run"
#: what a claim's verdict column may read
STATUSES: tuple[str, ...] = (*VERDICTS, NOT_RUN)
#: Above this many seeds :func:`seeds_needed` says "more than" instead of a number.
SEEDS_NEEDED_LIMIT = 1000
#: Power at which :func:`seeds_needed` sizes a comparison.
POWER = 0.8

Kind = Literal["superiority", "non-inferiority"]


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


def t_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean, ``mean +- t * sd / sqrt(n)``; NaNs for one value (no spread to use)."""
    array = _values(values)
    if array.size < 2:
        return math.nan, math.nan
    half = float(scipy_stats.t.ppf((1 + confidence) / 2, array.size - 1) * array.std(ddof=1) / math.sqrt(array.size))
    mean = float(array.mean())
    return mean - half, mean + half


def _threshold(margin: float, kind: Kind) -> float:
    try:
        value = float(margin)
    except (TypeError, ValueError):
        raise SgnasError(f"margin {margin!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise SgnasError(f"margin {margin} must be a finite number >= 0")
    if kind not in ("superiority", "non-inferiority"):
        raise SgnasError(f"unknown kind of claim {kind!r}; choose superiority or non-inferiority")
    return value if kind == "superiority" else -value


def verdict(effect: float, low: float, high: float, margin: float, kind: Kind = "superiority") -> str:
    """Reproduced, contradicted or inconclusive: the interval ``[low, high]`` of ``effect`` against the margin.

    The rule of the module docstring; a NaN interval (one seed) is inconclusive.
    """
    threshold = _threshold(margin, kind)
    if not math.isfinite(effect):
        raise SgnasError(f"effect {effect} is not a finite number")
    if math.isnan(low) or math.isnan(high):
        return INCONCLUSIVE
    if not low <= effect <= high:
        raise SgnasError(f"interval [{low}, {high}] does not contain the effect {effect}")
    if low > threshold:
        return REPRODUCED
    if high < threshold:
        return CONTRADICTED
    return INCONCLUSIVE


def seeds_needed(sd: float, distance: float, confidence: float = 0.95, power: float = POWER,
                 limit: int = SEEDS_NEEDED_LIMIT) -> int | None:
    """Seeds for a paired t-test to separate an effect ``distance`` from the threshold; ``None`` above ``limit``.

    The smallest ``n >= 2`` with ``(t_{(1+confidence)/2, n-1} + t_{power, n-1}) * sd / sqrt(n) < distance``
    (``sd``: the standard deviation of the paired differences). An effect on the threshold (distance 0)
    can never be separated from it: ``None``.
    """
    if not (math.isfinite(sd) and sd >= 0) or not (math.isfinite(distance) and distance >= 0):
        raise SgnasError(f"seeds needed for sd {sd} and distance {distance}: both must be finite and >= 0")
    if distance == 0:
        return None
    n = np.arange(2, limit + 1)
    width = (scipy_stats.t.ppf((1 + confidence) / 2, n - 1) + scipy_stats.t.ppf(power, n - 1)) * sd / np.sqrt(n)
    enough = np.flatnonzero(width < distance)
    return int(n[enough[0]]) if enough.size else None


def combine_verdicts(verdicts: Sequence[str]) -> str:
    """The verdict of a claim that needs every part: any contradicted part contradicts it; then any part not
    testable makes it not testable; then any part not run leaves it not run; then any inconclusive part leaves it
    inconclusive; else reproduced."""
    if not verdicts:
        raise SgnasError("no verdicts to combine")
    unknown = set(verdicts) - set(STATUSES)
    if unknown:
        raise SgnasError(f"unknown verdict(s) {', '.join(sorted(unknown))}; known: {', '.join(STATUSES)}")
    for word in (CONTRADICTED, NOT_TESTABLE, NOT_RUN, INCONCLUSIVE):
        if word in verdicts:
            return word
    return REPRODUCED


@dataclass(frozen=True)
class Judgement:
    """A comparison decided by the four-verdict rule: the effect, its t interval, p, seeds, margin and verdict."""

    verdict: str
    effect: float
    ci_low: float
    ci_high: float
    sd: float
    p_value: float
    n: int
    seeds: tuple[int, ...]
    margin: float
    kind: str
    threshold: float
    seeds_needed: int | None
    statement: str


def _number(value: float, unit: str) -> str:
    return f"{_signed(value)}{unit}"


def judge(
    differences: Sequence[float] | np.ndarray,
    margin: float,
    kind: Kind = "superiority",
    seeds: Sequence[int] = (),
    names: tuple[str, str] = ("A", "B"),
    unit: str = "",
) -> Judgement:
    """The verdict on paired differences (A - B per seed, positive supporting the claim) against ``margin``.

    The interval is the 95% t interval of the mean difference, p the paired t-test's (against no
    difference); an inconclusive judgement carries :func:`seeds_needed`. ``unit`` follows every number
    in the statement (e.g. ``" pp"``).
    """
    threshold = _threshold(margin, kind)
    diff = _values(differences, "differences")
    if seeds and len(seeds) != diff.size:
        raise SgnasError(f"{len(seeds)} seeds for {diff.size} differences")
    n, effect = diff.size, float(diff.mean())
    low, high = t_interval(diff)
    sd = float(diff.std(ddof=1)) if n > 1 else math.nan
    spread = n > 1 and not np.allclose(diff, diff[0])
    p_value = float(scipy_stats.ttest_1samp(diff, 0.0).pvalue) if spread else math.nan
    if n > 1 and not spread:
        low = high = effect  # no spread: the t interval collapses onto the mean (not float noise around it)
    decided = verdict(effect, low, high, margin, kind)
    needed = seeds_needed(sd, abs(effect - threshold)) if decided == INCONCLUSIVE and n > 1 else None
    side = f"claimed: above {_number(threshold, unit)}"
    text = f"{names[0]} - {names[1]} = {_number(effect, unit)}"
    if n > 1:
        text += f" (95% t interval {_number(low, unit)} to {_number(high, unit)}; {side})"
    else:
        text += f" (one seed, no interval; {side})"
    text += "; paired t-test " + (f"p = {p_value:.2g}" if spread else "not possible without spread")
    text += (f"; seeds {list(seeds)}" if seeds else f"; {n} pair{'s' * (n != 1)}") + f": {decided}"
    if decided == INCONCLUSIVE:
        if n < 2:
            text += "; seeds needed unknown (one seed has no spread to size the test with)"
        elif needed is None:
            text += f"; more than {SEEDS_NEEDED_LIMIT} seeds would be needed"
        else:
            text += (f"; about {needed} seeds would be needed (paired t-test at 80% power, at the observed "
                     f"mean and sd {sd:.3g}{unit})")
    return Judgement(decided, effect, low, high, sd, p_value, n, tuple(int(s) for s in seeds), float(margin),
                     kind, threshold, needed, text)
