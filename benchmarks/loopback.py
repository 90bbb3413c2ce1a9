"""The benchmarks' feed server: RSS feeds and article pages on loopback hosts.

    with LoopbackServer(feeds=300, hosts=30) as server:
        server.urls          # one feed URL per feed
        server.grow(200)     # one new item (with its page) in each of 200 feeds

A minimal asyncio HTTP/1.1 server (keep-alive, ETag/304, a random 50–200 ms
delay before every response) runs in its own process and listens on
127.0.0.2 … 127.0.0.(hosts+1): on Linux every 127.x.y.z address is loopback,
so the feeds are spread over distinct host names and briefing's per-host
limit does not serialize them as it would if all of them lived on one host.
Feed n has `ITEMS` items, each linking to an article page of eight paragraphs
between a navigation bar and a footer. `bench_fetch.py` and `bench_refresh.py`
(and newsboat, in the latter) all fetch from it.
"""

from __future__ import annotations

import asyncio
import random
import socket
import subprocess
import sys
from types import TracebackType

ITEMS = 20
PARAGRAPHS = [
    "Officials described the measure as the result of a review that took most of a year, "
    "and said agencies would receive written guidance within thirty days.",
    "Industry groups asked for a longer transition, arguing that smaller operators need "
    "time to replace equipment and retrain staff.",
    "Two members of the oversight committee said they would request a briefing on how the "
    "decision was reached and which intelligence supported it.",
    "The affected vendor said it had not been given an opportunity to respond to the "
    "findings and that it would consider its options.",
    "Analysts noted that similar steps taken by allies in previous years had been followed "
    "by a period of legal challenges and uneven enforcement.",
    "A spokesperson declined to say whether further restrictions were under consideration.",
]


def page_body(n: int, i: int) -> bytes:
    paragraphs = "".join(
        f"<p>{PARAGRAPHS[(n + i + k) % 6]} (Item {n}.{i}.{k}.)</p>" for k in range(8)
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Story {n}.{i}</title><meta name='author' content='Bench Writer {n % 7}'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"
        f"<article><h1>Feed {n} story {i}</h1>{paragraphs}</article>"
        "<footer>Copyright Bench Outlet. All rights reserved.</footer></body></html>"
    ).encode()


def feed_body(host: str, port: int, n: int, extra: int = 0) -> bytes:
    """Feed n: its ITEMS items, plus `extra` newer ones published since the first fetch."""
    items = []
    for i in range(ITEMS + extra - 1, -1, -1):
        day = 1 + (n + i) % 28
        items.append(
            f"<item><title>Feed {n} story {i}: agency issues a directive on supply chains</title>"
            f"<link>http://{host}:{port}/articles/{n}/{i}</link>"
            f'<guid isPermaLink="false">bench-{n}-{i}</guid>'
            f"<pubDate>Mon, {day:02d} Jul 2024 {9 + i // 60:02d}:{i % 60:02d}:00 GMT</pubDate>"
            f"<description>&lt;p&gt;Teaser {i} of feed {n}: officials announced a review of "
            f"vendors, with guidance promised within weeks.&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench Outlet {n}</title><link>http://{host}:{port}/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


async def serve(port: int, hosts: list[str], per_host: int, seed: int, big: int = 0) -> None:
    """Feeds with ETags and their pages; `GET /grow?n=N` adds an item to each of N feeds.

    `big`: feed 0 has that many items instead of ITEMS.
    """
    rng = random.Random(seed)
    total = len(hosts) * per_host
    extra = [0] * total
    if total:
        extra[0] = max(0, big - ITEMS)
    host_of = {h * per_host + k: host for h, host in enumerate(hosts) for k in range(per_host)}
    cache: dict[int, bytes] = {}

    def feed(n: int) -> bytes:
        if n not in cache:
            cache[n] = feed_body(host_of[n], port, n, extra[n])
        return cache[n]

    def grow(count: int) -> None:
        # spread over hosts: feed numbers step by per_host
        picks = [(k % len(hosts)) * per_host + k // len(hosts) for k in range(total)]
        for n in picks[:count]:
            extra[n] += 1
            cache.pop(n, None)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                status, body, more = "404 Not Found", b"not found", ""
                if path.startswith("/grow?n="):
                    grow(int(path.split("=")[1]))
                    status, body = "200 OK", b"grown"
                else:
                    await asyncio.sleep(rng.uniform(0.05, 0.2))
                if path.startswith("/feeds/"):
                    n = int(path.removeprefix("/feeds/").removesuffix(".xml"))
                    etag = f'"feed-{n}-v{extra[n]}"'
                    if headers.get("if-none-match") == etag:
                        status, body = "304 Not Modified", b""
                    else:
                        status, body = "200 OK", feed(n)
                    more = f"Content-Type: application/rss+xml\r\nETag: {etag}\r\n"
                elif path.startswith("/articles/"):
                    _, _, n, i = path.split("/")
                    status, body = "200 OK", page_body(int(n), int(i))
                    more = "Content-Type: text/html; charset=utf-8\r\n"
                writer.write(
                    f"HTTP/1.1 {status}\r\n{more}Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError, KeyError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host=hosts, port=port, backlog=2048)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def free_port(hosts: list[str]) -> int:
    for _ in range(50):
        port = random.randint(20_000, 60_000)
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise SystemExit("no free port")


class LoopbackServer:
    """The server in a child process, for the length of a `with` block."""

    def __init__(self, feeds: int = 300, hosts: int = 30, big: int = 0) -> None:
        self.hosts = [f"127.0.0.{2 + h}" for h in range(hosts)]
        self.per_host = feeds // hosts
        self.big = big
        self.port = free_port(self.hosts)
        self.urls = [
            f"http://{host}:{self.port}/feeds/{h * self.per_host + k}.xml"
            for h, host in enumerate(self.hosts)
            for k in range(self.per_host)
        ]
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> LoopbackServer:
        self._process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                str(self.port),
                str(len(self.hosts)),
                str(self.per_host),
                str(self.big),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != "ready":
            self.__exit__(None, None, None)
            raise SystemExit("the benchmark server did not start")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait()
            self._process = None

    def grow(self, count: int) -> None:
        """Publish one new item (and its page) in each of `count` feeds."""
        import http.client

        conn = http.client.HTTPConnection(self.hosts[0], self.port, timeout=10)
        conn.request("GET", f"/grow?n={count}")
        conn.getresponse().read()
        conn.close()


if __name__ == "__main__":
    port, count, per_host, big = (int(a) for a in sys.argv[1:5])
    hosts = [f"127.0.0.{2 + h}" for h in range(count)]
    asyncio.run(serve(port, hosts, per_host, seed=7, big=big))
