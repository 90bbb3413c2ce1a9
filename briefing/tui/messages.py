"""Messages that cross screens. No screen calls the app's internals or another screen:

- the refresh worker reports to the app (`RefreshProgress`, `FeedFailed`,
  `RefreshFinished`, `StoriesChanged`);
- a screen asks the app to open a screen (`OpenStory`, `OpenArticle`, `OpenFeeds`);
- a `Broadcast` posted to the app is passed on, as a fresh copy, to every screen
  on the stack (`TriageChanged`, `GroupingChanged`, `StoriesChanged`, `FeedsChanged`, `ArticleRead`,
  `ArticleShown`, `UnreadWanted`, `StoryWanted`, `StoryShown`). None of them bubbles, so a
  copy a screen receives never comes back to the app.
"""

from __future__ import annotations

from typing import Any, Self

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


class Broadcast(Message, bubble=False):
    """A message for every screen: posted to the app, which passes on a `copy()` to each."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Textual's default is to bubble: a copy would climb back to the app, which
        # would pass it on again, for ever
        kwargs.setdefault("bubble", False)
        super().__init_subclass__(**kwargs)

    def copy(self) -> Self:
        return type(self)()


class StoriesChanged(Broadcast):
    """The store has new or regrouped stories: lists should reload."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoriesChanged)


class FeedsChanged(Broadcast):
    """A feed's health changed during a refresh: the feeds screen shows it live."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedsChanged)


class RefreshFinished(Message):
    """The refresh worker is done; `summary` is one line for the status bar."""

    def __init__(self, summary: str, failed: int = 0, feeds_failed: int = 0) -> None:
        super().__init__()
        self.summary = summary
        self.failed = failed
        self.feeds_failed = feeds_failed


class GroupingChanged(Broadcast):
    """The analyst corrected the grouping (or undid a correction): stories and events moved.

    `story_id` is where the correction leaves the analyst's attention: the merged
    story, the story split from, the story an event moved to.
    """

    def __init__(self, story_id: str | None) -> None:
        super().__init__()
        self.story_id = story_id

    def copy(self) -> Self:
        return type(self)(self.story_id)


class WatchesGained(Message):
    """A refresh added events to watches: one line per watch, and any on_watch_hit failure."""

    def __init__(self, lines: list[str], problem: str | None) -> None:
        super().__init__()
        self.lines = lines
        self.problem = problem


class TriageChanged(Broadcast):
    """Stories' triage state changed (on any screen): rows showing them redraw."""

    def __init__(self, change: TriageChange) -> None:
        super().__init__()
        self.change = change

    def copy(self) -> Self:
        return type(self)(self.change)


class _ArticleMessage(Broadcast):
    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id

    def copy(self) -> Self:
        return type(self)(self.article_id)


class ArticleRead(_ArticleMessage):
    """The reader marked this article read: lists showing it drop its unread mark."""


class ArticleShown(_ArticleMessage):
    """The reader moved to this article (n/p): the story screen puts its cursors on it."""


class UnreadWanted(Broadcast):
    """The story screen asks for the next (step 1) or previous (-1) unread story in the list."""

    def __init__(self, story_id: str, step: int) -> None:
        super().__init__()
        self.story_id = story_id
        self.step = step

    def copy(self) -> Self:
        return type(self)(self.story_id, self.step)


class StoryWanted(Broadcast):
    """The list's answer to `UnreadWanted`: the story screen shows this story next."""

    def __init__(self, story_id: str) -> None:
        super().__init__()
        self.story_id = story_id

    def copy(self) -> Self:
        return type(self)(self.story_id)


class StoryShown(Broadcast):
    """The story screen shows this story now; `order` is its articles in the reader's order."""

    def __init__(self, story_id: str, order: list[int]) -> None:
        super().__init__()
        self.story_id = story_id
        self.order = order

    def copy(self) -> Self:
        return type(self)(self.story_id, list(self.order))


class OpenStory(Message):
    """Ask the app to open a story's timeline."""

    def __init__(self, story_id: str) -> None:
        super().__init__()
        self.story_id = story_id


class OpenArticle(Message):
    """Ask the app to open the reader on an article; `order` is what n and p step through."""

    def __init__(self, article_id: int, story_id: str, order: list[int]) -> None:
        super().__init__()
        self.article_id = article_id
        self.story_id = story_id
        self.order = order


class OpenFeeds(Message):
    """Ask the app to open the feeds screen."""
