"""A real HTTP server on 127.0.0.1 with per-path behaviour, and a store to fetch into."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest

from briefing.config import Settings
from briefing.fetch.http import HttpClient
from briefing.pipeline import ProgressEvent, RunReport, run
from briefing.store import Store

FEEDS = Path(__file__).parent.parent / "data" / "feeds"


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # seconds between bytes: a server that drips its body
    drip: float | None = None


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


Route = Callable[["Seen"], Reply]


class FeedServer:
    """Serves `routes[path]` (a Reply, or a function of the request returning one)."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Route] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                server.requests.append(seen)
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
                elif isinstance(route, Reply):
                    reply = route
                else:
                    reply = route(seen)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    if reply.drip is None:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if reply.drip is None:
                        self.wfile.write(reply.body)
                    else:
                        for i in range(len(reply.body)):
                            self.wfile.write(reply.body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that hang up (deadline, size cap) are part of the tests

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def feed(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> None:
        self.routes[path] = Reply(200, body, {"Content-Type": content_type})

    def conditional(self, path: str, body: bytes, etag: str = '"v1"') -> None:
        """A feed with validators that answers 304 when the client has them."""
        last_modified = "Fri, 21 Jun 2024 08:00:00 GMT"

        def route(seen: Seen) -> Reply:
            if seen.headers.get("if-none-match") == etag:
                return Reply(304, b"", {"ETag": etag})
            return Reply(
                200,
                body,
                {
                    "Content-Type": "application/rss+xml",
                    "ETag": etag,
                    "Last-Modified": last_modified,
                },
            )

        self.routes[path] = route

    def gzipped(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> None:
        self.routes[path] = Reply(
            200, gzip.compress(body), {"Content-Type": content_type, "Content-Encoding": "gzip"}
        )


S = TypeVar("S", bound=FeedServer)


def serving(srv: S) -> Iterator[S]:
    """Run `srv` for the length of a fixture, then shut it down."""
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    yield from serving(FeedServer())


def quick_settings(**overrides: Any) -> Settings:
    """Short limits so the failure cases take a moment, not a minute."""
    limits: dict[str, Any] = {
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "request_deadline": 1.5,
        "max_connections": 8,
        "max_per_host": 4,
        "max_response_bytes": 300_000,
        "extract_full_text": False,
    }
    return Settings(**(limits | overrides))


@pytest.fixture
def settings() -> Settings:
    return quick_settings()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "briefing.sqlite3")
    yield db
    db.close()


def client(settings: Settings, **kwargs: object) -> HttpClient:
    """An HttpClient with a quick backoff (retries still happen, just fast)."""
    return HttpClient(settings, backoff=0.01, **kwargs)  # type: ignore[arg-type]


async def fetch(
    store: Store,
    settings: Settings,
    events: list[ProgressEvent] | None = None,
    **client_kw: object,
) -> RunReport:
    """Fetch every feed (and, if the settings say so, extract pages); no later stages."""
    async with client(settings, **client_kw) as http:
        return await run(
            store,
            settings,
            None if events is None else events.append,
            client=http,
            later_stages=False,
        )
