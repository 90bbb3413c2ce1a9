"""Defects an outside probe found in fetching and storing feeds (issue 16).

Each test failed before its fix. They run the real pipeline against the
hostile server on 127.0.0.1, next to the good feed, like the rest of this
directory.
"""

from __future__ import annotations

import pytest

from briefing.config import Settings
from briefing.fetch import http as http_module
from briefing.store import feeds as feed_store

from .conftest import Reply, World, assert_world_intact, rss

RSS = {"Content-Type": "application/rss+xml"}
ONE = rss([{"title": "Ministry opens a consultation", "link": "https://td.example/a", "guid": "a"}])

# One event loop for the module, so the worker pool is shared (see conftest).
pytestmark = pytest.mark.asyncio(loop_scope="session")


# -- 1: validators that cannot be sent ----------------------------------------------------


async def test_a_non_ascii_etag_is_dropped_and_the_feed_keeps_working(world: World) -> None:
    # BaseHTTPRequestHandler writes header values as latin-1: a raw 0xE9 byte.
    headers = {**RSS, "ETag": '"café"', "Last-Modified": "Fri, 20 Nov 2026 09:00:00 GMT"}
    world.server.routes["/etag.xml"] = Reply(200, ONE, headers)
    world.add("/etag.xml")
    await world.fetch()
    report = await world.fetch()  # due again at once: nothing failed

    assert world.feed().last_error is None
    assert len(world.server.hits("/etag.xml")) == 2  # the second request was sent
    second = world.server.hits("/etag.xml")[1].headers
    assert "if-none-match" not in second
    assert second["if-modified-since"] == "Fri, 20 Nov 2026 09:00:00 GMT"
    assert world.feed().etag is None
    assert "ETag that cannot be sent back" in world.feed().note
    assert_world_intact(world, report)


async def test_a_stored_validator_that_cannot_be_sent_is_cleared(world: World) -> None:
    world.server.feed("/stored.xml", ONE)
    feed = world.add("/stored.xml")
    feed.etag, feed.last_modified = '"caf\u00e9"', "Fri, 20 Nov 2026 09:00:00 GMT\u2028"
    feed_store.update(world.store, feed)
    report = await world.fetch()

    assert world.feed().last_error is None
    assert world.articles().keys() == {"a"}
    sent = world.server.hits("/stored.xml")[0].headers
    assert "if-none-match" not in sent and "if-modified-since" not in sent
    assert "an ETag and a Last-Modified" in world.feed().note
    assert_world_intact(world, report)


# -- 2: redirects into the analyst's network ----------------------------------------------


@pytest.fixture
def public_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 (the test server) counts as public; every other private address does not.

    The client still connects to the address it checked (127.0.0.1), so the
    server answers; `localhost` is private by name and is the redirect target.
    """
    real = http_module.is_private_address
    monkeypatch.setattr(http_module, "is_private_address", lambda a: a != "127.0.0.1" and real(a))


@pytest.mark.parametrize("status", [301, 302, 307])
async def test_a_public_feed_cannot_redirect_into_loopback(
    world: World, public_loopback: None, status: int
) -> None:
    secret = rss([{"title": "Internal only", "link": "http://localhost/x", "guid": "secret"}])
    world.server.feed("/secret.xml", secret)
    target = world.server.url("/secret.xml", host="localhost")
    world.server.routes["/moved.xml"] = Reply(status, b"", {"Location": target})
    feed = world.add("/moved.xml")
    report = await world.fetch()

    assert world.server.hits("/secret.xml") == []
    assert "redirect to a private or loopback address refused" in world.error()
    assert world.feed().url == feed.url  # a 301 does not move it into loopback
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_a_feed_the_analyst_added_on_loopback_may_redirect_there(world: World) -> None:
    # No monkeypatching: 127.0.0.1 is loopback, the analyst's own choice (demo, tests).
    world.server.feed("/local.xml", ONE)
    target = world.server.url("/local.xml", host="localhost")
    world.server.routes["/hop.xml"] = Reply(302, b"", {"Location": target})
    world.add("/hop.xml")
    report = await world.fetch()
    assert world.feed().last_error is None
    assert world.articles().keys() == {"a"}
    assert_world_intact(world, report)


# -- 5: one bad byte ------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml; charset=utf-8"])
async def test_one_windows_1252_byte_does_not_garble_the_whole_feed(
    world: World, content_type: str
) -> None:
    body = rss(
        [
            {"title": "Café 日本 policy note", "link": "https://td.example/cafe", "guid": "cafe"},
            {"title": "QUOTE", "link": "https://td.example/quote", "guid": "quote"},
        ]
    ).replace(b"QUOTE", b"\x93Zero trust\x94 guidance \x81 published")
    world.server.routes["/byte.xml"] = Reply(200, body, {"Content-Type": content_type})
    world.add("/byte.xml")
    report = await world.fetch()

    titles = {guid: a.title for guid, a in world.articles().items()}
    assert titles["cafe"] == "Café 日本 policy note"  # was "Caf├® µŚźµ£¼ …"
    assert titles["quote"] == "\u201cZero trust\u201d guidance \ufffd published"
    assert world.feed().title == "Threat Desk"
    assert_world_intact(world, report)


async def test_a_feed_declared_latin_1_is_left_to_its_declaration(world: World) -> None:
    prolog = '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    body = rss([{"title": "Caf\u00e9", "link": "https://td.example/l", "guid": "l"}], prolog=prolog)
    world.server.routes["/latin.xml"] = Reply(200, body.replace(b"\xc3\xa9", b"\xe9"), RSS)
    world.add("/latin.xml")
    report = await world.fetch()
    assert world.articles()["l"].title == "Café"
    assert_world_intact(world, report)


# -- lower: implausible old dates -------------------------------------------------------------


async def test_a_date_before_feeds_existed_is_clamped_like_a_future_one(world: World) -> None:
    dates = {
        "year-1": "Mon, 01 Jan 0001 00:00:00 +1400",  # feedparser reads the year as 1400
        "year-1400": "Sat, 01 Jan 1400 00:00:00 GMT",
        "epoch": "Thu, 01 Jan 1970 00:00:00 GMT",
        "real": "Fri, 20 Nov 2026 09:00:00 GMT",
    }
    world.server.feed(
        "/old.xml",
        rss(
            [
                {"title": f"Entry {g}", "link": f"https://td.example/{g}", "guid": g, "pubDate": d}
                for g, d in dates.items()
            ]
        ),
    )
    world.add("/old.xml")
    report = await world.fetch()
    first = {g: a.published for g, a in world.articles().items()}
    for guid in ("year-1", "year-1400", "epoch"):
        article = world.articles()[guid]
        assert article.published == article.first_seen, guid  # a stand-in: "first seen"
    assert first["real"] is not None and first["real"].year == 2026

    await world.fetch()  # the stand-in stays put
    assert {g: a.published for g, a in world.articles().items()} == first
    assert_world_intact(world, report)


# -- lower: query strings as published ------------------------------------------------------


async def test_query_strings_are_kept_as_published_minus_tracking(world: World) -> None:
    links = {
        "bare": ("https://td.example/story?12345", "https://td.example/story?12345"),
        "semicolons": ("https://td.example/s?a=1;b=2", "https://td.example/s?a=1;b=2"),
        "tracking": (
            "https://td.example/s?id=%2Fx&amp;utm_source=news&amp;fbclid=abc&amp;page=2",
            "https://td.example/s?id=%2Fx&page=2",
        ),
        "only-tracking": ("https://td.example/s?utm_medium=mail", "https://td.example/s"),
    }
    world.server.feed(
        "/query.xml",
        rss([{"title": f"Q {g}", "link": link, "guid": g} for g, (link, _) in links.items()]),
    )
    world.add("/query.xml")
    report = await world.fetch()
    stored = {g: a.url for g, a in world.articles().items()}
    assert stored == {g: want for g, (_, want) in links.items()}
    assert_world_intact(world, report)


# -- 4: a reused GUID -----------------------------------------------------------------------


def _item(title: str, slug: str, guid: str = "x") -> dict[str, str]:
    return {"title": title, "link": f"https://td.example/{slug}", "guid": guid}


async def test_two_items_sharing_a_guid_in_one_feed_are_both_stored(world: World) -> None:
    world.server.feed(
        "/reuse.xml",
        rss(
            [
                _item("Agency issues a directive", "directive"),
                _item("Court rules on data", "ruling"),
            ]
        ),
    )
    world.add("/reuse.xml")
    report = await world.fetch()
    titles = sorted(a.title for a in world.articles().values())
    assert titles == ["Agency issues a directive", "Court rules on data"]
    assert "GUIDs are not unique" in world.feed().note
    assert world.feed().last_error is None
    await world.fetch()  # fetched again: still two, nothing new, nothing moved
    assert sorted(a.title for a in world.articles().values()) == titles
    assert_world_intact(world, report)


async def test_a_later_post_reusing_a_guid_does_not_overwrite_the_old_one(world: World) -> None:
    world.server.feed("/later.xml", rss([_item("Agency issues a directive", "directive")]))
    world.add("/later.xml")
    await world.fetch()
    old = world.articles()["x"]
    world.store.conn.execute("UPDATE articles SET text = 'old page text' WHERE id = ?", (old.id,))

    world.server.feed(
        "/later.xml",
        rss(
            [
                _item("Court rules on data", "ruling"),
                _item("Agency issues a directive", "directive"),
            ]
        ),
    )
    report = await world.fetch()
    stored = {a.title: a for a in world.articles().values()}
    assert set(stored) == {"Agency issues a directive", "Court rules on data"}
    assert stored["Agency issues a directive"].id == old.id
    assert stored["Agency issues a directive"].url == "https://td.example/directive"
    assert stored["Court rules on data"].text == ""  # not the old article's page text
    assert report.articles_new == 1 and report.articles_updated == 0
    assert "GUIDs are not unique" in world.feed().note
    assert_world_intact(world, report)


async def test_a_corrected_title_or_link_under_one_guid_is_still_one_article(world: World) -> None:
    world.server.feed("/fix.xml", rss([_item("Agency issues a directve", "directive")]))
    world.add("/fix.xml")
    await world.fetch()
    world.server.feed("/fix.xml", rss([_item("Agency issues a directive", "directive")]))
    await world.fetch()
    world.server.feed("/fix.xml", rss([_item("Agency issues a directive", "directive-2026")]))
    report = await world.fetch()
    [article] = world.articles().values()
    assert (article.title, article.url) == (
        "Agency issues a directive",
        "https://td.example/directive-2026",
    )
    assert world.feed().note == ""
    assert_world_intact(world, report)


# -- 3: corrections -------------------------------------------------------------------------

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{first}</p><p>{second}</p><p>{third}</p></article></body></html>"""


def _page(title: str, words: str) -> bytes:
    return PAGE.format(
        title=title,
        first=f"The national regulator said on Monday that the lender {words} during the "
        "incident last spring, according to the published decision.",
        second=f"Investigators found that the bank {words} and did not tell customers "
        "for several weeks, which the decision describes as a serious failure.",
        third="The bank said it would review the decision and had already replaced the "
        "systems involved, adding that no customer funds were lost.",
    ).encode()


async def test_a_correction_reaches_the_text_the_index_and_the_story(world: World) -> None:
    from briefing.pipeline import run
    from briefing.store.search import search_articles
    from tests.fetch.conftest import client

    def publish(title: str, words: str) -> None:
        link = world.server.url("/fine")
        world.server.feed("/corr.xml", rss([{"title": title, "link": link, "guid": "fine"}]))
        world.server.routes["/fine"] = Reply(
            200, _page(title, words), {"Content-Type": "text/html; charset=utf-8"}
        )

    async def refresh() -> None:
        settings = replace_full(world)
        async with client(settings) as http:
            report = await run(world.store, settings, client=http)
        assert report.completed, report.stage_errors

    # Alone: the good feed's pages would be looked up on the network by name.
    feed_store.remove(world.store, world.good.url)
    publish("Regulator fines bank over ransomware outage", "lost payroll records to ransomware")
    world.add("/corr.xml")
    await refresh()
    before = world.articles()["fine"]
    assert "ransomware" in before.text

    publish("Regulator fines bank over misdirected statements", "mailed statements to strangers")
    await refresh()
    after = world.articles()["fine"]
    assert after.id == before.id and after.extract_status == "ok"
    assert "mailed statements to strangers" in after.text and "ransomware" not in after.text
    assert search_articles(world.store, "misdirected strangers") == [after.id]
    assert search_articles(world.store, "ransomware") == []
    [event] = world.store.query(
        "SELECT id, title, summary, story_id FROM events WHERE id = ?", (after.event_id,)
    )
    assert event["title"] == "Regulator fines bank over misdirected statements"
    assert "strangers" in event["summary"] and "ransomware" not in event["summary"]
    [story] = world.store.query("SELECT title, summary FROM stories WHERE id = ?", (event[3],))
    assert story["title"] == "Regulator fines bank over misdirected statements"
    assert "strangers" in story["summary"] and "ransomware" not in story["summary"]


def replace_full(world: World) -> Settings:
    from dataclasses import replace

    return replace(world.settings, extract_full_text=True)
