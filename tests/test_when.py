from __future__ import annotations

from datetime import date

import pytest

from briefing.when import example, parse_day

SUNDAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("tomorrow", date(2026, 11, 30)),
        ("Monday", date(2026, 11, 30)),
        ("next fri", date(2026, 12, 4)),
        ("sunday", date(2026, 12, 6)),  # today is Sunday: the next one
        ("3d", date(2026, 12, 2)),
        ("+2w", date(2026, 12, 13)),
        ("10 days", date(2026, 12, 9)),
        ("1m", date(2026, 12, 29)),
        ("2026-12-24", date(2026, 12, 24)),
    ],
)
def test_words_people_say_become_days(text: str, day: date) -> None:
    assert parse_day(text, SUNDAY) == day


def test_a_month_from_the_31st_lands_on_the_last_day() -> None:
    assert parse_day("1m", date(2027, 1, 31)) == date(2027, 2, 28)


@pytest.mark.parametrize("text", ["2026-11-28", "2026-11-29", "0d", "today"])
def test_today_and_the_past_are_refused_with_the_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"not after today|Not a day"):
        parse_day(text, SUNDAY)


def test_the_example_is_in_the_future() -> None:
    assert "2026-12-06" in example(SUNDAY) and "tomorrow" in example(SUNDAY)
    with pytest.raises(ValueError, match="Type a day"):
        parse_day("  ", SUNDAY)
