"""How fast the app opens and moves on a large archive.

    .venv/bin/python benchmarks/bench_tui.py [--stories 5000] [--articles 50000] [--keys 200]

Builds an archive (direct SQL inserts: stories, events, articles, some triage
state) in a temporary home, then, in a fresh process so peak memory is the
app's own, runs the real app headless (`App.run_test`, 120x40) and measures:

- start -> first paint: from building the app to the first frame written;
- start -> interactive: until a key pressed at once has moved the cursor and
  the screen showing it has been painted;
- one key press: `j` sent to the app -> the frame showing the moved cursor is
  written (the Pilot's own settling waits are not counted), median and p95,
  keys sent back to back (the summary pane waits for the cursor to rest);
- a single key press with the cursor resting before it: until the frame with
  the moved cursor and the new summary is written (the summary is read in a
  worker: until no read is pending);
- peak RSS of the process (and the interpreter baseline before the app).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUTLETS = [
    "Global Wire Service",
    "Policy Wire",
    "The Cyber Ledger",
    "Capitol Security Report",
    "Breach Daily",
    "Threat Desk",
    "Euro Digital Affairs",
    "Federal Tech Times",
    "Packet Post",
    "Security & Statecraft",
    "Infra Watch",
    "The Patch",
]
TOPICS = [
    "ransomware at a regional hospital",
    "a sanctions debate over an antivirus vendor",
    "incident reporting rules for operators",
    "a breach at a cloud email service",
    "export controls on surveillance tools",
    "a new national cyber strategy",
    "a flaw in a popular file transfer product",
    "data protection fines for a social network",
]


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(db_path: Path, n_stories: int, n_articles: int) -> None:
    from briefing.store import Store

    rng = random.Random(7)
    store = Store(db_path)
    now = datetime(2026, 11, 22, 8, tzinfo=UTC)
    per_story = max(1, n_articles // n_stories)
    with store.write() as conn:
        for n, outlet in enumerate(OUTLETS):
            conn.execute(
                "INSERT INTO feeds(id, url, title, added_at) VALUES (?, ?, ?, ?)",
                (n + 1, f"https://feed{n}.example/rss", outlet, iso(now)),
            )
        stories, events, articles, triage = [], [], [], []
        article_id = 0
        for s in range(n_stories):
            n_events = rng.randint(1, 4)
            last = now - timedelta(hours=rng.randint(0, 24 * 365 * 3))
            dates = sorted(last - timedelta(days=rng.randint(0, 400)) for _ in range(n_events))
            title = f"Story {s}: {rng.choice(TOPICS)}"
            stories.append(
                (
                    f"s{s}",
                    title,
                    dates[0].date().isoformat(),
                    dates[-1].date().isoformat(),
                    iso(dates[0]),
                    iso(dates[-1]),
                    json.dumps([{"text": f"{title} was reported.", "article_id": None}]),
                )
            )
            for e, when in enumerate(dates):
                events.append(
                    (
                        f"s{s}-e{e}",
                        f"s{s}",
                        f"Event {e} of {title}",
                        when.date().isoformat(),
                        iso(when),
                    )
                )
            for a in range(per_story):
                article_id += 1
                feed = rng.randrange(len(OUTLETS))
                when = dates[a % n_events] + timedelta(minutes=a)
                articles.append(
                    (
                        article_id,
                        feed + 1,
                        f"g{article_id}",
                        f"https://feed{feed}.example/a/{article_id}",
                        f"Article {article_id} on {title}",
                        OUTLETS[feed],
                        iso(when),
                        iso(when),
                        "A short teaser of the article.",
                        "Body text of the article. " * 20,
                        f"s{s}-e{a % n_events}",
                    )
                )
            if s % 10 == 0:
                triage.append((f"s{s}", 1, int(s % 20 == 0), iso(dates[-1]), iso(now)))
        conn.executemany(
            "INSERT INTO stories(id, title, first_date, last_date, created_at, last_event_at,"
            " summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
            stories,
        )
        conn.executemany(
            "INSERT INTO events(id, story_id, title, date, created_at) VALUES (?, ?, ?, ?, ?)",
            events,
        )
        conn.executemany(
            "INSERT INTO articles(id, feed_id, guid, url, title, outlet, published, first_seen,"
            " summary, text, event_id, extract_status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok')",
            articles,
        )
        conn.executemany(
            "INSERT INTO triage(story_id, read, starred, seen_event_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            triage,
        )
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('last_session_at', ?)",
            (iso(now - timedelta(days=1)),),
        )
    store.close()


def memory_mb(field: str) -> float:
    """From /proc (Linux): ru_maxrss would carry the parent's peak across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reading(app) -> bool:  # type: ignore[no-untyped-def]
    """Whether a screen is still reading the store in a worker (the summary pane's text)."""
    return any(w.group == "reading" and not w.is_finished for w in app.workers)


async def measure(home: Path, keys: int) -> dict[str, float]:
    baseline_rss = memory_mb("VmRSS")
    from textual import events

    start = time.perf_counter()
    from briefing.config import Paths, Settings
    from briefing.store import Store
    from briefing.tui.app import make_app
    from briefing.tui.screens.briefing import BriefingScreen
    from briefing.tui.storylist import StoryList

    paths = Paths.resolve(home)
    store = Store(paths.database)
    app = make_app(store, Settings(), paths)
    paints: list[float] = []
    display = app._display

    def timed_display(screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(screen, renderable)
        if renderable is not None:
            paints.append(time.perf_counter())

    app._display = timed_display  # type: ignore[method-assign]

    async def painted_after(moment: float, done) -> float:  # type: ignore[no-untyped-def]
        """Wait until `done()` holds and a frame was written after `moment`."""
        while True:
            if done():
                later = [p for p in paints if p > moment]
                if later and later[-1] > moment:
                    # the frame must come after the change took effect
                    return later[-1]
            await asyncio.sleep(0.0005)

    result: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        import_done = time.perf_counter()
        await pilot.pause()
        while not paints:
            await asyncio.sleep(0.001)
        result["first_paint_s"] = paints[0] - start
        screen = app.screen
        assert isinstance(screen, BriefingScreen)
        table = screen.query_one(StoryList)
        result["stories_shown"] = len(screen.shown)
        # interactive: a key pressed now moves the cursor and is painted
        sent = time.perf_counter()
        app._driver.send_message(events.Key("j", "j"))  # type: ignore[union-attr]
        ready = await painted_after(sent, lambda: table.cursor_row == 1)
        result["interactive_s"] = ready - start
        result["app_ready_s"] = import_done - start
        await pilot.pause()
        latencies = []
        for _ in range(keys):
            row = table.cursor_row
            paints.clear()
            sent = time.perf_counter()
            app._driver.send_message(events.Key("j", "j"))  # type: ignore[union-attr]
            done = await painted_after(sent, lambda row=row: table.cursor_row == row + 1)
            latencies.append((done - sent) * 1000)
            await asyncio.sleep(0.002)
        latencies.sort()
        # one key at a time, the cursor resting in between: list and summary both redraw
        summary = screen.query_one("#summary")
        single = []
        for _ in range(20):
            await asyncio.sleep(0.3)
            row = table.cursor_row
            before = summary.render()
            paints.clear()
            sent = time.perf_counter()
            app._driver.send_message(events.Key("j", "j"))  # type: ignore[union-attr]
            done = await painted_after(
                sent,
                lambda row=row, before=before: (
                    table.cursor_row == row + 1
                    and summary.render() is not before
                    and not reading(app)
                ),
            )
            single.append((done - sent) * 1000)
        result["single_key_median_ms"] = statistics.median(single)
        result["single_key_max_ms"] = max(single)
        result["key_median_ms"] = statistics.median(latencies)
        result["key_p95_ms"] = latencies[int(len(latencies) * 0.95) - 1]
        result["key_max_ms"] = latencies[-1]
        # the heavier paths: reload from the store, a filter change
        t = time.perf_counter()
        screen.reload()
        result["reload_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        await pilot.press("s")
        result["star_key_with_pilot_ms"] = (time.perf_counter() - t) * 1000
    result["peak_rss_mb"] = memory_mb("VmHWM")
    result["baseline_rss_mb"] = baseline_rss
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.keys))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        from briefing.config import Paths

        home = Path(tmp) / "home"
        paths = Paths.resolve(home).ensure()
        t = time.perf_counter()
        build(paths.database, args.stories, args.articles)
        built = time.perf_counter() - t
        proc = subprocess.run(
            [sys.executable, __file__, "--measure", str(home), "--keys", str(args.keys)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            return 1
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"archive: {args.stories} stories, {args.articles} articles (built in {built:.1f} s)")
    print(f"start -> first paint:   {result['first_paint_s'] * 1000:7.0f} ms")
    print(f"start -> interactive:   {result['interactive_s'] * 1000:7.0f} ms")
    print(
        f"key press j (x{args.keys}):  median {result['key_median_ms']:.1f} ms, "
        f"p95 {result['key_p95_ms']:.1f} ms, max {result['key_max_ms']:.1f} ms"
    )
    print(
        f"single key press, cursor resting (list + summary pane): median "
        f"{result['single_key_median_ms']:.1f} ms, max {result['single_key_max_ms']:.1f} ms"
    )
    print(f"full reload of the list: {result['reload_ms']:7.0f} ms")
    print(
        f"peak RSS: {result['peak_rss_mb']:.0f} MB "
        f"(the interpreter before importing the app: {result['baseline_rss_mb']:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
