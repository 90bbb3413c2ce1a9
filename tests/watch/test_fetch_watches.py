"""`briefing fetch` with watches: the summary lines and the on_watch_hit command."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from briefing.cli import main
from tests.fetch.conftest import FeedServer, serving

HOSTILE = 'Kaspersky $(touch pwned) `id` ; rm -rf ~ "quoted" --flag'

ITEMS = [
    ("k1", "Commerce bans Kaspersky antivirus sales", "2024-06-20T14:00:00Z",
     "The Commerce Department said Kaspersky software may no longer be sold."),
    ("v1", "Volt Typhoon advisory reaches water utilities", "2024-02-07T10:00:00Z",
     "CISA and the FBI said Volt Typhoon was inside water systems."),
]  # fmt: skip


def rss(items: list[tuple[str, str, str, str]]) -> bytes:
    from datetime import datetime
    from email.utils import format_datetime

    body = "".join(
        f"<item><guid>{guid}</guid><title>{escape(title)}</title>"
        f"<link>https://news.example/{guid}</link>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(when))}</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for guid, title, when, text in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Policy Wire</title>'
        f"<link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


HOOK = """
import json, sys
out = sys.argv[1]
with open(out + ".argv", "w") as fh:
    json.dump(sys.argv, fh)
with open(out + ".stdin", "w") as fh:
    fh.write(sys.stdin.read())
"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    yield from serving(FeedServer())


@pytest.fixture
def served(home: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]) -> FeedServer:
    server.feed("/feed.xml", rss(ITEMS))
    assert main(["feeds", "add", server.url("/feed.xml")]) == 0
    assert main(["watch", "add", "kaspersky", 'entity:"kaspersky lab"']) == 0
    assert main(["watch", "add", "typhoons", 'entity:"Volt Typhoon"', "water"]) == 0
    assert main(["watch", "add", "quiet", "entity:Huawei"]) == 0
    capsys.readouterr()
    return server


def settings(home: Path, text: str) -> None:
    (home / "config" / "settings.toml").write_text("extract_full_text = false\n" + text)


def test_fetch_ends_with_one_line_per_watch_that_gained_events(
    home: Path, served: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(home, "")
    assert main(["fetch"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[-2:] == [
        "watch kaspersky: 1 new event in 1 story",
        "watch typhoons: 1 new event in 1 story",
    ]
    # nothing new: no watch lines at all
    assert main(["fetch"]) == 0
    assert "watch " not in capsys.readouterr().err


def test_hook_gets_json_on_stdin_and_a_hostile_title_only_there(
    home: Path, served: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "hook.py"
    script.write_text(HOOK)
    out = tmp_path / "hits"
    settings(home, f"on_watch_hit = '{sys.executable} {script} {out}'\n")
    served.feed(
        "/feed.xml",
        rss([*ITEMS, ("k2", HOSTILE, "2024-06-21T09:00:00Z", "Kaspersky Lab responds.")]),
    )
    assert main(["fetch"]) == 0
    assert json.loads(out.with_suffix(".argv").read_text()) == [str(script), str(out)]
    doc = json.loads(out.with_suffix(".stdin").read_text())
    assert [w["name"] for w in doc["watches"]] == ["kaspersky", "typhoons"]
    titles = [a["title"] for e in doc["watches"][0]["events"] for a in e["articles"]]
    assert HOSTILE in titles
    assert doc["watches"][0]["summary"].startswith("watch kaspersky: ")
    assert not (Path.cwd() / "pwned").exists()
    assert "on_watch_hit" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("{python} -c 'import sys; sys.exit(3)'", "on_watch_hit exited with status 3"),
        ("{python} -c 'import time; time.sleep(30)'", "on_watch_hit did not finish within 1 s"),
        ("/no/such/program", "on_watch_hit could not start"),
    ],
)
def test_a_failing_or_slow_hook_does_not_fail_the_run(
    home: Path, served: FeedServer, command: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = command.format(python=sys.executable)
    settings(home, f'on_watch_hit = "{hook}"\non_watch_hit_timeout = 1\n')
    assert main(["fetch"]) == 0
    err = capsys.readouterr().err
    assert "watch kaspersky: 1 new event in 1 story" in err
    assert f"briefing: {reason}" in err
