"""The day a relative date in a sentence means, written next to it.

An extracted sentence says "on Thursday" or "last week" about the day its
article was published; in a brief read days later that is wrong or vague. So
each such phrase gets the date it refers to in brackets right after it,
computed from the article's publication date: "on Thursday [2024-06-20]". The
sentence itself is never rewritten; without a publication date it is left as
it is.

Weekdays are read the way news reports use them: a bare or "on" weekday is
the latest such day on or before publication, unless the words just before it
speak of the future ("will", "would", "plans to", "expected to", "scheduled"),
then the next one on or after it; "last"/"next" always step to another week.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}

_PHRASE = re.compile(
    r"\b(?:(?P<mod>last|next|this|on|earlier\s+this|later\s+this)\s+)?"
    r"(?P<unit>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|yesterday|today|tonight|tomorrow|week|month|year)\b",
    re.IGNORECASE,
)
# A phrase that already carries its date ("Thursday, June 20", "Thursday (20 June)"),
# or a name that contains a weekday ("Black Friday", "Patch Tuesday").
_DATED_AFTER = re.compile(
    r"^(?:,?\s+(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\s*[(\[])", re.I
)
_NAMES_BEFORE = re.compile(r"(?:black|cyber|patch|good|super)\s+$", re.IGNORECASE)
_FUTURE = re.compile(
    r"\b(?:will|would|plans? to|planned|expected to|scheduled|set to|due to|is to|are to)\b",
    re.IGNORECASE,
)
# Future tense is read from the words just before the phrase, so one clause's
# "will" does not move another clause's weekday.
FUTURE_WINDOW = 8


def annotate(sentence: str, published: datetime | date | None) -> str:
    """The sentence with "[date]" after every relative date it can resolve."""
    if published is None:
        return sentence
    day = published.date() if isinstance(published, datetime) else published
    parts: list[str] = []
    last = 0
    for match in _PHRASE.finditer(sentence):
        before = " ".join(sentence[: match.start()].split()[-FUTURE_WINDOW:])
        note = _resolve(match, day, bool(_FUTURE.search(before)), sentence)
        if note is None:
            continue
        end = match.end()
        if sentence[end : end + 2] in {"'s", "’s"}:
            end += 2  # "Friday's [2024-12-20] ruling", not "Friday [..]'s"
        parts.append(sentence[last:end])
        parts.append(f" [{note}]")
        last = end
    parts.append(sentence[last:])
    return "".join(parts)


def _resolve(match: re.Match[str], day: date, future: bool, sentence: str) -> str | None:
    mod = " ".join((match.group("mod") or "").lower().split())
    unit = match.group("unit").lower()
    if _DATED_AFTER.match(sentence[match.end() :]) or _NAMES_BEFORE.search(
        sentence[: match.start()]
    ):
        return None
    if unit in _DAY_WORDS:
        return None if mod else str(day + timedelta(days=_DAY_WORDS[unit]))
    if unit in WEEKDAYS:
        if not match.group("unit")[0].isupper():
            return None  # "monday" in lower case is not a news weekday
        return str(_weekday(day, WEEKDAYS.index(unit), mod, future))
    if mod in {"", "on"}:
        return None  # "the week", "a month": not a date
    return _period(day, unit, mod)


def _weekday(day: date, target: int, mod: str, future: bool) -> date:
    back = (day.weekday() - target) % 7  # days since the latest such weekday, 0 = today
    if mod == "last":
        return day - timedelta(days=back or 7)
    if mod == "next":
        return day + timedelta(days=(target - day.weekday()) % 7 or 7)
    if future:
        return day + timedelta(days=(target - day.weekday()) % 7)
    return day - timedelta(days=back)


def _period(day: date, unit: str, mod: str) -> str:
    step = {"last": -1, "next": 1}.get(mod, 0)  # this / earlier this / later this: 0
    if unit == "week":
        monday = day - timedelta(days=day.weekday()) + timedelta(weeks=step)
        return f"week of {monday}"
    if unit == "month":
        index = day.year * 12 + day.month - 1 + step
        return f"{index // 12}-{index % 12 + 1:02d}"
    return str(day.year + step)
