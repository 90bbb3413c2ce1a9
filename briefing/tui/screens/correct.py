"""Correction keys: merge, split, move and rename, from the briefing, story and reader screens.

A screen mixes in `CorrectionActions` and says what the keys act on
(`correction_story`, `correction_event`, `correction_article`). Targets are
picked from a searchable list, the most similar first. Each correction goes
through the app (`BriefingApp.correct`), which writes it, keeps it for undo,
says what it did, and tells every screen that the grouping changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from briefing.cluster import corrections as fix
from briefing.models import Article, Event, Story
from briefing.tui.screens.modals import InputModal
from briefing.tui.screens.picker import Choice, PickerModal
from briefing.tui.screens.triage import bind

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

NEW_EVENT = "new-event"  # the picker's choice for "an event of its own"

STORY_BINDINGS = [
    bind("M", "merge_story", "Merge story", "Merge this story into another, most similar first"),
    bind(
        "ctrl+r", "rename_story", "Rename", "Give the story your own title (empty: automatic again)"
    ),
]
EVENT_BINDINGS = [
    bind("m", "move_item", "Move", "Move the event to another story, or the article to an event"),
    bind("E", "merge_event", "Merge event", "Merge the selected event into another event"),
    bind("X", "split_story", "Split", "Make the selected event (and the later ones) a story"),
]
READER_BINDINGS = [
    bind("m", "move_item", "Move", "Move this article to another event, or to one of its own"),
]


def _percent(score: float) -> str:
    percent = round(score * 100)
    return f"{percent}% alike" if percent > 0 else ""


def _choices(targets: list[fix.Target]) -> list[Choice]:
    return [
        Choice(t.id, t.title, " · ".join(x for x in (t.date, _percent(t.score)) if x))
        for t in targets
    ]


class CorrectionActions:
    """Mixin for screens: the correction actions on what the screen shows."""

    app: BriefingApp

    def correction_story(self) -> Story | None:
        return None

    def correction_event(self) -> Event | None:
        return None

    def correction_article(self) -> Article | None:
        return None

    def _pick(self, title: str, choices: list[Choice], then: Callable[[str], None]) -> None:
        def done(picked: str | None) -> None:
            if picked is not None:
                then(picked)

        self.app.push_screen(PickerModal(title, choices), done)

    # -- stories -------------------------------------------------------------

    def action_merge_story(self) -> None:
        story = self.correction_story()
        if story is None:
            return
        store = self.app.store
        choices = _choices(fix.similar_stories(store, story.id))
        self._pick(
            "Merge this story into…",
            choices,
            lambda target: self.app.correct(lambda: fix.merge_stories(store, target, story.id)),
        )

    def action_rename_story(self) -> None:
        story = self.correction_story()
        if story is None:
            return
        store = self.app.store

        def done(value: str | None) -> None:
            if value is None:
                return
            if value.strip():
                self.app.correct(lambda: fix.rename_story(store, story.id, value))
            else:
                self.app.correct(lambda: fix.clear_title(store, story.id))

        self.app.push_screen(
            InputModal(
                "Story title (yours wins over the automatic one)",
                story.title,
                "empty: the automatic title again",
                hint="enter: rename · empty: automatic title · escape: cancel",
            ),
            done,
        )

    def action_split_story(self) -> None:
        story, event = self.correction_story(), self.correction_event()
        if story is None or event is None:
            return
        store = self.app.store
        choices = [
            Choice("alone", "Only this event becomes a story of its own"),
            Choice("later", "This event and every later one become a story of their own"),
        ]
        self._pick(
            "Split the story at this event",
            choices,
            lambda how: self.app.correct(
                lambda: fix.split_story(store, story.id, event.id, following=how == "later")
            ),
        )

    # -- events and articles -----------------------------------------------------

    def action_move_item(self) -> None:
        article = self.correction_article()
        if article is not None and article.id is not None and article.event_id:
            self._move_article(article.id, article.event_id)
            return
        event = self.correction_event()
        if event is None:
            return
        store = self.app.store
        targets = [t for t in fix.stories_for_event(store, event.id) if t.id != event.story_id]
        self._pick(
            "Move this event to the story…",
            _choices(targets),
            lambda target: self.app.correct(lambda: fix.move_event(store, event.id, target)),
        )

    def _move_article(self, article_id: int, event_id: str) -> None:
        store = self.app.store
        own = Choice(NEW_EVENT, "(an event of its own: it will not rejoin by itself)")
        choices = [own, *_choices(fix.similar_events(store, event_id))]

        def then(target: str) -> None:
            if target == NEW_EVENT:
                self.app.correct(lambda: fix.new_event(store, article_id))
            else:
                self.app.correct(lambda: fix.move_article(store, article_id, target))

        self._pick("Move this article to the event…", choices, then)

    def action_merge_event(self) -> None:
        event = self.correction_event()
        if event is None:
            return
        store = self.app.store
        self._pick(
            "Merge this event into…",
            _choices(fix.similar_events(store, event.id)),
            lambda target: self.app.correct(lambda: fix.merge_events(store, target, event.id)),
        )
