"""The fixed currency table, enums and argument samplers of the finance tools."""

from __future__ import annotations

import random
from typing import Any, Literal

Currency = Literal[
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "CNY", "HKD",
    "SGD", "INR", "KRW", "MXN", "BRL", "ZAR", "SEK", "NOK", "AED", "TRY",
]  # fmt: skip
Compounding = Literal["annually", "semiannually", "quarterly", "monthly", "daily"]

# Units of each currency per 1 USD. Fixed on purpose: answers must be reproducible, not current.
USD_RATES: dict[str, float] = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 151.5, "CHF": 0.9, "CAD": 1.36, "AUD": 1.52,
    "NZD": 1.66, "CNY": 7.24, "HKD": 7.82, "SGD": 1.35, "INR": 83.3, "KRW": 1345.0, "MXN": 16.9,
    "BRL": 5.05, "ZAR": 18.6, "SEK": 10.6, "NOK": 10.7, "AED": 3.6725, "TRY": 32.2,
}  # fmt: skip
CURRENCIES: tuple[str, ...] = tuple(USD_RATES)
PERIODS_PER_YEAR = {"annually": 1, "semiannually": 2, "quarterly": 4, "monthly": 12, "daily": 365}
TAX_RATES = (4.0, 5.0, 6.0, 6.25, 7.25, 8.0, 8.875, 9.5, 10.0, 19.0, 20.0)
TIP_PERCENTS = (10.0, 12.5, 15.0, 18.0, 20.0, 22.0, 25.0)
LOAN_YEARS = (3, 5, 10, 15, 20, 25, 30)


def money(rng: random.Random, low: float = 20.0, high: float = 5000.0) -> float:
    return round(rng.uniform(low, high), 2)


def sample_loan(rng: random.Random) -> dict[str, Any]:
    principal = float(rng.randrange(5_000, 600_000, 1_000))
    return {"principal": principal, "rate_percent": round(rng.uniform(1.5, 9.5), 2), "years": rng.choice(LOAN_YEARS)}


def sample_simple_interest(rng: random.Random) -> dict[str, Any]:
    rate = round(rng.uniform(1, 12), 2)
    return {"principal": money(rng, 500, 50000), "rate_percent": rate, "months": rng.randint(3, 60)}


def sample_compound(rng: random.Random) -> dict[str, Any]:
    rate = round(rng.uniform(1, 10), 2)
    return {"principal": money(rng, 500, 100000), "rate_percent": rate, "years": rng.randint(1, 40)}


def sample_compound_with_frequency(rng: random.Random) -> dict[str, Any]:
    return {**sample_compound(rng), "compounding": rng.choice(list(PERIODS_PER_YEAR))}


def sample_rate_pair(rng: random.Random) -> dict[str, Any]:
    base, quote = rng.sample(CURRENCIES, 2)
    return {"base": base, "quote": quote}


def sample_conversion(rng: random.Random) -> dict[str, Any]:
    src, dst = rng.sample(CURRENCIES, 2)
    return {"amount": money(rng), "from_currency": src, "to_currency": dst}


def sample_multi_conversion(rng: random.Random) -> dict[str, Any]:
    src, *dsts = rng.sample(CURRENCIES, rng.randint(3, 5))
    return {"amount": money(rng), "from_currency": src, "to_currencies": dsts}


def sample_amount_and_rate(rng: random.Random) -> dict[str, Any]:
    return {"amount": money(rng), "rate": round(rng.uniform(0.05, 150.0), 4)}


def sample_sales_tax(rng: random.Random) -> dict[str, Any]:
    return {"amount": money(rng, 5, 3000), "tax_rate_percent": rng.choice(TAX_RATES)}


def sample_bill(rng: random.Random) -> dict[str, Any]:
    return {"bill_amount": money(rng, 15, 900), "people": rng.randint(2, 12)}


def sample_bill_with_tip(rng: random.Random) -> dict[str, Any]:
    return {**sample_bill(rng), "tip_percent": rng.choice(TIP_PERCENTS)}
