"""The TUI tests' clustered store, for the reading layer's plain tests."""

from __future__ import annotations

import pytest

from briefing.store import Store
from tests.factories import populate
from tests.tui.conftest import LAST_SESSION, STORIES


@pytest.fixture
def filled(store: Store) -> Store:
    populate(store, STORIES)
    store.set_meta("last_session_at", LAST_SESSION)
    return store
