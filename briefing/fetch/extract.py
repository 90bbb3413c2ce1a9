"""Full text for new articles: fetch each page, extract it in a worker process.

A page is fetched by the same `HttpClient` as the feeds (same limits, a
smaller size cap), then `extract_worker.extract_page` runs in the process pool
with a time limit. Trafilatura's metadata fills what the feed left empty
(author, site name as outlet, a date when the feed had none). A page that
cannot be fetched or extracted keeps the feed's summary, is marked `failed`
with the reason, and is tried again by later runs (up to `MAX_ATTEMPTS`).

Links in a feed served from a public host that point at loopback, private or
link-local addresses are not fetched (`skipped`): a feed must not be able to
make briefing probe the analyst's own network. A feed that itself lives on
such a host (an intranet feed, the demo, the tests) may link to it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from briefing.fetch.http import (
    BlockedAddress,
    FetchError,
    HttpClient,
    is_private_host,
)
from briefing.fetch.parse import OLDEST_DATE
from briefing.fetch.tasks import extract_page
from briefing.fetch.workers import PER_WORKER, WorkerError, Workers
from briefing.models import Article, Feed, to_iso, utcnow
from briefing.sanitize import clean_text
from briefing.store import Store, extraction
from briefing.store import articles as article_store

MAX_ATTEMPTS = 3
# Article pages larger than this are not worth extracting (and cost memory).
PAGE_BYTES = 5_000_000
PAGE_TIMEOUT = 30.0
# Pages' results are written in one transaction per this many pages, or after
# this many seconds: a commit per page (and a full-text index segment per
# commit) cost the event loop, the refresh's busiest part, about half a
# millisecond a page. A crash loses at most these few, extracted again next run.
WRITE_BATCH = 64
WRITE_DELAY = 0.2
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


@dataclass(slots=True)
class ExtractCounts:
    ok: int = 0
    failed: int = 0
    skipped: int = 0


async def feed_is_local(feed: Feed, http: HttpClient) -> bool:
    """A file feed, or one whose host resolves to a non-public address."""
    parts = urlsplit(feed.url)
    if parts.scheme == "file":
        return True
    try:
        async with asyncio.timeout(http.settings.connect_timeout):
            return await is_private_host(parts.hostname or "", http.resolver)
    except (FetchError, TimeoutError):
        return False


class PageExtractor:
    """Article pages fetched and extracted while feeds are still arriving.

    `submit` takes articles as their feed is stored and starts on them at
    once; `finish` waits for every page submitted. `on_progress(done, total)`
    is called per page; `total` grows as feeds bring more.
    """

    def __init__(
        self,
        store: Store,
        http: HttpClient,
        workers: Workers,
        feeds: dict[int, Feed],
        *,
        page_timeout: float = PAGE_TIMEOUT,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.store = store
        self.http = http
        self.workers = workers
        self.feeds = feeds
        self.page_timeout = page_timeout
        self.on_progress = on_progress
        self.counts = ExtractCounts()
        self.total = 0
        self.done = 0
        self.max_bytes = min(PAGE_BYTES, http.settings.max_response_bytes)
        # Pages in hand at once (downloading, or waiting for a worker): fetching
        # runs ahead of extraction, and without a bound thousands of page bodies
        # would wait in memory for the workers.
        self._width = max(1, http.settings.max_connections) + workers.size * PER_WORKER
        self._queues: dict[str, deque[Article]] = {}
        self._hosts: deque[str] = deque()
        self._runners: set[asyncio.Task[None]] = set()
        # runners still taking pages: a finished task stays in `_runners` until its
        # done callback runs, a loop turn later, and must not count as one
        self._taking = 0
        self._local: dict[int, asyncio.Task[bool]] = {}
        self._writes: list[Callable[[], None]] = []
        self._flush_timer: asyncio.TimerHandle | None = None
        self._write_error: Exception | None = None

    def submit(self, articles: Sequence[Article]) -> None:
        """Queue these pages and make sure runners are working; returns at once."""
        for article in articles:
            host = urlsplit(article.url).hostname or ""
            if host not in self._queues:
                self._queues[host] = deque()
                self._hosts.append(host)
            self._queues[host].append(article)
            self.total += 1
        while self._taking < self._width and self._taking < self._queued():
            self._taking += 1
            task = asyncio.ensure_future(self._run())
            self._runners.add(task)
            task.add_done_callback(self._runners.discard)

    async def finish(self) -> ExtractCounts:
        while self._runners:
            await asyncio.gather(*list(self._runners))
        self.flush()
        if self._write_error is not None:
            raise self._write_error
        return self.counts

    def write(self, change: Callable[[], None]) -> None:
        """Store a page's result with the next batch (see WRITE_BATCH)."""
        self._writes.append(change)
        if len(self._writes) >= WRITE_BATCH:
            self.flush()
        elif self._flush_timer is None:
            self._flush_timer = asyncio.get_running_loop().call_later(WRITE_DELAY, self.flush)

    def flush(self) -> None:
        """Write the pages' results held so far, in one transaction."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        changes, self._writes = self._writes, []
        if not changes:
            return
        try:
            with self.store.write():
                for change in changes:
                    change()
        except Exception:
            # One page's write failing must not cost the others theirs.
            for change in changes:
                try:
                    with self.store.write():
                        change()
                except Exception as exc:
                    self._write_error = self._write_error or exc

    def _queued(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def _next(self) -> Article | None:
        """The next page, taking hosts in turn so that no one host holds every runner."""
        if not self._hosts:
            return None
        host = self._hosts.popleft()
        queue = self._queues[host]
        article = queue.popleft()
        if queue:
            self._hosts.append(host)
        else:
            del self._queues[host]
        return article

    async def _run(self) -> None:
        try:
            while (article := self._next()) is not None:
                await self._one(article)
        finally:
            # in the step that found the queue empty: a `submit` after it starts a runner
            self._taking -= 1

    def _is_local(self, feed_id: int) -> asyncio.Task[bool]:
        """Whether a feed may link to private addresses, asked once per feed."""
        if feed_id not in self._local:
            feed = self.feeds.get(feed_id)
            check = feed_is_local(feed, self.http) if feed is not None else _false()
            self._local[feed_id] = asyncio.ensure_future(check)
        return self._local[feed_id]

    async def _one(self, article: Article) -> None:
        allow_private = await self._is_local(article.feed_id)
        try:
            status, _ = await _extract_one(
                self.store,
                self.write,
                self.http,
                self.workers,
                article,
                allow_private=allow_private,
                max_bytes=self.max_bytes,
                page_timeout=self.page_timeout,
            )
        except Exception as exc:
            # An input nobody foresaw costs this page, never the other pages.
            assert article.id is not None
            status = "failed"
            self.write(
                partial(
                    article_store.set_extracted,
                    self.store,
                    article.id,
                    text="",
                    status=status,
                    error=f"unexpected error: {type(exc).__name__}: {exc}"[:300],
                )
            )
        if status == "ok":
            self.counts.ok += 1
        elif status == "skipped":
            self.counts.skipped += 1
        else:
            self.counts.failed += 1
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)


async def _false() -> bool:
    return False


async def extract_articles(
    store: Store,
    http: HttpClient,
    workers: Workers,
    articles: Sequence[Article],
    feeds: dict[int, Feed],
    *,
    page_timeout: float = PAGE_TIMEOUT,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExtractCounts:
    """Extract every article given; store each result as it lands."""
    extractor = PageExtractor(
        store, http, workers, feeds, page_timeout=page_timeout, on_progress=on_progress
    )
    extractor.submit(articles)
    return await extractor.finish()


async def _extract_one(
    store: Store,
    write: Callable[[Callable[[], None]], None],
    http: HttpClient,
    workers: Workers,
    article: Article,
    *,
    allow_private: bool,
    max_bytes: int,
    page_timeout: float,
) -> tuple[str, str | None]:
    assert article.id is not None

    async def mark(status: str, error: str | None) -> tuple[str, str | None]:
        assert article.id is not None
        write(
            partial(
                article_store.set_extracted,
                store,
                article.id,
                text="",
                status=status,
                error=clean_text(error, "title").text,
            )
        )
        return status, error

    if not article.url:
        return await mark("skipped", "no http(s) link to fetch")
    try:
        response = await http.get(
            article.url,
            {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"},
            max_bytes=max_bytes,
            allow_private=allow_private,
        )
    except BlockedAddress as exc:
        return await mark("skipped", str(exc))
    except FetchError as exc:
        return await mark("failed", str(exc))
    if response.status != 200:
        return await mark("failed", f"HTTP {response.status} for the article page")
    mime = response.content_type.split(";")[0].strip().lower()
    if mime not in HTML_TYPES:
        return await mark("skipped", f"not a web page ({mime[:60]})")
    try:
        page = await workers.run(
            extract_page,
            response.body,
            response.url,
            response.content_type,
            _wants_date(article),
            timeout=page_timeout,
        )
    except WorkerError as exc:
        return await mark("failed", f"extraction: {exc}")
    except Exception as exc:  # trafilatura/lxml raising on a page is that page's problem
        return await mark("failed", f"extraction failed: {type(exc).__name__}: {exc}"[:300])
    text = clean_text(page["text"], "text")
    if not text.text.strip():
        return await mark("failed", "no article text found on the page")
    published = _page_date(page["date"])
    article_id = article.id
    author = clean_text(page["author"], "author", single_line=True).text
    outlet = clean_text(page["sitename"], "outlet", single_line=True).text

    def record() -> None:
        article_store.set_extracted(
            store,
            article_id,
            text=text.text,
            status="ok",
            error=None,
            author=author,
            published=to_iso(published),
            outlet=outlet,
            truncated=text.truncated,
        )
        if published is not None:
            extraction.replace_provisional_date(store, article_id, published)

    write(record)
    return "ok", None


def _wants_date(article: Article) -> bool:
    """The feed gave no date (the first-seen time stands in): the page's date may replace it."""
    return article.published is None or article.published == article.first_seen


def _page_date(value: str) -> datetime | None:
    """trafilatura's `YYYY-MM-DD`, as midnight UTC; never in the future."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None
    return None if parsed < OLDEST_DATE else min(parsed, utcnow())
