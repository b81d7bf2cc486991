"""Descriptive statistics on lists of numbers: centre, spread, percentiles, regression and correlation."""

import math
import random
import statistics as stats
from collections import Counter
from typing import Literal

from distill.tools.base import Fallback, Intent, fallback, tool

DECIMALS = 4


def _need(numbers: list[float], at_least: int, what: str = "numbers") -> None:
    if len(numbers) < at_least:
        raise ValueError(f"{what} must contain at least {at_least} value(s), got {len(numbers)}")


def _values(rng: random.Random, low: int = 4, high: int = 9) -> list[float]:
    centre = rng.uniform(10, 200)
    return [round(centre + rng.gauss(0, centre / 5), 1) for _ in range(rng.randint(low, high))]


def _paired(rng: random.Random) -> dict[str, list[float]]:
    n = rng.randint(4, 8)
    slope, intercept = rng.uniform(-3, 3), rng.uniform(-20, 20)
    x = [float(v) for v in rng.sample(range(1, 30), n)]
    y = [round(slope * v + intercept + rng.gauss(0, 2), 1) for v in x]
    return {"x": x, "y": y}


@tool(
    domain="statistics",
    templates=(
        "What is the mean of {numbers}?",
        "Calculate the average of {numbers}.",
        "Find the arithmetic mean of these values: {numbers}.",
        "What's the average of {numbers}?",
        "My daily step counts (in thousands) were {numbers}. What's my average?",
        "Average out {numbers} for me.",
        "Compute the mean value of the data set {numbers}.",
        "Give me the mean of the numbers {numbers}, please.",
        "If you average {numbers}, what do you get?",
    ),
    sample=lambda rng: {"numbers": _values(rng)},
    vague=("What's the average of my test scores?", "Can you compute the mean of my data for me?"),
)
def mean_of_numbers(numbers: list[float]) -> float:
    """Compute the arithmetic mean of a list of numbers.

    Args:
        numbers: The data values; at least one.

    Returns:
        The mean, rounded to 4 decimals.
    """
    _need(numbers, 1)
    return round(math.fsum(numbers) / len(numbers), DECIMALS)


@tool(
    domain="statistics",
    templates=(
        "What is the median of {numbers}?",
        "Find the median value of {numbers}.",
        "What's the middle value of the data {numbers}?",
        "Compute the median for these numbers: {numbers}.",
        "Sort {numbers} and tell me the median.",
        "House prices (in thousands) in my street are {numbers}. What's the median price?",
        "I need the median of {numbers}.",
        "Median of {numbers}, please.",
    ),
    sample=lambda rng: {"numbers": _values(rng, 3, 10)},
    vague=("What's the median of these prices?", "Find the middle value of my measurements."),
)
def median_of_numbers(numbers: list[float]) -> float:
    """Compute the median of a list of numbers (the mean of the two middle values for an even count).

    Args:
        numbers: The data values; at least one.

    Returns:
        The median, rounded to 4 decimals.
    """
    _need(numbers, 1)
    return round(float(stats.median(numbers)), DECIMALS)


@tool(
    domain="statistics",
    templates=(
        "What is the mode of {numbers:g}?",
        "Which value appears most often in {numbers:g}?",
        "Find the most frequent number in {numbers:g}.",
        "Compute the mode(s) of this data: {numbers:g}.",
        "Shoe sizes sold today: {numbers:g}. Which size was the most common?",
        "Which number occurs most frequently among {numbers:g}?",
        "Give me the mode for {numbers:g}.",
        "Out of {numbers:g}, what's the most common value?",
    ),
    sample=lambda rng: {"numbers": [float(rng.randint(1, 9)) for _ in range(rng.randint(5, 12))]},
)
def mode_of_numbers(numbers: list[float]) -> list[float]:
    """Find the most frequent value(s) of a list of numbers.

    Args:
        numbers: The data values; at least one.

    Returns:
        Every value with the highest count, in ascending order.
    """
    _need(numbers, 1)
    counts = Counter(numbers)
    top = max(counts.values())
    return sorted(float(v) for v, c in counts.items() if c == top)


@tool(
    domain="statistics",
    intents=(
        Intent(
            templates=(
                "What is the standard deviation of {numbers}?",
                "Calculate the standard deviation of {numbers}.",
                "How spread out are {numbers}? Give me the standard deviation.",
                "Find the std dev of the data {numbers}.",
                "Compute the standard deviation for these measurements: {numbers}.",
                "I need the standard deviation of {numbers}.",
                "What's the SD of {numbers}?",
                "My lap times were {numbers} seconds. What's their standard deviation?",
            ),
            sample=lambda rng: {"numbers": _values(rng)},
            vague=("How much do my results vary? Give me the standard deviation.", "What's the standard deviation?"),
        ),
        Intent(
            templates=(
                "What is the {kind} standard deviation of {numbers}?",
                "Calculate the {kind} standard deviation for {numbers}.",
                "Treat {numbers} as a {kind} and give me its standard deviation.",
                "Find the std dev of {numbers}, using the {kind} formula.",
                "Compute the {kind} SD of the values {numbers}.",
                "I need the standard deviation of {numbers} ({kind} version).",
                "Using the {kind} definition, how large is the standard deviation of {numbers}?",
                "Standard deviation of {numbers}, computed as a {kind} statistic?",
            ),
            sample=lambda rng: {"numbers": _values(rng), "kind": rng.choice(["sample", "population"])},
        ),
    ),
)
def standard_deviation(numbers: list[float], kind: Literal["sample", "population"] = "sample") -> float:
    """Compute the standard deviation of a list of numbers.

    Args:
        numbers: The data values; at least two for the sample kind, one for the population kind.
        kind: sample divides by n - 1 (the default), population divides by n.

    Returns:
        The standard deviation, rounded to 4 decimals.
    """
    if kind == "sample":
        _need(numbers, 2)
        return round(stats.stdev(numbers), DECIMALS)
    _need(numbers, 1)
    return round(stats.pstdev(numbers), DECIMALS)


@tool(
    domain="statistics",
    templates=(
        "What is the {percentile:g}th percentile of {numbers}?",
        "Find the {percentile:g}th percentile of these values: {numbers}.",
        "Compute percentile {percentile:g} for the data {numbers}.",
        "Response times were {numbers} ms. What is the p{percentile:g}?",
        "Which value sits at the {percentile:g}th percentile of {numbers}?",
        "Give me the {percentile:g}-percentile of {numbers}, using linear interpolation.",
        "For the data set {numbers}, where is the {percentile:g}th percentile?",
        "I need percentile {percentile:g} of {numbers}.",
    ),
    sample=lambda rng: {"numbers": _values(rng, 5, 12), "percentile": float(rng.choice([10, 25, 50, 75, 90, 95, 99]))},
)
def percentile_of_numbers(numbers: list[float], percentile: float) -> float:
    """Compute a percentile of a list of numbers by linear interpolation between closest ranks.

    Args:
        numbers: The data values; at least one.
        percentile: The percentile to compute, from 0 to 100.

    Returns:
        The percentile value, rounded to 4 decimals.
    """
    _need(numbers, 1)
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {percentile}")
    ordered = sorted(numbers)
    position = (len(ordered) - 1) * percentile / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return round(ordered[low] + (ordered[high] - ordered[low]) * fraction, DECIMALS)


def _check_pairs(x: list[float], y: list[float]) -> None:
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    _need(x, 2, "x")
    if len(set(x)) == 1:
        raise ValueError("x values must not all be equal")


@tool(
    domain="statistics",
    templates=(
        "Fit a least-squares line to x = {x} and y = {y}.",
        "Run a linear regression of y on x with x values {x} and y values {y}.",
        "What are the slope and intercept of the best-fit line through x {x} and y {y}?",
        "Given inputs {x} and outputs {y}, find the linear trend.",
        "Hours studied were {x} and scores were {y}. What line best fits this?",
        "Compute the regression line for the points with x coordinates {x} and y coordinates {y}.",
        "I have x: {x} and y: {y}. Give me slope, intercept and R squared.",
        "Do a simple linear regression where x is {x} and y is {y}.",
    ),
    sample=_paired,
)
def linear_regression(x: list[float], y: list[float]) -> dict[str, float]:
    """Fit a simple least-squares line y = slope * x + intercept.

    Args:
        x: The independent values; at least two, not all equal.
        y: The dependent values, one per x value.

    Returns:
        slope, intercept and r_squared, each rounded to 4 decimals.
    """
    _check_pairs(x, y)
    fit = stats.linear_regression(x, y)
    mean_y = math.fsum(y) / len(y)
    total = math.fsum((v - mean_y) ** 2 for v in y)
    residual = math.fsum((v - (fit.slope * u + fit.intercept)) ** 2 for u, v in zip(x, y, strict=True))
    r_squared = 1.0 if total == 0 else 1 - residual / total
    return {
        "slope": round(fit.slope, DECIMALS),
        "intercept": round(fit.intercept, DECIMALS),
        "r_squared": round(r_squared, DECIMALS),
    }


@tool(
    domain="statistics",
    templates=(
        "What is the Pearson correlation between {x} and {y}?",
        "Compute the correlation coefficient of x = {x} and y = {y}.",
        "How strongly are {x} and {y} correlated?",
        "Find Pearson's r for the paired data {x} and {y}.",
        "Ad spend was {x} and sales were {y}. What's the correlation between them?",
        "Give me the linear correlation of the series {x} and {y}.",
        "Is there a correlation between {x} and {y}? Give me the coefficient.",
        "Calculate r for the two variables {x} and {y}.",
    ),
    sample=_paired,
)
def pearson_correlation(x: list[float], y: list[float]) -> float:
    """Compute the Pearson correlation coefficient of two paired lists of numbers.

    Args:
        x: The first variable; at least two values, not all equal.
        y: The second variable, one value per x value, not all equal.

    Returns:
        The coefficient between -1 and 1, rounded to 4 decimals.
    """
    _check_pairs(x, y)
    if len(set(y)) == 1:
        raise ValueError("y values must not all be equal")
    return round(stats.correlation(x, y), DECIMALS)


@tool(
    domain="statistics",
    templates=(
        "Give me summary statistics for {numbers}.",
        "Describe the data set {numbers}: count, min, max, mean and so on.",
        "Summarize these numbers statistically: {numbers}.",
        "What are the min, max, range, mean and median of {numbers}?",
        "I measured {numbers}. Can you give me a statistical summary?",
        "Produce descriptive statistics for the values {numbers}.",
        "Run the basic stats on {numbers}.",
        "How would you summarize {numbers} in numbers?",
    ),
    sample=lambda rng: {"numbers": _values(rng)},
    vague=("Give me a statistical summary of my measurements.", "Can you describe my data set with the basic stats?"),
)
def summary_statistics(numbers: list[float]) -> dict[str, float]:
    """Summarize a list of numbers: count, min, max, range, sum, mean, median and sample standard deviation.

    Args:
        numbers: The data values; at least one.

    Returns:
        The statistics, floats rounded to 4 decimals; stdev is 0 for a single value.
    """
    _need(numbers, 1)
    return {
        "count": len(numbers),
        "min": float(min(numbers)),
        "max": float(max(numbers)),
        "range": round(max(numbers) - min(numbers), DECIMALS),
        "sum": round(math.fsum(numbers), DECIMALS),
        "mean": mean_of_numbers(numbers),
        "median": median_of_numbers(numbers),
        "stdev": round(stats.stdev(numbers), DECIMALS) if len(numbers) > 1 else 0.0,
    }


fallback(
    Fallback(
        primary="median_of_numbers",
        alternative="percentile_of_numbers",
        convert=lambda a: {"numbers": a["numbers"], "percentile": 50.0},
    )
)
fallback(Fallback(primary="mean_of_numbers", alternative="summary_statistics", convert=lambda a: dict(a)))
