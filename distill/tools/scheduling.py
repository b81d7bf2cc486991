"""Stateless scheduling helpers: free slots, meeting times, overlaps, UTC offsets and working days."""

import calendar
import datetime as dt
import random
import re
from typing import Literal

from distill.tools.base import Composition, Intent, compose, tool
from distill.tools.dates import parse_iso_date, random_date, random_date_range

CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
DAY_MINUTES = 24 * 60
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS: tuple[str, ...] = tuple(calendar.day_name)


def _minutes(clock: str, name: str = "time", allow_24: bool = False) -> int:
    match = CLOCK.fullmatch(clock.strip()) if isinstance(clock, str) else None
    if match is None:
        raise ValueError(f"{name} must be a 24-hour time like 09:30, got {clock!r}")
    hours, minutes = int(match[1]), int(match[2])
    total = hours * 60 + minutes
    if minutes > 59 or total > DAY_MINUTES or (total == DAY_MINUTES and not allow_24):
        raise ValueError(f"{name} {clock!r} is not a valid time of day")
    return total


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _interval(text: str, name: str = "interval") -> tuple[int, int]:
    parts = text.split("-") if isinstance(text, str) else []
    if len(parts) != 2:
        raise ValueError(f"{name} must look like 09:00-10:30, got {text!r}")
    start, end = _minutes(parts[0], name), _minutes(parts[1], name, allow_24=True)
    if end <= start:
        raise ValueError(f"{name} {text!r} must end after it starts")
    return start, end


def _quarter_hour(rng: random.Random, first_hour: int = 7, last_hour: int = 20) -> str:
    return _clock(rng.randint(first_hour * 4, last_hour * 4) * 15)


def _sample_busy(rng: random.Random) -> list[str]:
    busy = []
    for _ in range(rng.randint(1, 4)):
        start = rng.randint(32, 66) * 15  # 08:00 to 16:30
        busy.append(f"{_clock(start)}-{_clock(start + rng.choice([15, 30, 45, 60, 90, 120]))}")
    return sorted(busy)


@tool(
    domain="scheduling",
    intents=(
        Intent(
            templates=(
                "I'm busy {busy}. When am I free between 09:00 and 17:00?",
                "Given these meetings: {busy}, what free slots do I have in a 9-to-5 workday?",
                "Find my open time slots today; my calendar is blocked {busy}.",
                "My busy times are {busy}. List the gaps in my working day.",
                "When could we squeeze in a meeting if I'm booked {busy}?",
                "Show the free windows in a standard 9 to 5 day around these commitments: {busy}.",
                "Calendar check: busy {busy}. What's still available?",
                "Which parts of the workday are free if these blocks are taken: {busy}?",
            ),
            sample=lambda rng: {"busy": _sample_busy(rng)},
            vague=("When am I free today?", "Find a free slot in my calendar for a meeting."),
        ),
        Intent(
            templates=(
                "Between {day_start} and {day_end}, when am I free if I'm busy {busy}?",
                "My day runs from {day_start} to {day_end} and I have meetings {busy}. Find the free slots.",
                "List free time from {day_start} until {day_end}, excluding {busy}.",
                "I'm available {day_start}-{day_end} except for {busy}. What windows are open?",
                "Find gaps between {day_start} and {day_end} given the busy blocks {busy}.",
                "What's free in my schedule from {day_start} to {day_end}? Booked: {busy}.",
                "Working hours are {day_start} to {day_end}; my meetings are at {busy}. Where can I fit something in?",
                "Show the open slots from {day_start} through {day_end} around {busy}.",
            ),
            sample=lambda rng: {
                "busy": _sample_busy(rng),
                "day_start": _clock(rng.randint(28, 40) * 15),
                "day_end": _clock(rng.randint(64, 80) * 15),
            },
        ),
    ),
)
def find_free_slots(
    busy: list[str], day_start: str = "09:00", day_end: str = "17:00", min_duration_minutes: int = 15
) -> list[str]:
    """Find the free time slots in a day given busy intervals.

    Args:
        busy: Busy intervals as "HH:MM-HH:MM" strings (24-hour clock); they may overlap and be unsorted.
        day_start: Start of the available day, as HH:MM (default 09:00).
        day_end: End of the available day, as HH:MM, 24:00 allowed (default 17:00).
        min_duration_minutes: The shortest gap worth reporting, in minutes (default 15).

    Returns:
        Free slots as "HH:MM-HH:MM" strings in time order (an empty list when none).
    """
    start, end = _minutes(day_start, "day_start"), _minutes(day_end, "day_end", allow_24=True)
    if end <= start:
        raise ValueError(f"day_end {day_end} must be after day_start {day_start}")
    if min_duration_minutes < 1:
        raise ValueError("min_duration_minutes must be at least 1")
    free, cursor = [], start
    for busy_start, busy_end in sorted(_interval(b, "busy interval") for b in busy):
        busy_start, busy_end = max(busy_start, start), min(busy_end, end)
        if busy_end <= busy_start:
            continue  # entirely outside the day
        free.append((cursor, busy_start))
        cursor = max(cursor, busy_end)
    free.append((cursor, end))
    return [f"{_clock(a)}-{_clock(b)}" for a, b in free if b - a >= min_duration_minutes]


@tool(
    domain="scheduling",
    templates=(
        "A meeting starts at {start_time} and lasts {duration_minutes} minutes. When does it end?",
        "What time is it {duration_minutes} minutes after {start_time}?",
        "If I start at {start_time} and need {duration_minutes} minutes, what's the finish time?",
        "My workshop begins {start_time} and runs {duration_minutes} min. End time?",
        "Add {duration_minutes} minutes to {start_time}.",
        "The call is booked for {start_time}, {duration_minutes} minutes long. When will we be done?",
        "Compute the end time of a {duration_minutes}-minute session starting at {start_time}.",
        "Starting {start_time}, a {duration_minutes} minute slot ends at what time?",
    ),
    sample=lambda rng: {
        "start_time": _quarter_hour(rng),
        "duration_minutes": rng.choice([15, 30, 45, 50, 60, 90, 120]),
    },
    vague=("When will my meeting end?", "My call lasts {duration_minutes} minutes. What time will it finish?"),
)
def meeting_end_time(start_time: str, duration_minutes: int) -> str:
    """Compute when a meeting ends from its start time and duration.

    Args:
        start_time: The start, as HH:MM on a 24-hour clock.
        duration_minutes: The length in minutes; not negative.

    Returns:
        The end time as HH:MM, wrapping past midnight.
    """
    if duration_minutes < 0:
        raise ValueError(f"duration_minutes must not be negative, got {duration_minutes}")
    return _clock((_minutes(start_time, "start_time") + duration_minutes) % DAY_MINUTES)


def _sample_ranges(rng: random.Random) -> dict[str, str]:
    ranges = []
    for _ in range(2):
        start = rng.randint(32, 64) * 15
        ranges.append(f"{_clock(start)}-{_clock(start + rng.choice([30, 45, 60, 90, 120]))}")
    return {"first_range": ranges[0], "second_range": ranges[1]}


@tool(
    domain="scheduling",
    templates=(
        "Do the time ranges {first_range} and {second_range} overlap?",
        "Is there a clash between a meeting at {first_range} and another at {second_range}?",
        "Check whether {first_range} conflicts with {second_range}.",
        "I have one event {first_range} and another {second_range}. Do they overlap, and by how much?",
        "Can I attend both {first_range} and {second_range} without a conflict?",
        "How many minutes do {first_range} and {second_range} have in common?",
        "Overlap check: {first_range} vs {second_range}.",
        "Would booking {second_range} collide with my existing {first_range} appointment?",
    ),
    sample=_sample_ranges,
)
def time_ranges_overlap(first_range: str, second_range: str) -> dict[str, object]:
    """Check whether two time ranges on the same day overlap.

    Args:
        first_range: The first range, as "HH:MM-HH:MM".
        second_range: The second range, as "HH:MM-HH:MM".

    Returns:
        overlaps (bool) and overlap_minutes (int); touching ranges do not overlap.
    """
    a_start, a_end = _interval(first_range, "first_range")
    b_start, b_end = _interval(second_range, "second_range")
    shared = max(0, min(a_end, b_end) - max(a_start, b_start))
    return {"overlaps": shared > 0, "overlap_minutes": shared}


OFFSETS = (-10.0, -8.0, -7.0, -6.0, -5.0, -3.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.5, 8.0, 9.0, 9.5, 10.0, 12.0)


def _sample_offsets(rng: random.Random) -> dict[str, float]:
    from_offset, to_offset = rng.sample(OFFSETS, 2)
    return {"from_offset": from_offset, "to_offset": to_offset}


@tool(
    domain="scheduling",
    templates=(
        "It's {time} at UTC{from_offset:+g}. What time is it at UTC{to_offset:+g}?",
        "Convert {time} from UTC{from_offset:+g} to UTC{to_offset:+g}.",
        "Our standup is at {time} UTC{from_offset:+g}. When is that for someone on UTC{to_offset:+g}?",
        "If the clock shows {time} in a UTC{from_offset:+g} zone, what does it show in UTC{to_offset:+g}?",
        "Translate {time} (UTC offset {from_offset:+g} h) into local time at offset {to_offset:+g} h.",
        "What is {time} UTC{from_offset:+g} in UTC{to_offset:+g} time?",
        "My flight lands at {time} local time (UTC{from_offset:+g}). What time is that back home at UTC{to_offset:+g}?",
        "Shift {time} from the UTC{from_offset:+g} offset to UTC{to_offset:+g}, and tell me if the day changes.",
    ),
    sample=lambda rng: {"time": _quarter_hour(rng, 0, 23), **_sample_offsets(rng)},
    vague=("What time is {time} in my colleague's time zone?", "Convert our meeting time to the other office's time."),
)
def convert_time_between_utc_offsets(time: str, from_offset: float, to_offset: float) -> dict[str, object]:
    """Convert a clock time from one UTC offset to another.

    Args:
        time: The clock time, as HH:MM.
        from_offset: The UTC offset of the given time in hours, e.g. -5 or 5.5.
        to_offset: The UTC offset to convert to in hours.

    Returns:
        time (HH:MM at the target offset) and day_change (calendar days moved, e.g. -1, 0 or 1).
    """
    for name, offset in (("from_offset", from_offset), ("to_offset", to_offset)):
        if not -12 <= offset <= 14 or (offset * 4) % 1:
            raise ValueError(f"{name} must be between -12 and 14 in quarter hours, got {offset}")
    shifted = _minutes(time) + round((to_offset - from_offset) * 60)
    day_change, minutes = divmod(shifted, DAY_MINUTES)
    return {"time": _clock(minutes), "day_change": day_change}


def _working_days(start: dt.date, end: dt.date, holidays: set[dt.date]) -> int:
    step = 1 if end >= start else -1
    count, day = 0, start
    while True:
        if day.weekday() < 5 and day not in holidays:
            count += 1
        if day == end:
            return count * step
        day += dt.timedelta(days=step)


def _sample_holidays(rng: random.Random) -> dict[str, object]:
    span = random_date_range(rng, 120)
    start = parse_iso_date(span["start_date"])
    days = (parse_iso_date(span["end_date"]) - start).days
    holidays = sorted({(start + dt.timedelta(days=rng.randint(0, days))).isoformat() for _ in range(rng.randint(1, 3))})
    return {**span, "holidays": holidays}


@tool(
    domain="scheduling",
    intents=(
        Intent(
            templates=(
                "How many working days are there between {start_date} and {end_date}?",
                "Count the business days from {start_date} to {end_date}, inclusive.",
                "How many weekdays (Monday to Friday) fall between {start_date} and {end_date}?",
                "My project runs {start_date} through {end_date}. How many working days do I have?",
                "Number of business days from {start_date} until {end_date}?",
                "Excluding weekends, how many days are there from {start_date} to {end_date}?",
                "I need the count of Mon-Fri days between {start_date} and {end_date}, both included.",
                "Work days between {start_date} and {end_date}, please.",
            ),
            sample=lambda rng: random_date_range(rng, 120),
        ),
        Intent(
            templates=(
                "How many working days are there from {start_date} to {end_date} if {holidays} are holidays?",
                "Count business days between {start_date} and {end_date}, skipping the public holidays {holidays}.",
                "Excluding weekends and the holidays {holidays}, how many work days span {start_date} to {end_date}?",
                "The office is closed on {holidays}. How many working days are left from {start_date} to {end_date}?",
                "Business days from {start_date} through {end_date}, not counting {holidays}?",
                "Between {start_date} and {end_date}, with days off on {holidays}, how many days will I work?",
                "Give me the number of Mon-Fri days from {start_date} to {end_date} minus the holidays {holidays}.",
                "Working-day count for {start_date} to {end_date}; holidays: {holidays}.",
            ),
            sample=_sample_holidays,
        ),
    ),
)
def count_working_days(start_date: str, end_date: str, holidays: list[str] | None = None) -> int:
    """Count Monday-to-Friday working days between two dates, both included, skipping given holidays.

    Args:
        start_date: The first date, as YYYY-MM-DD.
        end_date: The last date, as YYYY-MM-DD; a date before start_date gives a negative count.
        holidays: Dates (YYYY-MM-DD) that are not worked even on a weekday (default none).

    Returns:
        The number of working days.
    """
    start, end = parse_iso_date(start_date, "start_date"), parse_iso_date(end_date, "end_date")
    if abs((end - start).days) > 366 * 100:
        raise ValueError("the date range must be at most 100 years")
    off = {parse_iso_date(h, "holiday") for h in holidays or []}
    return _working_days(start, end, off)


@tool(
    domain="scheduling",
    templates=(
        "How long is it from {start_time} to {end_time}?",
        "What's the duration between {start_time} and {end_time}?",
        "My shift goes from {start_time} until {end_time}. How many hours and minutes is that?",
        "How many minutes are there between {start_time} and {end_time}?",
        "Time elapsed from {start_time} to {end_time}?",
        "If I sleep at {start_time} and wake at {end_time}, how long did I sleep?",
        "Compute the length of the interval {start_time} to {end_time}.",
        "The event runs {start_time}-{end_time}. What's its total length?",
    ),
    sample=lambda rng: {"start_time": _quarter_hour(rng, 0, 23), "end_time": _quarter_hour(rng, 0, 23)},
)
def duration_between_times(start_time: str, end_time: str) -> dict[str, int]:
    """Compute the duration from one clock time to another, rolling over midnight when the end is earlier.

    Args:
        start_time: The start, as HH:MM.
        end_time: The end, as HH:MM.

    Returns:
        hours, minutes and total_minutes.
    """
    total = (_minutes(end_time, "end_time") - _minutes(start_time, "start_time")) % DAY_MINUTES
    return {"hours": total // 60, "minutes": total % 60, "total_minutes": total}


@tool(
    domain="scheduling",
    templates=(
        "What is the date of the first {weekday} after {date}?",
        "When is the next {weekday} following {date}?",
        "Starting from {date}, which date is the upcoming {weekday}?",
        "I want to book the first {weekday} after {date}. What date is it?",
        "Give me the date of the {weekday} that comes next after {date}.",
        "Our team meets on {weekday}s. If today is {date}, when is the next meeting?",
        "Find the nearest {weekday} strictly later than {date}.",
        "After {date}, on what date does the next {weekday} fall?",
    ),
    sample=lambda rng: {"date": random_date(rng, 1990, 2035), "weekday": rng.choice(WEEKDAYS)},
)
def next_weekday_after(date: str, weekday: Weekday) -> str:
    """Find the first date after a given date that falls on a given weekday.

    Args:
        date: The reference date, as YYYY-MM-DD (not itself counted).
        weekday: The English weekday name.

    Returns:
        The date, as YYYY-MM-DD, 1 to 7 days after the reference date.
    """
    if weekday not in WEEKDAYS:
        raise ValueError(f"weekday must be an English weekday name, got {weekday!r}")
    start = parse_iso_date(date)
    ahead = (WEEKDAYS.index(weekday) - start.weekday() - 1) % 7 + 1
    return (start + dt.timedelta(days=ahead)).isoformat()


@tool(
    domain="scheduling",
    templates=(
        "What date is {days} working days after {date}?",
        "Add {days} business days to {date}.",
        "The invoice is due {days} business days from {date}. When is that?",
        "Skipping weekends, which date is {days} workdays after {date}?",
        "If delivery takes {days} working days and I order on {date}, when does it arrive?",
        "Count {days} business days forward from {date}.",
        "Give me the deadline: {days} working days starting from {date}.",
        "{date} plus {days} weekdays lands on which date?",
    ),
    sample=lambda rng: {"date": random_date(rng, 1990, 2035), "days": rng.randint(1, 60)},
)
def add_working_days(date: str, days: int) -> str:
    """Move a number of Monday-to-Friday working days forward (or back, if negative) from a date.

    Args:
        date: The starting date, as YYYY-MM-DD (not itself counted).
        days: How many working days to move; negative goes backwards.

    Returns:
        The resulting date, as YYYY-MM-DD; always a weekday when days is not zero.
    """
    if abs(days) > 100_000:
        raise ValueError("days must be at most 100000 in size")
    current, step, left = parse_iso_date(date), (1 if days >= 0 else -1), abs(days)
    while left:
        current += dt.timedelta(days=step)
        if current.weekday() < 5:
            left -= 1
    return current.isoformat()


compose(
    Composition(
        first="meeting_end_time",
        second="convert_time_between_utc_offsets",
        param="time",
        sample=lambda rng: (
            {"start_time": _quarter_hour(rng), "duration_minutes": rng.choice([30, 45, 60, 90, 120])},
            _sample_offsets(rng),
        ),
        templates=(
            "My meeting starts at {a[start_time]} (UTC{b[from_offset]:+g}) and lasts {a[duration_minutes]} minutes. "
            "What time does it end for a colleague at UTC{b[to_offset]:+g}?",
            "A {a[duration_minutes]}-minute call begins at {a[start_time]} in UTC{b[from_offset]:+g}. When does it "
            "finish in UTC{b[to_offset]:+g}?",
            "Work out the end time of a session from {a[start_time]} lasting {a[duration_minutes]} min, then convert "
            "it from UTC{b[from_offset]:+g} to UTC{b[to_offset]:+g}.",
            "We start at {a[start_time]} UTC{b[from_offset]:+g} and go on for {a[duration_minutes]} minutes. What's "
            "the end time on the UTC{b[to_offset]:+g} clock?",
            "If the webinar runs {a[duration_minutes]} minutes from {a[start_time]} local time "
            "(UTC{b[from_offset]:+g}), when does it end for viewers at UTC{b[to_offset]:+g}?",
            "End time at UTC{b[to_offset]:+g} of a {a[duration_minutes]} minute meeting starting {a[start_time]} "
            "UTC{b[from_offset]:+g}?",
            "Add {a[duration_minutes]} minutes to {a[start_time]} and express the result, given in "
            "UTC{b[from_offset]:+g}, in UTC{b[to_offset]:+g}.",
            "Our workshop kicks off {a[start_time]} at UTC{b[from_offset]:+g} for {a[duration_minutes]} minutes; my "
            "manager is at UTC{b[to_offset]:+g}. When is it over for her?",
        ),
    )
)

compose(
    Composition(
        first="add_days_to_date",
        second="next_weekday_after",
        param="date",
        sample=lambda rng: (
            {"date": random_date(rng, 1990, 2030), "days": rng.randint(1, 365)},
            {"weekday": rng.choice(WEEKDAYS)},
        ),
        templates=(
            "What is the first {b[weekday]} after the date {a[days]} days from {a[date]}?",
            "Add {a[days]} days to {a[date]}, then find the next {b[weekday]} after that.",
            "The paperwork takes {a[days]} days from {a[date]}; our meetings are on {b[weekday]}s. When's the first "
            "meeting after that?",
            "Go {a[days]} days past {a[date]} and tell me the date of the following {b[weekday]}.",
            "Which date is the next {b[weekday]} once {a[days]} days have passed since {a[date]}?",
            "{a[days]} days after {a[date]}, when does the next {b[weekday]} come?",
            "Find the date {a[days]} days later than {a[date]} and then the first {b[weekday]} after it.",
            "I can start {a[days]} days after {a[date]}, but only on a {b[weekday]}, and not that same day. What's "
            "my start date?",
        ),
    )
)
