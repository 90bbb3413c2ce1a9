"""Sessions: when the analyst last looked (what is "new"), and whether this is the first run.

Kept in the store's meta table, so every front end (the app, the CLI's first
run, the demo) reads and writes the same two keys.
"""

from __future__ import annotations

from datetime import datetime

from briefing.models import from_iso, to_iso
from briefing.store import Store

LAST_SESSION_KEY = "last_session_at"
FIRST_RUN_KEY = "first_run_done"


def last_session(store: Store) -> datetime | None:
    """When the previous session ended (None on a first session: everything is new)."""
    return from_iso(store.get_meta(LAST_SESSION_KEY))


def end_session(store: Store, now: datetime) -> None:
    """The next session marks what arrived after this moment as new."""
    store.set_meta(LAST_SESSION_KEY, to_iso(now) or "")


def first_run_done(store: Store) -> bool:
    return bool(store.get_meta(FIRST_RUN_KEY))


def mark_first_run_done(store: Store) -> None:
    store.set_meta(FIRST_RUN_KEY, "1")
