"""What one article summary costs, and what sentence segmentation costs within it.

    .venv/bin/python benchmarks/bench_article_summary.py [--rounds 3]

On every article of the labeled corpus (`benchmarks/data/corpus/`):

- sentence segmentation per paragraph: sentencex (what briefing uses), and
  pysbd (what it used before) when it is installed, with the number of
  paragraphs the two split differently;
- `summarize_article` per article, the segmentation cache cleared before each
  round: median, 90th percentile and mean of its CPU time (process time, so a
  busy machine inflates it less than wall time would).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import sentencex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import all_articles, load_corpus
from briefing.summarize import core, text
from briefing.summarize.candidates import Source, _paragraph_sentences


def segmentation(paragraphs: list[str]) -> None:
    start = time.process_time()
    ours = [[s.strip() for s in sentencex.segment("en", p)] for p in paragraphs]
    fast = (time.process_time() - start) / len(paragraphs)
    print(f"sentencex: {fast * 1000:.3f} ms per paragraph ({len(paragraphs)} paragraphs)")
    try:
        import pysbd
    except ImportError:
        print("pysbd: not installed (no comparison)")
        return
    segmenter = pysbd.Segmenter(language="en", clean=False)
    start = time.process_time()
    theirs = [[s.strip() for s in segmenter.segment(p)] for p in paragraphs]
    slow = (time.process_time() - start) / len(paragraphs)
    differ = sum(a != b for a, b in zip(ours, theirs, strict=True))
    print(
        f"pysbd: {slow * 1000:.3f} ms per paragraph; sentencex is {slow / fast:.0f}x faster; "
        f"paragraphs split differently: {differ}"
    )


def summaries(sources: list[Source], rounds: int) -> None:
    for n in range(rounds):
        text._segment_cached.cache_clear()
        _paragraph_sentences.cache_clear()
        times = []
        for source in sources:
            start = time.process_time()
            core.summarize_article(source)
            times.append(time.process_time() - start)
        times.sort()
        print(
            f"summarize_article, round {n + 1}: median {statistics.median(times) * 1000:.2f} ms, "
            f"p90 {times[int(0.9 * len(times))] * 1000:.2f} ms, "
            f"mean {statistics.mean(times) * 1000:.2f} ms ({len(times)} articles)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    articles = all_articles(load_corpus())
    sources = [
        Source(text=a.text, title=a.title, article_id=i, outlet=a.outlet)
        for i, a in enumerate(articles)
    ]
    segmentation([p for s in sources for p in text.paragraphs(s.text)])
    summaries(sources, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
