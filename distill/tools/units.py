"""Unit conversion: length, mass, volume, speed, time and temperature (no currency, no city distances)."""

import random
from typing import Literal

from distill.tools.base import Composition, Fallback, compose, fallback, tool
from distill.tools.dates import random_date_range

# Factor to the dimension's base unit: metres, kilograms, litres, metres per second, seconds.
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "millimeters": ("length", 0.001),
    "centimeters": ("length", 0.01),
    "meters": ("length", 1.0),
    "kilometers": ("length", 1000.0),
    "inches": ("length", 0.0254),
    "feet": ("length", 0.3048),
    "yards": ("length", 0.9144),
    "miles": ("length", 1609.344),
    "milligrams": ("mass", 1e-6),
    "grams": ("mass", 0.001),
    "kilograms": ("mass", 1.0),
    "tonnes": ("mass", 1000.0),
    "ounces": ("mass", 0.028349523125),
    "pounds": ("mass", 0.45359237),
    "milliliters": ("volume", 0.001),
    "liters": ("volume", 1.0),
    "cubic meters": ("volume", 1000.0),
    "teaspoons": ("volume", 0.00492892159375),
    "tablespoons": ("volume", 0.01478676478125),
    "fluid ounces": ("volume", 0.0295735295625),
    "cups": ("volume", 0.2365882365),
    "pints": ("volume", 0.473176473),
    "quarts": ("volume", 0.946352946),
    "gallons": ("volume", 3.785411784),
    "meters per second": ("speed", 1.0),
    "kilometers per hour": ("speed", 1000 / 3600),
    "miles per hour": ("speed", 1609.344 / 3600),
    "knots": ("speed", 1852 / 3600),
    "seconds": ("time", 1.0),
    "minutes": ("time", 60.0),
    "hours": ("time", 3600.0),
    "days": ("time", 86400.0),
    "weeks": ("time", 604800.0),
}

Unit = Literal[
    "millimeters", "centimeters", "meters", "kilometers", "inches", "feet", "yards", "miles",
    "milligrams", "grams", "kilograms", "tonnes", "ounces", "pounds",
    "milliliters", "liters", "cubic meters", "teaspoons", "tablespoons", "fluid ounces", "cups", "pints", "quarts",
    "gallons",
    "meters per second", "kilometers per hour", "miles per hour", "knots",
    "seconds", "minutes", "hours", "days", "weeks",
]  # fmt: skip
TemperatureUnit = Literal["celsius", "fahrenheit", "kelvin"]
ABSOLUTE_ZERO_C = -273.15


def _tidy(x: float) -> float:
    # 4 decimals for everyday magnitudes; 4 significant digits so tiny results do not collapse to 0.
    if x == 0 or abs(x) >= 1:
        return round(x, 4)
    return float(f"{x:.4g}")


def _measure(rng: random.Random) -> float:
    return round(rng.uniform(0.5, 250.0), 2)


def _sample_units(rng: random.Random) -> dict[str, object]:
    kind = rng.choice(["length", "mass", "volume", "speed", "time"])
    units = [u for u, (k, _) in UNIT_FACTORS.items() if k == kind]
    from_unit, to_unit = rng.sample(units, 2)
    return {"value": _measure(rng), "from_unit": from_unit, "to_unit": to_unit}


@tool(
    domain="units",
    templates=(
        "Convert {value} {from_unit} to {to_unit}.",
        "How many {to_unit} are in {value} {from_unit}?",
        "What is {value} {from_unit} in {to_unit}?",
        "I have {value} {from_unit}. How much is that in {to_unit}?",
        "Express {value} {from_unit} in {to_unit}, please.",
        "Please change {value} {from_unit} into {to_unit}.",
        "{value} {from_unit} equals how many {to_unit}?",
        "Could you tell me what {value} {from_unit} works out to in {to_unit}?",
        "My recipe or plan says {value} {from_unit}; I only understand {to_unit}. Convert it?",
    ),
    sample=_sample_units,
    vague=("Convert this to {to_unit} for me.", "How many {to_unit} is that?"),
)
def convert_units(value: float, from_unit: Unit, to_unit: Unit) -> float:
    """Convert a quantity of length, mass, volume, speed or time between units.

    Args:
        value: The quantity to convert.
        from_unit: The unit the value is given in.
        to_unit: The unit to convert to; must measure the same kind of quantity as from_unit.

    Returns:
        The converted value, rounded to 4 decimals (4 significant digits below 1).
    """
    for unit in (from_unit, to_unit):
        if unit not in UNIT_FACTORS:
            raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(UNIT_FACTORS)}")
    (from_kind, from_factor), (to_kind, to_factor) = UNIT_FACTORS[from_unit], UNIT_FACTORS[to_unit]
    if from_kind != to_kind:
        raise ValueError(f"cannot convert {from_kind} ({from_unit}) to {to_kind} ({to_unit})")
    return _tidy(value * from_factor / to_factor)


def _to_celsius(value: float, unit: str) -> float:
    if unit == "celsius":
        return value
    if unit == "fahrenheit":
        return (value - 32) * 5 / 9
    if unit == "kelvin":
        return value + ABSOLUTE_ZERO_C
    raise ValueError(f"unknown temperature unit {unit!r}; use celsius, fahrenheit or kelvin")


def _from_celsius(value: float, unit: str) -> float:
    if unit == "celsius":
        return value
    if unit == "fahrenheit":
        return value * 9 / 5 + 32
    if unit == "kelvin":
        return value - ABSOLUTE_ZERO_C
    raise ValueError(f"unknown temperature unit {unit!r}; use celsius, fahrenheit or kelvin")


def _sample_temperature(rng: random.Random) -> dict[str, object]:
    from_unit, to_unit = rng.sample(["celsius", "fahrenheit", "kelvin"], 2)
    ranges = {"celsius": (-40, 120), "fahrenheit": (-40, 250), "kelvin": (200, 400)}
    return {"value": round(rng.uniform(*ranges[from_unit]), 1), "from_unit": from_unit, "to_unit": to_unit}


@tool(
    domain="units",
    templates=(
        "Convert {value} degrees {from_unit} to {to_unit}.",
        "What is {value} {from_unit} in {to_unit}?",
        "A temperature of {value} {from_unit} is how much in {to_unit}?",
        "Please express {value} degrees {from_unit} on the {to_unit} scale.",
        "My thermometer shows {value} {from_unit}. What's that in {to_unit}?",
        "How many degrees {to_unit} is {value} {from_unit}?",
        "Change {value} {from_unit} into {to_unit}, please.",
        "{value} on the {from_unit} scale equals what on the {to_unit} scale?",
    ),
    sample=_sample_temperature,
)
def convert_temperature(value: float, from_unit: TemperatureUnit, to_unit: TemperatureUnit) -> float:
    """Convert a temperature between Celsius, Fahrenheit and Kelvin.

    Args:
        value: The temperature to convert.
        from_unit: The scale the value is given in.
        to_unit: The scale to convert to.

    Returns:
        The converted temperature, rounded to 2 decimals.
    """
    celsius = _to_celsius(value, from_unit)
    if celsius < ABSOLUTE_ZERO_C - 1e-9:
        raise ValueError(f"{value} {from_unit} is below absolute zero")
    return round(_from_celsius(celsius, to_unit), 2)


@tool(
    domain="units",
    templates=(
        "Convert {celsius} °C to Fahrenheit.",
        "What is {celsius} degrees Celsius in Fahrenheit?",
        "How hot is {celsius}C in °F?",
        "It's {celsius} degrees Celsius here. What's that in Fahrenheit?",
        "{celsius} Celsius to Fahrenheit, please.",
        "My oven recipe says {celsius} °C but my oven uses Fahrenheit. What setting is that?",
        "Tell me the Fahrenheit equivalent of {celsius} degrees C.",
        "How many degrees F is {celsius} degrees C?",
    ),
    sample=lambda rng: {"celsius": round(rng.uniform(-30, 230), 1)},
    vague=(
        "Convert this temperature to Fahrenheit for me.",
        "What's the forecast high in Fahrenheit if it's in Celsius?",
    ),
)
def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit.

    Args:
        celsius: The temperature in degrees Celsius.

    Returns:
        The temperature in degrees Fahrenheit, rounded to 2 decimals.
    """
    return convert_temperature(celsius, "celsius", "fahrenheit")


@tool(
    domain="units",
    templates=(
        "Convert {fahrenheit} °F to Celsius.",
        "What is {fahrenheit} degrees Fahrenheit in Celsius?",
        "How warm is {fahrenheit}F in °C?",
        "The weather app says {fahrenheit} Fahrenheit. What's that in Celsius?",
        "{fahrenheit} Fahrenheit to Celsius, please.",
        "My American recipe says to bake at {fahrenheit} °F. What's that in Celsius?",
        "Give me the Celsius equivalent of {fahrenheit} degrees F.",
        "How many degrees C is {fahrenheit} degrees F?",
    ),
    sample=lambda rng: {"fahrenheit": round(rng.uniform(-20, 450), 1)},
    vague=("Convert this temperature to Celsius, please.", "What's my fever reading in Celsius?"),
)
def fahrenheit_to_celsius(fahrenheit: float) -> float:
    """Convert a temperature from degrees Fahrenheit to degrees Celsius.

    Args:
        fahrenheit: The temperature in degrees Fahrenheit.

    Returns:
        The temperature in degrees Celsius, rounded to 2 decimals.
    """
    return convert_temperature(fahrenheit, "fahrenheit", "celsius")


@tool(
    domain="units",
    templates=(
        "Convert {kilometers} km to miles.",
        "How many miles is {kilometers} kilometers?",
        "What is {kilometers} km in miles?",
        "I ran {kilometers} kilometers today. How far is that in miles?",
        "{kilometers} kilometres in miles, please.",
        "The sign says the next town is {kilometers} km away. How many miles is that?",
        "Express a distance of {kilometers} km in miles.",
        "Could you turn {kilometers} kilometers into miles for me?",
    ),
    sample=lambda rng: {"kilometers": _measure(rng)},
    vague=("How many miles is my commute?", "Convert my running distance to miles."),
)
def kilometers_to_miles(kilometers: float) -> float:
    """Convert a distance from kilometers to miles.

    Args:
        kilometers: The distance in kilometers.

    Returns:
        The distance in miles, rounded to 4 decimals.
    """
    return convert_units(kilometers, "kilometers", "miles")


@tool(
    domain="units",
    templates=(
        "Convert {kilograms} kg to pounds.",
        "How many pounds is {kilograms} kilograms?",
        "What is {kilograms} kg in lbs?",
        "My suitcase weighs {kilograms} kg. How much is that in pounds?",
        "{kilograms} kilos in pounds, please.",
        "I weigh {kilograms} kilograms. What's my weight in pounds?",
        "Express {kilograms} kg as pounds.",
        "Could you turn a mass of {kilograms} kg into lb?",
    ),
    sample=lambda rng: {"kilograms": _measure(rng)},
)
def kilograms_to_pounds(kilograms: float) -> float:
    """Convert a mass from kilograms to pounds.

    Args:
        kilograms: The mass in kilograms.

    Returns:
        The mass in pounds, rounded to 4 decimals.
    """
    return convert_units(kilograms, "kilograms", "pounds")


@tool(
    domain="units",
    templates=(
        "Convert {liters} liters to US gallons.",
        "How many gallons is {liters} L?",
        "What is {liters} litres in gallons?",
        "My tank holds {liters} liters. How many gallons is that?",
        "{liters} L to gallons, please.",
        "I bought {liters} litres of paint. How many US gallons did I get?",
        "Express a volume of {liters} liters in gallons.",
        "Could you turn {liters} liters into US gallons for me?",
    ),
    sample=lambda rng: {"liters": _measure(rng)},
)
def liters_to_gallons(liters: float) -> float:
    """Convert a volume from liters to US gallons.

    Args:
        liters: The volume in liters.

    Returns:
        The volume in US gallons, rounded to 4 decimals.
    """
    return convert_units(liters, "liters", "gallons")


@tool(
    domain="units",
    templates=(
        "How many centimeters is {feet} feet {inches:g} inches?",
        "Convert {feet} ft {inches:g} in to centimeters.",
        "I'm {feet} foot {inches:g} tall. What's my height in cm?",
        "What is {feet}'{inches:g}\" in centimetres?",
        "Express a height of {feet} feet and {inches:g} inches in centimeters.",
        "{feet} feet plus {inches:g} inches, how many cm is that?",
        "My son measures {feet} ft {inches:g} in. Convert that to centimeters, please.",
        "Turn {feet} feet, {inches:g} inches into metric centimeters.",
    ),
    sample=lambda rng: {"feet": rng.randint(3, 7), "inches": float(rng.randint(0, 11))},
    vague=("How tall am I in centimeters?", "Convert my height in feet and inches to cm."),
)
def feet_and_inches_to_centimeters(feet: int, inches: float = 0.0) -> float:
    """Convert a length given in feet and inches (such as a height) to centimeters.

    Args:
        feet: The whole feet; not negative.
        inches: The additional inches; not negative (default 0).

    Returns:
        The length in centimeters, rounded to 2 decimals.
    """
    if feet < 0 or inches < 0:
        raise ValueError("feet and inches must not be negative")
    return round((feet * 12 + inches) * 2.54, 2)


fallback(
    Fallback(
        primary="celsius_to_fahrenheit",
        alternative="convert_temperature",
        convert=lambda a: {"value": a["celsius"], "from_unit": "celsius", "to_unit": "fahrenheit"},
    )
)
fallback(
    Fallback(
        primary="fahrenheit_to_celsius",
        alternative="convert_temperature",
        convert=lambda a: {"value": a["fahrenheit"], "from_unit": "fahrenheit", "to_unit": "celsius"},
    )
)
fallback(
    Fallback(
        primary="kilometers_to_miles",
        alternative="convert_units",
        convert=lambda a: {"value": a["kilometers"], "from_unit": "kilometers", "to_unit": "miles"},
    )
)
fallback(
    Fallback(
        primary="kilograms_to_pounds",
        alternative="convert_units",
        convert=lambda a: {"value": a["kilograms"], "from_unit": "kilograms", "to_unit": "pounds"},
    )
)
fallback(
    Fallback(
        primary="liters_to_gallons",
        alternative="convert_units",
        convert=lambda a: {"value": a["liters"], "from_unit": "liters", "to_unit": "gallons"},
    )
)


compose(
    Composition(
        first="days_between_dates",
        second="convert_units",
        param="value",
        sample=lambda rng: (
            random_date_range(rng),
            {"from_unit": "days", "to_unit": rng.choice(["hours", "minutes", "weeks"])},
        ),
        templates=(
            "How many {b[to_unit]} are there in the {b[from_unit]} between {a[start_date]} and {a[end_date]}?",
            "Count the {b[from_unit]} from {a[start_date]} to {a[end_date]} and convert that to {b[to_unit]}.",
            "Work out the number of {b[from_unit]} between {a[start_date]} and {a[end_date]}, then express it in "
            "{b[to_unit]}.",
            "From {a[start_date]} to {a[end_date]}: how long is that in {b[to_unit]}? Count the {b[from_unit]} first.",
            "Take the {b[from_unit]} separating {a[start_date]} and {a[end_date]} and turn them into {b[to_unit]}.",
            "I want the gap between {a[start_date]} and {a[end_date]}, first in {b[from_unit]}, then as {b[to_unit]}.",
            "Between {a[start_date]} and {a[end_date]} there are some {b[from_unit]}; how many {b[to_unit]} is that?",
            "Compute the {b[from_unit]} between the dates {a[start_date]} and {a[end_date]} and convert the "
            "result into {b[to_unit]}.",
        ),
    )
)
