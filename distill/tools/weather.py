"""Weather tools: a deterministic simulated weather service for the cities of the geography table."""

from __future__ import annotations

import datetime
import random
from typing import Any, Literal

from distill.tools import store
from distill.tools.base import Composition, Fallback, Intent, compose, fallback, tool
from distill.tools.geodata import CITY_NAMES
from distill.tools.geography import sample_city_with_neighbours
from distill.tools.weather_model import daylight_hours, parse_date, simulate

TemperatureUnit = Literal["celsius", "fahrenheit", "kelvin"]
WindUnit = Literal["kph", "mph", "m/s"]
MAX_FORECAST_DAYS = 14
FIRST_DATE = datetime.date(2024, 1, 1)


def _date(rng: random.Random) -> str:
    return (FIRST_DATE + datetime.timedelta(days=rng.randint(0, 729))).isoformat()


def _city_date(rng: random.Random) -> dict[str, Any]:
    return {"city": rng.choice(CITY_NAMES), "date": _date(rng)}


def _pick(city: str, date: str, *fields: str) -> dict[str, Any]:
    day = simulate(city, date)
    return {k: day[k] for k in ("city", "date", *fields)}


@tool(
    domain="weather",
    templates=(
        "What's the weather in {city} on {date}?",
        "How will the weather be in {city} on {date}?",
        "Give me the weather conditions for {city}, {date}.",
        "I'm visiting {city} on {date}. What's the weather like?",
        "Weather report for {city} on {date}, please.",
        "Should I pack an umbrella for {city} on {date}? What are the conditions?",
        "Tell me about the weather in {city} for {date}.",
        "Check the conditions in {city} on {date}: temperature, wind, rain chance.",
    ),
    sample=_city_date,
    vague=("What's the weather going to be like?", "What will the weather be like on {date}?"),
)
def get_current_weather(city: str, date: str) -> dict:
    """Get the weather conditions in a city on a date.

    Args:
        city: Name of the city, e.g. "Paris".
        date: The day as YYYY-MM-DD.

    Returns:
        A dict with condition, temperature_c, humidity_percent, wind_kph and precipitation_probability.
    """
    fields = ("condition", "temperature_c", "humidity_percent", "wind_kph", "precipitation_probability")
    return _pick(city, date, *fields)


def _forecast_args(rng: random.Random) -> dict[str, Any]:
    return {"city": rng.choice(CITY_NAMES), "start_date": _date(rng)}


@tool(
    domain="weather",
    templates=(
        "Give me the {days}-day forecast for {city} starting {start_date}.",
        "What's the weather outlook in {city} for {days} days from {start_date}?",
        "Forecast for {city}, {days} days beginning on {start_date}.",
        "I'll be in {city} for {days} days from {start_date}. What weather should I expect?",
        "Show the daily forecast for {city} over the {days} days after {start_date} (inclusive).",
        "How does the weather look in {city} for the next {days} days starting {start_date}?",
        "Can you pull a {days}-day weather forecast for {city} from {start_date} on?",
        "Plan my trip: {city}, {start_date}, {days} days. Daily highs, lows and rain chances?",
    ),
    sample=lambda rng: {**_forecast_args(rng), "days": rng.randint(1, 10)},
    vague=("What's the forecast for the next few days?", "Give me a {days}-day forecast."),
    intents=(
        Intent(
            templates=(
                "What's the forecast for {city} starting {start_date}?",
                "Give me the weather forecast in {city} from {start_date}.",
                "How will the next few days look in {city}, beginning {start_date}?",
                "Forecast for {city} from {start_date} onward, please.",
                "I arrive in {city} on {start_date}. What's the forecast?",
                "Show the upcoming weather for {city} starting on {start_date}.",
                "Daily forecast for {city} from {start_date}?",
                "What weather is expected in {city} in the days after {start_date}?",
            ),
            sample=_forecast_args,
        ),
    ),
)
def get_weather_forecast(city: str, start_date: str, days: int = 3) -> list[dict]:
    """Get a daily weather forecast for a city.

    Args:
        city: Name of the city.
        start_date: First forecast day as YYYY-MM-DD.
        days: Number of days to forecast (1 to 14).

    Returns:
        One dict per day with date, condition, high_c, low_c and precipitation_probability.
    """
    if not 1 <= days <= MAX_FORECAST_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_FORECAST_DAYS}, got {days}")
    start = parse_date(start_date)
    dates = [(start + datetime.timedelta(days=i)).isoformat() for i in range(days)]
    fields = ("date", "condition", "high_c", "low_c", "precipitation_probability")
    return [{k: simulate(city, d)[k] for k in fields} for d in dates]


@tool(
    domain="weather",
    templates=(
        "What's the temperature in {city} on {date}?",
        "How warm will it be in {city} on {date}?",
        "How cold is it going to be in {city} on {date}?",
        "Temperature for {city}, {date}?",
        "Tell me how hot it gets in {city} on {date}.",
        "I need the temperature reading for {city} on {date}.",
        "What will the thermometer say in {city} on {date}?",
        "On {date}, what temperature should I expect in {city}?",
    ),
    sample=_city_date,
    intents=(
        Intent(
            templates=(
                "What's the temperature in {city} on {date} in {units}?",
                "Give me {city}'s temperature on {date}, in {units}.",
                "In {units}, how warm is {city} on {date}?",
                "Temperature in {city} on {date}? Please use {units}.",
                "I think in {units}. What's the temperature in {city} on {date}?",
                "Report the {date} temperature for {city} in degrees {units}.",
                "How hot will {city} be on {date}, expressed in {units}?",
                "Tell me the temperature (in {units}) for {city} on {date}.",
            ),
            sample=lambda rng: {**_city_date(rng), "units": rng.choice(["celsius", "fahrenheit", "kelvin"])},
        ),
    ),
)
def get_temperature(city: str, date: str, units: TemperatureUnit = "celsius") -> float:
    """Get the temperature in a city on a date.

    Args:
        city: Name of the city.
        date: The day as YYYY-MM-DD.
        units: Temperature scale of the result.

    Returns:
        The temperature rounded to 0.1 degree.
    """
    celsius = simulate(city, date)["temperature_c"]
    converted = {"celsius": celsius, "fahrenheit": celsius * 9 / 5 + 32, "kelvin": celsius + 273.15}
    if units not in converted:
        raise ValueError(f"unknown units {units!r}; use celsius, fahrenheit or kelvin")
    return round(converted[units], 1)


@tool(
    domain="weather",
    templates=(
        "What's the chance of rain in {city} on {date}?",
        "Will it rain in {city} on {date}?",
        "How likely is precipitation in {city} on {date}?",
        "Probability of rain or snow for {city}, {date}?",
        "Do I need an umbrella in {city} on {date}? Give me the rain chance.",
        "What are the odds of a wet day in {city} on {date}?",
        "Rain forecast percentage for {city} on {date}, please.",
        "I'm hosting an outdoor party in {city} on {date}. How likely is it to rain?",
    ),
    sample=_city_date,
    vague=("Is it going to rain?", "What's the chance of rain on {date}?"),
)
def get_precipitation_probability(city: str, date: str) -> int:
    """Get the probability of precipitation in a city on a date.

    Args:
        city: Name of the city.
        date: The day as YYYY-MM-DD.

    Returns:
        The chance of rain or snow in percent (0-100).
    """
    return simulate(city, date)["precipitation_probability"]


@tool(
    domain="weather",
    templates=(
        "How windy is it in {city} on {date}?",
        "What's the wind speed in {city} on {date}?",
        "Wind conditions for {city}, {date}?",
        "I want to go sailing near {city} on {date}. How strong is the wind and from where?",
        "Tell me the wind speed and direction in {city} on {date}.",
        "Is it going to be gusty in {city} on {date}?",
        "Check the wind for {city} on {date}.",
        "From which direction does the wind blow in {city} on {date}, and how hard?",
    ),
    sample=_city_date,
)
def get_wind_conditions(city: str, date: str, units: WindUnit = "kph") -> dict:
    """Get the wind speed and direction in a city on a date.

    Args:
        city: Name of the city.
        date: The day as YYYY-MM-DD.
        units: Speed unit of the result.

    Returns:
        A dict with speed, units and direction (compass point the wind comes from).
    """
    day = simulate(city, date)
    factor = {"kph": 1.0, "mph": 1 / 1.609344, "m/s": 1 / 3.6}
    if units not in factor:
        raise ValueError(f"unknown units {units!r}; use kph, mph or m/s")
    return {"speed": round(day["wind_kph"] * factor[units], 1), "units": units, "direction": day["wind_direction"]}


@tool(
    domain="weather",
    templates=(
        "What's the UV index in {city} on {date}?",
        "How strong is the sun in {city} on {date}? I need the UV level.",
        "Do I need sunscreen in {city} on {date}? Check the UV index.",
        "UV forecast for {city}, {date}.",
        "Tell me the ultraviolet index for {city} on {date}.",
        "How high will UV radiation be in {city} on {date}?",
        "Is the UV risk high in {city} on {date}?",
        "Going to the beach near {city} on {date}; what's the UV rating?",
    ),
    sample=_city_date,
)
def get_uv_index(city: str, date: str) -> dict:
    """Get the midday UV index and its risk level in a city on a date.

    Args:
        city: Name of the city.
        date: The day as YYYY-MM-DD.

    Returns:
        A dict with uv_index and risk (low, moderate, high, very high, extreme).
    """
    day = simulate(city, date)
    return {"uv_index": day["uv_index"], "risk": day["uv_risk"]}


@tool(
    domain="weather",
    templates=(
        "What's the air quality in {city} on {date}?",
        "Give me the AQI for {city} on {date}.",
        "Is the air clean enough to go running in {city} on {date}?",
        "How polluted is {city} on {date}?",
        "Air quality index for {city}, {date}?",
        "Check the pollution level in {city} on {date}.",
        "I have asthma. What's the air like in {city} on {date}?",
        "What pollutant dominates in {city} on {date}, and how bad is the air?",
    ),
    sample=_city_date,
)
def get_air_quality_index(city: str, date: str) -> dict:
    """Get the air quality index (US AQI scale) in a city on a date.

    Args:
        city: Name of the city.
        date: The day as YYYY-MM-DD.

    Returns:
        A dict with aqi, category and dominant_pollutant.
    """
    day = simulate(city, date)
    return {"aqi": day["aqi"], "category": day["aqi_category"], "dominant_pollutant": day["dominant_pollutant"]}


@tool(
    domain="weather",
    templates=(
        "Which of {cities} is the warmest on {date}?",
        "Compare temperatures in {cities} on {date} and tell me the hottest.",
        "On {date}, where is it warmest: {cities}?",
        "I can choose between {cities} for {date}. Which will be the warmest?",
        "Find the city with the highest temperature on {date} among {cities}.",
        "Warmest destination on {date} out of {cities}?",
        "Of {cities}, which one has the best chance of warm weather on {date}?",
        "Rank by temperature and give me the top one for {date}: {cities}.",
    ),
    sample=lambda rng: {"cities": rng.sample(CITY_NAMES, rng.randint(2, 5)), "date": _date(rng)},
)
def find_warmest_city(cities: list[str], date: str) -> dict:
    """Find which of several cities is warmest on a date.

    Args:
        cities: The cities to compare.
        date: The day as YYYY-MM-DD.

    Returns:
        A dict with the warmest city and its temperature_c.
    """
    if not cities:
        raise ValueError("cities must name at least one city")
    days = [simulate(c, date) for c in cities]
    best = max(days, key=lambda d: d["temperature_c"])
    return {"city": best["city"], "temperature_c": best["temperature_c"]}


@tool(
    domain="weather",
    templates=(
        "How many hours of daylight are there at latitude {latitude} on {date}?",
        "Day length at {latitude} degrees latitude on {date}?",
        "How long is the day on {date} at a latitude of {latitude}?",
        "Compute sunrise-to-sunset hours for latitude {latitude} on {date}.",
        "At latitude {latitude}, how much daylight do you get on {date}?",
        "My location's latitude is {latitude}. How long is daylight there on {date}?",
        "Daylight duration on {date} for latitude {latitude}, please.",
        "What's the length of the day at lat {latitude} on {date}?",
    ),
    sample=lambda rng: {"latitude": round(rng.uniform(-65, 65), 4), "date": _date(rng)},
)
def get_daylight_hours(latitude: float, date: str) -> float:
    """Get the number of daylight hours at a latitude on a date.

    Args:
        latitude: Latitude in decimal degrees (negative in the southern hemisphere).
        date: The day as YYYY-MM-DD.

    Returns:
        Hours between sunrise and sunset, rounded to 0.01.
    """
    if not -90 <= latitude <= 90:
        raise ValueError(f"latitude must be between -90 and 90, got {latitude}")
    return round(daylight_hours(latitude, parse_date(date)), 2)


def _flight_then_weather(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    flight = store.INITIAL["flights"][rng.choice(store.initial_ids("flights"))]
    return {"flight_id": flight["id"]}, {"date": flight["date"]}


compose(
    Composition(
        first="find_cities_within_radius",
        second="find_warmest_city",
        param="cities",
        sample=lambda rng: (sample_city_with_neighbours(rng), {"date": _date(rng)}),
        templates=(
            "Of the cities within {a[radius_km]} km of {a[city]}, which is warmest on {b[date]}?",
            "I live in {a[city]} and can travel up to {a[radius_km]} km. Where is it warmest on {b[date]}?",
            "Find cities no more than {a[radius_km]} km from {a[city]} and tell me the hottest one on {b[date]}.",
            "Warmest city within a {a[radius_km]} km radius of {a[city]} on {b[date]}?",
            "For a weekend getaway on {b[date]}: which city near {a[city]} (under {a[radius_km]} km) is warmest?",
            "Among all cities {a[radius_km]} km or closer to {a[city]}, which is hottest on {b[date]}?",
            "List the cities around {a[city]} within {a[radius_km]} km, then pick the warmest for {b[date]}.",
            "Chasing the sun on {b[date]}: what's the warmest city in reach ({a[radius_km]} km) of {a[city]}?",
        ),
    )
)
compose(
    Composition(
        first="get_city_coordinates",
        second="get_daylight_hours",
        param="latitude",
        key="lat",
        sample=lambda rng: ({"city": rng.choice(CITY_NAMES)}, {"date": _date(rng)}),
        templates=(
            "How many hours of daylight does {a[city]} get on {b[date]}?",
            "How long is the day in {a[city]} on {b[date]}?",
            "Find {a[city]}'s latitude and work out the day length on {b[date]}.",
            "Daylight hours in {a[city]} on {b[date]}?",
            "I'm visiting {a[city]} on {b[date]}. How many hours of sunlight will there be?",
            "Sunrise-to-sunset duration for {a[city]} on {b[date]}, please.",
            "Using {a[city]}'s coordinates, compute how much daylight there is on {b[date]}.",
            "On {b[date]}, how long does the sun stay up over {a[city]}?",
        ),
    )
)
compose(
    Composition(
        first="get_flight_details",
        second="get_current_weather",
        param="city",
        key="destination",
        sample=_flight_then_weather,
        templates=(
            "What's the weather at the destination of flight {a[flight_id]} on {b[date]}?",
            "I'm on flight {a[flight_id]}. How will the weather be where I land on {b[date]}?",
            "Check where flight {a[flight_id]} goes and give me the weather there on {b[date]}.",
            "Weather forecast on {b[date]} for the city flight {a[flight_id]} flies to?",
            "Should I pack a coat? Flight {a[flight_id]} lands on {b[date]}; what's the weather there?",
            "Look up flight {a[flight_id]}, then tell me the conditions at its arrival city on {b[date]}.",
            "How's the weather on {b[date]} in the city that flight {a[flight_id]} is heading to?",
            "Conditions at {a[flight_id]}'s destination on {b[date]}, please.",
        ),
    )
)
fallback(
    Fallback(
        primary="get_current_weather",
        alternative="get_weather_forecast",
        convert=lambda a: {"city": a["city"], "start_date": a["date"], "days": 1},
    )
)
fallback(Fallback(primary="get_temperature", alternative="get_current_weather", convert=lambda a: dict(a)))
