from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.fetch import opml

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="Policy">
    <outline type="rss" text="Policy Wire" xmlUrl="https://policywire.example/feed"/>
    <outline type="rss" text="Ledger" xmlUrl="https://cyberledger.example/rss.xml"/>
  </outline>
  <outline type="rss" text="Loose feed" xmlUrl="http://loose.example/atom"/>
  <outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
  <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
</body></opml>
"""


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


def test_add_list_remove(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "feeds", "add", "https://policywire.example/feed", "--title", "PW") == 0
    assert run(home, "feeds", "list") == 0
    out = capsys.readouterr().out
    assert "https://policywire.example/feed" in out
    assert "PW" in out and "never" in out and "0 items" in out
    assert run(home, "feeds", "remove", "https://policywire.example/feed") == 0
    assert run(home, "feeds", "list") == 0
    assert "no feeds yet" in capsys.readouterr().out


def test_adding_a_feed_twice_says_so(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "feeds", "add", "https://policywire.example/feed") == 0
    assert run(home, "feeds", "add", "https://POLICYWIRE.example/feed") == 1
    assert "already following" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url", ["ftp://files.example/feed", "javascript:alert(1)", "not a url", "", "http://"]
)
def test_a_url_that_is_not_http_or_a_file_is_refused(
    home: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "feeds", "add", url) == 1
    err = capsys.readouterr().err
    assert err.startswith("briefing: ") and "Traceback" not in err


def test_a_local_file_can_be_a_feed(home: Path, tmp_path: Path) -> None:
    feed = tmp_path / "local.xml"
    feed.write_text("<rss version='2.0'><channel><title>x</title></channel></rss>")
    assert run(home, "feeds", "add", str(feed)) == 0


def test_removing_an_unknown_feed_fails(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "feeds", "remove", "https://nope.example/feed") == 1
    assert "not following" in capsys.readouterr().err


def test_opml_import_then_export_round_trips(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.opml"
    source.write_text(OPML)
    assert run(home, "feeds", "import", str(source)) == 0
    captured = capsys.readouterr()
    assert "imported 3 feeds" in captured.out and "2 refused" in captured.out
    assert "javascript" in captured.err and "gopher" in captured.err
    out = tmp_path / "out.opml"
    assert run(home, "feeds", "export", "-o", str(out)) == 0
    exported, refused = opml.read(out)
    original, _ = opml.parse(OPML.encode())
    assert refused == []
    assert sorted(exported, key=lambda f: f.url) == sorted(original, key=lambda f: f.url)
    # importing the export again adds nothing
    assert run(home, "feeds", "import", str(out)) == 0
    assert "imported 0 feeds (3 already followed" in capsys.readouterr().out


def test_export_to_stdout(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(home, "feeds", "add", "https://policywire.example/feed", "--title", "A & B <c>")
    capsys.readouterr()
    assert run(home, "feeds", "export") == 0
    feeds, _ = opml.parse(capsys.readouterr().out.encode())
    assert [(f.url, f.title) for f in feeds] == [("https://policywire.example/feed", "A & B <c>")]


def test_default_feeds_ship_25_or_more_real_feeds_in_categories(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "feeds", "import", "--defaults") == 0
    capsys.readouterr()
    assert run(home, "feeds", "export") == 0
    feeds, _ = opml.parse(capsys.readouterr().out.encode())
    assert len(feeds) >= 25
    assert {f.category for f in feeds} >= {"Government", "Policy", "Security news"}
    assert all(f.url.startswith("https://") for f in feeds)


@pytest.mark.parametrize(
    "content", ["<opml><body><outline", "plain text", "<html><body>hi</body></html>"]
)
def test_a_broken_opml_file_is_a_clear_error(
    home: Path, tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.opml"
    path.write_text(content)
    assert run(home, "feeds", "import", str(path)) == 1
    assert "OPML" in capsys.readouterr().err


def test_opml_with_entity_declarations_is_refused(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "laughs.opml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<opml><body><outline text="&b;" xmlUrl="https://x.example/f"/></body></opml>'
    )
    assert run(home, "feeds", "import", str(path)) == 1
    assert "DOCTYPE" in capsys.readouterr().err


def test_a_missing_opml_file_is_a_clear_error(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "feeds", "import", str(tmp_path / "missing.opml")) == 1
    assert "cannot read" in capsys.readouterr().err


def test_home_keeps_everything_under_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "h"
    assert run(home, "locate") == 0
    out = capsys.readouterr().out
    assert all(str(home) in line for line in out.splitlines())
    run(home, "feeds", "list")
    assert (home / "data" / "briefing.sqlite3").exists()


def test_usage_errors_exit_2(home: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        run(home, "feeds", "frobnicate")
    assert exc.value.code == 2


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["demo"],
        ["feeds"],
        ["feeds", "add"],
        ["feeds", "import"],
        ["fetch"],
        ["export"],
        ["locate"],
    ],
)
def test_every_command_has_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*args, "--help"])
    assert exc.value.code == 0
    assert "usage: briefing" in capsys.readouterr().out


def test_version_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("briefing ")


def test_a_database_that_is_not_ours_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "h"
    (home / "data").mkdir(parents=True)
    (home / "data" / "briefing.sqlite3").write_text("hello")
    assert run(home, "feeds", "list") == 1
    assert "not a briefing database" in capsys.readouterr().err


def test_a_malformed_settings_file_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "h"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.toml").write_text('theme = "textual-light"\nread_timeout = \n')
    assert run(home, "feeds", "list") == 1
    err = capsys.readouterr().err
    assert "settings.toml" in err and "line 2" in err


class _Tty:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "expected"), [("", 34), ("y", 34), ("n", 0)])
def test_first_run_offers_the_default_feeds(
    home: Path, monkeypatch: pytest.MonkeyPatch, answer: str, expected: int
) -> None:
    from briefing.cli import offer_default_feeds
    from briefing.config import Paths
    from briefing.store import Store
    from briefing.store import feeds as feed_store

    asked: list[str] = []
    monkeypatch.setattr("sys.stdin", _Tty())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    store = Store(Paths.resolve(home).ensure().database)
    offer_default_feeds(store)
    assert len(asked) == 1 and "default" in asked[0]
    assert len(feed_store.all_feeds(store)) == expected
    offer_default_feeds(store)  # asked once, never again
    assert len(asked) == 1
    store.close()


def test_first_run_without_a_terminal_does_not_ask(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.cli import offer_default_feeds
    from briefing.config import Paths
    from briefing.store import Store
    from briefing.store import feeds as feed_store

    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked without a tty"))
    store = Store(Paths.resolve(home).ensure().database)
    offer_default_feeds(store)
    assert feed_store.all_feeds(store) == []
    store.close()
