from __future__ import annotations

from datetime import UTC, date, datetime

from briefing.models import TriageState
from briefing.store import Store, triage


def test_put_then_get_round_trips_every_field(store: Store) -> None:
    state = TriageState(
        "s1",
        read=True,
        starred=True,
        dismissed=False,
        snoozed_until=date(2026, 11, 23),
        tags=["russia", "sanctions"],
        note="Ask legal about the order\nline two",
        seen_event_at=datetime(2024, 6, 20, 12, tzinfo=UTC),
    )
    triage.put(store, state)
    got = triage.get(store, "s1")
    assert (got.read, got.starred, got.snoozed_until, got.tags, got.note, got.seen_event_at) == (
        True,
        True,
        date(2026, 11, 23),
        ["russia", "sanctions"],
        state.note,
        state.seen_event_at,
    )
    assert got.updated_at is not None


def test_unknown_story_has_a_blank_state(store: Store) -> None:
    assert triage.get(store, "nope") == TriageState("nope")


def test_merge_keeps_the_union(store: Store) -> None:
    triage.put(store, TriageState("old", starred=True, tags=["a"], note="first"))
    triage.put(store, TriageState("new", read=True, tags=["b"], note="second"))
    triage.move(store, ["old", "new"], "old")
    merged = triage.get(store, "old")
    assert merged.starred and not merged.read
    assert merged.tags == ["a", "b"]
    assert merged.note == "first\n\nsecond"
    assert set(triage.all_states(store)) == {"old"}


def test_moving_nothing_writes_nothing(store: Store) -> None:
    triage.move(store, ["ghost"], "other")
    assert triage.all_states(store) == {}
