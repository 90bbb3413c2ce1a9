"""How good are the event summaries? ROUGE against the team's reference summaries.

For every event of the labeled corpus (`benchmarks/data/corpus`), each
algorithm summarizes the event's original articles (duplicates are not
separate sources) exactly as the app would, and the result is scored with
ROUGE-1, ROUGE-2 and ROUGE-L F-measure (rouge-score, Porter stemming)
against the event's `reference_summary`.

The corpus articles are clean paragraphs; real pages are not. So before
summarizing, typical clutter is injected into every article (bylines,
datelines, captions, newsletter and comment prompts, "did not respond to a
request for comment", author bios, hashtags, "Read more:" lines), chosen
deterministically per article. The `boiler` column is the share of selected
sentences that came from injected clutter: the boilerplate filter at work.

Each sumy algorithm is scored twice: `pure` (its own ranking over the same
candidates) and `mixed` (the product's score: centrality + sentence-position
prior + source-order prior, equal weights). `lead` is the baseline: each
source's first sentences, earliest source first. The `nofilter` rows switch
the boilerplate filter off, to show how much clutter it keeps out.

    .venv/bin/python benchmarks/eval_summaries.py [--corpus DIR] [--no-clutter]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import CorpusArticle, CorpusEvent, load_corpus
from briefing import boilerplate
from briefing.summarize import core, rank
from briefing.summarize.candidates import Source, _paragraph_sentences

# Our own clutter lines, in the shapes news pages use. {o} is the outlet.
HEAD_CLUTTER = [
    "By Jane Doe | Staff writer",
    "By Sam Rivera and Priya Natarajan, {o}",
    "Jordan Blake, Senior Correspondent",
    "Published June 4, 2024 at 9:41 am",
    "4 min read",
    "Share this article",
]
MIDDLE_CLUTTER = [
    "Photo: Officials leave a briefing at the agency's headquarters in Washington on Monday.",
    "A security operations center is seen during a training exercise. (Image credit: Alex "
    "Moreno/{o})",
    "Sign up for the free {o} newsletter to get the day's top cyber policy stories in your inbox.",
    "Read more: What the new rules mean for small businesses and their vendors",
    "Related: Lawmakers question agency officials about last year's breaches",
    "Already a subscriber? Log in to continue reading the full story and our analysis.",
    "Advertisement",
    "We use cookies to improve your experience on our site and to show you relevant news.",
]
SENTENCE_CLUTTER = [
    "A spokesperson for the company did not immediately respond to a request for comment on "
    "the matter.",
    "A spokesperson for the agency declined to comment on the details of the investigation.",
    "Representatives of the firm could not be reached for comment late on Tuesday evening.",
]
TAIL_CLUTTER = [
    "Jane Doe is a senior reporter at {o} who covers federal cybersecurity policy and Congress.",
    "This article was updated on Wednesday with additional details from the agency's statement.",
    "Leave a comment below and tell us what you think about the new rules for reporting.",
    "#cybersecurity #infosec #policy #ransomware",
    "Have a tip? Send it to the newsroom securely on Signal; we protect our sources.",
    "© 2024 {o}. All rights reserved.",
]
DATELINES = ["WASHINGTON ({o}) — ", "BRUSSELS — ", "LONDON, June 4 ({o}) - ", ""]


def clutter(article: CorpusArticle) -> tuple[str, list[str]]:
    """The article's text with clutter injected, and the clutter lines used."""
    rng = random.Random(article.id)
    outlet = article.outlet
    paragraphs = list(article.paragraphs)
    injected: list[str] = []

    def pick(options: list[str]) -> str:
        line = rng.choice(options).format(o=outlet)
        injected.append(line)
        return line

    dateline = rng.choice(DATELINES).format(o=outlet)
    if dateline:
        paragraphs[0] = dateline + paragraphs[0]
    # A "did not respond" sentence glued to the end of a real paragraph.
    at = rng.randrange(len(paragraphs))
    paragraphs[at] = paragraphs[at] + " " + pick(SENTENCE_CLUTTER)
    for _ in range(2):
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), pick(MIDDLE_CLUTTER))
    head = [pick(HEAD_CLUTTER) for _ in range(2)]
    tail = [pick(TAIL_CLUTTER) for _ in range(2)]
    return "\n\n".join(head + paragraphs + tail), injected


def sources(event: CorpusEvent, with_clutter: bool) -> tuple[list[Source], list[str]]:
    ids = {a.id for a in event.articles}
    originals = [a for a in event.articles if a.duplicate_of is None or a.duplicate_of not in ids]
    made: list[Source] = []
    injected: list[str] = []
    for number, art in enumerate(originals):
        body, lines = clutter(art) if with_clutter else (art.text, [])
        injected.extend(lines)
        made.append(
            Source(
                text=body,
                title=art.title,
                article_id=number,
                outlet=art.outlet,
                published=art.published,
                teaser=art.teaser,
            )
        )
    return made, injected


def _is_clutter(sentence: str, injected: list[str]) -> bool:
    return any(sentence in line or line in sentence for line in injected)


# (algorithm, mode, weights); mode "nofilter" runs with the boilerplate filter
# switched off, to show what it removes.
CONFIGS: list[tuple[str, str, rank.Weights]] = [
    *((name, "pure", rank.PURE) for name in ("lexrank", "textrank", "lsa", "luhn")),
    *((name, "mixed", rank.MIXED) for name in ("lexrank", "textrank", "lsa", "luhn")),
    ("lead", "-", rank.PURE),
    (rank.DEFAULT, "nofilter", rank.MIXED),
    ("lead", "nofilter", rank.PURE),
]


def evaluate(corpus_dir: str | None, with_clutter: bool) -> list[dict[str, object]]:
    stories = load_corpus(corpus_dir)
    events = [e for s in stories for e in s.events]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    prepared = [(e, *sources(e, with_clutter)) for e in events]
    results = []
    for algorithm, mode, weights in CONFIGS:
        r1: list[float] = []
        r2: list[float] = []
        rl: list[float] = []
        chosen = boiler = 0
        started = time.perf_counter()
        patterns = boilerplate.PATTERNS[:]
        if mode == "nofilter":
            boilerplate.use_rules([])
        # Summaries memoize each paragraph's clean sentences: forget those of the other mode.
        _paragraph_sentences.cache_clear()
        try:
            summaries = [core.summarize_event(srcs, algorithm, weights) for _, srcs, _ in prepared]
        finally:
            boilerplate.use_rules(patterns)
            _paragraph_sentences.cache_clear()
        elapsed = time.perf_counter() - started
        for (event, _, injected), summary in zip(prepared, summaries, strict=True):
            chosen += len(summary)
            boiler += sum(_is_clutter(s.text, injected) for s in summary)
            scores = scorer.score(
                "\n".join(event.reference_summary), "\n".join(s.text for s in summary)
            )
            r1.append(scores["rouge1"].fmeasure)
            r2.append(scores["rouge2"].fmeasure)
            rl.append(scores["rougeL"].fmeasure)
        results.append(
            {
                "algorithm": algorithm,
                "mode": mode,
                "rouge1": statistics.fmean(r1),
                "rouge2": statistics.fmean(r2),
                "rougeL": statistics.fmean(rl),
                "boiler": boiler / max(1, chosen),
                "sentences": chosen / max(1, len(prepared)),
                "ms_per_event": 1000 * elapsed / max(1, len(prepared)),
                "per_event": list(zip(r1, r2, rl, strict=True)),
            }
        )
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None, help="corpus directory")
    parser.add_argument("--no-clutter", action="store_true", help="summarize the clean text")
    args = parser.parse_args(argv)
    stories = load_corpus(args.corpus)
    n_events = sum(len(s.events) for s in stories)
    print(
        f"{n_events} events in {len(stories)} stories; clutter "
        f"{'off' if args.no_clutter else 'injected'}; ROUGE F-measure, mean over events"
    )
    print(
        f"{'algorithm':<10} {'mode':<8} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'boiler':>7} "
        f"{'sent':>5} {'ms/ev':>6}"
    )
    results = evaluate(args.corpus, not args.no_clutter)
    for r in results:
        print(
            f"{r['algorithm']:<10} {r['mode']:<8} {r['rouge1']:6.3f} {r['rouge2']:6.3f} "
            f"{r['rougeL']:6.3f} {r['boiler']:7.1%} {r['sentences']:5.2f} "
            f"{r['ms_per_event']:6.1f}"
        )
    lead = next(r for r in results if r["algorithm"] == "lead")
    default = next(r for r in results if r["algorithm"] == rank.DEFAULT and r["mode"] == "mixed")
    beats = all(default[k] > lead[k] for k in ("rouge1", "rouge2", "rougeL"))  # type: ignore[operator]
    print(f"default = {rank.DEFAULT} (mixed); beats lead on R-1, R-2 and R-L: {beats}")
    # The mean hides how often: count the events where the default does better.
    pairs = list(zip(default["per_event"], lead["per_event"], strict=True))  # type: ignore[call-overload]
    for k, name in enumerate(("R-1", "R-2", "R-L")):
        wins = sum(d[k] > b[k] + 1e-9 for d, b in pairs)
        losses = sum(d[k] < b[k] - 1e-9 for d, b in pairs)
        print(
            f"  per event vs lead, {name}: {wins} better, {losses} worse, "
            f"{len(pairs) - wins - losses} equal"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
