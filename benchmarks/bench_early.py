"""Early stories: how soon a first refresh lists stories in the app, and when it ends.

    .venv/bin/python benchmarks/bench_early.py [--feeds 100] [--hosts 10] [--rounds 2]
    .venv/bin/python benchmarks/bench_early.py --pipeline [--no-early] --feeds 300 --hosts 30

The benchmarks' loopback server (`loopback.py`, RSS feeds × 20 items, an article page
per item, 50–200 ms per response) serves a fresh home each time. The real
app runs headless (`App.run_test`); `r` is pressed and the clock runs until
the story list shows its first story, and until the refresh ends (its worker
finished, summaries written). Each round runs the app with early stories
(the default) and without (`early_stories=False`: the list fills when the
whole refresh is done), interleaved. Not run by CI; the 1-minute load
average is printed with each row, since the figures are noisy on a busy
machine. `--pipeline` runs one refresh without the app and prints when each
stage starts and ends.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_refresh import add_feeds
from benchmarks.loopback import ITEMS, LoopbackServer


async def one_refresh(home: str, early: bool) -> tuple[float, float, int, int]:
    """Seconds from `r` to the first listed story and to the end; stories then and at the end."""
    from briefing import pipeline
    from briefing.config import Paths, Settings
    from briefing.store import Store
    from briefing.tui.app import make_app
    from briefing.tui.screens.briefing import BriefingScreen

    original = pipeline.run

    def forced(*args: object, **kwargs: object) -> object:
        # the app asks for early stories itself: the round decides instead
        return original(*args, **{**kwargs, "early_stories": early})  # type: ignore[arg-type]

    pipeline.run = forced  # type: ignore[assignment]
    paths = Paths.resolve(home).ensure()
    store = Store(paths.database)
    app = make_app(store, Settings(), paths)

    def listed() -> int:
        screen = next((s for s in app.screen_stack if isinstance(s, BriefingScreen)), None)
        return len(screen.shown) if screen is not None else 0

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            started = time.perf_counter()
            await pilot.press("r")
            first, at_first = None, 0
            while True:
                running = any(w.group == "refresh" and w.is_running for w in app.workers)
                if first is None and listed():
                    first, at_first = time.perf_counter() - started, listed()
                if not running and time.perf_counter() - started > 1.0:
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.2)
            end = time.perf_counter() - started
            if first is None:
                first, at_first = end, listed()
            return first, end, at_first, listed()
    finally:
        pipeline.run = original  # type: ignore[assignment]
        store.close()


async def pipeline_timeline(home: str, early: bool) -> None:
    """`--pipeline`: the refresh without the app, each stage's start and end as they come."""
    from briefing.config import Paths, Settings
    from briefing.pipeline import ProgressEvent, StageDone, StageStarted, run
    from briefing.store import Store

    store = Store(Paths.resolve(home).ensure().database)
    started = time.perf_counter()

    def progress(event: ProgressEvent) -> None:
        if isinstance(event, StageStarted | StageDone):
            what = "done" if isinstance(event, StageDone) else "started"
            detail = f" ({event.detail})" if isinstance(event, StageDone) and event.detail else ""
            at = time.perf_counter() - started
            print(f"  {at:6.1f} s  {event.name} {what}{detail}", flush=True)

    try:
        await run(store, Settings(), progress, early_stories=early)
    finally:
        store.close()
    print(f"  end {time.perf_counter() - started:.1f} s, load {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--pipeline", action="store_true", help="one refresh without the app: stage timeline"
    )
    parser.add_argument("--no-early", action="store_true", help="with --pipeline: no early pass")
    args = parser.parse_args()
    rows: list[tuple[str, float, float, int, int, float]] = []
    with LoopbackServer(args.feeds, args.hosts) as server:
        urls = server.urls
        if args.pipeline:
            with tempfile.TemporaryDirectory() as tmp:
                home = str(Path(tmp) / "briefing")
                add_feeds(home, urls)
                asyncio.run(pipeline_timeline(home, not args.no_early))
            return 0
        for _ in range(args.rounds):
            for early in (True, False):
                with tempfile.TemporaryDirectory() as tmp:
                    home = str(Path(tmp) / "briefing")
                    add_feeds(home, urls)
                    first, end, n_first, n_end = asyncio.run(one_refresh(home, early))
                name = "early stories" if early else "without"
                rows.append((name, first, end, n_first, n_end, os.getloadavg()[0]))
                print(f"  {name:<14} first {first:6.1f} s  end {end:6.1f} s", file=sys.stderr)
    print(
        f"{len(urls)} feeds × {ITEMS} items (a page each) on {args.hosts} loopback hosts, "
        f"first refresh in the app (headless), {os.cpu_count()} cores"
    )
    print(
        "| app | `r` → first story listed | `r` → refresh done | stories listed then/end | load |"
    )
    print("|---|---|---|---|---|")
    for name, first, end, n_first, n_end, load in rows:
        print(f"| {name} | {first:.1f} s | {end:.1f} s | {n_first} / {n_end} | {load:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
