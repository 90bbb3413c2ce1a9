"""One feed, one refresh: the HTTP rules a feed lives by, and its health.

`refresh_feed` fetches a feed (conditional GET with its stored validators, or
a `file:` read), parses it in a worker process, stores its entries and records
the outcome on the feed: validators, a permanent redirect, 410 (dead),
Retry-After (429/503), and the failure count that drives the back-off in
`not_due_reason`. A failure costs this feed, never the run.

A feed that publishes more new entries at once than `NEW_PER_RUN` has its
newest ones stored and the rest left for the next run (its validators are not
kept, so the next run reads it in full again); `FeedOutcome.capped` says so.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.fetch.http import FetchError, HttpClient, round_robin_by_host
from briefing.fetch.parse import ParsedFeed, ParseError, parse_timed
from briefing.fetch.validators import Validators
from briefing.fetch.workers import WorkerError, Workers
from briefing.models import Article, Feed, to_iso
from briefing.sanitize import clean
from briefing.store import Store, extraction
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store

# Seconds one feed may take to parse (in a worker process) before it is given up.
PARSE_TIMEOUT = 30.0
# A feed that keeps failing is retried after min(2**failures * 15 min, 24 h).
BACKOFF_UNIT = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)
# A 429 without Retry-After waits this long; a Retry-After is honoured up to a week.
DEFAULT_RETRY_AFTER = timedelta(minutes=30)
MAX_RETRY_AFTER = timedelta(days=7)
# New entries stored per feed and run at most, newest first: a normal morning
# brings a few dozen; a feed that dumps its whole archive waits a few runs
# instead of holding the others up (and memory) in one.
NEW_PER_RUN = 5_000
# Entries are stored in slices of this many, so the cap is checked as they go.
SLICE = 200

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FeedStatus(StrEnum):
    """How one feed's refresh ended."""

    OK = "ok"  # parsed and stored
    NOT_MODIFIED = "not-modified"  # 304, nothing parsed
    ERROR = "error"


@dataclass(slots=True)
class FeedOutcome:
    status: FeedStatus
    error: str | None = None
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    # entries left for the next run by NEW_PER_RUN
    capped: int = 0
    parse_cpu: float = 0.0


class FeedFailure(BriefingError):
    """A feed-level failure with a message for the feed list."""


def not_due_reason(feed: Feed, now: datetime) -> str | None:
    """Why a feed is skipped this run, or None when it is due."""
    if feed.dead:
        return "dead (410 Gone)"
    if feed.retry_after is not None and feed.retry_after > now:
        return f"asked to wait until {to_iso(feed.retry_after)}"
    if (when := _backoff_until(feed)) is not None and when > now:
        plural = "s" if feed.failures > 1 else ""
        return f"backing off after {feed.failures} failure{plural}"
    return None


def next_try(feed: Feed, now: datetime) -> datetime | None:
    """When a run will next fetch this feed: None when it is due now or dead (never)."""
    if feed.dead:
        return None
    later = [t for t in (feed.retry_after, _backoff_until(feed)) if t is not None and t > now]
    return max(later) if later else None


def _backoff_until(feed: Feed) -> datetime | None:
    if feed.failures <= 0 or feed.last_fetched is None:
        return None
    return feed.last_fetched + min(BACKOFF_UNIT * (2 ** min(feed.failures, 16)), BACKOFF_MAX)


def interleave_hosts(feeds: list[Feed]) -> list[Feed]:
    """Feeds reordered round-robin over their hosts: a, b, c, a, b, c, a, …"""
    return round_robin_by_host(feeds, lambda feed: feed.url)


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """A Retry-After header (seconds or an HTTP date) as a UTC time, capped at a week."""
    if not value:
        return None
    value = value.strip()
    when: datetime | None
    if value.isdigit():
        when = now + timedelta(seconds=int(value[:9]))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo)
    return max(now, min(when, now + MAX_RETRY_AFTER)).replace(microsecond=0)


async def refresh_feed(
    store: Store,
    settings: Settings,
    http: HttpClient,
    workers: Workers,
    feed: Feed,
    now: datetime,
) -> FeedOutcome:
    """Fetch, parse and store one feed, and record its health. Never raises for the feed's sake."""
    url = feed.url
    feed.last_fetched = now
    try:
        outcome = await _fetch_and_store(store, settings, http, workers, feed, now)
    except (FetchError, ParseError, WorkerError, FeedFailure) as exc:
        # Messages quote what servers sent (a Location, a parser's complaint):
        # through the gate, as they are printed and shown.
        message = clean(str(exc), "title", single_line=True) or type(exc).__name__
        outcome = FeedOutcome(FeedStatus.ERROR, message)
    except Exception as exc:
        # A bug or an input nobody foresaw: it costs this feed, never the run.
        message = clean(f"unexpected error: {type(exc).__name__}: {exc}"[:300], "title")
        outcome = FeedOutcome(FeedStatus.ERROR, message)
    if outcome.error is None:
        feed.last_success = now
        feed.last_error = None
        feed.failures = 0
        feed.retry_after = None
    else:
        feed.last_error = outcome.error
        feed.failures += 1
    try:
        feed_store.update(store, feed)
    except sqlite3.IntegrityError:
        # Two feeds moved to the same URL in one run: the second keeps its own.
        feed.url = url
        feed_store.update(store, feed)
    return outcome


async def _fetch_and_store(
    store: Store,
    settings: Settings,
    http: HttpClient,
    workers: Workers,
    feed: Feed,
    now: datetime,
) -> FeedOutcome:
    """Fetch, parse, store. Raises for every kind of failure."""
    sent = _validators(feed, feed.etag, feed.last_modified)
    # A stored validator that cannot be sent (stored before this rule) goes now.
    feed.etag, feed.last_modified = sent.etag, sent.last_modified
    new_validators = sent
    moved: str | None = None
    if urlsplit(feed.url).scheme == "file":
        body, content_type, source_url = await _read_file(feed.url, settings), "", feed.url
    else:
        response = await http.get(feed.url, {"Accept": FEED_ACCEPT, **sent.headers()})
        _refuse_alias(store, feed, response.permanent_url)
        if response.status == 304:
            _maybe_move(store, feed, response.permanent_url)
            return FeedOutcome(FeedStatus.NOT_MODIFIED)
        _check_status(feed, response.status, response.headers, now)
        body, content_type, source_url = response.body, response.content_type, response.url
        new_validators = _validators(
            feed, response.headers.get("etag"), response.headers.get("last-modified")
        )
        moved = response.permanent_url
    parsed: ParsedFeed
    parsed, cpu = await workers.run(
        parse_timed,
        body,
        source_url,
        feed.id,
        content_type,
        feed.title,
        now,
        timeout=PARSE_TIMEOUT,
    )
    del body
    outcome = _store_entries(store, feed, parsed)
    outcome.parse_cpu = cpu
    if urlsplit(feed.url).scheme != "file" and not outcome.capped:
        # Validators only after a successful parse, and only when every entry
        # was taken: a body we could not read (or read only in part) must be
        # fetched in full next time.
        feed.etag, feed.last_modified = new_validators.etag, new_validators.last_modified
    if urlsplit(feed.url).scheme != "file":
        _maybe_move(store, feed, moved)
    if not feed.title and parsed.title:
        feed.title = parsed.title
    if not feed.site_url and parsed.site_url:
        feed.site_url = parsed.site_url
    return outcome


def _validators(feed: Feed, etag: str | None, last_modified: str | None) -> Validators:
    """The validators that can be sent; a dropped one is noted on the feed."""
    kept = Validators.of(etag, last_modified)
    if kept.dropped:
        feed_store.add_note(feed, kept.note())
    return kept


def _check_status(feed: Feed, status: int, headers: httpx.Headers, now: datetime) -> None:
    """410 kills the feed; 429/503 may ask us to wait; anything but 200 is a failure."""
    if status == 410:
        feed.dead = True
        raise FeedFailure("410 Gone: the publisher removed this feed; no longer fetched")
    if status in {429, 503}:
        when = retry_after(headers.get("retry-after"), now)
        if when is None and status == 429:
            when = now + DEFAULT_RETRY_AFTER
        if when is not None:
            feed.retry_after = when
            raise FeedFailure(
                f"HTTP {status} {_reason(status)}; asked to wait until {to_iso(when)}"
            )
    if status != 200:
        raise FeedFailure(f"HTTP {status} {_reason(status)}")


def _store_entries(store: Store, feed: Feed, parsed: ParsedFeed) -> FeedOutcome:
    """Upsert the entries newest first, stopping once NEW_PER_RUN new ones are stored."""
    assert feed.id is not None
    if parsed.provisional:
        # Keep the stand-in date stored the first time, so an undated entry
        # does not look changed (or move in time) on every fetch.
        stored = extraction.stored_dates(store, feed.id, sorted(parsed.provisional))
        for article in parsed.articles:
            if article.guid in stored:
                article.published = stored[article.guid]
    entries = sorted(parsed.articles, key=_newest_first)
    outcome = FeedOutcome(FeedStatus.OK)
    taken = 0
    reused: list[str] = []
    while taken < len(entries) and len(outcome.new_ids) < NEW_PER_RUN:
        chunk = entries[taken : taken + SLICE]
        new, updated = article_store.upsert(store, chunk, reused=reused)
        outcome.new_ids.extend(new)
        outcome.updated_ids.extend(updated)
        taken += len(chunk)
    if reused:
        feed_store.add_note(feed, "its GUIDs are not unique; items are told apart by links")
    rest = [a.guid for a in entries[taken:]]
    if rest:
        # What was left may be stored already (an older part of the feed).
        known = extraction.stored_dates(store, feed.id, rest)
        outcome.capped = sum(guid not in known for guid in rest)
    return outcome


def _newest_first(article: Article) -> float:
    when = article.published or datetime.min.replace(tzinfo=UTC)
    return -when.timestamp() if when.year > 1 else float("inf")


def _refuse_alias(store: Store, feed: Feed, moved: str | None) -> None:
    """A feed moved permanently onto another followed feed would store its entries twice."""
    if not moved or moved == feed.url:
        return
    other = feed_store.by_url(store, moved)
    if other is not None and other.id != feed.id:
        raise FeedFailure(
            f"moved permanently to {moved[:200]}, which is already followed; "
            "this copy is not stored again (remove it)"
        )


def _maybe_move(store: Store, feed: Feed, moved: str | None) -> None:
    """Follow a permanent redirect in the stored URL, unless another feed has that URL."""
    if not moved or moved == feed.url:
        return
    other = feed_store.by_url(store, moved)
    if other is None or other.id == feed.id:
        feed.url = moved


async def _read_file(url: str, settings: Settings) -> bytes:
    path = Path(unquote(urlsplit(url).path))
    cap = settings.max_response_bytes

    def read() -> bytes:
        with path.open("rb") as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:
            raise FeedFailure(f"file is over the {cap:,}-byte cap")
        return data

    try:
        return await asyncio.to_thread(read)
    except OSError as exc:
        raise FeedFailure(f"cannot read {path}: {exc.strerror or exc}") from exc


def _reason(status: int) -> str:
    return httpx.codes.get_reason_phrase(status)
