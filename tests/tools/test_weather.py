import pytest

from distill.tools.weather import (
    find_warmest_city,
    get_air_quality_index,
    get_current_weather,
    get_daylight_hours,
    get_precipitation_probability,
    get_temperature,
    get_uv_index,
    get_weather_forecast,
    get_wind_conditions,
)


def test_weather_is_a_pure_function_of_city_and_date():
    assert get_current_weather("Paris", "2024-07-15") == get_current_weather("paris", "2024-07-15")
    assert get_current_weather("Paris", "2024-07-15") != get_current_weather("Paris", "2024-07-16")


def test_seasons_follow_the_hemisphere():
    def average(city, month):
        return sum(get_temperature(city, f"2024-{month}-{d:02d}") for d in range(1, 29)) / 28

    assert average("Oslo", "07") > average("Oslo", "01") + 10
    assert average("Sydney", "01") > average("Sydney", "07") + 5
    assert average("Singapore", "01") > average("Oslo", "01") + 20


def test_temperature_units_convert_from_celsius():
    celsius = get_temperature("Cairo", "2024-05-01")
    assert get_temperature("Cairo", "2024-05-01", units="fahrenheit") == round(celsius * 9 / 5 + 32, 1)
    assert get_temperature("Cairo", "2024-05-01", units="kelvin") == round(celsius + 273.15, 1)


def test_forecast_has_one_entry_per_day_with_high_above_low():
    forecast = get_weather_forecast("Tokyo", "2024-12-30", days=4)
    assert [d["date"] for d in forecast] == ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"]
    assert all(d["high_c"] > d["low_c"] for d in forecast)
    assert len(get_weather_forecast("Tokyo", "2024-12-30")) == 3
    with pytest.raises(ValueError, match="days"):
        get_weather_forecast("Tokyo", "2024-12-30", days=30)


def test_values_stay_in_their_ranges():
    for day in range(1, 29):
        date = f"2024-03-{day:02d}"
        assert 0 <= get_precipitation_probability("London", date) <= 100
        assert get_uv_index("Dubai", date)["uv_index"] >= 0
        assert get_air_quality_index("Delhi", date)["aqi"] > 0
        assert get_wind_conditions("Oslo", date, units="m/s")["speed"] >= 0


def test_daylight_hours_match_the_solstices():
    assert get_daylight_hours(0.0, "2024-06-21") == 12.0
    assert get_daylight_hours(59.9, "2024-06-21") == pytest.approx(18.5, abs=0.5)
    assert get_daylight_hours(-33.9, "2024-06-21") == pytest.approx(9.9, abs=0.3)
    assert get_daylight_hours(80.0, "2024-12-21") == 0.0


def test_warmest_city_is_the_one_with_the_highest_temperature():
    cities = ["Oslo", "Singapore", "Reykjavik"]
    warmest = find_warmest_city(cities, "2024-01-10")
    assert warmest == {"city": "Singapore", "temperature_c": get_temperature("Singapore", "2024-01-10")}


def test_unknown_city_and_bad_date_raise_value_error():
    with pytest.raises(ValueError, match="unknown city"):
        get_current_weather("Atlantis", "2024-01-01")
    with pytest.raises(ValueError, match="invalid date"):
        get_current_weather("Paris", "yesterday")
