import pytest

from distill.tools.units import (
    celsius_to_fahrenheit,
    convert_temperature,
    convert_units,
    fahrenheit_to_celsius,
    feet_and_inches_to_centimeters,
    kilograms_to_pounds,
    kilometers_to_miles,
    liters_to_gallons,
)


def test_water_boils_at_212_fahrenheit():
    assert celsius_to_fahrenheit(100.0) == 212.0
    assert fahrenheit_to_celsius(212.0) == 100.0


def test_minus_forty_is_the_same_on_both_scales():
    assert convert_temperature(-40.0, "celsius", "fahrenheit") == -40.0


def test_kelvin_conversion_and_absolute_zero():
    assert convert_temperature(0.0, "kelvin", "celsius") == -273.15
    with pytest.raises(ValueError):
        convert_temperature(-10.0, "kelvin", "celsius")


def test_specific_converters_agree_with_general_one():
    assert kilometers_to_miles(10.0) == convert_units(10.0, "kilometers", "miles") == 6.2137
    assert kilograms_to_pounds(1.0) == 2.2046
    assert liters_to_gallons(3.785411784) == 1.0


def test_convert_units_across_dimensions_of_the_same_kind():
    assert convert_units(1.0, "miles", "kilometers") == 1.6093
    assert convert_units(1.0, "days", "hours") == 24.0
    assert convert_units(100.0, "kilometers per hour", "meters per second") == 27.7778
    assert convert_units(2.0, "cups", "milliliters") == 473.1765


def test_tiny_results_keep_significant_digits():
    assert convert_units(1.0, "milligrams", "kilograms") == 1e-06


def test_convert_units_rejects_mismatched_or_unknown_units():
    with pytest.raises(ValueError):
        convert_units(1.0, "meters", "kilograms")
    with pytest.raises(ValueError):
        convert_units(1.0, "furlongs", "meters")


def test_height_in_feet_and_inches():
    assert feet_and_inches_to_centimeters(5, 10.0) == 177.8
    assert feet_and_inches_to_centimeters(6) == 182.88
