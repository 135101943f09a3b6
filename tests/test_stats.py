"""Statistics over seeds: summaries, bootstrap intervals, paired comparisons (sgnas.stats)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sgnas.errors import SgnasError
from sgnas.stats import (
    bootstrap_interval,
    format_mean_std,
    paired_compare,
    summarize,
    summarize_frame,
)


def test_summary_mean_std_and_seeds() -> None:
    summary = summarize([70.0, 71.0, 72.0], seeds=[3, 1, 2])
    assert summary.n == 3
    assert summary.mean == pytest.approx(71.0)
    assert summary.std == pytest.approx(1.0)  # sample std (ddof=1)
    assert summary.seeds == (3, 1, 2)
    assert summary.ci_low <= summary.mean <= summary.ci_high
    assert 70.0 <= summary.ci_low and summary.ci_high <= 72.0
    assert summary.to_json()["seeds"] == [3, 1, 2]


def test_bootstrap_interval_is_reproducible_and_shrinks_with_confidence() -> None:
    values = np.random.default_rng(1).normal(50, 2, size=8)
    assert bootstrap_interval(values) == bootstrap_interval(values)
    wide, narrow = bootstrap_interval(values, 0.99), bootstrap_interval(values, 0.5)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_bootstrap_interval_matches_the_normal_approximation_for_many_values() -> None:
    values = np.random.default_rng(2).normal(0, 1, size=400)
    low, high = bootstrap_interval(values)
    half_width = 1.96 * values.std(ddof=1) / math.sqrt(values.size)
    assert (high - low) / 2 == pytest.approx(half_width, rel=0.1)


def test_one_seed_has_no_spread_or_interval() -> None:
    summary = summarize([75.0], seeds=[0])
    assert summary.mean == 75.0
    assert math.isnan(summary.std) and math.isnan(summary.ci_low) and math.isnan(summary.ci_high)
    assert format_mean_std(summary.mean, summary.std) == "75.00"


@pytest.mark.parametrize("values, seeds", [([], []), ([1.0, float("nan")], []), ([1.0, 2.0], [0])])
def test_bad_inputs_raise(values: list[float], seeds: list[int]) -> None:
    with pytest.raises(SgnasError):
        summarize(values, seeds)


def test_paired_t_test_detects_a_consistent_difference() -> None:
    base = np.array([70.1, 71.3, 69.8, 70.6, 70.9])
    result = paired_compare(base + 1.0 + np.array([0.1, -0.1, 0.05, 0.0, -0.05]), base, seeds=[0, 1, 2, 3, 4])
    assert result.test == "t-test"
    assert result.significant and result.p_value < 0.05
    assert result.mean_difference == pytest.approx(1.0)
    assert result.ci_low > 0
    assert "significant" in result.statement and "[0, 1, 2, 3, 4]" in result.statement


def test_paired_comparison_of_noise_is_not_significant() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(70, 1, size=5), rng.normal(70, 1, size=5)
    result = paired_compare(a, b)
    assert not result.significant
    assert "not significant" in result.statement


def test_wilcoxon_from_six_pairs_and_on_request() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(70, 1, size=8)
    assert paired_compare(a + 2 + rng.normal(0, 0.1, size=8), a).test == "wilcoxon"
    assert paired_compare(a[:5] + 2 + rng.normal(0, 0.1, size=5), a[:5], test="wilcoxon").test == "wilcoxon"


def test_one_pair_is_not_testable_and_constant_differences_are_reported() -> None:
    single = paired_compare([71.0], [70.0], seeds=[7])
    assert not single.significant and "not testable" in single.statement
    same = paired_compare([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert not same.significant and "identical" in same.statement
    shifted = paired_compare([2.0, 3.0, 4.0], [1.0, 2.0, 3.0])
    assert not shifted.significant and shifted.mean_difference == pytest.approx(1.0)
    assert "no test possible" in shifted.statement
    assert "e-16" not in paired_compare([0.1 + 0.2, 1.0], [0.3, 1.0]).statement


def test_paired_comparison_rejects_unpaired_inputs() -> None:
    with pytest.raises(SgnasError):
        paired_compare([1.0, 2.0], [1.0])
    with pytest.raises(SgnasError):
        paired_compare([1.0, 2.0], [1.0, 3.0], test="anova")  # type: ignore[arg-type]


def test_summarize_frame_counts_only_measured_seeds() -> None:
    frame = pd.DataFrame({
        "method": ["a", "a", "a", "b", "b"],
        "seed": [2, 0, 1, 0, 1],
        "top1": [72.0, 70.0, 71.0, 60.0, None],
    })
    summary = summarize_frame(frame, ["method"], "top1").set_index("method")
    assert summary.loc["a", "count"] == 3 and summary.loc["a", "seeds"] == [0, 1, 2]
    assert summary.loc["a", "mean"] == pytest.approx(71.0)
    assert summary.loc["b", "count"] == 1 and math.isnan(summary.loc["b", "std"])
    with pytest.raises(SgnasError):
        summarize_frame(frame, ["missing"], "top1")
