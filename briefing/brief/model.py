"""What goes into a brief: plain data chosen from the store in one place.

The renderers (markdown, html made from it, json) read these objects and
nothing else, so the selection rules live here once. Every string is already sanitized
(`briefing.sanitize.clean`) and every URL is http(s) or None; escaping for a
particular format is the renderer's job.

Selection rules:
- an export with no filter is the whole archive: every story (dismissed ones
  too) and every article exactly once. Articles the clustering stage has not
  placed in an event yet, and events without a story, go into one synthetic
  story, `unclustered`, listed last;
- `since`/`until` keep the events dated inside the range (inclusive); a story
  is in when at least one of its events is, with only those events;
- `starred` keeps starred stories; `story_ids` keeps the named ones (an
  unknown id is an error); filters combine with AND;
- a filtered export leaves out the stories the app hides as dismissed (until a
  new event joins them: `reading.rules.in_filtered_brief`) unless they are
  named by id;
- stories are ordered by their latest included event, newest first, then id;
  events by date (then creation, then id); articles by published time, then id;
- muted articles (`briefing mute`) never appear and are never counted; an
  event left with no article, and a story left with no event, go too;
- `watch` keeps the stories a watch matches (an empty brief when none do);
- stories and events carry their top entities, summed over the articles shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import urlsplit

from briefing import watching
from briefing.brief.errors import ExportError
from briefing.brief.escape import http_url
from briefing.models import Article, Event, Sentence, Story, TriageState
from briefing.reading import rules
from briefing.reading import stories as reading
from briefing.sanitize import clean
from briefing.store import Store
from briefing.store import brief as brief_store
from briefing.store import entities as entity_store
from briefing.store import watches as watch_store

UNCLUSTERED_ID = "unclustered"
UNCLUSTERED_TITLE = "Articles not yet grouped into a story"


@dataclass(frozen=True, slots=True)
class BriefArticle:
    id: int
    url: str | None  # http(s) only; None when the stored link is anything else
    title: str
    source: str  # the outlet's name
    published: datetime | None
    duplicate_of: int | None
    first_seen: datetime | None = None  # when this copy of briefing fetched it


@dataclass(frozen=True, slots=True)
class BriefSentence:
    """A summary sentence with the article it came from (for "— [Outlet](url)")."""

    text: str
    source: str = ""  # the outlet's name; empty when the sentence is not attributed
    url: str | None = None
    published: datetime | None = None  # the article's, to date "on Thursday"
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class BriefEvent:
    id: str
    date: date
    title: str
    summary: list[str]
    articles: list[BriefArticle]
    sentences: list[BriefSentence] = field(default_factory=list)  # `summary`, attributed
    corrected: bool = False  # an analyst merged, split or moved it
    entities: list[tuple[str, str]] = field(default_factory=list)  # (name, type), top first

    @property
    def originals(self) -> list[BriefArticle]:
        """The sources to show: articles that are not copies of another one in this event."""
        here = {a.id for a in self.articles}
        return [a for a in self.articles if a.duplicate_of not in here]

    @property
    def duplicates(self) -> int:
        """How many articles are copies folded under an original of this event."""
        return len(self.articles) - len(self.originals)


@dataclass(frozen=True, slots=True)
class BriefStory:
    id: str
    title: str
    summary: list[str]
    first_seen: date  # the story's first event date (all of it, not only this brief's range)
    last_updated: date  # the story's latest event date
    starred: bool
    dismissed: bool
    tags: list[str]
    note: str
    events: list[BriefEvent]
    synthetic: bool = False  # the `unclustered` bucket, not a story the clustering made
    sentences: list[BriefSentence] = field(default_factory=list)  # `summary`, attributed
    corrected: bool = False  # an analyst merged, split, moved or renamed it
    entities: list[tuple[str, str]] = field(default_factory=list)  # (name, type), top first

    @property
    def latest(self) -> date:
        """The latest activity inside this brief (drives the order of stories)."""
        return max((e.date for e in self.events), default=self.last_updated)

    @property
    def article_count(self) -> int:
        return sum(len(e.articles) for e in self.events)


@dataclass(frozen=True, slots=True)
class Brief:
    generated: datetime
    since: date | None
    until: date | None
    stories: list[BriefStory] = field(default_factory=list)
    # `--since last`: the previous export's time (None: no filter, or no export yet)
    changed_since: datetime | None = None

    @property
    def start(self) -> date | None:
        """The first day the brief covers: `since`, else its earliest event."""
        dates = [e.date for s in self.stories for e in s.events]
        return self.since or (min(dates) if dates else None)

    @property
    def end(self) -> date | None:
        dates = [e.date for s in self.stories for e in s.events]
        return self.until or (max(dates) if dates else None)

    @property
    def event_count(self) -> int:
        return sum(len(s.events) for s in self.stories)

    @property
    def article_count(self) -> int:
        return sum(s.article_count for s in self.stories)


def build_brief(
    store: Store,
    *,
    generated: datetime,
    since: date | None = None,
    until: date | None = None,
    starred: bool = False,
    story_ids: Sequence[str] = (),
    watch: str | None = None,
) -> Brief:
    """Choose stories, events and articles from the store by the rules above."""
    if since and until and since > until:
        raise ExportError(f"--since {since} is after --until {until}; nothing can match")
    wanted = _resolve(store, story_ids)
    stories = {s.id: s for s in reading.all_stories(store)}
    hidden = watch_store.muted_ids(store)
    watched = _watched(store, watch, hidden)
    filtered = bool(since or until or starred or wanted or watched is not None)
    states = reading.triage_states(store)

    articles_by_event: dict[str | None, list[BriefArticle]] = defaultdict(list)
    loose: list[Article] = []
    for art in brief_store.all_article_heads(store):
        if art.id in hidden:
            continue
        if art.event_id is None:
            loose.append(art)
        else:
            articles_by_event[art.event_id].append(_article(art))
    events_by_story: dict[str | None, list[BriefEvent]] = defaultdict(list)
    by_id = {a.id: a for arts in articles_by_event.values() for a in arts}
    event_entities = entity_store.of_events(store, [k for k in articles_by_event if k], hidden)
    for event in brief_store.all_events(store):
        story_id = event.story_id if event.story_id in stories else None
        if hidden and event.id not in articles_by_event and _has_articles(store, event.id):
            continue  # every article of it is muted
        members = articles_by_event.get(event.id, [])
        brief_event = _event(event, members, by_id)
        brief_event = replace(brief_event, entities=_top(event_entities.get(event.id)))
        events_by_story[story_id].append(brief_event)

    def in_range(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    chosen: list[BriefStory] = []
    for story in stories.values():
        state = states.get(story.id) or TriageState(story_id=story.id)
        if wanted and story.id not in wanted:
            continue
        if watched is not None and story.id not in watched:
            continue
        if starred and not state.starred:
            continue
        if filtered and not rules.in_filtered_brief(story, state, named=story.id in wanted):
            continue
        events = [e for e in events_by_story.get(story.id, []) if in_range(e.date)]
        if (since or until or hidden) and not events:
            continue
        chosen.append(_story(story, state, events, by_id, _sum_entities(events)))
    chosen.sort(key=lambda s: (-s.latest.toordinal(), s.id))

    if not starred and watched is None and (not wanted or UNCLUSTERED_ID in wanted):
        extra = events_by_story.get(None, []) + _loose_events(loose)
        extra = sorted((e for e in extra if in_range(e.date)), key=lambda e: (e.date, e.id))
        if extra:
            chosen.append(_unclustered(extra))
    return Brief(generated=generated, since=since, until=until, stories=chosen)


def _resolve(store: Store, story_ids: Sequence[str]) -> list[str]:
    """Full ids, or unique prefixes of 4+ characters, as full ids; every unknown one named."""
    found: list[str] = []
    unknown: list[str] = []
    for story_id in story_ids:
        if story_id == UNCLUSTERED_ID:
            found.append(story_id)
            continue
        try:
            found.append(reading.resolve_story_id(store, story_id))
        except reading.IdError as exc:
            if "ambiguous" in str(exc):
                raise ExportError(str(exc)) from exc
            unknown.append(story_id)
    if unknown:
        raise ExportError(
            f"no story with id {', '.join(unknown)} (ids and 4+ character prefixes work; "
            "y in the app copies a story's id)"
        )
    return list(dict.fromkeys(found))


# -- converters: store objects -> brief objects, sanitized once here ----------


def _sentences(items: list[Sentence]) -> list[str]:
    return [s.text for s in _attributed(items, {})]


def _attributed(items: list[Sentence], articles: dict[int, BriefArticle]) -> list[BriefSentence]:
    result = []
    for item in items:
        text = clean(item.text, "summary", single_line=True)
        if not text:
            continue
        art = articles.get(item.article_id) if item.article_id is not None else None
        source = art.source if art else clean(item.source, "outlet", single_line=True)
        result.append(
            BriefSentence(
                text=text,
                source=source,
                url=art.url if art else None,
                published=art.published if art else None,
                article_id=item.article_id,
            )
        )
    return result


def _article(art: Article) -> BriefArticle:
    url = http_url(art.url)
    source = clean(art.outlet, "outlet", single_line=True)
    if not source:
        source = (urlsplit(url).hostname or "") if url else ""
    return BriefArticle(
        id=int(art.id or 0),
        url=url,
        title=clean(art.title, "title", single_line=True),
        source=source or "unknown source",
        published=art.published,
        duplicate_of=art.duplicate_of,
        first_seen=art.first_seen,
    )


def _event(
    event: Event, articles: list[BriefArticle], by_id: dict[int, BriefArticle]
) -> BriefEvent:
    return BriefEvent(
        id=event.id,
        date=event.date,
        title=clean(event.title, "title", single_line=True) or "(untitled event)",
        summary=_sentences(event.summary),
        articles=articles,
        sentences=_attributed(event.summary, by_id),
        corrected=event.corrected,
    )


def _story(
    story: Story,
    state: TriageState,
    events: list[BriefEvent],
    by_id: dict[int, BriefArticle],
    entities: list[tuple[str, str]],
) -> BriefStory:
    tags = (clean(t, "tag", single_line=True) for t in state.tags)
    return BriefStory(
        id=story.id,
        title=clean(story.title, "title", single_line=True) or "(untitled story)",
        summary=_sentences(story.summary),
        first_seen=story.first_date,
        last_updated=story.last_date,
        starred=state.starred,
        dismissed=state.dismissed,
        tags=[t for t in tags if t],
        note=clean(state.note, "note").strip(),
        events=events,
        sentences=_attributed(story.summary, by_id),
        corrected=story.corrected,
        entities=entities,
    )


# -- mutes, watches and entities ------------------------------------------------

TOP_ENTITIES = 8


def _watched(store: Store, name: str | None, hidden: set[int]) -> set[str] | None:
    if name is None:
        return None
    watch = watch_store.get_watch(store, name)
    if watch is None:
        raise ExportError(f"no watch named {name!r} (see `briefing watch list`)")
    return watching.story_matches(store, [watch], hidden)[watch.id]


def _has_articles(store: Store, event_id: str) -> bool:
    row = store.conn.execute("SELECT 1 FROM articles WHERE event_id = ? LIMIT 1", (event_id,))
    return row.fetchone() is not None


def _top(counts: Counter[entity_store.Named] | None) -> list[tuple[str, str]]:
    if not counts:
        return []
    return [(n.name, n.type) for n in entity_store.top(counts, TOP_ENTITIES)]


def _sum_entities(events: list[BriefEvent]) -> list[tuple[str, str]]:
    """A story's top entities: by how many of its shown events name them, then name."""
    seen: Counter[tuple[str, str]] = Counter()
    for event in events:
        seen.update(event.entities)
    ranked = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][0]))
    return [pair for pair, _ in ranked[:TOP_ENTITIES]]


def _loose_events(loose: list[Article]) -> list[BriefEvent]:
    """Articles outside any event: one event per original, its copies folded under it.

    A lone article is what clustering would make of it anyway (a one-source
    event), so a consumer sees the same shape as everywhere else.
    """
    by_id = {a.id: a for a in loose}

    def root(art: Article) -> Article:
        seen = set()
        while art.duplicate_of in by_id and art.id not in seen:
            seen.add(art.id)
            art = by_id[art.duplicate_of]
        return art

    groups: dict[int, list[Article]] = defaultdict(list)
    for art in loose:  # already in (published, id) order
        groups[int(root(art).id or 0)].append(art)
    events = []
    for root_id, members in groups.items():
        head = by_id[root_id]
        when = head.published or head.first_seen
        events.append(
            BriefEvent(
                id=f"{UNCLUSTERED_ID}/{root_id}",
                date=when.date() if when else date.min,
                title=clean(head.title, "title", single_line=True) or "(untitled article)",
                summary=[],
                articles=[_article(a) for a in members],
            )
        )
    return events


def _unclustered(events: list[BriefEvent]) -> BriefStory:
    return BriefStory(
        id=UNCLUSTERED_ID,
        title=UNCLUSTERED_TITLE,
        summary=[],
        first_seen=min(e.date for e in events),
        last_updated=max(e.date for e in events),
        starred=False,
        dismissed=False,
        tags=[],
        note="",
        events=events,
        synthetic=True,
    )
