"""The summary stage: fill in article, event and story summaries, incrementally.

Each summary is stored with a `summary_key`: a hash of the algorithm and of
everything the summary was computed from. A run recomputes a summary only
when the key it would get now differs from the stored one (an article's key
is recomputed only when a write cleared it, so the archive's text is not
re-read on every run):

- article: its title, text, feed summary, outlet and publication time;
- event: its source articles (duplicates of a member are not sources), by id
  and article key;
- story: its events, by id, date and event key.

So a new article changes its own summary, its event's and its story's, and
nothing else; an unchanged world changes nothing. The same ordering of levels
(articles, events, stories) lets story summaries reuse the event summaries.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from briefing.config import Settings
from briefing.models import Sentence, to_iso
from briefing.store import summaries as db
from briefing.store.db import Store
from briefing.summarize import core, rank
from briefing.summarize.candidates import Source
from briefing.summarize.config import CONFIG_KEY, VERSION, config_value

# An event summary takes a few lead sentences per source: this much of each
# source's text holds them (a long page's remainder is never read).
LEAD_CHARS = 8_000
# Article summaries are written in batches of this many.
SAVE_EVERY = 200
# With this many articles to summarize (a first refresh), batches go to the
# caller's helper process too: below it, starting one costs more than the
# summaries (about half a millisecond each).
OFFLOAD_FROM = 1_000
# Batches handed to the helper and not yet back: one it works on, one queued.
# The stage's own thread makes the batches that find the helper this busy, so
# one helper process (a few tens of MB) and this thread share the work.
AHEAD = 2

# `submit(sources, algorithm)`: `core.summarize_articles` run elsewhere (the
# pipeline's helper process), its result as a future.
Submit = Callable[[Sequence[Source], str], "Future[list[list[Sentence]]]"]


@dataclass(slots=True)
class SummaryReport:
    algorithm: str
    articles: int = 0  # summaries recomputed at each level
    events: int = 0
    stories: int = 0
    articles_total: int = 0
    events_total: int = 0
    stories_total: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"summaries ({self.algorithm}): {self.articles}/{self.articles_total} articles, "
            f"{self.events}/{self.events_total} events, {self.stories}/{self.stories_total} "
            f"stories updated in {self.seconds:.2f}s"
        )


def _hash(*parts: object) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for part in parts:
        digest.update(str(part).encode("utf-8", "replace") + b"\x00")
    return digest.hexdigest()


def _source(article: db.ArticleInput) -> Source:
    return Source(
        text=article.text,
        title=article.title,
        article_id=article.id,
        outlet=article.outlet,
        published=article.published,
        teaser=article.teaser,
    )


def event_sources(members: list[db.ArticleMeta]) -> list[db.ArticleMeta]:
    """An event's sources: its articles, less those that copy another member."""
    ids = {a.id for a in members}
    originals = [a for a in members if a.duplicate_of is None or a.duplicate_of not in ids]
    return originals or members


def _article_key(article: db.ArticleInput, algorithm: str) -> str:
    return _hash(
        "article",
        VERSION,
        algorithm,
        article.title,
        article.text,
        article.teaser,
        article.outlet,
        to_iso(article.published),
    )


@dataclass(slots=True)
class _Batch:
    ids: list[int]
    keys: list[str]
    sources: list[Source]
    done: Future[list[list[Sentence]]] | None = None


def _ready(batch: _Batch) -> bool:
    return batch.done is None or batch.done.done()


def _article_summaries(
    store: Store,
    stale: list[int],
    algorithm: str,
    article_keys: dict[int, str],
    submit: Submit | None,
) -> int:
    """Summarize the stale articles whose key changed, saving each batch; how many.

    With `submit`, batches go to the helper while it has fewer than AHEAD in
    hand and are made here otherwise.
    """
    saved = 0
    in_flight: deque[_Batch] = deque()

    def save(batch: _Batch) -> None:
        nonlocal saved
        summaries: list[list[Sentence]] | None = None
        if batch.done is not None:
            try:
                summaries = batch.done.result()
            except Exception:
                summaries = None  # a helper failed (it died, or timed out): do it here
        if summaries is None:
            summaries = core.summarize_articles(batch.sources, algorithm)
        # A first run over thousands of articles takes a while: keep what is done.
        db.save_articles(store, list(zip(batch.ids, summaries, batch.keys, strict=True)))
        saved += len(batch.ids)

    for start in range(0, len(stale), SAVE_EVERY):
        batch = _Batch([], [], [])
        for article in db.articles(store, stale[start : start + SAVE_EVERY]):
            key = _article_key(article, algorithm)
            article_keys[article.id] = key
            if key != article.summary_key:
                batch.ids.append(article.id)
                batch.keys.append(key)
                batch.sources.append(_source(article))
        if not batch.ids:
            continue
        while in_flight and _ready(in_flight[0]):
            save(in_flight.popleft())
        if submit is None or len(in_flight) >= AHEAD:
            save(batch)
            continue
        try:
            batch.done = submit(batch.sources, algorithm)
        except Exception:
            batch.done = None  # no helper after all (the caller's loop is gone): here, then
        in_flight.append(batch)
    while in_flight:
        save(in_flight.popleft())
    return saved


def run(
    store: Store, settings: Settings | None = None, submit: Submit | None = None
) -> SummaryReport:
    """Compute and store every summary whose inputs changed since it was stored.

    `submit`, when given, computes article summaries elsewhere (see `Submit`):
    a first refresh's thousands of them then use every core.
    """
    started = time.perf_counter()
    algorithm = rank.resolve(settings.summarizer if settings is not None else "")
    report = SummaryReport(algorithm)
    config = config_value(algorithm)
    # Every write to an article's text, title or summary clears its key, so
    # only those articles are read in full: the archive's text is not re-read
    # (and re-hashed) on every run. A new algorithm or VERSION redoes them all.
    redo_all = store.get_meta(CONFIG_KEY) != config

    # Articles.
    metas = db.article_meta(store)
    report.articles_total = len(metas)
    article_keys = {m.id: m.summary_key or "" for m in metas}
    stale = [m.id for m in metas if redo_all or m.summary_key is None]
    report.articles = _article_summaries(
        store, stale, algorithm, article_keys, submit if len(stale) >= OFFLOAD_FROM else None
    )

    # Events.
    members: dict[str, list[db.ArticleMeta]] = defaultdict(list)
    for meta in metas:
        if meta.event_id is not None:
            members[meta.event_id].append(meta)
    events = db.events(store)
    report.events_total = len(events)
    event_keys: dict[str, str] = {}
    event_summaries: dict[str, list[Sentence]] = {}
    changed_events: list[tuple[str, list[Sentence], str]] = []
    for event in events:
        sources = event_sources(members.get(event.id, []))
        key = _hash(
            "event",
            VERSION,
            algorithm,
            *sorted(f"{a.id}:{article_keys[a.id]}" for a in sources),
        )
        event_keys[event.id] = key
        if key == event.summary_key:
            event_summaries[event.id] = event.summary
            continue
        inputs = db.articles(store, [a.id for a in sources], max_chars=LEAD_CHARS)
        summary = core.summarize_event([_source(a) for a in inputs], algorithm)
        event_summaries[event.id] = summary
        changed_events.append((event.id, summary, key))
    if changed_events:
        db.save_events(store, changed_events)
    report.events = len(changed_events)

    # Stories.
    by_story: dict[str, list[db.EventInput]] = defaultdict(list)
    for event in events:
        if event.story_id is not None:
            by_story[event.story_id].append(event)
    stories = db.stories(store)
    report.stories_total = len(stories)
    changed_stories: list[tuple[str, list[Sentence], str]] = []
    for story in stories:
        timeline = sorted(by_story.get(story.id, []), key=lambda e: (e.date, e.id))
        key = _hash(
            "story",
            VERSION,
            *(f"{e.id}:{e.date.isoformat()}:{event_keys[e.id]}" for e in timeline),
        )
        if key == story.summary_key:
            continue
        summary = core.summarize_story(
            [core.EventInput(e.date, event_summaries[e.id], e.id) for e in timeline]
        )
        changed_stories.append((story.id, summary, key))
    if changed_stories:
        db.save_stories(store, changed_stories)
    report.stories = len(changed_stories)
    if redo_all:
        store.set_meta(CONFIG_KEY, config)

    report.seconds = time.perf_counter() - started
    return report
