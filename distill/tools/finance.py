"""Finance tools: loans, interest, currency conversion at fixed rates, sales tax and bill splitting."""

from __future__ import annotations

import random
from typing import Any

from distill.tools import finance_data as fd
from distill.tools.base import Composition, Fallback, Intent, compose, fallback, tool
from distill.tools.finance_data import Compounding, Currency


def _rate(base: str, quote: str) -> float:
    for code in (base, quote):
        if code.upper() not in fd.USD_RATES:
            raise ValueError(f"unknown currency {code!r}; supported: {', '.join(fd.CURRENCIES)}")
    return fd.USD_RATES[quote.upper()] / fd.USD_RATES[base.upper()]


def _positive(**values: float) -> None:
    for name, value in values.items():
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")


@tool(
    domain="finance",
    templates=(
        "What's the monthly payment on a {principal:.0f} loan at {rate_percent}% over {years} years?",
        "I'm borrowing {principal:.0f} for {years} years at {rate_percent}% a year. How much will I pay each month?",
        "Calculate the monthly installment for a {years}-year loan of {principal:.0f} with {rate_percent}% interest.",
        "Mortgage of {principal:.0f}, {rate_percent} percent APR, {years} year term: what's the monthly amount?",
        "How much would I repay per month if I took out {principal:.0f} at {rate_percent}% for {years} years?",
        "Work out the amortized monthly payment: principal {principal:.0f}, rate {rate_percent}%, term {years} years.",
        "Can you figure out what a {principal:.0f} loan costs me monthly over {years} years at {rate_percent}%?",
        "The bank charges {rate_percent}% on {principal:.0f} repaid over {years} years. What's my monthly bill?",
    ),
    sample=fd.sample_loan,
    vague=("What would my monthly payment be on a loan?", "How much will I pay each month on a {principal:.0f} loan?"),
)
def calculate_loan_payment(principal: float, rate_percent: float, years: int) -> float:
    """Calculate the fixed monthly payment of an amortizing loan.

    Args:
        principal: The amount borrowed.
        rate_percent: Nominal annual interest rate in percent, e.g. 5.5.
        years: Loan term in years.

    Returns:
        The monthly payment rounded to cents.
    """
    _positive(principal=principal, years=years)
    if rate_percent < 0:
        raise ValueError(f"rate_percent must not be negative, got {rate_percent}")
    n, r = years * 12, rate_percent / 1200
    payment = principal / n if r == 0 else principal * r / (1 - (1 + r) ** -n)
    return round(payment, 2)


@tool(
    domain="finance",
    templates=(
        "How much simple interest does {principal} earn at {rate_percent}% per year over {months} months?",
        "Calculate simple interest on {principal} at an annual rate of {rate_percent}% for {months} months.",
        "If I lend {principal} for {months} months at {rate_percent}% simple interest, what do I get back?",
        "Simple interest: principal {principal}, rate {rate_percent}% a year, {months} months. Interest and total?",
        "What's the interest on a {months}-month note of {principal} at {rate_percent} percent (not compounded)?",
        "Work out the non-compounding interest for {principal} over {months} months at {rate_percent}%.",
        "I deposit {principal} for {months} months at {rate_percent}% simple annual interest. How much accrues?",
        "Figure out how much {principal} grows to in {months} months at a flat {rate_percent}% per annum.",
    ),
    sample=fd.sample_simple_interest,
)
def calculate_simple_interest(principal: float, rate_percent: float, months: int) -> dict:
    """Calculate simple (non-compounding) interest over a number of months.

    Args:
        principal: The starting amount.
        rate_percent: Annual interest rate in percent.
        months: Duration in months.

    Returns:
        A dict with "interest" and "total" (principal plus interest).
    """
    _positive(principal=principal, months=months)
    interest = principal * rate_percent / 100 * months / 12
    return {"interest": round(interest, 2), "total": round(principal + interest, 2)}


@tool(
    domain="finance",
    templates=(
        "If I invest {principal} at {rate_percent}% compound interest, how much will I have after {years} years?",
        "Compound interest on {principal} at {rate_percent}% for {years} years?",
        "What will {principal} grow to in {years} years with {rate_percent}% interest compounding?",
        "Calculate the future value of {principal} invested for {years} years at {rate_percent}% a year.",
        "My savings of {principal} earn {rate_percent}% compound interest. What's the balance in {years} years?",
        "How much compound interest does {principal} earn over {years} years at {rate_percent} percent?",
        "Project {principal} forward {years} years at an annual compound rate of {rate_percent}%.",
        "I put {principal} into a fund returning {rate_percent}% per year. What's it worth after {years} years?",
    ),
    sample=fd.sample_compound,
    intents=(
        Intent(
            templates=(
                "I invest {principal} at {rate_percent}% compounded {compounding}. What do I have after {years} years?",
                "Compound interest on {principal} at {rate_percent}% for {years} years, compounding {compounding}?",
                "What does {principal} become in {years} years at {rate_percent}%, compounded {compounding}?",
                "Final balance: {principal} at {rate_percent}% a year, {years} years, {compounding} compounding?",
                "My bank compounds {compounding} at {rate_percent}%. How much will {principal} be in {years} years?",
                "With {compounding} compounding at {rate_percent}%, what does {principal} earn in {years} years?",
                "Future value of {principal} over {years} years, {rate_percent}% nominal, compounded {compounding}?",
                "Run a compound growth calc for {principal} at {rate_percent}% ({compounding}) across {years} years.",
            ),
            sample=fd.sample_compound_with_frequency,
        ),
    ),
)
def calculate_compound_interest(
    principal: float, rate_percent: float, years: int, compounding: Compounding = "annually"
) -> dict:
    """Calculate the future value of a deposit with compound interest.

    Args:
        principal: The starting amount.
        rate_percent: Nominal annual interest rate in percent.
        years: Number of years invested.
        compounding: How often interest is compounded.

    Returns:
        A dict with "final_amount" and "interest_earned".
    """
    _positive(principal=principal, years=years)
    if compounding not in fd.PERIODS_PER_YEAR:
        raise ValueError(f"unknown compounding {compounding!r}; use one of {', '.join(fd.PERIODS_PER_YEAR)}")
    k = fd.PERIODS_PER_YEAR[compounding]
    final = principal * (1 + rate_percent / 100 / k) ** (k * years)
    return {"final_amount": round(final, 2), "interest_earned": round(final - principal, 2)}


@tool(
    domain="finance",
    templates=(
        "What's the exchange rate from {base} to {quote}?",
        "How many {quote} do I get for one {base}?",
        "Give me the current {base}/{quote} rate.",
        "What is 1 {base} worth in {quote}?",
        "Look up the {base} to {quote} conversion rate.",
        "I need the exchange rate between {base} and {quote}.",
        "Quote me the {base}-{quote} FX rate, please.",
        "At what rate does {base} convert into {quote}?",
    ),
    sample=fd.sample_rate_pair,
)
def get_exchange_rate(base: Currency, quote: Currency) -> float:
    """Get the exchange rate between two currencies (units of quote per 1 unit of base).

    Args:
        base: The currency being converted from (ISO 4217 code).
        quote: The currency being converted to (ISO 4217 code).

    Returns:
        The rate rounded to 6 decimals.
    """
    return round(_rate(base, quote), 6)


@tool(
    domain="finance",
    templates=(
        "Convert {amount} {from_currency} to {to_currency}.",
        "How much is {amount} {from_currency} in {to_currency}?",
        "What do {amount} {from_currency} come to in {to_currency}?",
        "I have {amount} in {from_currency}; how many {to_currency} is that?",
        "Change {amount} {from_currency} into {to_currency} for me.",
        "If I exchange {amount} {from_currency}, how much {to_currency} will I receive?",
        "{amount} {from_currency} to {to_currency}, please.",
        "My invoice says {amount} {from_currency}. What's that in {to_currency}?",
    ),
    sample=fd.sample_conversion,
    vague=("Can you convert {amount} for me?", "How much is that in {to_currency}?"),
)
def convert_currency(amount: float, from_currency: Currency, to_currency: Currency) -> float:
    """Convert an amount of money from one currency to another at the fixed reference rates.

    Args:
        amount: The amount to convert.
        from_currency: Currency of the amount (ISO 4217 code).
        to_currency: Target currency (ISO 4217 code).

    Returns:
        The converted amount rounded to 2 decimals.
    """
    return round(amount * _rate(from_currency, to_currency), 2)


@tool(
    domain="finance",
    templates=(
        "Convert {amount} {from_currency} into {to_currencies}.",
        "How much is {amount} {from_currency} in each of {to_currencies}?",
        "Show {amount} {from_currency} expressed in {to_currencies}.",
        "I want to see what {amount} {from_currency} is worth in {to_currencies}.",
        "Give me conversions of {amount} {from_currency} to {to_currencies}.",
        "Before my trip, tell me what {amount} {from_currency} buys in {to_currencies}.",
        "Price check: {amount} {from_currency} in {to_currencies}?",
        "Translate an amount of {amount} {from_currency} into these currencies: {to_currencies}.",
    ),
    sample=fd.sample_multi_conversion,
)
def convert_to_multiple_currencies(
    amount: float, from_currency: Currency, to_currencies: list[Currency]
) -> dict[str, float]:
    """Convert one amount into several currencies at once.

    Args:
        amount: The amount to convert.
        from_currency: Currency of the amount (ISO 4217 code).
        to_currencies: Target currencies (ISO 4217 codes).

    Returns:
        A dict mapping each target currency to the converted amount (2 decimals).
    """
    if not to_currencies:
        raise ValueError("to_currencies must name at least one currency")
    return {c.upper(): convert_currency(amount, from_currency, c) for c in to_currencies}


@tool(
    domain="finance",
    templates=(
        "Convert {amount} using an exchange rate of {rate}.",
        "If the rate is {rate}, what is {amount} worth after conversion?",
        "Apply a conversion rate of {rate} to {amount}.",
        "My bank gave me a rate of {rate}. How much do I get for {amount}?",
        "What's {amount} at an exchange rate of {rate}?",
        "Multiply out {amount} at the quoted FX rate {rate} and tell me the converted sum.",
        "Using {rate} as the rate, convert the amount {amount}.",
        "The kiosk offers {rate} per unit; how much will {amount} turn into?",
    ),
    sample=fd.sample_amount_and_rate,
)
def convert_amount_at_rate(amount: float, rate: float) -> float:
    """Convert an amount of money using a given exchange rate (amount times rate).

    Args:
        amount: The amount in the source currency.
        rate: Units of the target currency per unit of the source currency.

    Returns:
        The converted amount rounded to 2 decimals.
    """
    _positive(rate=rate)
    return round(amount * rate, 2)


@tool(
    domain="finance",
    templates=(
        "What's the sales tax on {amount} at {tax_rate_percent:g}%?",
        "Add {tax_rate_percent:g}% sales tax to {amount}.",
        "How much tax do I pay on a {amount} purchase if the rate is {tax_rate_percent:g} percent?",
        "Calculate tax and total for {amount} with a {tax_rate_percent:g}% tax rate.",
        "My cart is {amount} before tax; the local rate is {tax_rate_percent:g}%. What's the final price?",
        "Apply a {tax_rate_percent:g}% VAT to {amount}.",
        "Total with tax: subtotal {amount}, tax rate {tax_rate_percent:g}%?",
        "With {tax_rate_percent:g}% tax on top, what does something priced at {amount} really cost?",
    ),
    sample=fd.sample_sales_tax,
)
def calculate_sales_tax(amount: float, tax_rate_percent: float) -> dict:
    """Calculate the sales tax on a purchase and the total including tax.

    Args:
        amount: The pre-tax price.
        tax_rate_percent: The tax rate in percent, e.g. 8.25.

    Returns:
        A dict with "subtotal", "tax" and "total".
    """
    if amount < 0 or tax_rate_percent < 0:
        raise ValueError("amount and tax_rate_percent must not be negative")
    tax = round(amount * tax_rate_percent / 100, 2)
    return {"subtotal": round(amount, 2), "tax": tax, "total": round(amount + tax, 2)}


@tool(
    domain="finance",
    templates=(
        "Split a {bill_amount} bill between {people} people, including the tip.",
        "We're {people} at dinner and the check is {bill_amount}. How much does each of us owe with tip?",
        "Divide {bill_amount} plus a standard tip among {people} friends.",
        "How much per person for a {bill_amount} tab shared by {people}, tip included?",
        "Our restaurant bill came to {bill_amount}; there are {people} of us. What's everyone's share with gratuity?",
        "Work out each person's part of {bill_amount} for a group of {people}, adding the usual tip.",
        "{people} people, {bill_amount} total before tip. Per-person amount?",
        "Help me split {bill_amount} evenly across {people} diners after tipping.",
    ),
    sample=fd.sample_bill,
    vague=("How much does each of us owe with tip?", "Split the bill of {bill_amount} with a tip, please."),
    intents=(
        Intent(
            templates=(
                "Split a {bill_amount} bill between {people} people with a {tip_percent:g}% tip.",
                "The check is {bill_amount} and we tip {tip_percent:g}%. There are {people} of us; what does each pay?",
                "Add a {tip_percent:g}% tip to {bill_amount} and divide by {people}.",
                "How much per head for {people} people on a {bill_amount} bill, tipping {tip_percent:g} percent?",
                "We're leaving {tip_percent:g}% on a {bill_amount} tab. Split it {people} ways.",
                "Tip {tip_percent:g}% on {bill_amount}, shared among {people} friends: each person's share?",
                "Calculate the tip at {tip_percent:g}% for {bill_amount} and the per-person total for {people} diners.",
                "Group of {people}, bill {bill_amount}, {tip_percent:g}% gratuity. What do we each owe?",
            ),
            sample=fd.sample_bill_with_tip,
        ),
    ),
)
def split_bill_with_tip(bill_amount: float, people: int, tip_percent: float = 15.0) -> dict:
    """Add a tip to a bill and split the total evenly.

    Args:
        bill_amount: The bill before tip.
        people: Number of people sharing the bill.
        tip_percent: Tip in percent of the bill.

    Returns:
        A dict with "tip", "total" and "per_person".
    """
    _positive(people=people)
    if bill_amount < 0 or tip_percent < 0:
        raise ValueError("bill_amount and tip_percent must not be negative")
    tip = round(bill_amount * tip_percent / 100, 2)
    total = round(bill_amount + tip, 2)
    return {"tip": tip, "total": total, "per_person": round(total / people, 2)}


def _loan_abroad(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    src, dst = rng.sample(fd.CURRENCIES, 2)
    return fd.sample_loan(rng), {"from_currency": src, "to_currency": dst}


def _bill_abroad(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    src, dst = rng.sample(fd.CURRENCIES, 2)
    bill = {"amount": fd.money(rng, 30, 900), "from_currency": src, "to_currency": dst}
    return bill, {"people": rng.randint(2, 10), "tip_percent": rng.choice(fd.TIP_PERCENTS)}


compose(
    Composition(
        first="calculate_loan_payment",
        second="convert_currency",
        param="amount",
        sample=_loan_abroad,
        templates=(
            "Monthly payment in {b[to_currency]} on {a[principal]:.0f} {b[from_currency]} at {a[rate_percent]}% "
            "for {a[years]} years?",
            "I borrow {a[principal]:.0f} {b[from_currency]} at {a[rate_percent]}% over {a[years]} years but earn "
            "{b[to_currency]}. What's my monthly payment in {b[to_currency]}?",
            "Find the monthly installment of a {a[years]}-year {a[principal]:.0f} {b[from_currency]} loan at "
            "{a[rate_percent]}%, then convert it to {b[to_currency]}.",
            "How many {b[to_currency]} a month does a {a[principal]:.0f} {b[from_currency]} loan at "
            "{a[rate_percent]}% for {a[years]} years cost?",
            "Loan of {a[principal]:.0f} {b[from_currency]}, {a[rate_percent]}% APR, {a[years]} years: "
            "monthly payment converted to {b[to_currency]}?",
            "Convert into {b[to_currency]} the monthly repayment on {a[principal]:.0f} {b[from_currency]} "
            "borrowed for {a[years]} years at {a[rate_percent]} percent.",
            "If I finance {a[principal]:.0f} {b[from_currency]} over {a[years]} years at {a[rate_percent]}%, "
            "what is each payment worth in {b[to_currency]}?",
            "Work out my mortgage payment ({a[principal]:.0f} {b[from_currency]}, {a[rate_percent]}%, "
            "{a[years]} yrs) and show it in {b[to_currency]}.",
        ),
    )
)
compose(
    Composition(
        first="get_exchange_rate",
        second="convert_amount_at_rate",
        param="rate",
        sample=lambda rng: (fd.sample_rate_pair(rng), {"amount": fd.money(rng)}),
        templates=(
            "Look up the {a[base]} to {a[quote]} exchange rate and use it to convert {b[amount]} {a[base]}.",
            "Get the {a[base]}/{a[quote]} rate, then apply it to {b[amount]}.",
            "How many {a[quote]} is {b[amount]} {a[base]} at today's {a[base]}-{a[quote]} rate?",
            "Find the rate from {a[base]} into {a[quote]} and multiply {b[amount]} by it.",
            "Convert {b[amount]} from {a[base]} to {a[quote]} using the published exchange rate.",
            "First fetch the exchange rate {a[base]} to {a[quote]}; then tell me what {b[amount]} becomes.",
            "Using the current {a[base]}->{a[quote]} rate, what is {b[amount]} {a[base]} worth in {a[quote]}?",
            "I need {b[amount]} {a[base]} expressed in {a[quote]}; check the rate first and convert.",
        ),
    )
)
compose(
    Composition(
        first="convert_currency",
        second="split_bill_with_tip",
        param="bill_amount",
        sample=_bill_abroad,
        templates=(
            "Our dinner cost {a[amount]} {a[from_currency]}. Convert it to {a[to_currency]} and split it "
            "{b[people]} ways with a {b[tip_percent]:g}% tip.",
            "The bill is {a[amount]} {a[from_currency]}; in {a[to_currency]}, how much does each of {b[people]} "
            "people pay after a {b[tip_percent]:g}% tip?",
            "We're {b[people]} friends abroad with a {a[amount]} {a[from_currency]} check. "
            "Tipping {b[tip_percent]:g}%, "
            "what's each share in {a[to_currency]}?",
            "Convert {a[amount]} {a[from_currency]} to {a[to_currency]}, add {b[tip_percent]:g}% tip and divide "
            "among {b[people]}.",
            "Per-person cost in {a[to_currency]} for a {a[amount]} {a[from_currency]} meal shared by {b[people]}, "
            "with {b[tip_percent]:g}% gratuity?",
            "Help us split a {a[amount]} {a[from_currency]} restaurant bill between {b[people]} people in "
            "{a[to_currency]}, tip {b[tip_percent]:g}%.",
            "{b[people]} of us owe {a[amount]} {a[from_currency]} plus {b[tip_percent]:g}% tip. "
            "How much is that each, in {a[to_currency]}?",
            "The tab came to {a[amount]} {a[from_currency]}. Show the tip ({b[tip_percent]:g}%) and each of "
            "the {b[people]} shares in {a[to_currency]}.",
        ),
    )
)


def _single_target(args: dict[str, Any]) -> dict[str, Any]:
    return {"amount": args["amount"], "from_currency": args["from_currency"], "to_currencies": [args["to_currency"]]}


fallback(Fallback(primary="convert_currency", alternative="convert_to_multiple_currencies", convert=_single_target))
