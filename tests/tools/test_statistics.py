import pytest

from distill.tools.statistics import (
    linear_regression,
    mean_of_numbers,
    median_of_numbers,
    mode_of_numbers,
    pearson_correlation,
    percentile_of_numbers,
    standard_deviation,
    summary_statistics,
)

DATA = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]


def test_mean_of_numbers():
    assert mean_of_numbers([1.0, 2.0, 3.0, 4.0]) == 2.5


def test_median_takes_middle_or_mean_of_two_middles():
    assert median_of_numbers([3.0, 1.0, 2.0]) == 2.0
    assert median_of_numbers([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_mode_returns_every_most_frequent_value_sorted():
    assert mode_of_numbers([3.0, 1.0, 3.0, 1.0, 2.0]) == [1.0, 3.0]
    assert mode_of_numbers(DATA) == [4.0]


def test_standard_deviation_population_versus_sample():
    assert standard_deviation(DATA, "population") == 2.0
    assert standard_deviation(DATA) == 2.1381
    with pytest.raises(ValueError):
        standard_deviation([5.0])


def test_percentile_interpolates_linearly_and_matches_median_at_50():
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile_of_numbers(values, 0.0) == 1.0
    assert percentile_of_numbers(values, 100.0) == 4.0
    assert percentile_of_numbers(values, 25.0) == 1.75
    assert percentile_of_numbers(values, 50.0) == median_of_numbers(values)
    with pytest.raises(ValueError):
        percentile_of_numbers(values, 101.0)


def test_linear_regression_recovers_an_exact_line():
    fit = linear_regression([1.0, 2.0, 3.0, 4.0], [3.0, 5.0, 7.0, 9.0])
    assert fit == {"slope": 2.0, "intercept": 1.0, "r_squared": 1.0}


def test_pearson_correlation_of_perfectly_opposed_series_is_minus_one():
    assert pearson_correlation([1.0, 2.0, 3.0], [6.0, 4.0, 2.0]) == -1.0


def test_paired_tools_reject_mismatched_or_constant_inputs():
    with pytest.raises(ValueError):
        linear_regression([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        pearson_correlation([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])


def test_summary_statistics_reports_the_basics():
    summary = summary_statistics(DATA)
    assert summary["count"] == 8
    assert (summary["min"], summary["max"], summary["range"]) == (2.0, 9.0, 7.0)
    assert summary["mean"] == 5.0
    assert summary["median"] == 4.5
    assert summary_statistics([3.0])["stdev"] == 0.0
