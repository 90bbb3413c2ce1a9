"""The hostile world: a server on 127.0.0.1 that misbehaves per path, next to a good feed.

`HostileServer` is the fetch tests' `FeedServer` (same `Reply` routes, same
request log) plus *raw* routes: a function that gets the request handler and
writes whatever bytes it likes on the socket (a lying Content-Length, broken
chunked encoding, a reset in mid-body, a body without end).

Every test here runs the real pipeline (`briefing.pipeline.run`) on a real
store, with one hostile feed next to `GOOD` (three honest entries), then
checks the outcome with `assert_world_intact`: the good feed fully stored,
nothing stored twice, nothing unsafe stored anywhere.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from briefing import pipeline
from briefing.config import Settings
from briefing.fetch import workers
from briefing.models import Article, Feed
from briefing.pipeline import RunReport
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store
from tests.fetch.conftest import FeedServer, Reply, Seen, fetch, quick_settings, serving

__all__ = ["GOOD_GUIDS", "HostileServer", "RawRoute", "Reply", "Seen", "rss"]

RawRoute = Callable[[BaseHTTPRequestHandler], None]

# What no stored or displayed text may contain: C0 controls except tab and
# newline, DEL, C1 controls, bidi embeddings/overrides/isolates, surrogates.
UNSAFE = (
    {chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]}
    | set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
    | {chr(c) for c in range(0xD800, 0xE000)}
)


class HostileServer(FeedServer):
    """`FeedServer` with raw routes: `server.raw[path] = fn(handler)`."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: dict[str, RawRoute] = {}
        outer = self
        base: Any = self.httpd.RequestHandlerClass

        class RawHandler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:
                route = outer.raw.get(self.path.split("?")[0])
                if route is None:
                    super().do_GET()
                    return
                outer.requests.append(
                    Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                self.close_connection = True
                # The client hanging up is what the limits are for.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

        self.httpd.RequestHandlerClass = RawHandler
        # A short poll interval: shutting the server down then takes 50 ms, not 500.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )


class SessionWorkers(workers.Workers):
    """The pipeline's worker pool, kept from one test to the next (test speed only).

    Starting a process pool costs about a second per pipeline run under
    pytest; sharing one (on the session's event loop) keeps this suite fast.
    The pool behaves as in production: a task over its time limit still kills
    the pool's processes and the next task gets a fresh pool.
    """

    def close(self) -> None:
        pass  # the next test's run uses the same pool

    def close_for_real(self) -> None:
        super().close()


@pytest.fixture(scope="session")
def session_workers() -> Iterator[SessionWorkers]:
    shared = SessionWorkers()
    yield shared
    shared.close_for_real()


@pytest.fixture(autouse=True)
def _shared_pool(session_workers: SessionWorkers, monkeypatch: pytest.MonkeyPatch) -> None:
    # (the extraction pool and the summaries' helper alike)
    monkeypatch.setattr(pipeline, "Workers", lambda *args, **kwargs: session_workers)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that tries to look up a real name or connect beyond 127.0.0.0/8.

    The hostile feeds link to `.example` hosts and some tests make 127.0.0.1
    play a public host; this proves none of that ever reaches the network.
    """
    attempts: list[object] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name != "localhost" and not _is_loopback(name):
            attempts.append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"no network in tests: {name}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[call-overload]

    def connect(sock: socket.socket, address: Any) -> None:
        if sock.family in {socket.AF_INET, socket.AF_INET6} and not _is_loopback(address[0]):
            attempts.append(address)
            raise ConnectionRefusedError(f"no network in tests: {address}")
        real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert attempts == [], f"the test tried to reach the network: {attempts}"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def server() -> Iterator[HostileServer]:
    yield from serving(HostileServer())


@pytest.fixture
def settings() -> Settings:
    """Short limits: every hostile case ends in a second or two, never a hang.

    The read timeout is longer than the deadline so that the overall deadline
    (not httpx's per-read timeout) is what stops a dripping server.
    """
    return quick_settings(read_timeout=5.0, request_deadline=2.0)


@pytest.fixture
def full(settings: Settings) -> Settings:
    """The same limits, with full-text extraction of article pages."""
    return replace(settings, extract_full_text=True)


# -- feeds ---------------------------------------------------------------------------------


def rss(
    items: list[dict[str, str]] | None = None,
    *,
    title: str = "Threat Desk",
    raw_items: str = "",
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> bytes:
    """A small RSS 2.0 feed. Item values are inserted as they are (the caller escapes)."""
    body = "".join(
        "<item>" + "".join(_element(k, v) for k, v in item.items()) + "</item>"
        for item in items or []
    )
    return (
        f'{prolog}<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://threatdesk.example/</link>{body}{raw_items}</channel></rss>"
    ).encode()


def _element(name: str, value: str) -> str:
    if name == "guid":  # an id, not a link to resolve against the feed URL
        return f'<guid isPermaLink="false">{value}</guid>'
    return f"<{name}>{value}</{name}>"


GOOD_GUIDS = {"pp-2026-11-20-grid", "pp-2026-11-21-patch", "pp-2026-11-21-treaty"}
GOOD = rss(
    [
        {
            "title": "Regulator publishes grid security audit findings",
            "link": "https://packetpost.example/2026/11/20/grid-audit",
            "guid": "pp-2026-11-20-grid",
            "pubDate": "Fri, 20 Nov 2026 09:00:00 GMT",
            "description": "The audit found that most utilities had segmented their networks.",
        },
        {
            "title": "Mail server vendor ships an emergency fix",
            "link": "https://packetpost.example/2026/11/21/mail-fix",
            "guid": "pp-2026-11-21-patch",
            "pubDate": "Sat, 21 Nov 2026 07:30:00 GMT",
            "description": "Administrators were told to apply the update within two days.",
        },
        {
            "title": "Negotiators close the cybercrime treaty annex",
            "link": "https://packetpost.example/2026/11/21/treaty-annex",
            "guid": "pp-2026-11-21-treaty",
            "pubDate": "Sat, 21 Nov 2026 11:15:00 GMT",
            "description": "Delegations agreed on the wording of the data-sharing annex.",
        },
    ],
    title="Packet Post",
)


class World:
    """One hostile feed and the good one, on the same server, in one store."""

    def __init__(self, server: HostileServer, store: Store, settings: Settings) -> None:
        self.server = server
        self.store = store
        self.settings = settings
        server.feed("/good.xml", GOOD)
        self.good = feed_store.add(store, server.url("/good.xml"))
        self.hostile: Feed | None = None

    def add(self, path: str) -> Feed:
        self.hostile = feed_store.add(self.store, self.server.url(path))
        return self.hostile

    async def fetch(self, settings: Settings | None = None, **client_kw: Any) -> RunReport:
        return await fetch(self.store, settings or self.settings, **client_kw)

    def feed(self, feed: Feed | None = None) -> Feed:
        feed = feed or self.hostile
        assert feed is not None and feed.id is not None
        found = feed_store.get(self.store, feed.id)
        assert found is not None
        return found

    def articles(self, feed: Feed | None = None) -> dict[str, Article]:
        feed = feed or self.hostile
        assert feed is not None
        return {a.guid: a for a in article_store.all_articles(self.store) if a.feed_id == feed.id}

    def error(self) -> str:
        """The hostile feed's recorded error (it must have one)."""
        feed = self.feed()
        assert feed.last_error, f"no error recorded for {feed.url}"
        assert feed.failures >= 1
        return feed.last_error


@pytest.fixture
def world(server: HostileServer, store: Store, settings: Settings) -> World:
    return World(server, store, settings)


def assert_world_intact(world: World, report: RunReport | None = None) -> None:
    """The good feed fully stored and healthy, nothing twice, nothing unsafe anywhere."""
    store = world.store
    good = world.feed(world.good)
    assert good.last_error is None, good.last_error
    assert set(world.articles(world.good)) == GOOD_GUIDS
    total = store.query("SELECT COUNT(*) FROM articles")[0][0]
    distinct = store.query("SELECT COUNT(DISTINCT feed_id || '|' || guid) FROM articles")[0][0]
    assert total == distinct, "an article was stored twice"
    assert_nothing_unsafe(store)
    if report is not None:
        assert report.completed


def assert_nothing_unsafe(store: Store) -> None:
    """No control, bidi or surrogate character in any stored text, and only http(s) links."""
    for row in store.query(
        "SELECT guid, url, title, outlet, author, summary, text, extract_error FROM articles"
    ):
        for column in ("title", "outlet", "author", "summary", "text", "extract_error"):
            value = row[column] or ""
            bad = set(value) & UNSAFE
            assert not bad, f"article {row['guid']!r}: {column} holds {sorted(bad)!r}"
        assert row["url"] == "" or row["url"].lower().startswith(("http://", "https://"))
    for row in store.query("SELECT url, title, category, site_url, last_error FROM feeds"):
        for column in ("title", "category", "site_url", "last_error"):
            value = row[column] or ""
            bad = set(value) & UNSAFE
            assert not bad, f"feed {row['url']!r}: {column} holds {sorted(bad)!r}"


# -- raw socket helpers ---------------------------------------------------------------------


def send_head(handler: BaseHTTPRequestHandler, head: str) -> None:
    """Write a status line and headers exactly as given (CRLF line ends added)."""
    handler.wfile.write(head.strip().replace("\n", "\r\n").encode("latin-1") + b"\r\n\r\n")
    handler.wfile.flush()


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), not a clean close."""
    sock: socket.socket = handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
