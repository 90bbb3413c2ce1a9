"""The story list and the triage rules, without Textual: read is derived, hidden, filters, order."""

from __future__ import annotations

from datetime import date, timedelta

from briefing.models import TriageState, from_iso
from briefing.reading import rules
from briefing.reading import stories as model
from briefing.reading.stories import Briefing, Filter
from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.store import triage as triage_store
from tests.tui.conftest import NOW

TODAY = NOW.date()


def ids(items: list[model.Item]) -> list[str]:
    return [i.id for i in items]


def load(store: Store) -> Briefing:
    return Briefing.load(store, NOW, from_iso("2026-11-19T08:00:00Z"))


def test_order_and_new_marks(filled: Store) -> None:
    briefing = load(filled)
    assert ids(briefing.visible(Filter(), "recent", TODAY)) == [
        "kaspersky",
        "pipeline",
        "patch",
        "nis2",
    ]
    assert ids(briefing.visible(Filter(), "coverage", TODAY))[:2] == ["pipeline", "kaspersky"]
    assert {i.id for i in briefing.items.values() if i.new} == {"kaspersky"}
    # no previous session: everything is new
    assert all(i.new for i in Briefing.load(filled, NOW, None).items.values())


def test_read_is_derived_from_the_last_event(filled: Store) -> None:
    story = load(filled).items["kaspersky"].story
    state = rules.marked_read(TriageState("kaspersky"), story)
    assert rules.is_read(story, state)
    story.last_event_at = story.last_event_at + timedelta(hours=1)  # type: ignore[operator]
    assert not rules.is_read(story, state)
    assert rules.toggled_read(state, story).seen_event_at == story.last_event_at


def test_dismissed_and_snoozed_are_hidden_until(filled: Store) -> None:
    story = load(filled).items["kaspersky"].story
    gone = rules.dismissed(TriageState("kaspersky"), story)
    assert rules.is_hidden(story, gone, TODAY)
    story.last_event_at = story.last_event_at + timedelta(days=1)  # type: ignore[operator]
    assert not rules.is_hidden(story, gone, TODAY)  # a new event brings it back
    later = rules.snoozed(TriageState("kaspersky"), TODAY + timedelta(days=2))
    assert rules.is_hidden(story, later, TODAY)
    assert not rules.is_hidden(story, later, TODAY + timedelta(days=2))


def test_filters_tag_feed_dates_search(filled: Store) -> None:
    triage_store.put(filled, TriageState("nis2", tags=["eu"]))
    triage_store.put(filled, TriageState("patch", starred=True))
    briefing = load(filled)
    assert ids(briefing.visible(Filter(tag="eu"), "recent", TODAY)) == ["nis2"]
    assert ids(briefing.visible(Filter(starred=True), "recent", TODAY)) == ["patch"]
    feed = next(f for f in feed_store.all_feeds(filled) if f.title == "Infra Watch")
    assert ids(briefing.visible(Filter(feed_id=feed.id), "recent", TODAY, filled)) == ["pipeline"]
    window = Filter(since=date(2026, 11, 1), until=date(2026, 11, 10))
    # an event inside the dates, not just a span across them
    assert ids(briefing.visible(window, "recent", TODAY, filled)) == ["patch"]
    assert ids(briefing.visible(window, "recent", TODAY)) == ["kaspersky", "patch"]
    # search results follow the sort the status line names, not the match rank
    ranked = Filter(search="x", search_ids=("nis2", "kaspersky"))
    assert ids(briefing.visible(ranked, "coverage", TODAY)) == ["kaspersky", "nis2"]
    assert ids(briefing.visible(ranked, "recent", TODAY)) == ["kaspersky", "nis2"]
    assert Filter(unread=True, tag="eu").describe() == "unread, tag eu"


def test_tags_and_notes_are_cleaned() -> None:
    state = rules.with_tags(TriageState("s"), "EU, sanctions \x1b[2Jeu")
    assert state.tags == ["eu", "sanctions"]
    assert rules.with_note(state, "line\x1b]52;c;SGVsbG8=\x07 one\n").note == "line one"
