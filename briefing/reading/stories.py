"""The queries a front end needs: the story list, a story, its timeline, articles, links.

The story list reads the store once per refresh and applies the rules in
`reading.rules`, so plain tests can check what the app shows. Every function
here is a database read: a Textual front end calls them from a worker.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from briefing import watching
from briefing.models import Article, Event, Feed, Sentence, Story, TriageState
from briefing.reading import rules
from briefing.reading import watches as watch_reading
from briefing.sanitize import safe_url
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import clusters as cluster_store
from briefing.store import feeds as feed_store
from briefing.store import search as search_store
from briefing.store import triage as triage_store
from briefing.store import watches as watch_store
from briefing.store.entities import Named

# recent: newest activity first; coverage: outlets on it in the last days, then all
# its outlets; category: grouped by the feeds' category, newest first in each.
SORTS = ("recent", "coverage", "category")
# Where a story without a feed category goes when grouped.
NO_CATEGORY = "(no category)"
# The watch view that shows the stories of every watch.
ALL_WATCHES = "*"
# "Coverage now" counts the outlets that wrote about a story in these last days.
COVERAGE_DAYS = 3
# Stories a full-text search returns at most.
SEARCH_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Filter:
    unread: bool = False
    starred: bool = False
    tag: str = ""
    feed_id: int | None = None
    feed_name: str = ""
    since: date | None = None
    until: date | None = None
    # a full-text search: the query and the matching story ids, best first
    search: str = ""
    search_ids: tuple[str, ...] | None = None
    # only the stories d and z hid (dismissed, snoozed), where d and z undo
    hidden: bool = False
    # only the stories with an event since the last session (✚)
    new: bool = False
    category: str = ""
    # a watch's name, ALL_WATCHES, or "" (no watch view)
    watch: str = ""

    @property
    def active(self) -> bool:
        return self != Filter()

    def describe(self) -> str:
        parts = []
        if self.watch:
            parts.append("all watches" if self.watch == ALL_WATCHES else f"watch {self.watch}")
        if self.search:
            parts.append(f"search “{self.search}”")
        if self.hidden:
            parts.append("hidden")
        if self.new:
            parts.append("new since last session")
        if self.category:
            parts.append(f"category {self.category}")
        if self.unread:
            parts.append("unread")
        if self.starred:
            parts.append("starred")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.feed_id is not None:
            parts.append(f"feed {self.feed_name or self.feed_id}")
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        return ", ".join(parts)


@dataclass(slots=True)
class Item:
    """One story as the story list shows it."""

    row: cluster_store.StoryRow
    state: TriageState
    new: bool = False  # gained an event since the last session
    categories: tuple[str, ...] = ()  # its feeds' categories, the most articles first

    watches: tuple[str, ...] = ()  # the watches that match it (found for new stories only)

    @property
    def watched_news(self) -> bool:
        """A watched story with a new event: marked, and sorted first."""
        return self.new and bool(self.watches)

    @property
    def category(self) -> str:
        return self.categories[0] if self.categories else NO_CATEGORY

    @property
    def story(self) -> Story:
        return self.row.story

    @property
    def id(self) -> str:
        return self.row.story.id

    @property
    def read(self) -> bool:
        return rules.is_read(self.row.story, self.state)


@dataclass(slots=True)
class Briefing:
    """All stories with their triage state, and the view rules applied to them."""

    items: dict[str, Item] = field(default_factory=dict)
    feed_stories: dict[int, set[str]] = field(default_factory=dict)
    categories_loaded: bool = False
    watch_names: list[str] = field(default_factory=list)
    muted_today: int = 0  # articles that arrived today and a mute hides
    muted: set[int] = field(default_factory=set)  # article ids a mute hides
    _watch_cache: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, now: datetime, last_session: datetime | None) -> Briefing:
        """Every story, counted without muted articles (a story left with none is out)."""
        states = triage_store.all_states(store)
        since = now - timedelta(days=COVERAGE_DAYS)
        hidden = watch_store.muted_ids(store)
        watches = watch_store.all_watches(store)
        items: dict[str, Item] = {}
        rows = cluster_store.story_rows(store, since, with_summary=False, hidden=hidden)
        for row in rows:
            story = row.story
            if hidden and row.articles == 0:
                continue  # every article of it is muted
            state = states.get(story.id) or TriageState(story_id=story.id)
            items[story.id] = Item(row, state, rules.is_new_since(story, last_session))
        # only stories with news can be marked, so only they are matched here; on a
        # first session everything is news, and marking all of it would say nothing
        fresh = [sid for sid, item in items.items() if item.new] if last_session else []
        for story_id, matched in watching.story_watches(store, fresh, watches, hidden).items():
            items[story_id].watches = matched
        muted_now = watch_store.muted_today(store, now, hidden)
        names = [w.name for w in watches]
        return cls(items, watch_names=names, muted_today=muted_now, muted=hidden)

    def watch_story_ids(self, store: Store, watch: str) -> set[str]:
        """The stories a watch view shows (ALL_WATCHES: any watch's), computed once per load."""
        if watch not in self._watch_cache:
            watches = watch_store.all_watches(store)
            if watch != ALL_WATCHES:
                watches = [w for w in watches if w.name.lower() == watch.lower()]
            matched = watching.story_matches(store, watches, self.muted)
            self._watch_cache[watch] = set().union(*matched.values()) if matched else set()
        return self._watch_cache[watch]

    def visible(
        self, flt: Filter, sort: str, today: date, store: Store | None = None
    ) -> list[Item]:
        """The stories the analyst should see now, in the chosen order."""
        if (sort == "category" or flt.category) and store is not None:
            self.load_categories(store)
        wanted = None if flt.search_ids is None else set(flt.search_ids)
        in_watch: set[str] | None = None
        if flt.watch and store is not None:
            in_watch = self.watch_story_ids(store, flt.watch)
        feed_ids: set[str] | None = None
        if flt.feed_id is not None and store is not None:
            feed_ids = cluster_store.story_ids_for_feed(store, flt.feed_id)
        active: set[str] | None = None
        if (flt.since or flt.until) and store is not None:
            active = cluster_store.story_ids_active_between(store, flt.since, flt.until)
        shown = []
        for item in self.items.values():
            story, state = item.story, item.state
            if wanted is not None and story.id not in wanted:
                continue
            if rules.is_hidden(story, state, today) != flt.hidden:
                continue
            if flt.new and not item.new:
                continue
            if flt.category and flt.category not in item.categories:
                continue
            if in_watch is not None and story.id not in in_watch:
                continue
            if flt.unread and item.read:
                continue
            if flt.starred and not state.starred:
                continue
            if flt.tag and flt.tag not in state.tags:
                continue
            if feed_ids is not None and story.id not in feed_ids:
                continue
            if active is not None and story.id not in active:
                continue
            # without the store: the story's span overlaps the dates
            if flt.since and story.last_date < flt.since:
                continue
            if flt.until and story.first_date > flt.until:
                continue
            shown.append(item)
        # search results too: the status line names the order, and it is this one
        shown.sort(key=_recent_key, reverse=True)
        if sort == "coverage":
            shown.sort(key=lambda i: (i.row.recent_sources, i.row.sources), reverse=True)
        elif sort == "category":
            shown.sort(key=lambda i: (i.category == NO_CATEGORY, i.category.casefold()))
        shown.sort(key=lambda i: not i.watched_news)  # stable: watched news first
        return shown

    def load_categories(self, store: Store) -> None:
        """Each story's feed categories, read once, when a view first needs them (the query
        costs about half of the story list's own on a large archive)."""
        if self.categories_loaded:
            return
        for story_id, names in cluster_store.story_categories(store).items():
            if item := self.items.get(story_id):
                item.categories = tuple(names)
        self.categories_loaded = True

    def categories(self, store: Store) -> list[str]:
        self.load_categories(store)
        found = {c for item in self.items.values() for c in item.categories}
        return sorted(found, key=str.casefold)

    def tags(self) -> list[str]:
        return sorted({t for item in self.items.values() for t in item.state.tags})

    def update(self, states: Sequence[TriageState]) -> None:
        """Take in triage states written since the load (a story not listed is ignored)."""
        for state in states:
            if item := self.items.get(state.story_id):
                item.state = state


def next_watch(current: str, names: list[str]) -> str:
    """The watch view after `current`: each watch in turn, then all watches, then none."""
    cycle = ["", *names, ALL_WATCHES] if names else [""]
    position = cycle.index(current) if current in cycle else 0
    return cycle[(position + 1) % len(cycle)]


def _recent_key(item: Item) -> tuple[str, str, str]:
    story = item.story
    return (
        story.last_date.isoformat(),
        story.last_event_at.isoformat() if story.last_event_at else "",
        story.id,
    )


# -- one story, its events, its articles --------------------------------------


IdError = cluster_store.IdError


def resolve_story_id(store: Store, text: str) -> str:
    """A story's full id from the id or a unique prefix of 4+ characters; IdError if none."""
    return cluster_store.resolve_story_id(store, text)


def all_stories(store: Store) -> list[Story]:
    return cluster_store.all_stories(store)


def triage_states(store: Store) -> dict[str, TriageState]:
    """Every story's stored triage state (a story never triaged has none)."""
    return triage_store.all_states(store)


def story(store: Store, story_id: str) -> Story | None:
    return cluster_store.get_story(store, story_id)


def triage_state(store: Store, story_id: str) -> TriageState:
    return triage_store.get(store, story_id)


def timeline(store: Store, story_id: str) -> list[Event]:
    """The story's events in date order, without muted articles and the events only they made."""
    events = cluster_store.timeline(store, story_id)
    hidden = watch_store.muted_ids(store, among=[i for e in events for i in e.article_ids])
    if not hidden:
        return events
    kept = []
    for found in events:
        found.article_ids = [i for i in found.article_ids if i not in hidden]
        if found.article_ids:
            kept.append(found)
    return kept


def recent_events(store: Store, story_id: str, limit: int) -> list[Event]:
    return cluster_store.recent_events(store, story_id, limit)


def event(store: Store, event_id: str) -> Event | None:
    return cluster_store.get_event(store, event_id)


def articles(store: Store, ids: Sequence[int]) -> list[Article]:
    return article_store.by_ids(store, ids)


def event_articles(store: Store, event: Event) -> list[Article]:
    return article_store.by_ids(store, event.article_ids)


def article(store: Store, article_id: int) -> Article | None:
    return article_store.get(store, article_id)


def article_summary(store: Store, article: Article) -> list[str]:
    """The sentences to highlight in an article: its own summary and its event's from it."""
    sentences = [s.text for s in article_store.summary_sentences(store, article.id or 0)]
    if article.event_id:
        found = event(store, article.event_id)
        if found is not None:
            # attributed to this article, or unattributed (found by its text)
            sentences += [s.text for s in found.summary if s.article_id in (article.id, None)]
    return sentences


def mark_article_read(store: Store, article_id: int) -> None:
    article_store.set_read(store, [article_id])


def story_link(store: Store, story_id: str) -> str | None:
    """The link of the story's newest original article."""
    for found in reversed(timeline(store, story_id)):
        for item in reversed(event_articles(store, found)):
            if item.duplicate_of is None and safe_url(item.url):
                return safe_url(item.url)
    return None


SearchError = search_store.SearchError
Snippet = search_store.Snippet
MARK_START, MARK_END = search_store.MARK_START, search_store.MARK_END


def check_search(store: Store, text: str) -> None:
    """SearchError, with what to fix, when `text` is not a search that can run."""
    search_store.search_articles(store, text, limit=1)


def search_snippets(store: Store, text: str, story_id: str, limit: int = 3) -> list[Snippet]:
    """Where a search matched in one story: its best articles, the matched words marked."""
    return search_store.story_snippets(store, text, story_id, limit)


@dataclass(frozen=True, slots=True)
class Preview:
    """What the summary pane shows beside the list, read in one go off the UI thread."""

    summary: list[Sentence]
    events: list[Event]  # the latest ones, newest first
    watched: tuple[str, ...] = ()  # the watches that match the story
    entities: list[Named] = field(default_factory=list)  # most mentioned first
    snippets: list[Snippet] = field(default_factory=list)  # where the search matched


def preview(
    store: Store,
    story_id: str,
    events: int,
    search: str = "",
    hidden: Collection[int] = (),
    entities: int = 6,
) -> Preview:
    """The pane's reads for one story; `hidden` are the muted article ids left out."""
    found = story(store, story_id)
    snippets: list[Snippet] = []
    if search:
        # the search box reports bad syntax; the pane just shows no matches
        with suppress(SearchError):
            snippets = search_snippets(store, search, story_id)
    return Preview(
        summary=found.summary if found else [],
        events=recent_events(store, story_id, events),
        watched=watch_reading.story_watches(store, story_id, hidden),
        entities=watch_reading.top_entities(store, story_id, hidden, entities),
        snippets=snippets,
    )


@dataclass(frozen=True, slots=True)
class StoryView:
    """Everything the story screen shows: the story, its timeline, their articles, its state."""

    story: Story | None
    events: list[Event]
    articles: dict[int, Article]
    state: TriageState


def story_view(store: Store, story_id: str) -> StoryView:
    found = story(store, story_id)
    if found is None:
        return StoryView(None, [], {}, TriageState(story_id=story_id))
    events = timeline(store, story_id)
    ids = [i for e in events for i in e.article_ids]
    by_id = {a.id: a for a in articles(store, ids) if a.id is not None}
    return StoryView(found, events, by_id, triage_state(store, story_id))


def search(store: Store, text: str) -> tuple[str, ...]:
    """Story ids whose articles match a full-text search, best first."""
    return tuple(search_store.search_stories(store, text, limit=SEARCH_LIMIT))


def feeds(store: Store) -> list[Feed]:
    return feed_store.all_feeds(store)
