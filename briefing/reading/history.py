"""Triage edits, written at once, kept as a history of named actions for undo and redo.

Each action is one committed transaction. Undo restores exactly what the
store held before the action (not what the caller believed it held); redo
writes the action's result again. A new action clears what could be redone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from briefing.models import TriageState
from briefing.reading.changes import (
    Action,
    Direction,
    TriageChange,
    count_subject,
    subject_for,
)
from briefing.store import Store
from briefing.store import triage as triage_store

Listener = Callable[[TriageChange], None]


class Triage:
    def __init__(self, store: Store, depth: int = 100, on_change: Listener | None = None) -> None:
        self.store = store
        self.depth = depth
        self.on_change = on_change
        self._undo: list[Action] = []
        self._redo: list[Action] = []

    def get(self, story_id: str) -> TriageState:
        return triage_store.get(self.store, story_id)

    def apply(self, name: str, states: Sequence[TriageState], titles: Sequence[str] = ()) -> Action:
        """Write these stories' new states as one action named `name` (e.g. "star").

        `titles` name the stories in messages ("star on “Title”"); without
        them the action says how many stories it touched.
        """
        after = tuple(states)
        with self.store.write():
            stored = triage_store.all_states(self.store) if len(after) > 1 else {}
            before = tuple(
                stored.get(s.story_id) or triage_store.get(self.store, s.story_id) for s in after
            )
            for state in after:
                triage_store.put(self.store, state)
        subject = subject_for(list(titles)) if titles else count_subject(len(after))
        action = Action(name, subject, before, after)
        self._undo.append(action)
        del self._undo[: -self.depth]
        self._redo.clear()
        self._tell(TriageChange(action))
        return action

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> TriageChange | None:
        """Restore the states before the last action; None when there is nothing to undo."""
        if not self._undo:
            return None
        action = self._undo.pop()
        self._write(action.before)
        self._redo.append(action)
        return self._tell(TriageChange(action, Direction.UNDONE))

    def redo(self) -> TriageChange | None:
        """Write again what the last undone action wrote; None when there is nothing to redo."""
        if not self._redo:
            return None
        action = self._redo.pop()
        self._write(action.after)
        self._undo.append(action)
        return self._tell(TriageChange(action, Direction.REDONE))

    def _write(self, states: Sequence[TriageState]) -> None:
        with self.store.write():
            for state in states:
                triage_store.put(self.store, state)

    def _tell(self, change: TriageChange) -> TriageChange:
        if self.on_change is not None:
            self.on_change(change)
        return change
