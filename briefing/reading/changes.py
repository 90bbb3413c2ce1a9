"""Typed change notifications: what a front end is told after the reading layer wrote.

A front end subscribes once (`history.Triage(on_change=...)`) and turns these
into its own events; the Textual app posts them to its screens as messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from briefing.models import TriageState
from briefing.sanitize import clean

# A story title in a one-line message is cut to this many characters.
SUBJECT_WIDTH = 60


class Direction(Enum):
    DONE = "done"
    UNDONE = "undone"
    REDONE = "redone"


@dataclass(frozen=True, slots=True)
class Action:
    """One triage action as the history keeps it: a name, what it acted on, before and after."""

    name: str  # "star", "note", "dismiss", "mark all read", …
    subject: str  # for messages: a story's title, or "12 stories"
    before: tuple[TriageState, ...]
    after: tuple[TriageState, ...]

    @property
    def story_ids(self) -> list[str]:
        return [s.story_id for s in self.after]

    def describe(self) -> str:
        return f"{self.name} on {self.subject}" if self.subject else self.name


def subject_for(titles: list[str]) -> str:
    """How an action's stories are named in a message: one title in quotes, or a count."""
    if len(titles) != 1:
        return count_subject(len(titles))
    title = clean(titles[0], "title", single_line=True) or "(untitled story)"
    if len(title) > SUBJECT_WIDTH:
        title = title[: SUBJECT_WIDTH - 1].rstrip() + "…"
    return f"“{title}”"


def count_subject(stories: int) -> str:
    return "1 story" if stories == 1 else f"{stories} stories"


@dataclass(frozen=True, slots=True)
class TriageChange:
    """Stories' triage state was written: by an action, or by undoing or redoing one."""

    action: Action
    direction: Direction = Direction.DONE

    @property
    def states(self) -> tuple[TriageState, ...]:
        """The states now stored."""
        return self.action.before if self.direction is Direction.UNDONE else self.action.after

    @property
    def story_ids(self) -> list[str]:
        return [s.story_id for s in self.states]

    @property
    def replayed(self) -> bool:
        """Undo or redo: the analyst is looking for the story it touched."""
        return self.direction is not Direction.DONE

    def describe(self) -> str:
        """One line for the analyst, e.g. 'Undid note on “Story A”.'"""
        verb = {Direction.DONE: "Did", Direction.UNDONE: "Undid", Direction.REDONE: "Redid"}
        return f"{verb[self.direction]} {self.action.describe()}."
