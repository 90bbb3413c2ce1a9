"""Full-text extraction: real pages from a local server, the process pool, the address guard."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from briefing.config import Settings
from briefing.fetch.extract_worker import extract_page
from briefing.models import Article
from briefing.pipeline import ExtractProgress, ProgressEvent, run
from briefing.sanitize import LIMITS
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store
from briefing.store.search import search_articles

from .conftest import FeedServer, Reply, client, fetch, fixture


def rss(items: list[tuple[str, str, str]], title: str = "Policy Wire") -> bytes:
    """(guid, link, pubDate or "") -> a small RSS 2.0 feed."""
    body = "".join(
        f'<item><title>Entry {guid}</title><link>{link}</link><guid isPermaLink="false">{guid}'
        f"</guid><description>Teaser for {guid}.</description>"
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
        for guid, link, date in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}'
        "</channel></rss>"
    ).encode()


def articles(store: Store) -> dict[str, Article]:
    return {a.guid: a for a in article_store.all_articles(store)}


@pytest.fixture
def full(settings: Settings) -> Settings:
    return replace(settings, extract_full_text=True)


async def test_pages_are_extracted_failures_keep_the_summary_and_are_retried(
    server: FeedServer, store: Store, full: Settings
) -> None:
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.routes["/clutter"] = Reply(200, fixture("article-clutter.html"), html)
    server.routes["/esc"] = Reply(200, fixture("article-esc.html"), html)
    server.routes["/pdf"] = Reply(200, b"%PDF-1.4", {"Content-Type": "application/pdf"})
    server.routes["/huge"] = Reply(200, b"<html>" + b"x" * 400_000, html)
    server.feed(
        "/feed.xml",
        rss(
            [
                ("clutter", server.url("/clutter"), ""),  # no date, no author in the feed
                ("esc", server.url("/esc"), "Thu, 20 Jun 2024 18:00:00 GMT"),
                ("missing", server.url("/missing"), "Thu, 20 Jun 2024 18:00:00 GMT"),
                ("pdf", server.url("/pdf"), "Thu, 20 Jun 2024 18:00:00 GMT"),
                ("huge", server.url("/huge"), "Thu, 20 Jun 2024 18:00:00 GMT"),
            ]
        ),
    )
    feed_store.add(store, server.url("/feed.xml"))
    events: list[ProgressEvent] = []
    report = await fetch(store, full, events)
    assert (report.extracted, report.extract_failed, report.extract_skipped) == (2, 2, 1)
    progress = [e for e in events if isinstance(e, ExtractProgress)]
    assert [e.done for e in progress] == [1, 2, 3, 4, 5] and progress[-1].total == 5

    stored = articles(store)
    clutter = stored["clutter"]
    assert clutter.extract_status == "ok"
    assert "barred the sale of antivirus products" in clutter.text
    assert "pursue every legal option" in clutter.text
    for noise in ("Advertisement", "Copyright", "Subscribe", "Most read", "podcasts"):
        assert noise not in clutter.text
    assert clutter.summary == "Teaser for clutter."  # the feed's own summary stays
    # page metadata filled what the feed lacked
    assert clutter.author == "Dana Whitfield"
    assert clutter.published == datetime(2024, 6, 20, tzinfo=UTC)

    esc = stored["esc"]
    assert esc.extract_status == "ok"
    assert "\x1b" not in esc.text
    assert "The Commerce Department on Thursday barred" in esc.text
    assert esc.published == datetime(2024, 6, 20, 18, 0, tzinfo=UTC)  # the feed's date wins

    missing = stored["missing"]
    assert missing.extract_status == "failed"
    assert missing.extract_error == "HTTP 404 for the article page"
    assert missing.text == "" and missing.body == "Teaser for missing."
    assert stored["pdf"].extract_status == "skipped"
    assert "application/pdf" in (stored["pdf"].extract_error or "")
    assert stored["huge"].extract_status == "failed"
    assert "cap" in (stored["huge"].extract_error or "")

    # failed pages are retried by later runs, three attempts in all; ok pages are not
    for _ in range(3):
        await fetch(store, full)
    assert len(server.hits("/missing")) == 3
    assert len(server.hits("/clutter")) == 1
    assert len(server.hits("/pdf")) == 1
    assert article_store.count(store) == 5


async def test_private_links_in_a_public_feed_are_not_fetched(
    server: FeedServer, store: Store, full: Settings
) -> None:
    server.routes["/internal-page"] = Reply(
        200, fixture("article-clutter.html"), {"Content-Type": "text/html"}
    )
    server.feed(
        "/feed.xml",
        rss(
            [
                ("admin", server.url("/internal-page", host="localhost"), ""),
                ("metadata", "http://169.254.169.254/latest/meta-data/", ""),
            ]
        ),
    )
    feed_store.add(store, server.url("/feed.xml"))

    async def pretend_public(host: str) -> list[str]:
        # The feed's host "resolves" to a public address; the links do not.
        return ["93.184.215.14"] if host == "127.0.0.1" else ["127.0.0.1"]

    report = await fetch(store, full, resolver=pretend_public)
    assert report.extract_skipped == 2 and report.extracted == 0
    stored = articles(store)
    for guid in ("admin", "metadata"):
        assert stored[guid].extract_status == "skipped"
        assert "private or loopback" in (stored[guid].extract_error or "")
    assert server.hits("/internal-page") == []

    # the same links in a feed that is itself on a private host are fetched
    store.conn.execute("UPDATE articles SET extract_status = 'pending'")
    report = await fetch(store, full)
    assert report.extracted == 1
    assert len(server.hits("/internal-page")) == 1


class _PublicIsLocal(httpx.AsyncHTTPTransport):
    """Connections to the pretend public address 93.184.215.14 reach the local server."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC:
            request.url = request.url.copy_with(host="127.0.0.1")
        return await super().handle_async_request(request)


PUBLIC = "93.184.215.14"


async def test_the_checked_address_is_connected_and_redirects_are_checked_again(
    server: FeedServer, store: Store, full: Settings
) -> None:
    server.routes["/hop"] = Reply(302, b"", {"Location": "http://10.0.0.7/secret"})
    server.routes["/page"] = Reply(
        200, fixture("article-clutter.html"), {"Content-Type": "text/html"}
    )
    server.feed(
        "/feed.xml",
        rss(
            [
                ("hop", f"http://hop.example:{server.port}/hop", ""),
                ("page", f"http://news.example:{server.port}/page", ""),
            ]
        ),
    )
    feed_store.add(store, server.url("/feed.xml"))

    async def resolver(host: str) -> list[str]:
        # The feed host and the story hosts are "public"; the redirect target is not.
        return ["10.0.0.7"] if host == "10.0.0.7" else [PUBLIC]

    async with (
        httpx.AsyncClient(transport=_PublicIsLocal()) as transport,
        client(full, client=transport, resolver=resolver) as http,
    ):
        report = await run(store, full, client=http, later_stages=False)
    stored = articles(store)
    assert stored["hop"].extract_status == "skipped", stored["hop"].extract_error
    assert "10.0.0.7" in (stored["hop"].extract_error or "")
    # the page was fetched from the checked address, under its own name
    assert stored["page"].extract_status == "ok", stored["page"].extract_error
    (request,) = server.hits("/page")
    assert request.headers["host"] == f"news.example:{server.port}"
    assert (report.extracted, report.extract_skipped) == (1, 1)


async def test_text_cut_at_its_cap_is_recorded_as_truncated(
    server: FeedServer, store: Store, full: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(LIMITS, "text", 200)
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.routes["/clutter"] = Reply(200, fixture("article-clutter.html"), html)
    server.feed("/feed.xml", rss([("long", server.url("/clutter"), "")]))
    feed_store.add(store, server.url("/feed.xml"))
    report = await fetch(store, full, [])
    assert report.extracted == 1
    stored = articles(store)["long"]
    assert stored.truncated
    assert len(stored.text) == 200 and stored.text.endswith("…")


def test_the_worker_reads_a_page_date_only_when_asked() -> None:
    page = fixture("article-clutter.html")
    url = "https://policywire.example/2024/06/commerce"
    dated = extract_page(page, url, "text/html; charset=utf-8", True)
    assert dated["date"] == "2024-06-20"
    assert dated["author"] == "Dana Whitfield" and dated["sitename"] == "Policy Wire"
    assert "barred the sale of antivirus products" in dated["text"]
    # The feed dated the article: same text and byline, no date search.
    undated = extract_page(page, url, "text/html; charset=utf-8", False)
    assert undated == {**dated, "date": ""}


def test_a_page_without_a_site_name_is_named_by_its_host() -> None:
    page = b"<html><body><article>" + b"<p>" + b"The agency issued new rules. " * 20 + b"</p>"
    page += b"</article></body></html>"
    found = extract_page(page, "https://www.ledger.example/a", "text/html", False)
    assert found["text"] and found["sitename"] == "ledger.example"


async def test_a_pages_read_more_lines_are_not_stored_or_searchable(
    server: FeedServer, store: Store, full: Settings
) -> None:
    body = "".join(
        f"<p>{paragraph}</p>"
        for paragraph in (
            "The agency set a two-year window for operators to report major incidents, "
            "and it plans to publish the final text of the rule next spring.",
            "Read more: Regulators add Huawei and ZTE to the list of covered equipment",
            "Water utilities and hospitals fall inside the rule whatever their size, "
            "a change from the draft that industry groups had asked the agency to drop.",
            "Related: Senators question the cost estimate for incident reporting",
        )
    )
    page = f"<html><body><article><h1>Reporting rule</h1>{body}</article></body></html>"
    server.routes["/rule"] = Reply(200, page.encode(), {"Content-Type": "text/html"})
    server.feed("/feed.xml", rss([("rule", server.url("/rule"), "Thu, 20 Jun 2024 18:00:00 GMT")]))
    feed_store.add(store, server.url("/feed.xml"))
    assert (await fetch(store, full, [])).extracted == 1

    text = articles(store)["rule"].text
    assert "two-year window" in text and "whatever their size" in text
    assert "Huawei" not in text and "Senators" not in text
    assert search_articles(store, "hospitals") and not search_articles(store, "Huawei")


async def test_a_page_whose_write_fails_costs_only_itself_and_the_run_reports_it(
    server: FeedServer, store: Store, full: Settings
) -> None:
    import sqlite3

    html = {"Content-Type": "text/html; charset=utf-8"}
    server.routes["/page"] = Reply(200, fixture("article-clutter.html"), html)
    server.feed("/feed.xml", rss([(g, server.url(f"/page?{g}"), "") for g in "abc"]))
    feed_store.add(store, server.url("/feed.xml"))
    # The feed goes in first; then page b's row refuses every extraction result.
    await fetch(store, replace(full, extract_full_text=False))
    with store.write() as conn:
        conn.execute(
            """CREATE TRIGGER refuse BEFORE UPDATE OF extract_status ON articles
               WHEN new.guid = 'b' BEGIN SELECT RAISE(ABORT, 'no room for page b'); END"""
        )
    feeds = {f.id: f for f in feed_store.all_feeds(store) if f.id is not None}
    pending = article_store.all_articles(store)
    async with client(full) as http:
        from briefing.fetch.extract import extract_articles
        from briefing.fetch.workers import Workers

        workers = Workers()
        try:
            with pytest.raises(sqlite3.IntegrityError, match="no room for page b"):
                await extract_articles(store, http, workers, pending, feeds)
        finally:
            workers.close()
    status = {a.guid: a.extract_status for a in article_store.all_articles(store)}
    assert status == {"a": "ok", "b": "pending", "c": "ok"}


async def test_pages_submitted_as_the_last_runner_finishes_are_still_extracted(
    server: FeedServer, store: Store, full: Settings
) -> None:
    # A feed's pages arriving in the loop turn after the last runner ran out of
    # work: that runner's task is done but still listed until its done callback
    # runs. Counting it left the new pages queued with nobody to take them.
    from briefing.fetch.extract import PageExtractor
    from briefing.fetch.workers import Workers

    links = [(g, f"http://10.20.30.{n}/{g}", "") for n, g in enumerate(["first", "late"], 1)]
    server.feed("/feed.xml", rss(links))
    feed_store.add(store, server.url("/feed.xml"))
    await fetch(store, replace(full, extract_full_text=False))
    stored = articles(store)
    loop = asyncio.get_running_loop()

    def progress(done: int, total: int) -> None:
        if done == total == 1:  # in the runner's last step, before its task is done
            loop.call_soon(pages.submit, [stored["late"]])

    workers = Workers()
    try:
        async with client(full) as http:
            # no feed is known to be local: the private links are refused, never fetched
            pages = PageExtractor(store, http, workers, {}, on_progress=progress)
            pages.submit([stored["first"]])
            counts = await pages.finish()
    finally:
        workers.close()
    assert (pages.total, counts.skipped) == (2, 2)
    status = {a.guid: a.extract_status for a in article_store.all_articles(store)}
    assert status == {"first": "skipped", "late": "skipped"}
