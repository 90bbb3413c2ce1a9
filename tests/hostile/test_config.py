"""Config layer: OPML files from strangers and settings that would disarm the limits.

Malformed TOML, a keymap with a non-string value, OPML with javascript: and
gopher: feeds, OPML with entity declarations and broken OPML are tested in
tests/test_config.py and tests/cli/test_feeds_cli.py (see INPUTS.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import ConfigError, Paths, Settings
from briefing.pipeline import run
from briefing.store import Store
from briefing.store import feeds as feed_store

from .conftest import UNSAFE, assert_nothing_unsafe


def cli(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


def test_opml_titles_with_controls_and_bidi_are_cleaned_on_import(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Raw ESC is not legal XML, but C1 controls (8-bit CSI, OSC) and bidi marks are.
    path = tmp_path / "shared.opml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><body>'
        '<outline text="Policy &#x9b;2J&#x9d;0;owned&#x9c;desk">'
        '<outline type="rss" text="Wire &#x202e;txt.exe&#x202c; feed"'
        ' xmlUrl="https://globalwire.example/feed"/>'
        f'<outline type="rss" text="{"L" * 100_000}" xmlUrl="https://thepatch.example/rss"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    assert cli(home, "feeds", "import", str(path)) == 0
    assert cli(home, "feeds", "list") == 0
    out = capsys.readouterr().out
    assert not set(out) & UNSAFE
    assert "Wire txt.exe feed" in out
    assert "· Policy desk ·" in out  # the category, its 8-bit CSI and OSC sequences gone
    with Store(Paths.resolve(home).database) as store:
        feeds = {f.url: f for f in feed_store.all_feeds(store)}
        assert len(feeds["https://thepatch.example/rss"].title) <= 200
        assert_nothing_unsafe(store)


@pytest.mark.asyncio(loop_scope="session")
async def test_an_opml_file_feed_pointing_at_a_system_file_reads_nothing_into_the_store(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    # Local files may be feeds (by design); a stranger's OPML naming one gets a parse
    # error, and nothing of the file's content lands in the store or the message.
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nanalyst:x:1000:1000::/home/a:/bin/sh\n")
    feed = feed_store.add(store, secret.as_uri())
    report = await run(store, settings, later_stages=False)
    stored = feed_store.get(store, feed.id or 0)
    assert stored is not None and stored.last_error
    assert "root:" not in stored.last_error and "/bin/bash" not in stored.last_error
    assert report.articles_new == 0
    assert store.query("SELECT COUNT(*) FROM articles")[0][0] == 0


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("request_deadline = inf", "request_deadline"),
        ("request_deadline = nan", "request_deadline"),
        ("read_timeout = -1.0", "read_timeout"),
        ("max_response_bytes = -5", "max_response_bytes"),
        ("max_per_host = 0", "max_per_host"),
    ],
    ids=["infinite-deadline", "nan-deadline", "negative-timeout", "negative-cap", "zero-hosts"],
)
def test_settings_that_would_disarm_a_limit_are_errors(
    tmp_path: Path, line: str, name: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'theme = "textual-dark"\n{line}\n')
    with pytest.raises(ConfigError, match=name):
        Settings.load(path, environ={})


def test_an_environment_value_that_would_disarm_a_limit_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="request_deadline"):
        Settings.load(tmp_path / "none.toml", environ={"BRIEFING_REQUEST_DEADLINE": "inf"})


def test_a_control_character_in_the_settings_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "textual-dark"\nsort = "rec\x1b[2Jent"\n')
    with pytest.raises(ConfigError, match="line 2"):
        Settings.load(path, environ={})


def test_an_escape_sequence_in_the_keymap_is_an_error(tmp_path: Path) -> None:
    # TOML refuses a raw ESC, but "\u001b" is a legal escape; the footer would print it.
    path = tmp_path / "settings.toml"
    path.write_text('[keymap]\n"briefing.star" = "\\u001b[2J"\n')
    with pytest.raises(ConfigError, match="keymap should be dict"):
        Settings.load(path, environ={})


@pytest.mark.parametrize(
    "keymap",
    [
        {"briefing.star": "[@click=app.quit]x[/]"},
        {"no.such.binding": "j"},
        {"briefing.star": ""},
        {"briefing.star": ",,,"},
    ],
    ids=["markup", "unknown-binding", "empty", "commas"],
)
@pytest.mark.asyncio(loop_scope="session")
async def test_a_keymap_with_odd_keys_cannot_stop_the_app(
    store: Store, home: Path, keymap: dict[str, str]
) -> None:
    from briefing.tui.app import make_app
    from tests.factories import populate
    from tests.tui.conftest import NOW, STORIES, screen_text

    populate(store, STORIES)
    app = make_app(store, Settings(keymap=keymap), Paths.resolve(home).ensure(), clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "s", "k", "x", "escape")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert "\x1b" not in screen_text(app)
