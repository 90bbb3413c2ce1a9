"""A second look at a chunk's placements: each item may move to the group that suits it best.

The grouping places items one at a time, in time order. An article that opens
a new happening can be taken by an older neighbour before its own event's other
reports arrive, and those then follow it there: two events merge through their
first article. Once the whole chunk is placed, every item is scored again
against the groups as they finally are (its own group without it), with the
same join model, and moves to the group it now joins best, or starts a group of
its own when none wants it. A sweep or two settles it.

Only the chunk's own items move. Groups loaded from the archive keep the state
they came in with as a base, so an incremental run refines its new articles
the way a batch run refines the same chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# (time, dots, group norms, item norms, count, first, last, groups, same, the item's own group)
#   -> (the groups the item may join, its join logits with them)
Logits = Callable[
    [
        float,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        int,
        np.ndarray,
        int,
    ],
    tuple[np.ndarray, np.ndarray],
]
# (times, dots, group norms, item norms, count, first, last, same, the item's own group?),
#   one pair per column -> the pairs' join logits, the same as `Logits` gives one by one;
#   -inf out of reach
PairLogits = Callable[
    [
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
    ],
    np.ndarray,
]
# a decision this close to its threshold is taken item by item, not from the table:
# the table's arithmetic may round differently in the last place
MARGIN = 1e-6


@dataclass(slots=True)
class Base:
    """The groups as the chunk found them (new slots empty), item-major like the chunk's arrays.

    dots (rows, items, groups): each item with each group's sums, then its latest member;
    gn2 (rows, groups) their squared norms; same (items, groups) shared-outlet counts.
    """

    dots: np.ndarray
    gn2: np.ndarray
    same: np.ndarray
    count: np.ndarray
    first: np.ndarray
    last: np.ndarray


@dataclass(slots=True)
class Placed:
    """The greedy pass's outcome: each item's group, the slots in use (the first k loaded),
    and the groups' sums norms (rows, groups), counts and spans as it left them."""

    choice: np.ndarray
    used: int
    k: int
    gn2: np.ndarray
    count: np.ndarray
    first: np.ndarray
    last: np.ndarray


@dataclass(slots=True)
class Chunk:
    """The chunk's items among themselves: view dots (views, m, m), norms, shared outlets."""

    pairs: np.ndarray
    in2: np.ndarray
    shared: np.ndarray
    times: np.ndarray


class Refinement:
    """Moves a chunk's items between groups while the join model prefers another group."""

    def __init__(
        self,
        base: Base,
        chunk: Chunk,
        placed: Placed,
        logits: tuple[Logits, PairLogits],
        leave: float,
    ) -> None:
        self.base, self.chunk = base, chunk
        self.logits, self.pair_logits = logits
        self.leave = leave
        self.choice = placed.choice.copy()
        self.used, self.k = placed.used, placed.k
        views, m = chunk.pairs.shape[:2]
        size = base.count.shape[0]
        member = sp.csr_matrix((np.ones(m), (np.arange(m), self.choice)), shape=(m, size))
        # every item against every group's full sums (the greedy pass kept only later items')
        within = (member.T @ chunk.pairs.reshape(views * m, m).T).T.reshape(views, m, size)
        self.dots = base.dots[:views] + within
        self.gn2 = placed.gn2[:views].copy()
        self.same = base.same + (member.T @ chunk.shared.T).T
        self.count = placed.count.copy()
        self.first, self.last = placed.first.copy(), placed.last.copy()
        # each group's latest chunk member (items come in time order); -1: its base one
        self.latest = np.full(size, -1)
        np.maximum.at(self.latest, self.choice, np.arange(m))
        # every item's join logits with every group (see `run`); -inf: out of reach
        self.table = np.full((m, size), -np.inf)

    def run(self, sweeps: int, one_by_one: bool = False) -> tuple[np.ndarray, int]:
        """Returns the new choice per item and the slots in use (new groups compacted).

        An item is scored again only when some item has moved since it was last
        scored (its own move changes nothing it is scored against: it is always
        taken out of its own group first). Until the next move, every item's
        decision depends only on the groups as they are: the decisions come from
        a table of all items' logits with all groups, and only an item the
        table says may move is scored on its own (`_revisit`, which moves it).
        A move changes two groups, so two columns of the table. `one_by_one`
        scores every item on its own instead: the reference the table must match.
        """
        moves = 0
        scored_at = np.full(len(self.choice), -1)
        if not one_by_one:
            self._rescore(np.arange(self.used))
        for _ in range(sweeps):
            before = moves
            start = 0
            while True:
                pending = start + np.flatnonzero(scored_at[start:] != moves)
                if not one_by_one:
                    pending = pending[self._may_move(pending)]
                if not pending.size:
                    break
                i = int(pending[0])
                scored_at[start:i] = moves  # (the ones the table keeps where they are too)
                own = int(self.choice[i])
                if self._revisit(i):
                    moves += 1
                    if not one_by_one:
                        self._rescore(np.array([own, self.choice[i]]))
                scored_at[i] = moves
                start = i + 1
            scored_at[start:] = moves
            if moves == before:
                break
        return self._compacted()

    def _may_move(self, items: np.ndarray) -> np.ndarray:
        """Of these items, the ones the table does not show staying clearly where they are."""
        own = self.choice[items]
        rows = self.table[items, : self.used]
        n = np.arange(len(items))
        stay = rows[n, own]
        rows[n, own] = -np.inf
        best = rows.max(axis=1)
        # `_revisit`'s two reasons to move, each with a margin
        joins = best > np.maximum(stay, 0.0) - MARGIN
        leaves = (self.count[own] - 1 > 0) & (stay < -self.leave + MARGIN)
        return joins | leaves

    def _rescore(self, cols: np.ndarray) -> None:
        """Every item's logits with these groups (with its own group: without it) into the table."""
        views, m = self.chunk.pairs.shape[:2]
        pairs, in2 = self.chunk.pairs, self.chunk.in2
        d = np.empty((2 * views, m, len(cols)))
        g = np.empty((2 * views, m, len(cols)))
        d[:views] = self.dots[:, :, cols]
        g[:views] = self.gn2[:, None, cols]
        lat = self.latest[cols]
        has = lat >= 0
        d[views:] = self.base.dots[views:, :, cols]
        g[views:] = self.base.gn2[views:, None, cols]
        d[views:, :, has] = pairs[:, :, lat[has]]
        g[views:, :, has] = in2[:, None, lat[has]]
        count = np.repeat(self.count[None, cols], m, axis=0)
        first = np.repeat(self.first[None, cols], m, axis=0)
        last = np.repeat(self.last[None, cols], m, axis=0)
        same = self.same[:, cols]  # (a copy: fancy indexing)
        # each item's own group without it, as `_revisit` takes it out
        r, c = np.nonzero(self.choice[:, None] == cols[None, :])
        j = cols[c]
        d[:views, r, c] -= in2[:, r]
        g[:views, r, c] = self.gn2[:, j] - 2 * self.dots[:, r, j] + in2[:, r]
        count[r, c] -= 1
        same[r, c] -= self.chunk.shared[r, r]
        lo, hi, lat_r = self._without()
        first[r, c], last[r, c], lat_r = lo[r], hi[r], lat_r[r]
        on = lat_r >= 0
        d[views:, r, c] = np.where(on, pairs[:, r, lat_r], self.base.dots[views:, r, j])
        g[views:, r, c] = np.where(on, in2[:, lat_r], self.base.gn2[views:, j])
        gone = count[r, c] <= 0
        g[:, r[gone], c[gone]] = 0.0  # nothing left to join
        n = m * len(cols)
        times = np.repeat(self.chunk.times, len(cols))
        in2x = np.repeat(np.concatenate([in2, in2]), len(cols), axis=1)
        member = np.zeros((m, len(cols)), dtype=bool)
        member[r, c] = True
        logits = self.pair_logits(
            times, d.reshape(-1, n), g.reshape(-1, n), in2x, count.ravel(), first.ravel(),
            last.ravel(), same.ravel(), member.ravel(),
        )  # fmt: skip
        self.table[:, cols] = logits.reshape(m, len(cols))

    def _without(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per item, its own group's first, last and latest member without it (as `_span`)."""
        choice, t = self.choice, self.chunk.times
        m = len(choice)
        by_time = np.lexsort((t, choice))
        by_index = np.argsort(choice, kind="stable")
        grouped = choice[by_index]  # (both orders group the items alike)
        opens = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        ends = np.r_[opens[1:], m]
        seg = np.repeat(np.arange(len(opens)), np.diff(np.r_[opens, m]))
        s, e, p = opens[seg], ends[seg], np.arange(m)
        alone = e - s == 1
        # the earliest of the others is the segment's first, or its second for the first
        lo_at = np.where(p == s, np.minimum(s + 1, m - 1), s)
        hi_at = np.where(p == e - 1, np.maximum(e - 2, 0), e - 1)
        lo = np.where(alone, np.inf, t[by_time[lo_at]])
        hi = np.where(alone, -np.inf, t[by_time[hi_at]])
        latest = np.where(alone, -1, by_index[hi_at])
        own = choice[by_time]
        out_lo, out_hi, out_latest = np.empty(m), np.empty(m), np.empty(m, dtype=np.int64)
        out_lo[by_time] = np.minimum(self.base.first[own], lo)
        out_hi[by_time] = np.maximum(self.base.last[own], hi)
        out_latest[by_index] = latest
        return out_lo, out_hi, out_latest

    def _members(self, j: int, without: int = -1) -> np.ndarray:
        idx = np.flatnonzero(self.choice == j)
        return idx[idx != without]

    def _span(self, j: int, without: int = -1) -> tuple[float, float, int]:
        """Sets group j's first, last and latest member from its base and its chunk members."""
        idx = self._members(j, without)
        t = self.chunk.times[idx]
        first = min(self.base.first[j], float(t.min())) if idx.size else self.base.first[j]
        last = max(self.base.last[j], float(t.max())) if idx.size else self.base.last[j]
        latest = int(idx.max()) if idx.size else -1  # items come in time order
        self.first[j], self.last[j], self.latest[j] = first, last, latest
        return first, last, latest

    def _revisit(self, i: int) -> bool:
        """Item i's best group with i taken out of its own; moves it there, True if it moved."""
        own, used = int(self.choice[i]), self.used
        d, g, same = self._state(i, used)
        count = self.count[:used].copy()
        first, last = self.first[:used].copy(), self.last[:used].copy()
        views, in2 = self.chunk.pairs.shape[0], self.chunk.in2[:, i]
        # its own group without it
        d[:views, own] -= in2
        g[:views, own] = self.gn2[:, own] - 2 * self.dots[:, i, own] + in2
        count[own] -= 1
        same[own] -= self.chunk.shared[i, i]
        lo, hi, lat = self._span(own, without=i)
        first[own], last[own] = lo, hi
        d[views:, own], g[views:, own] = self._latest_of(own, lat, i)
        self._span(own)  # (restored: nothing has moved yet)
        if count[own] <= 0:
            g[:, own] = 0.0  # nothing left to join
        idx, logits = self.logits(
            float(self.chunk.times[i]), d, g, np.concatenate([in2, in2]), count, first, last,
            used, same, own,
        )  # fmt: skip
        mine = idx == own
        stay = float(logits[mine][0]) if mine.any() else -np.inf
        others = np.where(mine, -np.inf, logits)
        b = int(np.argmax(others)) if idx.size else -1
        if b >= 0 and others[b] > max(stay, 0.0):
            j = int(idx[b])
        elif count[own] > 0 and stay < -self.leave:
            j = self._free_slot(own)
        else:
            return False
        self._move(i, own, j, g[:views, own])
        return True

    def _state(self, i: int, used: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Item i with every group: dots (sums, then latest member), their norms, shared outlets."""
        views = self.chunk.pairs.shape[0]
        d = np.empty((2 * views, used))
        g = np.empty((2 * views, used))
        d[:views] = self.dots[:, i, :used]
        g[:views] = self.gn2[:, :used]
        lat = self.latest[:used]
        has = lat >= 0
        d[views:] = self.base.dots[views:, i, :used]
        g[views:] = self.base.gn2[views:, :used]
        d[views:, has] = self.chunk.pairs[:, i, lat[has]]
        g[views:, has] = self.chunk.in2[:, lat[has]]
        return d, g, self.same[i, :used].copy()

    def _latest_of(self, j: int, lat: int, i: int) -> tuple[np.ndarray, np.ndarray]:
        if lat < 0:
            views = self.chunk.pairs.shape[0]
            return self.base.dots[views:, i, j], self.base.gn2[views:, j]
        return self.chunk.pairs[:, i, lat], self.chunk.in2[:, lat]

    def _free_slot(self, own: int) -> int:
        """An empty new group for an item no group wants."""
        for j in range(self.k, self.used):
            if j != own and self.count[j] <= 0:
                return j
        self.used += 1
        return self.used - 1

    def _move(self, i: int, own: int, j: int, own_gn2: np.ndarray) -> None:
        pairs, in2 = self.chunk.pairs[:, :, i], self.chunk.in2[:, i]
        if self.count[j] <= 0:  # an emptied slot: clear what rounding left
            self.dots[:, :, j] = self.base.dots[: len(in2), :, j]
            self.gn2[:, j] = self.base.gn2[: len(in2), j]
            self.same[:, j] = self.base.same[:, j]
        self.gn2[:, own] = own_gn2
        self.dots[:, :, own] -= pairs
        self.gn2[:, j] += 2 * self.dots[:, i, j] + in2
        self.dots[:, :, j] += pairs
        self.same[:, own] -= self.chunk.shared[:, i]
        self.same[:, j] += self.chunk.shared[:, i]
        self.count[own] -= 1
        self.count[j] += 1
        self.choice[i] = j
        self._span(own)
        self._span(j)

    def _compacted(self) -> tuple[np.ndarray, int]:
        k = self.k
        fresh = np.unique(self.choice[self.choice >= k])
        out = self.choice.copy()
        for n, j in enumerate(fresh):
            out[self.choice == j] = k + n
        return out, k + len(fresh)
