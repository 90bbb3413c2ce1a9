"""Small widgets the screens share."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Footer, ProgressBar, RadioButton, Static

# Below this width the footer packs its keys tighter, so the last one is not cut.
FOOTER_ROOMY = 100


class KeyFooter(Footer):
    """The footer, compact on narrow terminals (80 columns fit every shown key)."""

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < FOOTER_ROOMY


class StatusBar(Horizontal):
    """One line above the footer: what the screen shows, and refresh progress."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar > #status-text { width: 1fr; height: 1; padding: 0 1; }
    StatusBar > #status-stage { width: auto; height: 1; display: none; color: $text-muted; }
    StatusBar > ProgressBar { width: auto; height: 1; display: none; padding: 0 1 0 1; }
    StatusBar.-busy > ProgressBar, StatusBar.-busy > #status-stage { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="status-text", markup=False)
        yield Static(id="status-stage", markup=False)
        yield ProgressBar(id="refresh-progress", show_eta=False)

    def on_mount(self) -> None:
        self.watch(self.app, "progress", self._show_progress)

    def set_text(self, text: Text | str) -> None:
        self.query_one("#status-text", Static).update(
            text if isinstance(text, Text) else Text(text)
        )

    def _show_progress(self, progress: tuple[str, int, int | None, str] | None) -> None:
        bar = self.query_one(ProgressBar)
        self.set_class(progress is not None, "-busy")
        if progress is None:
            return
        stage, done, total, _detail = progress
        bar.update(total=total, progress=done)
        counted = f" {done}/{total}" if total else ""
        self.query_one("#status-stage", Static).update(Text(f"{stage}{counted}"))


class SummaryPane(VerticalScroll):
    """The selected story's summary; tab gives it the keys, j/k then scroll it.

    Its top border names it, and says so when it has the keys (the story list
    keeps its cursor mark but not the keys), so focus shows without colour too.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False, id="summary.down", tooltip="Scroll down"),
        Binding("k", "scroll_up", "Up", show=False, id="summary.up", tooltip="Scroll up"),
    ]

    def on_mount(self) -> None:
        self._label(focused=False)

    def on_focus(self) -> None:
        self._label(focused=True)  # has_focus is not yet true while Focus is handled

    def on_blur(self) -> None:
        self._label(focused=False)

    def _label(self, focused: bool) -> None:
        self.border_title = Text("▶ Summary · j/k: scroll · tab: stories" if focused else "Summary")


class _PlainMark:
    """A toggle whose mark is drawn only when on (Textual draws it always, on or
    off, and tells them apart by colour alone: lost on a monochrome terminal or
    in a plain capture)."""

    MARK = "X"
    value: bool
    BUTTON_INNER: str

    def render(self) -> Content:
        self.BUTTON_INNER = self.MARK if self.value else " "
        return super().render()  # type: ignore[misc,no-any-return]


class Radio(_PlainMark, RadioButton):
    MARK = "●"


class Check(_PlainMark, Checkbox):
    MARK = "X"
