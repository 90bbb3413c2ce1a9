"""`--since last`, `--max-stories`, `--full`, `--oldest-first` and html, through the API and CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.brief.export import LAST_EXPORT_KEY, ExportError, ExportOptions, export, render
from briefing.cli import EXIT_OK, EXIT_USAGE, main
from briefing.config import Paths
from briefing.store import Store
from tests.brief.conftest import GENERATED, build_corpus
from tests.brief.helpers import parse
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate

LATER = GENERATED + timedelta(days=1)


def story_ids(store: Store, **options: object) -> list[str]:
    text = render(store, ExportOptions(format="json", **options), GENERATED)  # type: ignore[arg-type]
    return [s["id"] for s in json.loads(text)["stories"]]


def arrived(store: Store, title: str, when: str) -> None:
    with store.write() as conn:
        conn.execute("UPDATE articles SET first_seen = ? WHERE title = ?", (when, title))


def settle(store: Store) -> None:
    """Every article of the corpus first seen before GENERATED."""
    with store.write() as conn:
        conn.execute("UPDATE articles SET first_seen = '2026-11-22T07:00:00Z'")


def test_since_last_first_time_is_everything_and_remembers(corpus: Store) -> None:
    settle(corpus)
    assert corpus.get_meta(LAST_EXPORT_KEY) is None
    text = export(corpus, ExportOptions(since_last=True), generated=GENERATED)
    assert "No earlier export: everything, covering 2017-09-13 to 2024-10-10 · 5 stories" in text
    assert corpus.get_meta(LAST_EXPORT_KEY) == "2026-11-22T08:00:00Z"


def test_since_last_keeps_what_changed(corpus: Store) -> None:
    settle(corpus)
    export(corpus, ExportOptions(), generated=GENERATED)
    # Nothing arrived since: nothing to tell.
    empty = export(corpus, ExportOptions(since_last=True), generated=LATER)
    assert "Changes since the last export (2026-11-22 08:00 UTC) · 0 stories" in empty
    # A late report on an old event brings that event back, and only it.
    arrived(corpus, "Records back online at hospitals", "2026-11-24T10:00:00Z")
    text = export(corpus, ExportOptions(since_last=True), generated=LATER + timedelta(days=2))
    assert (
        "Changes since the last export (2026-11-23 08:00 UTC), covering 2024-06-18 · 1 story"
        in text
    )
    headings = [t for _, t in parse(text).headings]
    assert headings[2:] == [
        "Ransomware attack on regional hospitals",
        "2024-06-18: Hospitals restore records systems",
    ]


def test_since_last_by_event_date(corpus: Store) -> None:
    with corpus.write() as conn:  # fetched long ago: only the event dates count
        conn.execute("UPDATE articles SET first_seen = '2024-01-01T00:00:00Z'")
    corpus.set_meta(LAST_EXPORT_KEY, "2024-06-19T00:00:00Z")
    assert story_ids(corpus, since_last=True) == [
        "eu-cyber-resilience",
        "us-kaspersky",
        "vendor-webinar",
        "unclustered",
    ]
    doc = json.loads(render(corpus, ExportOptions(format="json", since_last=True), GENERATED))
    assert [e["date"] for e in doc["stories"][1]["events"]] == ["2024-06-20"]


def test_max_stories_by_recency_then_coverage(corpus: Store) -> None:
    assert story_ids(corpus, max_stories=1) == ["eu-cyber-resilience"]
    assert story_ids(corpus, max_stories=2) == ["eu-cyber-resilience", "us-kaspersky"]
    # the same latest day: the story with more articles wins
    day = datetime(2024, 6, 20, 9, tzinfo=UTC)
    wide = [ArticleSpec(f"Report {n}", "Wide Outlet", day) for n in range(3)]
    narrow = [ArticleSpec("Report", "Narrow Outlet", day)]
    populate(
        corpus,
        [
            StorySpec("a-narrow", "Narrow", [EventSpec("N", day.date(), narrow)]),
            StorySpec("z-wide", "Wide", [EventSpec("W", day.date(), wide)]),
        ],
    )
    assert story_ids(corpus, since=day.date(), until=day.date(), max_stories=1) == ["z-wide"]
    with pytest.raises(ExportError, match="at least 1"):
        render(corpus, ExportOptions(max_stories=0))


def test_html_is_self_contained(corpus: Store) -> None:
    html = render(corpus, ExportOptions(format="html"), GENERATED)
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Brief — 2026-11-22</title>" in html
    lowered = html.lower()
    for needle in ("<script", "<link", "<img", "<iframe", "src=", "@import", "url("):
        assert needle not in lowered, needle
    hrefs = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert '<a href="https://capitolsecurity.example/2024/06/20/' in html


def test_html_template_html_is_text(corpus: Store, tmp_path: Path) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text("# Hi\n\n<script>alert(1)</script> [x](javascript:alert(1))\n")
    html = render(corpus, ExportOptions(format="html", template=template), GENERATED)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    paths = Paths.resolve(str(home)).ensure()
    store = build_corpus(paths.database)
    settle(store)
    store.close()
    return home


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), "export", *args])


def test_cli_since_last_twice(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "--since", "last") == EXIT_OK
    assert "No earlier export" in capsys.readouterr().out
    assert run(home, "--since", "last", "--format", "json") == EXIT_OK
    assert json.loads(capsys.readouterr().out)["stories"] == []


def test_cli_layout_options(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(home, "--max-stories", "2", "--full", "--oldest-first", "--format", "html")
    assert code == EXIT_OK
    html = capsys.readouterr().out
    assert html.count("<h2>") == 3  # What's new and two stories
    kaspersky = html.split("US actions against Kaspersky</h2>", 1)[1]
    assert kaspersky.index("<h3>2017-09-13") < kaspersky.index("<h3>2024-06-20")


def test_cli_bad_since(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run(home, "--since", "yesterday")
    assert exc.value.code == EXIT_USAGE
    assert "not a date (YYYY-MM-DD) or 'last'" in capsys.readouterr().err


def test_written_at_is_utc_iso(corpus: Store) -> None:
    export(corpus, ExportOptions(), generated=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert corpus.get_meta(LAST_EXPORT_KEY) == "2026-01-02T03:04:05Z"
