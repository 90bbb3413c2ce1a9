"""`briefing fetch --force` and the feed list's "next try": back-off is visible and skippable."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.cli import main

from .conftest import FeedServer, Reply, fixture
from .test_cli import no_later_stages


def test_force_fetches_feeds_that_are_backing_off_and_the_list_says_when(
    server: FeedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_later_stages(monkeypatch)
    home = str(tmp_path / "home")
    server.routes["/feed.xml"] = Reply(503, b"")
    assert main(["--home", home, "feeds", "add", server.url("/feed.xml")]) == 0
    (tmp_path / "home" / "config" / "settings.toml").write_text("extract_full_text = false\n")
    assert main(["--home", home, "fetch"]) == 1  # the only feed failed
    assert main(["--home", home, "feeds", "list"]) == 0
    listing = capsys.readouterr().out
    assert "backing off after 1 failure · next try: 20" in listing and " UTC" in listing

    # the server is back, but the feed waits out its back-off...
    server.feed("/feed.xml", fixture("atom.xml"))
    assert main(["--home", home, "fetch"]) == 0
    err = capsys.readouterr().err
    assert "no feeds due" in err and "--force" in err
    tried = len(server.requests)  # (503 is retried within one fetch)

    # ...unless forced
    assert main(["--home", home, "fetch", "--force"]) == 0
    assert "1 feeds fetched (0 unchanged, 0 failed, 0 not due)" in capsys.readouterr().err
    assert len(server.requests) == tried + 1
    assert main(["--home", home, "feeds", "list"]) == 0
    assert "· ok · next try: next fetch" in capsys.readouterr().out


def test_force_tries_a_dead_feed_again(
    server: FeedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_later_stages(monkeypatch)
    home = str(tmp_path / "home")
    server.routes["/gone.xml"] = Reply(410, b"")
    assert main(["--home", home, "feeds", "add", server.url("/gone.xml")]) == 0
    assert main(["--home", home, "fetch"]) == 1
    assert main(["--home", home, "feeds", "list"]) == 0
    assert "not tried again (fetch --force tries it)" in capsys.readouterr().out
    assert main(["--home", home, "fetch", "--force"]) == 1
    assert len(server.requests) == 2
