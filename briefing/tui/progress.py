"""Turn the pipeline's progress events into the app's messages.

Runs on the refresh worker's thread; `post_message` is thread-safe, and
progress messages replace each other in the queue, so a fast fetch cannot
flood the app.
"""

from __future__ import annotations

from textual.message import Message

from briefing.pipeline import (
    ExtractProgress,
    FeedDone,
    RunReport,
    StageDone,
    StageFailed,
    StageStarted,
)
from briefing.tui.messages import FeedFailed, RefreshProgress, StoriesChanged

STAGE_LABELS = {
    "fetch": "fetching feeds",
    "early": "grouping headlines",
    "extract": "full text",
    "cluster": "grouping stories",
    "summarize": "summarizing",
}


# While another run in this home holds the run lock (briefing.runlock).
WAITING = "another refresh is running in this home; waiting…"
JOINED = "Another refresh in this home finished first; its results are in."


def waiting() -> RefreshProgress:
    return RefreshProgress(WAITING, 0, None)


def messages_for(event: object) -> list[Message]:
    if isinstance(event, FeedDone):
        out: list[Message] = []
        if event.error:
            out.append(FeedFailed(event.feed.name, event.error))
        out.append(RefreshProgress("fetching feeds", event.done, event.total or None))
        return out
    if isinstance(event, ExtractProgress):
        return [RefreshProgress("full text", event.done, event.total or None)]
    if isinstance(event, StageStarted):
        label = STAGE_LABELS.get(event.name, event.name)
        return [RefreshProgress(label, 0, event.total or None)]
    if isinstance(event, StageDone):
        # new groupings (the first from headlines alone, then their summaries)
        # are worth showing at once
        if event.name in {"early", "cluster", "summarize"}:
            return [StoriesChanged()]
        return []
    if isinstance(event, StageFailed):
        return [FeedFailed(f"the {event.name} stage", event.error)]
    return []


def summarize(report: RunReport) -> tuple[str, int, int]:
    """One line for the notification, how many feeds and stages failed, and how many feeds."""
    text = (
        f"{report.feeds_due} feeds fetched ({report.feeds_failed} failed, "
        f"{report.feeds_skipped} not due) · {report.articles_new} new articles"
    )
    if report.stage_errors:
        text += " · " + ", ".join(f"{k} failed" for k in report.stage_errors)
    return text, report.feeds_failed + len(report.stage_errors), report.feeds_failed
