"""A briefing home fed from a feed on 127.0.0.1, driven through the real CLI.

The feed carries the hand-written pieces of `tests.cluster.fixtures` (our own
words), the full text in each item's description, so a fetch needs no page
extraction. `publish` decides which pieces the feed holds; each item's guid is
the piece's key, so tests name articles by key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from briefing.cli import main
from briefing.cluster import stage
from briefing.cluster.params import DEFAULT, Params
from briefing.config import Paths
from briefing.store import Store
from tests.cluster.fixtures import BY_KEY
from tests.fetch.conftest import FeedServer, serving

FEED_PATH = "/feed.xml"


def rss(keys: list[str]) -> bytes:
    items = []
    for key in keys:
        piece = BY_KEY[key]
        body = " ".join([piece.teaser, *piece.paragraphs])
        items.append(
            f"<item><title>{escape(piece.title)}</title><link>{escape(piece.url)}</link>"
            f"<guid isPermaLink='false'>{key}</guid>"
            f"<author>{escape(piece.outlet)}</author>"
            f"<pubDate>{format_datetime(piece.published)}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        "<title>Fixture desk</title><link>https://fixtures.example/</link>"
        "<description>pieces</description>" + "".join(items) + "</channel></rss>"
    ).encode()


@dataclass
class Home:
    path: Path
    server: FeedServer
    capsys: pytest.CaptureFixture[str]
    published: tuple[str, ...] = ()

    def publish(self, *keys: str) -> None:
        self.published = keys
        self.server.feed(FEED_PATH, rss(list(keys)))

    def cli(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--home", str(self.path), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *args: str) -> str:
        code, out, err = self.cli(*args)
        assert code == 0, err
        return out

    def fetch(self) -> None:
        self.ok("fetch")

    def store(self) -> Store:
        return Store(Paths.resolve(self.path).database)

    def recluster(self, params: Params = DEFAULT) -> None:
        """Forget every event and story and group the archive from scratch."""
        with self.store() as db:
            with db.write() as conn:
                conn.execute("UPDATE articles SET event_id = NULL, duplicate_of = NULL")
                conn.execute("DELETE FROM events")
                conn.execute("DELETE FROM stories")
                conn.execute("DELETE FROM features WHERE kind LIKE 'cluster.%'")
            stage.run(db, params)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.store() as db:
            return [tuple(r) for r in db.query(sql, params)]

    def article(self, key: str) -> str:
        return str(self.query("SELECT id FROM articles WHERE guid = ?", (key,))[0][0])

    def event(self, key: str) -> str:
        return str(self.query("SELECT event_id FROM articles WHERE guid = ?", (key,))[0][0])

    def story(self, key: str) -> str:
        rows = self.query(
            "SELECT e.story_id FROM articles a JOIN events e ON e.id = a.event_id WHERE a.guid = ?",
            (key,),
        )
        return str(rows[0][0])

    def together(self, level: str, *keys: str) -> bool:
        place = self.event if level == "event" else self.story
        return len({place(k) for k in keys}) == 1

    def export(self) -> dict:
        return dict(json.loads(self.ok("export", "--format", "json")))


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Home]:
    path = tmp_path / "home"
    paths = Paths.resolve(path).ensure()
    paths.settings_file.write_text("extract_full_text = false\n", encoding="utf-8")
    for srv in serving(FeedServer()):
        h = Home(path, srv, capsys)
        h.ok("feeds", "add", srv.url(FEED_PATH))
        yield h
