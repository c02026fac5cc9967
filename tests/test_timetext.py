from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postured.timetext import Window, find_overlap, format_duration, parse_duration, parse_window


@pytest.mark.parametrize("text, minutes", [
    ("30m", 30), ("45m", 45), ("1h", 60), ("1h30m", 90), ("90s", 1.5), ("2h 5m", 125), (" 10M ", 10),
])
def test_durations_people_write(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["30 minutes", "", "0m", "0h0m0s", "-5m", "5", "m", "1.5h", "8d", "200h", "1m1h"])
def test_bad_durations_are_refused_with_a_hint(text):
    with pytest.raises(ValueError) as refused:
        parse_duration(text)
    assert text.strip() in str(refused.value) or "duration" in str(refused.value)


@given(st.integers(min_value=1, max_value=7 * 24 * 3600))
def test_duration_round_trip(seconds):
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize("text, start, end", [
    ("09:00-12:00", 540, 720),
    ("00:00-24:00", 0, 1440),
    ("22:00-06:00", 1320, 1800),
    ("13:00-17:30", 780, 1050),
])
def test_windows(text, start, end):
    assert parse_window(text) == Window(start, end)


@pytest.mark.parametrize("text", ["09:00-09:00", "9-12", "09:00", "25:00-26:00", "09:60-10:00", "24:00-06:00", "a-b"])
def test_bad_windows(text):
    with pytest.raises(ValueError):
        parse_window(text)


@given(st.integers(0, 1439), st.integers(0, 1440))
def test_window_is_normalised_and_never_empty(start, end):
    text = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    if start == end or (end == 0 and start == 0):
        with pytest.raises(ValueError):
            parse_window(text)
        return
    window = parse_window(text)
    assert 0 < window.end - window.start <= 1440
    assert window.crosses_midnight == (window.end > 1440)
    assert parse_window(str(window)) == window


def test_overlap_found_including_past_midnight():
    assert find_overlap([parse_window("09:00-12:00"), parse_window("11:00-13:00")])
    assert find_overlap([parse_window("22:00-10:00"), parse_window("09:00-12:00")])
    assert find_overlap([parse_window("09:00-12:00"), parse_window("12:00-13:00")]) is None
