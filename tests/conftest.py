from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from briefing.config import Paths
from briefing.store import Store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away BRIEFING_HOME: nothing a test does touches the real user dirs."""
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    return home


@pytest.fixture
def store(home: Path) -> Store:
    db = Store(Paths.resolve(home).ensure().database)
    yield db
    db.close()


@pytest.fixture(autouse=True)
def pilot_waits_for_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits until the screen has handled its events; make it wait for the app's reads too.

    Screens read the database in workers (group "reading") and draw when the
    answer lands; a test looks after that, as a person would a moment later.
    A read can lead to another (the list, then its summary), hence the loop.
    """
    from textual.pilot import Pilot
    from textual.worker import WorkerCancelled, WorkerError, WorkerFailed

    original = Pilot._wait_for_screen

    async def wait(self: Pilot, timeout: float = 30.0) -> bool:
        settled = await original(self, timeout)
        for _ in range(10):
            pending = [w for w in self.app.workers if w.group == "reading" and not w.is_finished]
            if not pending:
                break
            for worker in pending:
                # a newer read replaced it (cancelled), the app reported its failure,
                # or it is not started yet (the next round looks again)
                with contextlib.suppress(WorkerCancelled, WorkerFailed, WorkerError):
                    await worker.wait()
            settled = await original(self, timeout)
        return settled

    monkeypatch.setattr(Pilot, "_wait_for_screen", wait)
