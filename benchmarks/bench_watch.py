"""What watches add to a fetch: 50 watches, a 50,000-article archive, 200 new articles.

    .venv/bin/python benchmarks/bench_watch.py [--articles 50000] [--new 200] [--watches 50]

Builds a store with synthetic articles (seeded vocabulary plus the
gazetteer's names at Zipf-like frequencies, so entity fields have real
matches), already grouped into events, with every article's entities
extracted. Then adds the new articles the way a fetch does
and times, separately:
- the entity stage on the new articles (`entity_stage.run`);
- watch matching for the fetch summary (`watching.new_hits`: 50 watches mixing
  words, `entity:`, `source:` and `category:` fields), with no mutes and with
  5 mutes (outlet, keyword, entity, category, feed);
- a whole-archive `story_matches` for all watches (what the app's watch view reads).
Best of --repeat runs; the machine is shared, so figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing import entities, entity_stage, watching
from briefing.models import utcnow
from briefing.store import Store
from briefing.store import watches as watch_store

OUTLETS = ["Policy Wire", "The Cyber Ledger", "Breach Daily", "Threat Desk", "Packet Post"]
CATEGORIES = ["policy", "threats", "eu", "uk", "vendors"]
# Every entity the gazetteer knows, mentioned with Zipf-like frequencies (a few
# names in most articles, most names rarely), as in real news.
NAMES = sorted({e.name for e in entities.gazetteer().spellings.values()})
WEIGHTS = [1 / (rank + 1) for rank in range(len(NAMES))]


def vocabulary(rng: random.Random, n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return sorted({"".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(n)})


def article_text(rng: random.Random, words: list[str]) -> tuple[str, str]:
    title = " ".join(rng.choices(words, k=7)) + " " + rng.choice(NAMES)
    body = ". ".join(" ".join(rng.choices(words, k=12)) + " " + rng.choice(NAMES) for _ in range(6))
    return title, body


def build(path: Path, n: int, rng: random.Random, words: list[str]) -> Store:
    store = Store(path)
    now = "2026-11-01T00:00:00Z"
    with store.write() as conn:
        for i, outlet in enumerate(OUTLETS):
            conn.execute(
                "INSERT INTO feeds(id, url, title, category, added_at) VALUES (?, ?, ?, ?, ?)",
                (i + 1, f"https://{i}.example/feed", outlet, CATEGORIES[i], now),
            )
        for s in range(n // 40):
            conn.execute(
                "INSERT INTO stories(id, title, first_date, last_date, created_at) "
                "VALUES (?, ?, '2026-01-01', '2026-01-01', ?)",
                (f"s{s}", f"story {s}", now),
            )
        for e in range(n // 5):
            conn.execute(
                "INSERT INTO events(id, story_id, title, date, created_at) "
                "VALUES (?, ?, ?, '2026-01-01', ?)",
                (f"e{e}", f"s{e // 8}", f"event {e}", now),
            )
        for a in range(n):
            add_article(conn, rng, words, a, f"e{a // 5}", now)
    entity_stage.run(store)
    return store


def add_article(conn, rng, words, a, event_id, now) -> int:  # type: ignore[no-untyped-def]
    title, body = article_text(rng, words)
    feed = rng.randrange(len(OUTLETS))
    cur = conn.execute(
        "INSERT INTO articles(feed_id, guid, url, title, outlet, published, first_seen, text,"
        " event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (feed + 1, f"g{a}", f"https://x.example/{a}", title, OUTLETS[feed], now, now, body,
         event_id),
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def watches(rng: random.Random, words: list[str], count: int) -> list[tuple[str, str]]:
    out = []
    for i in range(count):
        kind = i % 5
        name = rng.choice(NAMES)  # any entity, common or rare
        if kind == 0:
            query = f'entity:"{name}"'
        elif kind == 1:
            query = " ".join(rng.choices(words, k=2))
        elif kind == 2:
            query = f'entity:"{name}" source:"{rng.choice(OUTLETS)}"'
        elif kind == 3:
            query = f"{rng.choice(words)} category:{rng.choice(CATEGORIES)}"
        else:
            query = f'{rng.choice(words)} entity:"{rng.choice(NAMES)}"'
        out.append((f"w{i}", query))
    return out


def best(repeat: int, call) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--watches", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(17)
    words = vocabulary(rng, 3000)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        store = build(Path(tmp) / "bench.sqlite3", args.articles, rng, words)
        built = time.perf_counter() - start
        for name, query in watches(rng, words, args.watches):
            watch_store.add_watch(store, name, query)
        started = utcnow()
        with store.write() as conn:
            new = [
                add_article(conn, rng, words, args.articles + i, f"e{i}", "2026-11-02T00:00:00Z")
                for i in range(args.new)
            ]
        entity_ms = best(1, lambda: entity_stage.run(store))
        hits = watching.new_hits(store, new, started)
        bare = best(args.repeat, lambda: watching.new_hits(store, new, started))
        for kind, value in [("outlet", "Packet Post"), ("keyword", words[5]),
                            ("entity", NAMES[3]), ("category", "uk"),
                            ("feed", "https://3.example/feed")]:  # fmt: skip
            watch_store.add_mute(store, kind, value)
        muted = best(args.repeat, lambda: watching.new_hits(store, new, started))
        archive = best(1, lambda: watching.story_matches(store))
        store.close()
    result = {
        "archive_articles": args.articles,
        "new_articles": args.new,
        "watches": args.watches,
        "watches_with_hits": len(hits),
        "build_s": round(built, 1),
        "entity_stage_new_ms": round(entity_ms, 1),
        "match_new_ms": round(bare, 1),
        "match_new_with_5_mutes_ms": round(muted, 1),
        "story_matches_whole_archive_ms": round(archive, 1),
        "budget_ms": 50,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
