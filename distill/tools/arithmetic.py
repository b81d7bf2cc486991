"""Arithmetic tools: sums, products, powers, rounding, percentages, divisors and factorials."""

import math
import random
from decimal import ROUND_HALF_UP, Decimal

from distill.tools.base import Composition, Fallback, Intent, compose, fallback, tool

MAX_FACTORIAL = 170


def _amount(rng: random.Random, low: float = 1.0, high: float = 500.0) -> float:
    return round(rng.uniform(low, high), 2)


def _amounts(rng: random.Random) -> list[float]:
    return [_amount(rng) for _ in range(rng.randint(2, 5))]


def _clean(x: float) -> float:
    # Six decimals hides binary noise (0.1 + 0.2) without losing what the inputs carried.
    return round(x, 6)


@tool(
    domain="arithmetic",
    templates=(
        "What is the sum of {numbers}?",
        "Add up {numbers} for me.",
        "Can you total these numbers: {numbers}?",
        "I need the total of {numbers}.",
        "What do {numbers} add up to?",
        "Sum {numbers}, please.",
        "My receipts came to {numbers}. What's the grand total?",
        "Quick one: {numbers} added together equals what?",
        "Please compute the sum of the values {numbers}.",
    ),
    sample=lambda rng: {"numbers": _amounts(rng)},
    vague=("Can you add these numbers up for me?", "What's the total of my expenses this week?"),
)
def add_numbers(numbers: list[float]) -> float:
    """Add a list of numbers together.

    Args:
        numbers: The numbers to sum; at least one.

    Returns:
        The sum of the numbers.
    """
    if not numbers:
        raise ValueError("numbers must contain at least one value")
    return _clean(math.fsum(numbers))


@tool(
    domain="arithmetic",
    templates=(
        "What is the product of {numbers}?",
        "Multiply {numbers} together.",
        "Can you multiply these: {numbers}?",
        "What do you get when you multiply {numbers}?",
        "Give me the product of the numbers {numbers}.",
        "I need {numbers} multiplied by each other.",
        "Compute {numbers} all multiplied together, please.",
        "Find the result of multiplying {numbers}.",
    ),
    sample=lambda rng: {"numbers": [round(rng.uniform(0.5, 40.0), 1) for _ in range(rng.randint(2, 4))]},
)
def multiply_numbers(numbers: list[float]) -> float:
    """Multiply a list of numbers together.

    Args:
        numbers: The numbers to multiply; at least one.

    Returns:
        The product of the numbers.
    """
    if not numbers:
        raise ValueError("numbers must contain at least one value")
    return _clean(math.prod(numbers))


def _sample_power(rng: random.Random) -> dict[str, float]:
    base = float(rng.randint(2, 15)) if rng.random() < 0.7 else round(rng.uniform(1.1, 9.9), 1)
    exponent = float(rng.randint(0, 6)) if rng.random() < 0.8 else rng.choice([0.5, 1.5, -1.0, -2.0])
    return {"base": base, "exponent": exponent}


@tool(
    domain="arithmetic",
    templates=(
        "What is {base:g} to the power of {exponent:g}?",
        "Raise {base:g} to the {exponent:g} power.",
        "Calculate {base:g}^{exponent:g}.",
        "What do you get if you raise {base:g} to the power {exponent:g}?",
        "Compute {base:g} raised to the exponent {exponent:g}.",
        "I need the value of {base:g} to the {exponent:g}.",
        "Can you work out {base:g} ** {exponent:g} for me?",
        "Exponentiate: base {base:g}, exponent {exponent:g}.",
    ),
    sample=_sample_power,
)
def raise_to_power(base: float, exponent: float) -> float:
    """Raise a base number to an exponent.

    Args:
        base: The number to raise.
        exponent: The power to raise it to; may be negative or fractional.

    Returns:
        base ** exponent.
    """
    if base == 0 and exponent < 0:
        raise ValueError("zero cannot be raised to a negative power")
    if base < 0 and not float(exponent).is_integer():
        raise ValueError("a negative base needs a whole-number exponent for a real result")
    try:
        return _clean(math.pow(base, exponent))
    except OverflowError:
        raise ValueError(f"{base} ** {exponent} is too large") from None


@tool(
    domain="arithmetic",
    intents=(
        Intent(
            templates=(
                "Round {value} to {decimals} decimal places.",
                "What is {value} rounded to {decimals} decimals?",
                "Please round {value} off to {decimals} digits after the decimal point.",
                "Can you round the number {value} to {decimals} decimal places?",
                "I need {value} rounded, keeping {decimals} decimal places.",
                "Give me {value} with {decimals} places after the point, rounded.",
                "Round off {value} ({decimals} decimals).",
                "How does {value} look when rounded to {decimals} decimal places?",
            ),
            sample=lambda rng: {"value": round(rng.uniform(-1000, 1000), 5), "decimals": rng.randint(1, 3)},
            vague=(
                "Round this number to two decimal places, please.",
                "Round it to {decimals} decimal places, please.",
            ),
        ),
        Intent(
            templates=(
                "Round {value} to the nearest whole number.",
                "What is {value} rounded to the nearest integer?",
                "Round off {value}.",
                "Please round {value} to a whole number.",
                "Can you round {value} for me?",
                "If I round {value}, what do I get?",
                "{value}: what's that rounded to the nearest integer?",
                "Give me {value} rounded, no decimals.",
            ),
            sample=lambda rng: {"value": round(rng.uniform(-500, 500), 3)},
        ),
    ),
)
def round_number(value: float, decimals: int = 0) -> float:
    """Round a number to a given number of decimal places, with halves rounded away from zero.

    Args:
        value: The number to round.
        decimals: How many digits to keep after the decimal point, from 0 to 10 (default 0).

    Returns:
        The rounded number.
    """
    if not 0 <= decimals <= 10:
        raise ValueError(f"decimals must be between 0 and 10, got {decimals}")
    if not math.isfinite(value):
        raise ValueError(f"cannot round {value}")
    if abs(value) >= 1e15:  # beyond float's decimal precision there is nothing left to round
        return float(value)
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


@tool(
    domain="arithmetic",
    templates=(
        "What is {percent:g}% of {value}?",
        "Calculate {percent:g} percent of {value}.",
        "How much is {percent:g}% of {value}?",
        "Find {percent:g} percent of {value}, please.",
        "I want to know what {percent:g}% of {value} comes to.",
        "Take {percent:g}% of {value}. What do you get?",
        "If something costs {value} and I get {percent:g}% back, how much is that?",
        "Work out {percent:g} per cent of {value}.",
    ),
    sample=lambda rng: {"percent": float(rng.choice([5, 10, 12.5, 15, 18, 20, 25, 33, 40, 75])), "value": _amount(rng)},
    vague=("What's {percent:g}% of it?", "How much is the tip going to be?"),
)
def percent_of_number(percent: float, value: float) -> float:
    """Compute a percentage of a number.

    Args:
        percent: The percentage, e.g. 15 for 15%.
        value: The number to take the percentage of.

    Returns:
        percent / 100 * value.
    """
    return _clean(percent / 100 * value)


@tool(
    domain="arithmetic",
    templates=(
        "What is the percentage change from {old_value} to {new_value}?",
        "By what percent did the value change going from {old_value} to {new_value}?",
        "It went from {old_value} to {new_value}. What's the percent change?",
        "Calculate the percent increase or decrease from {old_value} to {new_value}.",
        "How many percent is {new_value} above or below {old_value}?",
        "Compute the relative change, in percent, between an old value of {old_value} and a new value of {new_value}.",
        "Last year it was {old_value}, this year {new_value}. How big is the change in percent?",
        "Percentage difference going from {old_value} up or down to {new_value}?",
    ),
    sample=lambda rng: {"old_value": _amount(rng, 10, 1000), "new_value": _amount(rng, 10, 1000)},
)
def percentage_change_between(old_value: float, new_value: float) -> float:
    """Compute the percentage change from an old value to a new value.

    Args:
        old_value: The starting value; must not be zero.
        new_value: The ending value.

    Returns:
        The change as a percentage of the old value (negative for a decrease), rounded to 4 decimals.
    """
    if old_value == 0:
        raise ValueError("old_value must not be zero: a change from zero has no percentage")
    return round((new_value - old_value) / abs(old_value) * 100, 4)


def _sample_gcd(rng: random.Random) -> dict[str, list[int]]:
    factor = rng.randint(2, 15)
    return {"numbers": [factor * rng.randint(1, 25) for _ in range(rng.randint(2, 4))]}


@tool(
    domain="arithmetic",
    templates=(
        "What is the greatest common divisor of {numbers}?",
        "Find the GCD of {numbers}.",
        "What's the highest common factor of {numbers}?",
        "Compute gcd({numbers}).",
        "What is the largest number that divides {numbers} evenly?",
        "I need the greatest common factor for {numbers}.",
        "Which biggest integer divides all of {numbers} without a remainder?",
        "Give me the HCF of {numbers}, please.",
    ),
    sample=_sample_gcd,
)
def greatest_common_divisor(numbers: list[int]) -> int:
    """Find the greatest common divisor of a list of integers.

    Args:
        numbers: The integers; at least one must be non-zero.

    Returns:
        The largest positive integer dividing every number.
    """
    if not any(numbers):
        raise ValueError("numbers must contain at least one non-zero integer")
    return math.gcd(*numbers)


@tool(
    domain="arithmetic",
    templates=(
        "What is {n} factorial?",
        "Compute {n}!.",
        "Calculate the factorial of {n}.",
        "What's {n}! equal to?",
        "I need the value of {n} factorial, please.",
        "Multiply all the whole numbers from 1 up to {n}. What's the result?",
        "Find the factorial of the number {n}.",
        "How many ways can {n} distinct books be arranged on a shelf?",
    ),
    sample=lambda rng: {"n": rng.randint(0, 20)},
)
def factorial(n: int) -> int:
    """Compute the factorial of a non-negative integer.

    Args:
        n: The integer, from 0 to 170.

    Returns:
        n! (1 for n = 0).
    """
    if not 0 <= n <= MAX_FACTORIAL:
        raise ValueError(f"n must be between 0 and {MAX_FACTORIAL}, got {n}")
    return math.factorial(n)


fallback(
    Fallback(
        primary="percent_of_number",
        alternative="multiply_numbers",
        convert=lambda a: {"numbers": [a["percent"] / 100, a["value"]]},
    )
)


def _sample_scores(rng: random.Random) -> list[float]:
    return [round(rng.uniform(40, 100), 1) for _ in range(rng.randint(3, 6))]


compose(
    Composition(
        first="mean_of_numbers",
        second="round_number",
        param="value",
        sample=lambda rng: ({"numbers": _sample_scores(rng)}, {"decimals": rng.randint(1, 2)}),
        templates=(
            "What is the average of {a[numbers]}, rounded to {b[decimals]} decimal places?",
            "Take the mean of {a[numbers]} and round it to {b[decimals]} decimals.",
            "Average these scores: {a[numbers]}. Round the answer to {b[decimals]} decimal places.",
            "Compute the mean of {a[numbers]}, then round that to {b[decimals]} digits after the point.",
            "I need the average of {a[numbers]} rounded off to {b[decimals]} decimals.",
            "Round the arithmetic mean of {a[numbers]} to {b[decimals]} decimal places.",
            "My test results were {a[numbers]}; what's my average to {b[decimals]} decimal places?",
            "Find the mean value of {a[numbers]} and give it with {b[decimals]} decimals.",
        ),
    )
)

compose(
    Composition(
        first="celsius_to_fahrenheit",
        second="round_number",
        param="value",
        sample=lambda rng: ({"celsius": round(rng.uniform(-30, 45), 2)}, {"decimals": rng.randint(1, 2)}),
        templates=(
            "Convert {a[celsius]} °C to Fahrenheit and round to {b[decimals]} decimal places.",
            "What is {a[celsius]} degrees Celsius in Fahrenheit, rounded to {b[decimals]} decimals?",
            "Turn {a[celsius]}C into Fahrenheit, then round the result to {b[decimals]} decimal places.",
            "It's {a[celsius]} degrees Celsius outside. What's that in °F to {b[decimals]} decimal places?",
            "Give me {a[celsius]} Celsius expressed in Fahrenheit, rounded off to {b[decimals]} decimals.",
            "Fahrenheit equivalent of {a[celsius]} °C, rounded to {b[decimals]} places, please.",
            "Please convert a temperature of {a[celsius]} C to F and round it to {b[decimals]} decimals.",
            "How many degrees Fahrenheit is {a[celsius]} °C? Round to {b[decimals]} decimal places.",
        ),
    )
)

compose(
    Composition(
        first="add_numbers",
        second="percent_of_number",
        param="value",
        sample=lambda rng: (
            {"numbers": _amounts(rng)},
            {"percent": float(rng.choice([10, 12.5, 15, 18, 20, 25]))},
        ),
        templates=(
            "What is {b[percent]:g}% of the total of {a[numbers]}?",
            "Add up {a[numbers]} and then take {b[percent]:g} percent of the sum.",
            "Our bill items were {a[numbers]}. How much is a {b[percent]:g}% tip on the total?",
            "Sum {a[numbers]}, then calculate {b[percent]:g}% of that.",
            "I spent {a[numbers]}. What is {b[percent]:g} percent of everything I spent?",
            "Find {b[percent]:g}% of the sum of {a[numbers]}.",
            "Total these amounts, {a[numbers]}, and tell me what {b[percent]:g}% of the total is.",
            "How much is {b[percent]:g} per cent of {a[numbers]} added together?",
        ),
    )
)
