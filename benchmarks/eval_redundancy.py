"""How much do event summaries repeat themselves? Overlap between their sentences.

For every event of the labeled corpus (`benchmarks/data/corpus`, clutter
injected as in `eval_summaries.py`), the default summarizer writes the event
summary; for each pair of its sentences we take the Jaccard overlap of their
content-word stems (`summarize.text.content_stems`). Printed: the mean over
events of the largest pair overlap, and how many summaries hold a pair
overlapping 0.25 or more (a second outlet's rewording of the same fact).

    .venv/bin/python benchmarks/eval_redundancy.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import load_corpus
from benchmarks.eval_summaries import sources
from briefing.summarize import core, rank, text

HIGH = 0.25


def overlap(a: str, b: str) -> float:
    x, y = text.content_stems(a), text.content_stems(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="the labeled corpus directory")
    args = parser.parse_args()
    largest: list[float] = []
    high = 0
    events = [e for story in load_corpus(args.corpus) for e in story.events]
    for event in events:
        made, _ = sources(event, with_clutter=True)
        said = [s.text for s in core.summarize_event(made, rank.DEFAULT)]
        pairs = [overlap(a, b) for a, b in itertools.combinations(said, 2)]
        worst = max(pairs, default=0.0)
        largest.append(worst)
        high += worst >= HIGH
    print(f"{len(largest)} event summaries ({rank.DEFAULT}, clutter injected)")
    print(f"mean largest pair overlap (Jaccard of content stems): {statistics.mean(largest):.3f}")
    print(f"summaries with a pair overlapping >= {HIGH}: {high}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
