import pytest

from distill.tools.geography import (
    distance_between_cities,
    find_cities_within_radius,
    find_nearest_city,
    get_city_coordinates,
    get_city_country,
    get_city_time_difference,
    get_distances_from_city,
    haversine_distance,
)


def test_paris_london_distance_is_about_344_km():
    assert distance_between_cities("Paris", "London") == pytest.approx(344, abs=1)
    assert distance_between_cities("Paris", "London", unit="miles") == pytest.approx(213.5, abs=0.1)


def test_city_names_are_case_insensitive():
    assert get_city_coordinates("new york") == {"city": "New York", "lat": 40.7128, "lon": -74.006}
    assert get_city_country("TOKYO") == "Japan"


def test_haversine_distance_matches_city_distance_and_is_symmetric():
    paris, london = get_city_coordinates("Paris"), get_city_coordinates("London")
    there = haversine_distance(paris["lat"], paris["lon"], london["lat"], london["lon"])
    back = haversine_distance(london["lat"], london["lon"], paris["lat"], paris["lon"])
    assert there == back == distance_between_cities("Paris", "London")


def test_invalid_coordinates_and_unknown_cities_raise_value_error():
    with pytest.raises(ValueError, match="invalid coordinates"):
        haversine_distance(95.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="unknown city"):
        distance_between_cities("Paris", "Atlantis")


def test_cities_within_radius_are_sorted_by_distance_and_exclude_the_centre():
    nearby = find_cities_within_radius("Paris", 500)
    assert nearby == ["London", "Amsterdam"]
    assert "Paris" not in find_cities_within_radius("Paris", 20000)


def test_nearest_city_to_a_point_near_paris_is_paris():
    nearest = find_nearest_city(48.9, 2.4)
    assert nearest["city"] == "Paris" and nearest["distance_km"] < 10


def test_time_difference_is_signed_and_supports_half_hours():
    assert get_city_time_difference("London", "Mumbai") == 5.5
    assert get_city_time_difference("Tokyo", "London") == -9.0


def test_distances_from_city_returns_one_entry_per_destination():
    assert get_distances_from_city("paris", ["london", "Rome"]) == {"London": 343.6, "Rome": 1105.3}
