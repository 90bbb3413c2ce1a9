"""`briefing fetch` (run_cli) and the hand-off to the clustering and summary stages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from briefing.cli import main
from briefing.cli_fetch import run_cli
from briefing.cluster.params import DEFAULT
from briefing.config import Settings
from briefing.pipeline import ProgressEvent, StageDone, StageFailed, StageStarted, run
from briefing.store import Store
from briefing.store import feeds as feed_store

from .conftest import FeedServer, Reply, client, fixture


def fake_stage(
    monkeypatch: pytest.MonkeyPatch, name: str, body: Callable[..., Any]
) -> list[tuple[Any, ...]]:
    """Stand in for `briefing.<name>.stage.run`; returns the calls it gets."""
    calls: list[tuple[Any, ...]] = []

    def stage_run(*args: Any) -> Any:
        calls.append(args)
        return body(*args)

    monkeypatch.setattr(f"briefing.{name}.stage.run", stage_run)
    return calls


async def test_cluster_then_summarize_run_after_fetch(
    server: FeedServer, store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []

    def cluster(db: Store, *options: Any) -> str:
        order.append("cluster")
        assert db.query("SELECT COUNT(*) FROM articles")[0][0] == 2  # fetched first
        return "cluster report"

    cluster_calls = fake_stage(monkeypatch, "cluster", cluster)
    summary_calls = fake_stage(
        monkeypatch,
        "summarize",
        lambda db, s, submit: order.append("summarize") or "summary report",
    )
    server.feed("/feed.xml", fixture("rss1.rdf"))
    feed_store.add(store, server.url("/feed.xml"))
    events: list[ProgressEvent] = []
    async with client(settings) as http:
        report = await run(store, settings, events.append, client=http)
    assert order == ["cluster", "summarize"]
    assert cluster_calls == [(store, DEFAULT, None)]
    # the summaries may hand article batches to the worker processes
    assert [call[:2] for call in summary_calls] == [(store, settings)]
    assert callable(summary_calls[0][2])
    assert (report.cluster, report.summary) == ("cluster report", "summary report")
    names = [(type(e).__name__, e.name) for e in events if isinstance(e, StageStarted | StageDone)]
    assert names == [
        ("StageStarted", "fetch"),
        ("StageDone", "fetch"),
        ("StageDone", "entities"),
        ("StageStarted", "cluster"),
        ("StageDone", "cluster"),
        ("StageStarted", "summarize"),
        ("StageDone", "summarize"),
    ]
    assert report.completed


async def test_a_crashing_stage_is_reported_and_stops_the_run(
    server: FeedServer, store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(db: Store, *options: Any) -> None:
        raise ValueError("no vectors")

    fake_stage(monkeypatch, "cluster", crash)
    summary_calls = fake_stage(monkeypatch, "summarize", lambda db, s, submit: None)
    server.feed("/feed.xml", fixture("rss1.rdf"))
    feed_store.add(store, server.url("/feed.xml"))
    events: list[ProgressEvent] = []
    async with client(settings) as http:
        report = await run(store, settings, events.append, client=http)
    assert report.stage_errors == {"cluster": "ValueError: no vectors"}
    assert not report.completed and summary_calls == []
    assert StageFailed("cluster", "ValueError: no vectors") in events
    assert report.articles_new == 2  # what was fetched is kept


def no_later_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stage(monkeypatch, "cluster", lambda db, *options: None)
    fake_stage(monkeypatch, "summarize", lambda db, s, submit: None)


def test_fetch_command_reports_failures_and_exits_0(
    server: FeedServer,
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_later_stages(monkeypatch)
    home = tmp_path / "home"
    server.feed("/ok.xml", fixture("atom.xml"))
    server.routes["/down.xml"] = Reply(500, b"")
    server.feed("/html.xml", fixture("not-a-feed.html"), "text/html")
    for path in ("/ok.xml", "/down.xml", "/html.xml"):
        assert main(["--home", str(home), "feeds", "add", server.url(path)]) == 0
    (home / "config" / "settings.toml").write_text("extract_full_text = false\n")
    capsys.readouterr()

    assert main(["--home", str(home), "fetch"]) == 0
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "feeds 3/3 · 2 new articles · 2 errors" in err  # plain progress lines (not a TTY)
    assert "\r" not in err and "\x1b" not in err
    assert lines[-2:] == [
        f"failed: {server.url('/down.xml')}: HTTP 500 Internal Server Error",
        f"failed: {server.url('/html.xml')}: the server sent an HTML page, not a feed "
        "(is this the site's address?)",
    ]
    summary = next(line for line in lines if line.startswith("3 feeds fetched"))
    assert "2 failed" in summary and "2 new" in summary

    # the feed list shows the health
    assert main(["--home", str(home), "feeds", "list"]) == 0
    listing = capsys.readouterr().out
    assert (
        "error x1: HTTP 500 Internal Server Error · backing off after 1 failure · next try: "
        in listing
    )
    assert "2 items · ok" in listing


def test_fetch_command_without_feeds_says_how_to_add_them(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path / "home"), "fetch"]) == 1
    err = capsys.readouterr().err
    assert "no feeds to fetch" in err and "briefing feeds add URL" in err


def test_fetch_command_fails_when_every_feed_fails(
    server: FeedServer,
    store: Store,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_later_stages(monkeypatch)
    server.routes["/gone.xml"] = Reply(410, b"")
    feed_store.add(store, server.url("/gone.xml"))
    assert run_cli(store, settings) == 1
    assert "410 Gone" in capsys.readouterr().err
    # nothing due any more (dead feed): the run completes with nothing to do
    assert run_cli(store, settings) == 0
    assert "no feeds due" in capsys.readouterr().err


async def test_an_injected_httpx_client_is_used_and_left_open(
    store: Store, settings: Settings
) -> None:
    import httpx

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(
            200, content=fixture("feed.json"), headers={"Content-Type": "application/feed+json"}
        )

    feed_store.add(store, "https://threatdesk.example/feed.json")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as injected:
        report = await run(store, settings, client=injected, later_stages=False)
        assert not injected.is_closed
    assert seen == ["https://threatdesk.example/feed.json"]
    assert report.errors == [] and report.articles_new == 2
