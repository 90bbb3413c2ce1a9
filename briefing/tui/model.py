"""What the briefing screen shows, computed without Textual.

The screens ask this module which stories are visible, in which order, and
what their marks are; it reads the store once per refresh and keeps the rules
(read is derived, dismissed and snoozed stories stay hidden until a new event
or their date) in one place that plain tests can check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from briefing.models import Event, Story, TriageState
from briefing.sanitize import clean
from briefing.store import Store
from briefing.store import clusters as cluster_store
from briefing.store import triage as triage_store

SORTS = ("recent", "coverage")
# "Coverage now" counts the outlets that wrote about a story in these last days.
COVERAGE_DAYS = 3


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


def is_hidden(story: Story, state: TriageState, today: date) -> bool:
    """Dismissed until a new event joins; snoozed until its date."""
    if state.dismissed and not has_news_since_seen(story, state):
        return True
    return state.snoozed_until is not None and state.snoozed_until > today


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


@dataclass(frozen=True, slots=True)
class Filter:
    unread: bool = False
    starred: bool = False
    tag: str = ""
    feed_id: int | None = None
    feed_name: str = ""
    since: date | None = None
    until: date | None = None
    # a full-text search: the query and the matching story ids, best first
    search: str = ""
    search_ids: tuple[str, ...] | None = None

    @property
    def active(self) -> bool:
        return self != Filter()

    def describe(self) -> str:
        parts = []
        if self.search:
            parts.append(f"search “{self.search}”")
        if self.unread:
            parts.append("unread")
        if self.starred:
            parts.append("starred")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.feed_id is not None:
            parts.append(f"feed {self.feed_name or self.feed_id}")
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        return ", ".join(parts)


@dataclass(slots=True)
class Item:
    """One story as the briefing screen shows it."""

    row: cluster_store.StoryRow
    state: TriageState
    new: bool = False  # gained an event since the last session

    @property
    def story(self) -> Story:
        return self.row.story

    @property
    def id(self) -> str:
        return self.row.story.id

    @property
    def read(self) -> bool:
        return is_read(self.row.story, self.state)


@dataclass(slots=True)
class Briefing:
    """All stories with their triage state, and the view rules applied to them."""

    items: dict[str, Item] = field(default_factory=dict)
    feed_stories: dict[int, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, now: datetime, last_session: datetime | None) -> Briefing:
        states = triage_store.all_states(store)
        since = now - timedelta(days=COVERAGE_DAYS)
        items: dict[str, Item] = {}
        for row in cluster_store.story_rows(store, recent_since=since, with_summary=False):
            story = row.story
            state = states.get(story.id) or TriageState(story_id=story.id)
            new = last_session is None or (
                story.last_event_at is not None and story.last_event_at > last_session
            )
            items[story.id] = Item(row, state, new)
        return cls(items)

    def visible(
        self, flt: Filter, sort: str, today: date, store: Store | None = None
    ) -> list[Item]:
        """The stories the analyst should see now, in the chosen order."""
        wanted = None if flt.search_ids is None else set(flt.search_ids)
        feed_ids: set[str] | None = None
        if flt.feed_id is not None and store is not None:
            feed_ids = cluster_store.story_ids_for_feed(store, flt.feed_id)
        active: set[str] | None = None
        if (flt.since or flt.until) and store is not None:
            active = cluster_store.story_ids_active_between(store, flt.since, flt.until)
        shown = []
        for item in self.items.values():
            story, state = item.story, item.state
            if wanted is not None and story.id not in wanted:
                continue
            if is_hidden(story, state, today):
                continue
            if flt.unread and item.read:
                continue
            if flt.starred and not state.starred:
                continue
            if flt.tag and flt.tag not in state.tags:
                continue
            if feed_ids is not None and story.id not in feed_ids:
                continue
            if active is not None and story.id not in active:
                continue
            # without the store: the story's span overlaps the dates
            if flt.since and story.last_date < flt.since:
                continue
            if flt.until and story.first_date > flt.until:
                continue
            shown.append(item)
        if flt.search_ids is not None:
            rank = {sid: n for n, sid in enumerate(flt.search_ids)}
            shown.sort(key=lambda i: rank[i.id])
        elif sort == "coverage":
            shown.sort(key=_recent_key, reverse=True)
            shown.sort(key=lambda i: i.row.recent_sources, reverse=True)
        else:
            shown.sort(key=_recent_key, reverse=True)
        return shown

    def tags(self) -> list[str]:
        return sorted({t for item in self.items.values() for t in item.state.tags})


def _recent_key(item: Item) -> tuple[str, str, str]:
    story = item.story
    return (
        story.last_date.isoformat(),
        story.last_event_at.isoformat() if story.last_event_at else "",
        story.id,
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


class Triage:
    """Writes triage edits at once (one committed transaction each) and keeps them for undo."""

    def __init__(self, store: Store, depth: int = 100) -> None:
        self.store = store
        self.depth = depth
        self._undo: list[list[TriageState]] = []

    def get(self, story_id: str) -> TriageState:
        return triage_store.get(self.store, story_id)

    def put(self, new: TriageState, before: TriageState | None = None) -> TriageState:
        """Write one story's state; what the store held before is kept for undo.

        `before` is accepted for callers' convenience but the stored row is the
        truth: undo restores exactly what was on disk.
        """
        del before
        with self.store.write():
            previous = self.get(new.story_id)
            triage_store.put(self.store, new)
        self._remember([previous])
        return new

    def put_many(self, changes: list[tuple[TriageState, TriageState]]) -> None:
        """Several stories (new, before) in one transaction, undone together."""
        if not changes:
            return
        befores = []
        with self.store.write():
            stored = triage_store.all_states(self.store)
            for new, _before in changes:
                befores.append(stored.get(new.story_id) or TriageState(story_id=new.story_id))
                triage_store.put(self.store, new)
        self._remember(befores)

    def _remember(self, befores: list[TriageState]) -> None:
        self._undo.append(befores)
        del self._undo[: -self.depth]

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> list[TriageState]:
        """Restore the states before the last action; returns them (empty: nothing to undo)."""
        if not self._undo:
            return []
        restored = self._undo.pop()
        with self.store.write():
            for state in restored:
                triage_store.put(self.store, state)
        return restored
