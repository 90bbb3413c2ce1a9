"""The log of the analyst's corrections to the grouping.

Each row is one correction as the analyst made it: its kind, a line for
`corrections list`, the constraint it keeps (`spec`, in article ids, which
survive re-clustering), and the rows it changed as they were before (`before`,
what `undo` puts back). The clustering reads the active rows on every run;
`briefing.cluster.constraints` enforces them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from briefing.models import from_iso, to_iso, utcnow
from briefing.store.db import Store


@dataclass(slots=True)
class Correction:
    id: int
    at: datetime
    kind: str
    summary: str
    spec: dict[str, Any] = field(default_factory=dict)
    undone_at: datetime | None = None


def _row(row: sqlite3.Row) -> Correction:
    return Correction(
        id=int(row["id"]),
        at=from_iso(row["at"]) or utcnow(),
        kind=row["kind"],
        summary=row["summary"],
        spec=json.loads(row["spec"]),
        undone_at=from_iso(row["undone_at"]),
    )


def add(
    conn: sqlite3.Connection, kind: str, summary: str, spec: dict[str, Any], before: dict
) -> int:
    cursor = conn.execute(
        "INSERT INTO corrections(at, kind, summary, spec, before) VALUES (?, ?, ?, ?, ?)",
        (to_iso(utcnow()), kind, summary, json.dumps(spec), json.dumps(before)),
    )
    return int(cursor.lastrowid or 0)


def active(conn: sqlite3.Connection) -> list[Correction]:
    """The corrections in force, oldest first (a later one wins a conflict)."""
    return [
        _row(r)
        for r in conn.execute("SELECT * FROM corrections WHERE undone_at IS NULL ORDER BY id")
    ]


def all_corrections(store: Store) -> list[Correction]:
    return [_row(r) for r in store.query("SELECT * FROM corrections ORDER BY id")]


def get(conn: sqlite3.Connection, number: int) -> Correction | None:
    row = conn.execute("SELECT * FROM corrections WHERE id = ?", (number,)).fetchone()
    return None if row is None else _row(row)


def before(conn: sqlite3.Connection, number: int) -> dict[str, Any]:
    row = conn.execute("SELECT before FROM corrections WHERE id = ?", (number,)).fetchone()
    return {} if row is None else dict(json.loads(row[0]))


def mark_undone(conn: sqlite3.Connection, number: int) -> None:
    conn.execute("UPDATE corrections SET undone_at = ? WHERE id = ?", (to_iso(utcnow()), number))


def reactivate(conn: sqlite3.Connection, number: int, before: dict[str, Any]) -> None:
    """In force again (a redo), with the rows as they are now for the next undo."""
    conn.execute(
        "UPDATE corrections SET undone_at = NULL, before = ? WHERE id = ?",
        (json.dumps(before), number),
    )


def set_spec(conn: sqlite3.Connection, number: int, spec: dict[str, Any]) -> None:
    """Remember what enforcing it created (the id of a split-off story), to reuse it."""
    conn.execute("UPDATE corrections SET spec = ? WHERE id = ?", (json.dumps(spec), number))
