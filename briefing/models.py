"""The domain objects every layer shares. Plain dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(value: datetime | None) -> str | None:
    """UTC datetimes travel as `2024-06-20T14:00:00Z` in the store and exports."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(slots=True)
class Feed:
    url: str
    title: str = ""
    category: str = ""
    id: int | None = None
    site_url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    added_at: datetime | None = None
    last_fetched: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    failures: int = 0
    dead: bool = False
    retry_after: datetime | None = None
    item_count: int = 0
    # Something about the feed's health that is not a failure (see store.feeds.add_note).
    note: str = ""

    @property
    def name(self) -> str:
        return self.title or self.url


@dataclass(slots=True)
class Article:
    feed_id: int
    guid: str
    url: str
    title: str
    outlet: str = ""
    published: datetime | None = None
    summary: str = ""
    text: str = ""
    id: int | None = None
    author: str = ""
    language: str = ""
    first_seen: datetime | None = None
    extract_status: str = "pending"  # pending | ok | failed | skipped
    extract_error: str | None = None
    truncated: bool = False
    duplicate_of: int | None = None
    event_id: str | None = None
    read: bool = False

    @property
    def body(self) -> str:
        """The best text we have: the extracted page, else the feed's own summary."""
        return self.text or self.summary


@dataclass(frozen=True, slots=True)
class Sentence:
    """One extracted sentence of a summary, attributed to the article it came from."""

    text: str
    article_id: int | None = None
    source: str = ""  # the outlet's name, for attribution


@dataclass(slots=True)
class Event:
    id: str
    title: str
    date: date
    story_id: str | None = None
    article_ids: list[int] = field(default_factory=list)
    summary: list[Sentence] = field(default_factory=list)
    created_at: datetime | None = None
    corrected: bool = False  # an analyst changed it (merge, split, move)


@dataclass(slots=True)
class Story:
    id: str
    title: str
    first_date: date
    last_date: date
    event_ids: list[str] = field(default_factory=list)
    summary: list[Sentence] = field(default_factory=list)
    created_at: datetime | None = None
    # when the story last gained an event: drives "new since last session"
    last_event_at: datetime | None = None
    corrected: bool = False  # an analyst changed it (merge, split, move, rename)


@dataclass(slots=True)
class TriageState:
    story_id: str
    read: bool = False
    starred: bool = False
    dismissed: bool = False
    snoozed_until: date | None = None
    tags: list[str] = field(default_factory=list)
    note: str = ""
    # the story's last_event_at when the analyst read/dismissed it; a newer
    # event brings the story back as unread
    seen_event_at: datetime | None = None
    updated_at: datetime | None = None
