"""Watches, mutes and entities as a front end reads and edits them.

The rules live below (`briefing.watching`, `briefing.store.watches`,
`briefing.store.query`); this module is the one door the app uses, so the
screens never reach into the store for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from briefing import watching
from briefing.store import Store
from briefing.store import entities as entity_store
from briefing.store import query as syntax
from briefing.store import watches as watch_store
from briefing.store.entities import Named
from briefing.store.search import SearchError
from briefing.store.watches import MUTE_KINDS, Exists, Mute, Watch

__all__ = [
    "MUTE_KINDS",
    "Exists",
    "Mute",
    "Named",
    "Watch",
    "add_mute",
    "add_watch",
    "all_mutes",
    "get_watch",
    "query_problem",
    "remove_mute",
    "story_watches",
    "top_entities",
]

add_watch = watch_store.add_watch
get_watch = watch_store.get_watch
all_mutes = watch_store.all_mutes
add_mute = watch_store.add_mute
remove_mute = watch_store.remove_mute


def query_problem(text: str) -> str | None:
    """Why a watch query cannot be saved (no valid search, or nothing to match); else None."""
    try:
        empty = syntax.parse(text).empty
    except SearchError as exc:
        return str(exc)
    return "Words, or a field such as entity:CISA, please." if empty else None


def story_watches(store: Store, story_id: str, hidden: Collection[int] = ()) -> tuple[str, ...]:
    """The names of the watches that match this story."""
    return watching.story_watches(store, [story_id], hidden=hidden).get(story_id, ())


def top_entities(
    store: Store, story_id: str, hidden: Collection[int] = (), limit: int = 6
) -> list[Named]:
    """The story's most-mentioned entities, muted articles left out."""
    counts = entity_store.of_stories(store, [story_id], hidden).get(story_id, Counter())
    return entity_store.top(counts, limit)
