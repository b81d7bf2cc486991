"""The deterministic simulated climate behind the weather tools.

Every value is a function of (city, date) only: a rough climatology from latitude, elevation and day
of year, plus noise from SHA-256 of the key (Python's `hash` is salted per process, so it would make
answers differ between runs).
"""

from __future__ import annotations

import datetime
import hashlib
import math
from typing import Any

from distill.tools.geodata import find_city

COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
POLLUTANTS = ("PM2.5", "PM10", "O3", "NO2")
AQI_BANDS = (
    (50, "good"),
    (100, "moderate"),
    (150, "unhealthy for sensitive groups"),
    (200, "unhealthy"),
    (300, "very unhealthy"),
)
UV_BANDS = ((2, "low"), (5, "moderate"), (7, "high"), (10, "very high"))
# (minimum precipitation probability, condition), checked in order
CONDITIONS = ((70, "rain"), (55, "showers"), (40, "cloudy"), (20, "partly cloudy"), (0, "sunny"))


def noise(city: str, date: str, field: str) -> float:
    """A uniform number in [0, 1) fixed by (city, date, field)."""
    digest = hashlib.sha256(f"{city}|{date}|{field}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def parse_date(date: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(date)
    except ValueError:
        raise ValueError(f"invalid date {date!r}; use YYYY-MM-DD") from None


def declination_deg(day: datetime.date) -> float:
    return 23.44 * math.sin(2 * math.pi * (284 + day.timetuple().tm_yday) / 365)


def daylight_hours(latitude: float, day: datetime.date) -> float:
    cos_omega = -math.tan(math.radians(latitude)) * math.tan(math.radians(declination_deg(day)))
    return 24 * math.degrees(math.acos(max(-1.0, min(1.0, cos_omega)))) / 180


def _band(value: float, bands: tuple[tuple[int, str], ...], top: str) -> str:
    return next((label for limit, label in bands if value <= limit), top)


def simulate(city: str, date: str) -> dict[str, Any]:
    """The simulated weather of one city on one day (all fields; tools pick what they report)."""
    name, c = find_city(city)
    day = parse_date(date)
    key = day.isoformat()
    lat = c["lat"]
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365) * (1 if lat >= 0 else -1)
    mean = 28 - 0.0055 * lat**2 - 0.0065 * c["elevation_m"]
    temp = mean + 0.18 * abs(lat) * season + 6 * (noise(name, key, "temp") - 0.5)
    precip = round(100 * noise(name, key, "precip") ** 1.4)
    condition = next(label for limit, label in CONDITIONS if precip >= limit)
    if condition == "rain" and temp < 1:
        condition = "snow"
    cloud = min(1.0, precip / 100 + 0.2)
    sun = max(0.0, math.cos(math.radians(lat - declination_deg(day))))
    uv = round(12 * sun**2 * (1 - 0.6 * cloud))
    aqi = round(15 + 5 * c["population"] / 1e6 + 70 * noise(name, key, "aqi") ** 2)
    return {
        "city": name,
        "date": key,
        "condition": condition,
        "temperature_c": round(temp, 1),
        "high_c": round(temp + 2 + 3 * noise(name, key, "high"), 1),
        "low_c": round(temp - 3 - 4 * noise(name, key, "low"), 1),
        "humidity_percent": round(35 + 0.5 * precip + 15 * noise(name, key, "humidity")),
        "precipitation_probability": precip,
        "wind_kph": round(4 + 40 * noise(name, key, "wind") ** 1.6, 1),
        "wind_direction": COMPASS[int(noise(name, key, "dir") * len(COMPASS))],
        "uv_index": uv,
        "uv_risk": _band(uv, UV_BANDS, "extreme"),
        "aqi": aqi,
        "aqi_category": _band(aqi, AQI_BANDS, "hazardous"),
        "dominant_pollutant": POLLUTANTS[int(noise(name, key, "pollutant") * len(POLLUTANTS))],
    }
