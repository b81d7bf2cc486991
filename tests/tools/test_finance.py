import pytest

from distill.tools.finance import (
    calculate_compound_interest,
    calculate_loan_payment,
    calculate_sales_tax,
    calculate_simple_interest,
    convert_amount_at_rate,
    convert_currency,
    convert_to_multiple_currencies,
    get_exchange_rate,
    split_bill_with_tip,
)


def test_loan_payment_matches_the_amortization_formula():
    # 200,000 at 6% over 30 years: the textbook 1,199.10 a month.
    assert calculate_loan_payment(200000.0, 6.0, 30) == 1199.10
    assert calculate_loan_payment(12000.0, 0.0, 1) == 1000.0


def test_simple_interest_is_pro_rata_by_month():
    assert calculate_simple_interest(1000.0, 6.0, 6) == {"interest": 30.0, "total": 1030.0}


def test_compound_interest_grows_faster_with_more_frequent_compounding():
    yearly = calculate_compound_interest(1000.0, 5.0, 10)
    monthly = calculate_compound_interest(1000.0, 5.0, 10, compounding="monthly")
    assert yearly == {"final_amount": 1628.89, "interest_earned": 628.89}
    assert monthly["final_amount"] == 1647.01


def test_exchange_rates_are_fixed_and_inverse_of_each_other():
    assert get_exchange_rate("USD", "EUR") == 0.92
    assert get_exchange_rate("EUR", "USD") == pytest.approx(1 / 0.92, abs=1e-6)
    assert get_exchange_rate("usd", "jpy") == 151.5


def test_conversion_paths_agree():
    direct = convert_currency(250.0, "GBP", "CHF")
    assert convert_to_multiple_currencies(250.0, "GBP", ["CHF", "USD"])["CHF"] == direct
    assert convert_amount_at_rate(250.0, get_exchange_rate("GBP", "CHF")) == direct


def test_unknown_currency_raises_value_error():
    with pytest.raises(ValueError, match="unknown currency"):
        convert_currency(10.0, "USD", "XYZ")  # type: ignore[arg-type]


def test_sales_tax_rounds_to_cents():
    assert calculate_sales_tax(100.0, 8.875) == {"subtotal": 100.0, "tax": 8.88, "total": 108.88}


def test_bill_split_uses_a_15_percent_tip_by_default():
    assert split_bill_with_tip(120.0, 4) == {"tip": 18.0, "total": 138.0, "per_person": 34.5}
    assert split_bill_with_tip(100.0, 2, tip_percent=20.0)["per_person"] == 60.0
    with pytest.raises(ValueError):
        split_bill_with_tip(100.0, 0)
