"""Triage keys, shared by the briefing and story screens.

A screen mixes in `TriageActions` and says which story the keys act on
(`triage_target`); every edit is one named action written at once through the
app's `reading.history.Triage` (one committed transaction per key press), and
the app tells every screen on the stack so it can redraw.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.binding import Binding

from briefing.models import Event, Story, TriageState
from briefing.reading import rules
from briefing.reading import stories as reading
from briefing.sanitize import clean
from briefing.tui.screens.modals import InputModal, NoteModal
from briefing.tui.text import plain
from briefing.when import example, parse_day

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp


def bind(key: str, action: str, description: str, tooltip: str, show: bool = False) -> Binding:
    """A binding whose id (for the keymap) is `briefing.<action>` on every screen.

    One action, one binding (list several keys in `key`), so one id rebinds it.
    """
    name = action.removeprefix("app.")
    return Binding(key, action, description, show=show, id=f"briefing.{name}", tooltip=tooltip)


TRIAGE_BINDINGS = [
    bind("N", "toggle_read", "Read/unread", "Mark the story read, or unread again"),
    bind("s", "star", "Star", "Star or unstar the story", show=True),
    bind(
        "d",
        "dismiss_story",
        "Dismiss",
        "Hide the story until a new event joins it (on a dismissed one: bring it back)",
        show=True,
    ),
    bind(
        "z",
        "snooze",
        "Snooze",
        "Hide the story until a day you type (on a snoozed one: wake it)",
    ),
    bind("t", "tag", "Tag", "Set the story's tags (words separated by spaces)"),
    bind("a", "note", "Note", "Write a note on the story"),
    bind("u", "undo", "Undo", "Undo the last triage action or correction"),
    bind("U", "redo", "Redo", "Redo the last action you undid (triage or correction)"),
    bind("o", "open_link", "Open link", "Open the article in your web browser"),
    bind("y", "copy_link", "Copy link", "Copy the article's link to the clipboard"),
    bind("Y", "copy_id", "Copy id", "Copy the story's id (briefing export --story ID)"),
    bind("r", "app.refresh_feeds", "Refresh", "Fetch the feeds that are due now", show=True),
    bind("R", "app.reload_all", "Reload all", "Fetch every feed now, even those backing off"),
    bind("e", "export", "Export", "Export a brief (markdown or json)"),
]


def _back(state: TriageState, undone: str) -> str:
    """What reversing d or z did; the story may still be hidden by the other one."""
    other = "snoozed" if undone == "dismissed" else "dismissed"
    still = (state.snoozed_until is not None) if other == "snoozed" else state.dismissed
    if still:
        return f"No longer {undone}, but still {other} (u to undo)."
    return f"No longer {undone}: back in the briefing (u to undo)."


class TriageActions:
    """Mixin for screens: the triage actions on `triage_target()`."""

    app: BriefingApp

    def triage_target(self) -> tuple[Story, TriageState] | None:
        raise NotImplementedError

    def triage_apply(self, name: str, story: Story, new: TriageState, message: str = "") -> None:
        self.app.triage.apply(name, [new], [story.title])
        if message:
            self.app.notify(message, timeout=2)

    def _events(self, story: Story) -> list[Event]:
        return reading.timeline(self.app.store, story.id)

    def action_toggle_read(self) -> None:
        if target := self.triage_target():
            story, state = target
            new = rules.toggled_read(state, story, self._events(story))
            self.triage_apply("mark read" if new.read else "mark unread", story, new)

    def action_star(self) -> None:
        if target := self.triage_target():
            story, state = target
            new = rules.toggled_star(state)
            self.triage_apply("star" if new.starred else "unstar", story, new)

    def action_dismiss_story(self) -> None:
        if target := self.triage_target():
            story, state = target
            if state.dismissed and rules.is_hidden(story, state, self.app.today()):
                # on a story d hid (the hidden view): d brings it back
                new = replace(state, dismissed=False)
                self.triage_apply("undismiss", story, new, _back(state, "dismissed"))
                return
            self.triage_apply(
                "dismiss",
                story,
                rules.dismissed(state, story, self._events(story)),
                "Dismissed until a new event joins it (u to undo).",
            )

    def action_snooze(self) -> None:
        target = self.triage_target()
        if target is None:
            return
        story, state = target
        today = self.app.today()
        if state.snoozed_until is not None and state.snoozed_until > today:
            # z on a snoozed story (the hidden view): z wakes it
            new = replace(state, snoozed_until=None)
            self.triage_apply("wake", story, new, _back(state, "snoozed"))
            return

        def check(value: str) -> str | None:
            try:
                parse_day(value, today)
            except ValueError as exc:
                return str(exc)
            return None

        def done(value: str | None) -> None:
            if value is None:
                return
            until = parse_day(value, today)
            self.triage_apply(
                "snooze",
                story,
                rules.snoozed(state, until),
                f"Snoozed until {until:%a} {until.isoformat()} (u to undo).",
            )

        self.app.push_screen(
            InputModal(
                "Snooze until",
                "tomorrow",
                "tomorrow",
                check,
                f"{example(today)} · enter: snooze · escape: cancel",
            ),
            done,
        )

    def action_tag(self) -> None:
        target = self.triage_target()
        if target is None:
            return
        story, state = target

        def done(value: str | None) -> None:
            if value is not None:
                self.triage_apply("tags", story, rules.with_tags(state, value))

        self.app.push_screen(
            InputModal(
                "Tags",
                " ".join(plain(t, "tag") for t in state.tags),
                "words, separated by spaces",
                hint="enter: save · escape: cancel · empty: remove all tags",
            ),
            done,
        )

    def action_note(self) -> None:
        target = self.triage_target()
        if target is None:
            return
        story, state = target

        def done(value: str | None) -> None:
            if value is not None:
                self.triage_apply("note", story, rules.with_note(state, value))

        note = clean(state.note, "note")
        self.app.push_screen(NoteModal(f"Note on: {plain(story.title)}", note), done)

    def action_copy_id(self) -> None:
        if target := self.triage_target():
            story, _state = target
            self.app.copy_to_clipboard(story.id)
            self.app.notify(
                f"Copied the story id {story.id} "
                f"(briefing export --story {story.id[:6]} works too).",
                markup=False,
                timeout=3,
            )

    def action_undo(self) -> None:
        # triage and corrections share one undo; the app says what it undid
        self.app.undo()

    def action_redo(self) -> None:
        self.app.redo()
