"""Novel terms: what no earlier event had, as story linking discounts it."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from briefing.cluster.grouping import FEATURES, Grouper, Model, Rule
from briefing.cluster.novelty import Seen

N = 32


def rows(*dense: list[float]) -> list[sp.csr_matrix]:
    """The same matrix for every view: one row per item, unit rows."""
    m = np.zeros((len(dense), N), dtype=np.float32)
    for i, values in enumerate(dense):
        m[i, : len(values)] = values
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return [sp.csr_matrix(m) for _ in range(3)]


def test_a_column_is_novel_until_an_earlier_item_has_had_it() -> None:
    seen = Seen(N)
    first = rows([1, 1, 0, 0], [0, 1, 1, 0])
    # the second item shares column 1 with the first, placed before it in the same batch
    assert np.allclose(seen.shares(first, np.array([100.0, 200.0]))[0], [1.0, 0.5])
    seen.record(first, np.array([100.0, 200.0]), placed=False)
    later = rows([0, 0, 1, 1])
    assert np.allclose(seen.shares(later, np.array([300.0]), in_order=False)[0], [0.5])
    # an item dated before both has nothing known: those columns came after it
    assert np.allclose(seen.shares(later, np.array([50.0]), in_order=False)[0], [1.0])


def test_what_was_seen_survives_a_round_trip_and_a_foreign_blob_is_ignored() -> None:
    seen = Seen(N)
    seen.record(rows([1, 0, 2] + [0] * 17 + [1]), np.array([1234.5]))
    back = Seen.from_bytes(seen.to_bytes(), N)
    assert np.array_equal(back.first, seen.first)
    assert not back.placed.any()  # (this run's placements are not stored)
    assert (Seen.from_bytes(b"junk", N).first == Seen(N).first).all()
    assert (Seen.from_bytes(seen.to_bytes(), 8).first == Seen(8).first).all()


def story_grouper(seen: Seen | None) -> Grouper:
    weights = [0.0] * len(FEATURES)
    weights[0] = -0.8
    weights[FEATURES.index("cos_words")] = 1.0
    rule = Rule(Model(tuple(weights)), 1e9, 1e9, np.inf)
    return Grouper(rule, N, seen=seen)


def test_a_newcomer_is_compared_by_what_can_match_at_all() -> None:
    # the second item's terms 2..5 were never had by anyone: they only dilute its cosine
    views = rows([1, 1], [1, 1, 1, 1, 1, 1])
    times = [0.0, 10.0]
    plain = story_grouper(None).assign(["a", "b"], views, times)
    discounted = story_grouper(Seen(N)).assign(["a", "b"], views, times)
    assert plain["a"] != plain["b"]  # its cosine with the whole row: 0.58
    assert discounted["a"] == discounted["b"]
