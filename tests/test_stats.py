"""Statistics over seeds: summaries, bootstrap intervals, paired comparisons (replication.stats)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from replication.stats import (
    CONTRADICTED,
    INCONCLUSIVE,
    NOT_TESTABLE,
    REPRODUCED,
    bootstrap_interval,
    combine_verdicts,
    format_mean_std,
    judge,
    paired_compare,
    seeds_needed,
    summarize,
    summarize_frame,
    t_interval,
    verdict,
)
from sgnas._infra.errors import SgnasError
from sgnas.supernet.ranking import binomial_interval


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


def test_verdict_on_synthetic_effects() -> None:
    rng = np.random.default_rng(5)
    win = judge(2.0 + rng.normal(0, 0.2, size=5), margin=0.5)
    assert win.verdict == REPRODUCED and win.ci_low > 0.5
    loss = judge(-2.0 + rng.normal(0, 0.2, size=5), margin=0.5)
    assert loss.verdict == CONTRADICTED and loss.ci_high < 0
    noise = judge(rng.normal(0, 2.0, size=3), margin=0.5)
    assert noise.verdict == INCONCLUSIVE and noise.ci_low < 0.5 < noise.ci_high
    assert f"about {noise.seeds_needed} seeds" in noise.statement or "more than" in noise.statement
    within = judge(np.array([0.05, -0.05, 0.1, 0.0, -0.1]), margin=0.5)
    assert within.verdict == CONTRADICTED and -0.5 < within.ci_low < within.ci_high < 0.5


def test_verdict_rule_at_its_boundaries() -> None:
    assert verdict(1.0, 0.6, 1.4, 0.5) == REPRODUCED
    assert verdict(0.5, 0.4, 0.6, 0.5) == INCONCLUSIVE  # the interval contains the margin
    assert verdict(0.2, 0.1, 0.4, 0.5) == CONTRADICTED  # a real effect, but smaller than the margin
    assert verdict(-1.0, -3.0, 0.4, 0.5) == CONTRADICTED  # straddles zero, below the margin
    assert verdict(1.0, 0.6, 1.4, 0.0) == REPRODUCED
    assert verdict(0.0, -0.3, 0.3, 0.5, "non-inferiority") == REPRODUCED  # not worse by more than 0.5
    assert verdict(-1.0, -1.4, -0.6, 0.5, "non-inferiority") == CONTRADICTED
    assert verdict(-0.5, -1.0, 0.1, 0.5, "non-inferiority") == INCONCLUSIVE
    assert verdict(1.0, math.nan, math.nan, 0.5) == INCONCLUSIVE  # one seed: no interval


@pytest.mark.parametrize("margin", [-0.1, math.nan, math.inf, "wide"])
def test_a_bad_margin_is_an_error(margin: object) -> None:
    with pytest.raises(SgnasError, match="margin") as err:
        verdict(1.0, 0.5, 1.5, margin)  # type: ignore[arg-type]
    assert "\n" not in str(err.value)
    with pytest.raises(SgnasError, match="margin"):
        judge([1.0, 2.0], margin)  # type: ignore[arg-type]


def test_verdict_rejects_an_interval_without_its_effect_and_unknown_kinds() -> None:
    with pytest.raises(SgnasError):
        verdict(2.0, 0.0, 1.0, 0.5)
    with pytest.raises(SgnasError):
        verdict(1.0, 0.5, 1.5, 0.5, "equivalence")  # type: ignore[arg-type]


def test_t_interval_is_the_students_t_interval() -> None:
    low, high = t_interval([1.0, 2.0, 3.0])
    half = 4.302652729911275 * 1.0 / math.sqrt(3)  # t_{0.975, 2} * sd / sqrt(n)
    assert (low, high) == pytest.approx((2.0 - half, 2.0 + half))
    assert all(math.isnan(v) for v in t_interval([1.0]))


def test_seeds_needed_is_the_paired_t_test_sample_size_at_80_percent_power() -> None:
    from scipy import stats

    n = seeds_needed(sd=1.0, distance=1.0)
    assert n == 10
    width = lambda k: (stats.t.ppf(0.975, k - 1) + stats.t.ppf(0.8, k - 1)) / math.sqrt(k)  # noqa: E731
    assert width(n) < 1.0 <= width(n - 1)
    assert seeds_needed(sd=1.0, distance=0.5) > n  # a smaller distance needs more seeds
    assert seeds_needed(sd=0.0, distance=0.1) == 2
    assert seeds_needed(sd=1.0, distance=0.0) is None  # an effect on the threshold is never separated
    assert seeds_needed(sd=1.0, distance=1e-3) is None  # beyond the limit
    with pytest.raises(SgnasError):
        seeds_needed(sd=math.nan, distance=1.0)


def test_an_inconclusive_judgement_states_effect_interval_p_seeds_and_seeds_needed() -> None:
    result = judge([1.2, -0.3, 0.9], margin=0.5, seeds=[0, 1, 2], names=("SGNAS", "prior"), unit=" pp")
    assert result.verdict == INCONCLUSIVE
    assert result.seeds == (0, 1, 2) and result.n == 3
    expected = seeds_needed(result.sd, abs(result.effect - 0.5))
    assert result.seeds_needed == expected
    for part in ("SGNAS - prior = +0.6 pp", "95% t interval", f"p = {result.p_value:.2g}", "seeds [0, 1, 2]",
                 f"about {expected} seeds would be needed", "80% power"):
        assert part in result.statement, part
    single = judge([1.0], margin=0.5)
    assert single.verdict == INCONCLUSIVE and single.seeds_needed is None and "one seed" in single.statement


def test_a_constant_difference_has_a_collapsed_interval() -> None:
    result = judge([1.0, 1.0, 1.0], margin=0.5)
    assert result.verdict == REPRODUCED and result.ci_low == result.ci_high == 1.0
    assert "not possible without spread" in result.statement


def test_combined_verdicts() -> None:
    assert combine_verdicts([REPRODUCED, REPRODUCED]) == REPRODUCED
    assert combine_verdicts([REPRODUCED, INCONCLUSIVE]) == INCONCLUSIVE
    assert combine_verdicts([INCONCLUSIVE, NOT_TESTABLE]) == NOT_TESTABLE
    assert combine_verdicts([NOT_TESTABLE, CONTRADICTED, REPRODUCED]) == CONTRADICTED
    with pytest.raises(SgnasError):
        combine_verdicts(["not reproduced"])


def test_binomial_interval_is_wilsons() -> None:
    low, high = binomial_interval(32, 256)
    assert low == pytest.approx(0.0900, abs=1e-4) and high == pytest.approx(0.1711, abs=1e-4)
    assert low < 0.1 < high  # 12.5% of 256 images is not clearly above 10% chance
    assert binomial_interval(128, 256)[0] > 0.1
    with pytest.raises(SgnasError):
        binomial_interval(5, 0)
