"""Messages that cross screens: the refresh worker talks to the app with these, and the
app tells its screens what changed with these (a screen never calls another one).

The app posts the screen messages to each screen on the stack; they do not bubble,
so a screen's message never comes back to the app.
"""

from __future__ import annotations

from textual.message import Message

from briefing.reading.changes import TriageChange


class RefreshProgress(Message):
    """How far the refresh is; a newer one replaces one still queued."""

    def __init__(self, stage: str, done: int, total: int | None, detail: str = "") -> None:
        super().__init__()
        self.stage = stage
        self.done = done
        self.total = total
        self.detail = detail

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefreshProgress)


class FeedFailed(Message):
    """One feed (or a stage) failed; the run goes on, and its end sums them up."""

    def __init__(self, feed: str, error: str) -> None:
        super().__init__()
        self.feed = feed
        self.error = error


class StoriesChanged(Message):
    """The store has new or regrouped stories: lists should reload."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoriesChanged)


class RefreshFinished(Message):
    """The refresh worker is done; `summary` is one line for the status bar."""

    def __init__(self, summary: str, failed: int = 0, feeds_failed: int = 0) -> None:
        super().__init__()
        self.summary = summary
        self.failed = failed
        self.feeds_failed = feeds_failed


class GroupingChanged(Message, bubble=False):
    """The analyst corrected the grouping (or undid a correction): stories and events moved.

    `story_id` is where the correction leaves the analyst's attention: the merged
    story, the story split from, the story an event moved to.
    """

    def __init__(self, story_id: str | None) -> None:
        super().__init__()
        self.story_id = story_id


class WatchesGained(Message):
    """A refresh added events to watches: one line per watch, and any on_watch_hit failure."""

    def __init__(self, lines: list[str], problem: str | None) -> None:
        super().__init__()
        self.lines = lines
        self.problem = problem


class TriageChanged(Message, bubble=False):
    """Stories' triage state changed (on any screen): rows showing them redraw."""

    def __init__(self, change: TriageChange) -> None:
        super().__init__()
        self.change = change
