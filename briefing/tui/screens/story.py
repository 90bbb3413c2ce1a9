"""The story screen: the timeline of events, and the selected event's articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from briefing.models import Article, Event, Story, TriageState
from briefing.reading import rules
from briefing.reading import stories as reading
from briefing.tui.messages import (
    ArticleRead,
    ArticleShown,
    GroupingChanged,
    OpenArticle,
    StoryShown,
    StoryWanted,
    TriageChanged,
    UnreadWanted,
)
from briefing.tui.screens.correct import EVENT_BINDINGS, STORY_BINDINGS, CorrectionActions
from briefing.tui.screens.triage import TRIAGE_BINDINGS, TriageActions, bind
from briefing.tui.text import count, day, line, link, note_text
from briefing.tui.widgets import KeyFooter, StatusBar

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp


# Summary sentences shown per event on the timeline (the reader has them all).
EVENT_SENTENCES = 3


class KeyList(OptionList):
    """An option list that j/k move through like the arrows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j", "cursor_down", "Down", show=False, id="briefing.down", tooltip="Next (also ↓)"
        ),
        Binding("k", "cursor_up", "Up", show=False, id="briefing.up", tooltip="Previous (also ↑)"),
        # shown, so the footer says what enter does here (OptionList's own is hidden)
        Binding(
            "enter",
            "select",
            "Open",
            id="briefing.open",
            tooltip="On an event: its articles; on an article: read it",
        ),
    ]


def fold(articles: list[Article]) -> list[tuple[Article, list[Article]]]:
    """Originals in date order, each with its duplicates folded under it."""
    by_id = {a.id: a for a in articles}
    copies: dict[int | None, list[Article]] = {}
    originals = []
    for article in articles:
        if article.duplicate_of is not None and article.duplicate_of in by_id:
            copies.setdefault(article.duplicate_of, []).append(article)
        else:
            originals.append(article)
    return [(a, copies.get(a.id, [])) for a in originals]


def outlets(articles: list[Article]) -> list[str]:
    names: list[str] = []
    for article in articles:
        name = line(article.outlet or "unknown outlet", "outlet").plain
        if name not in names:
            names.append(name)
    return names


def _hanging(first: Text, rest: list[Text], indent: int = 4) -> Table:
    """The first line flush, the rest indented, wrapped lines keeping their indent."""
    grid = Table.grid(expand=True)
    grid.add_column(width=indent, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(first[:indent], first[indent:])
    for part in rest:
        grid.add_row("", part)
    return grid


# The cursor's mark in the gutter: the highlight colour alone is lost in a plain
# capture, on a monochrome terminal and to a screen reader.
CURSOR = "▶ "


def event_prompt(event: Event, articles: list[Article], new: bool, selected: bool = False) -> Table:
    first = Text()
    first.append("✚ " if new else "  ", style="bold green")
    first.append(CURSOR if selected else "  ", style="bold")
    first.append(day(event.date), style="bold cyan")
    first.append("  ")
    first.append_text(line(event.title, style="bold"))
    folded = fold(articles)
    copies = sum(len(c) for _a, c in folded)
    sources = Text(", ".join(outlets([a for a, _c in folded])) or "no articles", style="dim")
    if copies:
        sources.append(f"  (+{copies} {'copy' if copies == 1 else 'copies'})", style="dim")
    rest = [sources]
    for sentence in event.summary[:EVENT_SENTENCES]:
        bullet = Text("• ", style="dim")
        bullet.append_text(line(sentence.text, "summary"))
        rest.append(bullet)
    if len(event.summary) > EVENT_SENTENCES:
        more = len(event.summary) - EVENT_SENTENCES
        rest.append(Text(f"(+{count(more, 'more sentence')} in the articles)", style="dim"))
    grid = _hanging(first, rest)
    grid.add_row("", "")  # air between events
    return grid


def article_prompt(article: Article, copies: list[Article], selected: bool = False) -> Table:
    first = Text()
    first.append(CURSOR if selected else "  ", style="bold")
    first.append("  " if article.read else "● ", style="bold cyan")
    when = article.published.strftime("%Y-%m-%d %H:%M") if article.published else "—"
    first.append(when, style="dim")
    first.append("  ")
    first.append_text(line(article.outlet or "unknown outlet", "outlet", style="bold"))
    first.append("  ")
    first.append_text(line(article.title, style="dim" if article.read else ""))
    rest = []
    if copies:
        names = ", ".join(outlets(copies))
        label = "copy" if len(copies) == 1 else "copies"
        rest.append(Text(f"+{len(copies)} {label}: {names}", style="dim italic"))
    return _hanging(first, rest, indent=4)


class StoryScreen(TriageActions, CorrectionActions, Screen[None]):
    app: BriefingApp

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("enter", "open", "Open", "Open the event's articles, or the article", show=True),
        bind("escape,q", "back", "Back", "Back to the briefing", show=True),
        bind(
            "tab,shift+tab",
            "switch_pane",
            "Pane",
            "Move between the timeline and the selected event's articles",
            show=True,
        ),
        bind("n", "next_unread", "Next unread", "Open the next unread story"),
        bind("p", "previous_unread", "Prev unread", "Open the previous unread story"),
        *TRIAGE_BINDINGS,
        *STORY_BINDINGS,
        *EVENT_BINDINGS,
    ]

    def __init__(self, story_id: str) -> None:
        super().__init__(id="story")
        self.story_id = story_id
        self.story: Story | None = None
        self.state = TriageState(story_id=story_id)
        self.seen_before = TriageState(story_id=story_id)
        self.events: list[Event] = []
        self.articles: dict[int, Article] = {}
        # what each row was drawn from, to redraw the cursor's mark as it moves
        self._event_rows: list[tuple[Event, list[Article], bool]] = []
        self._article_rows: list[tuple[Article, list[Article]]] = []
        self._marked_event: int | None = None
        self._marked_article: int | None = None
        self._articles_of: str | None = None  # the event whose articles are listed

    def compose(self) -> ComposeResult:
        yield Static(id="story-header", markup=False)
        with Vertical(id="story-body"):
            yield KeyList(id="timeline")
            yield KeyList(id="articles")
        yield StatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load(self.story_id)
        self.query_one("#timeline", KeyList).focus()

    def load(self, story_id: str, mark_read: bool = True, keep_event: str | None = None) -> None:
        """Show a story (read in a worker), and mark it read.

        A reload after a correction does not mark it: that would be an action of
        its own, and `u` must undo the correction, not a mark the analyst never made.
        """
        self.story_id = story_id
        self._load(story_id, mark_read, keep_event)

    @work(exclusive=True, group="reading", exit_on_error=False, description="read the story")
    async def _load(self, story_id: str, mark_read: bool, keep_event: str | None) -> None:
        self.show(await self.app.read(reading.story_view, story_id), mark_read, keep_event)

    def show(
        self, view: reading.StoryView, mark_read: bool = True, keep_event: str | None = None
    ) -> None:
        """Draw a story that was read; its new events stay marked on this visit.

        `keep_event`: the event the cursor was on before a correction, if it is still here.
        """
        app = self.app
        story = view.story
        self.story = story
        if story is None:
            self.query_one("#story-header", Static).update(Text("This story is gone."))
            return
        self.events = view.events
        self.articles = view.articles
        before = view.state
        self.seen_before = before
        self.state = before
        if mark_read and (not rules.is_read(story, before) or before.dismissed):
            new = rules.marked_read(before, story, self.events)
            if new != before:
                app.triage.apply("mark read", [new], [story.title])
                self.state = new
        timeline = self.query_one("#timeline", KeyList)
        timeline.clear_options()
        self._marked_event = None
        self._event_rows = []
        for event in self.events:
            arts = [self.articles[i] for i in event.article_ids if i in self.articles]
            self._event_rows.append((event, arts, rules.is_new_event(event, self.seen_before)))
        timeline.add_options(Option(event_prompt(*row), id=row[0].id) for row in self._event_rows)
        if self.events:
            # what the analyst came for: the first event new since they last read
            # the story (read on from there with j), else the newest one
            fresh = [n for n, (_e, _a, is_new) in enumerate(self._event_rows) if is_new]
            kept = [n for n, e in enumerate(self.events) if e.id == keep_event]
            timeline.highlighted = (kept or fresh or [len(self.events) - 1])[0]
            self._mark_event()
            # its first line at the top (as far as the end allows): read on from there
            self.call_after_refresh(timeline.scroll_to_highlight, top=True)
        self.show_header()
        self.show_articles()
        new_count = sum(rules.is_new_event(e, self.seen_before) for e in self.events)
        status = Text(count(len(self.events), "event"), style="bold")
        status.append(f" · {count(len(self.articles), 'article')}")
        if new_count:
            status.append(f" · {new_count} new since you last read it", style="bold green")
        self.query_one(StatusBar).set_text(status)
        # a reader above that ran off the last story's end goes on with this one
        self.app.post_message(StoryShown(self.story_id, self.article_order()))

    def show_header(self) -> None:
        story, state = self.story, self.state
        if story is None:
            return
        text = Text()
        text.append("★ " if state.starred else "", style="bold yellow")
        text.append_text(line(story.title, style="bold"))
        text.append(f"\n{day(story.first_date)} → {day(story.last_date)}", style="dim")
        sources = outlets(list(self.articles.values()))
        text.append(
            f" · {count(len(self.events), 'event')} · {count(len(sources), 'source')}", style="dim"
        )
        if state.tags:
            text.append("  " + " ".join(f"#{line(t, 'tag').plain}" for t in state.tags), "magenta")
        if state.dismissed:
            text.append("  dismissed", style="bold red")
        if state.snoozed_until:
            text.append(f"  snoozed until {state.snoozed_until.isoformat()}", style="bold")
        if state.note:
            text.append("\n✎ ", style="bold")
            text.append_text(note_text(state.note))
        self.query_one("#story-header", Static).update(text)

    def current_event(self) -> Event | None:
        index = self.query_one("#timeline", KeyList).highlighted
        if index is None or not 0 <= index < len(self.events):
            return None
        return self.events[index]

    def show_articles(self) -> None:
        articles = self.query_one("#articles", KeyList)
        articles.clear_options()
        self._marked_article = None
        self._article_rows = []
        event = self.current_event()
        self._articles_of = event.id if event else None
        if event is not None:
            arts = [self.articles[i] for i in event.article_ids if i in self.articles]
            self._article_rows = [(a, c) for a, c in fold(arts) if a.id is not None]
            articles.add_options(
                Option(article_prompt(a, c), id=str(a.id)) for a, c in self._article_rows
            )
            if self._article_rows:
                articles.highlighted = 0
                self._mark_article()
        self.label_panes()

    def _mark_event(self) -> None:
        """Move the cursor's mark on the timeline to the highlighted event."""
        timeline = self.query_one("#timeline", KeyList)
        index = timeline.highlighted
        if index == self._marked_event:
            return
        old, self._marked_event = self._marked_event, index
        for n, selected in ((old, False), (index, True)):
            if n is not None and 0 <= n < len(self._event_rows):
                event, arts, new = self._event_rows[n]
                timeline.replace_option_prompt_at_index(n, event_prompt(event, arts, new, selected))

    def _mark_article(self, force: int | None = None) -> None:
        """Move the cursor's mark in the articles to the highlighted one (or redraw `force`)."""
        articles = self.query_one("#articles", KeyList)
        index = articles.highlighted
        if index == self._marked_article and force is None:
            return
        old, self._marked_article = self._marked_article, index
        for n in {old, index, force} - {None}:
            assert n is not None
            if 0 <= n < len(self._article_rows):
                article, copies = self._article_rows[n]
                prompt = article_prompt(article, copies, selected=n == index)
                articles.replace_option_prompt_at_index(n, prompt)

    def label_panes(self) -> None:
        """Name each pane in its top border; the focused one is marked and says its keys.

        Titles are Text, never a str: a str border title is parsed as markup, and
        the event title comes from the feeds.
        """
        timeline = self.query_one("#timeline", KeyList)
        articles = self.query_one("#articles", KeyList)
        focused = self.focused
        # where the cursor is: the newest event sits at the bottom of a timeline
        index = timeline.highlighted
        where = (
            f"event {index + 1} of {len(self.events)}"
            if index is not None and self.events
            else count(len(self.events), "event")
        )
        title = Text(f"Timeline · {where}, oldest first")
        if focused is timeline:
            title = Text.assemble("▶ ", title, " · enter/tab: articles")
        timeline.border_title = title
        # the keys before the event's title, which is cut to the width
        title = Text(
            "▶ Articles · enter: read · tab: timeline" if focused is articles else "Articles"
        )
        if event := self.current_event():
            title.append(f" · {day(event.date)} ")
            title.append_text(line(event.title))
        articles.border_title = title

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def _focus_moved(self) -> None:
        self.label_panes()

    def action_switch_pane(self) -> None:
        timeline = self.query_one("#timeline", KeyList)
        articles = self.query_one("#articles", KeyList)
        if self.focused is timeline and articles.option_count:
            articles.focus()
        else:
            timeline.focus()

    @on(OptionList.OptionHighlighted, "#timeline")
    def _event_highlighted(self) -> None:
        self._mark_event()
        event = self.current_event()
        if event is None or event.id != self._articles_of:
            self.show_articles()
        else:
            self.label_panes()

    @on(ArticleShown)
    def _article_shown(self, message: ArticleShown) -> None:
        """The reader moved to this article (n/p): put both cursors on it."""
        article_id = message.article_id
        index = next((n for n, e in enumerate(self.events) if article_id in e.article_ids), None)
        if index is None:
            return
        timeline = self.query_one("#timeline", KeyList)
        if timeline.highlighted != index:
            timeline.highlighted = index
            self._mark_event()
            self.show_articles()
        for row, (article, copies) in enumerate(self._article_rows):
            if article.id == article_id or any(c.id == article_id for c in copies):
                self.query_one("#articles", KeyList).highlighted = row
                self._mark_article()
                return

    @on(OptionList.OptionHighlighted, "#articles")
    def _article_highlighted(self) -> None:
        self._mark_article()

    @on(OptionList.OptionSelected, "#timeline")
    def _event_selected(self) -> None:
        articles = self.query_one("#articles", KeyList)
        if articles.option_count:
            articles.focus()

    @on(OptionList.OptionSelected, "#articles")
    def _article_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_article(int(event.option.id))

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            focused.action_select()

    def current_article(self) -> Article | None:
        articles = self.query_one("#articles", KeyList)
        option = articles.highlighted_option
        if option is None or option.id is None:
            return None
        return self.articles.get(int(option.id))

    def article_order(self) -> list[int]:
        """The reader's n/p order: originals along the timeline, copies folded away."""
        return [
            a.id
            for e in self.events
            for a, _c in fold([self.articles[i] for i in e.article_ids if i in self.articles])
            if a.id is not None
        ]

    def open_article(self, article_id: int) -> None:
        self.app.post_message(OpenArticle(article_id, self.story_id, self.article_order()))

    @on(ArticleRead)
    def _article_read(self, message: ArticleRead) -> None:
        if article := self.articles.get(message.article_id):
            article.read = True
            for n, (shown, _copies) in enumerate(self._article_rows):
                if shown.id == message.article_id:
                    self._mark_article(force=n)

    def action_back(self) -> None:
        self.app.pop_screen()

    def _go_unread(self, step: int) -> None:
        # the list below knows what is unread and in which order: it answers with StoryWanted
        self.app.post_message(UnreadWanted(self.story_id, step))

    @on(StoryWanted)
    def _story_wanted(self, message: StoryWanted) -> None:
        self.load(message.story_id)

    def action_next_unread(self) -> None:
        self._go_unread(1)

    def action_previous_unread(self) -> None:
        self._go_unread(-1)

    # -- triage ------------------------------------------------------------

    # -- corrections -----------------------------------------------------------

    def correction_story(self) -> Story | None:
        return self.story

    def correction_event(self) -> Event | None:
        return self.current_event()

    def correction_article(self) -> Article | None:
        # an article is the target only where the analyst is: in the articles pane
        if self.focused is self.query_one("#articles", KeyList):
            return self.current_article()
        return None

    @on(GroupingChanged)
    def _grouping_changed(self, message: GroupingChanged) -> None:
        """Stay on this story if it is still there (a split, a move), else follow the merge."""
        event = self.current_event()
        here = reading.story(self.app.store, self.story_id) is not None
        target = self.story_id if here else message.story_id
        if target is None:
            self.app.pop_screen()
            return
        self.load(target, mark_read=False, keep_event=event.id if event else None)

    def triage_target(self) -> tuple[Story, TriageState] | None:
        return (self.story, self.state) if self.story else None

    def triage_apply(self, name: str, story: Story, new: TriageState, message: str = "") -> None:
        super().triage_apply(name, story, new, message)
        # this screen's own story: known now, before the app's message arrives
        self.state = new
        self.show_header()

    @on(TriageChanged)
    def _triage_changed(self, message: TriageChanged) -> None:
        for state in message.change.states:
            if state.story_id == self.story_id:
                self.state = state
                self.show_header()

    def action_dismiss_story(self) -> None:
        super().action_dismiss_story()
        if self.state.dismissed:
            self.app.pop_screen()

    def _link(self) -> str | None:
        article = self.current_article()
        return link(article.url) if article else None

    def action_open_link(self) -> None:
        self.app.open_link(self._link())

    def action_copy_link(self) -> None:
        self.app.copy_link(self._link())

    def action_export(self) -> None:
        self.app.start_export(self.story_id, [self.story_id])
