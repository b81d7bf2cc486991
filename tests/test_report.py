"""The report's paired-comparison and seed tables say what the statistics say."""

from distill.report import comparison_table, seeds_table
from distill.stats import compare


def _outcomes(pattern):
    return {f"simple/test/{i}": ("simple", ok) for i, ok in enumerate(pattern)}


def test_comparison_table_has_a_row_per_subtask_the_pooled_row_and_the_macro_interval():
    a = _outcomes([False] * 8 + [True] * 2)
    b = _outcomes([True] * 8 + [True] * 2)
    lines = comparison_table(compare([a], [b], "base", "trained", iterations=200))
    assert lines[0].startswith("| group | n | base | trained |")
    simple = next(line for line in lines if line.startswith("| simple |"))
    assert "| 10 | 0.200 | 1.000 | +0.800 | 0 | 8 | 0.008 | 0.008 |" in simple
    assert any(line.startswith("| **granular (pooled)** |") for line in lines)
    assert lines[-1].startswith("| **macro difference** (paired bootstrap 95% CI) | | | | +0.800 [+0.")


def test_seeds_table_gives_each_seed_the_mean_and_the_spread():
    lines = seeds_table([("granular", 0, 0.30), ("granular", 1, 0.40), ("umbrella", 0, 0.25), ("base", 0, None)])
    assert lines[2] == "| granular | s0: 0.300, s1: 0.400 | 0.350 | 0.100 |"
    assert lines[3] == "| umbrella | s0: 0.250 | 0.250 | 0.000 |"
    assert len(lines) == 4  # an arm with no macro accuracy has no row
