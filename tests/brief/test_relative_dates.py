"""Relative dates get the day they mean, next to them, from the article's date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from briefing.brief.relative_dates import annotate

FRIDAY = date(2024, 6, 21)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Commerce announced the ban on Thursday.", "on Thursday [2024-06-20]."),
        ("The agency said Friday it would act.", "said Friday [2024-06-21] it"),
        ("Officials met last Friday.", "last Friday [2024-06-14]."),
        ("The panel will vote on Tuesday.", "on Tuesday [2024-06-25]."),
        ("The panel meets next Tuesday.", "next Tuesday [2024-06-25]."),
        ("The rule was published yesterday.", "yesterday [2024-06-20]."),
        ("It takes effect today.", "today [2024-06-21]."),
        ("Talks resume tomorrow.", "tomorrow [2024-06-22]."),
        ("Lawmakers wrote last week to the agency.", "last week [week of 2024-06-10] to"),
        ("A hearing is planned for next week.", "next week [week of 2024-06-24]."),
        ("Sales stop next month.", "next month [2024-07]."),
        ("Guidance came earlier this month.", "earlier this month [2024-06]."),
        ("The law passed last year.", "last year [2023]."),
        ("Thursday's order names the vendor.", "Thursday's [2024-06-20] order"),
        # the tense is the clause's: "will" elsewhere in the sentence does not count
        ("The vote on Thursday will matter.", "vote on Thursday [2024-06-20] will"),
        ("He said he would sign the order on Monday.", "on Monday [2024-06-24]."),
    ],
)
def test_annotated(sentence: str, expected: str) -> None:
    result = annotate(sentence, FRIDAY)
    assert expected in result
    # Never rewritten in place: removing the notes gives the sentence back.
    assert result.replace(expected, expected.split(" [")[0] + expected.split("]", 1)[1]) == (
        sentence
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Patch Tuesday release fixed it.",
        "Black Friday sales were hit.",
        "The order, dated Thursday, June 20, took effect.",
        "The week was busy and the month was long.",
        "A year of audits followed.",
        "The monday.com breach was different.",
    ],
)
def test_left_alone(sentence: str) -> None:
    assert annotate(sentence, FRIDAY) == sentence


def test_needs_a_date() -> None:
    assert annotate("It happened on Thursday.", None) == "It happened on Thursday."


def test_uses_the_utc_day_of_a_datetime() -> None:
    when = datetime(2024, 6, 21, 23, 30, tzinfo=UTC)
    assert annotate("It happened yesterday.", when) == "It happened yesterday [2024-06-20]."
