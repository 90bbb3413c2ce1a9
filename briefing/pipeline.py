"""One refresh: fetch due feeds → parse → store → extract → cluster → summarize.

The CLI (`briefing fetch`, via `run_cli`) and the app's refresh worker both
call `run`. It is a coroutine: the CLI runs it with `asyncio.run`; the app can
await it in an async worker, or call `asyncio.run(run(...))` in a thread
worker. Progress is reported through a callback that receives the small event
objects below, in this order:

    StageStarted("fetch", total=<feeds due>)
    FeedDone(...)                    once per due feed, as each finishes
    StageDone("fetch", seconds)
    StageStarted("extract", total)   when full text is enabled and pages are due
    ExtractProgress(done, total)     once per article page
    StageDone("extract", seconds)
    StageStarted("cluster") / StageDone("cluster", ...)      when that stage exists
    StageStarted("summarize") / StageDone("summarize", ...)  when that stage exists
    StageFailed(name, error)         instead of StageDone when a stage crashed

The callback is called on the thread running the event loop; a Textual thread
worker should forward events with `app.call_from_thread`. Events are frozen
dataclasses and safe to keep.

Per-feed failures never stop a run: each is counted on the feed (health,
back-off, 410 dead, Retry-After) and listed in `RunReport.errors`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

import httpx

from briefing.config import Settings
from briefing.fetch.extract import MAX_ATTEMPTS, extract_articles
from briefing.fetch.http import FetchError, HttpClient, round_robin_by_host
from briefing.fetch.parse import ParsedFeed, ParseError, parse_timed
from briefing.fetch.workers import WorkerError, Workers
from briefing.models import Feed, to_iso, utcnow
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
# Pages extracted per run at most (newest first); the rest wait for the next run.
EXTRACT_PER_RUN = 2_000

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


# -- progress events ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageStarted:
    """A stage began: "fetch", "extract", "cluster" or "summarize". `total` when known."""

    name: str
    total: int = 0


@dataclass(frozen=True, slots=True)
class FeedDone:
    """One feed finished.

    `status` is "ok" (parsed and stored), "not-modified" (304, nothing parsed),
    or "error" (then `error` says why; `feed.dead` / `feed.retry_after` tell
    whether the feed is now dead or asked us to wait). `done`/`total` count
    the feeds of this run.
    """

    feed: Feed
    new: int
    updated: int
    error: str | None
    status: str = "ok"
    done: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class ExtractProgress:
    """Full-text extraction: `done` pages of `total` handled (ok, failed or skipped)."""

    done: int
    total: int


@dataclass(frozen=True, slots=True)
class StageDone:
    name: str
    seconds: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class StageFailed:
    """A whole stage (cluster, summarize) raised; the run stops there."""

    name: str
    error: str


ProgressEvent = StageStarted | FeedDone | ExtractProgress | StageDone | StageFailed
Progress = Callable[[ProgressEvent], None]


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedError:
    feed_id: int
    url: str
    name: str
    message: str


@dataclass(slots=True)
class RunReport:
    """What a run did. `feeds_total` counts every feed followed; `feeds_skipped` were not due."""

    feeds_total: int = 0
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    errors: list[FeedError] = field(default_factory=list)
    articles_new: int = 0
    articles_updated: int = 0
    new_article_ids: list[int] = field(default_factory=list)
    extracted: int = 0
    extract_failed: int = 0
    extract_skipped: int = 0
    # CPU seconds spent in feed parsing (in the worker processes)
    parse_cpu: float = 0.0
    cluster: Any = None
    summary: Any = None
    stage_errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def feeds_due(self) -> int:
        return self.feeds_ok + self.feeds_not_modified + self.feeds_failed

    @property
    def completed(self) -> bool:
        """Every stage ran (some feeds may still have failed)."""
        return not self.stage_errors


# -- scheduling ---------------------------------------------------------------------------


def not_due_reason(feed: Feed, now: datetime) -> str | None:
    """Why a feed is skipped this run, or None when it is due."""
    if feed.dead:
        return "dead (410 Gone)"
    if feed.retry_after is not None and feed.retry_after > now:
        return f"asked to wait until {to_iso(feed.retry_after)}"
    if feed.failures > 0 and feed.last_fetched is not None:
        wait = min(BACKOFF_UNIT * (2 ** min(feed.failures, 16)), BACKOFF_MAX)
        if feed.last_fetched + wait > now:
            plural = "s" if feed.failures > 1 else ""
            return f"backing off after {feed.failures} failure{plural}"
    return None


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


# -- the run -----------------------------------------------------------------------------


class _Run:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        http: HttpClient,
        workers: Workers,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.http = http
        self.workers = workers
        self.progress = progress
        self.report = RunReport()
        self.done = 0
        self.total = 0

    def emit(self, event: ProgressEvent) -> None:
        if self.progress is not None:
            self.progress(event)

    async def fetch_all(self, feeds: list[Feed]) -> None:
        self.total = len(feeds)
        self.emit(StageStarted("fetch", len(feeds)))
        start = time.perf_counter()
        # Feeds in hand at once (downloading, or waiting to be parsed): a bound
        # on memory when downloads outrun the parsers. Hosts are interleaved so
        # that feeds waiting for their host's slot do not fill it.
        in_hand = asyncio.Semaphore(max(1, self.settings.max_connections) * 2)

        async def bounded(feed: Feed) -> None:
            async with in_hand:
                await self.fetch_one(feed)

        await asyncio.gather(*(bounded(feed) for feed in interleave_hosts(feeds)))
        self.emit(StageDone("fetch", time.perf_counter() - start))

    async def fetch_one(self, feed: Feed) -> None:
        now = utcnow()
        url = feed.url
        feed.last_fetched = now
        new = updated = 0
        status = "ok"
        try:
            outcome = await self._fetch_and_store(feed, now)
        except (FetchError, ParseError, WorkerError, _FeedFailure) as exc:
            # Messages quote what servers sent (a Location, a parser's complaint):
            # through the gate, as they are printed and shown.
            error: str | None = clean(str(exc), "title", single_line=True) or type(exc).__name__
            status = "error"
        except Exception as exc:
            # A bug or an input nobody foresaw: it costs this feed, never the run.
            error = clean(f"unexpected error: {type(exc).__name__}: {exc}"[:300], "title")
            status = "error"
        else:
            error = None
            if outcome is None:
                status = "not-modified"
            else:
                new, updated = len(outcome[0]), len(outcome[1])
                self.report.new_article_ids.extend(outcome[0])
        if error is None:
            feed.last_success = now
            feed.last_error = None
            feed.failures = 0
            feed.retry_after = None
            if status == "ok":
                self.report.feeds_ok += 1
            else:
                self.report.feeds_not_modified += 1
        else:
            feed.last_error = error
            feed.failures += 1
            self.report.feeds_failed += 1
            assert feed.id is not None
            self.report.errors.append(FeedError(feed.id, feed.url, feed.name, error))
        try:
            feed_store.update(self.store, feed)
        except sqlite3.IntegrityError:
            # Two feeds moved to the same URL in one run: the second keeps its own.
            feed.url = url
            feed_store.update(self.store, feed)
        self.report.articles_new += new
        self.report.articles_updated += updated
        self.done += 1
        self.emit(FeedDone(feed, new, updated, error, status, self.done, self.total))

    async def _fetch_and_store(
        self, feed: Feed, now: datetime
    ) -> tuple[list[int], list[int]] | None:
        """Fetch, parse, store. None for 304. Raises for every kind of failure."""
        new_validators: tuple[str | None, str | None] = (feed.etag, feed.last_modified)
        moved: str | None = None
        if urlsplit(feed.url).scheme == "file":
            body, content_type, source_url = await self._read_file(feed.url), "", feed.url
        else:
            headers = {"Accept": FEED_ACCEPT}
            if feed.etag:
                headers["If-None-Match"] = feed.etag
            if feed.last_modified:
                headers["If-Modified-Since"] = feed.last_modified
            response = await self.http.get(feed.url, headers)
            self._refuse_alias(feed, response.permanent_url)
            if response.status == 304:
                self._maybe_move(feed, response.permanent_url)
                return None
            if response.status == 410:
                feed.dead = True
                raise _FeedFailure("410 Gone: the publisher removed this feed; no longer fetched")
            if response.status in {429, 503}:
                when = retry_after(response.headers.get("retry-after"), now)
                if when is None and response.status == 429:
                    when = now + DEFAULT_RETRY_AFTER
                if when is not None:
                    feed.retry_after = when
                    raise _FeedFailure(
                        f"HTTP {response.status} {_reason(response.status)}; "
                        f"asked to wait until {to_iso(when)}"
                    )
            if response.status != 200:
                raise _FeedFailure(f"HTTP {response.status} {_reason(response.status)}")
            body, content_type, source_url = response.body, response.content_type, response.url
            new_validators = (response.headers.get("etag"), response.headers.get("last-modified"))
            moved = response.permanent_url
        parsed: ParsedFeed
        parsed, cpu = await self.workers.run(
            parse_timed,
            body,
            source_url,
            feed.id,
            content_type,
            feed.title,
            now,
            timeout=PARSE_TIMEOUT,
        )
        self.report.parse_cpu += cpu
        assert feed.id is not None
        if parsed.provisional:
            # Keep the stand-in date stored the first time, so an undated entry
            # does not look changed (or move in time) on every fetch.
            stored = extraction.stored_dates(self.store, feed.id, sorted(parsed.provisional))
            for article in parsed.articles:
                if article.guid in stored:
                    article.published = stored[article.guid]
        result = article_store.upsert(self.store, parsed.articles)
        if urlsplit(feed.url).scheme != "file":
            # Validators only after a successful parse: a body we could not
            # read must be fetched in full next time.
            feed.etag, feed.last_modified = new_validators
            self._maybe_move(feed, moved)
        if not feed.title and parsed.title:
            feed.title = parsed.title
        if not feed.site_url and parsed.site_url:
            feed.site_url = parsed.site_url
        return result

    def _refuse_alias(self, feed: Feed, moved: str | None) -> None:
        """A feed moved permanently onto another followed feed would store its entries twice."""
        if not moved or moved == feed.url:
            return
        other = feed_store.by_url(self.store, moved)
        if other is not None and other.id != feed.id:
            raise _FeedFailure(
                f"moved permanently to {moved[:200]}, which is already followed; "
                "this copy is not stored again (remove it)"
            )

    def _maybe_move(self, feed: Feed, moved: str | None) -> None:
        """Follow a permanent redirect in the stored URL, unless another feed has that URL."""
        if not moved or moved == feed.url:
            return
        other = feed_store.by_url(self.store, moved)
        if other is None or other.id == feed.id:
            feed.url = moved

    async def _read_file(self, url: str) -> bytes:
        path = Path(unquote(urlsplit(url).path))
        cap = self.settings.max_response_bytes

        def read() -> bytes:
            with path.open("rb") as fh:
                data = fh.read(cap + 1)
            if len(data) > cap:
                raise _FeedFailure(f"file is over the {cap:,}-byte cap")
            return data

        try:
            return await asyncio.to_thread(read)
        except OSError as exc:
            raise _FeedFailure(f"cannot read {path}: {exc.strerror or exc}") from exc

    async def extract(self) -> None:
        pending = article_store.needing_extraction(
            self.store, max_attempts=MAX_ATTEMPTS, limit=EXTRACT_PER_RUN
        )
        if not pending:
            return
        feeds = {f.id: f for f in feed_store.all_feeds(self.store) if f.id is not None}
        self.emit(StageStarted("extract", len(pending)))
        start = time.perf_counter()
        counts = await extract_articles(
            self.store,
            self.http,
            self.workers,
            pending,
            feeds,
            page_timeout=max(5.0, self.settings.request_deadline),
            on_progress=lambda done, total: self.emit(ExtractProgress(done, total)),
        )
        self.report.extracted = counts.ok
        self.report.extract_failed = counts.failed
        self.report.extract_skipped = counts.skipped
        self.emit(
            StageDone(
                "extract",
                time.perf_counter() - start,
                f"{counts.ok} extracted, {counts.failed} failed, {counts.skipped} skipped",
            )
        )

    async def later_stages(self) -> None:
        """Clustering, then summaries of what the clustering changed."""
        from briefing.cluster import stage as cluster_stage
        from briefing.summarize import stage as summary_stage

        stages: list[tuple[str, Callable[[], Any]]] = [
            ("cluster", lambda: cluster_stage.run(self.store)),
            ("summarize", lambda: summary_stage.run(self.store, self.settings)),
        ]
        for name, call in stages:
            self.emit(StageStarted(name))
            start = time.perf_counter()
            try:
                # In a thread: these stages are CPU-bound and the app must stay responsive.
                result = await asyncio.to_thread(call)
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}"
                self.report.stage_errors[name] = message
                self.emit(StageFailed(name, message))
                return
            setattr(self.report, "cluster" if name == "cluster" else "summary", result)
            self.emit(StageDone(name, time.perf_counter() - start))


class _FeedFailure(Exception):
    """A feed-level failure with a message for the feed list."""


def _reason(status: int) -> str:
    return httpx.codes.get_reason_phrase(status)


async def run(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    *,
    client: HttpClient | httpx.AsyncClient | None = None,
    later_stages: bool = True,
) -> RunReport:
    """Fetch every due feed, extract new pages, then cluster and summarize.

    `client`: an `HttpClient`, or an `httpx.AsyncClient` to wrap (redirects
    are followed by briefing, so it need not follow them); by default one is
    created for the run and closed after it. `later_stages=False` stops after
    extraction (the fetch tests use it; the app and CLI never do).
    """
    start = time.perf_counter()
    now = utcnow()
    feeds = feed_store.all_feeds(store)
    due = [f for f in feeds if not_due_reason(f, now) is None]
    http = client if isinstance(client, HttpClient) else HttpClient(settings, client)
    workers = Workers()
    job = _Run(store, settings, http, workers, progress)
    job.report.feeds_total = len(feeds)
    job.report.feeds_skipped = len(feeds) - len(due)
    try:
        await job.fetch_all(due)
        if settings.extract_full_text:
            await job.extract()
    finally:
        workers.close()
        if http is not client:
            await http.aclose()
    if later_stages:
        await job.later_stages()
    job.report.seconds = time.perf_counter() - start
    return job.report


# -- the command line ----------------------------------------------------------------------


class _Display:
    """Progress on stderr: one rewritten line on a terminal, a few plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.new = 0
        self.errors = 0
        self.last_step = -1

    def __call__(self, event: ProgressEvent) -> None:
        if isinstance(event, FeedDone):
            self.new += event.new
            self.errors += event.error is not None
            line = (
                f"feeds {event.done}/{event.total} · {self.new} new articles · {self.errors} errors"
            )
            self._progress(line, event.done, event.total)
        elif isinstance(event, ExtractProgress):
            self._progress(f"full text {event.done}/{event.total} pages", event.done, event.total)
        elif isinstance(event, StageStarted):
            self.last_step = -1
            if event.name in {"cluster", "summarize"}:
                verb = "grouping stories" if event.name == "cluster" else "summarizing"
                self._line(f"{verb}…", final=not self.tty)
            elif event.total == 0 and event.name == "fetch":
                self._line("no feeds due (all fetched recently, backing off, or dead)", final=True)
        elif isinstance(event, StageDone):
            detail = f": {event.detail}" if event.detail else ""
            self._line(f"{event.name} done in {event.seconds:.1f} s{detail}", final=True)
        elif isinstance(event, StageFailed):
            self._line(f"{event.name} failed: {event.error}", final=True)

    def _progress(self, line: str, done: int, total: int) -> None:
        if self.tty:
            self._line(line, final=False)
            return
        # Plain output (a log, a pipe): about ten lines per stage.
        step = done * 10 // max(total, 1)
        if step != self.last_step or done == total:
            self.last_step = step
            self._line(line, final=True)

    def _line(self, text: str, *, final: bool) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def run_cli(store: Store, settings: Settings) -> int:
    """`briefing fetch`. Exit 0 when the run completed, even if some feeds failed;
    1 when nothing could run: no feeds, every due feed failed, or a stage crashed."""
    err = sys.stderr
    if not feed_store.all_feeds(store):
        print(
            "briefing: no feeds to fetch. Add one with `briefing feeds add URL`, "
            "or follow the defaults with `briefing feeds import --defaults`.",
            file=err,
        )
        return 1
    display = _Display(err)
    report = asyncio.run(run(store, settings, display))
    print(
        f"{report.feeds_due} feeds fetched ({report.feeds_not_modified} unchanged, "
        f"{report.feeds_failed} failed, {report.feeds_skipped} not due) · "
        f"{report.articles_new} new, {report.articles_updated} updated articles · "
        f"full text {report.extracted} ok, {report.extract_failed} failed · "
        f"{report.seconds:.1f} s",
        file=err,
    )
    for failure in sorted(report.errors, key=lambda e: e.url):
        print(f"failed: {failure.url}: {failure.message}", file=err)
    for stage, message in report.stage_errors.items():
        print(f"briefing: the {stage} stage failed: {message}", file=err)
    if report.stage_errors or (report.feeds_due and report.feeds_failed == report.feeds_due):
        return 1
    return 0
