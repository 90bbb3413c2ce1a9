"""HTTP layer: what a hostile or broken server can do to one fetch, and what briefing does.

Each test serves one misbehaving feed next to the good one, runs the real
pipeline, and checks the hostile feed's recorded error (or skip), the good
feed's articles, and that the run ended in bounded time.
"""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from briefing.config import Settings
from briefing.models import utcnow
from briefing.store import feeds as feed_store

from .conftest import GOOD, Reply, World, assert_world_intact, reset, rss, send_head

RSS = {"Content-Type": "application/rss+xml"}
HOSTILE_FEED = rss(
    [
        {
            "title": "An entry that should never be stored",
            "link": "https://threatdesk.example/never",
            "guid": "td-never",
        }
    ]
)

# One event loop for the module, so the worker pool is shared (see conftest).
pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_server_dripping_one_byte_a_second_hits_the_overall_deadline(
    world: World,
) -> None:
    # httpx's read timeout (5 s here) never fires: a byte arrives every second.
    world.server.routes["/drip.xml"] = Reply(200, HOSTILE_FEED, RSS, drip=1.0)
    world.add("/drip.xml")
    start = time.perf_counter()
    report = await world.fetch()
    assert time.perf_counter() - start < 4.5  # 2 s deadline, not a retry, not 5 s reads
    assert "no complete answer" in world.error() and "within 2 s" in world.error()
    assert len(world.server.hits("/drip.xml")) == 1  # a deadline is not retried
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_a_server_that_accepts_and_never_answers_hits_the_deadline(world: World) -> None:
    def silent(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(6)

    world.server.raw["/silent.xml"] = silent
    world.add("/silent.xml")
    start = time.perf_counter()
    report = await world.fetch()
    assert time.perf_counter() - start < 4.5
    assert "within 2 s" in world.error()
    assert_world_intact(world, report)


async def test_a_gzip_bomb_stops_at_the_decoded_cap(world: World) -> None:
    # 20 KB on the wire, 50 MB decoded; the cap is 300 KB.
    bomb = gzip.compress(b"<rss>" + b" " * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    world.server.routes["/gzip-bomb.xml"] = Reply(200, bomb, {**RSS, "Content-Encoding": "gzip"})
    world.add("/gzip-bomb.xml")
    report = await world.fetch()
    assert "over the 300,000-byte cap (after decompression)" in world.error()
    assert_world_intact(world, report)


async def test_a_deflate_bomb_stops_at_the_decoded_cap(world: World) -> None:
    # zlib-wrapped "deflate", as the RFC says (the fetch tests cover raw deflate).
    bomb = zlib.compress(b"<rss>" + b"\0" * 50_000_000, 9)
    world.server.routes["/deflate-bomb.xml"] = Reply(
        200, bomb, {**RSS, "Content-Encoding": "deflate"}
    )
    world.add("/deflate-bomb.xml")
    report = await world.fetch()
    assert "(after decompression)" in world.error()
    assert_world_intact(world, report)


async def test_a_corrupt_gzip_body_is_an_error(world: World) -> None:
    broken = bytearray(gzip.compress(GOOD))
    broken[20:40] = b"\xff" * 20
    world.server.routes["/corrupt.xml"] = Reply(
        200, bytes(broken), {**RSS, "Content-Encoding": "gzip"}
    )
    world.add("/corrupt.xml")
    report = await world.fetch()
    assert "corrupt gzip body" in world.error()
    assert_world_intact(world, report)


async def test_an_encoding_that_cannot_be_capped_is_refused(world: World) -> None:
    world.server.routes["/br.xml"] = Reply(200, b"\x1b\x00\x00", {**RSS, "Content-Encoding": "br"})
    world.add("/br.xml")
    report = await world.fetch()
    assert "unsupported Content-Encoding 'br'" in world.error()
    assert_world_intact(world, report)


async def test_a_huge_body_without_content_length_stops_at_the_cap(world: World) -> None:
    sent = 0

    def endless(handler: BaseHTTPRequestHandler) -> None:
        nonlocal sent
        send_head(handler, "HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nConnection: close")
        handler.wfile.write(b"<rss><channel>")
        chunk = b"<item><title>flood</title></item>" * 2000
        while sent < 200_000_000:  # 200 MB if nobody stops reading
            handler.wfile.write(chunk)
            sent += len(chunk)

    world.server.raw["/endless.xml"] = endless
    world.add("/endless.xml")
    report = await world.fetch()
    assert "over the 300,000-byte cap" in world.error()
    assert sent < 20_000_000  # the client hung up early
    assert_world_intact(world, report)


async def test_a_content_length_over_the_cap_is_refused_before_reading(world: World) -> None:
    def announced(handler: BaseHTTPRequestHandler) -> None:
        send_head(
            handler,
            "HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: 9000000000",
        )
        handler.wfile.write(b"<rss>" + b" " * 100_000)

    world.server.raw["/announced.xml"] = announced
    world.add("/announced.xml")
    report = await world.fetch()
    assert "9,000,000,000 bytes is over the 300,000-byte cap" in world.error()
    assert_world_intact(world, report)


async def test_a_content_length_longer_than_the_body_is_a_broken_connection(
    world: World,
) -> None:
    def lying(handler: BaseHTTPRequestHandler) -> None:
        send_head(
            handler,
            f"HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: {len(GOOD) * 3}",
        )
        handler.wfile.write(HOSTILE_FEED)  # then the connection closes, short

    world.server.raw["/lying.xml"] = lying
    world.add("/lying.xml")
    report = await world.fetch()
    assert "connection to 127.0.0.1 broke" in world.error()
    assert len(world.server.hits("/lying.xml")) == 3  # transient: two retries, then given up
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_a_content_length_shorter_than_the_body_reads_only_what_was_announced(
    world: World,
) -> None:
    body = HOSTILE_FEED
    cut = body.index(b"<item>")  # the announced length ends before the first entry

    def short(handler: BaseHTTPRequestHandler) -> None:
        send_head(
            handler, f"HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: {cut}"
        )
        handler.wfile.write(body)

    world.server.raw["/short.xml"] = short
    world.add("/short.xml")
    report = await world.fetch()
    # Only the announced bytes are a feed: a truncated channel with no entries.
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_a_connection_reset_in_mid_body_is_an_error(world: World) -> None:
    def broken(handler: BaseHTTPRequestHandler) -> None:
        send_head(
            handler,
            f"HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: {len(GOOD)}",
        )
        handler.wfile.write(GOOD[: len(GOOD) // 2])
        handler.wfile.flush()
        time.sleep(0.05)
        reset(handler)

    world.server.raw["/reset.xml"] = broken
    world.add("/reset.xml")
    report = await world.fetch()
    assert "connection to 127.0.0.1 broke" in world.error()
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_invalid_chunked_encoding_is_an_error(world: World) -> None:
    def chunked(handler: BaseHTTPRequestHandler) -> None:
        send_head(
            handler,
            "HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nTransfer-Encoding: chunked",
        )
        handler.wfile.write(
            b"10\r\n<rss><channel>\r\nZZZ-not-hex\r\n" + HOSTILE_FEED + b"\r\n0\r\n\r\n"
        )

    world.server.raw["/chunked.xml"] = chunked
    world.add("/chunked.xml")
    report = await world.fetch()
    assert "broke" in world.error()
    assert world.articles() == {}
    assert_world_intact(world, report)


async def test_a_header_flood_is_an_error(world: World) -> None:
    def flood(handler: BaseHTTPRequestHandler) -> None:
        headers = "\n".join(f"X-Filler-{i}: {'a' * 100}" for i in range(5_000))
        send_head(handler, f"HTTP/1.1 200 OK\nContent-Type: application/rss+xml\n{headers}")
        handler.wfile.write(HOSTILE_FEED)

    world.server.raw["/headers.xml"] = flood
    world.add("/headers.xml")
    report = await world.fetch()
    assert world.articles() == {}
    assert "connection to 127.0.0.1 broke: Receive buffer too long" in world.error()
    assert_world_intact(world, report)


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("file:///etc/passwd", "redirect to a non-http(s) URL refused: file:///etc/passwd"),
        ("ftp://files.example/feed.xml", "redirect to a non-http(s) URL refused: ftp://"),
        ("javascript:alert(document.cookie)", "redirect from 127.0.0.1 to an unusable URL refused"),
        ("data:application/rss+xml;base64,PHJzcz4=", "to an unusable URL refused"),
    ],
    ids=["file", "ftp", "javascript", "data"],
)
async def test_a_redirect_to_a_non_http_url_is_refused(
    world: World, location: str, message: str
) -> None:
    world.server.routes["/moved.xml"] = Reply(301, b"", {"Location": location})
    world.add("/moved.xml")
    report = await world.fetch()
    assert message in world.error()
    assert world.feed().url == world.server.url("/moved.xml")  # not moved there
    assert len(world.server.hits("/moved.xml")) == 1  # not retried
    assert_world_intact(world, report)


async def test_a_redirect_loop_is_refused(world: World) -> None:
    world.server.routes["/loop-a.xml"] = Reply(301, b"", {"Location": "/loop-b.xml"})
    world.server.routes["/loop-b.xml"] = Reply(301, b"", {"Location": "/loop-a.xml"})
    world.add("/loop-a.xml")
    report = await world.fetch()
    assert "redirect loop" in world.error()
    assert world.feed().url == world.server.url("/loop-a.xml")
    assert len(world.server.hits("/loop-a.xml")) == 1
    assert_world_intact(world, report)


async def test_too_many_redirects_are_refused(world: World) -> None:
    for i in range(10):
        world.server.routes[f"/hop{i}.xml"] = Reply(301, b"", {"Location": f"/hop{i + 1}.xml"})
    world.server.feed("/hop10.xml", HOSTILE_FEED)
    world.add("/hop0.xml")
    report = await world.fetch()
    assert "more than 5 redirects" in world.error()
    assert world.server.hits("/hop10.xml") == []
    assert world.feed().url == world.server.url("/hop0.xml")
    assert_world_intact(world, report)


async def test_a_301_onto_another_followed_feed_does_not_take_its_url(world: World) -> None:
    # A feed that permanently moved onto a feed the analyst already follows.
    world.server.routes["/alias.xml"] = Reply(301, b"", {"Location": "/good.xml"})
    world.add("/alias.xml")
    report = await world.fetch()
    again = await world.fetch()
    urls = sorted(f.url for f in feed_store.all_feeds(world.store))
    assert urls == sorted([world.server.url("/alias.xml"), world.server.url("/good.xml")])
    assert "already followed" in world.error()
    assert world.articles() == {}  # the good feed's entries are not stored a second time
    assert_world_intact(world, report)
    assert_world_intact(world, again)


async def test_429_with_retry_after_waits_as_asked(world: World) -> None:
    world.server.routes["/busy.xml"] = Reply(429, b"slow down", {"Retry-After": "7200"})
    world.add("/busy.xml")
    start = utcnow()
    report = await world.fetch()
    assert world.error().startswith("HTTP 429 Too Many Requests; asked to wait until")
    wait = world.feed().retry_after
    assert wait is not None and timedelta(seconds=7190) <= wait - start <= timedelta(seconds=7210)
    again = await world.fetch()
    assert again.feeds_skipped == 1
    assert len(world.server.hits("/busy.xml")) == 1  # asked once, then left alone
    assert_world_intact(world, report)


async def test_a_500_is_recorded_and_not_retried(world: World) -> None:
    world.server.routes["/error.xml"] = Reply(500, b"<html>Internal error</html>")
    world.add("/error.xml")
    report = await world.fetch()
    assert world.error() == "HTTP 500 Internal Server Error"
    assert len(world.server.hits("/error.xml")) == 1
    assert_world_intact(world, report)


# -- article links that point into the analyst's own network ------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "http://localhost:{port}/private-page",
        "http://10.20.30.40/admin",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://intranet.corp.example/wiki",  # a public-looking name resolving to 10.x
        "http://[::1]:{port}/private-page",
    ],
    ids=["loopback", "rfc1918", "cloud-metadata", "name-to-private", "ipv6-loopback"],
)
async def test_a_public_feed_linking_into_private_addresses_is_not_fetched(
    world: World, full: Settings, link: str
) -> None:
    world.server.routes["/private-page"] = Reply(
        200, b"<html><body><p>secret</p></body></html>", {"Content-Type": "text/html"}
    )
    url = link.format(port=world.server.port)
    world.server.feed(
        "/public.xml",
        rss([{"title": "Looks innocent", "link": url, "guid": "td-private"}]),
    )
    world.add("/public.xml")

    async def resolver(host: str) -> list[str]:
        # 127.0.0.1 (where the test server is) plays a public host; the rest is private.
        if host == "127.0.0.1":
            return ["93.184.215.14"]
        if host.endswith("corp.example"):
            return ["10.9.8.7"]
        return [host.strip("[]")] if host[0].isdigit() or ":" in host else ["127.0.0.1"]

    # The good feed's links are on packetpost.example: give them a public address
    # that refuses connections so they fail fast.
    report = await world.fetch(full, resolver=resolver)
    article = world.articles()["td-private"]
    assert article.extract_status == "skipped"
    assert "private or loopback address; not fetched" in (article.extract_error or "")

    assert world.feed().last_error is None
    assert_world_intact(world, report)


async def test_control_bytes_in_a_redirect_location_do_not_reach_the_error_message(
    world: World,
) -> None:
    # HTTP allows bytes 0x80-0xFF in header values; read as latin-1 they are C1
    # controls (0x9B is an 8-bit CSI), and the error message quotes the Location.
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(
            b"HTTP/1.1 302 Found\r\nLocation: ftp://files.example/\x9b2J\x9d0;owned\x9c"
            b"\xe2\x80\xaefeed\r\nContent-Length: 0\r\n\r\n"
        )

    world.server.raw["/c1.xml"] = redirect
    world.add("/c1.xml")
    report = await world.fetch()
    assert "redirect to a non-http(s) URL refused: ftp://files.example/" in world.error()
    assert_world_intact(world, report)


async def test_a_name_that_rebinds_to_loopback_after_the_check_is_not_fetched(
    world: World, full: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name answers "public" to the address check and "loopback" a
    # moment later. briefing connects to the address it checked, never resolving again.
    world.server.routes["/private-page"] = Reply(
        200, b"<html><body><p>secret</p></body></html>", {"Content-Type": "text/html"}
    )
    link = f"http://rebind.example:{world.server.port}/private-page"
    world.server.feed("/public.xml", rss([{"title": "Rebind", "link": link, "guid": "td-rb"}]))
    world.add("/public.xml")

    async def first_answer(host: str) -> list[str]:
        # What the check sees: everything public (127.0.0.1 plays the public feed host).
        return ["127.0.0.1"] if host == "packetpost.example" else ["93.184.215.14"]

    # What a lookup sees a moment later: rebind.example is loopback, where the test
    # server listens.
    real_getaddrinfo = socket.getaddrinfo

    def second_answer(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host  # anyio passes idna bytes
        if name == "rebind.example":
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[call-overload]

    # The checked "public" address stands for 127.0.0.2, where nothing listens: no
    # packet leaves the machine (the conftest guard fails the test if one would).
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        if address[0] == "93.184.215.14":
            address = ("127.0.0.2", *address[1:])
        real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", second_answer)
    monkeypatch.setattr(socket.socket, "connect", connect)
    await world.fetch(full, resolver=first_answer)

    article = world.articles()["td-rb"]
    assert world.server.hits("/private-page") == [], (article.extract_status, article.extract_error)
