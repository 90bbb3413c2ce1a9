"""The app's list and a filtered brief select stories by the same rules, for every triage state."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from briefing.brief.model import build_brief
from briefing.models import TriageState
from briefing.reading import rules
from briefing.reading.stories import Briefing, Filter, story
from briefing.store import Store
from briefing.store import triage as triage_store
from tests.tui.conftest import NOW

TODAY = NOW.date()
STORY = "patch"


def _states(seen: object) -> dict[str, tuple[TriageState, bool, bool]]:
    """name -> (state, shown in the app, kept in a filtered brief)."""
    base = TriageState(STORY, seen_event_at=seen)  # type: ignore[arg-type]
    earlier = base.seen_event_at - timedelta(hours=1)  # type: ignore[operator]
    return {
        "untouched": (TriageState(STORY), True, True),
        "read": (replace(base, read=True), True, True),
        "starred": (replace(base, starred=True), True, True),
        "tagged with a note": (replace(base, tags=["eu"], note="follow up"), True, True),
        "dismissed": (replace(base, read=True, dismissed=True), False, False),
        # an event joined after the dismissal: back in the app, so back in the brief
        "dismissed, then a new event": (
            replace(base, read=True, dismissed=True, seen_event_at=earlier),
            True,
            True,
        ),
        # snoozing defers reading, not reporting
        "snoozed": (replace(base, snoozed_until=TODAY + timedelta(days=2)), False, True),
        "snooze over": (replace(base, snoozed_until=TODAY), True, True),
    }


CASES = list(_states(NOW))


@pytest.mark.parametrize("name", CASES)
def test_app_and_brief_agree(filled: Store, name: str) -> None:
    found = story(filled, STORY)
    assert found is not None and found.last_event_at is not None
    state, in_app, in_brief = _states(found.last_event_at)[name]
    triage_store.put(filled, state)

    briefing = Briefing.load(filled, NOW, None)
    shown = [i.id for i in briefing.visible(Filter(), "recent", TODAY, filled)]
    brief = build_brief(filled, generated=NOW, since=date(2000, 1, 1))
    exported = [s.id for s in brief.stories]

    assert (STORY in shown) is in_app
    assert (STORY in exported) is in_brief
    # both follow the one rule in the reading layer
    stored = triage_store.get(filled, STORY)
    assert (STORY in exported) is rules.in_filtered_brief(found, stored)
    assert (STORY in shown) is (rules.visibility(found, stored, TODAY) is rules.Visibility.SHOWN)


def test_a_dismissed_story_named_by_id_is_exported(filled: Store) -> None:
    found = story(filled, STORY)
    assert found is not None
    triage_store.put(filled, rules.dismissed(TriageState(STORY), found))
    brief = build_brief(filled, generated=NOW, story_ids=[STORY])
    assert [s.id for s in brief.stories] == [STORY]
