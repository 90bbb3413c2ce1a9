"""Pick a story or an event to move something to: type to narrow, the likeliest first.

The caller passes the choices already ranked (the most similar stories first);
typing keeps those whose title or id contain every typed word, in the same
order. Enter takes the highlighted one; escape picks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from briefing.tui.text import plain


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    title: str
    detail: str = ""  # a date, a similarity: shown dim after the title


def _label(choice: Choice, selected: bool = False) -> Text:
    label = Text("▶ " if selected else "  ", style="bold")
    label.append(plain(choice.title) or "(untitled)")
    label.append(f"  {choice.id[:8]}", style="dim")
    if choice.detail:
        label.append(f"  {choice.detail}", style="dim")
    return label


class PickerModal(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel", tooltip="Pick nothing"),
        Binding("down", "move(1)", "Down", show=False, id="picker.down", tooltip="Next choice"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up", tooltip="Previous choice"),
    ]

    def __init__(self, title: str, choices: list[Choice], hint: str = "") -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.choices = choices
        self.hint = hint or "type to narrow · ↑↓ choose · enter: pick · escape: cancel"
        self.shown: list[Choice] = list(choices)
        self._marked: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker-dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(placeholder="search titles", id="picker-query")
            yield OptionList(*self._options(), id="picker-options")
            yield Label(Text(self.hint), classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0 if self.shown else None
        self.query_one(Input).focus()

    def _options(self) -> list[Option]:
        self._marked = None
        return [Option(_label(c), id=c.id) for c in self.shown]

    @on(OptionList.OptionHighlighted, "#picker-options")
    def _mark(self) -> None:
        """The cursor's mark in the gutter: a highlight colour alone is lost in monochrome."""
        options = self.query_one(OptionList)
        index = options.highlighted
        for n, selected in ((self._marked, False), (index, True)):
            if n is not None and n < len(self.shown):
                options.replace_option_prompt_at_index(n, _label(self.shown[n], selected))
        self._marked = index

    @on(Input.Changed, "#picker-query")
    def narrow(self, event: Input.Changed) -> None:
        words = event.value.lower().split()
        self.shown = [
            c for c in self.choices if all(w in f"{c.title} {c.id}".lower() for w in words)
        ]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = 0 if self.shown else None

    @on(Input.Submitted, "#picker-query")
    def take_highlighted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.shown):
            self.dismiss(self.shown[index].id)

    @on(OptionList.OptionSelected, "#picker-options")
    def take_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
