"""The store-backed stage: incremental joins, stable ids, merges and splits with triage."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.cluster import stage
from briefing.models import Article, TriageState, from_iso
from briefing.store import Store, clusters, triage
from briefing.store import cluster_state as cs
from briefing.store.articles import upsert
from briefing.store.feeds import add as add_feed
from briefing.store.feeds import by_url
from tests.cluster.fixtures import BY_KEY, articles

MORNING = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
FEED = "https://fixtures.example/feed"


@pytest.fixture
def db(tmp_path: Path) -> Store:
    store = Store(tmp_path / "cluster.db")
    yield store
    store.close()


def put(store: Store, *keys: str) -> None:
    feed = by_url(store, FEED) or add_feed(store, FEED)
    assert feed.id is not None
    upsert(store, articles(feed.id, keys))


def event_of(store: Store, key: str) -> str:
    row = store.conn.execute("SELECT event_id FROM articles WHERE guid = ?", (key,)).fetchone()
    return str(row[0])


def story_of(store: Store, key: str) -> str:
    row = store.conn.execute(
        "SELECT e.story_id FROM articles a JOIN events e ON e.id = a.event_id WHERE a.guid = ?",
        (key,),
    ).fetchone()
    return str(row[0])


def snapshot(store: Store) -> list[list[tuple]]:
    return [
        [tuple(r) for r in store.query(f"SELECT * FROM {table} ORDER BY 1, 2")]
        for table in ("articles", "events", "stories", "triage", "features")
    ]


BAN = ("wire-ban", "packet-ban-copy", "policy-ban")
EXIT = ("ledger-exit", "packet-exit")
OTHERS = ("threat-research", "breach-lakeside", "infra-lakeside", "breach-harbor")


def test_first_run_writes_links_events_and_stories(db: Store) -> None:
    put(db, *BAN, *EXIT, *OTHERS)
    report = stage.run(db, now=MORNING)
    assert report.articles == 9 and report.duplicates == 1
    dup = db.conn.execute(
        "SELECT o.guid FROM articles a JOIN articles o ON o.id = a.duplicate_of "
        "WHERE a.guid = 'packet-ban-copy'"
    ).fetchone()
    assert dup[0] == "wire-ban"
    assert event_of(db, "wire-ban") == event_of(db, "policy-ban") == event_of(db, "packet-ban-copy")
    assert story_of(db, "wire-ban") == story_of(db, "ledger-exit")
    assert story_of(db, "threat-research") != story_of(db, "wire-ban")
    assert event_of(db, "breach-lakeside") != event_of(db, "breach-harbor")
    story = clusters.get_story(db, story_of(db, "wire-ban"))
    assert story is not None
    assert story.first_date.isoformat() == "2024-06-20"
    assert story.last_date.isoformat() == "2024-07-15"
    timeline = clusters.timeline(db, story.id)
    assert [e.date.isoformat() for e in timeline] == ["2024-06-20", "2024-07-15"]
    assert story.title in {e.title for e in timeline}
    assert all(e.title for e in timeline)
    assert story.last_event_at == MORNING
    assert db.query("SELECT COUNT(*) FROM articles WHERE event_id IS NULL")[0][0] == 0


def test_rerun_with_nothing_new_changes_nothing(db: Store) -> None:
    put(db, *BAN, *EXIT, *OTHERS)
    stage.run(db, now=MORNING)
    before = snapshot(db)
    report = stage.run(db, now=NEXT_DAY)
    assert report.articles == 0
    assert snapshot(db) == before


def test_new_article_joins_its_existing_event_and_ids_stay(db: Store) -> None:
    put(db, "wire-ban", "policy-ban", *EXIT, *OTHERS)
    stage.run(db, now=MORNING)
    event, story = event_of(db, "wire-ban"), story_of(db, "wire-ban")
    events_before = {r[0] for r in db.query("SELECT id FROM events")}
    db.conn.execute("UPDATE events SET summary_key = 'k1' WHERE id = ?", (event,))
    db.conn.execute("UPDATE stories SET summary_key = 'k2' WHERE id = ?", (story,))
    put(db, "ledger-ban")
    report = stage.run(db, now=NEXT_DAY)
    assert report.articles == 1 and report.new_events == 0 and report.grown_events == 1
    assert event_of(db, "ledger-ban") == event
    assert story_of(db, "ledger-ban") == story
    assert {r[0] for r in db.query("SELECT id FROM events")} == events_before
    # the grown event and its story must be summarized again; no new event, no bump
    assert db.query("SELECT summary_key FROM events WHERE id = ?", (event,))[0][0] is None
    row = db.query("SELECT summary_key, last_event_at FROM stories WHERE id = ?", (story,))[0]
    assert row[0] is None
    assert from_iso(row[1]) == MORNING


def test_new_event_joins_existing_story_and_bumps_last_event_at(db: Store) -> None:
    put(db, *BAN, *OTHERS)
    stage.run(db, now=MORNING)
    story = story_of(db, "wire-ban")
    other = story_of(db, "threat-research")
    put(db, *EXIT)
    report = stage.run(db, now=NEXT_DAY)
    assert report.new_events == 1
    assert story_of(db, "ledger-exit") == story
    assert story_of(db, "packet-exit") == story
    got = clusters.get_story(db, story)
    assert got is not None and got.last_event_at == NEXT_DAY
    assert got.last_date.isoformat() == "2024-07-15"
    untouched = clusters.get_story(db, other)
    assert untouched is not None and untouched.last_event_at == MORNING


def test_archived_copy_is_refolded_under_an_earlier_newcomer(db: Store) -> None:
    put(db, "packet-ban-copy", "policy-ban")
    stage.run(db, now=MORNING)
    put(db, "wire-ban")  # arrives late, but was published before the copy
    stage.run(db, now=NEXT_DAY)
    rows = {
        r["guid"]: r["duplicate_of"] for r in db.query("SELECT guid, duplicate_of FROM articles")
    }
    wire_id = db.query("SELECT id FROM articles WHERE guid = 'wire-ban'")[0][0]
    assert rows == {"packet-ban-copy": wire_id, "policy-ban": None, "wire-ban": None}
    assert event_of(db, "wire-ban") == event_of(db, "packet-ban-copy")


def test_merge_keeps_the_older_id_and_unions_triage_state(db: Store) -> None:
    put(db, *BAN, "ledger-exit", *OTHERS)
    stage.run(db, now=MORNING)
    main = story_of(db, "wire-ban")
    assert story_of(db, "ledger-exit") == main
    # An earlier run left one matter as two stories: the exit event on its own,
    # older than the other, with the same centroid.
    exit_event = event_of(db, "ledger-exit")
    with db.write() as conn:
        conn.execute(
            "INSERT INTO stories(id, title, first_date, last_date, created_at, last_event_at)"
            " VALUES ('old-story', 'x', '2024-07-15', '2024-07-15', '2026-01-01T00:00:00Z',"
            " '2026-01-01T00:00:00Z')"
        )
        conn.execute("UPDATE events SET story_id = 'old-story' WHERE id = ?", (exit_event,))
        conn.execute(
            "INSERT INTO features(kind, key, data) SELECT kind, 'old-story', data FROM features"
            " WHERE kind = ? AND key = ?",
            (stage.KIND_STORY, main),
        )
    triage.put(db, TriageState(main, starred=True, tags=["russia"]))
    triage.put(db, TriageState("old-story", note="watch the appeal", tags=["vendors"]))
    put(db, "packet-exit")
    report = stage.run(db, now=NEXT_DAY)
    assert report.merged_stories == 1
    assert story_of(db, "wire-ban") == story_of(db, "ledger-exit") == "old-story"
    assert clusters.get_story(db, main) is None
    state = triage.get(db, "old-story")
    assert state.starred and state.note == "watch the appeal"
    assert state.tags == ["russia", "vendors"]
    assert db.query("SELECT COUNT(*) FROM triage WHERE story_id = ?", (main,))[0][0] == 0


def test_split_leaves_id_and_state_with_the_larger_part(db: Store) -> None:
    put(db, *BAN, *EXIT, "breach-lakeside", "threat-research")
    stage.run(db, now=MORNING)
    main = story_of(db, "wire-ban")
    hospital_story = story_of(db, "breach-lakeside")
    hospital_event = event_of(db, "breach-lakeside")
    # An earlier run wrongly put the hospital attack into the Kaspersky story.
    with db.write() as conn:
        conn.execute("UPDATE events SET story_id = ? WHERE id = ?", (main, hospital_event))
        conn.execute("DELETE FROM stories WHERE id = ?", (hospital_story,))
        conn.execute(
            "DELETE FROM features WHERE kind = ? AND key = ?", (stage.KIND_STORY, hospital_story)
        )
    triage.put(db, TriageState(main, starred=True, note="brief the director"))
    put(db, "infra-lakeside")  # grows the hospital event, so its story is re-linked
    report = stage.run(db, now=NEXT_DAY)
    assert report.split_stories == 1
    assert story_of(db, "wire-ban") == story_of(db, "ledger-exit") == main
    split_off = story_of(db, "breach-lakeside")
    assert split_off != main and split_off != hospital_story
    assert triage.get(db, main).starred
    assert triage.get(db, main).note == "brief the director"
    assert triage.get(db, split_off).updated_at is None  # no state of its own
    assert {e.id for e in clusters.timeline(db, main)} == {
        event_of(db, "wire-ban"),
        event_of(db, "ledger-exit"),
    }


def partition(store: Store, keys: list[str], group_of: Callable[[Store, str], str]) -> set:
    groups: dict[str, set[str]] = {}
    for k in keys:
        groups.setdefault(group_of(store, k), set()).add(k)
    return {frozenset(g) for g in groups.values()}


def test_incremental_batches_match_one_batch(tmp_path: Path) -> None:
    keys = [*BAN, *EXIT, *OTHERS, "packet-harbor", "ledger-ban"]
    ordered = sorted(keys, key=lambda k: BY_KEY[k].published)
    one = Store(tmp_path / "one.db")
    put(one, *ordered)
    stage.run(one, now=MORNING)
    many = Store(tmp_path / "many.db")
    for start in range(0, len(ordered), 3):
        put(many, *ordered[start : start + 3])
        stage.run(many, now=MORNING)

    assert partition(one, keys, event_of) == partition(many, keys, event_of)
    assert partition(one, keys, story_of) == partition(many, keys, story_of)
    one.close()
    many.close()


def test_an_archive_grouped_before_novelty_was_kept_rebuilds_it(tmp_path: Path) -> None:
    keys = sorted([*BAN, *EXIT, *OTHERS, "packet-harbor"], key=lambda k: BY_KEY[k].published)
    kept, upgraded = Store(tmp_path / "kept.db"), Store(tmp_path / "upgraded.db")
    for store in (kept, upgraded):
        put(store, *keys[:6])
        stage.run(store, now=MORNING)
    # as if grouped by a version that kept no record of the terms events had
    cs.delete_blobs(upgraded.conn, stage.KIND_SEEN, ["seen"])
    upgraded.conn.commit()
    for store in (kept, upgraded):
        put(store, *keys[6:])
        stage.run(store, now=NEXT_DAY)
    for group_of in (event_of, story_of):
        assert partition(upgraded, keys, group_of) == partition(kept, keys, group_of)
    seen = [cs.get_blobs(s, stage.KIND_SEEN, ["seen"])["seen"] for s in (kept, upgraded)]
    assert seen[0] == seen[1]
    kept.close()
    upgraded.close()


def test_copy_of_a_copy_whose_original_left_the_window(db: Store) -> None:
    feed = by_url(db, FEED) or add_feed(db, FEED)
    assert feed.id is not None
    piece = BY_KEY["wire-ban"]
    for n, day in enumerate((0, 6, 12)):
        upsert(
            db,
            [
                Article(
                    feed_id=feed.id,
                    guid=f"rerun-{n}",
                    url=f"https://rerun{n}.example/ban",
                    title=piece.title,
                    outlet=f"Outlet {n}",
                    published=piece.published + timedelta(days=day),
                    summary=piece.teaser,
                    text="\n\n".join(piece.paragraphs),
                    extract_status="ok",
                )
            ],
        )
        stage.run(db, now=MORNING)
    rows = db.query("SELECT id, guid, duplicate_of, event_id FROM articles ORDER BY guid")
    first = rows[0]["id"]
    assert [r["duplicate_of"] for r in rows] == [None, first, first]
    assert len({r["event_id"] for r in rows}) == 1


def test_removed_feed_leaves_no_empty_events_or_stories(db: Store) -> None:
    put(db, "wire-ban", "policy-ban", *OTHERS)
    other = add_feed(db, "https://other.example/feed")
    assert other.id is not None
    piece = BY_KEY["ledger-exit"]
    upsert(
        db,
        [
            Article(
                feed_id=other.id,
                guid="exit-on-other-feed",
                url=piece.url,
                title=piece.title,
                outlet=piece.outlet,
                published=piece.published,
                summary=piece.teaser,
                text="\n\n".join(piece.paragraphs),
            )
        ],
    )
    stage.run(db, now=MORNING)
    exit_event = event_of(db, "exit-on-other-feed")
    with db.write() as conn:
        conn.execute("DELETE FROM feeds WHERE id = ?", (other.id,))
    put(db, "packet-exit")  # something new arrives, so the stage runs
    report = stage.run(db, now=NEXT_DAY)
    assert report.pruned_events == 1
    assert clusters.get_event(db, exit_event) is None
    assert (
        db.query(
            "SELECT COUNT(*) FROM events e WHERE NOT EXISTS"
            " (SELECT 1 FROM articles a WHERE a.event_id = e.id)"
        )[0][0]
        == 0
    )


def test_backlog_in_batches_gives_the_fixture_partition(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stage, "BATCH_ARTICLES", 3)
    keys = [*BAN, *EXIT, *OTHERS, "packet-harbor"]
    put(db, *keys)
    report = stage.run(db, now=MORNING)
    assert report.articles == len(keys)
    events: dict[str, set[str]] = {}
    for k in keys:
        events.setdefault(BY_KEY[k].event, set()).add(event_of(db, k))
    assert all(len(found) == 1 for found in events.values()), events
    assert len({event_of(db, k) for k in keys}) == len(events)
    assert story_of(db, "wire-ban") == story_of(db, "ledger-exit")
    assert story_of(db, "breach-lakeside") != story_of(db, "breach-harbor")


def test_stories_written_without_vectors_are_left_alone(db: Store) -> None:
    from tests.factories import ArticleSpec, EventSpec, StorySpec, populate

    piece = BY_KEY["policy-ban"]
    populate(
        db,
        [
            StorySpec(
                "hand-made",
                "Kaspersky ban",
                [
                    EventSpec(
                        piece.title,
                        piece.published.date(),
                        [ArticleSpec(piece.title, piece.outlet, piece.published, text="x")],
                    )
                ],
            )
        ],
    )
    put(db, "wire-ban", "ledger-exit", "packet-exit")
    stage.run(db, now=MORNING)
    assert clusters.get_story(db, "hand-made") is not None
    assert [e.id for e in clusters.timeline(db, "hand-made")] == ["hand-made-e0"]
    assert story_of(db, "ledger-exit") == story_of(db, "packet-exit") != "hand-made"


def _stopped(self: object, changed: set[str], created: set[str]) -> None:
    raise RuntimeError("stopped")


def test_a_small_run_stopped_before_its_stories_leaves_nothing_half_placed(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one batch is one transaction: events without stories are never committed
    monkeypatch.setattr(stage._Stories, "link", _stopped)
    put(db, *BAN, *EXIT)
    before = snapshot(db)
    with pytest.raises(RuntimeError):
        stage.run(db, now=MORNING)
    assert snapshot(db) == before
    monkeypatch.undo()
    stage.run(db, now=MORNING)
    assert db.query("SELECT COUNT(*) FROM events WHERE story_id IS NULL")[0][0] == 0
    assert story_of(db, "wire-ban") == story_of(db, "ledger-exit")


def test_events_left_without_a_story_by_a_stopped_run_get_one_next_run(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a backlog's batches commit their events before the story step; stop the run there
    monkeypatch.setattr(stage, "BATCH_ARTICLES", 2)
    monkeypatch.setattr(stage._Stories, "link", _stopped)
    put(db, *BAN, *EXIT)
    with pytest.raises(RuntimeError):
        stage.run(db, now=MORNING)
    assert db.query("SELECT COUNT(*) FROM events WHERE story_id IS NULL")[0][0] > 0
    monkeypatch.undo()
    put(db, "threat-research")
    stage.run(db, now=NEXT_DAY)
    assert db.query("SELECT COUNT(*) FROM events WHERE story_id IS NULL")[0][0] == 0
    assert story_of(db, "wire-ban") == story_of(db, "ledger-exit")
    assert story_of(db, "threat-research") != story_of(db, "wire-ban")


def _story_records(store: Store) -> dict[str, tuple[float, bytes]]:
    """Each stored story centroid with the archive size it was last linked at (NaN: never)."""
    from briefing.cluster.vectors import unpack_many
    from briefing.store import cluster_state as cs

    blobs = cs.all_blobs(store, stage.KIND_STORY)
    header, _ = unpack_many(list(blobs.values()), stage.DEFAULT.n_features, 1)
    linked = header[:, 3] if header.shape[1] > 3 else [float("nan")] * len(blobs)
    return {k: (float(linked[n]), blobs[k]) for n, k in enumerate(blobs)}


ALL_BUT_ONE = tuple(k for k in BY_KEY if k != "ledger-ban")


def _relinked(store: Store, monkeypatch: pytest.MonkeyPatch, drift: float) -> set[str]:
    """The stories a run re-links when the newcomer joins the Kaspersky ban event."""
    monkeypatch.setattr(stage, "DRIFT", drift)
    before = _story_records(store)
    put(store, "ledger-ban")
    stage.run(store, now=NEXT_DAY)
    after = _story_records(store)
    assert set(before) == set(after)
    return {s for s in after if after[s][1] != before[s][1]}


def test_stories_no_new_event_would_join_are_not_relinked(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(db, *ALL_BUT_ONE)
    stage.run(db, now=MORNING)
    assert {linked for linked, _ in _story_records(db).values()} == {len(ALL_BUT_ONE)}
    # the archive has hardly grown: only the story the newcomer's event is in
    relinked = _relinked(db, monkeypatch, drift=1.0)
    assert relinked == {story_of(db, "ledger-ban")}
    assert _story_records(db)[story_of(db, "ledger-ban")][0] == len(ALL_BUT_ONE) + 1


def _relinked_at_both_drifts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unmark: bool = False
) -> dict[float, set[str]]:
    """The stories re-linked with no drift allowed (0.0) and with any (1.0), each
    named by an article of theirs (story ids differ between the two stores).

    `unmark`: the stories are stored as an older version (or an analyst's
    correction) writes them, without the archive size they were linked at.
    """
    from briefing.cluster.vectors import pack_rows
    from briefing.store import cluster_state as cs

    relinked: dict[float, set[str]] = {}
    for drift in (1.0, 0.0):
        store = Store(tmp_path / f"{drift}.db")
        put(store, *ALL_BUT_ONE)
        stage.run(store, now=MORNING)
        if unmark:
            stories = cs.all_blobs(store, stage.KIND_STORY)
            unmarked = {
                k: pack_rows(g.state(stage.DEFAULT.n_features), [g.first, g.last, g.count])
                for k, g in stage.unpack_groups(stories, stage.DEFAULT.n_features).items()
            }
            with store.write() as conn:
                cs.put_blobs(conn, stage.KIND_STORY, unmarked)
        relinked[drift] = {
            next(k for k in BY_KEY if story_of(store, k) == s)
            for s in _relinked(store, monkeypatch, drift)
        }
        store.close()
    return relinked


def test_screened_stories_are_relinked_once_the_archive_has_grown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    relinked = _relinked_at_both_drifts(tmp_path, monkeypatch)
    assert relinked[1.0] == {"wire-ban"}
    assert relinked[0.0] > relinked[1.0]


def test_stories_never_marked_as_linked_are_relinked_when_screened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    relinked = _relinked_at_both_drifts(tmp_path, monkeypatch, unmark=True)
    assert relinked[1.0] == relinked[0.0] > {"wire-ban"}


def test_a_small_run_leaves_its_wal_copy_to_a_thread(db: Store) -> None:
    put(db, *BAN, *EXIT, *OTHERS)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stage.run(db, now=MORNING)
    # (SQLite's default threshold again for later commits; this small run is far below it)
    assert db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    db.wait_checkpoint()
    # the database file alone (its WAL unread) holds the run's events
    uri = f"{db.path.resolve().as_uri()}?mode=ro&immutable=1"
    file_only = sqlite3.connect(uri, uri=True)
    try:
        placed = file_only.execute("SELECT COUNT(*) FROM articles WHERE event_id IS NULL")
        assert placed.fetchone()[0] == 0
    finally:
        file_only.close()
