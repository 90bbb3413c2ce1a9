"""The briefing screen: every story worth a look, one line each, and its summary."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from briefing.models import Story, TriageState
from briefing.reading import rules
from briefing.reading import stories as reading
from briefing.reading import watches as watch_reading
from briefing.reading.stories import Filter, Item
from briefing.tui.messages import (
    GroupingChanged,
    OpenFeeds,
    OpenStory,
    StoriesChanged,
    StoryWanted,
    TriageChanged,
    UnreadWanted,
)
from briefing.tui.screens.correct import STORY_BINDINGS, CorrectionActions
from briefing.tui.screens.modals import FilterModal, InputModal
from briefing.tui.screens.triage import TRIAGE_BINDINGS, TriageActions, bind
from briefing.tui.storylist import StoryList
from briefing.tui.text import count, day, line, note_text, plain, snippet_text, summary_text
from briefing.tui.widgets import KeyFooter, StatusBar, SummaryPane

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

# From this width on, the summary sits beside the list instead of under it.
WIDE = 120
# Seconds between cursor moves below which the summary waits for the cursor to rest.
SUMMARY_DEBOUNCE = 0.12
# Width of the category column when the list is grouped by category.
GROUP_WIDTH = 14
# How a search's matched terms stand out in the snippets.
MATCH_STYLE = "bold reverse"
# Events listed under the summary, newest first.
TIMELINE_PREVIEW = 6
# Entities named under the summary, most mentioned first.
TOP_ENTITIES = 6
# Summaries kept for stories the cursor passed, so moving back draws at once.
PREVIEW_CACHE = 500


def marks(item: Item) -> Text:
    state = item.state
    out = Text()
    out.append("●" if not item.read else " ", style="bold cyan")
    out.append("★" if state.starred else " ", style="bold yellow")
    out.append("#" if state.tags else " ", style="magenta")
    out.append("✎" if state.note else " ")
    if item.watched_news:  # a watched story with news: the mark that sorts it first
        out.append("⚑", style="bold red")
    else:
        out.append("✚" if item.new else " ", style="bold green")
    return out


def tags_text(tags: list[str]) -> str:
    return " ".join(f"#{line(t, 'tag').plain}" for t in tags)


HEADER = Text(f" {'':5} {'latest':<10} {'ev':>3} {'src':>3}  story", style="bold")


def render_row(item: Item, width: int) -> Text:
    """One story as one line: marks, latest date, events, sources, title and tags."""
    row = item.row
    dim = "dim" if item.read else ""
    text = Text(" ")
    text.append_text(marks(item))
    text.append(" ")
    text.append(day(item.story.last_date), style=dim)
    text.append(f" {row.events:>3} {row.sources:>3}  ", style=dim)
    text.append_text(line(item.story.title, style=dim if item.read else "bold"))
    if item.state.tags:
        text.append("  " + tags_text(item.state.tags), style="magenta")
    return text


class BriefingScreen(TriageActions, CorrectionActions, Screen[None]):
    """Stories, newest activity first (or by coverage now), with triage keys."""

    app: BriefingApp

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("enter", "open", "Open", "Open the story's timeline", show=True),
        bind("q", "app.quit", "Quit", "Quit briefing", show=True),
        bind("n", "next_unread", "Next unread", "Move to the next unread story"),
        bind("p", "previous_unread", "Prev unread", "Move to the previous unread story"),
        bind("A", "mark_all_read", "All read", "Mark every story shown as read"),
        *TRIAGE_BINDINGS,
        *STORY_BINDINGS,
        bind("slash", "search", "Search", "Full-text search over all articles", show=True),
        bind("F", "filter", "Filter", "Filter by unread, new, hidden, tag, feed, category, dates"),
        bind("ctrl+f,escape", "clear_filter", "Clear filter", "Show every story again"),
        bind("w", "toggle_new", "What's new", "Only the stories with news since your last session"),
        bind("H", "toggle_hidden", "Hidden", "The dismissed and snoozed stories; d and z undo"),
        bind("S", "toggle_sort", "Sort", "Sort by newest activity, by coverage, or by category"),
        bind("f", "feeds", "Feeds", "Feed health: add, remove, retry feeds"),
        bind("v", "next_watch", "Watch", "Show one watch's stories, then all watches, then all"),
        bind("W", "add_watch", "Add watch", "Save a query (the current search) as a watch"),
        bind(
            "K",
            "mutes",
            "Mutes",
            "Mutes (a killfile): outlets, feeds, categories, keywords, entities",
        ),
    ]

    def __init__(self) -> None:
        super().__init__(id="briefing")
        self.filter = Filter()
        self.shown: list[Item] = []
        self._group_starts: set[str] = set()  # grouped by category: each group's first story
        self.briefing = reading.Briefing()
        self._moved_at = 0.0
        self._summary_timer: Timer | None = None
        # read in a worker as the cursor rests; dropped when the stories change
        self._previews: dict[tuple[str, str], reading.Preview] = {}

    def compose(self) -> ComposeResult:
        with Container(id="main"):
            with Vertical(id="list-pane"):
                yield Static(HEADER, id="stories-header", markup=False)
                yield StoryList(self.render_row, id="stories")
            with SummaryPane(id="summary-pane"):
                yield Static(id="summary", markup=False)
        yield StatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(StoryList).focus()

    def on_resize(self) -> None:
        self.query_one("#main").set_class(self.size.width >= WIDE, "-wide")

    # -- data --------------------------------------------------------------

    def reload(self) -> None:
        """Read stories and triage state again and redraw, keeping the cursor's story."""
        app = self.app
        self.briefing = reading.Briefing.load(app.store, app.now(), app.last_session)
        self._previews.clear()
        self.redraw()

    def _visible(self) -> list[Item]:
        app = self.app
        return self.briefing.visible(self.filter, app.sort, app.today(), app.store)

    def redraw(self, keep: str | None = None, index: int | None = None) -> None:
        stories = self.query_one(StoryList)
        current = keep or self.current_id()
        self.shown = self._visible()
        self._group_starts = set()
        if self.app.sort == "category":
            previous = None
            for item in self.shown:
                if item.category != previous:
                    self._group_starts.add(item.id)
                previous = item.category
        if index is None:
            index = next((n for n, i in enumerate(self.shown) if i.id == current), 0)
        stories.set_items(self.shown, index)
        self.show_summary()
        self.update_status()

    def render_row(self, item: Item, width: int) -> Text:
        if self.app.sort != "category":
            return render_row(item, width)
        # grouped: the category names its group on the group's first row
        label = item.category if item.id in self._group_starts else ""
        text = Text(f" {plain(label, 'tag')[:GROUP_WIDTH]:<{GROUP_WIDTH}}", style="bold magenta")
        text.append_text(render_row(item, width))
        return text

    def current(self) -> Item | None:
        stories = self.query_one(StoryList)
        if stories.items is not self.shown or not 0 <= stories.cursor_row < len(self.shown):
            return None
        return self.shown[stories.cursor_row]

    def select_story(self, story_id: str) -> None:
        """Put the cursor on this story if it is shown (the story screen moved on)."""
        for index, item in enumerate(self.shown):
            if item.id == story_id:
                self.query_one(StoryList).move_cursor(row=index)
                return

    def current_id(self) -> str | None:
        item = self.current()
        return item.id if item else None

    @on(TriageChanged)
    def _triage_changed(self, message: TriageChanged) -> None:
        """Triage changed (here or on another screen): redraw the rows it touched.

        After an undo or a redo of one story's action the cursor goes to that
        story, so the analyst sees what came back.
        """
        change = message.change
        self.briefing.update(change.states)
        ids = change.story_ids
        follow = ids[0] if change.replayed and len(ids) == 1 else None
        still = self._visible()
        if [i.id for i in still] != [i.id for i in self.shown]:
            if follow is not None:
                self.redraw(keep=follow)
            else:  # a story went away: the cursor stays on the same line
                self.redraw(index=self.query_one(StoryList).cursor_row)
            return
        stories = self.query_one(StoryList)
        position = {item.id: n for n, item in enumerate(self.shown)}
        for story_id in ids:
            if story_id in position:
                stories.refresh_item(position[story_id])
        if follow is not None and follow != self.current_id():
            self.select_story(follow)
        self.show_summary()
        self.update_status()

    def show_summary(self) -> None:
        item = self.current()
        pane = self.query_one("#summary", Static)
        if item is None:
            pane.update(Text(self._empty_message(), style="italic"))
            return
        story, state, row = item.story, item.state, item.row
        text = Text()
        text.append_text(line(story.title, style="bold"))
        text.append("\n")
        text.append(
            f"{day(story.first_date)} → {day(story.last_date)} · {count(row.events, 'event')} · "
            f"{count(row.sources, 'source')} · {count(row.articles, 'article')} · id {story.id}",
            style="dim",
        )
        if state.tags:
            text.append("\n" + tags_text(state.tags), style="magenta")
        if state.snoozed_until:
            text.append(f"\nsnoozed until {state.snoozed_until.isoformat()}", style="dim")
        if state.note:
            text.append("\n✎ ", style="bold")
            text.append_text(note_text(state.note))
        key = (story.id, self.filter.search)
        preview = self._previews.get(key)
        if preview is None:
            # what the list knows now; the rest follows from the worker
            self._load_preview(*key)
            pane.update(text)
            return
        text.append_text(_matches(preview.snippets))
        text.append("\n\n")
        text.append_text(
            summary_text(preview.summary, "No summary yet: it is written after the next refresh.")
        )
        if preview.watched:
            text.append("\n\nWatched: ", style="bold")
            text.append(", ".join(plain(w) for w in preview.watched), style="red")
        if preview.entities:
            text.append("\n\nEntities: ", style="bold")
            for n, entity in enumerate(preview.entities):
                text.append(", " if n else "")
                text.append(plain(entity.name))
                text.append(f" ({entity.type})", style="dim")
        events = preview.events
        if events:
            text.append("\n\nTimeline", style="bold")
            if row.events > len(events):
                text.append(f" (latest {len(events)} of {row.events})", style="dim")
            for event in events:
                text.append(f"\n{day(event.date)}  ", style="cyan")
                text.append_text(line(event.title))
        pane.update(text)

    def _empty_message(self) -> str:
        if self.filter.search:
            return (
                f"The search “{self.filter.search}” matched nothing. Press / to search "
                "again, or ctrl+f to clear the search and filter."
            )
        if self.filter.active:
            return f"No story matches the filter ({self.filter.describe()}). ctrl+f clears it."
        if self.briefing.items:
            return "Every story is hidden (dismissed or snoozed). u undoes the last one."
        return "No stories to show. Press r to fetch your feeds, f to manage them."

    @work(exclusive=True, group="reading", exit_on_error=False, description="read the summary")
    async def _load_preview(self, story_id: str, search: str) -> None:
        # the mutes of this load of the briefing: a change of mutes reloads and clears the cache
        hidden = self.briefing.muted
        preview = await self.app.read(
            reading.preview, story_id, TIMELINE_PREVIEW, search, hidden, TOP_ENTITIES
        )
        if len(self._previews) > PREVIEW_CACHE:
            self._previews.clear()
        self._previews[story_id, search] = preview
        if self.current_id() == story_id and self.filter.search == search:
            self.show_summary()

    def update_status(self) -> None:
        total = len(self.briefing.items)
        unread = sum(1 for i in self.shown if not i.read)
        text = Text()
        text.append(count(len(self.shown), "story", "stories"), style="bold")
        text.append(f" · {unread} unread")
        if self.filter.hidden:
            text.append(" · hidden view: d and z bring one back", style="dim")
        elif len(self.shown) != total:
            text.append(f" · {total - len(self.shown)} not shown (H: hidden ones)", style="dim")
        text.append(f" · by {self.app.sort}", style="dim")
        if self.briefing.muted_today:
            text.append(f" · mutes hid {count(self.briefing.muted_today, 'article')} today")
        if self.filter.active:
            text.append(" · ")
            text.append(f"filter: {self.filter.describe()}", style="bold yellow")
        self.query_one(StatusBar).set_text(text)

    @on(StoryList.Highlighted)
    def _highlighted(self) -> None:
        # A single key press redraws the summary at once; while a key is held
        # (presses less than SUMMARY_DEBOUNCE apart) only the list moves, and the
        # summary follows when the cursor rests, so the list never lags.
        if self._summary_timer is not None:
            self._summary_timer.stop()
            self._summary_timer = None
        now = time.monotonic()
        held = now - self._moved_at < SUMMARY_DEBOUNCE
        self._moved_at = now
        if held:
            self._summary_timer = self.set_timer(SUMMARY_DEBOUNCE, self.show_summary)
        else:
            self.show_summary()

    @on(StoryList.Selected)
    def _selected(self) -> None:
        self.action_open()

    # -- navigation --------------------------------------------------------

    def action_open(self) -> None:
        item = self.current()
        if item is None:
            return
        self.app.post_message(OpenStory(item.id))

    def neighbour_unread(self, story_id: str | None, step: int) -> str | None:
        """The next unread story after story_id in the list (step 1) or before it (-1)."""
        ids = [i.id for i in self.shown]
        start = ids.index(story_id) if story_id in ids else (-1 if step > 0 else len(ids))
        index = start + step
        while 0 <= index < len(self.shown):
            if not self.shown[index].read and self.shown[index].id != story_id:
                return self.shown[index].id
            index += step
        return None

    def _move_unread(self, step: int) -> None:
        found = self.neighbour_unread(self.current_id(), step)
        if found is None:
            self.app.notify("No more unread stories that way.", timeout=2)
            return
        index = next(n for n, i in enumerate(self.shown) if i.id == found)
        self.query_one(StoryList).move_cursor(row=index)

    @on(UnreadWanted)
    def _unread_wanted(self, message: UnreadWanted) -> None:
        """The story screen above steps through this list's unread stories."""
        found = self.neighbour_unread(message.story_id, message.step)
        if found is None:
            self.app.notify("No more unread stories that way.", timeout=2)
            return
        self.select_story(found)
        self.app.post_message(StoryWanted(found))

    @on(StoriesChanged)
    def _stories_changed(self) -> None:
        self.reload()

    def action_next_unread(self) -> None:
        self._move_unread(1)

    def action_previous_unread(self) -> None:
        self._move_unread(-1)

    def action_toggle_sort(self) -> None:
        sorts = reading.SORTS
        self.app.sort = sorts[(sorts.index(self.app.sort) + 1) % len(sorts)]
        self.redraw()
        self.app.notify(f"Sorted by {self.app.sort}.", timeout=2)

    def action_toggle_new(self) -> None:
        self.set_filter(_replace(self.filter, new=not self.filter.new))

    def action_toggle_hidden(self) -> None:
        self.set_filter(_replace(self.filter, hidden=not self.filter.hidden))
        if self.filter.hidden:
            self.app.notify("Hidden stories: d and z bring one back; H leaves.", timeout=3)

    def action_next_watch(self) -> None:
        names = self.briefing.watch_names
        if not names:
            self.app.notify("No watches yet: add one with `briefing watch add NAME QUERY`.")
            return
        self.set_filter(_replace(self.filter, watch=reading.next_watch(self.filter.watch, names)))

    def action_add_watch(self) -> None:
        store = self.app.store

        def check_name(name: str) -> str | None:
            if not name.strip():
                return "A name, please."
            return "That name is taken." if watch_reading.get_watch(store, name.strip()) else None

        def check_query(query: str) -> str | None:
            return watch_reading.query_problem(query)

        def named(name: str | None) -> None:
            if name is None:
                return

            def done(query: str | None) -> None:
                if query is None:
                    return
                watch_reading.add_watch(store, name.strip(), query.strip())
                self.app.notify(f"Watching {plain(name)}: v shows its stories.", timeout=3)
                self.reload()

            self.app.push_screen(
                InputModal(
                    f"What {plain(name)} watches",
                    self.filter.search,
                    "words and entity: source: category: tag: fields",
                    check_query,
                    hint='e.g. entity:"Volt Typhoon" water · enter: save · escape: cancel',
                ),
                done,
            )

        self.app.push_screen(
            InputModal("Name the new watch", "", "a short name", check_name), named
        )

    def action_mutes(self) -> None:
        from briefing.tui.screens.mutes import MuteModal

        def done(changed: bool | None) -> None:
            if changed:
                self.reload()

        self.app.push_screen(MuteModal(), done)

    def action_feeds(self) -> None:
        self.app.post_message(OpenFeeds())

    # -- search and filter -------------------------------------------------

    def action_search(self) -> None:
        store = self.app.store

        def check(text: str) -> str | None:
            try:
                reading.check_search(store, text)
            except reading.SearchError as exc:
                return f"Search: {exc}"
            return None

        def done(text: str | None) -> None:
            if text is None:
                return
            if not text.strip():
                self.set_filter(_replace(self.filter, search="", search_ids=None))
                return
            ids = reading.search(store, text)
            self.set_filter(_replace(self.filter, search=text.strip(), search_ids=ids))

        self.app.push_screen(
            InputModal(
                "Search all articles",
                self.filter.search,
                'words, "a phrase", CISA OR NCSC, ransom NOT test, regulat*',
                check,
                hint="enter: search · empty: clear the search · escape: cancel",
            ),
            done,
        )

    def action_filter(self) -> None:
        feeds = reading.feeds(self.app.store)

        def done(flt: Filter | None) -> None:
            if flt is not None:
                self.set_filter(flt)

        self.app.push_screen(
            FilterModal(
                self.filter, self.briefing.tags(), feeds, self.briefing.categories(self.app.store)
            ),
            done,
        )

    def action_clear_filter(self) -> None:
        if self.filter.active:
            self.set_filter(Filter())

    def set_filter(self, flt: Filter) -> None:
        self.filter = flt
        self.redraw()

    # -- triage ------------------------------------------------------------

    def correction_story(self) -> Story | None:
        item = self.current()
        return item.story if item else None

    @on(GroupingChanged)
    def _grouping_changed(self, message: GroupingChanged) -> None:
        """Stories merged, split or moved: read them again, the cursor on the result."""
        self.briefing = reading.Briefing.load(self.app.store, self.app.now(), self.app.last_session)
        self.redraw(keep=message.story_id)

    def triage_target(self) -> tuple[Story, TriageState] | None:
        item = self.current()
        return (item.story, item.state) if item else None

    def action_toggle_read(self) -> None:
        """newsboat's N: mark the story read and move on to the next unread one."""
        item = self.current()
        if item is None:
            return
        was_read = item.read
        super().action_toggle_read()
        if was_read or self.filter.unread:
            return  # marked unread: stay; unread only: the story leaves, the next slides up
        stories = self.query_one(StoryList)
        found = self.neighbour_unread(item.id, 1)
        index = next((n for n, i in enumerate(self.shown) if i.id == found), None)
        if index is None:
            index = min(stories.cursor_row + 1, len(self.shown) - 1)
        stories.move_cursor(row=index)

    def action_mark_all_read(self) -> None:
        changes = [
            rules.marked_read(item.state, item.story) for item in self.shown if not item.read
        ]
        if not changes:
            self.app.notify("Everything shown is read already.", timeout=2)
            return
        self.app.triage.apply("mark all read", changes)
        self.app.notify(f"Marked {len(changes)} stories read (u to undo).", timeout=2)

    def _link(self) -> str | None:
        item = self.current()
        return reading.story_link(self.app.store, item.id) if item else None

    def action_open_link(self) -> None:
        self.app.open_link(self._link())

    def action_copy_link(self) -> None:
        self.app.copy_link(self._link())

    def action_export(self) -> None:
        self.app.start_export(self.current_id(), [i.id for i in self.shown])


def _matches(snippets: list[reading.Snippet]) -> Text:
    """Where the search matched in this story: article titles and snippets, terms marked."""
    text = Text()
    for snip in snippets:
        text.append("\n⌕ ", style="bold")
        text.append_text(line(snip.title, style="bold"))
        if snip.text:
            text.append("\n  ")
            text.append_text(
                snippet_text(snip.text, reading.MARK_START, reading.MARK_END, MATCH_STYLE)
            )
    return text


def _replace(flt: Filter, **changes: object) -> Filter:
    from dataclasses import replace

    return replace(flt, **changes)  # type: ignore[arg-type]
