"""The mute editor: see, add and remove the rules that hide articles everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from briefing.reading import watches as watch_store
from briefing.reading.watches import MUTE_KINDS
from briefing.tui.text import plain

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

HINT = (
    "Type kind:value and enter to add (kinds: " + ", ".join(MUTE_KINDS) + "). "
    "delete or x on a mute removes it · escape: close"
)


def parse_rule(text: str) -> tuple[str, str] | str:
    """`outlet: Vendor Blog` -> ("outlet", "Vendor Blog"); else an error message."""
    kind, sep, value = text.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in MUTE_KINDS or not value.strip():
        return f"Write kind:value, kind one of {', '.join(MUTE_KINDS)}."
    return kind, value.strip()


class MuteModal(ModalScreen[bool]):
    """Returns True when the mutes changed (the caller reloads what it shows)."""

    app: BriefingApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="mutes.close", tooltip="Close the mute editor"),
        Binding("delete,x", "remove", "Remove", id="mutes.remove", tooltip="Remove this mute"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="modal")
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog mute-dialog"):
            yield Label(
                "Mutes: articles hidden from every view and the brief", classes="dialog-title"
            )
            yield OptionList(id="mutes")
            yield Input(placeholder="kind:value, e.g. outlet:Vendor Blog", id="rule")
            yield Label(Text(HINT), id="hint", classes="hint")

    def on_mount(self) -> None:
        self.refill()
        self.query_one(Input).focus()

    def refill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for mute in watch_store.all_mutes(self.app.store):
            options.add_option(Option(Text(f"{mute.kind}: {plain(mute.value)}"), id=str(mute)))
        if not options.option_count:
            options.add_option(Option(Text("no mutes yet", style="italic"), disabled=True))

    @on(Input.Submitted)
    def add(self, event: Input.Submitted) -> None:
        rule = parse_rule(event.value)
        hint = self.query_one("#hint", Label)
        if isinstance(rule, str):
            hint.update(Text(rule, style="bold red"))
            return
        try:
            watch_store.add_mute(self.app.store, *rule)
        except watch_store.Exists:
            hint.update(Text(f"Already muted: {rule[0]}:{rule[1]}", style="bold red"))
            return
        self.changed = True
        event.input.value = ""
        hint.update(Text(f"Muted {rule[0]}: {plain(rule[1])}"))
        self.refill()

    def action_remove(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id is None:
            return
        kind, _, value = option.id.partition(":")
        if watch_store.remove_mute(self.app.store, kind, value):
            self.changed = True
            self.query_one("#hint", Label).update(Text(f"Removed {kind}: {plain(value)}"))
        self.refill()

    def action_close(self) -> None:
        self.dismiss(self.changed)
