"""Clustering speed and memory on synthetic articles.

    .venv/bin/python benchmarks/bench_cluster.py [--quick]

1. cluster 10,000 synthetic articles from scratch in memory (`core.cluster`);
2. cluster 50,000 from scratch through the store (`stage.run` on an empty
   archive: the same code as the in-memory core, plus SQLite), then add 200
   new articles to that 50,000-article archive (incremental `stage.run`);
3. with --all, also 50,000 in memory (slow on a busy machine: minutes).

To time the +200 step alone, again and again, keep the built archive:
`--scenario incremental:50000:200 --keep /tmp/a50k.db` builds it into that
file when it is missing and otherwise starts from a copy of it (flushed to
disk first, as an archive is when a fetch starts, and in a fresh process, as
`briefing fetch` runs it).

Each figure runs in its own process so its peak memory (max RSS) is its own;
the articles of (2) are written by another process before, so the peak is the
stage's (with its imports), not the synthetic text's.
Synthetic text comes from a seeded vocabulary: each story has its own names
and topic words, each event its own detail words, each article a random mix
of those with common filler, so the clustering has real work to do.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

START = datetime(2023, 1, 1, tzinfo=UTC)
DAYS = 730
FEED = "https://bench.example/feed"
OUTLETS = ["Policy Wire", "The Cyber Ledger", "Breach Daily", "Threat Desk", "Packet Post"]


def _vocabulary(rng: random.Random, n: int, length: tuple[int, int]) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(*length))))
    return sorted(words)


def synthetic(n_articles: int, seed: int = 7) -> list[dict]:
    """Articles in publication order: stories of events of articles, about 4 per event."""
    rng = random.Random(seed)
    common = _vocabulary(rng, 3000, (3, 9))
    proper = [w.capitalize() for w in _vocabulary(rng, 4000, (4, 10))]
    arts: list[dict] = []
    n_events = max(1, n_articles // 4)
    n_stories = max(1, n_events // 4)
    stories = []
    for _ in range(n_stories):
        stories.append(
            {
                "names": rng.sample(proper, 3),
                "topic": rng.sample(common, 12),
            }
        )
    e = -1
    while len(arts) < n_articles:
        e += 1
        story = stories[rng.randrange(n_stories)]
        day = START + timedelta(days=rng.uniform(0, DAYS))
        detail = rng.sample(common, 10)
        extra = rng.choice(proper)
        for a in range(rng.randint(2, 6)):

            def sentence(story: dict = story, detail: list = detail, extra: str = extra) -> str:
                pool = story["topic"] + detail + rng.sample(common, 6)
                words = rng.sample(pool, 10)
                words.insert(rng.randrange(1, 10), rng.choice(story["names"]))
                words.insert(rng.randrange(1, 11), extra)
                return "The " + " ".join(words) + "."

            title = " ".join(
                [story["names"][0], *rng.sample(detail, 4), extra, rng.choice(story["topic"])]
            )
            paragraphs = [" ".join(sentence() for _ in range(3)) for _ in range(4)]
            arts.append(
                {
                    "id": f"e{e}a{a}",
                    "title": title,
                    "teaser": sentence(),
                    "text": "\n\n".join(paragraphs),
                    "outlet": rng.choice(OUTLETS),
                    "published": day + timedelta(hours=rng.uniform(0, 30)),
                }
            )
    arts.sort(key=lambda x: x["published"])
    return arts[:n_articles]


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scenario_scratch(n: int) -> dict:
    from briefing.cluster.core import cluster
    from briefing.cluster.vectors import Doc

    arts = synthetic(n)
    docs = [
        Doc(
            id=a["id"],
            title=a["title"],
            summary=a["teaser"],
            text=a["text"],
            outlet=a["outlet"],
            url=f"https://bench.example/{a['id']}",
            published=a["published"].timestamp(),
        )
        for a in arts
    ]
    started = time.perf_counter()
    result = cluster(docs)
    seconds = time.perf_counter() - started
    return {
        "what": f"cluster {n:,} articles from scratch (stage over an in-memory store)",
        "seconds": seconds,
        "peak_mb": _max_rss_mb(),
        "events": len(result.events),
        "stories": len(result.stories),
    }


def _store_articles(store, feed_id: int, arts: list[dict]) -> None:
    from briefing.models import Article
    from briefing.store.articles import upsert

    upsert(
        store,
        [
            Article(
                feed_id=feed_id,
                guid=a["id"],
                url=f"https://bench.example/{a['id']}",
                title=a["title"],
                outlet=a["outlet"],
                published=a["published"],
                summary=a["teaser"],
                text=a["text"],
                extract_status="ok",
            )
            for a in arts
        ],
    )


def prepare(archive: int, new: int, folder: str) -> None:
    """The archive's articles into `folder`/bench.db (unless a kept archive is there
    already), the newcomers into fresh.pickle.

    Run in a process of its own: the synthetic text (hundreds of MB as Python
    strings) must not count in the peak memory of the clustering measured.
    """
    from briefing.store import Store
    from briefing.store.feeds import add, by_url

    arts = synthetic(archive + new, seed=11)
    # the newcomers are the latest articles, as after a morning's fetch
    old, fresh = arts[:archive], arts[archive:]
    db = Path(folder) / "bench.db"
    kept = db.exists()
    store = Store(db)
    feed = by_url(store, FEED) if kept else add(store, FEED)
    assert feed is not None and feed.id is not None
    if not kept:
        _store_articles(store, feed.id, old)
    store.close()
    (Path(folder) / "fresh.pickle").write_bytes(pickle.dumps((feed.id, fresh)))


def scenario_incremental(archive: int, new: int, keep: Path | None = None) -> dict:
    """+`new` to an `archive`-article archive; `keep`: build it there once, then reuse a copy."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        kept = keep is not None and keep.exists()
        if kept:
            assert keep is not None
            shutil.copyfile(keep, db)
            _settle(db)
        subprocess.run(
            [sys.executable, __file__, "--prepare", f"{archive}:{new}:{tmp}"], check=True
        )
        from briefing.cluster import stage
        from briefing.store import Store

        store = Store(db)
        built, build, build_cpu = None, float("nan"), float("nan")
        if not kept:
            started, cpu = time.perf_counter(), time.process_time()
            built = stage.run(store)
            build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
            if keep is not None:
                store.close()
                shutil.copyfile(db, keep)
                store = Store(db)
        rss_before = _max_rss_mb()
        feed_id, fresh = pickle.loads((Path(tmp) / "fresh.pickle").read_bytes())
        _store_articles(store, feed_id, fresh)
        started, cpu = time.perf_counter(), time.process_time()
        report = stage.run(store)
        seconds, add_cpu = time.perf_counter() - started, time.process_time() - cpu
        # the WAL checkpoint the run left to a thread of its own (in `briefing
        # fetch` it overlaps the summaries): how long it still had to go
        waiting = time.perf_counter()
        store.wait_checkpoint()
        checkpoint_wait = time.perf_counter() - waiting
        again = stage.run(store)
        store.close()
    return {
        "what": f"add {new} articles to a {archive:,}-article archive (store, incremental)",
        "seconds": seconds,
        "peak_mb": _max_rss_mb(),
        # CPU seconds (all threads) say more than wall time on a shared machine
        "add_cpu_seconds": add_cpu,
        "checkpoint_wait_after_add_seconds": checkpoint_wait,
        f"cluster_{archive}_from_scratch_via_store_seconds": build,
        "build_cpu_seconds": build_cpu,
        "peak_mb_before_add": rss_before,
        "load_1min": os.getloadavg()[0],
        "new_events": report.new_events,
        "grown_events": report.grown_events,
        "changed_stories": report.changed_stories,
        "rerun_articles": again.articles,
        "phases_build": _phases(built) if built is not None else "(kept archive)",
        "phases_add": _phases(report),
    }


def _settle(db: Path) -> None:
    """The copied archive on disk, as a user's archive is when a fetch starts.

    A fresh copy is hundreds of MB of dirty page cache; the first fsync of the
    file (a checkpoint's) would write all of it back inside the timed run.
    """
    fd = os.open(db, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _phases(report) -> str:
    """The stage's own seconds per step, largest first (`ClusterReport.phases`)."""
    steps = sorted(report.phases.items(), key=lambda kv: -kv[1])
    return " ".join(f"{name}:{seconds:.2f}" for name, seconds in steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 / 5,000 articles instead")
    parser.add_argument("--all", action="store_true", help="also the large size in memory")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument(
        "--keep",
        type=Path,
        help="with --scenario incremental:N:M, the built archive's database file: built and "
        "saved there when missing, else copied from it (to time the +M step alone)",
    )
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        archive, new, folder = args.prepare.split(":", 2)
        prepare(int(archive), int(new), folder)
        return 0
    if args.scenario:
        kind, *numbers = args.scenario.split(":")
        values = [int(x) for x in numbers]
        if kind == "scratch":
            out = scenario_scratch(*values)
        else:
            out = scenario_incremental(*values, keep=args.keep)
        print(json.dumps(out))
        return 0
    small, large = (1_000, 5_000) if args.quick else (10_000, 50_000)
    plan = [f"scratch:{small}", f"incremental:{large}:200"]
    if args.all:
        plan.insert(1, f"scratch:{large}")
    print(f"{'what':<62}{'wall s':>9}{'peak MB':>9}")
    for item in plan:
        proc = subprocess.run(
            [sys.executable, __file__, "--scenario", item],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"{item}: failed\n{proc.stderr}", file=sys.stderr)
            return 1
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{out['what']:<62}{out['seconds']:>9.2f}{out['peak_mb']:>9.0f}")
        extra = {k: v for k, v in out.items() if k not in {"what", "seconds", "peak_mb"}}
        print(
            "    "
            + ", ".join(
                f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in extra.items()
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
