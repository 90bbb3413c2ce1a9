"""Feed documents built to hurt: entity attacks, parser crashes, terminal escapes, floods.

Each test serves one hostile feed next to the good one through the real
pipeline and checks what was stored (or the clear error recorded), that the
good feed is whole, and that nothing unsafe reached the store.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from briefing.config import Settings
from briefing.fetch.feed import NEW_PER_RUN
from briefing.sanitize import LIMITS

from .conftest import World, assert_world_intact, rss

FINE = {
    "title": "A fine entry next to the hostile one",
    "link": "https://threatdesk.example/2026/11/fine",
    "guid": "td-fine",
}

# One event loop for the module, so the worker pool is shared (see conftest).
pytestmark = pytest.mark.asyncio(loop_scope="session")


def serve(world: World, body: bytes, content_type: str = "application/rss+xml") -> None:
    world.server.feed("/hostile.xml", body, content_type)
    world.add("/hostile.xml")


# -- entity attacks ----------------------------------------------------------------------


async def test_billion_laughs_is_refused(world: World) -> None:
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    prolog = '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(decls) + "\n]>\n"
    serve(world, rss([{"title": "&lol9;", "guid": "td-lol"}, FINE], prolog=prolog))
    report = await world.fetch()
    assert "declares XML entities" in world.error()
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_a_large_simple_entity_referenced_many_times_is_refused(world: World) -> None:
    # No nesting at all: feedparser's loose parser would still expand 50 KB x 4,000.
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "{"B" * 50_000}">]>\n'
    items = [{"title": "Big", "guid": "td-big", "description": "&big;" * 4_000}, FINE]
    serve(world, rss(items, prolog=prolog))
    start = time.perf_counter()
    report = await world.fetch()
    assert time.perf_counter() - start < 10
    assert "declares XML entities" in world.error()
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_an_external_entity_cannot_read_local_files(world: World) -> None:
    prolog = '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    serve(world, rss([{"title": "Leak &xxe;", "guid": "td-xxe"}, FINE], prolog=prolog))
    report = await world.fetch()
    assert "declares XML entities" in world.error()
    everything = " ".join(
        str(v) for row in world.store.query("SELECT * FROM articles") for v in row
    )
    assert "root:" not in everything
    assert_world_intact(world, report)


async def test_an_external_dtd_is_never_fetched(world: World) -> None:
    dtd = world.server.url("/evil.dtd")
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{dtd}">\n'
    serve(world, rss([FINE], prolog=prolog))
    report = await world.fetch()
    assert world.server.hits("/evil.dtd") == []
    assert set(world.articles()) == {"td-fine"}  # the DOCTYPE is dropped, the feed read
    assert_world_intact(world, report)


async def test_entity_declarations_hidden_in_utf16_are_refused(world: World) -> None:
    prolog = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE rss [<!ENTITY a "aaaa">]>\n'
    body = rss([{"title": "&a;", "guid": "td-a"}, FINE], prolog=prolog).decode()
    serve(world, body.encode("utf-16"))
    report = await world.fetch()
    assert "declares XML entities" in world.error()
    assert_world_intact(world, report)


# -- characters that crash parsers ---------------------------------------------------------


async def test_a_lone_surrogate_reference_becomes_a_replacement_character(world: World) -> None:
    # feedparser itself dies with UnicodeEncodeError on &#xD800;
    items = [{"title": "Half &#xD800; a pair", "guid": "td-surrogate"}, FINE]
    serve(world, rss(items))
    report = await world.fetch()
    stored = world.articles()
    assert stored["td-surrogate"].title == "Half \ufffd a pair"
    assert set(stored) == {"td-surrogate", "td-fine"}
    assert world.feed().last_error is None
    assert_world_intact(world, report)


async def test_a_nul_byte_in_the_xml_is_removed(world: World) -> None:
    items = [{"title": "Null\x00byte", "guid": "td-nul", "description": "in\x00side"}, FINE]
    serve(world, rss(items))
    report = await world.fetch()
    stored = world.articles()
    assert stored["td-nul"].title == "Nullbyte"
    assert stored["td-nul"].summary == "inside"
    assert "td-fine" in stored
    assert_world_intact(world, report)


async def test_invalid_utf8_bytes_do_not_cost_the_feed(world: World) -> None:
    body = rss([{"title": "Broken TITLE bytes", "guid": "td-bytes"}, FINE])
    serve(world, body.replace(b"TITLE", b"\xff\xfe\xc3\x28\xed\xa0\x80"))
    report = await world.fetch()
    stored = world.articles()
    assert set(stored) == {"td-bytes", "td-fine"}
    title = stored["td-bytes"].title
    assert title.startswith("Broken ") and title.endswith(" bytes")
    title.encode("utf-8")  # whatever the bytes became, it is valid text now
    assert_world_intact(world, report)


# -- text that would drive the terminal or the app -------------------------------------------


async def test_textual_markup_in_a_title_is_stored_as_literal_text(world: World) -> None:
    title = "[@click=app.quit]x[/] and [bold red]loud[/]"
    serve(world, rss([{"title": title, "guid": "td-markup"}]))
    report = await world.fetch()
    assert world.articles()["td-markup"].title == title
    assert_world_intact(world, report)


ESC = "\x1b"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"Clear{ESC}[2J{ESC}[H screen", "Clear screen"),
        (f"Clip{ESC}]52;c;cm0gLXJmIH4K\x07board", "Clipboard"),
        (f"{ESC}]8;;https://evil.example/\x07Fake link{ESC}]8;;\x07 here", "Fake link here"),
        (f"{ESC}]0;owned{ESC}\\Window title", "Window title"),
        # feedparser reads C1 code points as windows-1252, as browsers do: harmless "›"
        ("Eight-bit\x9b2J CSI", "Eight-bit\u203a2J CSI"),
    ],
    ids=["clear-screen", "osc52-clipboard", "osc8-hyperlink", "set-title", "c1-csi"],
)
@pytest.mark.parametrize("written", ["raw", "char-ref"])
async def test_terminal_escape_sequences_in_titles_are_removed(
    world: World, raw: str, expected: str, written: str
) -> None:
    # Raw control characters are not even legal XML; numeric references to them are.
    title = (
        raw
        if written == "raw"
        else "".join(f"&#{ord(c)};" if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in raw)
    )
    serve(world, rss([{"title": title, "guid": "td-esc", "description": title}, FINE]))
    report = await world.fetch()
    stored = world.articles()
    assert stored["td-esc"].title == expected
    assert stored["td-esc"].summary == expected
    assert_world_intact(world, report)


async def test_a_bidi_override_in_a_title_is_removed(world: World) -> None:
    # "Trojan Source": the title would read differently from what it says.
    title = "Invoice for \u202eexe.fdp\u202c and \u2066isolated\u2069 text"
    serve(world, rss([{"title": title, "guid": "td-bidi"}, FINE]))
    report = await world.fetch()
    assert world.articles()["td-bidi"].title == "Invoice for exe.fdp and isolated text"
    assert_world_intact(world, report)


async def test_a_megabyte_title_is_truncated_and_that_is_recorded(
    world: World, settings: Settings
) -> None:
    serve(world, rss([{"title": "T" * 1_000_000, "guid": "td-huge"}, FINE]))
    report = await world.fetch(replace(settings, max_response_bytes=3_000_000))
    huge = world.articles()["td-huge"]
    assert len(huge.title) == LIMITS["title"] and huge.title.endswith("…")
    assert huge.truncated
    assert not world.articles()["td-fine"].truncated
    assert_world_intact(world, report)


# -- floods and shapes -----------------------------------------------------------------------


async def test_ten_thousand_entries_are_stored_once_each(world: World, settings: Settings) -> None:
    items = [
        {
            "title": f"Bulletin {i}",
            "link": f"https://threatdesk.example/b/{i}",
            "guid": f"td-{i}",
        }
        for i in range(10_000)
    ]
    serve(world, rss(items))
    big = replace(settings, max_response_bytes=5_000_000)
    report = await world.fetch(big)
    # the per-feed safety cap takes the first NEW_PER_RUN this run, the rest the next
    assert report.articles_new == NEW_PER_RUN + 3
    assert report.capped == {world.feed().url: 10_000 - NEW_PER_RUN}
    report = await world.fetch(big)
    assert report.articles_new == 10_000 - NEW_PER_RUN and not report.capped
    stored = world.articles()
    assert len(stored) == 10_000
    assert_world_intact(world, report)


async def test_a_javascript_entry_link_is_not_stored_or_fetched(
    world: World, full: Settings
) -> None:
    items = [
        {"title": "Click me", "link": "javascript:alert(document.domain)", "guid": "td-js"},
        {
            "title": "Data link",
            "link": "data:text/html,&lt;script&gt;x&lt;/script&gt;",
            "guid": "td-data",
        },
        {"title": "Port junk", "link": "http://threatdesk.example:99999/x", "guid": "td-port"},
    ]
    serve(world, rss(items))

    async def resolver(host: str) -> list[str]:
        # The feeds' host plays a public one, so their links are checked; every link
        # host "resolves" to loopback, so nothing (packetpost's pages included) is fetched.
        return ["93.184.215.14"] if host == "127.0.0.1" else ["127.0.0.1"]

    report = await world.fetch(full, resolver=resolver)
    stored = world.articles()
    assert set(stored) == {"td-js", "td-data", "td-port"}
    for article in stored.values():
        assert article.url == ""
        assert article.extract_status == "skipped"
        assert article.extract_error == "no http(s) link to fetch"
    assert_world_intact(world, report)


async def test_deeply_nested_xml_is_stopped_by_the_parse_time_limit(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 200,000 nested elements take feedparser several seconds; the limit here is 2 s.
    monkeypatch.setattr("briefing.fetch.feed.PARSE_TIMEOUT", 2.0)
    depth = 200_000
    body = rss([FINE]).replace(b"<item>", b"<x>" * depth + b"</x>" * depth + b"<item>", 1)
    serve(world, body)
    start = time.perf_counter()
    report = await world.fetch(replace(settings, max_response_bytes=5_000_000))
    assert time.perf_counter() - start < 8
    assert "gave up after 2 s" in world.error()
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_a_json_feed_nested_100k_deep_is_an_error(world: World) -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000
    body += b"]" * 100_000 + b"}"
    serve(world, body, "application/feed+json")
    report = await world.fetch()
    assert "not valid JSON" in world.error() or "JSON Feed" in world.error()
    assert_world_intact(world, report)


async def test_a_feed_that_is_an_html_page_is_an_error(world: World) -> None:
    page = b"<!DOCTYPE html><html><head><title>Threat Desk</title></head><body>Hi</body></html>"
    serve(world, page, "text/html")
    report = await world.fetch()
    assert "HTML page, not a feed" in world.error()
    assert_world_intact(world, report)


async def test_an_empty_body_is_an_error(world: World) -> None:
    serve(world, b"")
    report = await world.fetch()
    assert world.error() == "empty response (no feed in the body)"
    assert_world_intact(world, report)


async def test_the_same_guid_twice_in_one_feed_is_stored_once(world: World) -> None:
    items = [
        {"title": "First copy", "guid": "td-twice"},
        {"title": "Second copy", "guid": "td-twice"},
        FINE,
    ]
    serve(world, rss(items))
    report = await world.fetch()
    again = await world.fetch()
    stored = world.articles()
    assert set(stored) == {"td-twice", "td-fine"}
    assert stored["td-twice"].title == "First copy"
    assert again.articles_new == 0
    assert_world_intact(world, report)


async def test_a_megabyte_link_is_dropped_and_the_entry_kept(
    world: World, settings: Settings
) -> None:
    link = "https://threatdesk.example/" + "a" * 1_000_000
    serve(world, rss([{"title": "Long link", "link": link, "guid": "td-long"}, FINE]))
    report = await world.fetch(replace(settings, max_response_bytes=3_000_000))
    stored = world.articles()
    assert stored["td-long"].url == ""
    assert stored["td-fine"].url == FINE["link"]
    assert_world_intact(world, report)


async def test_a_megabyte_guid_is_hashed_and_stored_once(world: World, settings: Settings) -> None:
    serve(world, rss([{"title": "Long id", "guid": "g" * 1_000_000}, FINE]))
    roomy = replace(settings, max_response_bytes=3_000_000)
    report = await world.fetch(roomy)
    again = await world.fetch(roomy)
    guids = set(world.articles())
    assert len(guids) == 2 and "td-fine" in guids
    (hashed,) = guids - {"td-fine"}
    assert hashed.startswith("sha1:") and len(hashed) == 45
    assert again.articles_new == 0
    assert_world_intact(world, report)


async def test_a_json_feed_with_hostile_fields(world: World) -> None:
    items = [
        {
            "id": "jf-1",
            "title": f"{ESC}]52;c;eA==\x07Hi [@click=app.quit]x[/]",
            "url": "javascript:alert(1)",
            "content_text": "<script>x</script> body \u202e",
        },
        {"id": {"nested": True}, "title": ["not", "a", "string"], "url": ["x"]},
        "not an item",
        {"id": "jf-2", "title": "Plain entry", "url": "https://threatdesk.example/jf-2"},
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": f"J{ESC}[2Json", "items": items}
    serve(world, json.dumps(feed).encode(), "application/feed+json")
    report = await world.fetch()
    stored = world.articles()
    assert stored["jf-1"].title == "Hi [@click=app.quit]x[/]"
    assert stored["jf-1"].url == ""
    assert stored["jf-1"].summary.rstrip() == "<script>x</script> body"  # literal text
    assert stored["jf-2"].url == "https://threatdesk.example/jf-2"
    assert world.feed().title == "Json"
    assert_world_intact(world, report)


async def test_a_json_feed_with_wrongly_typed_fields_cannot_stop_the_run(world: World) -> None:
    items = [
        {"id": "jf-authors", "title": "Authors is a number", "authors": 5},
        {"id": "jf-author", "title": "Author is a list", "author": ["x"], "authors": "y"},
        {"id": "jf-fine", "title": "Plain entry", "url": "https://threatdesk.example/jf"},
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Threat Desk", "items": items}
    serve(world, json.dumps(feed).encode(), "application/feed+json")
    report = await world.fetch()
    stored = world.articles()
    assert set(stored) == {"jf-authors", "jf-author", "jf-fine"}
    assert all(article.author == "" for article in stored.values())
    assert_world_intact(world, report)
