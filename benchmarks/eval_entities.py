"""Precision and recall of entity extraction per type, on the hand-checked labels.

    python benchmarks/eval_entities.py [LABELS]

Scores `briefing.entities.article_entities` on each labeled article of the
corpus (title + teaser + paragraphs), comparing sets of (name, type) per
article. The gazetteers were compiled with this corpus in view, so these are
figures on tuning data, not a held-out estimate.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import load_corpus
from briefing.entities import TYPES, article_entities

LABELS = Path(__file__).resolve().parent / "data" / "entity_labels.json"

Pair = tuple[str, str]


def load_labels(path: Path = LABELS) -> dict[str, set[Pair]]:
    doc = json.loads(path.read_text("utf-8"))
    return {aid: {(e["name"], e["type"]) for e in ents} for aid, ents in doc["articles"].items()}


def predictions(ids: set[str]) -> dict[str, set[Pair]]:
    out = {}
    for story in load_corpus():
        for art in story.articles:
            if art.id in ids:
                body = f"{art.teaser}\n{art.text}"
                out[art.id] = {(e.name, e.type) for e in article_entities(art.title, body)}
    return out


def score(labels: dict[str, set[Pair]], found: dict[str, set[Pair]]) -> dict[str, Counter[str]]:
    tally: dict[str, Counter[str]] = {t: Counter() for t in TYPES}
    for aid, gold in labels.items():
        got = found.get(aid, set())
        for _, kind in gold & got:
            tally[kind]["tp"] += 1
        for _, kind in got - gold:
            tally[kind]["fp"] += 1
        for _, kind in gold - got:
            tally[kind]["fn"] += 1
    return tally


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def main(argv: list[str]) -> int:
    labels = load_labels(Path(argv[0]) if argv else LABELS)
    tally = score(labels, predictions(set(labels)))
    total: Counter[str] = Counter()
    print(f"{len(labels)} articles, {sum(map(len, labels.values()))} labeled entities")
    print(f"{'type':8} {'gold':>5} {'P':>6} {'R':>6}")
    for kind in TYPES:
        c = tally[kind]
        total.update(c)
        gold = c["tp"] + c["fn"]
        p, r = ratio(c["tp"], c["tp"] + c["fp"]), ratio(c["tp"], gold)
        print(f"{kind:8} {gold:5d} {p:6.3f} {r:6.3f}")
    p, r = (
        ratio(total["tp"], total["tp"] + total["fp"]),
        ratio(total["tp"], total["tp"] + total["fn"]),
    )
    print(f"{'all':8} {total['tp'] + total['fn']:5d} {p:6.3f} {r:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
