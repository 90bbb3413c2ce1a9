"""The grouping's sparse-row helpers build the same matrices scipy does; groups count outlets."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from briefing.cluster.grouping import (
    DAY,
    FEATURES,
    ROWS,
    VIEWS,
    Grouper,
    Model,
    Rule,
    empty_row,
    outlet_rows,
    row_of,
    row_range,
    stack,
)
from briefing.cluster.stage import pack_group, unpack_groups
from briefing.cluster.vectors import pack_rows, source_of

N = 2**12


def matrix(seed: int) -> sp.csr_matrix:
    out = sp.random(40, N, density=0.01, format="csr", dtype=np.float32, random_state=seed)
    keep = np.ones(40, dtype=np.float32)
    keep[7] = 0.0  # an empty row among them
    out = sp.csr_matrix(sp.diags(keep) @ out)
    out.eliminate_zeros()
    return out


def test_row_of_is_the_row_scipy_slices_and_computes_like_it() -> None:
    m = matrix(1)
    other = matrix(2)
    for n in range(m.shape[0]):
        row, ref = row_of(m, n), m[n]
        assert row.shape == (1, N) and (row != ref).nnz == 0
        np.testing.assert_allclose((row @ other.T).toarray(), (ref @ other.T).toarray())
        np.testing.assert_allclose((row + ref).toarray(), 2 * ref.toarray())
    # the row owns its buffers: changing it leaves the matrix alone
    before = m.copy()
    row_of(m, 0).data[:] = 5.0
    assert (m != before).nnz == 0


def test_row_ranges_and_empty_rows_are_what_scipy_builds() -> None:
    m = matrix(3)
    dense = np.random.default_rng(3).random(N).astype(np.float32)
    for lo, hi in [(0, 40), (5, 9), (7, 8), (12, 12), (39, 40)]:
        part, ref = row_range(m, lo, hi), m[lo:hi]
        assert part.shape == ref.shape and (part != ref).nnz == 0
        assert np.array_equal(part @ dense, ref @ dense)
    empty = empty_row(N)
    assert empty.shape == (1, N) and empty.nnz == 0 and empty.dtype == np.float32
    assert ((empty + m[3]) != m[3]).nnz == 0


def test_stack_of_rows_is_the_matrix() -> None:
    m = matrix(3)
    stacked = stack([row_of(m, n) for n in range(m.shape[0])], N)
    assert stacked.shape == m.shape and (stacked != m).nnz == 0
    assert stack([], N).shape == (0, N)


# -- the outlet view: a group counts its members' outlets ------------------------


def _grouper(same_outlet: float) -> Grouper:
    """Joins anything in the window unless the group already has the item's outlet."""
    weights = [0.0] * len(FEATURES)
    weights[0] = 1.0
    weights[FEATURES.index("same_outlet")] = same_outlet
    rule = Rule(Model(tuple(weights)), window_after=DAY, window_before=DAY, max_span=3 * DAY)
    return Grouper(rule, N)


def _views(k: int) -> list[sp.csr_matrix]:
    # every item alike, so only the outlets can tell them apart
    one = sp.csr_matrix(([1.0], ([0], [5])), shape=(1, N), dtype=np.float32)
    return [sp.csr_matrix(sp.vstack([one] * k)) for _ in range(VIEWS)]


def test_an_outlet_already_in_the_group_starts_a_new_one() -> None:
    outlets = ["Wire A", "wire a ", "Wire B", ""]
    ids = [f"a{n}" for n in range(len(outlets))]
    times = [0.0, 60.0, 120.0, 180.0]
    placed = _grouper(-5.0).assign(ids, _views(4), times, outlet_rows(outlets, N))
    # the second report of Wire A (names compared as written, case and spaces aside)
    # stands apart; Wire B and the unnamed outlet join the first group
    assert placed["a0"] == placed["a2"] == placed["a3"] != placed["a1"]
    # weighed 0, the outlet changes nothing: all one group
    flat = _grouper(0.0).assign(ids, _views(4), times, outlet_rows(outlets, N))
    assert len(set(flat.values())) == 1


def test_outlets_are_counted_across_chunks_and_in_the_stored_record() -> None:
    outlets = ["Wire A", "Wire B", "Wire A"]
    one_call = _grouper(-5.0)
    together = one_call.assign(["x", "y", "z"], _views(3), [0.0, 1.0, 2.0], outlet_rows(outlets, N))
    apart = _grouper(-5.0)
    views = _views(1)
    for n, item in enumerate(["x", "y", "z"]):
        apart.assign([item], views, [float(n)], outlet_rows([outlets[n]], N))
    groups_of = lambda p: sorted(sorted(k for k in p if p[k] == g) for g in set(p.values()))  # noqa: E731
    placed = {m: g.id for g in apart.groups.values() for m in g.members}
    assert groups_of(together) == groups_of(placed) == [["x", "y"], ["z"]]
    first = apart.groups[placed["x"]]
    assert first.outlet_row(N).sum() == 2 and first.outlet_row(N).nnz == 2
    # the record keeps the counts; one written before outlets were counted loads without
    stored = pack_group(first, N)
    loaded = unpack_groups({"g": stored}, N)["g"]
    assert (loaded.outlet_row(N) != first.outlet_row(N)).nnz == 0
    old = pack_rows(first.state(N)[:ROWS], [first.first, first.last, first.count])
    assert unpack_groups({"g": old}, N)["g"].outlet_row(N).nnz == 0


def test_one_feeds_outlets_are_told_apart_by_their_links() -> None:
    # an aggregator feed names every item after itself; the links still differ
    a = source_of("Security Desk", "https://www.packetpost.example/a")
    b = source_of("Security Desk", "https://globalwire.example/b")
    assert a != b and a == source_of(" security desk", "https://packetpost.example/c")
    rows = outlet_rows([a, b, a], N)
    assert (rows @ rows.T).toarray().tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
