"""The help screen: every key of the screen it was opened from, as currently bound."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

MARKS = [
    ("●", "unread (or has a new event since you read it)"),
    ("★", "starred"),
    ("#", "tagged"),
    ("✎", "has a note"),
    ("✚", "new since your last session"),
    ("⚑", "new since your last session, and a watch matches it (listed first)"),
]


def key_table(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, action, what it does) for the screen's own bindings, after any keymap.

    Walks the whole binding chain (focused widget, screen, app), so a key the
    focused list also uses (enter) is still listed; widget built-ins without
    an id (page left, focus next...) are left out as noise.
    """
    rows: dict[str, tuple[list[str], str, str]] = {}
    for _node, bindings_map in screen._binding_chain:
        for _key, binding in bindings_map:
            if binding.id is None or binding.system or not binding.description:
                continue
            keys, _d, _t = rows.setdefault(binding.id, ([], binding.description, binding.tooltip))
            display = binding.key_display or screen.app.get_key_display(binding)
            if display not in keys:
                keys.append(display)
    return [(" ".join(k), d, t) for k, d, t in rows.values()]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close", tooltip="Close help"),
    ]

    def __init__(self, title: str, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action", no_wrap=True)
        table.add_column("", style="dim", ratio=1)
        for keys, action, tooltip in self.rows:
            table.add_row(keys, action, tooltip)
        marks = Text()
        for mark, meaning in MARKS:
            marks.append(f" {mark} ", style="bold")
            marks.append(f"{meaning}\n")
        with Vertical(classes="dialog help-dialog"):
            yield Label(Text(f"Keys: {self.title_text}"), classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
                yield Static(Text("\nMarks", style="bold"))
                yield Static(marks)
                yield Static(
                    Text(
                        "ctrl+p opens the command palette with the same actions. Rebind keys "
                        "in settings.toml: [keymap] with binding ids, e.g. "
                        '"briefing.star" = "S".',
                        style="dim",
                    )
                )

    def action_close(self) -> None:
        self.dismiss(None)
