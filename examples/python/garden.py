"""A vegetable-garden planner: an example of a user's own tool module for distill (``tools=python``).

Every public function is a tool. Type hints and the Google-style docstring are the schema the model
sees (``Literal`` gives an enum, a default makes a parameter optional). The functions are
deterministic and need nothing outside this file, as tools run in distill's sandbox (no network).

    make tasks ARGS="tools=python tools.module=examples/python/garden.py tasks.total=540 run_name=garden"
"""

from __future__ import annotations

import datetime
from typing import Literal

Plant = Literal["tomato", "carrot", "lettuce", "bean", "potato", "onion", "zucchini", "pepper"]

_PLANTS = {
    # plant: (family, spacing between plants in cm, days from sowing to harvest, sun, companions)
    "tomato": ("nightshade", 60, 80, "full sun", ["basil", "carrot", "onion"]),
    "carrot": ("umbellifer", 5, 75, "full sun", ["onion", "lettuce", "tomato"]),
    "lettuce": ("daisy", 25, 45, "partial shade", ["carrot", "radish", "onion"]),
    "bean": ("legume", 15, 60, "full sun", ["carrot", "potato", "zucchini"]),
    "potato": ("nightshade", 35, 100, "full sun", ["bean", "cabbage"]),
    "onion": ("allium", 10, 110, "full sun", ["carrot", "lettuce", "tomato"]),
    "zucchini": ("gourd", 90, 55, "full sun", ["bean", "nasturtium"]),
    "pepper": ("nightshade", 45, 90, "full sun", ["basil", "onion"]),
}
_SEEDS_PER_PACKET = {"tomato": 25, "carrot": 500, "lettuce": 300, "bean": 40, "potato": 10, "onion": 200,
                     "zucchini": 15, "pepper": 30}
_CLIMATE_DAYS = {"cool": 1.2, "temperate": 1.0, "warm": 0.85}
_WEATHER_FACTOR = {"dry": 1.5, "normal": 1.0, "rainy": 0.4}


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def get_plant_info(plant: Plant) -> dict:
    """Look up how to grow a vegetable.

    Args:
        plant: The vegetable.

    Returns:
        A dict with family, spacing_cm, days_to_harvest and sun.
    """
    family, spacing, days, sun, _ = _PLANTS[plant]
    return {"plant": plant, "family": family, "spacing_cm": spacing, "days_to_harvest": days, "sun": sun}


def plan_bed(plant: Plant, bed_length_cm: int, bed_width_cm: int, spacing_cm: int | None = None) -> dict:
    """Work out how many plants fit in a rectangular garden bed, in a square grid.

    Args:
        plant: The vegetable to plant.
        bed_length_cm: Length of the bed in centimetres.
        bed_width_cm: Width of the bed in centimetres.
        spacing_cm: Distance between plants in centimetres (default: the plant's usual spacing).

    Returns:
        A dict with the number of plants, rows and per_row.
    """
    spacing = spacing_cm or _PLANTS[plant][1]
    if bed_length_cm <= 0 or bed_width_cm <= 0 or spacing <= 0:
        raise ValueError("bed sides and spacing must be positive")
    rows, per_row = max(1, bed_width_cm // spacing), max(1, bed_length_cm // spacing)
    return {"plant": plant, "plants": rows * per_row, "rows": rows, "per_row": per_row}


def seeds_to_buy(plant: Plant, plants: int) -> dict:
    """How many seed packets to buy for a number of plants (sowing two seeds per plant).

    Args:
        plant: The vegetable.
        plants: How many plants are wanted.

    Returns:
        A dict with seeds and packets.
    """
    if plants <= 0:
        raise ValueError("plants must be positive")
    seeds = plants * 2
    return {"plant": plant, "seeds": seeds, "packets": -(-seeds // _SEEDS_PER_PACKET[plant])}


def harvest_date(plant: Plant, sowing_date: str) -> str:
    """The expected harvest date of a vegetable sown on a given day.

    Args:
        plant: The vegetable.
        sowing_date: The day it is sown, as YYYY-MM-DD.

    Returns:
        The harvest date as YYYY-MM-DD.
    """
    return (_date(sowing_date) + datetime.timedelta(days=_PLANTS[plant][2])).isoformat()


def estimate_harvest_date(plant: Plant, sowing_date: str,
                          climate: Literal["cool", "temperate", "warm"] = "temperate") -> str:
    """Estimate when a vegetable will be ready, adjusted for the local climate.

    Args:
        plant: The vegetable.
        sowing_date: The day it is sown, as YYYY-MM-DD.
        climate: The local climate.

    Returns:
        The estimated harvest date as YYYY-MM-DD.
    """
    days = round(_PLANTS[plant][2] * _CLIMATE_DAYS[climate])
    return (_date(sowing_date) + datetime.timedelta(days=days)).isoformat()


def bed_area(bed_length_cm: int, bed_width_cm: int) -> float:
    """The area of a rectangular garden bed in square metres.

    Args:
        bed_length_cm: Length of the bed in centimetres.
        bed_width_cm: Width of the bed in centimetres.

    Returns:
        The area in square metres, rounded to 2 decimals.
    """
    if bed_length_cm <= 0 or bed_width_cm <= 0:
        raise ValueError("bed sides must be positive")
    return round(bed_length_cm * bed_width_cm / 10_000, 2)


def water_needed(area_m2: float, weather: Literal["dry", "normal", "rainy"] = "normal") -> float:
    """How much water a vegetable bed needs per week.

    Args:
        area_m2: The bed's area in square metres.
        weather: The week's weather.

    Returns:
        Litres of water per week, rounded to 1 decimal.
    """
    if area_m2 <= 0:
        raise ValueError("area_m2 must be positive")
    return round(area_m2 * 25 * _WEATHER_FACTOR[weather], 1)


def companion_plants(plant: Plant) -> list:
    """Plants that grow well next to a vegetable.

    Args:
        plant: The vegetable.

    Returns:
        A list of companion plant names.
    """
    return list(_PLANTS[plant][4])


def soil_amendment(ph: float, area_m2: float = 1.0, target_ph: float = 6.5) -> dict:
    """What to add to a bed's soil to bring its pH to a target.

    Args:
        ph: The soil's measured pH, between 3 and 10.
        area_m2: The bed's area in square metres.
        target_ph: The pH wanted.

    Returns:
        A dict with the material (garden lime to raise the pH, sulfur to lower it, or none) and grams.
    """
    if not 3 <= ph <= 10 or not 3 <= target_ph <= 10 or area_m2 <= 0:
        raise ValueError("pH must be between 3 and 10 and the area positive")
    change = target_ph - ph
    if abs(change) < 0.1:
        return {"material": "none", "grams": 0}
    per_unit = 250 if change > 0 else 90  # grams per m2 per pH unit, loam
    return {"material": "garden lime" if change > 0 else "sulfur", "grams": round(abs(change) * per_unit * area_m2)}
