"""A morning refresh end to end: `briefing fetch`, per stage, side by side with newsboat.

    .venv/bin/python benchmarks/bench_refresh.py [--feeds 300] [--hosts 30] [--new 200]
                                                 [--no-newsboat] [--newsboat-threads 32,1]
                                                 [--first-only]

One loopback server (`benchmarks/loopback.py`, the fetch benchmark's too: 300
RSS feeds × 20 items on 30 hosts, a random 50–200 ms before every response, an
article page per item) serves every program. Each program runs as the user runs it, in its
own process, timed from start to exit:

- `briefing --home H fetch` (the default Settings: full text on), its stage
  times read from the "<stage> done in N s" lines it prints;
- `newsboat -x reload` with `reload-threads` 32 and 1 (its default), when
  newsboat is installed. newsboat fetches feeds only, never article pages.

Three rounds, each program once per round, interleaved: the first refresh (an
empty home or cache), an unchanged world (every feed answers 304), and a round
after the server published `--new` items (one in each of that many feeds, each
with its page). Peak RSS is the largest sum of the RSS of the program's
process tree (workers and fork server included), sampled five times a second,
beside the CPU seconds of the program's own process and of its workers.
It is not run by CI; numbers are noisy on a busy machine, so the 1-minute load
average is printed with each row (`--first-only` runs the first round alone,
for A/B runs interleaved by hand).
"""

from __future__ import annotations

import argparse
import contextlib
import os
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

from benchmarks.loopback import ITEMS, LoopbackServer

STAGE_LINE = re.compile(r"^(\w+) done in ([0-9.]+) s", re.M)


# -- measuring a program ---------------------------------------------------------------------------


class TreeMemory(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, and their CPU seconds.

    CPU time is read as last seen in /proc (sampled, so a process's final
    tenth of a second may be missed): the program's own process apart from
    its workers, since on a busy machine CPU seconds say more than wall time.
    """

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.cpu: dict[int, float] = {}
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
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                self.cpu[pid] = (int(stat[11]) + int(stat[12])) / self.TICK
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
    cpu_main: float = 0.0  # CPU seconds of the program's own process
    cpu_rest: float = 0.0  # ... and of its descendants (briefing's worker processes)


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
    main = sampler.cpu.pop(proc.pid, 0.0)
    rest = sum(sampler.cpu.values())
    return Result(seconds, sampler.peak / 2**20, os.getloadavg()[0], stages, summary, main, rest)


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


# -- the report --------------------------------------------------------------------------------


STAGES = ("fetch", "extract", "cluster", "summarize")


def table(rows: list[tuple[str, str, Result]]) -> None:
    """One row per round and program; each program's wall time over newsboat's, same round."""
    names = {prog for _, prog, _ in rows if prog.startswith("newsboat-")}
    references = sorted(names, key=lambda p: -int(p.removeprefix("newsboat-")))
    print(
        f"{'round':<12}{'program':<16}{'wall s':>8}"
        + "".join(f"{s:>10}" for s in STAGES)
        + f"{'peak MB':>9}{'cpu main':>9}{'workers':>8}"
        + "".join(f"{'×nb-' + ref.removeprefix('newsboat-'):>8}" for ref in references)
        + f"{'load':>6}"
    )
    seconds = {(rnd, prog): r.seconds for rnd, prog, r in rows}
    for rnd, prog, r in rows:
        stages = "".join(f"{r.stages[s]:>10.1f}" if s in r.stages else f"{'-':>10}" for s in STAGES)
        ratios = "".join(
            f"{r.seconds / seconds[rnd, ref]:>8.2f}" if (rnd, ref) in seconds else f"{'-':>8}"
            for ref in references
        )
        cpu = f"{r.cpu_main:>9.1f}{r.cpu_rest:>8.1f}"
        print(
            f"{rnd:<12}{prog:<16}{r.seconds:>8.1f}{stages}{r.rss_mb:>9.0f}{cpu}{ratios}{r.load:>6.1f}"
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
        "--first-only", action="store_true", help="only the first round (for A/B runs)"
    )
    parser.add_argument(
        "--big",
        type=int,
        default=0,
        metavar="N",
        help="instead: one feed of N items (pages included), briefing only, two runs",
    )
    args = parser.parse_args()

    newsboat = shutil.which("newsboat") if not args.no_newsboat else None
    threads = [int(t) for t in args.newsboat_threads.split(",") if t] if newsboat else []
    rows: list[tuple[str, str, Result]] = []
    with LoopbackServer(args.feeds, args.hosts, big=args.big) as server:
        urls = server.urls
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
            rounds = ["first"] if args.first_only else ["first", "all-304", f"+{args.new}"]
            for rnd in rounds:
                if rnd.startswith("+"):
                    server.grow(args.new)
                for name, command in programs:
                    rows.append((rnd, name, measure(command)))
                    print(f"  {rnd:<8} {name:<14} {rows[-1][2].seconds:6.1f} s", file=sys.stderr)

    print(
        f"{len(urls)} feeds × {ITEMS} items (a page each) on {args.hosts} loopback hosts, "
        f"50–200 ms per response, {os.cpu_count()} cores; wall time from start to exit"
    )
    table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
