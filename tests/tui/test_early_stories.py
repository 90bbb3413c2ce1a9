"""Early stories: `r` lists new stories while their pages are held back, then refines them."""

from __future__ import annotations

import threading
from email.utils import format_datetime
from html import escape

from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.store import triage as triage_store
from tests.cluster.fixtures import PIECES, Piece
from tests.fetch.conftest import FeedServer, Reply, Seen
from tests.tui.conftest import AppFactory, settled, table_titles, until

# the pages are held long past the early grouping: no read may time out meanwhile
PATIENT = {
    "connect_timeout": 2.0,
    "read_timeout": 60.0,
    "request_deadline": 60.0,
    "extract_full_text": True,
}


def feed(server: FeedServer, pieces: tuple[Piece, ...]) -> bytes:
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{server.url('/pages/' + p.key)}</link>"
        f'<guid isPermaLink="false">{p.key}</guid>'
        f"<description>{escape(p.teaser)}</description>"
        f"<pubDate>{format_datetime(p.published, usegmt=True)}</pubDate></item>"
        for p in pieces
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Fixture Wire</title>'
        f"{items}</channel></rss>"
    ).encode()


def page(piece: Piece, gate: threading.Event):  # type: ignore[no-untyped-def]
    body = "".join(f"<p>{escape(t)}</p>" for t in piece.paragraphs)
    html = (
        f"<html><head><title>{escape(piece.title)}</title></head><body><article>"
        f"<h1>{escape(piece.title)}</h1>{body}</article></body></html>"
    ).encode()

    def route(seen: Seen) -> Reply:
        gate.wait(60)
        return Reply(200, html, {"Content-Type": "text/html; charset=utf-8"})

    return route


def count(store: Store, where: str) -> int:
    return int(store.query(f"SELECT COUNT(*) FROM articles WHERE {where}")[0][0])


def stories_of(store: Store, guids: list[str]) -> list[str]:
    marks = ",".join("?" * len(guids))
    return [
        str(r[0])
        for r in store.query(
            f"""SELECT e.story_id FROM articles a JOIN events e ON e.id = a.event_id
                WHERE a.guid IN ({marks})""",
            tuple(guids),
        )
    ]


async def test_stories_are_listed_from_the_feeds_then_refined_with_the_pages(
    store: Store, make: AppFactory
) -> None:
    srv = FeedServer()
    srv.thread.start()
    gate = threading.Event()
    try:
        srv.feed("/wire.xml", feed(srv, PIECES))
        for piece in PIECES:
            srv.routes[f"/pages/{piece.key}"] = page(piece, gate)
        feed_store.add(store, srv.url("/wire.xml"), "Fixture Wire")
        app = make(store, **PATIENT)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("r")
            # listed while every page is still held back: grouped on the feed alone
            await until(lambda: bool(table_titles(app)), pilot.pause)
            assert count(store, "extract_status = 'ok'") == 0
            assert count(store, "placed_early = 1") == len(PIECES)
            assert app.progress is not None  # the refresh goes on
            # the analyst stars the first early story
            await pilot.press("s")
            starred = [
                str(r[0]) for r in store.query("SELECT story_id FROM triage WHERE starred = 1")
            ]
            assert len(starred) == 1
            held = [
                str(r[0])
                for r in store.query(
                    """SELECT a.guid FROM articles a JOIN events e ON e.id = a.event_id
                       WHERE e.story_id = ?""",
                    (starred[0],),
                )
            ]
            gate.set()
            await settled(app, lambda: pilot.pause(0.05))
            await pilot.pause()
            assert app.progress is None
            # every page is in and every article placed again on it
            assert count(store, "extract_status = 'ok'") == len(PIECES)
            assert count(store, "placed_early = 1") == 0
            assert count(store, "event_id IS NULL") == 0
            # the star is on the story that holds most of those articles now
            now_in = stories_of(store, held)
            heir = max(sorted(set(now_in)), key=now_in.count)
            assert triage_store.get(store, heir).starred
            titles = table_titles(app)
            assert titles and len(titles) == store.query("SELECT COUNT(*) FROM stories")[0][0]
            # the wire report and its re-run are one event once the pages are read
            events = store.query(
                "SELECT COUNT(DISTINCT event_id) FROM articles WHERE guid IN (?, ?)",
                ("wire-ban", "packet-ban-copy"),
            )
            assert events[0][0] == 1
    finally:
        gate.set()
        srv.httpd.shutdown()
        srv.httpd.server_close()
