"""The analyst's decisions about stories. Written at once; never lost to re-clustering."""

from __future__ import annotations

import json

from briefing.models import TriageState, to_iso, utcnow
from briefing.store import rows
from briefing.store.db import Store


def get(store: Store, story_id: str) -> TriageState:
    row = store.conn.execute("SELECT * FROM triage WHERE story_id = ?", (story_id,)).fetchone()
    return TriageState(story_id=story_id) if row is None else rows.triage(row)


def all_states(store: Store) -> dict[str, TriageState]:
    return {r["story_id"]: rows.triage(r) for r in store.query("SELECT * FROM triage")}


def put(store: Store, state: TriageState) -> None:
    """Write one story's whole triage state in its own committed transaction."""
    with store.write() as conn:
        conn.execute(
            """INSERT INTO triage(story_id, read, starred, dismissed, snoozed_until, tags, note,
                   seen_event_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(story_id) DO UPDATE SET
                   read = excluded.read, starred = excluded.starred,
                   dismissed = excluded.dismissed, snoozed_until = excluded.snoozed_until,
                   tags = excluded.tags, note = excluded.note,
                   seen_event_at = excluded.seen_event_at, updated_at = excluded.updated_at""",
            (
                state.story_id,
                int(state.read),
                int(state.starred),
                int(state.dismissed),
                state.snoozed_until.isoformat() if state.snoozed_until else None,
                json.dumps(state.tags),
                state.note,
                to_iso(state.seen_event_at),
                to_iso(utcnow()),
            ),
        )


def merge_states(states: list[TriageState], story_id: str) -> TriageState:
    """The union of several stories' state, for when they merge into one."""
    merged = TriageState(story_id=story_id)
    if not states:
        return merged
    merged.read = all(s.read for s in states)
    merged.starred = any(s.starred for s in states)
    merged.dismissed = all(s.dismissed for s in states)
    snoozes = [s.snoozed_until for s in states if s.snoozed_until]
    merged.snoozed_until = (
        max(snoozes) if snoozes and all(s.snoozed_until for s in states) else None
    )
    merged.tags = sorted({t for s in states for t in s.tags})
    merged.note = "\n\n".join(s.note for s in states if s.note)
    seen = [s.seen_event_at for s in states if s.seen_event_at]
    merged.seen_event_at = min(seen) if seen else None
    return merged


def move(store: Store, old_ids: list[str], new_id: str) -> None:
    """Carry triage state from old story ids onto new_id (the union), in one transaction."""
    states = [get(store, i) for i in old_ids]
    states = [s for s in states if s.updated_at is not None]
    if not states:
        return
    merged = merge_states(states, new_id)
    with store.write() as conn:
        put(store, merged)
        conn.executemany(
            "DELETE FROM triage WHERE story_id = ?", [(i,) for i in old_ids if i != new_id]
        )
