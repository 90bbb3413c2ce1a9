"""Command-line frictions: default feeds by category, story id prefixes, `briefing keys`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefing.cli import ask_default_feeds, default_feeds, main
from briefing.store import Store
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate
from tests.tui.conftest import STORIES


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


def test_defaults_are_listed_by_category_and_a_category_can_be_imported(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "feeds", "defaults") == 0
    listing = capsys.readouterr().out
    assert "Government (" in listing and "Policy (" in listing
    government = [f for f in default_feeds() if f.category == "Government"]
    assert run(home, "feeds", "import", "--defaults", "--category", "government") == 0
    assert f"imported {len(government)} feeds" in capsys.readouterr().out
    assert run(home, "feeds", "list") == 0
    listed = capsys.readouterr().out
    assert (
        all(f.url in listed for f in government)
        and listed.count("\nhttps://") == len(government) - 1
    )


def test_an_unknown_category_names_the_real_ones(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "feeds", "import", "--defaults", "--category", "Sports") == 1
    err = capsys.readouterr().err
    assert "no category 'Sports'" in err and "Government" in err


def test_first_run_prompt_lists_the_feeds_before_answering(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = iter(["l", "maybe", "n"])
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    assert ask_default_feeds(default_feeds(), ask) is False
    out = capsys.readouterr().out
    assert "l: list them" in asked[0] and len(asked) == 3
    assert "Government (" in out and "--category" in out
    assert ask_default_feeds(default_feeds(), lambda prompt: "") is True


@pytest.fixture
def two_stories(store: Store) -> Store:
    populate(store, STORIES[:2])
    return store


def story_ids(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT id FROM stories ORDER BY id")]


def test_export_accepts_a_unique_prefix(
    home: Path, two_stories: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    full = story_ids(two_stories)[0]
    assert run(home, "export", "--format", "json", "--story", full[:4]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in exported["stories"]] == [full]


def test_a_short_or_ambiguous_prefix_is_refused_clearly(
    home: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    when = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    populate(
        store,
        [
            StorySpec(
                sid,
                f"Story {sid}",
                [
                    EventSpec(
                        f"Event {sid}", when.date(), [ArticleSpec(f"Article {sid}", "Outlet", when)]
                    )
                ],
            )
            for sid in ("abcd01", "abcd02")
        ],
    )
    assert run(home, "export", "--story", "abc") == 1
    assert "no story with id abc (ids and 4+ character prefixes work" in capsys.readouterr().err
    assert run(home, "export", "--story", "abcd") == 1
    assert "ambiguous: abcd01, abcd02" in capsys.readouterr().err
    assert run(home, "export", "--format", "json", "--story", "ABCD02") == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)["stories"]] == ["abcd02"]


def test_keys_prints_the_effective_keymap_and_warns(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "keys") == 0
    out = capsys.readouterr().out
    assert "briefing.toggle_sort" in out and "briefing.reload_all" in out
    settings = home / "config" / "settings.toml"
    settings.write_text(
        '[keymap]\n"briefing.star" = "S"\n"briefing.nope" = "x"\n"modal.cancel" = "ctrl+g"\n'
    )
    assert run(home, "keys") == 0
    captured = capsys.readouterr()
    assert '"briefing.nope" is not a binding id' in captured.err
    assert "modal.cancel" not in captured.err  # a modal's id is a binding id too
    assert 'takes S from "briefing.toggle_sort" (Sort) on the briefing screen' in captured.err
    star = [line for line in captured.out.splitlines() if "briefing.star" in line]
    assert star and all(line.split()[0] == "S" for line in star)


def test_the_demo_will_not_fill_a_home_that_has_real_feeds(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "feeds", "add", "https://policywire.example/feed") == 0
    assert run(home, "demo") == 1
    assert "already has your feeds" in capsys.readouterr().err
