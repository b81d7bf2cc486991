import pytest

from distill.tools.arithmetic import (
    add_numbers,
    factorial,
    greatest_common_divisor,
    multiply_numbers,
    percent_of_number,
    percentage_change_between,
    raise_to_power,
    round_number,
)


def test_add_numbers_hides_binary_float_noise():
    assert add_numbers([0.1, 0.2]) == 0.3
    assert add_numbers([12.5, 7.25, 30.0]) == 49.75


def test_multiply_numbers_multiplies_every_value():
    assert multiply_numbers([2.0, 3.5, 4.0]) == 28.0


def test_empty_lists_are_rejected():
    with pytest.raises(ValueError):
        add_numbers([])
    with pytest.raises(ValueError):
        multiply_numbers([])


def test_raise_to_power_handles_integer_fractional_and_negative_exponents():
    assert raise_to_power(2.0, 10.0) == 1024.0
    assert raise_to_power(9.0, 0.5) == 3.0
    assert raise_to_power(2.0, -2.0) == 0.25


def test_raise_to_power_rejects_undefined_results():
    with pytest.raises(ValueError):
        raise_to_power(0.0, -1.0)
    with pytest.raises(ValueError):
        raise_to_power(-8.0, 0.5)
    with pytest.raises(ValueError):
        raise_to_power(10.0, 1000.0)


def test_round_number_rounds_halves_away_from_zero():
    assert round_number(2.5) == 3.0
    assert round_number(-1.5) == -2.0
    assert round_number(2.675, 2) == 2.68
    assert round_number(3.14159, 3) == 3.142


def test_round_number_rejects_out_of_range_decimals():
    with pytest.raises(ValueError):
        round_number(1.0, 11)


def test_percent_of_number():
    assert percent_of_number(15.0, 80.0) == 12.0
    assert percent_of_number(12.5, 200.0) == 25.0


def test_percentage_change_is_signed_and_relative_to_old_value():
    assert percentage_change_between(50.0, 75.0) == 50.0
    assert percentage_change_between(200.0, 150.0) == -25.0
    with pytest.raises(ValueError):
        percentage_change_between(0.0, 5.0)


def test_greatest_common_divisor_of_several_numbers():
    assert greatest_common_divisor([12, 18, 24]) == 6
    assert greatest_common_divisor([17, 5]) == 1
    with pytest.raises(ValueError):
        greatest_common_divisor([0, 0])


def test_factorial_values_and_bounds():
    assert factorial(0) == 1
    assert factorial(5) == 120
    with pytest.raises(ValueError):
        factorial(-1)
