"""Score the clustering against the labeled corpus.

    .venv/bin/python benchmarks/eval_cluster.py [--incremental] [--mistakes N]

Prints B-cubed precision, recall and F1 for events and for stories, pair
precision and recall for duplicates, and the worst mistakes (to guide tuning).
With --incremental it also runs the store-backed stage in publication-order
batches through a temporary store, to show incremental matches batch quality.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import CorpusArticle, all_articles, load_corpus
from benchmarks.corpus_jsonl import read_jsonl
from briefing.cluster.core import cluster
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.vectors import Doc, DocFreq, Featurizer


def to_doc(art: CorpusArticle) -> Doc:
    return Doc(
        id=art.id,
        title=art.title,
        summary=art.teaser,
        text=art.text,
        outlet=art.outlet,
        url=art.url,
        published=art.published.timestamp(),
    )


def article_vectors(articles: list[CorpusArticle], params: Params) -> list[sp.csr_matrix]:
    """Words, names and titles rows, weighted as the stage weighs one batch."""
    featurizer = Featurizer(params)
    docs = [to_doc(a) for a in articles]
    counts_w, counts_n = featurizer.counts(docs)
    df = DocFreq(params.n_features)
    df.add(counts_w, counts_n)
    idf_w = df.idf("words")
    return [
        Featurizer.weigh(counts_w, idf_w),
        Featurizer.weigh(counts_n, df.idf("names")),
        featurizer.titles([d.title for d in docs], idf_w),
    ]


def name_idf(articles: list[CorpusArticle], params: Params) -> np.ndarray:
    """The names IDF of a batch of articles, as `article_vectors` weighs them."""
    counts_w, counts_n = Featurizer(params).counts([to_doc(a) for a in articles])
    df = DocFreq(params.n_features)
    df.add(counts_w, counts_n)
    return df.idf("names")


def explain_pair(articles: list[CorpusArticle], first: str, second: str, params: Params) -> None:
    """Features and join score of two articles, as events and (their gold events) as stories."""
    import numpy as np

    from briefing.cluster.grouping import explain, link_features, outlet_rows
    from briefing.cluster.rules import event_rule, story_rule
    from briefing.cluster.vectors import source_of

    pos = {a.id: n for n, a in enumerate(articles)}
    xs = article_vectors(articles, params)
    for level, rule, rows_of in (
        ("event", event_rule(params), lambda a: [pos[a.id]]),
        (
            "story",
            story_rule(params),
            lambda a: [pos[b.id] for b in articles if b.event_id == a.event_id],
        ),
    ):
        a, b = articles[pos[first]], articles[pos[second]]
        views = []
        for x in xs:
            rows = [
                normalize(sp.csr_matrix(np.asarray(x[rows_of(art)].sum(axis=0)))) for art in (a, b)
            ]
            views.append([sp.csr_matrix(r) for r in rows])
        t_b = b.published.timestamp()
        header = np.array([[t_b, t_b, 1.0]])
        # a group of one: its latest member is itself (stories count no outlets)
        group = [v[1] for v in views] * 2
        outlets = None
        if level == "event":
            group.append(outlet_rows([source_of(b.outlet, b.url)], params.n_features))
            outlets = outlet_rows([source_of(a.outlet, a.url)], params.n_features)
        feats, _ = link_features(
            group, header, [v[0] for v in views], np.array([a.published.timestamp()]), outlets
        )
        print(f"{level}: {explain(rule.model, feats[0])}")


def bcubed(
    gold: Mapping[Hashable, Hashable], pred: Mapping[Hashable, Hashable]
) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 over the items both labelings share."""
    gold_sets: dict[Hashable, set[Hashable]] = defaultdict(set)
    pred_sets: dict[Hashable, set[Hashable]] = defaultdict(set)
    for item, label in gold.items():
        gold_sets[label].add(item)
    for item, label in pred.items():
        pred_sets[label].add(item)
    precision = recall = 0.0
    for item in gold:
        g = gold_sets[gold[item]]
        p = pred_sets[pred[item]]
        both = len(g & p)
        precision += both / len(p)
        recall += both / len(g)
    n = len(gold)
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def dup_pairs(mapping: Mapping[Hashable, Hashable | None]) -> set[tuple[Hashable, Hashable]]:
    return {(a, o) for a, o in mapping.items() if o is not None}


def scores(
    articles: list[CorpusArticle],
    duplicate_of: Mapping[Hashable, Hashable | None],
    event_of: Mapping[Hashable, Hashable],
    story_of: Mapping[Hashable, Hashable],
) -> dict[str, tuple[float, ...]]:
    gold_event = {a.id: a.event_id for a in articles}
    gold_story = {a.id: a.story_id for a in articles}
    gold_dup = {(a.id, a.duplicate_of) for a in articles if a.duplicate_of}
    # copies counted as one group: a pair is right when both sit in one copy group
    pred_groups = {a: (o or a) for a, o in duplicate_of.items()}
    gold_groups = {a.id: (a.duplicate_of or a.id) for a in articles}
    pred_dup = dup_pairs(duplicate_of)
    tp_exact = len(gold_dup & pred_dup)
    same_group = sum(1 for a, _ in pred_dup if gold_groups[a] == gold_groups[pred_groups[a]])
    found = sum(1 for a, _ in gold_dup if pred_groups[a] == pred_groups[gold_groups[a]])
    return {
        "events": bcubed(gold_event, event_of),
        "stories": bcubed(gold_story, story_of),
        "duplicates": (
            same_group / len(pred_dup) if pred_dup else 1.0,
            found / len(gold_dup) if gold_dup else 1.0,
            tp_exact,
            len(pred_dup),
            len(gold_dup),
        ),
    }


def mistakes(
    articles: list[CorpusArticle], pred: Mapping[Hashable, Hashable], level: str, limit: int
) -> list[str]:
    """Predicted clusters that mix gold labels, and gold clusters split apart."""
    label = (lambda a: a.event_id) if level == "event" else (lambda a: a.story_id)
    by_pred: dict[Hashable, list[CorpusArticle]] = defaultdict(list)
    by_gold: dict[str, set[Hashable]] = defaultdict(set)
    for a in articles:
        by_pred[pred[a.id]].append(a)
        by_gold[label(a)].add(pred[a.id])
    lines = []
    plural = "events" if level == "event" else "stories"
    for members in by_pred.values():
        labels = Counter(label(a) for a in members)
        if len(labels) > 1:
            main = labels.most_common(1)[0][0]
            strays = [a for a in members if label(a) != main]
            lines.append(
                (
                    len(strays),
                    f"  merged {plural}: {dict(labels)}; e.g. {strays[0].title!r}",
                )
            )
    for gold, preds in by_gold.items():
        if len(preds) > 1:
            sizes = Counter(pred[a.id] for a in articles if label(a) == gold)
            lines.append((len(preds) - 1, f"  split {level} {gold}: into {sorted(sizes.values())}"))
    lines.sort(key=lambda x: -x[0])
    return [text for _, text in lines[:limit]]


def run_batch(articles: list[CorpusArticle], params: Params) -> tuple[dict, dict, dict]:
    result = cluster([to_doc(a) for a in articles], params)
    story_of = {a.id: result.story_of(a.id) for a in articles}
    return result.duplicate_of, result.event_of, story_of


def run_incremental(articles: list[CorpusArticle], batches: int) -> tuple[dict, dict, dict]:
    from briefing.cluster import stage
    from briefing.store import Store
    from briefing.store.articles import upsert
    from briefing.store.feeds import add as add_feed

    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "eval.db")
        feed = add_feed(store, "https://corpus.example/feed")
        assert feed.id is not None
        size = max(1, len(ordered) // batches)
        id_of: dict[int, str] = {}
        for start in range(0, len(ordered), size):
            chunk = ordered[start : start + size]
            new, _ = upsert(store, [a.as_entry(feed.id) for a in chunk])
            id_of.update(zip(new, (a.id for a in chunk), strict=True))
            stage.run(store)
        dup: dict[Hashable, Hashable | None] = {}
        event_of: dict[Hashable, Hashable] = {}
        story_of: dict[Hashable, Hashable] = {}
        for r in store.query(
            "SELECT a.id, a.duplicate_of, a.event_id, e.story_id FROM articles a"
            " JOIN events e ON e.id = a.event_id"
        ):
            cid = id_of[r["id"]]
            dup[cid] = id_of[r["duplicate_of"]] if r["duplicate_of"] else None
            event_of[cid] = r["event_id"]
            story_of[cid] = r["story_id"]
        store.close()
    return dup, event_of, story_of


def report(name: str, figures: dict[str, tuple[float, ...]], seconds: float) -> None:
    print(f"\n{name} ({seconds:.2f} s)")
    print(f"  {'level':<11}{'precision':>10}{'recall':>10}{'F1':>10}")
    for level in ("events", "stories"):
        p, r, f = figures[level]
        print(f"  {level:<11}{p:>10.3f}{r:>10.3f}{f:>10.3f}")
    p, r, exact, n_pred, n_gold = figures["duplicates"]
    print(
        f"  {'duplicates':<11}{p:>10.3f}{r:>10.3f}{'':>10}"
        f"  (pairs: {n_pred} found, {n_gold} labeled, {exact} with the same original)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None, help="corpus directory")
    parser.add_argument(
        "--jsonl", default=None, help="a harness corpus (e.g. AllSides dev) instead"
    )
    parser.add_argument("--explain", nargs=2, metavar="ID", help="print a pair's features+score")
    parser.add_argument("--incremental", action="store_true", help="also run the store stage")
    parser.add_argument("--batches", type=int, default=8, help="incremental batches")
    parser.add_argument("--mistakes", type=int, default=12, help="how many mistakes to list")
    args = parser.parse_args(argv)
    articles = read_jsonl(args.jsonl) if args.jsonl else all_articles(load_corpus(args.corpus))
    n_events = len({a.event_id for a in articles})
    n_stories = len({a.story_id for a in articles})
    print(f"corpus: {len(articles)} articles, {n_events} events, {n_stories} stories")

    if args.explain:
        explain_pair(articles, args.explain[0], args.explain[1], DEFAULT)
        return 0
    started = time.perf_counter()
    dup, event_of, story_of = run_batch(articles, DEFAULT)
    figures = scores(articles, dup, event_of, story_of)
    report("batch (briefing.cluster.core.cluster)", figures, time.perf_counter() - started)
    print("worst event mistakes:")
    print("\n".join(mistakes(articles, event_of, "event", args.mistakes)) or "  none")
    print("worst story mistakes:")
    print("\n".join(mistakes(articles, story_of, "story", args.mistakes)) or "  none")
    if args.incremental:
        started = time.perf_counter()
        dup, event_of, story_of = run_incremental(articles, args.batches)
        report(
            f"incremental (briefing.cluster.stage.run, {args.batches} batches)",
            scores(articles, dup, event_of, story_of),
            time.perf_counter() - started,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
