"""The fetch pipeline against a real server on 127.0.0.1: formats, HTTP behaviour, health."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta

import pytest

from briefing.config import Settings
from briefing.models import Feed, utcnow
from briefing.pipeline import (
    ExtractProgress,
    FeedDone,
    ProgressEvent,
    StageDone,
    StageStarted,
    not_due_reason,
    retry_after,
)
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store

from .conftest import FeedServer, Reply, fetch, fixture


def by_guid(store: Store, feed: Feed) -> dict[str, object]:
    return {a.guid: a for a in article_store.all_articles(store) if a.feed_id == feed.id}


def reload(store: Store, feed: Feed) -> Feed:
    assert feed.id is not None
    found = feed_store.get(store, feed.id)
    assert found is not None
    return found


def count_rows(store: Store) -> tuple[int, int]:
    total = article_store.count(store)
    distinct = store.query("SELECT COUNT(DISTINCT feed_id || '|' || guid) FROM articles")[0][0]
    return total, distinct


# -- formats and normalization --------------------------------------------------------------


async def test_every_format_is_parsed_and_normalized(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.feed("/rss2.xml", fixture("rss2.xml"))
    server.feed("/atom.xml", fixture("atom.xml"), "application/atom+xml")
    server.feed("/rss1.rdf", fixture("rss1.rdf"), "application/rdf+xml")
    server.feed("/feed.json", fixture("feed.json"), "application/feed+json")
    server.feed("/cp1251.xml", fixture("cp1251.xml"), "application/rss+xml")
    feeds = {
        name: feed_store.add(store, server.url(f"/{name}"))
        for name in ("rss2.xml", "atom.xml", "rss1.rdf", "feed.json", "cp1251.xml")
    }
    before = utcnow()
    events: list[ProgressEvent] = []
    report = await fetch(store, settings, events)
    after = utcnow()

    assert report.errors == []
    assert (report.feeds_ok, report.feeds_failed) == (5, 0)
    # rss2 lists one guid twice: 3 + atom 2 + rss1 2 + json 2 + cp1251 1
    assert report.articles_new == 10
    assert article_store.count(store) == 10

    rss = by_guid(store, feeds["rss2.xml"])
    assert set(rss) == {"pw-2024-0620-kaspersky", "pw-2024-0618-hearing", "pw-2024-0617-future"}
    ban = rss["pw-2024-0620-kaspersky"]
    assert ban.title == "Commerce bans sales of Kaspersky software"  # HTML gone
    # relative link resolved against the feed URL, tracking params and fragment dropped
    assert ban.url == server.url("/2024/06/20/commerce-kaspersky-ban")
    assert ban.summary == (
        "The Commerce Department used its supply-chain authority to bar new sales of the "
        "antivirus software & its updates."
    )  # entities decoded, <script> content dropped
    assert ban.published == datetime(2024, 6, 20, 14, 0, tzinfo=UTC)
    assert ban.outlet == "Policy Wire"
    assert ban.author == "Dana Whitfield"
    assert ban.language == "en"
    undated = rss["pw-2024-0618-hearing"]
    assert undated.published is not None and before <= undated.published <= after
    future = rss["pw-2024-0617-future"]
    assert future.published is not None and future.published <= after  # clamped to now

    atom = by_guid(store, feeds["atom.xml"])
    sanctions = atom["tag:cyberledger.example,2024:treasury-sanctions"]
    assert sanctions.title == "Treasury weighs sanctions on security vendor executives"
    assert sanctions.url == server.url("/stories/treasury-sanctions-weighed")
    assert sanctions.published == datetime(2024, 6, 21, 7, 30, tzinfo=UTC)  # updated, no published
    assert sanctions.language == "en"
    assert sanctions.author == "Ravi Castellanos"
    hospital = atom["tag:cyberledger.example,2024:hospital-ransomware"]
    assert hospital.published == datetime(2024, 6, 19, 14, 45, tzinfo=UTC)  # to UTC
    assert hospital.summary == "The group posted sample files on its leak site on Wednesday."

    rdf = by_guid(store, feeds["rss1.rdf"])
    drones = rdf["https://capitolsecurity.example/house-bill-drones"]
    assert drones.outlet == "Capitol Security Report"
    budget = rdf["https://capitolsecurity.example/cisa-budget"]
    assert budget.published == datetime(2024, 6, 13, 15, 20, tzinfo=UTC)

    js = by_guid(store, feeds["feed.json"])
    routers = js["td-0001"]
    assert routers.url == "https://threatdesk.example/research/espionage-campaign-routers"
    assert routers.summary == "The intrusions relied on old firmware that owners had never updated."
    assert routers.author == "Mira Oyelaran"
    assert routers.outlet == "Threat Desk"
    kit = js["td-0002"]
    assert kit.url == server.url("/research/phishing-kit-update")
    assert kit.published == datetime(2024, 6, 15, 12, 30, tzinfo=UTC)

    (grid,) = by_guid(store, feeds["cp1251.xml"]).values()
    assert grid.title == "Оператори енергомереж посилюють захист після нових атак"
    assert grid.outlet == "Infra Watch — Україна"
    assert grid.language == "uk"
    assert grid.published == datetime(2024, 6, 5, 7, 0, tzinfo=UTC)

    # feeds learned their titles; progress events came in order
    assert reload(store, feeds["atom.xml"]).title == "The Cyber Ledger"
    assert isinstance(events[0], StageStarted) and events[0].total == 5
    done = [e for e in events if isinstance(e, FeedDone)]
    assert sorted(e.done for e in done) == [1, 2, 3, 4, 5]
    assert all(e.total == 5 and e.error is None for e in done)
    assert isinstance(events[-1], StageDone)


async def test_refetch_updates_in_place_and_never_duplicates(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    body = fixture("rss2.xml")
    server.feed("/rss2.xml", body)
    feed = feed_store.add(store, server.url("/rss2.xml"))
    first = await fetch(store, settings)
    assert first.articles_new == 3
    stored = by_guid(store, feed)
    undated_before = stored["pw-2024-0618-hearing"].published

    # unchanged body: nothing new, nothing updated (also the undated and future entries)
    second = await fetch(store, settings)
    assert (second.articles_new, second.articles_updated) == (0, 0)

    # the publisher edits one entry's headline and teaser
    edited = body.replace(
        b"Senate panel schedules hearing on cyber incident reporting",
        b"Senate panel moves hearing on cyber incident reporting to July",
    )
    server.feed("/rss2.xml", edited)
    third = await fetch(store, settings)
    assert (third.articles_new, third.articles_updated) == (0, 1)
    after = by_guid(store, feed)
    hearing = after["pw-2024-0618-hearing"]
    assert hearing.title == "Senate panel moves hearing on cyber incident reporting to July"
    assert hearing.id == stored["pw-2024-0618-hearing"].id  # same row
    assert hearing.published == undated_before  # first-seen date kept
    assert count_rows(store) == (3, 3)


# -- conditional GET, redirects, status codes ------------------------------------------------


async def test_second_fetch_is_304_and_parses_nothing(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.conditional("/feed.xml", fixture("rss2.xml"), etag='"abc123"')
    feed = feed_store.add(store, server.url("/feed.xml"))
    await fetch(store, settings)
    stored = reload(store, feed)
    assert stored.etag == '"abc123"'
    assert stored.last_modified == "Fri, 21 Jun 2024 08:00:00 GMT"

    # If the body were parsed, this broken body would be an error.
    server.routes["/feed.xml"] = lambda seen: (
        Reply(304, b"", {"ETag": '"abc123"'})
        if seen.headers.get("if-none-match") == '"abc123"'
        else Reply(200, b"<<< not xml", {"Content-Type": "application/rss+xml"})
    )
    events: list[ProgressEvent] = []
    report = await fetch(store, settings, events)
    request = server.hits("/feed.xml")[-1]
    assert request.headers["if-none-match"] == '"abc123"'
    assert request.headers["if-modified-since"] == "Fri, 21 Jun 2024 08:00:00 GMT"
    assert request.headers["user-agent"].startswith("briefing/")
    assert "github.com/briefing-reader/briefing" in request.headers["user-agent"]
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert report.feeds_not_modified == 1 and report.feeds_failed == 0
    assert report.parse_cpu == 0.0  # the parser never ran
    assert (report.articles_new, report.articles_updated) == (0, 0)
    (done,) = [e for e in events if isinstance(e, FeedDone)]
    assert done.status == "not-modified"
    assert reload(store, feed).last_success is not None
    assert article_store.count(store) == 3


async def test_permanent_redirect_moves_the_stored_url(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.routes["/old.xml"] = Reply(301, b"", {"Location": "/new.xml"})
    server.routes["/temp.xml"] = Reply(302, b"", {"Location": "/new2.xml"})
    server.feed("/new.xml", fixture("rss1.rdf"))
    server.feed("/new2.xml", fixture("atom.xml"))
    moved = feed_store.add(store, server.url("/old.xml"))
    temporary = feed_store.add(store, server.url("/temp.xml"))
    report = await fetch(store, settings)
    assert report.errors == [] and report.articles_new == 4
    assert reload(store, moved).url == server.url("/new.xml")
    assert reload(store, temporary).url == server.url("/temp.xml")  # 302: not moved


async def test_gone_feed_is_dead_and_skipped_afterwards(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.routes["/gone.xml"] = Reply(410, b"gone")
    server.feed("/ok.xml", fixture("rss1.rdf"))
    gone = feed_store.add(store, server.url("/gone.xml"))
    feed_store.add(store, server.url("/ok.xml"))
    report = await fetch(store, settings)
    assert [e.url for e in report.errors] == [gone.url]
    assert "410 Gone" in report.errors[0].message
    assert reload(store, gone).dead
    assert report.articles_new == 2

    again = await fetch(store, settings)
    assert again.feeds_skipped == 1 and again.feeds_due == 1
    assert len(server.hits("/gone.xml")) == 1


async def test_429_with_retry_after_is_honoured(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.routes["/busy.xml"] = Reply(429, b"slow down", {"Retry-After": "3600"})
    busy = feed_store.add(store, server.url("/busy.xml"))
    start = utcnow()
    report = await fetch(store, settings)
    assert "429" in report.errors[0].message
    stored = reload(store, busy)
    assert stored.retry_after is not None
    assert timedelta(seconds=3590) <= stored.retry_after - start <= timedelta(seconds=3610)
    assert len(server.hits("/busy.xml")) == 1  # a 4xx is not retried

    again = await fetch(store, settings)
    assert again.feeds_skipped == 1 and again.feeds_due == 0
    assert len(server.hits("/busy.xml")) == 1


async def test_server_error_is_counted_retried_transient_only_and_others_fine(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.routes["/broken.xml"] = Reply(500, b"oops")
    server.routes["/flaky.xml"] = Reply(503, b"try again")
    server.feed("/ok.xml", fixture("atom.xml"))
    broken = feed_store.add(store, server.url("/broken.xml"))
    flaky = feed_store.add(store, server.url("/flaky.xml"))
    feed_store.add(store, server.url("/ok.xml"))
    report = await fetch(store, settings)
    messages = {e.url: e.message for e in report.errors}
    assert messages[broken.url] == "HTTP 500 Internal Server Error"
    assert messages[flaky.url] == "HTTP 503 Service Unavailable"
    assert report.articles_new == 2 and report.feeds_ok == 1
    assert len(server.hits("/broken.xml")) == 1  # 500 is not transient
    assert len(server.hits("/flaky.xml")) == 3  # 503 is: two retries
    stored = reload(store, broken)
    assert stored.failures == 1 and stored.last_error == "HTTP 500 Internal Server Error"
    assert stored.last_success is None

    # backing off: not due again right away
    again = await fetch(store, settings)
    assert again.feeds_skipped == 2
    assert len(server.hits("/broken.xml")) == 1


def test_backoff_grows_and_is_capped() -> None:
    now = datetime(2024, 6, 20, 12, 0, tzinfo=UTC)
    feed = Feed(url="http://x.example/f", failures=1, last_fetched=now - timedelta(minutes=29))
    assert not_due_reason(feed, now) is not None
    feed.last_fetched = now - timedelta(minutes=31)
    assert not_due_reason(feed, now) is None
    feed.failures, feed.last_fetched = 3, now - timedelta(minutes=119)
    assert not_due_reason(feed, now) is not None  # 2**3 * 15 min = 2 h
    feed.failures, feed.last_fetched = 40, now - timedelta(hours=24, minutes=1)
    assert not_due_reason(feed, now) is None  # capped at a day
    assert retry_after("120", now) == now + timedelta(seconds=120)
    assert retry_after("Thu, 20 Jun 2024 13:00:00 GMT", now) == now + timedelta(hours=1)
    assert retry_after("99999999", now) == now + timedelta(days=7)
    assert retry_after("soon", now) is None


# -- hostile and broken responses ---------------------------------------------------------------


def _entity_bomb() -> bytes:
    lol = "lol" * 10
    decls = [f'<!ENTITY lol0 "{lol}">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 9)
    ]
    big = "A" * 50_000
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        + "\n".join(decls)
        + f'\n<!ENTITY big "{big}">\n]>\n'
        + '<rss version="2.0"><channel><title>Breach Daily</title>'
        + "<item><title>&lol8;</title><guid>bomb-1</guid>"
        + "<description>"
        + "&big;" * 2000
        + "</description></item></channel></rss>"
    ).encode()


async def test_hostile_feeds_fail_alone(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.feed("/good.xml", fixture("rss2.xml"))
    server.gzipped("/good-gzip.xml", fixture("atom.xml"), "application/atom+xml")
    server.routes["/loop-a"] = Reply(301, b"", {"Location": "/loop-b"})
    server.routes["/loop-b"] = Reply(302, b"", {"Location": "/loop-a"})
    server.routes["/ftp"] = Reply(302, b"", {"Location": "ftp://feeds.example/x.xml"})
    server.routes["/drip.xml"] = Reply(
        200, fixture("rss1.rdf"), {"Content-Type": "application/rss+xml"}, drip=0.05
    )
    server.feed("/huge.xml", b"<rss>" + b" " * 400_000 + b"</rss>")
    # 20 KB of gzip that inflates to 20 MB (the cap here is 300 KB)
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    server.routes["/bomb.xml"] = Reply(
        200, bomb, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
    )
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = raw_deflate.compress(b"\0" * 20_000_000) + raw_deflate.flush()
    server.routes["/deflate-bomb.xml"] = Reply(
        200, deflated, {"Content-Type": "application/rss+xml", "Content-Encoding": "deflate"}
    )
    server.routes["/brotli.xml"] = Reply(
        200, b"xx", {"Content-Type": "application/rss+xml", "Content-Encoding": "br"}
    )
    server.feed("/html.xml", fixture("not-a-feed.html"), "text/html")
    server.feed("/empty.xml", b"")
    server.feed("/garbage.xml", b"\x00\x01 this is not xml at all {")
    server.feed("/entities.xml", _entity_bomb())
    server.feed(
        "/surrogate.xml",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>The Patch</title>'
        b'<item><title>Bad &#xD800; title</title><guid isPermaLink="false">s-1</guid>'
        b"<description>Also &#55296; here</description></item>"
        b'<item><title>A fine entry</title><guid isPermaLink="false">s-2</guid></item>'
        b"</channel></rss>",
    )
    paths = [
        "/good.xml",
        "/good-gzip.xml",
        "/loop-a",
        "/ftp",
        "/drip.xml",
        "/huge.xml",
        "/bomb.xml",
        "/deflate-bomb.xml",
        "/brotli.xml",
        "/html.xml",
        "/empty.xml",
        "/garbage.xml",
        "/entities.xml",
        "/surrogate.xml",
    ]
    feeds = {path: feed_store.add(store, server.url(path)) for path in paths}
    report = await fetch(store, settings)
    errors = {e.url: e.message for e in report.errors}

    def error(path: str) -> str:
        return errors[feeds[path].url]

    assert "redirect loop" in error("/loop-a")
    assert "non-http(s)" in error("/ftp")
    assert "within 1.5 s" in error("/drip.xml")
    assert "cap" in error("/huge.xml")
    assert "after decompression" in error("/bomb.xml")
    assert "after decompression" in error("/deflate-bomb.xml")
    assert "unsupported Content-Encoding 'br'" in error("/brotli.xml")
    assert "HTML page, not a feed" in error("/html.xml")
    assert "empty response" in error("/empty.xml")
    assert "not an RSS or Atom feed" in error("/garbage.xml")
    assert "declares XML entities" in error("/entities.xml")
    assert set(errors) == {feeds[p].url for p in paths} - {
        feeds[p].url for p in ("/good.xml", "/good-gzip.xml", "/surrogate.xml")
    }
    for path in ("/html.xml", "/empty.xml", "/bomb.xml"):
        stored = reload(store, feeds[path])
        assert stored.failures == 1 and stored.last_error == error(path)
        assert stored.etag is None

    # lone surrogates replaced, the feed's entries kept
    patch = by_guid(store, feeds["/surrogate.xml"])
    assert patch["s-1"].title == "Bad \ufffd title"
    assert set(patch) == {"s-1", "s-2"}
    # the good feeds were untouched by all of this
    assert len(by_guid(store, feeds["/good.xml"])) == 3
    assert len(by_guid(store, feeds["/good-gzip.xml"])) == 2
    assert report.articles_new == 3 + 2 + 2
    assert count_rows(store) == (7, 7)


async def test_local_file_feed(store: Store, settings: Settings, tmp_path) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(fixture("feed.json"))
    feed_store.add(store, path.as_uri())
    report = await fetch(store, settings)
    assert report.errors == [] and report.articles_new == 2


@pytest.mark.parametrize("extract", [False])
async def test_progress_events_cover_every_feed(
    server: FeedServer, store: Store, settings: Settings, extract: bool
) -> None:
    server.feed("/a.xml", fixture("rss1.rdf"))
    server.routes["/b.xml"] = Reply(500, b"")
    feed_store.add(store, server.url("/a.xml"))
    feed_store.add(store, server.url("/b.xml"))
    events: list[ProgressEvent] = []
    await fetch(store, settings, events)
    done = {e.feed.url: e for e in events if isinstance(e, FeedDone)}
    assert done[server.url("/a.xml")].new == 2 and done[server.url("/a.xml")].error is None
    assert done[server.url("/b.xml")].status == "error"
    assert not [e for e in events if isinstance(e, ExtractProgress)]


async def test_503_with_retry_after_waits_and_encodings_decode(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.routes["/maintenance.xml"] = Reply(
        503, b"", {"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    zlib_wrapped = zlib.compress(fixture("rss1.rdf"))
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw_deflate = raw.compress(fixture("atom.xml")) + raw.flush()
    server.routes["/zlib.xml"] = Reply(
        200, zlib_wrapped, {"Content-Type": "application/rss+xml", "Content-Encoding": "deflate"}
    )
    server.routes["/raw.xml"] = Reply(
        200, raw_deflate, {"Content-Type": "application/atom+xml", "Content-Encoding": "deflate"}
    )
    maintenance = feed_store.add(store, server.url("/maintenance.xml"))
    feed_store.add(store, server.url("/zlib.xml"))
    feed_store.add(store, server.url("/raw.xml"))
    # a port nobody listens on: connection refused, retried, then reported
    refused = feed_store.add(store, "http://127.0.0.1:9/feed.xml")
    report = await fetch(store, settings)
    messages = {e.url: e.message for e in report.errors}
    assert set(messages) == {maintenance.url, refused.url}
    assert len(server.hits("/maintenance.xml")) == 1  # Retry-After: no immediate retry
    stored = reload(store, maintenance)
    # a far-off date is capped at a week
    assert stored.retry_after is not None
    assert timedelta(days=6) < stored.retry_after - utcnow() <= timedelta(days=7)
    assert "asked to wait until" in messages[maintenance.url]
    assert messages[refused.url].startswith("cannot connect to 127.0.0.1")
    assert report.articles_new == 2 + 2  # both deflate flavours decoded


def test_progress_line_rewrites_itself_on_a_terminal() -> None:
    import io

    from briefing.cli_fetch import Display

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    display = Display(out)
    feed = Feed(url="http://x.example/f", id=1)
    display(StageStarted("fetch", 2))
    display(FeedDone(feed, 3, 0, None, "ok", 1, 2))
    display(FeedDone(feed, 0, 0, "HTTP 500", "error", 2, 2))
    display(StageDone("fetch", 0.5))
    text = out.getvalue()
    assert text.count("\r\x1b[K") == 3
    assert "feeds 2/2 · 3 new articles · 1 errors" in text
    assert text.endswith("fetch done in 0.5 s\n")


def test_hosts_are_interleaved() -> None:
    from briefing.pipeline import interleave_hosts

    urls = ["http://a.example/1", "http://a.example/2", "http://a.example/3", "http://b.example/1"]
    order = [f.url for f in interleave_hosts([Feed(url=u) for u in urls])]
    assert order == [
        "http://a.example/1",
        "http://b.example/1",
        "http://a.example/2",
        "http://a.example/3",
    ]


async def test_two_feeds_moving_to_one_url_do_not_break_the_run(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.routes["/a.xml"] = Reply(301, b"", {"Location": "/target.xml"})
    server.routes["/b.xml"] = Reply(308, b"", {"Location": "/target.xml"})
    server.feed("/target.xml", fixture("rss1.rdf"))
    server.feed("/other.xml", fixture("atom.xml"))
    a = feed_store.add(store, server.url("/a.xml"))
    b = feed_store.add(store, server.url("/b.xml"))
    feed_store.add(store, server.url("/other.xml"))
    report = await fetch(store, settings)
    urls = sorted(reload(store, f).url for f in (a, b))
    assert server.url("/target.xml") in urls
    assert len(set(urls)) == 2  # one moved, the other kept its own URL
    assert len(by_guid(store, feed_store.by_url(store, server.url("/other.xml")))) == 2
    assert report.feeds_ok + report.feeds_failed == 3
