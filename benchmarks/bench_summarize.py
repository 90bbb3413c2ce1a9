"""How fast are summaries? One big event, and every summary of the demo corpus.

1. An event of 30 articles: 30 original reports from the labeled corpus
   (the largest stories first), with typical page clutter injected as in
   `eval_summaries.py`, summarized as one multi-document event. Reported as
   the median over several runs, cold (sentence-segmentation cache cleared)
   and warm (the stage summarizes each article first, so the event's
   sentences are usually segmented already).
2. The demo corpus: every bundled demo page extracted as the fetcher does (not
   timed), stored with its labeled event and story, then the summary stage
   run on the store: first run (everything computed) and second run
   (nothing changed, nothing recomputed).

    .venv/bin/python benchmarks/bench_summarize.py [--runs N] [--algorithm NAME]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import CorpusArticle, all_articles, load_corpus
from benchmarks.eval_summaries import clutter
from briefing.config import Settings
from briefing.fetch.extract_worker import extract_page
from briefing.models import to_iso
from briefing.store import Store
from briefing.summarize import core, rank, stage, text
from briefing.summarize.candidates import Source, _paragraph_sentences

DEMO = Path(__file__).resolve().parent.parent / "briefing" / "data" / "demo"


def thirty_articles() -> list[Source]:
    stories = sorted(load_corpus(), key=lambda s: -len(s.articles))
    originals = [a for s in stories for a in s.articles if a.duplicate_of is None][:30]
    return [
        Source(clutter(a)[0], a.title, n, a.outlet, a.published, a.teaser)
        for n, a in enumerate(originals)
    ]


def bench_event(runs: int, algorithm: str) -> None:
    sources = thirty_articles()
    cold, warm = [], []
    for _ in range(runs):
        text._segment_cached.cache_clear()
        _paragraph_sentences.cache_clear()
        started = time.perf_counter()
        summary = core.summarize_event(sources, algorithm)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        core.summarize_event(sources, algorithm)
        warm.append(time.perf_counter() - started)
    words = sum(len(s.text.split()) for s in sources)
    print(
        f"event of {len(sources)} articles ({words} words, {algorithm}): "
        f"median {1000 * statistics.median(cold):.0f} ms cold, "
        f"{1000 * statistics.median(warm):.0f} ms warm over {runs} runs "
        f"(min {1000 * min(cold):.0f} / max {1000 * max(cold):.0f} ms cold); "
        f"{len(summary)} sentences"
    )


def demo_store(path: Path) -> int:
    """A store of the demo pages with their labeled events and stories; returns articles."""
    labels: dict[str, dict[str, str | None]] = json.loads((DEMO / "labels.json").read_text())
    stories_ = load_corpus()
    corpus = {a.id: a for a in all_articles(stories_)}
    days = {e.id: e.date.isoformat() for s in stories_ for e in s.events}
    store = Store(path)
    now = "2026-11-22T07:00:00Z"
    ids: dict[str, int] = {}
    with store.write() as conn:
        feeds: dict[str, int] = {}
        stories: set[str] = set()
        events: set[str] = set()
        pending: list[tuple[CorpusArticle, str, str]] = []
        for url, label in labels.items():
            article = corpus[str(label["article"])]
            # A URL with tracking parameters serves its original's page.
            page_id = str(labels.get(url.split("?")[0], label)["article"])
            page = next((DEMO / "pages").glob(f"*/{page_id}.html"))
            body = extract_page(page.read_bytes(), url)["text"]
            pending.append((article, url, body))
        for article, url, body in sorted(pending, key=lambda p: p[0].published):
            if article.outlet not in feeds:
                cur = conn.execute(
                    "INSERT INTO feeds(url, title, added_at) VALUES (?, ?, ?)",
                    (f"https://{len(feeds)}.example/feed", article.outlet, now),
                )
                feeds[article.outlet] = int(cur.lastrowid or 0)
            if article.story_id not in stories:
                stories.add(article.story_id)
                conn.execute(
                    "INSERT INTO stories(id, title, first_date, last_date, created_at)"
                    " VALUES (?, ?, '2020-01-01', '2026-01-01', ?)",
                    (article.story_id, article.story_id, now),
                )
            if article.event_id not in events:
                events.add(article.event_id)
                day = days[article.event_id]
                conn.execute(
                    "INSERT INTO events(id, story_id, title, date, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (article.event_id, article.story_id, article.event_id, day, now),
                )
            cur = conn.execute(
                "INSERT INTO articles(feed_id, guid, url, title, outlet, published, first_seen,"
                " summary, text, extract_status, duplicate_of, event_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?)",
                (
                    feeds[article.outlet],
                    url,
                    url,
                    article.title,
                    article.outlet,
                    to_iso(article.published),
                    now,
                    article.teaser,
                    body,
                    ids.get(article.duplicate_of or ""),
                    article.event_id,
                ),
            )
            ids[article.id] = int(cur.lastrowid or 0)
    store.close()
    return len(ids)


def bench_demo(algorithm: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.sqlite3"
        n = demo_store(path)
        text._segment_cached.cache_clear()
        _paragraph_sentences.cache_clear()
        store = Store(path)
        settings = Settings(summarizer=algorithm)
        first = stage.run(store, settings)
        second = stage.run(store, settings)
        store.close()
    print(f"demo corpus ({n} articles, text extracted from the pages), first run:  {first}")
    print(f"demo corpus ({n} articles, text extracted from the pages), second run: {second}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--algorithm", default=rank.DEFAULT, choices=rank.ALGORITHMS)
    args = parser.parse_args(argv)
    bench_event(args.runs, args.algorithm)
    bench_demo(args.algorithm)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
