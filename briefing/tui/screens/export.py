"""The export modal: choose stories, format and file, see a preview, return the choice.

The modal only decides; the app calls the headless writer
(`briefing.brief.export.export`) with the returned request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioSet, Static

from briefing.brief.export import ExportError, ExportOptions, last_export, preview
from briefing.reading import stories as reading
from briefing.sanitize import strip_controls
from briefing.store import Store
from briefing.tui.text import count
from briefing.tui.widgets import Check, Radio

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

# The preview renders this many stories only; the file holds them all.
PREVIEW_STORIES = 5
# A guard for one very long story (a template's own choice of what to print).
PREVIEW_CHARS = 6_000
EXTENSIONS = {"markdown": ".md", "html": ".html", "json": ".json"}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    options: ExportOptions
    path: Path


class ExportModal(ModalScreen[ExportRequest | None]):
    app: BriefingApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel", tooltip="Close without writing"),
        Binding("ctrl+s", "export", "Export", id="export.write", tooltip="Write the brief"),
    ]

    def __init__(
        self, store: Store, selected: str | None, shown: list[str], folder: Path, today: date
    ) -> None:
        super().__init__(classes="modal")
        self.store = store
        self.selected = selected
        self.shown = shown
        self.folder = folder
        self.today = today
        self.starred = sum(1 for s in reading.triage_states(store).values() if s.starred)
        self.last_export = last_export(store)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog export-dialog"):
            yield Label("Export a brief", classes="dialog-title")
            with Horizontal(classes="row"):
                with RadioSet(id="scope"):
                    # starred stories when there are some, else the selected story
                    yield Radio(
                        f"Starred stories ({self.starred})", value=self.starred > 0, id="starred"
                    )
                    yield Radio(
                        "The selected story",
                        value=self.starred == 0 and self.selected is not None,
                        id="selected",
                        disabled=self.selected is None,
                    )
                    yield Radio(f"What the list shows ({len(self.shown)})", id="shown")
                with RadioSet(id="format"):
                    yield Radio("Markdown", value=True, id="markdown")
                    yield Radio("HTML (for mail)", id="html")
                    yield Radio("JSON", id="json")
            when = self.last_export.strftime("%Y-%m-%d %H:%M UTC") if self.last_export else None
            yield Check(
                f"Only what changed since the last export ({when or 'none yet'})",
                id="since-last",
            )
            yield Input(str(self._default_path("markdown")), id="path")
            yield Label("", id="hint", classes="hint")
            with VerticalScroll(id="preview-pane"):
                yield Static(id="preview", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.update_preview()

    def _default_path(self, fmt: str) -> Path:
        return self.folder / f"brief-{self.today.isoformat()}{EXTENSIONS[fmt]}"

    def options(self) -> ExportOptions:
        scope = self.query_one("#scope", RadioSet).pressed_button
        fmt = self.query_one("#format", RadioSet).pressed_button
        format_ = fmt.id if fmt is not None and fmt.id in EXTENSIONS else "markdown"
        since_last = self.query_one("#since-last", Checkbox).value
        which = scope.id if scope is not None else "starred"
        if which == "selected" and self.selected:
            return ExportOptions(format=format_, story_ids=[self.selected], since_last=since_last)
        if which == "shown":
            return ExportOptions(format=format_, story_ids=list(self.shown), since_last=since_last)
        return ExportOptions(format=format_, starred=True, since_last=since_last)

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id == "format":
            path_input = self.query_one("#path", Input)
            fmt = self.options().format
            path = Path(path_input.value)
            if path.suffix in EXTENSIONS.values():
                path_input.value = str(path.with_suffix(EXTENSIONS[fmt]))
        self.update_preview()

    @on(Checkbox.Changed, "#since-last")
    def _since_last_changed(self) -> None:
        self.update_preview()

    def update_preview(self) -> None:
        options = self.options()
        if options.story_ids == [] and not options.starred:
            self.query_one("#preview", Static).update(Text("Nothing to export.", style="italic"))
            return
        self._render_preview(options)

    @work(exclusive=True, group="reading", exit_on_error=False, description="preview the brief")
    async def _render_preview(self, options: ExportOptions) -> None:
        pane = self.query_one("#preview", Static)
        try:
            head = await self.app.read(preview, options, PREVIEW_STORIES)
        except ExportError as exc:
            pane.update(Text(str(exc), style="bold red"))
            return
        text = head.text
        if len(text) > PREVIEW_CHARS:
            text = text[:PREVIEW_CHARS] + "\n…"
        shown = Text(strip_controls(text))
        if head.more_stories:
            more = count(head.more_stories, "more story", "more stories")
            shown.append(
                f"\n… and {more} ({count(head.more_events, 'event')}) in the file.",
                style="italic",
            )
        pane.update(shown)

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.query_one("#hint", Label).update(Text("Where should the brief go?", "bold red"))
            return
        options = self.options()
        if not options.starred and not options.story_ids:
            self.query_one("#hint", Label).update(Text("No stories to export.", "bold red"))
            return
        self.dismiss(ExportRequest(options, Path(raw).expanduser()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
