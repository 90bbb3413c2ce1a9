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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from briefing.fetch.extract_worker import extract_page
from briefing.fetch.http import (
    BlockedAddress,
    FetchError,
    HttpClient,
    is_private_host,
    round_robin_by_host,
)
from briefing.fetch.workers import WorkerError, Workers
from briefing.models import Article, Feed, to_iso, utcnow
from briefing.sanitize import clean_text
from briefing.store import Store, extraction
from briefing.store import articles as article_store

MAX_ATTEMPTS = 3
# Article pages larger than this are not worth extracting (and cost memory).
PAGE_BYTES = 5_000_000
PAGE_TIMEOUT = 30.0
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
    counts = ExtractCounts()
    total = len(articles)
    done = 0
    # Only the feeds these articles came from, checked concurrently.
    feed_ids = sorted({a.feed_id for a in articles if a.feed_id in feeds})
    answers = await asyncio.gather(*(feed_is_local(feeds[i], http) for i in feed_ids))
    local = dict(zip(feed_ids, answers, strict=True))
    max_bytes = min(PAGE_BYTES, http.settings.max_response_bytes)
    # Pages in hand at once (downloading, or waiting for a worker): fetching
    # runs ahead of extraction, and without a bound thousands of page bodies
    # would wait in memory for the two workers.
    in_hand = asyncio.Semaphore(max(1, http.settings.max_connections) + workers.size * 2)

    async def one(article: Article) -> None:
        async with in_hand:
            await handle(article)

    async def handle(article: Article) -> None:
        nonlocal done
        try:
            status, _ = await _extract_one(
                store,
                http,
                workers,
                article,
                allow_private=local.get(article.feed_id, False),
                max_bytes=max_bytes,
                page_timeout=page_timeout,
            )
        except Exception as exc:
            # An input nobody foresaw costs this page, never the other pages.
            assert article.id is not None
            status = "failed"
            article_store.set_extracted(
                store,
                article.id,
                text="",
                status=status,
                error=f"unexpected error: {type(exc).__name__}: {exc}"[:300],
            )
        if status == "ok":
            counts.ok += 1
        elif status == "skipped":
            counts.skipped += 1
        else:
            counts.failed += 1
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    await asyncio.gather(*(one(a) for a in round_robin_by_host(articles, lambda a: a.url)))
    return counts


async def _extract_one(
    store: Store,
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
        article_store.set_extracted(
            store,
            article.id,
            text="",
            status=status,
            error=clean_text(error, "title").text,
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
            extract_page, response.body, response.url, response.content_type, timeout=page_timeout
        )
    except WorkerError as exc:
        return await mark("failed", f"extraction: {exc}")
    except Exception as exc:  # trafilatura/lxml raising on a page is that page's problem
        return await mark("failed", f"extraction failed: {type(exc).__name__}: {exc}"[:300])
    text = clean_text(page["text"], "text")
    if not text.text.strip():
        return await mark("failed", "no article text found on the page")
    published = _page_date(page["date"])
    article_store.set_extracted(
        store,
        article.id,
        text=text.text,
        status="ok",
        error=None,
        author=clean_text(page["author"], "author", single_line=True).text,
        published=to_iso(published),
        outlet=clean_text(page["sitename"], "outlet", single_line=True).text,
        truncated=text.truncated,
    )
    if published is not None:
        extraction.replace_provisional_date(store, article.id, published)
    return "ok", None


def _page_date(value: str) -> datetime | None:
    """trafilatura's `YYYY-MM-DD`, as midnight UTC; never in the future."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None
    return min(parsed, utcnow())
