"""Online grouping by centroid similarity, the mechanics of both events and stories.

Items arrive in time order; each joins the most similar group whose time span
is close enough, if the similarity reaches the threshold, else it starts a new
group. The similarity mixes two cosines to the group's centroid: over words
and over names. Running new items against the groups an archive already has
is the same operation as clustering from scratch, so incremental and batch
runs agree by construction.

Within a chunk of items, similarities are computed with two sparse matrix
products (items x groups, items x items); the exact centroid cosine after
each join is then kept up to date from those dot products, so the loop over
items touches only small dense arrays.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from briefing.cluster.vectors import ItemId

CHUNK = 256


def new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True, slots=True)
class Rule:
    """How items join groups at one level (events or stories)."""

    threshold: float
    words_weight: float
    names_weight: float
    window_after: float  # seconds an item may follow the group's last item
    window_before: float  # seconds an item may precede the group's first item
    min_names: float = 0.0  # required names cosine when both sides have names


@dataclass(slots=True)
class Group:
    id: str
    first: float
    last: float
    words: sp.csr_matrix  # unnormalized sum of member vectors
    names: sp.csr_matrix
    members: list[ItemId] = field(default_factory=list)
    count: int = 0  # members that contributed vectors

    def centroid(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        return _unit(self.words), _unit(self.names)


def _unit(row: sp.csr_matrix) -> sp.csr_matrix:
    n = float(np.sqrt(np.dot(row.data, row.data))) if row.nnz else 0.0
    if n <= 0:
        return row
    return sp.csr_matrix((row.data / n, row.indices, row.indptr), shape=row.shape)


def row_of(matrix: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Row n as its own 1xN matrix, without scipy's slow generic indexing."""
    lo, hi = matrix.indptr[n], matrix.indptr[n + 1]
    return sp.csr_matrix(
        (matrix.data[lo:hi].copy(), matrix.indices[lo:hi].copy(), [0, hi - lo]),
        shape=(1, matrix.shape[1]),
    )


def row_norms2(matrix: sp.csr_matrix) -> np.ndarray:
    """Squared l2 norm of every row, straight from the CSR arrays."""
    out = np.zeros(matrix.shape[0])
    lengths = np.diff(matrix.indptr)
    filled = lengths > 0
    if filled.any():
        squares = np.asarray(matrix.data, dtype=np.float64) ** 2
        out[filled] = np.add.reduceat(squares, matrix.indptr[:-1][filled])
    return out


def score(cos_w: np.ndarray, cos_n: np.ndarray, has_names: np.ndarray, rule: Rule) -> np.ndarray:
    """Mixed similarity; without names on either side, words alone decide."""
    total = rule.words_weight + rule.names_weight
    mixed = (rule.words_weight * cos_w + rule.names_weight * cos_n) / total
    out = np.where(has_names, mixed, cos_w)
    if rule.min_names > 0:
        out = np.where(has_names & (cos_n < rule.min_names), 0.0, out)
    return out


class Grouper:
    def __init__(self, rule: Rule, n_features: int) -> None:
        self.rule = rule
        self.n_features = n_features
        self.groups: dict[str, Group] = {}

    def add_group(self, group: Group) -> None:
        self.groups[group.id] = group

    def candidates(self, start: float, end: float) -> list[Group]:
        r = self.rule
        return [
            g
            for g in self.groups.values()
            if g.last + r.window_after >= start and g.first - r.window_before <= end
        ]

    def assign(
        self,
        items: Sequence[ItemId],
        words: sp.csr_matrix,
        names: sp.csr_matrix,
        times: Sequence[float],
    ) -> dict[ItemId, str]:
        """Place items (sorted by time; rows l2-normalized) and return item -> group id."""
        out: dict[ItemId, str] = {}
        words = sp.csr_matrix(words)
        names = sp.csr_matrix(names)
        for start in range(0, len(items), CHUNK):
            stop = min(start + CHUNK, len(items))
            out.update(
                self._chunk(
                    items[start:stop], words[start:stop], names[start:stop], times[start:stop]
                )
            )
        return out

    def _chunk(
        self,
        items: Sequence[ItemId],
        xw: sp.csr_matrix,
        xn: sp.csr_matrix,
        times: Sequence[float],
    ) -> dict[ItemId, str]:
        rule = self.rule
        m = len(items)
        t = np.asarray(times, dtype=np.float64)
        cands = self.candidates(float(t.min()), float(t.max()))
        k = len(cands)
        size = k + m
        dw = np.zeros((m, size), dtype=np.float64)
        dn = np.zeros((m, size), dtype=np.float64)
        nw = np.zeros(size)
        nn = np.zeros(size)
        first = np.full(size, np.inf)
        last = np.full(size, -np.inf)
        if k:
            cw = sp.vstack([g.words for g in cands]).tocsr()
            cn = sp.vstack([g.names for g in cands]).tocsr()
            # (groups x items).T: the big group matrix stays CSR, never transposed
            dw[:, :k] = (cw @ xw.T).toarray().T
            dn[:, :k] = (cn @ xn.T).toarray().T
            nw[:k] = row_norms2(cw)
            nn[:k] = row_norms2(cn)
            first[:k] = [g.first for g in cands]
            last[:k] = [g.last for g in cands]
        pw = (xw @ xw.T).toarray()
        pn = (xn @ xn.T).toarray()
        item_w = np.diag(pw).copy()
        item_n = np.diag(pn).copy()
        used = k
        choice = np.empty(m, dtype=np.int64)
        for i in range(m):
            j = -1
            if used:
                ok = (t[i] <= last[:used] + rule.window_after) & (
                    t[i] >= first[:used] - rule.window_before
                )
                idx = np.flatnonzero(ok & (nw[:used] > 0))
                if idx.size:
                    cos_w = dw[i, idx] / np.sqrt(nw[idx])
                    with np.errstate(divide="ignore", invalid="ignore"):
                        cos_n = np.where(nn[idx] > 0, dn[i, idx] / np.sqrt(nn[idx]), 0.0)
                    has = (nn[idx] > 0) & (item_n[i] > 0)
                    s = score(cos_w, cos_n, has, rule)
                    best = int(np.argmax(s))
                    if s[best] >= rule.threshold:
                        j = int(idx[best])
            if j < 0:
                j = used
                used += 1
            choice[i] = j
            nw[j] += 2 * dw[i, j] + item_w[i]
            nn[j] += 2 * dn[i, j] + item_n[i]
            dw[i + 1 :, j] += pw[i + 1 :, i]
            dn[i + 1 :, j] += pn[i + 1 :, i]
            first[j] = min(first[j], t[i])
            last[j] = max(last[j], t[i])
        return self._commit(items, xw, xn, t, cands, choice, used)

    def _commit(
        self,
        items: Sequence[ItemId],
        xw: sp.csr_matrix,
        xn: sp.csr_matrix,
        t: np.ndarray,
        cands: list[Group],
        choice: np.ndarray,
        used: int,
    ) -> dict[ItemId, str]:
        k = len(cands)
        m = len(items)
        groups = list(cands)
        for _ in range(k, used):
            empty = sp.csr_matrix((1, self.n_features), dtype=np.float32)
            group = Group(new_id(), np.inf, -np.inf, empty, empty.copy())
            while group.id in self.groups:
                group.id = new_id()
            self.groups[group.id] = group
            groups.append(group)
        touched = np.unique(choice)
        pos = {int(j): n for n, j in enumerate(touched)}
        rows = [pos[int(j)] for j in choice]
        indicator = sp.csr_matrix(
            (np.ones(m, dtype=np.float32), (rows, np.arange(m))), shape=(len(touched), m)
        )
        sum_w = (indicator @ xw).tocsr()
        sum_n = (indicator @ xn).tocsr()
        out: dict[ItemId, str] = {}
        order = sorted(pos, key=lambda j: pos[j])
        new_w = (sp.vstack([groups[j].words for j in order]).tocsr() + sum_w).tocsr()
        new_n = (sp.vstack([groups[j].names for j in order]).tocsr() + sum_n).tocsr()
        for j in order:
            n = pos[j]
            groups[j].words = row_of(new_w, n)
            groups[j].names = row_of(new_n, n)
        for i, j in enumerate(choice):
            g = groups[int(j)]
            g.members.append(items[i])
            g.count += 1
            g.first = min(g.first, float(t[i]))
            g.last = max(g.last, float(t[i]))
            out[items[i]] = g.id
        return out
