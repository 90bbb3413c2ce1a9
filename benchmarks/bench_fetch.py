"""Fetch benchmark: 300 feeds of 20 items, with article pages, 50–200 ms per response.

    .venv/bin/python benchmarks/bench_fetch.py [--feeds 300] [--hosts 30] [--no-pages]

The feeds and pages come from `benchmarks/loopback.py` (the server
`bench_refresh.py` uses too): keep-alive, ETag/304, a random 50–200 ms delay
before every response, the feeds spread over 30 loopback addresses so that
the per-host limit (Settings.max_per_host, 4) does not serialize them. The
client is briefing's own pipeline with default Settings, in a temporary
--home, each phase in a fresh process:

  1. first fetch without article pages (extract_full_text = false)
  2. second fetch of the same home: every feed answers 304
  3. first fetch with article pages (a fresh home; pages extracted in the pool)

Wall time is the pipeline run (not interpreter start-up); peak memory is the
process's maximum RSS (ru_maxrss), and for phase 3 also that of the largest
worker process. Targets (issue 3): phase 1 well under 5 s, phase 2 well under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.loopback import ITEMS, LoopbackServer

# -- one measured phase (in its own process) ----------------------------------------------------


class WorkerMemory(threading.Thread):
    """Peak RSS (VmHWM) of the pool's worker processes and their fork server.

    Reads a handful of /proc files four times a second, so it costs the
    measured process next to nothing.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self._done = threading.Event()

    @property
    def peak(self) -> int:
        return sum(self.peaks.values())

    def run(self) -> None:
        from multiprocessing import forkserver

        while not self._done.wait(0.25):
            server = getattr(forkserver._forkserver, "_forkserver_pid", None)
            if not server:
                continue
            try:
                children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
            except OSError:
                continue
            for pid in [server, *map(int, children)]:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
                        self.peaks[pid] = max(self.peaks.get(pid, 0), kb * 1024)

    def stop(self) -> None:
        self._done.set()
        self.join()


def phase(home: str, pages: bool) -> dict[str, float]:
    from dataclasses import replace

    from briefing.config import Paths, Settings
    from briefing.pipeline import run
    from briefing.store import Store
    from briefing.store import articles as article_store

    paths = Paths.resolve(home).ensure()
    settings = replace(Settings.load(paths.settings_file), extract_full_text=pages)
    store = Store(paths.database)
    before = resource.getrusage(resource.RUSAGE_SELF)
    sampler = WorkerMemory()
    sampler.start()
    start = time.perf_counter()
    report = asyncio.run(run(store, settings, later_stages=False))
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    sampler.stop()
    return {
        "seconds": seconds,
        "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "parse_cpu": report.parse_cpu,
        "load": os.getloadavg()[0],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": before.ru_maxrss / 1024,
        "workers_mb": sampler.peak / 1024 / 1024,
        "feeds_ok": report.feeds_ok,
        "not_modified": report.feeds_not_modified,
        "failed": report.feeds_failed,
        "new": report.articles_new,
        "extracted": report.extracted,
        "extract_failed": report.extract_failed,
        "articles": article_store.count(store),
    }


def add_feeds(home: str, urls: list[str]) -> None:
    from briefing.config import Paths
    from briefing.store import Store
    from briefing.store import feeds as feed_store

    store = Store(Paths.resolve(home).ensure().database)
    for url in urls:
        feed_store.add(store, url)


def run_phase(home: str, pages: bool) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", home, *(["--pages"] if pages else [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=30)
    parser.add_argument("--no-pages", action="store_true", help="skip phase 3")
    parser.add_argument("--phase", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        print(json.dumps(phase(args.phase, args.pages)))
        return 0

    rows: list[tuple[str, dict[str, float]]] = []
    with (
        LoopbackServer(args.feeds, args.hosts) as server,
        tempfile.TemporaryDirectory() as a,
        tempfile.TemporaryDirectory() as b,
    ):
        urls = server.urls
        add_feeds(a, urls)
        rows.append(("first fetch, no pages", run_phase(a, pages=False)))
        rows.append(("second fetch (304)", run_phase(a, pages=False)))
        if not args.no_pages:
            add_feeds(b, urls)
            rows.append(("first fetch + pages", run_phase(b, pages=True)))

    print(
        f"{len(urls)} feeds × {ITEMS} items on {args.hosts} loopback hosts, "
        "50–200 ms per response, default Settings"
    )
    print(
        f"{'phase':<24}{'wall s':>8}{'CPU s':>7}{'parse CPU':>10}{'RSS MB':>7}{'workers MB':>11}"
        f"{'ok':>5}{'304':>5}{'fail':>5}{'new':>6}{'pages':>6}{'load':>6}"
    )
    for name, r in rows:
        print(
            f"{name:<24}{r['seconds']:>8.2f}{r['cpu']:>7.2f}{r['parse_cpu']:>10.2f}"
            f"{r['rss_mb']:>7.0f}{r['workers_mb']:>11.0f}{r['feeds_ok']:>5.0f}{r['not_modified']:>5.0f}"
            f"{r['failed']:>5.0f}{r['new']:>6.0f}{r['extracted']:>6.0f}{r['load']:>6.1f}"
        )
    print(
        "CPU s: the fetching process (event loop, HTTP, SQLite); parse CPU: feed parsing in the "
        "worker processes; RSS MB: peak of the fetching process; workers MB: sum of the peaks "
        "of its worker processes and their fork server; load: 1-min load average after the "
        "phase."
    )
    first, second = rows[0][1], rows[1][1]
    ok = first["seconds"] < 5 and second["seconds"] < 2 and first["failed"] == 0
    print(f"targets (first < 5 s, second < 2 s): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
