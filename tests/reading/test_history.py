"""Undo and redo: a history of named actions on a real store, each saying what it did."""

from __future__ import annotations

from briefing.models import TriageState
from briefing.reading.changes import Direction, TriageChange
from briefing.reading.history import Triage
from briefing.store import Store
from briefing.store import triage as triage_store


def test_undo_restores_stored_state_one_action_at_a_time(filled: Store) -> None:
    triage = Triage(filled)
    triage.apply("star", [TriageState("kaspersky", starred=True)])
    triage.apply("tags", [TriageState("kaspersky", starred=True, tags=["x"])])
    triage.apply("mark all read", [TriageState("nis2", read=True), TriageState("patch", read=True)])
    assert triage.undo() and not triage_store.get(filled, "nis2").read
    assert not triage_store.get(filled, "patch").read
    triage.undo()
    assert triage_store.get(filled, "kaspersky").tags == []
    assert triage_store.get(filled, "kaspersky").starred
    triage.undo()
    assert not triage_store.get(filled, "kaspersky").starred
    assert triage.undo() is None and not triage.can_undo


def test_undo_restores_what_was_stored_not_what_the_caller_held(filled: Store) -> None:
    triage_store.put(filled, TriageState("nis2", note="written elsewhere"))
    triage = Triage(filled)
    triage.apply("star", [TriageState("nis2", starred=True)])
    triage.undo()
    assert triage_store.get(filled, "nis2").note == "written elsewhere"


def test_each_undo_and_redo_names_what_it_did(filled: Store) -> None:
    heard: list[TriageChange] = []
    triage = Triage(filled, on_change=heard.append)
    triage.apply("note", [TriageState("kaspersky", note="call the desk")], ["Story A"])
    triage.apply("dismiss", [TriageState("nis2", dismissed=True)], ["Story B"])

    first = triage.undo()
    second = triage.undo()
    assert first is not None and first.describe() == "Undid dismiss on “Story B”."
    assert second is not None and second.describe() == "Undid note on “Story A”."
    assert second.story_ids == ["kaspersky"]
    assert triage_store.get(filled, "kaspersky").note == ""

    redone = triage.redo()
    assert redone is not None and redone.describe() == "Redid note on “Story A”."
    assert triage_store.get(filled, "kaspersky").note == "call the desk"
    assert [(c.direction, c.action.name) for c in heard] == [
        (Direction.DONE, "note"),
        (Direction.DONE, "dismiss"),
        (Direction.UNDONE, "dismiss"),
        (Direction.UNDONE, "note"),
        (Direction.REDONE, "note"),
    ]
    assert heard[2].states[0].dismissed is False  # what is stored now


def test_a_new_action_clears_redo(filled: Store) -> None:
    triage = Triage(filled)
    triage.apply("star", [TriageState("nis2", starred=True)])
    triage.undo()
    assert triage.can_redo
    triage.apply("tags", [TriageState("nis2", tags=["eu"])])
    assert not triage.can_redo and triage.redo() is None


def test_several_stories_are_named_by_count_and_long_titles_are_cut(filled: Store) -> None:
    triage = Triage(filled)
    many = triage.apply("mark all read", [TriageState("nis2"), TriageState("patch")])
    assert many.describe() == "mark all read on 2 stories"
    one = triage.apply("star", [TriageState("nis2", starred=True)], ["x" * 200 + "\x1b[2J"])
    assert len(one.subject) <= 62 and "\x1b" not in one.subject and one.subject.endswith("…”")
