"""`Store.checkpoint_after`: a commit leaves the WAL copy to a thread of its own."""

from __future__ import annotations

from pathlib import Path

from briefing.store import Store
from briefing.store.db import WAL_CHECKPOINT_PAGES

PAGE = 4096


def _write_pages(store: Store, pages: int, tag: str) -> None:
    """About `pages` pages of new rows in one transaction."""
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?)",
            [(f"{tag}{n}", "x" * (PAGE - 200)) for n in range(pages)],
        )


def test_a_commit_past_the_threshold_checkpoints_in_place_by_default(tmp_path: Path) -> None:
    # the control: what `checkpoint_after` takes off the commit
    store = Store(tmp_path / "db.sqlite3")
    before = store.path.stat().st_size
    _write_pages(store, WAL_CHECKPOINT_PAGES + 100, "k")
    assert store.path.stat().st_size > before + WAL_CHECKPOINT_PAGES * PAGE
    store.close()


def test_the_commit_inside_leaves_the_wal_and_a_thread_copies_it_after(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    before = store.path.stat().st_size
    with store.checkpoint_after():
        _write_pages(store, WAL_CHECKPOINT_PAGES + 100, "k")
        # committed, yet the database file has not grown: the pages are in the WAL
        assert store.path.stat().st_size == before
        assert store.get_meta("k0") is not None
    store.wait_checkpoint()
    assert store.path.stat().st_size > before + WAL_CHECKPOINT_PAGES * PAGE
    # later commits checkpoint as before
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
    other = Store(store.path)
    assert other.get_meta(f"k{WAL_CHECKPOINT_PAGES + 99}") is not None
    other.close()
    store.close()


def test_a_block_that_wrote_nothing_leaves_nothing_to_copy(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    with store.checkpoint_after():
        store.get_meta("k0")
    assert store._checkpointer is None
    with store.checkpoint_after():
        _write_pages(store, 10, "k")
    assert store._checkpointer is not None
    store.close()


def test_close_waits_for_the_checkpoint(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    with store.checkpoint_after():
        _write_pages(store, WAL_CHECKPOINT_PAGES + 100, "k")
    thread = store._checkpointer
    assert thread is not None and thread.name == "wal-checkpoint"
    store.close()
    assert not thread.is_alive()
    reopened = Store(store.path)
    assert reopened.get_meta("k5") is not None
    reopened.close()


def test_a_failed_write_inside_still_restores_the_threshold(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    try:
        with store.checkpoint_after(), store.write() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES ('half', '1')")
            raise RuntimeError("stopped midway")
    except RuntimeError:
        pass
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
    assert store.get_meta("half") is None
    store.close()
