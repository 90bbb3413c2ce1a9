"""Small widgets the screens share."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


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
