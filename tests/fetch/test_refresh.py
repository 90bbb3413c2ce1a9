"""One refresh end to end: pages while feeds arrive, the per-feed cap, nothing done twice."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import Paths, Settings
from briefing.pipeline import ExtractProgress, FeedDone, ProgressEvent, Stage, StageDone
from briefing.store import Store
from briefing.store import feeds as feed_store

from .conftest import FeedServer, Reply, Seen, fetch
from .test_extract import articles, rss

PAGE = (
    b"<html><body><article><h1>Headline</h1><p>The ministry published the rules on "
    b"Tuesday after a consultation that ran for most of the year.</p><p>Operators have "
    b"until spring to comply, officials said in a statement.</p></article></body></html>"
)
HTML = {"Content-Type": "text/html; charset=utf-8"}


async def test_pages_are_extracted_while_other_feeds_are_still_arriving(
    server: FeedServer, store: Store, settings: Settings
) -> None:
    server.routes["/page"] = Reply(200, PAGE, HTML)
    server.feed("/fast.xml", rss([("a", server.url("/page"), "")]))

    def slow(seen: Seen) -> Reply:
        # Answers only once the other feed's page is extracted (or after 30 s):
        # a run that extracted pages after the fetch stage could not get there.
        deadline = time.monotonic() + 30
        with sqlite3.connect(store.path) as db:
            while time.monotonic() < deadline:
                row = db.execute("SELECT extract_status FROM articles WHERE guid = 'a'").fetchone()
                if row is not None and row[0] == "ok":
                    break
                time.sleep(0.05)
        return Reply(200, rss([("b", server.url("/page?b"), "")]), {})

    server.routes["/slow.xml"] = slow
    for path in ("/fast.xml", "/slow.xml"):
        feed_store.add(store, server.url(path))
    events: list[ProgressEvent] = []
    patient = replace(settings, extract_full_text=True, read_timeout=40.0, request_deadline=40.0)
    report = await fetch(store, patient, events)
    assert report.extracted == 2
    order = [
        "page" if isinstance(e, ExtractProgress) else "slow feed"
        for e in events
        if isinstance(e, ExtractProgress) or (isinstance(e, FeedDone) and "slow" in e.feed.url)
    ]
    assert order == ["page", "slow feed", "page"]  # the fast feed's page did not wait
    assert [e.name for e in events if isinstance(e, StageDone)] == [Stage.FETCH, Stage.EXTRACT]


def test_a_feed_over_the_per_feed_cap_is_taken_newest_first_over_several_runs(
    server: FeedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("briefing.fetch.feed.NEW_PER_RUN", 3)
    monkeypatch.setattr("briefing.fetch.feed.SLICE", 2)
    dates = [f"Thu, {day:02d} Jun 2024 09:00:00 GMT" for day in range(10, 17)]
    server.conditional("/big.xml", rss([(f"g{i}", "", dates[i]) for i in range(7)]))
    home = tmp_path / "home"
    assert main(["--home", str(home), "feeds", "add", server.url("/big.xml")]) == 0
    (home / "config" / "settings.toml").write_text("extract_full_text = false\n")
    capsys.readouterr()

    assert main(["--home", str(home), "fetch"]) == 0
    err = capsys.readouterr().err
    assert "4 new entries stored, 3 more left for the next run (per-feed limit)" in err
    assert "3 entries from 1 feeds wait for the next run (per-feed limit)" in err
    with Store(Paths.resolve(str(home)).database) as db:
        assert sorted(articles(db)) == ["g3", "g4", "g5", "g6"]  # the newest first
    # validators are kept only once everything is in: the next run reads the feed again
    assert main(["--home", str(home), "fetch"]) == 0
    assert "per-feed limit" not in capsys.readouterr().err
    with Store(Paths.resolve(str(home)).database) as db:
        assert len(articles(db)) == 7
    assert main(["--home", str(home), "fetch"]) == 0
    assert "1 feeds fetched (1 unchanged" in capsys.readouterr().err
    assert [s.headers.get("if-none-match") for s in server.hits("/big.xml")] == [
        None,
        None,
        '"v1"',
    ]


CHECK_IMPORTS = """
import sys
from briefing.cli import main
code = main(["--home", sys.argv[1], "fetch"])
later = ("briefing.cluster.stage", "briefing.summarize.stage")
heavy = sorted(
    m for m in ("sklearn", "sumy", "nltk", "trafilatura", "rich", *later) if m in sys.modules
)
print("exit", code, "imported", ",".join(heavy) or "-")
"""


def test_a_refresh_where_nothing_changed_runs_and_imports_nothing_after_fetch(
    server: FeedServer, tmp_path: Path
) -> None:
    server.conditional("/feed.xml", rss([("a", "", "Thu, 20 Jun 2024 09:00:00 GMT")]))
    home = tmp_path / "home"
    assert main(["--home", str(home), "feeds", "add", server.url("/feed.xml")]) == 0
    (home / "config" / "settings.toml").write_text("extract_full_text = false\n")

    def refresh() -> tuple[str, str]:
        proc = subprocess.run(
            [sys.executable, "-c", CHECK_IMPORTS, str(home)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return proc.stdout.strip(), proc.stderr

    first, err = refresh()
    assert first.startswith("exit 0 imported"), err
    assert "briefing.cluster.stage" in first and "briefing.summarize.stage" in first, err
    # the summaries need no NLTK (which imports scikit-learn and scipy.stats)
    assert not {"nltk", "sklearn"} & set(first.split()[-1].split(",")), first
    assert "cluster done in" in err and "summarize done in" in err
    assert "time per stage: fetch " in err
    second, err = refresh()
    assert second == "exit 0 imported -", err  # 304: no clustering, no summaries, no imports
    assert "cluster" not in err and "summariz" not in err


async def test_a_big_first_refresh_shares_its_article_summaries_with_a_helper_process(
    server: FeedServer, store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.fetch.workers import Workers
    from briefing.pipeline import run
    from briefing.summarize import stage as summary_stage

    from .conftest import client

    # Three pages count as "big" here, one article per batch.
    monkeypatch.setattr(summary_stage, "OFFLOAD_FROM", 1)
    monkeypatch.setattr(summary_stage, "SAVE_EVERY", 1)
    handed: list[str] = []
    real_run = Workers.run

    async def spy(self: Workers, fn, *args, timeout: float):  # type: ignore[no-untyped-def]
        handed.append(fn.__name__)
        return await real_run(self, fn, *args, timeout=timeout)

    monkeypatch.setattr(Workers, "run", spy)
    server.routes["/page"] = Reply(200, PAGE, HTML)
    server.feed("/f.xml", rss([(g, server.url(f"/page?{g}"), "") for g in "abc"]))
    feed_store.add(store, server.url("/f.xml"))
    async with client(replace(settings, extract_full_text=True)) as http:
        report = await run(store, replace(settings, extract_full_text=True), client=http)
    assert report.extracted == 3 and report.completed
    assert report.summary is not None and report.summary.articles == 3
    assert handed.count("summarize_articles") >= 1  # the first batch at least
    sentences = store.query("SELECT summary_sentences FROM articles")
    assert all("ministry published the rules" in row[0] for row in sentences)
