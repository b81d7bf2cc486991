import pytest

from distill.tools.dates import (
    add_days_to_date,
    add_months_to_date,
    age_on_date,
    days_between_dates,
    days_in_month,
    is_leap_year,
    iso_week_number,
    weekday_of_date,
)


def test_days_between_dates_across_a_leap_february():
    assert days_between_dates("2024-01-01", "2024-03-01") == 60
    assert days_between_dates("2023-01-01", "2023-03-01") == 59


def test_days_between_dates_is_signed_and_can_count_inclusively():
    assert days_between_dates("2024-03-01", "2024-01-01") == -60
    assert days_between_dates("2024-01-01", "2024-01-10", "inclusive") == 10


def test_invalid_dates_are_rejected_with_value_error():
    with pytest.raises(ValueError):
        days_between_dates("2024-02-30", "2024-03-01")
    with pytest.raises(ValueError):
        weekday_of_date("01/02/2024")


def test_add_days_lands_on_leap_day_and_goes_backwards():
    assert add_days_to_date("2024-02-28", 1) == "2024-02-29"
    assert add_days_to_date("2024-03-01", -1) == "2024-02-29"


def test_weekday_of_date():
    assert weekday_of_date("2024-01-01") == "Monday"
    assert weekday_of_date("1969-07-20") == "Sunday"


def test_leap_year_rules_for_centuries():
    assert is_leap_year(2024)
    assert is_leap_year(2000)
    assert not is_leap_year(1900)
    assert not is_leap_year(2023)


def test_age_counts_only_completed_years():
    assert age_on_date("1990-06-15", "2024-06-14") == 33
    assert age_on_date("1990-06-15", "2024-06-15") == 34
    assert age_on_date("2000-02-29", "2023-02-28") == 22
    with pytest.raises(ValueError):
        age_on_date("2024-01-01", "2023-01-01")


def test_iso_week_can_belong_to_previous_iso_year():
    assert iso_week_number("2021-01-03") == {"iso_year": 2020, "week": 53, "weekday": 7}
    assert iso_week_number("2024-01-01") == {"iso_year": 2024, "week": 1, "weekday": 1}


def test_days_in_month_knows_leap_februaries():
    assert days_in_month(2024, "February") == 29
    assert days_in_month(2023, "February") == 28
    assert days_in_month(2023, "April") == 30


def test_add_months_clamps_to_end_of_shorter_month():
    assert add_months_to_date("2024-01-31", 1) == "2024-02-29"
    assert add_months_to_date("2024-11-15", 3) == "2025-02-15"
    assert add_months_to_date("2024-03-31", -1) == "2024-02-29"
