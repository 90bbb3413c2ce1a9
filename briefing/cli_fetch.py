"""`briefing fetch` on the command line: the progress display and the closing lines.

The pipeline reports progress as events (`briefing.pipeline`); this module
turns them into lines on stderr: one rewritten line on a terminal, about ten
plain lines per stage otherwise, a line per finished stage with its time, and
at the end the totals, the time of each stage, and one line per failed feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from briefing.config import Settings
from briefing.models import utcnow
from briefing.pipeline import (
    ExtractProgress,
    FeedDone,
    ProgressEvent,
    RunReport,
    Stage,
    StageDone,
    StageFailed,
    StageStarted,
    run,
)
from briefing.runlock import fetch_lock
from briefing.store import Store
from briefing.store import feeds as feed_store

_VERBS = {
    Stage.EARLY: "grouping headlines",
    Stage.CLUSTER: "grouping stories",
    Stage.SUMMARIZE: "summarizing",
}


class Display:
    """Progress on a stream: one rewritten line on a terminal, a few plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.new = 0
        self.errors = 0
        self.last_step: dict[str, int] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if isinstance(event, FeedDone):
            self._feed_done(event)
        elif isinstance(event, ExtractProgress):
            line = f"full text {event.done}/{event.total} pages"
            self._progress(Stage.EXTRACT, line, event.done, event.total)
        elif isinstance(event, StageStarted):
            self.last_step.pop(event.name, None)
            if event.name in _VERBS:
                self._line(f"{_VERBS[event.name]}…", final=not self.tty)
            elif event.total == 0 and event.name == Stage.FETCH:
                self._line(
                    "no feeds due (backing off, asked to wait, or dead): "
                    "`briefing fetch --force` fetches them all now",
                    final=True,
                )
        elif isinstance(event, StageDone):
            detail = f": {event.detail}" if event.detail else ""
            self._line(f"{event.name} done in {event.seconds:.1f} s{detail}", final=True)
        elif isinstance(event, StageFailed):
            self._line(f"{event.name} failed: {event.error}", final=True)

    def _feed_done(self, event: FeedDone) -> None:
        self.new += event.new
        self.errors += event.error is not None
        if event.capped:
            self._line(
                f"{event.feed.name}: {event.new} new entries stored, {event.capped} more "
                "left for the next run (per-feed limit)",
                final=True,
            )
        line = f"feeds {event.done}/{event.total} · {self.new} new articles · {self.errors} errors"
        self._progress(Stage.FETCH, line, event.done, event.total)

    def _progress(self, stage: Stage, line: str, done: int, total: int) -> None:
        if self.tty:
            self._line(line, final=False)
            return
        # Plain output (a log, a pipe): about ten lines per stage.
        step = done * 10 // max(total, 1)
        if step != self.last_step.get(stage) or done == total:
            self.last_step[stage] = step
            self._line(line, final=True)

    def _line(self, text: str, *, final: bool) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def closing_lines(report: RunReport) -> list[str]:
    """The totals, the time per stage, then one line per failure."""
    lines = [
        f"{report.feeds_due} feeds fetched ({report.feeds_not_modified} unchanged, "
        f"{report.feeds_failed} failed, {report.feeds_skipped} not due) · "
        f"{report.articles_new} new, {report.articles_updated} updated articles · "
        f"full text {report.extracted} ok, {report.extract_failed} failed · "
        f"{report.seconds:.1f} s"
    ]
    if report.stage_seconds:
        times = " · ".join(f"{s} {t:.1f} s" for s, t in report.stage_seconds.items())
        lines.append(f"time per stage: {times}")
    if report.capped:
        lines.append(
            f"{sum(report.capped.values())} entries from {len(report.capped)} feeds wait for "
            "the next run (per-feed limit)"
        )
    for failure in sorted(report.errors, key=lambda e: e.url):
        lines.append(f"failed: {failure.url}: {failure.message}")
    for stage, message in report.stage_errors.items():
        lines.append(f"briefing: the {stage} stage failed: {message}")
    return lines


def watch_lines(
    store: Store, settings: Settings, report: RunReport, started: datetime
) -> list[str]:
    """One line per watch that gained events; the on_watch_hit command runs here too."""
    from briefing import watching

    lines, problem = watching.after_run(
        store,
        report.new_article_ids,
        started,
        settings.on_watch_hit,
        settings.on_watch_hit_timeout,
    )
    return lines + ([f"briefing: {problem}"] if problem else [])


@contextlib.contextmanager
def _termination_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop a fetch the way Ctrl-C does.

    asyncio turns SIGINT into a cancelled run, whose clean-up ends the worker
    pool; the default action of SIGTERM and SIGHUP would end this process
    alone and leave the pool's processes behind. So they are passed on as a
    SIGINT. A signal the caller ignores stays ignored (`nohup` ignores
    SIGHUP); a shell starts a background job (`briefing fetch &` in a script)
    with SIGINT ignored, and asyncio only takes SIGINT over from Python's own
    handler, so that handler is put back for the run.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {
        s: signal.signal(s, _as_interrupt)
        for s in wanted
        if signal.getsignal(s) is not signal.SIG_IGN
    }
    if previous and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _as_interrupt(signum: int, frame: object) -> None:
    os.kill(os.getpid(), signal.SIGINT)


def _say_waiting(pid: str, err: TextIO) -> None:
    holder = f" (pid {pid})" if pid.isdigit() else ""
    print(
        f"briefing: another fetch is running in this home{holder}; waiting for it to finish…",
        file=err,
        flush=True,
    )


def run_cli(store: Store, settings: Settings, *, force: bool = False) -> int:
    """`briefing fetch`. Exit 0 when the run completed, even if some feeds failed;
    1 when nothing could run: no feeds, every due feed failed, or a stage crashed."""
    err = sys.stderr
    if not feed_store.all_feeds(store):
        print(
            "briefing: no feeds to fetch. Add one with `briefing feeds add URL`, "
            "or follow the defaults with `briefing feeds import --defaults`.",
            file=err,
        )
        return 1
    with (
        _termination_as_interrupt(),
        fetch_lock(store.path.parent, lambda pid: _say_waiting(pid, err)) as waited,
    ):
        if waited and not force:
            # The other run fetched everything that was due a moment ago.
            print("briefing: the other fetch finished; its results are in", file=err)
            return 0
        started = utcnow()
        report = asyncio.run(run(store, settings, Display(err), force=force))
    for line in closing_lines(report):
        print(line, file=err)
    if not report.stage_errors:
        for line in watch_lines(store, settings, report, started):
            print(line, file=err)
    if report.stage_errors or (report.feeds_due and report.feeds_failed == report.feeds_due):
        return 1
    return 0
