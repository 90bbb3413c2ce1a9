"""A big backlog's features come from a worker process, and are the same as scanned here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from briefing.cluster import ahead, stage
from briefing.cluster.ahead import Ahead, Features, compute
from briefing.cluster.params import DEFAULT
from briefing.store import Store
from briefing.store.articles import upsert
from briefing.store.feeds import add as add_feed
from tests.cluster.fixtures import PIECES, articles, docs


def _batches() -> list[list]:
    pieces = [p.key for p in PIECES]
    return [docs(*pieces[n : n + 5]) for n in range(0, len(pieces), 5)]


def _same_matrix(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def _same(a: Features, b: Features) -> bool:
    matrices = ("words", "names", "titles", "outlets")
    return all(_same_matrix(getattr(a, m), getattr(b, m)) for m in matrices) and np.array_equal(
        a.signatures, b.signatures
    )


def test_the_worker_scans_batches_as_this_process_does() -> None:
    batches = _batches()
    with Ahead(DEFAULT, parallel=True) as scanner:
        got = list(scanner.of(batches))
        from_worker = scanner.from_worker
    assert [d for d, _ in got] == batches
    assert from_worker == len(batches) - 1  # the first is scanned here meanwhile
    for docs_, features in got:
        assert _same(features, compute(docs_, DEFAULT))
        assert features.signatures.shape == (len(docs_), DEFAULT.num_perm)


def test_a_lost_worker_costs_time_not_features() -> None:
    batches = _batches()
    with Ahead(DEFAULT, parallel=True) as scanner:
        stream = scanner.of(batches)
        got = [next(stream), next(stream)]
        pool = scanner._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # (the worker dies mid-run)
            process.kill()
            process.join()
        got += list(stream)
    assert [d for d, _ in got] == batches
    for docs_, features in got:
        assert _same(features, compute(docs_, DEFAULT))


def _partition(store: Store) -> set[frozenset[str]]:
    events: dict[str, set[str]] = {}
    for guid, event in store.query("SELECT guid, event_id FROM articles"):
        events.setdefault(event, set()).add(guid)
    return {frozenset(members) for members in events.values()}


def _clustered(
    folder: Path, parallel_from: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[Store, stage.ClusterReport]:
    monkeypatch.setattr(stage, "BATCH_ARTICLES", 4)
    monkeypatch.setattr(stage, "PARALLEL_FROM", parallel_from)
    store = Store(folder / "cluster.db")
    feed = add_feed(store, "https://fixtures.example/feed")
    assert feed.id is not None
    upsert(store, articles(feed.id, [p.key for p in PIECES]))
    return store, stage.run(store)


def test_a_backlog_scanned_ahead_clusters_as_one_scanned_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    (tmp_path / "ahead").mkdir()
    here, _ = _clustered(tmp_path / "here", len(PIECES), monkeypatch)
    scanned, report = _clustered(tmp_path / "ahead", 0, monkeypatch)
    try:
        # the wait for the worker is its own phase; the phases never add up to more
        # than the run (reading a batch counts once, as "read")
        assert report.phases["features"] > 0
        assert sum(report.phases.values()) <= report.seconds
        assert _partition(scanned) == _partition(here)
        assert len(_partition(here)) < len(PIECES)  # (there was grouping to get right)
        sigs = "SELECT a.guid, f.data FROM features f JOIN articles a ON f.key = a.id"
        sigs += f" WHERE f.kind = '{stage.KIND_SIG}'"
        stored = sorted(map(tuple, here.query(sigs)))
        assert len(stored) == len(PIECES)
        assert sorted(map(tuple, scanned.query(sigs))) == stored
    finally:
        here.close()
        scanned.close()


def test_small_backlogs_start_no_worker() -> None:
    assert ahead.PARALLEL_FROM >= 10 * stage.BATCH_ARTICLES // 4
    with Ahead(DEFAULT, parallel=False) as scanner:
        assert scanner._pool is None
        list(scanner.of(_batches()))
        assert scanner.from_worker == 0
