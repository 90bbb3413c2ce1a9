"""A fixed clustered store, a frozen clock and the real app, for the TUI tests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.worker import WorkerState

from briefing.config import Paths, Settings
from briefing.store import Store
from briefing.tui.app import BriefingApp, make_app
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
# the previous session ended here: stories with a later last event are "new"
LAST_SESSION = "2026-11-19T08:00:00Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


STORIES = [
    StorySpec(
        "kaspersky",
        "US actions against Kaspersky",
        [
            EventSpec(
                "Homeland Security orders agencies to drop Kaspersky products",
                date(2017, 9, 13),
                [
                    ArticleSpec(
                        "Agencies get 90 days to purge Kaspersky",
                        "Global Wire Service",
                        at("2017-09-13T15:20:00"),
                        text=(
                            "Federal civilian agencies were told to find and remove the "
                            "antivirus products within ninety days.\n\nWhat the order says\n\n"
                            "The directive cites the risk of access by a foreign government. "
                            "Agencies must report their inventories within a month."
                        ),
                    ),
                    ArticleSpec(
                        "Kaspersky products banned from agency networks",
                        "Packet Post",
                        at("2017-09-13T18:00:00"),
                        text="A re-run of the agency report with a new headline.",
                        duplicate_of=0,
                    ),
                    ArticleSpec(
                        "Inside the Kaspersky directive",
                        "Policy Wire",
                        at("2017-09-14T09:00:00"),
                        url="https://policywire.example/2017/09/14/kaspersky-directive",
                        text="Our reading of the directive and what agencies do next.",
                    ),
                ],
                summary=[
                    "Federal civilian agencies were told to find and remove the antivirus "
                    "products within ninety days."
                ],
            ),
            EventSpec(
                "Commerce bans sales of Kaspersky software",
                date(2026, 11, 20),
                [
                    ArticleSpec(
                        "Commerce bars Kaspersky from the US market",
                        "Policy Wire",
                        at("2026-11-20T14:00:00"),
                        url="https://policywire.example/2026/11/20/kaspersky-ban",
                        text=(
                            "The Commerce Department barred new sales of the software.\n\n"
                            "Existing customers get updates for a few more months."
                        ),
                    ),
                    ArticleSpec(
                        "What the Kaspersky ban means for customers",
                        "The Cyber Ledger",
                        at("2026-11-21T10:00:00"),
                        text="Customers should plan a move before updates stop.",
                    ),
                ],
                summary=["The Commerce Department barred new sales of the software."],
            ),
        ],
        summary=[
            "The Commerce Department barred new sales of the software.",
            "Federal civilian agencies were told to find and remove the antivirus products "
            "within ninety days.",
        ],
    ),
    StorySpec(
        "nis2",
        "EU NIS2 rules reach national law",
        [
            EventSpec(
                "Most member states miss the NIS2 deadline",
                date(2026, 10, 17),
                [
                    ArticleSpec(
                        "NIS2 deadline passes with few laws in place",
                        "Euro Digital Affairs",
                        at("2026-10-17T08:00:00"),
                        text="Only a handful of member states had finished their laws.",
                    ),
                ],
            )
        ],
    ),
    StorySpec(
        "pipeline",
        "Ransomware attack on a fuel pipeline",
        [
            EventSpec(
                "Operator shuts down its pipeline after ransomware",
                date(2026, 11, 19),
                [
                    ArticleSpec(
                        "Fuel pipeline halted by ransomware",
                        "Breach Daily",
                        at("2026-11-19T09:00:00"),
                        text="The operator halted the pipeline as a precaution.",
                    ),
                    ArticleSpec(
                        "Pipeline outage: what we know",
                        "Infra Watch",
                        at("2026-11-19T10:00:00"),
                        text="Regulators are in contact with the operator.",
                    ),
                    ArticleSpec(
                        "Fuel supply worries after pipeline attack",
                        "Threat Desk",
                        at("2026-11-19T12:00:00"),
                        text="Analysts expect short delays at some stations.",
                    ),
                ],
                summary=["The operator halted the pipeline as a precaution."],
            )
        ],
        summary=["The operator halted the pipeline as a precaution."],
    ),
    StorySpec(
        "patch",
        "Emergency patch for a mail server flaw",
        [
            EventSpec(
                "Vendor ships an emergency mail server patch",
                date(2026, 11, 2),
                [
                    ArticleSpec(
                        "Patch now: mail server flaw exploited",
                        "The Patch",
                        at("2026-11-02T12:00:00"),
                        text="The vendor urged customers to patch at once.",
                    )
                ],
            )
        ],
    ),
]

HOSTILE = [
    "[@click=app.quit]x[/]",
    "[bold red]shouting[/]",
    "clear\x1b[2Jscreen",
    "osc\x1b]52;c;SGVsbG8=\x07clip",
    "\x1b]8;;https://evil.example/\x07fake link\x1b]8;;\x07",
]


@pytest.fixture
def paths(home: Path) -> Paths:
    return Paths.resolve(home).ensure()


@pytest.fixture
def filled(store: Store) -> Store:
    populate(store, STORIES)
    store.set_meta("last_session_at", LAST_SESSION)
    return store


AppFactory = Callable[..., BriefingApp]


@pytest.fixture
def make(paths: Paths) -> AppFactory:
    def build(store: Store, **settings: object) -> BriefingApp:
        return make_app(store, Settings(**settings), paths, clock=lambda: NOW)  # type: ignore[arg-type]

    return build


def screen_text(app: BriefingApp) -> str:
    """What the terminal shows now, as plain lines (styles dropped)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def table_titles(app: BriefingApp) -> list[str]:
    """The story titles in the briefing list, top to bottom."""
    from briefing.tui.screens.briefing import BriefingScreen

    screen = next(s for s in app.screen_stack if isinstance(s, BriefingScreen))
    return [item.story.title for item in screen.shown]


def notes(app: BriefingApp) -> str:
    """Every notification the app has shown (and not yet expired), joined."""
    return "\n".join(str(n.message) for n in app._notifications)


@pytest.fixture(autouse=True)
def no_console_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no installed browser, whatever the machine has (lynx would change paths)."""
    import webbrowser

    def none(*args: object) -> webbrowser.BaseBrowser:
        raise webbrowser.Error("no browser in tests")

    monkeypatch.setattr("webbrowser.get", none)


async def settled(app: BriefingApp, pause: Callable[[], Awaitable[None]]) -> None:
    """Let the app run until none of its workers is pending or running.

    Unlike `app.workers.wait_for_complete()`, a reload that a newer one cancelled
    (the list reloads on every refresh stage) does not fail the wait.
    """
    busy = (WorkerState.PENDING, WorkerState.RUNNING)
    await until(lambda: not any(w.state in busy for w in app.workers), pause)


async def until(check: Callable[[], bool], pause: Callable[[], Awaitable[None]]) -> None:
    """Let the app run until `check()` holds (or fail after 30 s)."""
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, "waited 30 s in vain"
        await pause()
