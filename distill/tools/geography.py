"""Geography tools over the bundled city table (`distill.tools.geodata`)."""

from __future__ import annotations

import random
from typing import Any, Literal

from distill.tools.base import Composition, Intent, compose, tool
from distill.tools.geodata import CITIES, CITY_NAMES, EUROPEAN_CITIES, KM_PER_MILE, find_city, haversine_km

DistanceUnit = Literal["km", "miles"]


def _in_unit(km: float, unit: str) -> float:
    if unit not in ("km", "miles"):
        raise ValueError(f"unknown unit {unit!r}; use 'km' or 'miles'")
    return round(km if unit == "km" else km / KM_PER_MILE, 1)


def _check_point(lat: float, lon: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"invalid coordinates ({lat}, {lon}): latitude must be in [-90, 90], longitude in [-180, 180]")


def _city(rng: random.Random) -> dict[str, Any]:
    return {"city": rng.choice(CITY_NAMES)}


def _two_cities(rng: random.Random) -> dict[str, Any]:
    city_a, city_b = rng.sample(CITY_NAMES, 2)
    return {"city_a": city_a, "city_b": city_b}


def _point(rng: random.Random) -> tuple[float, float]:
    _, c = find_city(rng.choice(CITY_NAMES))
    return round(c["lat"] + rng.uniform(-1.5, 1.5), 4), round(c["lon"] + rng.uniform(-1.5, 1.5), 4)


@tool(
    domain="geography",
    templates=(
        "What are the coordinates of {city}?",
        "Give me the latitude and longitude of {city}.",
        "Where exactly is {city} on the map? I need its lat/long.",
        "I need the GPS coordinates for {city}.",
        "Look up {city}'s latitude and longitude, please.",
        "Can you tell me where {city} is located in terms of coordinates?",
        "{city} coordinates?",
        "For a mapping project I need the geographic position of {city}.",
        "What latitude is {city} at, and what longitude?",
    ),
    sample=_city,
)
def get_city_coordinates(city: str) -> dict:
    """Get the latitude and longitude of a city.

    Args:
        city: Name of the city, e.g. "Paris".

    Returns:
        A dict with the city name, "lat" and "lon" in decimal degrees.
    """
    name, c = find_city(city)
    return {"city": name, "lat": c["lat"], "lon": c["lon"]}


@tool(
    domain="geography",
    templates=(
        "How far is {city_a} from {city_b}?",
        "What's the distance between {city_a} and {city_b}?",
        "Calculate how much distance separates {city_a} and {city_b}.",
        "I'm curious how far apart {city_a} and {city_b} are as the crow flies.",
        "Distance from {city_a} to {city_b}, please.",
        "Can you work out the straight-line distance between {city_a} and {city_b}?",
        "If I flew directly from {city_a} to {city_b}, how much ground would I cover?",
        "How big is the gap between {city_a} and {city_b} on the map?",
        "Tell me the great-circle distance separating {city_a} from {city_b}.",
    ),
    sample=_two_cities,
    vague=(
        "How far is it from here to {city_b}?",
        "What's the distance between the two cities?",
        "How far away is {city_a}?",
    ),
    intents=(
        Intent(
            templates=(
                "How far is {city_a} from {city_b} in {unit}?",
                "Give me the distance between {city_a} and {city_b} in {unit}.",
                "In {unit}, how far apart are {city_a} and {city_b}?",
                "What's the {city_a} to {city_b} distance, measured in {unit}?",
                "Please express the distance from {city_a} to {city_b} in {unit}.",
                "How many {unit} is it between {city_a} and {city_b}?",
                "Compute the straight-line distance {city_a}-{city_b}; I want the answer in {unit}.",
                "I need to know how many {unit} separate {city_b} and {city_a}.",
            ),
            sample=lambda rng: {**_two_cities(rng), "unit": rng.choice(["km", "miles"])},
        ),
    ),
)
def distance_between_cities(city_a: str, city_b: str, unit: DistanceUnit = "km") -> float:
    """Compute the great-circle distance between two named cities.

    Args:
        city_a: The first city.
        city_b: The second city.
        unit: Unit of the result, "km" or "miles".

    Returns:
        The distance rounded to 0.1 in the requested unit.
    """
    _, a = find_city(city_a)
    _, b = find_city(city_b)
    return _in_unit(haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]), unit)


def _two_points(rng: random.Random) -> dict[str, Any]:
    (lat1, lon1), (lat2, lon2) = _point(rng), _point(rng)
    return {"lat1": lat1, "lon1": lon1, "lat2": lat2, "lon2": lon2}


@tool(
    domain="geography",
    templates=(
        "What's the distance between the points ({lat1}, {lon1}) and ({lat2}, {lon2})?",
        "Use the haversine formula on {lat1},{lon1} and {lat2},{lon2}.",
        "How far is latitude {lat1} longitude {lon1} from latitude {lat2} longitude {lon2}?",
        "Compute the great-circle distance between coordinates {lat1}/{lon1} and {lat2}/{lon2}.",
        "I have two GPS fixes: ({lat1}, {lon1}) and ({lat2}, {lon2}). How far apart are they?",
        "Distance from lat {lat1}, lon {lon1} to lat {lat2}, lon {lon2}?",
        "My drone took off at {lat1}, {lon1} and landed at {lat2}, {lon2}. How far did it fly in a straight line?",
        "Find the haversine distance: point A = ({lat1}, {lon1}), point B = ({lat2}, {lon2}).",
    ),
    sample=_two_points,
)
def haversine_distance(lat1: float, lon1: float, lat2: float, lon2: float, unit: DistanceUnit = "km") -> float:
    """Compute the great-circle (haversine) distance between two coordinate pairs.

    Args:
        lat1: Latitude of the first point in decimal degrees.
        lon1: Longitude of the first point in decimal degrees.
        lat2: Latitude of the second point in decimal degrees.
        lon2: Longitude of the second point in decimal degrees.
        unit: Unit of the result, "km" or "miles".

    Returns:
        The distance rounded to 0.1 in the requested unit.
    """
    _check_point(lat1, lon1)
    _check_point(lat2, lon2)
    return _in_unit(haversine_km(lat1, lon1, lat2, lon2), unit)


@tool(
    domain="geography",
    templates=(
        "Which country is {city} in?",
        "What country does {city} belong to?",
        "Tell me the country where {city} is located.",
        "{city} is in which country?",
        "I always forget: what nation is {city} part of?",
        "In what country would I find {city}?",
        "Look up the country for the city {city}.",
        "My friend lives in {city}. Which country is that?",
    ),
    sample=_city,
)
def get_city_country(city: str) -> str:
    """Get the country a city is in.

    Args:
        city: Name of the city.

    Returns:
        The country name.
    """
    return find_city(city)[1]["country"]


@tool(
    domain="geography",
    templates=(
        "What is the population of {city}?",
        "How many people live in {city}?",
        "Give me the number of inhabitants of {city}.",
        "How populous is {city}?",
        "Roughly how many residents does {city} have?",
        "Look up {city}'s population for me.",
        "I'm writing a report and need the population figure for {city}.",
        "How big is {city} in terms of population?",
    ),
    sample=_city,
    vague=("What's the population of the city?", "How many people live there?"),
)
def get_city_population(city: str) -> int:
    """Get the population of a city (city proper).

    Args:
        city: Name of the city.

    Returns:
        The number of inhabitants.
    """
    return find_city(city)[1]["population"]


@tool(
    domain="geography",
    templates=(
        "Which cities are within {radius_km} km of {city}?",
        "List the cities no more than {radius_km} kilometres from {city}.",
        "Find all cities in a {radius_km} km radius around {city}.",
        "What other cities lie within {radius_km} km of {city}?",
        "I'm based in {city}; which cities can I reach within {radius_km} km?",
        "Show me cities closer than {radius_km} km to {city}.",
        "Search for cities inside a {radius_km}-kilometre circle centred on {city}.",
        "Name the cities that are at most {radius_km} km away from {city}.",
    ),
    sample=lambda rng: {**_city(rng), "radius_km": rng.choice([300, 500, 800, 1000, 1500, 2000, 3000])},
)
def find_cities_within_radius(city: str, radius_km: int) -> list[str]:
    """List the cities within a radius of a city, nearest first (the city itself excluded).

    Args:
        city: The centre city.
        radius_km: Search radius in kilometres.

    Returns:
        City names sorted by distance; empty when none is that close.
    """
    if radius_km <= 0:
        raise ValueError(f"radius_km must be positive, got {radius_km}")
    name, c = find_city(city)
    dists = {o: haversine_km(c["lat"], c["lon"], oc["lat"], oc["lon"]) for o, oc in CITIES.items() if o != name}
    return sorted((o for o, d in dists.items() if d <= radius_km), key=dists.__getitem__)


def _point_args(rng: random.Random) -> dict[str, Any]:
    lat, lon = _point(rng)
    return {"latitude": lat, "longitude": lon}


@tool(
    domain="geography",
    templates=(
        "What's the nearest city to {latitude}, {longitude}?",
        "Which major city is closest to latitude {latitude} and longitude {longitude}?",
        "I'm at coordinates ({latitude}, {longitude}). What's the closest city?",
        "Find the city nearest to the point {latitude}/{longitude}.",
        "My phone shows {latitude}, {longitude}. Which big city am I near?",
        "Reverse-geocode {latitude}, {longitude} to the nearest city.",
        "Closest city to lat {latitude} lon {longitude}?",
        "A ship reported its position as latitude {latitude}, longitude {longitude}. Which city is it nearest to?",
    ),
    sample=_point_args,
)
def find_nearest_city(latitude: float, longitude: float) -> dict:
    """Find the table city nearest to a coordinate pair.

    Args:
        latitude: Latitude in decimal degrees (-90 to 90).
        longitude: Longitude in decimal degrees (-180 to 180).

    Returns:
        A dict with "city", "country" and "distance_km".
    """
    _check_point(latitude, longitude)
    dists = {name: haversine_km(latitude, longitude, c["lat"], c["lon"]) for name, c in CITIES.items()}
    best = min(dists, key=dists.__getitem__)
    return {"city": best, "country": CITIES[best]["country"], "distance_km": round(dists[best], 1)}


@tool(
    domain="geography",
    templates=(
        "What's the time difference between {city_a} and {city_b}?",
        "How many hours ahead of {city_a} is {city_b}?",
        "If it's noon in {city_a}, how far ahead or behind is {city_b}?",
        "Time zone offset from {city_a} to {city_b}?",
        "I'm in {city_a} and need to call someone in {city_b}. What's the time gap?",
        "By how many hours do the clocks in {city_a} and {city_b} differ?",
        "Compare the local times of {city_a} and {city_b}: how many hours apart are they?",
        "Flying from {city_a} to {city_b}, how much should I shift my watch?",
    ),
    sample=_two_cities,
)
def get_city_time_difference(city_a: str, city_b: str) -> float:
    """Get how many hours city_b's local (standard) time is ahead of city_a's.

    Args:
        city_a: The reference city.
        city_b: The other city.

    Returns:
        Hours city_b is ahead of city_a (negative when behind).
    """
    return find_city(city_b)[1]["utc_offset"] - find_city(city_a)[1]["utc_offset"]


def _distances_args(rng: random.Random) -> dict[str, Any]:
    origin, *dests = rng.sample(CITY_NAMES, rng.randint(3, 5))
    return {"origin": origin, "destinations": dests}


@tool(
    domain="geography",
    templates=(
        "How far is {origin} from each of {destinations}?",
        "Give me the distances from {origin} to {destinations}.",
        "From {origin}, how far away are {destinations}?",
        "List the distance between {origin} and every one of these cities: {destinations}.",
        "I'm planning trips out of {origin}. How far is it to {destinations}?",
        "Compute distances from {origin} to the following: {destinations}.",
        "Compare how far {destinations} are from {origin}.",
        "Make a distance table starting at {origin} for {destinations}.",
    ),
    sample=_distances_args,
    intents=(
        Intent(
            templates=(
                "How far is {origin} from {destinations}, in {unit}?",
                "Give me the distances in {unit} from {origin} to {destinations}.",
                "In {unit}, how far away from {origin} are {destinations}?",
                "Distances from {origin} to {destinations}, please, expressed in {unit}.",
                "Measure in {unit} how far {destinations} each lie from {origin}.",
                "I need a {unit} distance list from {origin} to {destinations}.",
                "Starting in {origin}, how many {unit} to each of {destinations}?",
                "Tabulate the {unit} between {origin} and each of {destinations}.",
            ),
            sample=lambda rng: {**_distances_args(rng), "unit": rng.choice(["km", "miles"])},
        ),
    ),
)
def get_distances_from_city(origin: str, destinations: list[str], unit: DistanceUnit = "km") -> dict[str, float]:
    """Compute the great-circle distance from one city to each of several others.

    Args:
        origin: The starting city.
        destinations: The cities to measure to.
        unit: Unit of the results, "km" or "miles".

    Returns:
        A dict mapping each destination to its distance (rounded to 0.1).
    """
    if not destinations:
        raise ValueError("destinations must name at least one city")
    return {find_city(d)[0]: distance_between_cities(origin, d, unit) for d in destinations}


compose(
    Composition(
        first="find_nearest_city",
        second="get_city_population",
        param="city",
        key="city",
        sample=lambda rng: (_point_args(rng), {}),
        templates=(
            "What's the population of the city closest to {a[latitude]}, {a[longitude]}?",
            "Find the nearest city to ({a[latitude]}, {a[longitude]}) and tell me how many people live there.",
            "How many inhabitants does the city nearest to lat {a[latitude]}, lon {a[longitude]} have?",
            "I'm at {a[latitude]}/{a[longitude]}. How populous is the closest big city?",
            "Which city is nearest to {a[latitude]}, {a[longitude]}, and what's its population?",
            "Reverse-geocode {a[latitude]}, {a[longitude]} to a city, then look up that city's population.",
            "Population of whatever city is closest to the coordinates {a[latitude]} and {a[longitude]}?",
            "Tell me how big (in residents) the nearest city to point ({a[latitude]}, {a[longitude]}) is.",
        ),
    )
)

# Neighbours within these radii are guaranteed for every European city, so chains never get an empty list.
NEIGHBOUR_RADII_KM = (1500, 2000, 2500)


def sample_city_with_neighbours(rng: random.Random) -> dict[str, Any]:
    """Arguments for `find_cities_within_radius` whose answer is never empty (used by compositions)."""
    return {"city": rng.choice(EUROPEAN_CITIES), "radius_km": rng.choice(NEIGHBOUR_RADII_KM)}
