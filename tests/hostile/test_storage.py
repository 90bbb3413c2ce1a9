"""Storage layer: kills, second copies, full and read-only disks, bad bytes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from briefing.models import Article, TriageState
from briefing.store import Store, StoreError, triage
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store

WRITER = [sys.executable, "-m", "tests.hostile.triage_writer"]
ROOT = Path(__file__).resolve().parents[2]


def _start_writer(db: Path, prefix: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*WRITER, str(db), prefix],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_sigkill_at_random_moments_loses_no_acknowledged_triage(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    Store(db).close()
    rng = random.Random(20261122)
    acknowledged: dict[str, int] = {}
    for round_ in range(6):
        prefix = f"r{round_}"
        proc = _start_writer(db, prefix)
        assert proc.stdout is not None
        # wait until it is really writing, then kill it at a random moment
        started = [proc.stdout.readline() for _ in range(3)]
        assert [s.strip() for s in started] == ["0", "1", "2"]
        time.sleep(rng.uniform(0.01, 0.25))
        proc.send_signal(signal.SIGKILL)
        lines = [*started, *proc.stdout.readlines()]
        proc.stdout.close()
        proc.wait()
        acknowledged[prefix] = max(int(x) for x in lines if x.strip())
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in conn.execute("SELECT story_id FROM triage")}
    for prefix, last in acknowledged.items():
        missing = [n for n in range(last + 1) if f"{prefix}-{n}" not in stored]
        assert missing == [], f"acknowledged writes lost in round {prefix}: {missing[:5]}"
        assert last > 0


def test_triage_in_one_copy_while_another_refreshes_never_fails(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    refresher, analyst = Store(db), Store(db)
    feed = feed_store.add(refresher, "https://a.example/feed")
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            for batch in range(40):
                article_store.upsert(
                    refresher,
                    [
                        Article(
                            feed.id or 0, f"g{batch}-{i}", f"https://a.example/{batch}/{i}", "t"
                        )
                        for i in range(50)
                    ],
                )
        except BaseException as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    thread = threading.Thread(target=refresh)
    thread.start()
    for n in range(200):
        triage.put(analyst, TriageState(f"s{n}", read=True))
    thread.join()
    assert errors == []
    assert len(triage.all_states(analyst)) == 200
    assert article_store.count(analyst) == 2000


def test_a_full_disk_is_a_clear_error_with_nothing_half_written(store: Store) -> None:
    triage.put(store, TriageState("kept", starred=True))
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now "full"
    huge = "x" * 2_000_000
    with pytest.raises(StoreError, match="full"), store.write() as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('a', 'small')")
        conn.execute("INSERT INTO meta(key, value) VALUES ('b', ?)", (huge,))
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.get_meta("a") is None  # the first insert was rolled back too
    assert triage.get(store, "kept").starred
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_database_is_a_clear_error(store: Store) -> None:
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match=r"read-only|readonly"):
        triage.put(store, TriageState("s", starred=True))


def test_garbage_bytes_in_every_text_column_do_not_stop_reading(store: Store) -> None:
    feed = feed_store.add(store, "https://a.example/feed")
    bad = b"\xff\xfe\x80 not utf-8 \xc3"
    with store.write() as conn:
        conn.execute(
            "INSERT INTO articles(feed_id, guid, url, title, outlet, summary, text, first_seen)"
            " VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
            " CAST(? AS TEXT), CAST(? AS TEXT), '2024-01-01T00:00:00Z')",
            (feed.id, bad, bad, bad, bad, bad, bad),
        )
        conn.execute(
            "UPDATE feeds SET title = CAST(? AS TEXT), last_error = CAST(? AS TEXT)", (bad, bad)
        )
    (article,) = article_store.all_articles(store)
    assert "not utf-8" in article.title
    assert "not utf-8" in feed_store.all_feeds(store)[0].title
