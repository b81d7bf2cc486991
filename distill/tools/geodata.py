"""The bundled world-city table shared by the geography, weather, travel and commerce tools.

Values are rounded public figures (city proper population, standard-time UTC offset, elevation of
the city centre); they only need to be plausible and fixed, not current.
"""

from __future__ import annotations

import math
from typing import Any

EARTH_RADIUS_KM = 6371.0
KM_PER_MILE = 1.609344

# name: (country, lat, lon, population, utc_offset_hours, elevation_m)
_ROWS: dict[str, tuple[str, float, float, int, float, int]] = {
    "Paris": ("France", 48.8566, 2.3522, 2148000, 1.0, 35),
    "London": ("United Kingdom", 51.5074, -0.1278, 8982000, 0.0, 11),
    "Berlin": ("Germany", 52.52, 13.405, 3645000, 1.0, 34),
    "Madrid": ("Spain", 40.4168, -3.7038, 3223000, 1.0, 667),
    "Rome": ("Italy", 41.9028, 12.4964, 2873000, 1.0, 21),
    "Amsterdam": ("Netherlands", 52.3676, 4.9041, 872000, 1.0, -2),
    "Vienna": ("Austria", 48.2082, 16.3738, 1897000, 1.0, 190),
    "Prague": ("Czech Republic", 50.0755, 14.4378, 1309000, 1.0, 235),
    "Stockholm": ("Sweden", 59.3293, 18.0686, 975000, 1.0, 28),
    "Oslo": ("Norway", 59.9139, 10.7522, 697000, 1.0, 23),
    "Lisbon": ("Portugal", 38.7223, -9.1393, 505000, 0.0, 100),
    "Athens": ("Greece", 37.9838, 23.7275, 664000, 2.0, 70),
    "Istanbul": ("Turkey", 41.0082, 28.9784, 15460000, 3.0, 39),
    "Moscow": ("Russia", 55.7558, 37.6173, 12506000, 3.0, 156),
    "Reykjavik": ("Iceland", 64.1466, -21.9426, 131000, 0.0, 15),
    "Cairo": ("Egypt", 30.0444, 31.2357, 9540000, 2.0, 23),
    "Nairobi": ("Kenya", -1.2921, 36.8219, 4397000, 3.0, 1795),
    "Lagos": ("Nigeria", 6.5244, 3.3792, 14368000, 1.0, 41),
    "Johannesburg": ("South Africa", -26.2041, 28.0473, 5635000, 2.0, 1753),
    "Cape Town": ("South Africa", -33.9249, 18.4241, 4618000, 2.0, 25),
    "Dubai": ("United Arab Emirates", 25.2048, 55.2708, 3331000, 4.0, 5),
    "Mumbai": ("India", 19.076, 72.8777, 12442000, 5.5, 14),
    "Delhi": ("India", 28.7041, 77.1025, 16788000, 5.5, 216),
    "Bangkok": ("Thailand", 13.7563, 100.5018, 10539000, 7.0, 2),
    "Singapore": ("Singapore", 1.3521, 103.8198, 5686000, 8.0, 15),
    "Hong Kong": ("China", 22.3193, 114.1694, 7482000, 8.0, 32),
    "Beijing": ("China", 39.9042, 116.4074, 21540000, 8.0, 44),
    "Shanghai": ("China", 31.2304, 121.4737, 24870000, 8.0, 4),
    "Seoul": ("South Korea", 37.5665, 126.978, 9776000, 9.0, 38),
    "Tokyo": ("Japan", 35.6762, 139.6503, 13960000, 9.0, 40),
    "Osaka": ("Japan", 34.6937, 135.5023, 2691000, 9.0, 12),
    "Sydney": ("Australia", -33.8688, 151.2093, 5312000, 10.0, 58),
    "Melbourne": ("Australia", -37.8136, 144.9631, 5078000, 10.0, 31),
    "Auckland": ("New Zealand", -36.8485, 174.7633, 1657000, 12.0, 26),
    "Honolulu": ("United States", 21.3069, -157.8583, 345000, -10.0, 6),
    "Los Angeles": ("United States", 34.0522, -118.2437, 3980000, -8.0, 71),
    "San Francisco": ("United States", 37.7749, -122.4194, 874000, -8.0, 16),
    "Seattle": ("United States", 47.6062, -122.3321, 737000, -8.0, 53),
    "Vancouver": ("Canada", 49.2827, -123.1207, 675000, -8.0, 70),
    "Denver": ("United States", 39.7392, -104.9903, 715000, -7.0, 1609),
    "Chicago": ("United States", 41.8781, -87.6298, 2716000, -6.0, 181),
    "Mexico City": ("Mexico", 19.4326, -99.1332, 9209000, -6.0, 2240),
    "Toronto": ("Canada", 43.6532, -79.3832, 2930000, -5.0, 76),
    "New York": ("United States", 40.7128, -74.006, 8336000, -5.0, 10),
    "Miami": ("United States", 25.7617, -80.1918, 467000, -5.0, 2),
    "Bogota": ("Colombia", 4.711, -74.0721, 7181000, -5.0, 2640),
    "Lima": ("Peru", -12.0464, -77.0428, 9752000, -5.0, 154),
    "Santiago": ("Chile", -33.4489, -70.6693, 6160000, -4.0, 570),
    "Sao Paulo": ("Brazil", -23.5505, -46.6333, 12330000, -3.0, 760),
    "Buenos Aires": ("Argentina", -34.6037, -58.3816, 3075000, -3.0, 25),
}

CITIES: dict[str, dict[str, Any]] = {
    name: {"country": c, "lat": lat, "lon": lon, "population": pop, "utc_offset": off, "elevation_m": elev}
    for name, (c, lat, lon, pop, off, elev) in _ROWS.items()
}
CITY_NAMES: tuple[str, ...] = tuple(CITIES)
EUROPEAN_CITIES: tuple[str, ...] = CITY_NAMES[:14]  # the European rows, less remote Reykjavik

_BY_KEY = {name.casefold(): name for name in CITIES}


def find_city(name: str) -> tuple[str, dict[str, Any]]:
    """The canonical name and record of a city (case-insensitive).

    Raises:
        ValueError: when the city is not in the table.
    """
    canonical = _BY_KEY.get(name.strip().casefold())
    if canonical is None:
        raise ValueError(f"unknown city {name!r}; known cities include {', '.join(CITY_NAMES[:8])}, ...")
    return canonical, CITIES[canonical]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def city_distance_km(city_a: str, city_b: str) -> float:
    """Unrounded great-circle distance in km between two table cities."""
    _, a = find_city(city_a)
    _, b = find_city(city_b)
    return haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
