"""Calendar arithmetic on ISO dates ("YYYY-MM-DD"). Every date is an argument: nothing reads the clock."""

import calendar
import datetime as dt
import random
import re
from typing import Literal

from distill.tools.base import Composition, Intent, compose, tool

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MonthName = Literal[
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
MONTHS: tuple[str, ...] = tuple(calendar.month_name)[1:]


def parse_iso_date(value: str, name: str = "date") -> dt.date:
    """Parse a strict "YYYY-MM-DD" string, raising ValueError naming the argument otherwise."""
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ValueError(f"{name} must be an ISO date like 2024-03-01, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise ValueError(f"{name} {value!r} is not a real calendar date: {err}") from None


def random_date(rng: random.Random, first_year: int = 1950, last_year: int = 2035) -> str:
    start = dt.date(first_year, 1, 1)
    span = (dt.date(last_year, 12, 31) - start).days
    return (start + dt.timedelta(days=rng.randint(0, span))).isoformat()


def random_date_range(rng: random.Random, max_days: int = 900) -> dict[str, str]:
    start = parse_iso_date(random_date(rng, 1990, 2030))
    end = start + dt.timedelta(days=rng.randint(1, max_days))
    return {"start_date": start.isoformat(), "end_date": end.isoformat()}


def _shift(day: dt.date, days: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise ValueError(f"moving {days} days from {day} leaves the supported calendar range") from None


@tool(
    domain="dates",
    intents=(
        Intent(
            templates=(
                "How many days are there between {start_date} and {end_date}?",
                "Count the days from {start_date} to {end_date}.",
                "What's the number of days between {start_date} and {end_date}?",
                "How long is it, in days, from {start_date} until {end_date}?",
                "If today were {start_date}, how many days would remain until {end_date}?",
                "Days elapsed between {start_date} and {end_date}?",
                "My lease started {start_date} and ends {end_date}. How many days is that?",
                "Calculate the day difference between the dates {start_date} and {end_date}.",
            ),
            sample=random_date_range,
            vague=("How many days are left until my birthday?", "How many days until {end_date}?"),
        ),
        Intent(
            templates=(
                "How many days from {start_date} to {end_date}, {counting}?",
                "Count the days between {start_date} and {end_date} ({counting} counting).",
                "Using {counting} counting, how many days span {start_date} through {end_date}?",
                "The festival runs {start_date} to {end_date}; how many days is that, counted {counting}?",
                "Give me the number of days from {start_date} to {end_date}, {counting} of the end date.",
                "Days between {start_date} and {end_date}? Make it an {counting} count.",
                "What is the {counting} day count from {start_date} until {end_date}?",
                "I need an {counting} count of the days from {start_date} to {end_date}.",
            ),
            sample=lambda rng: {**random_date_range(rng), "counting": "inclusive"},
        ),
    ),
)
def days_between_dates(
    start_date: str, end_date: str, counting: Literal["exclusive", "inclusive"] = "exclusive"
) -> int:
    """Count the days from one date to another.

    Args:
        start_date: The first date, as YYYY-MM-DD.
        end_date: The second date, as YYYY-MM-DD.
        counting: exclusive (default) gives the plain difference; inclusive also counts the end date (adds one day).

    Returns:
        end_date minus start_date in days, negative when end_date comes first.
    """
    days = (parse_iso_date(end_date, "end_date") - parse_iso_date(start_date, "start_date")).days
    if counting == "inclusive":
        days += 1 if days >= 0 else -1
    return days


@tool(
    domain="dates",
    templates=(
        "What date is {days} days after {date}?",
        "Add {days} days to {date}.",
        "If I start on {date}, what's the date {days} days later?",
        "Which date falls {days} days from {date}?",
        "My visa starts {date} and is valid for {days} days. On what date does it end?",
        "{date} plus {days} days is which date?",
        "Count forward {days} days from {date} and tell me the date.",
        "Give me the calendar date {days} days past {date}.",
    ),
    sample=lambda rng: {"date": random_date(rng, 1990, 2030), "days": rng.randint(1, 500)},
    vague=("What date will it be in {days} days?", "Add some days to my start date and tell me the result."),
)
def add_days_to_date(date: str, days: int) -> str:
    """Add a number of days to a date (negative days go backwards).

    Args:
        date: The starting date, as YYYY-MM-DD.
        days: How many days to add; negative to subtract.

    Returns:
        The resulting date, as YYYY-MM-DD.
    """
    return _shift(parse_iso_date(date), days).isoformat()


@tool(
    domain="dates",
    templates=(
        "What day of the week is {date}?",
        "Which weekday was {date}?",
        "On what day of the week does {date} fall?",
        "Is {date} a Monday, a Tuesday...? Tell me the weekday.",
        "I was born on {date}. What day of the week was that?",
        "Tell me the weekday for the date {date}.",
        "{date}: which day of the week?",
        "Our wedding is on {date}. Which weekday will it be?",
    ),
    sample=lambda rng: {"date": random_date(rng)},
    vague=("What day of the week was I born on?", "Which weekday does the conference start on?"),
)
def weekday_of_date(date: str) -> str:
    """Find the day of the week of a date.

    Args:
        date: The date, as YYYY-MM-DD.

    Returns:
        The English weekday name, e.g. "Monday".
    """
    return calendar.day_name[parse_iso_date(date).weekday()]


@tool(
    domain="dates",
    templates=(
        "Is {year} a leap year?",
        "Was {year} a leap year?",
        "Does the year {year} have a February 29th?",
        "Check whether {year} is a leap year.",
        "Will {year} have 366 days?",
        "Tell me if {year} counts as a leap year in the Gregorian calendar.",
        "Leap year or not: {year}?",
        "I'm planning something for February 29 in {year}. Does that date exist?",
    ),
    sample=lambda rng: {
        "year": rng.choice([rng.randint(1600, 2400), 4 * rng.randint(400, 600), 100 * rng.randint(16, 24)])
    },
)
def is_leap_year(year: int) -> bool:
    """Tell whether a year is a leap year in the Gregorian calendar.

    Args:
        year: The year, e.g. 2024.

    Returns:
        True for a leap year.
    """
    if year < 1:
        raise ValueError(f"year must be positive, got {year}")
    return calendar.isleap(year)


@tool(
    domain="dates",
    templates=(
        "How old is someone born on {birth_date} on {on_date}?",
        "I was born {birth_date}. How old will I be on {on_date}?",
        "What age does a person born {birth_date} reach by {on_date}?",
        "Compute the age in whole years on {on_date} for a birth date of {birth_date}.",
        "My daughter's birthday is {birth_date}. How old is she on {on_date}?",
        "Born {birth_date}: age as of {on_date}?",
        "On {on_date}, how many full years old is someone born on {birth_date}?",
        "Calculate the age at {on_date} of a person whose date of birth is {birth_date}.",
    ),
    sample=lambda rng: _sample_age(rng),
    vague=("How old will I be on my next trip?", "How old was my grandmother on {on_date}?"),
)
def age_on_date(birth_date: str, on_date: str) -> int:
    """Compute a person's age in completed years on a given date.

    Args:
        birth_date: The date of birth, as YYYY-MM-DD.
        on_date: The date at which to measure the age, as YYYY-MM-DD; not before birth_date.

    Returns:
        The age in whole years.
    """
    born, then = parse_iso_date(birth_date, "birth_date"), parse_iso_date(on_date, "on_date")
    if then < born:
        raise ValueError(f"on_date {on_date} is before birth_date {birth_date}")
    return then.year - born.year - ((then.month, then.day) < (born.month, born.day))


def _sample_age(rng: random.Random) -> dict[str, str]:
    birth = random_date(rng, 1930, 2015)
    on = _shift(parse_iso_date(birth), rng.randint(0, 80 * 365)).isoformat()
    return {"birth_date": birth, "on_date": on}


@tool(
    domain="dates",
    templates=(
        "What ISO week number is {date}?",
        "Which calendar week does {date} fall in?",
        "Give me the ISO week of {date}.",
        "In which week of the year is {date}, by ISO 8601?",
        "Our sprint planning is on {date}. What's the week number?",
        "Tell me the calendar week number for {date}.",
        "{date} belongs to which ISO week?",
        "Find the ISO-8601 week number and weekday for {date}.",
    ),
    sample=lambda rng: {"date": random_date(rng)},
)
def iso_week_number(date: str) -> dict[str, int]:
    """Find the ISO 8601 week of a date.

    Args:
        date: The date, as YYYY-MM-DD.

    Returns:
        iso_year (may differ from the calendar year near January 1), week (1-53) and weekday (1 = Monday).
    """
    iso = parse_iso_date(date).isocalendar()
    return {"iso_year": iso.year, "week": iso.week, "weekday": iso.weekday}


@tool(
    domain="dates",
    templates=(
        "How many days are in {month} {year}?",
        "How many days does {month} {year} have?",
        "What's the number of days in {month} of {year}?",
        "Tell me the length of {month} {year} in days.",
        "I'm paying rent daily for all of {month} {year}. How many days is that?",
        "Days in the month of {month}, year {year}?",
        "In {year}, how long is {month}?",
        "Does {month} {year} have 28, 29, 30 or 31 days?",
    ),
    sample=lambda rng: {"year": rng.randint(1900, 2100), "month": rng.choice(MONTHS)},
)
def days_in_month(year: int, month: MonthName) -> int:
    """Count the days in a month of a given year.

    Args:
        year: The year, e.g. 2024.
        month: The month's English name.

    Returns:
        The number of days (28 to 31).
    """
    if month not in MONTHS:
        raise ValueError(f"month must be an English month name, got {month!r}")
    if year < 1:
        raise ValueError(f"year must be positive, got {year}")
    return calendar.monthrange(year, MONTHS.index(month) + 1)[1]


@tool(
    domain="dates",
    templates=(
        "What date is {months} months after {date}?",
        "Add {months} months to {date}.",
        "If my contract starts {date} and lasts {months} months, when does it end?",
        "Which date is {months} calendar months from {date}?",
        "{date} plus {months} months?",
        "Move {date} forward by {months} months and tell me the date.",
        "My subscription renews every {months} months starting {date}. When is the first renewal?",
        "Give me the date that falls {months} months past {date}.",
    ),
    sample=lambda rng: {"date": random_date(rng, 1990, 2030), "months": rng.randint(1, 36)},
)
def add_months_to_date(date: str, months: int) -> str:
    """Add calendar months to a date, clamping the day to the end of a shorter month.

    Args:
        date: The starting date, as YYYY-MM-DD.
        months: How many months to add; negative to subtract.

    Returns:
        The resulting date, as YYYY-MM-DD (e.g. 2024-01-31 plus 1 month is 2024-02-29).
    """
    start = parse_iso_date(date)
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"adding {months} months to {date} leaves the supported calendar range")
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day).isoformat()


def _sample_shift(rng: random.Random) -> dict[str, object]:
    return {"date": random_date(rng, 1990, 2030), "days": rng.randint(1, 500)}


compose(
    Composition(
        first="add_days_to_date",
        second="weekday_of_date",
        param="date",
        sample=lambda rng: (_sample_shift(rng), {}),
        templates=(
            "What day of the week will it be {a[days]} days after {a[date]}?",
            "Which weekday falls {a[days]} days from {a[date]}?",
            "If I start on {a[date]}, what weekday is it {a[days]} days later?",
            "Add {a[days]} days to {a[date]} and tell me the day of the week.",
            "My trial period of {a[days]} days begins {a[date]}. On which weekday does it end?",
            "{a[days]} days after {a[date]}: is that a weekend or weekday, and which day exactly?",
            "Find the date {a[days]} days past {a[date]}, then its weekday.",
            "Counting {a[days]} days forward from {a[date]}, which day of the week do I land on?",
        ),
    )
)

compose(
    Composition(
        first="add_days_to_date",
        second="iso_week_number",
        param="date",
        sample=lambda rng: (_sample_shift(rng), {}),
        templates=(
            "What ISO week number is it {a[days]} days after {a[date]}?",
            "Which calendar week falls {a[days]} days from {a[date]}?",
            "Add {a[days]} days to {a[date]} and give me the ISO week of that date.",
            "The project kicks off {a[date]} and delivery is {a[days]} days later. Which week number is delivery?",
            "In which ISO week does the day {a[days]} days past {a[date]} fall?",
            "Move {a[days]} days forward from {a[date]}; what's the week number there?",
            "{a[days]} days after {a[date]}, which ISO 8601 week are we in?",
            "Find the date {a[days]} days from {a[date]} and tell me its ISO week.",
        ),
    )
)

compose(
    Composition(
        first="add_months_to_date",
        second="weekday_of_date",
        param="date",
        sample=lambda rng: ({"date": random_date(rng, 1990, 2030), "months": rng.randint(1, 36)}, {}),
        templates=(
            "What day of the week is it {a[months]} months after {a[date]}?",
            "Which weekday falls {a[months]} months from {a[date]}?",
            "Add {a[months]} months to {a[date]} and tell me the weekday.",
            "My contract starts {a[date]} and runs {a[months]} months. What weekday does it end on?",
            "{a[months]} months past {a[date]}, which day of the week is that?",
            "Find the date {a[months]} months after {a[date]} and then its day of the week.",
            "On which weekday will the date {a[months]} months later than {a[date]} fall?",
            "Going {a[months]} calendar months forward from {a[date]}, what day of the week do I land on?",
        ),
    )
)
