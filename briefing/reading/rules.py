"""The rules of triage, as pure functions over a story and the analyst's state.

Read is derived (a story that gained an event after it was read is unread);
dismissed holds until a new event joins; snoozed holds until its date; a
story is new when it gained an event since the last session.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from enum import Enum

from briefing.models import Event, Story, TriageState
from briefing.sanitize import clean


class Visibility(Enum):
    """Why a story is or is not in the analyst's list today."""

    SHOWN = "shown"
    DISMISSED = "dismissed"  # until a new event joins
    SNOOZED = "snoozed"  # until its date


def is_read(story: Story, state: TriageState) -> bool:
    """Read is derived: a story that gained an event after the analyst read it is unread."""
    if not state.read:
        return False
    if story.last_event_at is None or state.seen_event_at is None:
        return True
    return story.last_event_at <= state.seen_event_at


def has_news_since_seen(story: Story, state: TriageState) -> bool:
    return (
        story.last_event_at is not None
        and state.seen_event_at is not None
        and story.last_event_at > state.seen_event_at
    )


def is_dismissed(story: Story, state: TriageState) -> bool:
    """Dismissed until a new event joins: the raw flag alone is not the rule."""
    return state.dismissed and not has_news_since_seen(story, state)


def is_snoozed(state: TriageState, today: date) -> bool:
    return state.snoozed_until is not None and state.snoozed_until > today


def visibility(story: Story, state: TriageState, today: date) -> Visibility:
    if is_dismissed(story, state):
        return Visibility.DISMISSED
    if is_snoozed(state, today):
        return Visibility.SNOOZED
    return Visibility.SHOWN


def is_hidden(story: Story, state: TriageState, today: date) -> bool:
    """Dismissed until a new event joins; snoozed until its date."""
    return visibility(story, state, today) is not Visibility.SHOWN


def in_filtered_brief(story: Story, state: TriageState, named: bool = False) -> bool:
    """Whether a filtered export keeps this story (the unfiltered one keeps everything).

    A story the analyst dismissed stays out until a new event joins, exactly
    as in the app, unless it is asked for by id. A snoozed story stays in:
    snoozing defers reading it, not reporting it.
    """
    return named or not is_dismissed(story, state)


def is_new_since(story: Story, last_session: datetime | None) -> bool:
    """Gained an event since the last session (everything is new on a first session)."""
    if last_session is None:
        return True
    return story.last_event_at is not None and story.last_event_at > last_session


def seen_mark(story: Story, events: list[Event] | None = None) -> datetime | None:
    """What to record as seen: the story's last event time, or a later event arrival.

    Stages may stamp `last_event_at` with an event's date or its arrival time;
    taking the latest of both means every event the analyst saw counts as seen.
    """
    marks = [story.last_event_at] + [e.created_at for e in events or []]
    present = [m for m in marks if m is not None]
    return max(present) if present else None


def is_new_event(event: Event, state: TriageState) -> bool:
    """An event that arrived after the analyst last read the story."""
    return (
        state.seen_event_at is not None
        and event.created_at is not None
        and event.created_at > state.seen_event_at
    )


# -- triage edits: each returns the new state, the caller writes it ----------


def toggled_read(
    state: TriageState, story: Story, events: list[Event] | None = None
) -> TriageState:
    if is_read(story, state):
        return replace(state, read=False)
    return marked_read(state, story, events)


def marked_read(state: TriageState, story: Story, events: list[Event] | None = None) -> TriageState:
    marks = [m for m in (seen_mark(story, events), state.seen_event_at) if m is not None]
    seen = max(marks) if marks else None
    return replace(state, read=True, seen_event_at=seen)


def toggled_star(state: TriageState) -> TriageState:
    return replace(state, starred=not state.starred)


def dismissed(state: TriageState, story: Story, events: list[Event] | None = None) -> TriageState:
    seen = marked_read(state, story, events).seen_event_at
    return replace(state, dismissed=True, seen_event_at=seen)


def snoozed(state: TriageState, until: date) -> TriageState:
    return replace(state, snoozed_until=until)


def with_tags(state: TriageState, text: str) -> TriageState:
    """Tags typed as words separated by commas or spaces; the typed set replaces the old one."""
    text = clean(text, "note", single_line=True)
    tags = sorted({clean(t, "tag").lower() for t in text.replace(",", " ").split() if t.strip()})
    return replace(state, tags=tags)


def with_note(state: TriageState, note: str) -> TriageState:
    return replace(state, note=clean(note, "note").rstrip())
