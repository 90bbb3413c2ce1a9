"""Article, event and story summaries as pure functions on plain text.

No store, no settings: the stage (`briefing.summarize.stage`) feeds these
from the database, the evaluation script from the labeled corpus.

- An article summary is 2-3 of its own sentences, in the article's order.
- An event summary is 3-5 sentences across its sources (duplicates of an
  article are not separate sources; the caller leaves them out), no two
  saying the same thing, each attributed to its article and outlet, in the
  order the sources tell it: leads before details, earlier reports before
  later ones, so the summary opens with what happened.
- A story summary is the latest event's gist first (up to two sentences),
  then one sentence from each earlier event, newest first: 3-5 in all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from briefing.models import Sentence
from briefing.sanitize import clean
from briefing.summarize import rank, redundancy, text
from briefing.summarize.candidates import Candidate, Source, candidates, redundant

# Article summaries rank the article's first sentences only: past this point
# a news report is background, and ranking stays fast on long pages.
ARTICLE_CANDIDATES = 12
# Event summaries take each source's lead; a big event takes fewer per source
# so that ranking stays well under a second (LexRank is quadratic).
EVENT_PER_SOURCE = 6
EVENT_MAX_CANDIDATES = 150
EVENT_MIN_PER_SOURCE = 3


@dataclass(frozen=True, slots=True)
class EventInput:
    """An event as the story summary sees it: its date and its own summary."""

    date: date
    summary: Sequence[Sentence]
    id: str = ""


@dataclass(slots=True)
class _Picked:
    candidate: Candidate
    score: float


def article_length(n_candidates: int) -> int:
    """Three sentences for a full report, two for a short one."""
    return 3 if n_candidates >= 6 else 2


def event_length(n_sources: int) -> int:
    """More sources, more angles worth a sentence: 3, 4 or 5."""
    if n_sources <= 2:
        return 3
    if n_sources <= 5:
        return 4
    return 5


def summarize_article(
    source: Source, algorithm: str = rank.DEFAULT, weights: rank.Weights = rank.MIXED
) -> list[Sentence]:
    pool = candidates([source], ARTICLE_CANDIDATES)
    chosen = _select(pool, algorithm, weights, article_length(len(pool)))
    chosen.sort(key=lambda p: p.candidate.position)
    return [_sentence(p.candidate, [source]) for p in chosen]


def summarize_articles(
    sources: Sequence[Source], algorithm: str = rank.DEFAULT
) -> list[list[Sentence]]:
    """`summarize_article` of each source: one task for a worker process."""
    return [summarize_article(source, algorithm) for source in sources]


def summarize_event(
    sources: Sequence[Source],
    algorithm: str = rank.DEFAULT,
    weights: rank.Weights = rank.MIXED,
    length: int | None = None,
) -> list[Sentence]:
    """Multi-document summary over the event's original (non-duplicate) articles."""
    ordered = sorted(sources, key=_published_key)
    if not ordered:
        return []
    per_source = max(
        EVENT_MIN_PER_SOURCE, min(EVENT_PER_SOURCE, EVENT_MAX_CANDIDATES // len(ordered))
    )
    pool = candidates(ordered, per_source)
    count = length if length is not None else event_length(len(ordered))
    chosen = _select(pool, algorithm, weights, count)
    if not chosen:
        return []
    # As the sources tell it: leads before details, earlier reports first, so
    # the summary opens with what happened.
    chosen.sort(key=lambda p: (p.candidate.position, p.candidate.source))
    return [_sentence(p.candidate, ordered) for p in chosen]


def summarize_story(events: Sequence[EventInput], max_sentences: int = 5) -> list[Sentence]:
    """Latest event's gist first, then what led to it, newest first (3-5 sentences)."""
    newest_first = sorted(events, key=lambda e: e.date, reverse=True)
    newest_first = [e for e in newest_first if e.summary]
    if not newest_first:
        return []
    chosen: list[Sentence] = []
    seen: list[frozenset[str]] = []

    def take(sentence: Sentence) -> bool:
        stems = text.content_stems(sentence.text)
        if any(redundant(stems, other) for other in seen):
            return False
        chosen.append(sentence)
        seen.append(stems)
        return True

    latest, earlier = newest_first[0], newest_first[1:]
    taken_latest = 0
    for sentence in latest.summary:
        if taken_latest == 2:
            break
        taken_latest += take(sentence)
    for event in earlier:
        if len(chosen) >= max_sentences:
            break
        for sentence in event.summary:
            if take(sentence):
                break
    # A story of one or two events still deserves three sentences.
    for event in newest_first:
        for sentence in event.summary:
            if len(chosen) >= 3:
                return chosen[:max_sentences]
            if sentence not in chosen:
                take(sentence)
    return chosen[:max_sentences]


def _select(
    pool: list[Candidate], algorithm: str, weights: rank.Weights, count: int
) -> list[_Picked]:
    """The best `count` candidates by maximal marginal relevance (`redundancy.mmr`)."""
    if not pool or count <= 0:
        return []
    scores = rank.score(pool, algorithm, weights)
    # Best first (ties: earlier source, earlier position), then MMR keeps the
    # picks from repeating each other.
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], pool[i].source, pool[i].position))
    picked = redundancy.mmr([scores[i] for i in order], [pool[i].stems for i in order], count)
    return [_Picked(pool[order[k]], scores[order[k]]) for k in picked]


def _sentence(candidate: Candidate, sources: Sequence[Source]) -> Sentence:
    source = sources[candidate.source]
    return Sentence(
        clean(candidate.text, "summary", single_line=True), source.article_id, source.outlet
    )


def _published_key(source: Source) -> tuple[datetime, int]:
    when = source.published or datetime.max.replace(tzinfo=UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when, source.article_id or 0
