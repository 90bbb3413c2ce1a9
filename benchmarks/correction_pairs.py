"""An archive's corrections as labeled article pairs, to measure the grouping against them.

    .venv/bin/python benchmarks/correction_pairs.py --home DIR [--eval]

Each correction the analyst made and did not undo says something about pairs
of articles: a merge says its two sides belong together (the same story, or
the same event), a split or a move out says they do not. The pairs are printed
as JSON lines (`{"a": url, "b": url, "level": "story", "same": true}`), keyed by
URL so they can be joined to a labeled corpus or used as training pairs if the
grouping learns its weights. With `--eval` it instead re-clusters the archive's
articles from scratch with the batch `cluster()` (which knows nothing of the
corrections) and prints how many of the analyst's pairs it gets right: the
figure to watch when tuning, since every miss is a fix the analyst had to make.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing.config import Paths
from briefing.store import Store
from briefing.store.corrections import Correction, all_corrections

MAX_PAIRS = 200  # per correction: a merge of two big stories says the same thing many times


@dataclass(frozen=True, slots=True)
class Pair:
    a: int  # article ids
    b: int
    level: str  # "event" | "story"
    same: bool


# which sides of each kind of correction pair up, at which level, and whether together
_SIDES: dict[str, tuple[str, str, str, bool]] = {
    "merge_stories": ("a", "b", "story", True),
    "split_story": ("stay", "go", "story", False),
    "move_event": ("event", "story", "story", True),
    "merge_events": ("a", "b", "event", True),
    "move_article": ("article", "event", "event", True),
    "new_event": ("article", "others", "event", False),
}


def pairs_of(correction: Correction) -> Iterator[Pair]:
    sides = _SIDES.get(correction.kind)
    if sides is None:  # a rename says nothing about grouping
        return
    left_key, right_key, level, same = sides
    left, right = correction.spec[left_key], correction.spec[right_key]
    left = [left] if isinstance(left, int) else left
    right = [right] if isinstance(right, int) else right
    every = list(itertools.product(left, right))
    step = max(1, len(every) // MAX_PAIRS)
    for a, b in every[::step][:MAX_PAIRS]:
        if a != b:
            yield Pair(int(a), int(b), level, same)


def labeled_pairs(store: Store) -> list[Pair]:
    """The pairs every correction in force implies, oldest correction first."""
    return [p for c in all_corrections(store) if c.undone_at is None for p in pairs_of(c)]


def agreement(store: Store, pairs: list[Pair]) -> dict[str, tuple[int, int]]:
    """(right, total) per level for the batch clustering of the archive, from scratch."""
    from briefing.cluster.core import cluster
    from briefing.cluster.stage import to_doc
    from briefing.models import utcnow
    from briefing.store.articles import all_articles

    now = utcnow().timestamp()
    result = cluster([to_doc(a, now) for a in all_articles(store)])
    out: dict[str, tuple[int, int]] = {}
    for p in pairs:
        if p.a not in result.event_of or p.b not in result.event_of:
            continue
        if p.level == "event":
            together = result.event_of[p.a] == result.event_of[p.b]
        else:
            together = result.story_of(p.a) == result.story_of(p.b)
        right, total = out.get(p.level, (0, 0))
        out[p.level] = (right + (together == p.same), total + 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True, help="the briefing home whose archive to read")
    parser.add_argument("--eval", action="store_true", help="score a from-scratch clustering")
    args = parser.parse_args(argv)
    with Store(Paths.resolve(args.home).database) as store:
        pairs = labeled_pairs(store)
        if args.eval:
            for level, (right, total) in sorted(agreement(store, pairs).items()):
                print(f"{level}: {right}/{total} of the analyst's pairs kept by the grouping")
            return 0
        urls = {int(r[0]): r[1] for r in store.query("SELECT id, url FROM articles")}
        for p in pairs:
            row = {"a": urls.get(p.a), "b": urls.get(p.b), "level": p.level, "same": p.same}
            print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
