"""Score the whole pipeline, end to end, on the demo corpus.

    .venv/bin/python benchmarks/eval_pipeline.py

`eval_cluster.py` scores the clustering on the corpus's clean text. This one
serves the demo's cluttered pages on 127.0.0.1 and runs what a user runs:
fetch, full-text extraction, duplicates, events, stories and summaries. It then
compares the store against `briefing/data/demo/labels.json` (B-cubed for events
and stories, pair precision/recall for duplicates) and reports how many summary
sentences are clutter that the boilerplate filter should have dropped, and how
close the events' titles come to the labeled corpus's reference titles.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Hashable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rouge_score import rouge_scorer

from benchmarks.corpus import load_corpus
from benchmarks.eval_cluster import bcubed
from briefing.cluster import titles
from briefing.config import Settings
from briefing.demo import demo_dir, prepare_demo, serve
from briefing.store import Store

# Phrases the demo pages carry only in their clutter (bylines, boxes, captions).
CLUTTER_MARKERS = (
    "subscribe",
    "newsletter",
    "cookie",
    "leave a comment",
    "sign up",
    "photo:",
    "image credit",
    "read more",
    "is a reporter",
    "covers cybersecurity",
    "all rights reserved",
)


def labels() -> dict[str, dict[str, str | None]]:
    data: dict[str, dict[str, str | None]] = json.loads(
        (demo_dir() / "labels.json").read_text(encoding="utf-8")
    )
    return data


def scores(store: Store) -> dict[str, tuple[float, ...]]:
    """B-cubed for events and stories, and duplicate pairs, against the demo's labels."""
    gold = labels()
    rows = store.query(
        "SELECT articles.id, articles.guid, articles.event_id, articles.duplicate_of,"
        " events.story_id FROM articles LEFT JOIN events ON events.id = articles.event_id"
    )
    by_id = {r["id"]: r["guid"] for r in rows}
    gold_event: dict[Hashable, Hashable] = {}
    gold_story: dict[Hashable, Hashable] = {}
    pred_event: dict[Hashable, Hashable] = {}
    pred_story: dict[Hashable, Hashable] = {}
    gold_pairs: set[tuple[str, str]] = set()
    pred_pairs: set[tuple[str, str]] = set()
    article_of_guid = {guid: label["article"] for guid, label in gold.items()}
    for row in rows:
        label = gold[row["guid"]]
        gold_event[row["guid"]] = label["event"]
        gold_story[row["guid"]] = label["story"]
        # an unclustered article is a group of its own
        pred_event[row["guid"]] = row["event_id"] or f"none:{row['guid']}"
        pred_story[row["guid"]] = row["story_id"] or f"none:{row['guid']}"
        if label["duplicate_of"]:
            gold_pairs.add((str(label["article"]), str(label["duplicate_of"])))
        if row["duplicate_of"]:
            original = article_of_guid[by_id[row["duplicate_of"]]]
            pred_pairs.add((str(label["article"]), str(original)))
    hits = len(gold_pairs & pred_pairs)
    return {
        "events": bcubed(gold_event, pred_event),
        "stories": bcubed(gold_story, pred_story),
        "duplicates": (
            hits / len(pred_pairs) if pred_pairs else 1.0,
            hits / len(gold_pairs) if gold_pairs else 1.0,
        ),
        "coverage": (len(rows) / len(gold),),
    }


def title_scores(store: Store) -> tuple[float, float]:
    """How well the events' titles say what happened: (mean ROUGE-1 F against the corpus's
    reference title of the gold event most of its articles belong to, share of titles
    that read as a guide, an explainer or an opinion rather than a report)."""
    gold = labels()
    reference = {e.id: e.title for s in load_corpus() for e in s.events}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for row in store.query("SELECT guid, event_id FROM articles WHERE event_id IS NOT NULL"):
        votes[row["event_id"]][str(gold[row["guid"]]["event"])] += 1
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    overlap, not_news = [], 0
    for row in store.query("SELECT id, title FROM events"):
        event = votes[row["id"]].most_common(1)[0][0]
        overlap.append(scorer.score(reference[event], row["title"])["rouge1"].fmeasure)
        not_news += bool(titles.NOT_NEWS.search(row["title"].strip()))
    return sum(overlap) / len(overlap), not_news / len(overlap)


def clutter_share(store: Store) -> tuple[int, int]:
    """(clutter sentences, all sentences) over every stored event and story summary."""
    total = clutter = 0
    for row in store.query("SELECT summary FROM events UNION ALL SELECT summary FROM stories"):
        for item in json.loads(row["summary"]):
            total += 1
            clutter += any(m in item["text"].lower() for m in CLUTTER_MARKERS)
    return clutter, total


def run_pipeline(home: Path) -> tuple[Store, float]:
    with serve(demo_dir()) as base:
        start = time.perf_counter()
        store = prepare_demo(home, base, Settings())
        return store, time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="briefing-eval-") as tmp:
        store, seconds = run_pipeline(Path(tmp))
        figures = scores(store)
        clutter, total = clutter_share(store)
        overlap, not_news = title_scores(store)
        store.close()
    print(f"\ndemo corpus through the whole pipeline in {seconds:.1f} s")
    print(f"{'level':<12}{'precision':>10}{'recall':>10}{'F1':>10}")
    for level in ("events", "stories"):
        p, r, f = figures[level]
        print(f"{level:<12}{p:>10.3f}{r:>10.3f}{f:>10.3f}")
    p, r = figures["duplicates"]
    print(f"{'duplicates':<12}{p:>10.3f}{r:>10.3f}")
    print(f"articles stored / labeled: {figures['coverage'][0]:.3f}")
    print(f"summary sentences that are clutter: {clutter} of {total}")
    print(f"event titles: ROUGE-1 F {overlap:.3f} against the reference titles,", end=" ")
    print(f"{not_news:.1%} read as guides or opinion")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
