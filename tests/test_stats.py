"""The statistics behind every claim: Wilson intervals, exact McNemar, Holm, the paired bootstrap."""

import math
import random

import pytest

from distill.stats import (
    Comparison,
    PairedTest,
    bootstrap_macro,
    compare,
    holm,
    mcnemar_exact,
    paired_outcomes,
    spread,
    wilson,
)


def test_wilson_interval_matches_known_values():
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-3)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-3)
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)


def test_mcnemar_exact_is_the_two_sided_binomial_tail_of_the_discordant_tasks():
    assert mcnemar_exact(0, 6) == pytest.approx(2 / 64)
    assert mcnemar_exact(9, 1) == pytest.approx(2 * (1 + 10) / 1024)
    assert mcnemar_exact(5, 5) == 1.0  # capped: the two tails overlap at the centre
    assert mcnemar_exact(0, 0) == 1.0  # no discordant task: no evidence either way
    # Symmetric in the two models, and smaller the more lopsided the discordant tasks are.
    assert mcnemar_exact(3, 12) == mcnemar_exact(12, 3) < mcnemar_exact(5, 10)


def test_holm_adjusts_the_smallest_p_value_most_and_keeps_the_order_monotone():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def _runs(accuracy_a, accuracy_b, n=40, subtasks=("simple", "parallel"), seed=0):
    rng = random.Random(seed)
    a, b = {}, {}
    for subtask in subtasks:
        for i in range(n):
            task = f"{subtask}/test/{i:06d}"
            a[task] = (subtask, rng.random() < accuracy_a)
            b[task] = (subtask, rng.random() < accuracy_b)
    return a, b


def test_compare_finds_a_large_difference_and_states_it_with_interval_and_p_value():
    a, b = _runs(0.2, 0.8)
    result = compare([a], [b], "base", "trained")
    assert result.pooled.p_value < 1e-6
    lo, hi = result.macro_ci95
    assert 0 < lo <= result.macro_diff <= hi
    assert result.finding().startswith("trained is better than base: macro +0.")
    assert {r.group for r in result.rows} == {"simple", "parallel"}


def test_a_very_small_p_value_is_kept_not_rounded_to_zero():
    from distill.stats import format_p, mcnemar_exact

    a, b = _runs(0.2, 0.8)
    result = compare([a], [b], "base", "trained")
    pooled = result.pooled
    assert pooled.p_value > 0
    assert pooled.p_value == pytest.approx(mcnemar_exact(pooled.only_a, pooled.only_b), rel=1e-5)
    assert all(r.p_holm > 0 for r in result.rows)
    assert format_p(pooled.p_value) != "0.0e+00" and "p = 0.0e+00" not in result.finding()


def test_compare_says_no_difference_detected_for_one_model_against_itself_with_noise():
    a, b = _runs(0.5, 0.5, seed=3)
    result = compare([a], [b], "x", "y")
    assert result.pooled.p_value > 0.05
    assert result.finding().startswith("no difference detected between y and x")


def _comparison(only_a, only_b, p_value, macro, ci):
    pooled = PairedTest("pooled", 180, 0.3, 0.3 + macro, only_a, only_b, p_value)
    return Comparison("granular", "umbrella", 1, (), pooled, None, macro, ci)


def test_a_difference_is_claimed_only_when_the_pooled_test_and_the_macro_interval_agree():
    # The Qwen headline's first umbrella-vs-granular figures: the interval excludes 0, McNemar does not reject.
    split = _comparison(17, 28, 0.135, 0.061, (0.006, 0.117)).finding()
    assert split.startswith("inconclusive, the two tests disagree (the macro interval excludes 0, the pooled McNemar "
                            "test does not reject at 0.05); umbrella is ahead of granular on the macro: macro +0.061")
    assert "is better than" not in split and "p = 0.135" in split
    assert _comparison(17, 28, 0.01, 0.061, (-0.01, 0.117)).finding().startswith(
        "inconclusive, the two tests disagree (the pooled McNemar test rejects, the macro interval includes 0)")
    assert "lean the other way" in _comparison(28, 17, 0.01, 0.061, (0.006, 0.117)).finding()
    assert "; the macro is level:" in _comparison(10, 20, 0.04, 0.0, (-0.02, 0.02)).finding()
    assert _comparison(17, 28, 0.01, 0.061, (0.006, 0.117)).finding().startswith("umbrella is better than granular")
    assert _comparison(28, 17, 0.01, -0.061, (-0.117, -0.006)).finding().startswith("granular is better than umbrella")
    assert _comparison(20, 25, 0.5, 0.02, (-0.03, 0.07)).finding().startswith("no difference detected")


def test_a_finding_reads_its_numbers_as_the_arm_it_names_first_minus_the_other():
    # compare: [granular, umbrella] (B - A = umbrella - granular = -0.061): the sentence names granular
    # first, so its numbers are granular - umbrella, and granular's wins come first.
    better = _comparison(28, 17, 0.01, -0.061, (-0.117, -0.006)).finding()
    assert better == ("granular is better than umbrella: macro +0.061 [+0.006, +0.117], pooled McNemar p = 0.010 "
                      "(28 tasks only granular got right, 17 only umbrella; n = 180 x 1 seed(s))")
    ahead = _comparison(28, 17, 0.2, -0.061, (-0.117, -0.006)).finding()
    assert "granular is ahead of umbrella on the macro: macro +0.061 [+0.006, +0.117]" in ahead
    assert "(28 tasks only granular got right, 17 only umbrella" in ahead
    none = _comparison(20, 25, 0.5, -0.02, (-0.07, 0.03)).finding()  # names B first, as B - A
    assert none.startswith("no difference detected between umbrella and granular: macro -0.020 [-0.070, +0.030]")
    assert "(25 tasks only umbrella got right, 20 only granular" in none
    assert "macro +0.000" in _comparison(10, 20, 0.04, 0.0, (-0.02, 0.02)).finding()


def test_compare_pairs_only_tasks_both_answered_and_pools_bfcl_apart():
    a = {"simple/test/0": ("simple", True), "simple/test/1": ("simple", False), "bfcl:multiple/0": ("bfcl:multiple", True)}
    b = {"simple/test/0": ("simple", False), "simple/test/1": ("simple", True), "bfcl:multiple/0": ("bfcl:multiple", True),
         "simple/test/2": ("simple", True)}
    result = compare([a], [b])
    simple = next(r for r in result.rows if r.group == "simple")
    assert (simple.n, simple.only_a, simple.only_b) == (2, 1, 1)
    assert result.pooled.n == 2 and result.pooled_bfcl.n == 1
    assert result.rows[-1].group == "bfcl:multiple"  # BFCL categories after the granular sub-tasks


def test_seeds_pair_task_by_task_and_a_single_reference_run_is_paired_with_every_seed():
    base = {"simple/test/0": ("simple", False), "simple/test/1": ("simple", True)}
    seed0 = {"simple/test/0": ("simple", True), "simple/test/1": ("simple", True)}
    seed1 = {"simple/test/0": ("simple", True), "simple/test/1": ("simple", False)}
    groups = paired_outcomes([base], [seed0, seed1])
    assert groups["simple"] == [[(False, True), (False, True)], [(True, True), (True, False)]]
    result = compare([base], [seed0, seed1])
    assert (result.pooled.only_a, result.pooled.only_b, result.seeds) == (1, 2, 2)
    with pytest.raises(ValueError, match="cannot pair 2 run"):
        paired_outcomes([base, base], [seed0, seed1, seed1])


def test_bootstrap_interval_is_a_point_when_every_task_moves_the_same_way():
    groups = {"simple": [[(False, True)]] * 10, "parallel": [[(True, True)]] * 10}
    diff, (lo, hi) = bootstrap_macro(groups, iterations=500)
    assert diff == lo == hi == 0.5


def test_bootstrap_interval_width_shrinks_like_one_over_root_n():
    def width(n):
        a, b = _runs(0.4, 0.6, n=n, subtasks=("simple",), seed=1)
        lo, hi = compare([a], [b], iterations=4000).macro_ci95
        return hi - lo

    ratio = width(40) / width(640)
    assert 2.5 < ratio < 6.5  # sqrt(16) = 4, with sampling noise in both widths
    assert not math.isnan(ratio)


def test_spread_gives_mean_min_and_max():
    assert spread([0.2, 0.4, 0.3]) == (0.3, 0.2, 0.4)
