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


# -- the second look: an item taken by an older group moves to its own ------------


def _by_words(refine: int, leave: float = 0.0) -> Grouper:
    """Joins when the words cosine to the group's centroid is above one half."""
    weights = [0.0] * len(FEATURES)
    weights[0] = -0.5
    weights[FEATURES.index("cos_words")] = 1.0
    rule = Rule(
        Model(tuple(weights)),
        window_after=DAY,
        window_before=DAY,
        max_span=3 * DAY,
        refine=refine,
        refine_leave=leave,
    )
    return Grouper(rule, N)


def _rows(*vectors: tuple[float, float]) -> list[sp.csr_matrix]:
    """Words rows in two dimensions (unit length); names and headlines empty."""
    words = sp.csr_matrix(
        np.array([[x, y] + [0.0] * (N - 2) for x, y in vectors]), dtype=np.float32
    )
    empty = sp.csr_matrix((len(vectors), N), dtype=np.float32)
    return [words, empty, empty]


def _members(placed: dict) -> list[list[str]]:
    return sorted(sorted(k for k in placed if placed[k] == g) for g in set(placed.values()))


# a1 and a2 report one happening; b1 opens another that resembles it (cosine 0.6),
# and b2, b3 report b1's happening more plainly
OPENER = [(1.0, 0.0), (1.0, 0.0), (0.6, 0.8), (0.0, 1.0), (0.0, 1.0)]
IDS = ["a1", "a2", "b1", "b2", "b3"]


def test_an_opener_taken_by_an_older_group_moves_to_its_own() -> None:
    times = [0.0, 60.0, 120.0, 180.0, 240.0]
    greedy = _by_words(refine=0).assign(IDS, _rows(*OPENER), times)
    # one at a time, b1 joins the only group there is, and b2 finds it too far off
    assert _members(greedy) == [["a1", "a2", "b1"], ["b2", "b3"]]
    refined = _by_words(refine=2).assign(IDS, _rows(*OPENER), times)
    assert _members(refined) == [["a1", "a2"], ["b1", "b2", "b3"]]
    grouper = _by_words(refine=2)
    placed = grouper.assign(IDS, _rows(*OPENER), times)
    # the groups' state follows the move: their sums are their members' rows
    for group in grouper.groups.values():
        rows = [IDS.index(m) for m in group.members]
        expected = np.asarray(_rows(*OPENER)[0][rows].sum(axis=0))
        np.testing.assert_allclose(group.words.toarray(), expected, atol=1e-6)
        assert group.count == len(rows)
    assert _members(placed) == _members(refined)


def test_a_member_no_group_wants_starts_its_own_unless_told_to_bear_it() -> None:
    # c joins a's group (cosine 0.6), then d, e, f pull the centroid away from c
    vectors = [(1.0, 0.0), (0.6, 0.8), (0.96, -0.28), (0.96, -0.28), (0.96, -0.28)]
    ids = ["a", "c", "d", "e", "f"]
    times = [0.0, 60.0, 120.0, 180.0, 240.0]
    assert _members(_by_words(refine=0).assign(ids, _rows(*vectors), times)) == [ids]
    # against the four others, c's cosine is about 0.42: below one half, it leaves
    leaves = _by_words(refine=1).assign(ids, _rows(*vectors), times)
    assert _members(leaves) == [["a", "d", "e", "f"], ["c"]]
    # a small disagreement is no reason to split when leaving asks for more
    stays = _by_words(refine=1, leave=1.0).assign(ids, _rows(*vectors), times)
    assert _members(stays) == [ids]


def test_only_the_new_items_move_archived_members_stay() -> None:
    grouper = _by_words(refine=2)
    first = grouper.assign(IDS[:3], _rows(*OPENER[:3]), [0.0, 60.0, 120.0])
    assert _members(first) == [["a1", "a2", "b1"]]
    grouper.assign(IDS[3:], _rows(*OPENER[3:]), [180.0, 240.0])
    placed = {m: g.id for g in grouper.groups.values() for m in g.members}
    assert _members(placed) == [["a1", "a2", "b1"], ["b2", "b3"]]
