"""Small typed modals: a line of text, a note, a yes/no, a filter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, TextArea

from briefing.models import Feed
from briefing.reading.stories import Filter
from briefing.tui.text import plain
from briefing.tui.widgets import Check


class InputModal(ModalScreen[str | None]):
    """Ask for one line of text; `check` returns an error message or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel", tooltip="Close without saving")
    ]

    def __init__(
        self,
        title: str,
        value: str = "",
        placeholder: str = "",
        check: Callable[[str], str | None] | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.check = check
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="value")
            yield Label(Text(self.hint), id="hint", classes="hint")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        error = self.check(event.value) if self.check else None
        if error:
            self.query_one("#hint", Label).update(Text(error, style="bold red"))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteModal(ModalScreen[str | None]):
    """Write or edit the story's note; ctrl+s saves, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="modal.save", tooltip="Save the note"),
        Binding("escape", "cancel", "Cancel", id="modal.cancel", tooltip="Close without saving"),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield TextArea(self.note, id="note", soft_wrap=True)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "yes", "Yes", id="modal.yes", tooltip="Confirm"),
        Binding("n,escape", "no", "No", id="modal.no", tooltip="Cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="modal")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question), classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", id="no")

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class FilterModal(ModalScreen[Filter | None]):
    """Choose what the briefing shows: unread, starred, new, hidden, a tag, a feed, a
    category, a date range."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel", tooltip="Keep the old filter"),
        Binding("ctrl+s", "apply", "Apply", id="modal.apply", tooltip="Apply the filter"),
    ]

    def __init__(
        self, current: Filter, tags: list[str], feeds: list[Feed], categories: Sequence[str] = ()
    ) -> None:
        super().__init__(classes="modal")
        self.current = current
        self.tags = tags
        self.feeds = feeds
        self.categories = list(categories)

    def compose(self) -> ComposeResult:
        cur = self.current
        with Vertical(classes="dialog filter-dialog"):
            yield Label("Filter the briefing", classes="dialog-title")
            with Horizontal(classes="row"):
                yield Check("Unread only", cur.unread, id="unread")
                yield Check("Starred only", cur.starred, id="starred")
            with Horizontal(classes="row"):
                yield Check("New since last session", cur.new, id="new")
                yield Check("Hidden (dismissed, snoozed)", cur.hidden, id="hidden")
            with Horizontal(classes="row"):
                yield Select(
                    [(Text(t), t) for t in self.tags],
                    prompt="Any tag",
                    value=cur.tag if cur.tag in self.tags else Select.NULL,
                    id="tag",
                )
                yield Select(
                    [(Text(plain(f.name)), f.id) for f in self.feeds if f.id is not None],
                    prompt="Any feed",
                    value=cur.feed_id if cur.feed_id is not None else Select.NULL,
                    id="feed",
                )
                yield Select(
                    [(Text(c), c) for c in self.categories],
                    prompt="Any category",
                    value=cur.category if cur.category in self.categories else Select.NULL,
                    id="category",
                )
            with Horizontal(classes="row"):
                yield Input(
                    cur.since.isoformat() if cur.since else "",
                    placeholder="since YYYY-MM-DD",
                    id="since",
                )
                yield Input(
                    cur.until.isoformat() if cur.until else "",
                    placeholder="until YYYY-MM-DD",
                    id="until",
                )
            yield Label(
                "Events dated between since and until. enter or ctrl+s: apply · escape: cancel",
                id="hint",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Apply (ctrl+s)", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        dates: dict[str, date | None] = {}
        for name in ("since", "until"):
            raw = self.query_one(f"#{name}", Input).value.strip()
            try:
                dates[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                self.query_one("#hint", Label).update(
                    Text(f"{name}: a date like 2026-11-01, please", style="bold red")
                )
                return
        tag = self.query_one("#tag", Select).value
        category = self.query_one("#category", Select).value
        feed = self.query_one("#feed", Select).value
        feed_id = feed if isinstance(feed, int) else None
        names = {f.id: plain(f.name) for f in self.feeds}
        self.dismiss(
            Filter(
                unread=self.query_one("#unread", Checkbox).value,
                starred=self.query_one("#starred", Checkbox).value,
                tag=tag if isinstance(tag, str) else "",
                feed_id=feed_id,
                feed_name=names.get(feed_id, "") if feed_id is not None else "",
                since=dates["since"],
                until=dates["until"],
                search=self.current.search,
                search_ids=self.current.search_ids,
                hidden=self.query_one("#hidden", Checkbox).value,
                new=self.query_one("#new", Checkbox).value,
                category=category if isinstance(category, str) else "",
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
