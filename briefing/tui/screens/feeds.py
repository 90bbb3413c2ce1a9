"""The feeds screen: health of every feed; add, remove, retry."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from briefing.fetch.feed import next_try
from briefing.models import Feed
from briefing.store import feeds as feed_store
from briefing.tui.messages import FeedsChanged, StoriesChanged
from briefing.tui.screens.modals import ConfirmModal, InputModal
from briefing.tui.screens.triage import bind
from briefing.tui.text import count, line, plain, stamp
from briefing.tui.widgets import KeyFooter, StatusBar
from briefing.urls import FeedUrlError, check_feed_url

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

COLUMNS = ("health", "name", "fetched", "items", "failures", "next")


def health(feed: Feed) -> Text:
    if feed.dead:
        return Text("dead", style="bold red")
    if feed.last_error:
        return Text("error", style="bold yellow")
    if feed.last_success:
        return Text("ok", style="green")
    return Text("new", style="dim")


def next_try_cell(feed: Feed, now: datetime) -> Text:
    """When the next refresh (r) tries the feed; R tries them all at once."""
    if feed.dead:
        return Text("never", style="red")
    when = next_try(feed, now)
    if when is None:
        return Text("next r", style="dim")
    return Text(stamp(when), style="yellow")


def feed_cells(feed: Feed, now: datetime) -> tuple[Text, ...]:
    return (
        health(feed),
        line(feed.name, "title"),
        Text(stamp(feed.last_fetched), style="dim"),
        Text(str(feed.item_count), justify="right"),
        Text(str(feed.failures) if feed.failures else "", justify="right"),
        next_try_cell(feed, now),
    )


def check_url(value: str) -> str | None:
    try:
        check_feed_url(value)
    except FeedUrlError as exc:
        return str(exc)
    return None


class FeedTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j", "cursor_down", "Down", show=False, id="briefing.down", tooltip="Next (also ↓)"
        ),
        Binding("k", "cursor_up", "Up", show=False, id="briefing.up", tooltip="Previous (also ↑)"),
    ]


class FeedsScreen(Screen[None]):
    app: BriefingApp

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape,q", "back", "Back", "Back to the briefing", show=True),
        Binding("plus,a", "add", "Add", id="feeds.add", tooltip="Follow a new feed", show=True),
        Binding(
            "delete,minus,x",
            "remove",
            "Remove",
            id="feeds.remove",
            tooltip="Stop following the feed and drop its articles",
            show=True,
        ),
        Binding(
            "R",
            "retry",
            "Retry",
            id="feeds.retry",
            tooltip="Clear the feed's back-off (or dead mark) and refresh now",
            show=True,
        ),
        bind("r", "app.refresh_feeds", "Refresh", "Fetch all feeds now", show=True),
    ]

    def __init__(self) -> None:
        super().__init__(id="feeds")
        self.feeds: list[Feed] = []

    def compose(self) -> ComposeResult:
        yield FeedTable(id="feed-table", cursor_type="row")
        with VerticalScroll(id="feed-detail-pane"):
            yield Static(id="feed-detail", markup=False)
        yield StatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(FeedTable)
        table.add_column(Text("health"), key="health", width=6)
        table.add_column(Text("feed"), key="name", width=36)
        table.add_column(Text("last fetch"), key="fetched", width=16)
        table.add_column(Text("items", justify="right"), key="items", width=5)
        table.add_column(Text("fail", justify="right"), key="failures", width=4)
        table.add_column(Text("next try"), key="next", width=16)
        self.reload()
        table.focus()

    @on(FeedsChanged)
    @on(StoriesChanged)
    def _feeds_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        table = self.query_one(FeedTable)
        keep = table.cursor_row
        self.feeds = feed_store.all_feeds(self.app.store)
        table.clear()
        for feed in self.feeds:
            table.add_row(*feed_cells(feed, self.app.now()), key=str(feed.id))
        if self.feeds:
            table.move_cursor(row=min(keep, len(self.feeds) - 1), animate=False)
        self.show_detail()
        failing = sum(1 for f in self.feeds if f.last_error or f.dead)
        status = Text(f"{len(self.feeds)} feeds", style="bold")
        if failing:
            status.append(f" · {failing} failing", style="bold yellow")
        self.query_one(StatusBar).set_text(status)

    def current(self) -> Feed | None:
        row = self.query_one(FeedTable).cursor_row
        return self.feeds[row] if 0 <= row < len(self.feeds) else None

    def show_detail(self) -> None:
        detail = self.query_one("#feed-detail", Static)
        feed = self.current()
        if feed is None:
            detail.update(Text("No feeds yet: press a to add one.", style="italic"))
            return
        text = Text()
        text.append_text(line(feed.name, style="bold"))
        text.append("\n")
        text.append(plain(feed.url, "url"), style="dim")
        text.append(
            f"\nlast fetch {stamp(feed.last_fetched)} · last success {stamp(feed.last_success)}"
            f" · {count(feed.item_count, 'item')} · {count(feed.failures, 'failure')}",
        )
        when = next_try(feed, self.app.now())
        if feed.dead:
            text.append("\ndead: the publisher removed it; R to try again", style="bold red")
        elif when is not None:
            text.append(f"\nnext try {stamp(when)} (backing off); R tries it now", style="yellow")
        else:
            text.append("\nnext try: the next refresh (r)", style="dim")
        if feed.retry_after:
            text.append(f"\nasked us to wait until {stamp(feed.retry_after)}", style="yellow")
        if feed.last_error:
            text.append("\nlast error: ", style="bold yellow")
            text.append(plain(feed.last_error, "summary"))
        if feed.note:
            text.append("\nnote: ", style="bold")
            text.append(plain(feed.note, "summary"))
        detail.update(text)

    def on_data_table_row_highlighted(self) -> None:
        self.show_detail()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add(self) -> None:
        def done(value: str | None) -> None:
            if not value:
                return
            url = check_feed_url(value)
            try:
                feed_store.add(self.app.store, url)
            except feed_store.FeedExists:
                self.app.notify(f"Already following {url}", markup=False, timeout=3)
                return
            self.reload()
            self.app.notify(f"Following {url}; r fetches it.", markup=False, timeout=3)

        self.app.push_screen(
            InputModal("Follow a feed", "", "https://…/feed.xml", check_url, "enter: add"), done
        )

    def action_remove(self) -> None:
        feed = self.current()
        if feed is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                feed_store.remove(self.app.store, feed.url)
                self.reload()
                self.app.notify(f"Removed {plain(feed.name)}", markup=False, timeout=3)

        self.app.push_screen(
            ConfirmModal(f"Stop following {plain(feed.name)} and drop its articles?"), done
        )

    def action_retry(self) -> None:
        feed = self.current()
        if feed is None:
            return
        feed_store.update(self.app.store, replace(feed, dead=False, retry_after=None, failures=0))
        self.reload()
        self.app.action_refresh_feeds()
