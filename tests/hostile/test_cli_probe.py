"""Defects an outside probe found at the command line (issue 16).

Each test failed before its fix: a traceback where a message belongs, a
limit that could be switched off, a brief readable by everyone.
"""

from __future__ import annotations

import os
import select
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import ConfigError, Settings
from briefing.runlock import fetch_lock

from .conftest import GOOD, HostileServer


def cli(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


# -- 8: exported files and the umask ------------------------------------------------------


@pytest.fixture
def umask_077() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_exported_brief_follows_the_umask(home: Path, tmp_path: Path, umask_077: None) -> None:
    out = tmp_path / "b.md"
    assert cli(home, "export", "-o", str(out)) == 0
    assert mode(out) == 0o600


def test_an_overwritten_brief_keeps_its_mode(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.md"
    out.write_text("old notes\n")
    out.chmod(0o600)
    assert cli(home, "export", "-o", str(out), "--force") == 0
    assert mode(out) == 0o600 and "old notes" not in out.read_text()


def test_an_exported_feed_list_follows_the_umask(
    home: Path, tmp_path: Path, umask_077: None
) -> None:
    out = tmp_path / "feeds.opml"
    assert cli(home, "feeds", "export", "-o", str(out)) == 0
    assert mode(out) == 0o600


# -- 9: messages, not tracebacks ----------------------------------------------------------


def test_a_home_that_is_not_a_directory_is_a_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--home", "/dev/null", "feeds", "list"]) == 1
    assert "cannot use /dev/null/config as a directory" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["export"], ["feeds", "export"]])
def test_an_output_name_too_long_for_the_file_system_is_a_message(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    out = tmp_path / ("b" * 300 + ".md")
    assert cli(home, *command, "-o", str(out)) == 1
    assert "File name too long" in capsys.readouterr().err


def test_an_opml_nested_a_thousand_deep_is_read(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    depth = 1_000
    path = tmp_path / "deep.opml"
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        + '<outline text="level">' * depth
        + '<outline type="rss" text="Deep" xmlUrl="https://deep.example/feed"/>'
        + "</outline>" * depth
        + "</body></opml>"
    )
    assert cli(home, "feeds", "import", str(path)) == 0
    assert "imported 1 feeds" in capsys.readouterr().out


def test_a_settings_file_that_is_a_directory_is_a_message(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "config" / "settings.toml").mkdir(parents=True)
    assert cli(home, "feeds", "list") == 1
    err = capsys.readouterr().err
    assert "settings.toml: cannot read the settings: Is a directory" in err


@pytest.mark.parametrize("command", [["export"], ["feeds", "export"]])
def test_an_output_ending_in_a_slash_names_a_directory_and_is_refused(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli(home, *command, "-o", "newdir/")
    assert exit_.value.code == 2
    assert "'newdir/' is a directory; give a file name" in capsys.readouterr().err
    assert not (tmp_path / "newdir").exists()


def test_feeds_export_does_not_overwrite_without_force(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine.opml"
    out.write_text("keep me\n")
    assert cli(home, "feeds", "export", "-o", str(out)) == 1
    assert "exists; use --force" in capsys.readouterr().err
    assert out.read_text() == "keep me\n"
    assert cli(home, "feeds", "export", "-o", str(out), "--force") == 0
    assert "<opml" in out.read_text()


# -- 10: limits that cannot be switched off -----------------------------------------------


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("request_deadline = 1e300", "request_deadline"),
        ("max_response_bytes = 9_999_999_999_999_999", "max_response_bytes"),
        ("connect_timeout = 1e9", "connect_timeout"),
        ("read_timeout = 86400.0", "read_timeout"),
        ("max_connections = 1_000_000", "max_connections"),
        ("max_per_host = 100_000", "max_per_host"),
    ],
)
def test_a_limit_beyond_its_maximum_is_refused(tmp_path: Path, line: str, name: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"{line}\n")
    with pytest.raises(ConfigError, match=f"{name} should be at most"):
        Settings.load(path, environ={})


def test_an_environment_limit_beyond_its_maximum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_response_bytes should be at most"):
        Settings.load(
            tmp_path / "none.toml", environ={"BRIEFING_MAX_RESPONSE_BYTES": "99999999999999999999"}
        )


def test_the_defaults_are_within_the_maxima() -> None:
    from briefing.config import MAXIMA

    defaults = Settings()
    assert all(0 < getattr(defaults, name) <= top for name, top in MAXIMA.items())


# -- lower: one fetch per home ------------------------------------------------------------


def test_a_second_fetch_waits_for_the_first_and_joins_it(
    home: Path,
    server: HostileServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No page fetching: the feed links to hosts that exist nowhere.
    monkeypatch.setenv("BRIEFING_EXTRACT_FULL_TEXT", "0")
    server.feed("/wire.xml", GOOD)
    assert cli(home, "feeds", "add", server.url("/wire.xml")) == 0
    env = {**os.environ, "BRIEFING_HOME": str(home)}
    data = home / "data"
    with fetch_lock(data, lambda pid: None):  # a first fetch, still running
        second = subprocess.Popen(
            [sys.executable, "-m", "briefing", "fetch"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        assert second.stderr is not None
        ready, _, _ = select.select([second.stderr], [], [], 30)
        assert ready, "the second fetch said nothing"
        line = second.stderr.readline()
        assert f"another fetch is running in this home (pid {os.getpid()})" in line
        time.sleep(0.3)
        assert second.poll() is None  # still waiting
    _, rest = second.communicate(timeout=30)
    assert second.returncode == 0
    assert "the other fetch finished; its results are in" in rest
    assert server.hits("/wire.xml") == []  # the page work was not done twice

    capsys.readouterr()
    assert cli(home, "fetch") == 0  # nobody holds the lock now: a normal run
    assert len(server.hits("/wire.xml")) == 1
    assert "waiting" not in capsys.readouterr().err


# -- 9 (cont.): a read-only home ----------------------------------------------------------


def _without_privileges() -> list[str]:
    """A command prefix that makes file permissions bind (root ignores them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions would not bind")
    return [setpriv, "--inh-caps=-all", "--bounding-set=-all"]


def _set_writable(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        current = stat.S_IMODE(path.stat().st_mode)
        path.chmod(current | stat.S_IWUSR if writable else current & ~bits)


def test_a_read_only_home_can_be_read_and_exported_and_writes_fail_clearly(
    home: Path, tmp_path: Path
) -> None:
    prefix = _without_privileges()

    def briefing(*args: str, as_owner: bool = False) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "briefing", "--home", str(home), *args]
        return subprocess.run(
            command if as_owner else [*prefix, *command],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # Written by an earlier run that has finished (its WAL checkpointed on exit).
    assert briefing("feeds", "add", "https://readonly.example/feed", as_owner=True).returncode == 0
    _set_writable(home, False)
    try:
        listed = briefing("feeds", "list")
        assert listed.returncode == 0, listed.stderr
        assert "https://readonly.example/feed" in listed.stdout
        assert briefing("export").returncode == 0
        out = tmp_path / "brief.md"
        exported = briefing("export", "-o", str(out))
        assert exported.returncode == 0, exported.stderr
        assert out.read_text().startswith("# Brief — ")
        for write in (["feeds", "add", "https://other.example/feed"], ["fetch"]):
            failed = briefing(*write)
            assert failed.returncode == 1, (write, failed.stderr)
            assert "cannot write" in failed.stderr and "Traceback" not in failed.stderr
    finally:
        _set_writable(home, True)


def test_feeds_list_shows_a_feed_note(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from briefing.config import Paths
    from briefing.store import Store
    from briefing.store import feeds as feed_store

    assert cli(home, "feeds", "add", "https://notes.example/feed") == 0
    with Store(Paths.resolve(home).database) as store:
        feed = feed_store.by_url(store, "https://notes.example/feed")
        assert feed is not None
        feed_store.add_note(feed, "its GUIDs are not unique; items are told apart by links")
        feed_store.update(store, feed)
    capsys.readouterr()
    assert cli(home, "feeds", "list") == 0
    assert "note: its GUIDs are not unique" in capsys.readouterr().out
