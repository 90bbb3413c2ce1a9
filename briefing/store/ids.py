"""Ids typed by a person: a unique prefix is enough.

Story and event ids are 12 hex digits; nobody types them whole. A prefix of at
least `MIN_PREFIX` characters names the one id it starts; article ids are
numbers and are matched exactly.
"""

from __future__ import annotations

from briefing.errors import BriefingError
from briefing.store.db import Store

MIN_PREFIX = 4
SHOWN = 8  # candidates listed in an error

_TABLES = {"story": "stories", "event": "events", "article": "articles"}


class IdError(BriefingError, ValueError):
    """An id that names no row, or more than one; the message lists the candidates."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


def resolve_id(store: Store, kind: str, prefix: str) -> str:
    """The one `kind` id ("story", "event", "article") that `prefix` names."""
    table = _TABLES[kind]
    typed = prefix.strip()
    if kind == "article":
        return _article(store, typed)
    exact = store.query(f"SELECT id FROM {table} WHERE id = ?", (typed,))
    if exact:
        return str(exact[0][0])
    if len(typed) < MIN_PREFIX:
        raise IdError(
            f"{kind} id {typed!r} is too short: type at least {MIN_PREFIX} characters", []
        )
    rows = store.query(
        f"SELECT id, title FROM {table} WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT ?",
        (len(typed), typed, SHOWN + 1),
    )
    if len(rows) == 1:
        return str(rows[0][0])
    listed = [f"{r[0]}  {r[1]}" for r in rows[:SHOWN]]
    if not rows:
        raise IdError(f"no {kind} with id {typed!r}", [])
    more = " …" if len(rows) > SHOWN else ""
    raise IdError(
        f"{kind} id {typed!r} is ambiguous; it starts:\n  " + "\n  ".join(listed) + more, listed
    )


def _article(store: Store, typed: str) -> str:
    if not typed.isdigit():
        raise IdError(f"article ids are numbers; {typed!r} is not one", [])
    if not store.query("SELECT 1 FROM articles WHERE id = ?", (int(typed),)):
        raise IdError(f"no article with id {typed}", [])
    return typed
