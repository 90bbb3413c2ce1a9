"""From article text to the sentences a summary may choose from.

Ranking every sentence of every source is what makes multi-document
summarizers slow (sumy's LexRank is quadratic and pure Python), and in news
the lead of each report carries the facts anyway. So each source contributes
only its first clean sentences: boilerplate removed, datelines stripped,
fragments and captions (too short, no final punctuation) skipped. Near-
duplicate sentences across sources (wire copy, shared quotes) are folded into
one candidate before ranking, keeping the earliest phrasing, or a later one
when it says strictly more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from briefing import boilerplate
from briefing.summarize import text

# A summary sentence says something: headlines, captions and "Officials said
# so." fragments are shorter than this.
MIN_WORDS = 7
# Longer "sentences" are run-ons of lists, tables or navigation menus.
MAX_WORDS = 80
# Sentences end like sentences; captions and subheads usually do not.
_ENDINGS = (".", "!", "?", '"', "”", "’", "'", ")")
# Two sentences whose content-word stems overlap this much say the same thing.
JACCARD = 0.4
# ... or when this share of the shorter one's stems is in the longer one.
CONTAINMENT = 0.65


@dataclass(frozen=True, slots=True)
class Source:
    """One article as the summarizers see it: plain text, one paragraph per line."""

    text: str
    title: str = ""
    article_id: int | None = None
    outlet: str = ""
    published: datetime | None = None
    # The feed's own summary, used when the page text is empty.
    teaser: str = ""


@dataclass(slots=True)
class Candidate:
    text: str
    source: int  # index into the sources, which come in publication order
    position: int  # 0 = the source's first clean sentence
    stems: frozenset[str]
    # The stems in order, repeats kept (LexRank counts them); empty: read from `text`.
    terms: tuple[str, ...] = ()


def redundant(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when two sentences' content words overlap enough to say the same thing."""
    if not a or not b:
        return False
    shared = len(a & b)
    if not shared:
        return False
    return shared / len(a | b) >= JACCARD or shared / min(len(a), len(b)) >= CONTAINMENT


def clean_sentences(source: Source, limit: int | None = None) -> list[str]:
    """The source's sentences that may go into a summary, in reading order."""
    body = source.text.strip() or source.teaser.strip()
    # Extracted pages often repeat the headline as their first line.
    title = _normalized(source.title)
    kept: list[str] = []
    for paragraph in text.paragraphs(body):
        sentences = _paragraph_sentences(paragraph)
        if not sentences or (title and _normalized(paragraph) == title):
            continue
        for sentence in sentences:
            if title and _normalized(sentence) in title:
                continue
            kept.append(sentence)
            if limit is not None and len(kept) >= limit:
                return kept
    return kept


@lru_cache(maxsize=50_000)
def _paragraph_sentences(paragraph: str) -> tuple[str, ...]:
    """A paragraph's sentences fit for a summary, whatever its article's title.

    Memoized: an event's summary re-reads the leads its articles' summaries read.
    """
    # Removing a dateline never adds words nor changes the ending, so a raw
    # sentence too short or badly ended stays so: no rule need look at it, and
    # a paragraph with none of the other kind has nothing to give.
    raws = [raw for raw in text.sentences(paragraph) if _may_be_sentence_like(raw)]
    if not raws or boilerplate.is_boilerplate(paragraph):
        return ()
    kept: list[str] = []
    for raw in raws:
        # A paragraph of one sentence was checked whole just above.
        sentence = boilerplate.clean_sentence(raw, checked=raw == paragraph)
        if sentence is not None and _sentence_like(sentence):
            kept.append(sentence)
    return tuple(kept)


def _normalized(value: str) -> str:
    return " ".join(text.words(value.lower()))


def _may_be_sentence_like(raw: str) -> bool:
    return raw.endswith(_ENDINGS) and len(text.words(raw)) >= MIN_WORDS


def _sentence_like(sentence: str) -> bool:
    n = len(text.words(sentence))
    return MIN_WORDS <= n <= MAX_WORDS and sentence.endswith(_ENDINGS)


def candidates(sources: list[Source], per_source: int | None) -> list[Candidate]:
    """The lead sentences of every source, near-duplicates folded together."""
    kept: list[Candidate] = []
    for index, source in enumerate(sources):
        for position, sentence in enumerate(clean_sentences(source, per_source)):
            terms = text.content_terms(sentence)
            stems = frozenset(terms)
            twin = next((c for c in kept if redundant(c.stems, stems)), None)
            if twin is None:
                kept.append(Candidate(sentence, index, position, stems, terms))
                continue
            # Keep the earliest phrasing unless the later one says strictly more.
            if stems > twin.stems and len(stems) >= len(twin.stems) + 2:
                twin.text, twin.stems, twin.terms = sentence, stems, terms
                twin.source = index
            twin.position = min(twin.position, position)
    return kept
