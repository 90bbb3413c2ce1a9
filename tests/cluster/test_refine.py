"""The second look decides from a table of all items' logits, exactly as item by item."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from briefing.cluster.grouping import DAY, Grouper, outlet_rows
from briefing.cluster.params import DEFAULT
from briefing.cluster.refine import Refinement
from briefing.cluster.rules import event_rule
from briefing.cluster.vectors import ItemId

N = 2**12


def _happenings(seed: int, n: int = 600, topics: int = 50) -> tuple:
    """Items over ten days, each mostly one topic's terms with a little of another's:
    enough overlap that the greedy pass takes some openers wrongly (and outlets repeat)."""
    rng = np.random.default_rng(seed)
    terms = rng.integers(0, N, (topics, 30))
    opens = rng.uniform(0, 10 * DAY, topics)
    topic, other = rng.integers(0, topics, n), rng.integers(0, topics, n)
    times = opens[topic] + rng.uniform(0, 2 * DAY, n)
    order = np.argsort(times)
    topic, other, times = topic[order], other[order], times[order]
    views = []
    for size in (15, 8, 8):  # words, names, headlines
        cols = np.concatenate(
            [
                np.take_along_axis(terms[topic], rng.integers(0, 30, (n, size)), axis=1),
                np.take_along_axis(terms[other], rng.integers(0, 30, (n, 4)), axis=1),
                rng.integers(0, N, (n, 4)),
            ],
            axis=1,
        )
        rows = np.repeat(np.arange(n), cols.shape[1])
        x = sp.csr_matrix((rng.uniform(0.5, 1.5, cols.size), (rows, cols.ravel())), (n, N))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        views.append(sp.csr_matrix(sp.diags(1 / norms) @ x, dtype=np.float32))
    outlets = outlet_rows([f"outlet {k}" for k in rng.integers(0, 5, n)], N)
    ids: list[ItemId] = [str(i) for i in range(n)]
    return ids, views, list(times), outlets


def _partition(placed: dict) -> list[list[ItemId]]:
    return sorted(sorted(k for k in placed if placed[k] == g) for g in set(placed.values()))


@pytest.mark.parametrize("seed", [0, 1])
def test_the_table_places_every_item_where_one_by_one_does(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, views, times, outlets = _happenings(seed)
    rule = event_rule(DEFAULT)
    # three chunks: the later ones refine against groups an earlier chunk left
    greedy = Grouper(replace(rule, refine=0), N).assign(ids, views, times, outlets)
    table = Grouper(rule, N).assign(ids, views, times, outlets)
    chosen: list[np.ndarray] = []
    run = Refinement.run

    def one_by_one(self: Refinement, sweeps: int) -> tuple[np.ndarray, int]:
        out = run(self, sweeps, one_by_one=True)
        chosen.append(out[0])
        return out

    monkeypatch.setattr(Refinement, "run", one_by_one)
    reference = Grouper(rule, N).assign(ids, views, times, outlets)
    assert len(chosen) == 3
    assert _partition(table) == _partition(reference)
    # not a vacuous match: the second look moved items
    assert _partition(table) != _partition(greedy)


def test_the_first_report_stays_when_the_others_came_more_than_a_lead_later() -> None:
    """The first report of a happening, then two more a day and a half and two days
    later: all within the window after it, so one event. The second look takes each
    item out of its group; the first must not then be out of reach of the rest
    merely because it precedes them by more than a newcomer's lead."""
    rng = np.random.default_rng(7)
    shared = rng.integers(0, N, 12)
    rows = []
    for _ in range(3):
        own = rng.integers(0, N, 3)
        cols = np.concatenate([shared, own])
        x = sp.csr_matrix((np.ones(cols.size), (np.zeros(cols.size, dtype=int), cols)), (1, N))
        rows.append(x / np.sqrt(x.multiply(x).sum()))
    view = sp.csr_matrix(sp.vstack(rows), dtype=np.float32)
    rule = event_rule(DEFAULT)
    times = [0.0, 1.6 * DAY, 2.1 * DAY]
    assert rule.window_before < times[1] <= rule.window_after
    placed = Grouper(rule, N).assign(["first", "second", "third"], [view, view, view], times)
    assert len(set(placed.values())) == 1
