"""The Textual app: screens, the refresh worker, links, export, session bookkeeping.

`make_app` is the one factory for the CLI and the tests. The app never touches
the network itself: refresh runs `briefing.pipeline.run` in a thread worker
that reports back with messages (tui/messages.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import webbrowser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import App, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.worker import Worker, WorkerState, get_current_worker

from briefing.atomic import WriteError
from briefing.config import ConfigError, Paths, Settings, save_setting
from briefing.models import utcnow
from briefing.reading import session
from briefing.reading.changes import Direction, TriageChange
from briefing.reading.history import Triage
from briefing.reading.stories import SORTS
from briefing.store import Store
from briefing.tui.commands import ScreenActions
from briefing.tui.messages import (
    ArticleRead,
    ArticleShown,
    Broadcast,
    FeedFailed,
    FeedsChanged,
    GroupingChanged,
    OpenArticle,
    OpenFeeds,
    OpenStory,
    RefreshFinished,
    RefreshProgress,
    StoriesChanged,
    StoryShown,
    StoryWanted,
    TriageChanged,
    UnreadWanted,
    WatchesGained,
)
from briefing.tui.text import count, link, plain

if TYPE_CHECKING:
    from briefing.cluster.corrections import Done
    from briefing.tui.screens.export import ExportRequest

# Failed feeds named in the refresh's one summary; the feeds screen has them all.
FAILURES_SHOWN = 3
T = TypeVar("T")

LIGHT_THEME = "textual-light"
DARK_THEME = "textual-dark"


class BriefingApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "briefing"
    COMMANDS = App.COMMANDS | {ScreenActions}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "question_mark", "help", "Help", id="briefing.help", tooltip="Show every key", show=True
        ),
        Binding("T", "toggle_theme", "Theme", id="briefing.theme", tooltip="Light or dark theme"),
    ]

    # (stage, done, total, detail) while a refresh runs, else None
    progress: var[tuple[str, int, int | None, str] | None] = var(None)

    def __init__(
        self,
        store: Store,
        settings: Settings,
        paths: Paths,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.paths = paths
        self.clock = clock or utcnow
        self.triage = Triage(store, on_change=self._triage_changed)
        # what `u` undoes, newest last: a correction's number, or None for a triage action
        self.undo_order: list[int | None] = []
        self.redo_order: list[int | None] = []  # what `U` redoes, the same way
        # One thread for the screens' slow reads: one SQLite connection, reused
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-read")
        self.sort = settings.sort if settings.sort in SORTS else SORTS[0]
        self.last_session = session.last_session(store)
        self.refresh_errors: list[str] = []
        if settings.theme in self.available_themes:
            self.theme = settings.theme

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().date()

    def on_mount(self) -> None:
        # T, or the palette's theme picker: either way the choice outlives the session
        self.theme_changed_signal.subscribe(self, lambda _theme: self._save_theme())
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
            self._warn_keymap()
        from briefing.tui.screens.briefing import BriefingScreen

        self.push_screen(BriefingScreen())

    def _warn_keymap(self) -> None:
        from briefing.tui.keys import check_keymap

        warnings = check_keymap(self.settings.keymap)
        if warnings:
            self.notify(
                "\n".join(warnings) + "\n`briefing keys` prints every key.",
                title="Keymap in settings.toml",
                severity="warning",
                markup=False,
                timeout=15,
            )

    def on_unmount(self) -> None:
        self._reader.shutdown(wait=False, cancel_futures=True)
        # the next session marks what arrived after this one
        with contextlib.suppress(Exception):
            session.end_session(self.store, self.now())

    async def read(self, query: Callable[..., T], *args: Any) -> T:
        """Run `query(store, *args)` (a `briefing.reading` read) off the UI thread.

        Screens await this inside a worker in the group "reading", so a key
        press never waits for the database.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, functools.partial(query, self.store, *args))

    # -- app-wide actions ----------------------------------------------------

    def action_help(self) -> None:
        from briefing.tui.screens.help import HelpScreen, key_table

        screen = self.screen
        self.push_screen(
            HelpScreen(screen.__class__.__name__.replace("Screen", ""), key_table(screen))
        )

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def _save_theme(self) -> None:
        if self.theme == self.settings.theme:
            return
        try:
            save_setting(self.paths.settings_file, "theme", self.theme)
            self.settings = replace(self.settings, theme=self.theme)
        except (ConfigError, WriteError, OSError) as exc:
            self.notify(f"Theme not saved: {exc}", severity="warning", markup=False, timeout=6)

    def _triage_changed(self, change: TriageChange) -> None:
        """Tell every screen on the stack that these stories' triage state changed."""
        if change.direction is Direction.DONE:
            self.undo_order.append(None)
            self.redo_order.clear()  # as the triage history forgets its redo
        self.broadcast(TriageChanged(change))

    def broadcast(self, message: Broadcast) -> None:
        """Post a copy of the message to every screen on the stack."""
        for screen in self.screen_stack:
            screen.post_message(message.copy())

    @on(StoriesChanged)
    @on(FeedsChanged)
    @on(ArticleRead)
    @on(ArticleShown)
    @on(UnreadWanted)
    @on(StoryWanted)
    @on(StoryShown)
    def _relay(self, message: Broadcast) -> None:
        self.broadcast(message)

    # -- navigation: screens ask, the app opens -------------------------------

    @on(OpenStory)
    def _open_story(self, message: OpenStory) -> None:
        from briefing.tui.screens.story import StoryScreen

        self.push_screen(StoryScreen(message.story_id))

    @on(OpenArticle)
    def _open_article(self, message: OpenArticle) -> None:
        from briefing.tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(message.article_id, message.story_id, message.order))

    @on(OpenFeeds)
    def _open_feeds(self) -> None:
        from briefing.tui.screens.feeds import FeedsScreen

        self.push_screen(FeedsScreen())

    # -- corrections of the grouping ---------------------------------------------

    def correct(self, run: Callable[[], Done | list[Done]]) -> None:
        """Make one correction (written at once), keep it for undo, and say what it did."""
        from briefing.cluster.corrections import CorrectionError

        try:
            result = run()
        except CorrectionError as exc:
            self.notify(str(exc), severity="warning", markup=False, timeout=4)
            return
        done = result if isinstance(result, list) else [result]
        if not isinstance(result, list):  # a clear-title is itself undone renames
            self.undo_order.append(result.number)
        self.redo_order.clear()
        summary = "; ".join(d.summary for d in done)
        self.notify(f"{summary[:1].upper()}{summary[1:]} (u to undo).", markup=False, timeout=4)
        self._grouping_changed(next((d.story_id for d in done if d.story_id), None))

    def undo(self) -> None:
        """`u`: undo the latest action, a correction or a triage edit, and say which."""
        self._step(back=True)

    def redo(self) -> None:
        """`U`: redo what `u` undid last, a correction or a triage edit."""
        self._step(back=False)

    def _step(self, back: bool) -> None:
        """One step back (undo) or forward (redo) through the actions, whichever kind."""
        from briefing.cluster.corrections import CorrectionError, redo, undo

        source, target = (
            (self.undo_order, self.redo_order) if back else (self.redo_order, self.undo_order)
        )
        number = source.pop() if source else None
        if number is None:  # a triage edit: the triage history knows which
            change = self.triage.undo() if back else self.triage.redo()
            if change is not None:
                target.append(None)
            nothing = "Nothing to undo." if back else "Nothing to redo."
            self.notify(change.describe() if change else nothing, timeout=3)
            return
        try:
            done = (undo if back else redo)(self.store, number)
        except CorrectionError as exc:
            self.notify(str(exc), severity="warning", markup=False, timeout=4)
            return
        target.append(number)
        verb = "Undid" if back else "Redid"
        self.notify(f"{verb} {done.summary.split(': ', 1)[-1]}.", markup=False, timeout=4)
        self._grouping_changed(None if back else done.story_id)

    def _grouping_changed(self, story_id: str | None) -> None:
        self.broadcast(GroupingChanged(story_id))

    def open_link(self, url: str | None) -> None:
        safe = link(url)
        if safe is None:
            self.notify("No web link to open.", severity="warning", timeout=3)
            return
        if not self._browse(safe):
            # no browser here (an ssh or tmux session): the link is still one key away
            self.copy_to_clipboard(safe)
            self.notify(
                f"No web browser found; copied the link instead: {safe}",
                markup=False,
                severity="warning",
                timeout=4,
            )
            return
        self.notify(Text(f"Opened {safe}").plain, markup=False, timeout=3)

    def _browse(self, url: str) -> bool:
        """Open `url`; a console browser (lynx, w3m) gets the terminal while it runs."""
        if not _console_browser():
            return webbrowser.open(url)
        try:
            with self.suspend():
                return webbrowser.open(url)
        except SuspendNotSupported:
            return False  # headless: a console browser would draw over the app

    def copy_link(self, url: str | None) -> None:
        safe = link(url)
        if safe is None:
            self.notify("No web link to copy.", severity="warning", timeout=3)
            return
        self.copy_to_clipboard(safe)
        self.notify(f"Copied {safe}", markup=False, timeout=3)

    # -- refresh -------------------------------------------------------------

    def action_refresh_feeds(self, force: bool = False) -> None:
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            self.notify("A refresh is already running.", timeout=2)
            return
        self.refresh_errors = []
        self.progress = ("starting", 0, None, "")
        _start_resource_tracker()
        self._refresh(force)

    def action_reload_all(self) -> None:
        """newsboat's R: every feed now, whatever its back-off says."""
        self.action_refresh_feeds(force=True)

    @work(thread=True, group="refresh", exit_on_error=False, description="refresh all feeds")
    def _refresh(self, force: bool = False) -> Any:
        from briefing.pipeline import run
        from briefing.runlock import fetch_lock
        from briefing.tui import progress as progress_events

        def report(event: object) -> None:
            for message in progress_events.messages_for(event):
                self.post_message(message)

        worker = get_current_worker()
        # One run per home: a `briefing fetch` (or another app) may be running already.
        with fetch_lock(
            self.store.path.parent,
            lambda _pid: self.post_message(progress_events.waiting()),
            stop=lambda: worker.is_cancelled,
        ) as waited:
            if waited and not force:
                # the other run fetched everything that was due a moment ago
                self.post_message(StoriesChanged())
                self.post_message(RefreshFinished(progress_events.JOINED))
                return None
            started = utcnow()
            # early stories: the list shows new stories while their pages are extracted
            result = asyncio.run(
                run(self.store, self.settings, progress=report, force=force, early_stories=True)
            )
        self.post_message(StoriesChanged())
        self.post_message(RefreshFinished(*progress_events.summarize(result)))
        if not result.stage_errors:
            from briefing import watching

            settings = self.settings
            self.post_message(
                WatchesGained(
                    *watching.after_run(
                        self.store,
                        result.new_article_ids,
                        started,
                        settings.on_watch_hit,
                        settings.on_watch_hit_timeout,
                    )
                )
            )
        return result

    @on(RefreshProgress)
    def _progress(self, message: RefreshProgress) -> None:
        self.progress = (message.stage, message.done, message.total, message.detail)
        if message.stage == "fetching feeds":
            # feed health changes as each feed finishes: the feeds screen shows it live
            self.broadcast(FeedsChanged())

    @on(FeedFailed)
    def _feed_failed(self, message: FeedFailed) -> None:
        # kept for the one summary at the end: a toast per feed buries the screen
        text = f"{plain(message.feed, 'url')}: {plain(message.error, 'summary')}"
        self.refresh_errors.append(text)

    @on(RefreshFinished)
    def _refresh_finished(self, message: RefreshFinished) -> None:
        self.progress = None
        text = message.summary
        if message.feeds_failed:
            text += f"\n{count(message.feeds_failed, 'feed')} failed: press f to see them."
            text += "".join(f"\n· {error}" for error in self.refresh_errors[:FAILURES_SHOWN])
        self.notify(
            text,
            title="Refresh done",
            severity="warning" if message.failed else "information",
            markup=False,
            timeout=5,
        )

    @on(WatchesGained)
    def _watches_gained(self, message: WatchesGained) -> None:
        if message.lines:
            self.notify("\n".join(message.lines), title="Watches", markup=False, timeout=8)
        if message.problem:
            self.notify(message.problem, title="on_watch_hit", severity="warning", markup=False)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """The one place worker failures are reported."""
        worker = event.worker
        if event.state == WorkerState.ERROR:
            if worker.group == "refresh":
                self.progress = None
            self.notify(
                f"{worker.description or worker.name} failed: {worker.error}",
                title="Error",
                severity="error",
                markup=False,
                timeout=10,
            )
        elif event.state == WorkerState.CANCELLED and worker.group == "refresh":
            self.progress = None

    # -- export --------------------------------------------------------------

    def start_export(self, selected: str | None, shown: list[str]) -> None:
        from briefing.tui.screens.export import ExportModal

        def done(request: ExportRequest | None) -> None:
            if request is not None:
                self.write_export(request)

        folder = Path.cwd()
        self.push_screen(ExportModal(self.store, selected, shown, folder, self.today()), done)

    def write_export(self, request: ExportRequest, force: bool = False) -> None:
        from briefing.brief.export import ExportError, OutputExists, export
        from briefing.tui.screens.modals import ConfirmModal

        try:
            export(self.store, request.options, output=request.path, force=force)
        except OutputExists:

            def answer(yes: bool | None) -> None:
                if yes:
                    self.write_export(request, force=True)

            self.push_screen(ConfirmModal(f"{request.path} exists. Overwrite it?"), answer)
            return
        except (ExportError, OSError) as exc:
            self.notify(f"Export failed: {exc}", severity="error", markup=False, timeout=8)
            return
        self.notify(f"Wrote {request.path}", title="Export", markup=False, timeout=5)


def _console_browser() -> bool:
    """Whether the browser webbrowser would use runs in this terminal."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    return isinstance(browser, webbrowser.GenericBrowser) and not isinstance(
        browser, webbrowser.BackgroundBrowser
    )


def _start_resource_tracker() -> None:
    """Start multiprocessing's helper process before the pipeline's worker pool needs it.

    The pipeline parses in worker processes. Their resource tracker is spawned
    with `sys.stderr.fileno()` passed down, and while the app runs Textual has
    replaced sys.stderr with a capture object that has no file descriptor, so a
    tracker started from the refresh thread fails ("bad value(s) in
    fds_to_keep"). Started here, on the app's thread, with the real stderr.
    """
    from multiprocessing import resource_tracker

    real = sys.__stderr__
    if real is None:
        return
    with contextlib.redirect_stderr(real):
        resource_tracker.ensure_running()


def make_app(
    store: Store,
    settings: Settings,
    paths: Paths,
    clock: Callable[[], datetime] | None = None,
) -> BriefingApp:
    """The app for the CLI and the tests alike; `clock` freezes time in tests."""
    return BriefingApp(store, settings, paths, clock=clock)
