"""Days the analyst types: "tomorrow", "monday", "3d", "2w", "1m" or 2026-12-01.

Snooze asks for a day after today; the words are the ones a person says, so
nobody has to work out a date in their head at eight in the morning.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPAN = re.compile(r"^\+?\s*(\d{1,4})\s*(d|days?|w|weeks?|m|months?)$")
EXAMPLES = "tomorrow, monday, 3d, 2w, 1m or a date like"


def example(today: date) -> str:
    """The hint under the snooze field, with a date that is in the future."""
    return f"{EXAMPLES} {(today + timedelta(days=7)).isoformat()}"


def parse_day(text: str, today: date) -> date:
    """The day `text` names, after `today`; ValueError with a message a person can act on."""
    word = " ".join(text.strip().lower().split()).removeprefix("next ")
    if not word:
        raise ValueError(f"Type a day: {example(today)}.")
    day = _named(word, today)
    if day is None:
        try:
            day = date.fromisoformat(word)
        except ValueError:
            raise ValueError(f"Not a day I know: {text.strip()!r}. Try {example(today)}.") from None
    if day <= today:
        raise ValueError(
            f"{day.isoformat()} is not after today ({today.isoformat()}); pick a later day."
        )
    return day


def _named(word: str, today: date) -> date | None:
    if word == "tomorrow":
        return today + timedelta(days=1)
    for n, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            # the next one strictly after today: "monday" on a Monday is a week away
            return today + timedelta(days=(n - today.weekday() - 1) % 7 + 1)
    if match := _SPAN.match(word):
        amount, unit = int(match.group(1)), match.group(2)[0]
        if unit == "m":
            return _add_months(today, amount)
        return today + timedelta(days=amount * (7 if unit == "w" else 1))
    return None


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("no such month")  # unreachable: every month has 28 days
