import pytest

from distill.tools.scheduling import (
    add_working_days,
    convert_time_between_utc_offsets,
    count_working_days,
    duration_between_times,
    find_free_slots,
    meeting_end_time,
    next_weekday_after,
    time_ranges_overlap,
)


def test_free_slots_merge_overlapping_busy_blocks():
    busy = ["14:00-15:00", "10:00-11:00", "10:30-12:00"]
    assert find_free_slots(busy) == ["09:00-10:00", "12:00-14:00", "15:00-17:00"]


def test_free_slots_ignore_busy_time_outside_the_day_and_short_gaps():
    assert find_free_slots(["07:00-09:30", "18:00-19:00"]) == ["09:30-17:00"]
    assert find_free_slots(["09:10-17:00"], min_duration_minutes=15) == []
    assert find_free_slots([], "08:00", "12:00") == ["08:00-12:00"]


def test_bad_intervals_raise_value_error():
    with pytest.raises(ValueError):
        find_free_slots(["11:00-10:00"])
    with pytest.raises(ValueError):
        meeting_end_time("25:00", 30)


def test_meeting_end_time_wraps_past_midnight():
    assert meeting_end_time("09:30", 45) == "10:15"
    assert meeting_end_time("23:30", 90) == "01:00"


def test_time_ranges_overlap_reports_shared_minutes():
    assert time_ranges_overlap("09:00-10:00", "09:30-11:00") == {"overlaps": True, "overlap_minutes": 30}
    assert time_ranges_overlap("09:00-10:00", "10:00-11:00") == {"overlaps": False, "overlap_minutes": 0}


def test_convert_time_between_utc_offsets_tracks_day_change():
    assert convert_time_between_utc_offsets("23:00", 0.0, 2.0) == {"time": "01:00", "day_change": 1}
    assert convert_time_between_utc_offsets("07:30", -5.0, 5.5) == {"time": "18:00", "day_change": 0}
    assert convert_time_between_utc_offsets("01:00", 1.0, -8.0) == {"time": "16:00", "day_change": -1}
    with pytest.raises(ValueError):
        convert_time_between_utc_offsets("01:00", 1.2, 0.0)


def test_count_working_days_skips_weekends_and_holidays():
    assert count_working_days("2024-01-01", "2024-01-12") == 10
    assert count_working_days("2024-01-01", "2024-01-12", ["2024-01-01", "2024-01-06"]) == 9
    assert count_working_days("2024-01-06", "2024-01-07") == 0


def test_duration_between_times_rolls_over_midnight():
    assert duration_between_times("22:00", "06:30") == {"hours": 8, "minutes": 30, "total_minutes": 510}
    assert duration_between_times("09:15", "10:00") == {"hours": 0, "minutes": 45, "total_minutes": 45}


def test_next_weekday_after_is_strictly_later():
    assert next_weekday_after("2024-01-01", "Monday") == "2024-01-08"
    assert next_weekday_after("2024-01-01", "Wednesday") == "2024-01-03"


def test_add_working_days_skips_weekends_both_ways():
    assert add_working_days("2024-01-05", 1) == "2024-01-08"
    assert add_working_days("2024-01-08", -1) == "2024-01-05"
    assert add_working_days("2024-01-01", 10) == "2024-01-15"
