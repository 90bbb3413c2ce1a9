"""How much do event summaries repeat themselves, and what does MMR cost in ROUGE?

For every event of the labeled corpus (`benchmarks/data/corpus`, clutter
injected as in `eval_summaries.py`), and with `--demo` for every event of the
demo corpus after the whole pipeline, the default summarizer writes the event
summary at several MMR weights (`summarize.redundancy.LAMBDA`; 1.0 is ranking
alone). For each pair of a summary's sentences we take the Jaccard overlap of
their content-word stems. Printed per weight: ROUGE F against the reference
summaries (corpus only), the mean over events of the largest pair overlap, and
how many summaries hold a pair overlapping 0.25 or more (typically a second
outlet's rewording of a sentence already chosen).

    .venv/bin/python benchmarks/eval_redundancy.py [--corpus DIR] [--demo]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import load_corpus
from benchmarks.eval_summaries import sources
from briefing.summarize import core, rank, redundancy, stage, text
from briefing.summarize.candidates import Source

WEIGHTS = (1.0, 0.7, 0.6, 0.5)
HIGH = 0.25


def overlap(a: str, b: str) -> float:
    x, y = text.content_stems(a), text.content_stems(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def largest_overlap(said: Sequence[str]) -> float:
    return max((overlap(a, b) for a, b in itertools.combinations(said, 2)), default=0.0)


def demo_events() -> list[list[Source]]:
    """The demo's events as the summary stage sees them, after the whole pipeline."""
    from benchmarks.eval_pipeline import run_pipeline
    from briefing.store import summaries as db

    with tempfile.TemporaryDirectory(prefix="briefing-redundancy-") as tmp:
        store, _ = run_pipeline(Path(tmp))
        members: dict[str, list[db.ArticleMeta]] = defaultdict(list)
        for meta in db.article_meta(store):
            if meta.event_id is not None:
                members[meta.event_id].append(meta)
        events = []
        for event in db.events(store):
            ids = [a.id for a in stage.event_sources(members.get(event.id, []))]
            events.append([stage._source(a) for a in db.articles(store, ids)])
        store.close()
    return events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="the labeled corpus directory")
    parser.add_argument("--demo", action="store_true", help="also the demo corpus")
    args = parser.parse_args()
    corpus = [e for story in load_corpus(args.corpus) for e in story.events]
    prepared = [(e, sources(e, with_clutter=True)[0]) for e in corpus]
    demo = demo_events() if args.demo else []
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    print(
        f"{len(corpus)} corpus events{f', {len(demo)} demo events' if demo else ''}; "
        f"{rank.DEFAULT} (mixed), clutter injected in the corpus"
    )
    print(
        f"{'lambda':>6}  {'R-1':>6} {'R-2':>6} {'R-L':>6}  {'overlap':>7} {'>=0.25':>6}"
        + (f"  {'demo':>7} {'>=0.25':>6}" if demo else "")
    )
    default = redundancy.LAMBDA
    try:
        for weight in WEIGHTS:
            redundancy.LAMBDA = weight
            rouge: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeL": []}
            worst = []
            for event, made in prepared:
                said = [s.text for s in core.summarize_event(made, rank.DEFAULT)]
                scores = scorer.score("\n".join(event.reference_summary), "\n".join(said))
                for key, values in rouge.items():
                    values.append(scores[key].fmeasure)
                worst.append(largest_overlap(said))
            line = (
                f"{weight:>6.1f}  "
                + " ".join(f"{statistics.mean(v):>6.3f}" for v in rouge.values())
                + f"  {statistics.mean(worst):>7.3f} {sum(w >= HIGH for w in worst):>6}"
            )
            if demo:
                on_demo = [
                    largest_overlap([s.text for s in core.summarize_event(made, rank.DEFAULT)])
                    for made in demo
                ]
                line += f"  {statistics.mean(on_demo):>7.3f} {sum(w >= HIGH for w in on_demo):>6}"
            print(line + ("   <- default" if weight == default else ""))
    finally:
        redundancy.LAMBDA = default
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
