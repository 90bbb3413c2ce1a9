"""A morning refresh end to end: `briefing fetch`, per stage, side by side with newsboat.

    .venv/bin/python benchmarks/bench_refresh.py [--feeds 300] [--hosts 30] [--new 200]
                                                 [--no-newsboat] [--newsboat-threads 32,1]

One loopback server (`bench_fetch.serve`'s pages and feeds: 300 RSS feeds × 20
items on 30 hosts, a random 50–200 ms before every response, an article page
per item) serves every program. Each program runs as the user runs it, in its
own process, timed from start to exit:

- `briefing --home H fetch` (the default Settings: full text on), its stage
  times read from the "<stage> done in N s" lines it prints;
- `newsboat -x reload` with `reload-threads` 32 and 1 (its default), when
  newsboat is installed. newsboat fetches feeds only, never article pages.

Three rounds, each program once per round, interleaved: the first refresh (an
empty home or cache), an unchanged world (every feed answers 304), and a round
after the server published `--new` items (one in each of that many feeds, each
with its page). Peak RSS is the largest sum of the RSS of the program's
process tree (workers and fork server included), sampled five times a second.
It is not run by CI; numbers are noisy on a busy machine, so the 1-minute load
average is printed with each row.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from benchmarks.bench_fetch import ITEMS, free_port, page_body

STAGE_LINE = re.compile(r"^(\w+) done in ([0-9.]+) s", re.M)


# -- the server -------------------------------------------------------------------------------


def feed_body(host: str, port: int, n: int, extra: int) -> bytes:
    """Feed n: its ITEMS items, plus `extra` newer ones published since the first round."""
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
    """Feeds with ETags; `GET /grow?n=N` publishes one more item in each of N feeds.

    `big`: feed 0 has that many items instead of ITEMS.
    """
    rng = random.Random(seed)
    total = len(hosts) * per_host
    extra = [0] * total
    extra[0] = max(0, big - ITEMS)
    host_of = {h * per_host + k: host for h, host in enumerate(hosts) for k in range(per_host)}
    cache: dict[int, bytes] = {}

    def feed(n: int) -> bytes:
        if n not in cache:
            cache[n] = feed_body(host_of[n], port, n, extra[n])
        return cache[n]

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
                    # spread over hosts: feed numbers step by per_host
                    picks = [(k % len(hosts)) * per_host + k // len(hosts) for k in range(total)]
                    for n in picks[: int(path.split("=")[1])]:
                        extra[n] += 1
                        cache.pop(n, None)
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
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host=hosts, port=port, backlog=2048)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


# -- measuring a program ---------------------------------------------------------------------------


class TreeMemory(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def _tree(self) -> list[int]:
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                with contextlib.suppress(OSError):
                    todo.extend(int(c) for c in (task / "children").read_text().split())
        return found

    def run(self) -> None:
        while not self._done.wait(0.2):
            total = 0
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            self.peak = max(self.peak, total)

    def stop(self) -> None:
        self._done.set()
        self.join()


@dataclass
class Result:
    seconds: float
    rss_mb: float
    load: float
    stages: dict[str, float] = field(default_factory=dict)
    summary: str = ""


def measure(command: list[str], env: dict[str, str] | None = None) -> Result:
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    sampler = TreeMemory(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.stop()
    if proc.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({proc.returncode}):\n{out}\n{err}")
    stages = {name: float(s) for name, s in STAGE_LINE.findall(err)}
    summary = next((ln for ln in err.splitlines() if " feeds fetched (" in ln), "")
    return Result(seconds, sampler.peak / 2**20, os.getloadavg()[0], stages, summary)


def briefing_command(home: str) -> list[str]:
    exe = Path(sys.executable).with_name("briefing")
    return [str(exe), "--home", home, "fetch"]


def newsboat_setup(directory: Path, urls: list[str], threads: int) -> list[str]:
    (directory / "urls").write_text("\n".join(urls) + "\n")
    (directory / "config").write_text(f"reload-threads {threads}\n")
    return [
        "newsboat",
        "-u",
        str(directory / "urls"),
        "-c",
        str(directory / "cache.db"),
        "-C",
        str(directory / "config"),
        "-x",
        "reload",
    ]


def add_feeds(home: str, urls: list[str]) -> None:
    from briefing.config import Paths
    from briefing.store import Store
    from briefing.store import feeds as feed_store

    store = Store(Paths.resolve(home).ensure().database)
    for url in urls:
        feed_store.add(store, url)
    store.close()


def grow(host: str, port: int, n: int) -> None:
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", f"/grow?n={n}")
    conn.getresponse().read()
    conn.close()


# -- the report --------------------------------------------------------------------------------


STAGES = ("fetch", "extract", "cluster", "summarize")


def table(rows: list[tuple[str, str, Result]]) -> None:
    print(
        f"{'round':<12}{'program':<16}{'wall s':>8}"
        + "".join(f"{s:>10}" for s in STAGES)
        + f"{'peak MB':>9}{'×nb-32':>8}{'load':>6}"
    )
    reference = {rnd: r.seconds for rnd, prog, r in rows if prog == "newsboat-32"}
    for rnd, prog, r in rows:
        ratio = f"{r.seconds / reference[rnd]:.2f}" if rnd in reference else "-"
        stages = "".join(f"{r.stages[s]:>10.1f}" if s in r.stages else f"{'-':>10}" for s in STAGES)
        print(
            f"{rnd:<12}{prog:<16}{r.seconds:>8.1f}{stages}{r.rss_mb:>9.0f}{ratio:>8}{r.load:>6.1f}"
        )
    for rnd, prog, r in rows:
        if r.summary:
            print(f"  {rnd}/{prog}: {r.summary}")


def big_feed(url: str, items: int) -> int:
    """One feed of `items` entries: time and peak memory of two runs (the per-feed cap)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = str(Path(tmp) / "briefing")
        add_feeds(home, [url])
        print(f"one feed of {items:,} items, a page each; wall time from start to exit")
        print(f"{'run':<6}{'wall s':>8}{'peak MB':>9}{'load':>6}  summary")
        for run in (1, 2):
            r = measure(briefing_command(home))
            print(f"{run:<6}{r.seconds:>8.1f}{r.rss_mb:>9.0f}{r.load:>6.1f}  {r.summary}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=30)
    parser.add_argument("--new", type=int, default=200, help="items published before round 3")
    parser.add_argument("--no-newsboat", action="store_true")
    parser.add_argument("--newsboat-threads", default="32,1")
    parser.add_argument(
        "--big",
        type=int,
        default=0,
        metavar="N",
        help="instead: one feed of N items (pages included), briefing only, two runs",
    )
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "HOSTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:
        port, count = int(args.serve[0]), int(args.serve[1])
        hosts = [f"127.0.0.{2 + h}" for h in range(count)]
        asyncio.run(serve(port, hosts, args.feeds // count, seed=7, big=args.big))
        return 0

    hosts = [f"127.0.0.{2 + h}" for h in range(args.hosts)]
    per_host = args.feeds // args.hosts
    port = free_port(hosts)
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port),
            str(args.hosts),
            "--feeds",
            str(args.feeds),
            "--big",
            str(args.big),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    newsboat = shutil.which("newsboat") if not args.no_newsboat else None
    threads = [int(t) for t in args.newsboat_threads.split(",") if t] if newsboat else []
    rows: list[tuple[str, str, Result]] = []
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            raise SystemExit("the benchmark server did not start")
        urls = [
            f"http://{host}:{port}/feeds/{h * per_host + k}.xml"
            for h, host in enumerate(hosts)
            for k in range(per_host)
        ]
        if args.big:
            return big_feed(urls[0], args.big)
        with tempfile.TemporaryDirectory() as tmp:
            home = str(Path(tmp) / "briefing")
            add_feeds(home, urls)
            programs: list[tuple[str, list[str]]] = [("briefing", briefing_command(home))]
            for t in threads:
                directory = Path(tmp) / f"newsboat-{t}"
                directory.mkdir()
                programs.append((f"newsboat-{t}", newsboat_setup(directory, urls, t)))
            for rnd in ("first", "all-304", f"+{args.new}"):
                if rnd.startswith("+"):
                    grow(hosts[0], port, args.new)
                for name, command in programs:
                    rows.append((rnd, name, measure(command)))
                    print(f"  {rnd:<8} {name:<14} {rows[-1][2].seconds:6.1f} s", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()

    print(
        f"{len(urls)} feeds × {ITEMS} items (a page each) on {args.hosts} loopback hosts, "
        f"50–200 ms per response, {os.cpu_count()} cores; wall time from start to exit"
    )
    table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
