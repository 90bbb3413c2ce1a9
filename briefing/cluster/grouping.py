"""Online grouping by similarity to the group as a whole, the mechanics of events and stories.

Items arrive in time order; each joins the group it most likely belongs to, if
that likelihood reaches one half, else it starts a new group. The likelihood
is a small logistic model (`Model`) over pairwise features of the item and the
group: cosines to the group's centroids over words, names and headlines, the
time gap, the span the group would reach and its size. The weights are fitted
offline on labeled data (`benchmarks/train_pairs.py`) and shipped in `params`.
Stories compare an event by its known part only, the terms some earlier
event has had, and their model is told the share that was novel (`novelty`).
Joining by the centroid, within a bounded span, is what keeps events from
chaining: a newcomer must resemble the event, not just its nearest member.
Events then take a second look at each chunk (`refine`): an article that
opened a happening but was taken by an older event moves to its own once the
rest of its coverage has arrived.

Running new items against the groups an archive already has is the same
operation as clustering from scratch, so incremental and batch runs agree by
construction. Within a chunk of items, similarities come from sparse matrix
products (items x groups, items x items); the exact centroid cosines after each
join are then kept up to date from those dot products, so the loop over items
touches only small dense arrays.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from briefing.cluster.novelty import Seen
from briefing.cluster.refine import Base, Chunk, Placed, Refinement
from briefing.cluster.vectors import ItemId

CHUNK = 256
DAY = 86400.0
VIEWS = 3  # words, names, titles
ROWS = 2 * VIEWS  # a group's state: the sums of its members' views, then its latest member's
# then a count of its members' outlets (hashed): appended last, so records written
# before it existed load with it empty
OUTLET_ROW = ROWS
FEATURES = (
    "bias",
    "cos_words",
    "cos_names",
    "cos_titles",
    "no_names",  # one side names nothing: the names cosine says nothing
    "log_gap_days",  # how far the item is from the group's span
    "log_span_days",  # the span the group would reach with the item
    "log_size",
    "min_words_names",  # both must agree: two victims of one week share words, not names
    "latest_words",  # cosines to the latest member: a story moves on from where it began
    "latest_names",
    "latest_titles",
    "span_week",  # the span again, linear up to a week: one happening is a day or two
    "words_x_titles",  # template text (advisories, rulings) shares words, not headlines
    "gap_week",  # the gap again, linear up to a week: a follow-up days later is still news
    "same_outlet",  # the group has the item's outlet: an outlet rarely reports one event twice
    # with `novelty.Seen` (stories): the share of the item's mass no earlier item had;
    # the cosines above are then over the rest, the part that can match at all
    "novel_words",
    "novel_names",
    "novel_titles",
)


def new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True, slots=True)
class Model:
    """A logistic model over `FEATURES`: join when the weighted sum is positive."""

    weights: tuple[float, ...]

    def logit(self, feats: np.ndarray) -> np.ndarray:
        # einsum, not BLAS: on a busy machine BLAS's threads wait on each other
        # (a story screen of 200,000 pairs took 3-10 times as long)
        return np.einsum("ij,j->i", feats, np.asarray(self.weights, dtype=np.float64))


@dataclass(frozen=True, slots=True)
class Rule:
    """How items join groups at one level (events or stories)."""

    model: Model
    window_after: float  # seconds an item may follow the group's last item
    window_before: float  # seconds an item may precede the group's first item
    max_span: float  # seconds a group may span at most
    refine: int = 0  # sweeps of `refine.Refinement` after each chunk's greedy pass
    # in those, an item leaves its group for one of its own only below this logit
    refine_leave: float = 0.0


@dataclass(slots=True)
class Group:
    id: str
    first: float
    last: float
    words: sp.csr_matrix  # unnormalized sum of member vectors
    names: sp.csr_matrix
    members: list[ItemId] = field(default_factory=list)
    count: int = 0  # members that contributed vectors
    titles: sp.csr_matrix | None = None
    latest: list[sp.csr_matrix] | None = None  # the latest member's views
    outlets: sp.csr_matrix | None = None  # members per hashed outlet

    def views(self, n_features: int) -> list[sp.csr_matrix]:
        titles = self.titles
        if titles is None:
            titles = empty_row(n_features)
        return [self.words, self.names, titles]

    def state(self, n_features: int) -> list[sp.csr_matrix]:
        """`ROWS` + 1 rows: the view sums, the latest member's views, the outlet counts."""
        latest = self.latest or [empty_row(n_features) for _ in range(VIEWS)]
        return [*self.views(n_features), *latest, self.outlet_row(n_features)]

    def outlet_row(self, n_features: int) -> sp.csr_matrix:
        if self.outlets is None:
            return empty_row(n_features)
        return self.outlets

    def centroid(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        return unit(self.words), unit(self.names)


def unit(row: sp.csr_matrix) -> sp.csr_matrix:
    n = float(np.sqrt(np.dot(row.data, row.data))) if row.nnz else 0.0
    if n <= 0:
        return row
    # (a valid row scaled is valid: assembled, as `row_of` cuts one, a run makes thousands)
    return _assembled(row.data / n, row.indices, row.indptr, row.shape)


# the attributes of a freshly built matrix, before scipy caches any facts about it
_BLANK = dict(sp.csr_matrix((1, 1), dtype=np.float32).__dict__)


def _assembled(
    data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """A CSR matrix from buffers known to be valid, without scipy's constructor.

    It checks every matrix it builds (tens of microseconds), and the grouping
    cuts a few rows per group out of every chunk's sums; whether the indices
    are sorted scipy finds out on first use, as for any new matrix.
    """
    out = sp.csr_matrix.__new__(sp.csr_matrix)
    out.__dict__.update(_BLANK)
    out.data, out.indices, out.indptr = data, indices, indptr
    out.__dict__["_shape"] = shape
    return out


def row_of(matrix: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Row n as its own 1xN matrix, without scipy's slow generic indexing (nor its
    constructor: a row of a valid CSR matrix is valid)."""
    lo, hi = matrix.indptr[n], matrix.indptr[n + 1]
    indices = matrix.indices[lo:hi].copy()
    indptr = np.array([0, hi - lo], dtype=indices.dtype)
    return _assembled(matrix.data[lo:hi].copy(), indices, indptr, (1, matrix.shape[1]))


def row_range(matrix: sp.csr_matrix, lo: int, hi: int) -> sp.csr_matrix:
    """Rows lo..hi-1 as their own matrix, assembled as `row_of` assembles one row."""
    start, stop = matrix.indptr[lo], matrix.indptr[hi]
    indices = matrix.indices[start:stop].copy()
    indptr = (matrix.indptr[lo : hi + 1] - start).astype(indices.dtype)
    return _assembled(matrix.data[start:stop].copy(), indices, indptr, (hi - lo, matrix.shape[1]))


def empty_row(n_features: int) -> sp.csr_matrix:
    """An empty 1xN float32 row (a run makes one per view of every new group, and the
    constructor's checks cost more than the rest of creating a group)."""
    return _assembled(
        np.zeros(0, dtype=np.float32),
        np.zeros(0, dtype=np.int32),
        np.zeros(2, dtype=np.int32),
        (1, n_features),
    )


def stack(rows: Sequence[sp.csr_matrix], n_features: int) -> sp.csr_matrix:
    """1xN rows as one matrix, from their concatenated buffers.

    `sp.vstack` checks and converts every part; with thousands of one-row
    parts per chunk that overhead was most of the grouping's time.
    """
    if not rows:
        return sp.csr_matrix((0, n_features), dtype=np.float32)
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    # scipy trims every matrix it builds, and `row_of` cuts exact rows: a row's
    # indices are its entries (and `len` is far cheaper than `.nnz`)
    np.cumsum([len(r.indices) for r in rows], out=indptr[1:])
    data = np.concatenate([r.data for r in rows]).astype(np.float32, copy=False)
    indices = np.concatenate([r.indices for r in rows]).astype(np.int32, copy=False)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_features))


def row_norms2(matrix: sp.csr_matrix) -> np.ndarray:
    """Squared l2 norm of every row, straight from the CSR arrays."""
    out = np.zeros(matrix.shape[0])
    lengths = np.diff(matrix.indptr)
    filled = lengths > 0
    if filled.any():
        squares = np.asarray(matrix.data, dtype=np.float64) ** 2
        out[filled] = np.add.reduceat(squares, matrix.indptr[:-1][filled])
    return out


def outlet_rows(outlets: Sequence[str], n_features: int) -> sp.csr_matrix:
    """Each outlet as a one-hot hashed row (an unnamed outlet as an empty one)."""
    names = [o.strip().lower() for o in outlets]
    cols = [zlib.crc32(o.encode("utf-8")) % n_features for o in names if o]
    indptr = np.concatenate([[0], np.cumsum([1 if o else 0 for o in names])])
    data = np.ones(len(cols), dtype=np.float32)
    return sp.csr_matrix((data, cols, indptr), shape=(len(names), n_features))


def pair_features(
    cos: np.ndarray,
    latest: np.ndarray,
    has_names: np.ndarray,
    gap_days: np.ndarray,
    span_days: np.ndarray,
    size: np.ndarray,
    same_outlet: np.ndarray | None = None,
    novel: np.ndarray | None = None,
) -> np.ndarray:
    """The rows `Model` scores, one per (item, group) pair; cos, latest are (VIEWS, pairs),
    `novel` (VIEWS, pairs or 1) the items' novel shares (none: nothing is novel)."""
    n = cos.shape[1]
    # filled a feature at a time, so each feature's column is laid out contiguously
    # (as rows of the transpose): four to six times faster than strided columns
    out = np.empty((len(FEATURES), n)).T
    out[:, 0] = 1.0
    out[:, 1] = cos[0]
    out[:, 2] = np.where(has_names, cos[1], 0.0)
    out[:, 3] = cos[2]
    out[:, 4] = ~has_names
    # days matter most near zero: a day's gap decides an event, a year's a story
    out[:, 5] = np.log1p(gap_days)
    out[:, 6] = np.log1p(span_days)
    out[:, 7] = np.log1p(size)
    out[:, 8] = np.where(has_names, np.minimum(cos[0], cos[1]), cos[0])
    out[:, 9] = latest[0]
    out[:, 10] = np.where(has_names, latest[1], 0.0)
    out[:, 11] = latest[2]
    out[:, 12] = np.minimum(span_days, 7.0) / 7.0
    out[:, 13] = cos[0] * cos[2]
    out[:, 14] = np.minimum(gap_days, 7.0) / 7.0
    out[:, 15] = 0.0 if same_outlet is None else same_outlet > 0
    for v in range(VIEWS):
        out[:, 16 + v] = 0.0 if novel is None else novel[v]
    return out


def link_features(
    groups: Sequence[sp.csr_matrix],
    header: np.ndarray,
    items: Sequence[sp.csr_matrix],
    times: np.ndarray,
    outlets: sp.csr_matrix | None = None,
    novel: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Features of every item (rows l2-normalized) with every group, all at once.

    `groups` are the groups' state matrices (`ROWS`, or one more with the outlet
    counts) and `header` their (first, last, count) rows; `outlets` the items'
    `outlet_rows`; `novel` (VIEWS, items) their novel shares (`novelty.Seen`).
    Returns the feature rows (item-major) and the span each pair would reach,
    in seconds.
    """
    n_items, n_groups = items[0].shape[0], groups[0].shape[0]
    cos = np.zeros((ROWS, n_items, n_groups))
    # each item's known part's norm (its rows are unit rows)
    known = np.ones((VIEWS, n_items)) if novel is None else np.sqrt(np.maximum(0.0, 1 - novel))
    for r in range(ROWS):
        norms = np.sqrt(row_norms2(groups[r]))[None, :] * known[r % VIEWS][:, None]
        # items x groups.T: scipy multiplies this way round faster than the transpose
        dots = (items[r % VIEWS] @ groups[r].T).toarray()
        np.divide(dots, norms, out=cos[r], where=norms > 0)
    first, last, count = header[:, 0], header[:, 1], header[:, 2]
    t = times[:, None]
    has = (row_norms2(groups[1])[None, :] > 0) & (row_norms2(items[1])[:, None] > 0)
    gap = np.maximum(0.0, np.maximum(t - last, first - t))
    span = np.maximum(last, t) - np.minimum(first, t)
    same = None
    if outlets is not None and len(groups) > OUTLET_ROW:
        same = (groups[OUTLET_ROW] @ outlets.T).toarray().T.ravel()
    feats = pair_features(
        cos[:VIEWS].reshape(VIEWS, -1),
        cos[VIEWS:].reshape(VIEWS, -1),
        has.ravel(),
        gap.ravel() / DAY,
        span.ravel() / DAY,
        np.broadcast_to(count, (n_items, n_groups)).ravel(),
        same,
        None if novel is None else np.repeat(novel, n_groups, axis=1),
    )
    return feats, span


def in_window(rule: Rule, header: np.ndarray, times: np.ndarray) -> np.ndarray:
    """(items x groups): may the item join the group at all, by time."""
    first, last = header[:, 0], header[:, 1]
    t = times[:, None]
    span = np.maximum(last, t) - np.minimum(first, t)
    ok = (t <= last + rule.window_after) & (t >= first - rule.window_before)
    return ok & (span <= rule.max_span)


def link_logits(
    rule: Rule,
    groups: Sequence[sp.csr_matrix],
    header: np.ndarray,
    items: Sequence[sp.csr_matrix],
    times: np.ndarray,
    outlets: sp.csr_matrix | None = None,
    novel: np.ndarray | None = None,
) -> np.ndarray:
    """Join logits of every item with every group; -inf outside the time window."""
    feats, _ = link_features(groups, header, items, times, outlets, novel)
    logits = rule.model.logit(feats).reshape(items[0].shape[0], groups[0].shape[0])
    return np.where(in_window(rule, header, times), logits, -np.inf)


def explain(model: Model, feats: np.ndarray) -> str:
    """One pair's features, their contributions and the join probability, for people."""
    parts = [
        f"{name}={value:.3f}({w * value:+.2f})"
        for name, value, w in zip(FEATURES, feats, model.weights, strict=True)
    ]
    logit = float(model.logit(feats[None, :])[0])
    return " ".join(parts) + f" -> p={1 / (1 + np.exp(-logit)):.3f}"


def scaled(matrix: sp.csr_matrix, factors: np.ndarray | None) -> sp.csr_matrix:
    """Each column times its factor (IDF weights on, or off), as a new CSR matrix."""
    out = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    if factors is not None:
        out.data *= factors[out.indices]
    return out


def _cosines(dots: np.ndarray, group_n2: np.ndarray, item_n2: np.ndarray) -> np.ndarray:
    """`dots` and `group_n2` of one shape, `item_n2` broadcast against them."""
    norms = np.sqrt(group_n2 * item_n2)
    # an empty side has no direction: its cosine is 0 (divided only where defined)
    return np.divide(dots, norms, out=np.zeros(dots.shape), where=norms > 0)


class Grouper:
    """Places items into groups; `idf` (per view) keeps the groups' sums unweighted.

    With `idf`, a group holds the sums of its members' vectors with the IDF taken
    off again, and the current IDF is put back on whenever it is compared. An
    archive's document frequencies drift as it grows; this way an event's
    centroid is always weighed by today's IDF, the way a batch run weighs it,
    and incremental runs stay close to a single batch.
    """

    def __init__(
        self,
        rule: Rule,
        n_features: int,
        idf: Sequence[np.ndarray] | None = None,
        keep_stack: bool = False,
        seen: Seen | None = None,
    ) -> None:
        """`keep_stack`: keep the groups' stacked rows between chunks (`_Kept`), for
        a level where every chunk is compared with nearly every group (stories).
        `seen`: compare items by their known part (`novelty`), and record them in it."""
        if seen is not None and rule.refine:
            raise ValueError("the second look scores without novelty")
        self.rule = rule
        self.seen = seen
        self.n_features = n_features
        self.idf = list(idf) if idf is not None else None
        self.groups: dict[str, Group] = {}
        self._weights = np.asarray(rule.model.weights, dtype=np.float64)
        self._kept = _Kept() if keep_stack else None

    def weight(self, view: int) -> np.ndarray | None:
        return self.idf[view % VIEWS] if self.idf is not None else None

    def weighted(self, groups: Sequence[Group]) -> list[sp.csr_matrix]:
        """The groups' view sums as compared (with today's IDF): one matrix per view."""
        views = [g.views(self.n_features) for g in groups]
        return [
            scaled(stack([v[n] for v in views], self.n_features), self.weight(n))
            for n in range(VIEWS)
        ]

    def unweighted(self, xs: Sequence[sp.csr_matrix]) -> list[sp.csr_matrix]:
        """Items' view rows as a group's sums hold them (the IDF taken off, see above)."""
        if self.idf is None:
            return list(xs)
        return [scaled(x, 1.0 / self.idf[v]) for v, x in enumerate(xs)]

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
        views: Sequence[sp.csr_matrix],
        times: Sequence[float],
        outlets: sp.csr_matrix | None = None,
    ) -> dict[ItemId, str]:
        """Place items (sorted by time; rows l2-normalized) and return item -> group id.

        `views` are the words, names and titles matrices, one row per item;
        `outlets` their `outlet_rows` (none: no item shares a group's outlet).
        """
        out: dict[ItemId, str] = {}
        mats = [sp.csr_matrix(v) for v in views]
        if outlets is None:
            outlets = sp.csr_matrix((len(items), self.n_features), dtype=np.float32)
        mats.append(sp.csr_matrix(outlets))
        # a level compared with every group (stories) holds a chunk x groups block
        # per view: half the chunk, half the block (placements are the same: the
        # story level takes no second look per chunk)
        step = CHUNK // 2 if self._kept is not None else CHUNK
        for start in range(0, len(items), step):
            stop = min(start + step, len(items))
            out.update(
                self._chunk(items[start:stop], [v[start:stop] for v in mats], times[start:stop])
            )
        return out

    def _chunk(
        self, items: Sequence[ItemId], xs: list[sp.csr_matrix], times: Sequence[float]
    ) -> dict[ItemId, str]:
        """`xs`: the items' views, then their outlet rows."""
        m = len(items)
        t = np.asarray(times, dtype=np.float64)
        cands = self.candidates(float(t.min()), float(t.max()))
        k = len(cands)
        size = k + m
        dots = np.zeros((ROWS, m, size))
        gn2 = np.zeros((ROWS, size))
        same = np.zeros((m, size))  # members of the group from the item's outlet
        count = np.zeros(size)
        first = np.full(size, np.inf)
        last = np.full(size, -np.inf)
        # each view's transpose as CSR, once: scipy converts the right operand of every
        # product to CSR again otherwise (a pass over all 2**18 columns each time)
        xts = [x.T.tocsr() for x in xs]
        if k and self._kept is not None:
            self._kept.products(self, cands, xs, dots, gn2, same)
        elif k:
            stacked = [g.state(self.n_features) for g in cands]
            for r in range(ROWS):
                # stacked afresh, so weighed in place: the biggest matrix of a run
                # is not copied again
                cv = stack([s[r] for s in stacked], self.n_features)
                weight = self.weight(r)
                if weight is not None:
                    cv.data *= weight[cv.indices]
                # (groups x items).T: the big group matrix stays CSR, never transposed
                dots[r, :, :k] = (cv @ xts[r % VIEWS]).toarray().T
                gn2[r, :k] = row_norms2(cv)
            ov = stack([s[OUTLET_ROW] for s in stacked], self.n_features)
            same[:, :k] = (ov @ xts[VIEWS]).toarray().T
        if k:
            count[:k] = [g.count for g in cands]
            first[:k] = [g.first for g in cands]
            last[:k] = [g.last for g in cands]
        pairs = np.array([(xs[v] @ xts[v]).toarray() for v in range(VIEWS)])  # (VIEWS, m, m)
        in2 = np.array([np.diag(p) for p in pairs])  # (VIEWS, m)
        novel = None
        known2 = in2
        if self.seen is not None:
            novel = self.seen.shares(xs[:VIEWS], t)
            known2 = in2 * (1.0 - novel)
        # (ROWS, m): the item's norms as compared, against the sums and the latest
        in2x = np.concatenate([known2, known2])
        shared = (xs[VIEWS] @ xts[VIEWS]).toarray()
        base = None
        if self.rule.refine:
            base = Base(
                dots.copy(), gn2.copy(), same.copy(), count.copy(), first.copy(), last.copy()
            )
        used = k
        choice = np.empty(m, dtype=np.int64)
        for i in range(m):
            j = self._best(
                t[i], dots[:, i], gn2, in2x[:, i], count, first, last, used, same[i],
                None if novel is None else novel[:, i],
            )  # fmt: skip
            if j < 0:
                j = used
                used += 1
            choice[i] = j
            # all views at once (each element as view by view)
            gn2[:VIEWS, j] += 2 * dots[:VIEWS, i, j] + in2[:, i]
            dots[:VIEWS, i + 1 :, j] += pairs[:, i + 1 :, i]
            # the item is now the group's latest member
            gn2[VIEWS:, j] = in2[:, i]
            dots[VIEWS:, i + 1 :, j] = pairs[:, i + 1 :, i]
            same[i + 1 :, j] += shared[i + 1 :, i]
            count[j] += 1
            first[j] = min(first[j], t[i])
            last[j] = max(last[j], t[i])
        if base is not None:
            placed = Placed(choice, used, k, gn2, count, first, last)
            chunk = Chunk(pairs, in2, shared, t)
            refinement = Refinement(
                base, chunk, placed, (self._logits, self._pair_logits), self.rule.refine_leave
            )
            choice, used = refinement.run(self.rule.refine)
        if self.seen is not None:
            self.seen.record(xs[:VIEWS], t)
        return self._commit(items, xs, t, cands, choice, used)

    def _best(
        self,
        ti: float,
        dots: np.ndarray,
        gn2: np.ndarray,
        in2x: np.ndarray,
        count: np.ndarray,
        first: np.ndarray,
        last: np.ndarray,
        used: int,
        same: np.ndarray,
        novel: np.ndarray | None = None,
    ) -> int:
        """The group the item (at ti) joins best among the first `used`, or -1: none takes it."""
        idx, logits = self._logits(ti, dots, gn2, in2x, count, first, last, used, same, novel=novel)
        if not idx.size:
            return -1
        best = int(np.argmax(logits))
        return int(idx[best]) if logits[best] > 0 else -1

    def _logits(
        self,
        ti: float,
        dots: np.ndarray,
        gn2: np.ndarray,
        in2x: np.ndarray,
        count: np.ndarray,
        first: np.ndarray,
        last: np.ndarray,
        used: int,
        same: np.ndarray,
        member: int = -1,
        novel: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The groups among the first `used` the item may join by time, and its join logits.

        `dots` (ROWS, groups): the item's dots with each group's sums and latest
        member; `gn2` their squared norms; `in2x` (ROWS,) the item's own (of its
        known part, with `novel`, its (VIEWS,) novel shares);
        `same` (groups,) the group's members from the item's outlet;
        `member` the group the item was taken out of, if any (see `_reach`).
        """
        if not used:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        lo, hi = first[:used], last[:used]
        # (the greedy pass takes no item out: no mask to build for every item it places)
        opened = np.arange(used) == member if member >= 0 else None
        span, ok = self._reach(ti, lo, hi, gn2[0, :used], opened)
        # every group in reach (a story's window is years): views, not gathered copies
        reach: slice | np.ndarray = slice(0, used) if ok.all() else np.flatnonzero(ok)
        if isinstance(reach, np.ndarray) and not reach.size:
            return reach, np.zeros(0)
        logits = self._scores(
            ti, dots[:, reach], gn2[:, reach], in2x[:, None], lo[reach], hi[reach],
            span[reach], count[reach], same[reach], None if novel is None else novel[:, None],
        )  # fmt: skip
        return (np.arange(used) if isinstance(reach, slice) else reach), logits

    def _pair_logits(
        self,
        ti: np.ndarray,
        dots: np.ndarray,
        gn2: np.ndarray,
        in2x: np.ndarray,
        count: np.ndarray,
        first: np.ndarray,
        last: np.ndarray,
        same: np.ndarray,
        member: np.ndarray | None = None,
    ) -> np.ndarray:
        """`_logits` for many (item, group) pairs at once, one column of each argument a pair;
        -inf where the item may not join the group. The same arithmetic, pair by pair
        (`member`: the pairs of an item and the group it was taken out of)."""
        span, ok = self._reach(ti, first, last, gn2[0], member)
        out = np.full(ti.shape, -np.inf)
        if ok.any():
            out[ok] = self._scores(
                ti[ok], dots[:, ok], gn2[:, ok], in2x[:, ok], first[ok], last[ok], span[ok],
                count[ok], same[ok],
            )  # fmt: skip
        return out

    def _reach(
        self,
        ti: float | np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        sums2: np.ndarray,
        member: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The span each group would reach with the item, and whether the item may join it.

        An item taken out of its own group (`member`) may stay if the rest
        followed it within the window after it: they joined it that way. With
        the lead a newcomer gets, the first report of a happening whose other
        reports came a day or more later was turned out of its own event.
        """
        rule = self.rule
        span = np.maximum(hi, ti) - np.minimum(lo, ti)
        ok = ti <= hi + rule.window_after
        lead: float | np.ndarray = rule.window_before
        if member is not None:
            lead = np.where(member, max(rule.window_before, rule.window_after), lead)
        ok &= ti >= lo - lead
        ok &= span <= rule.max_span
        ok &= sums2 > 0
        return span, ok

    def _scores(
        self,
        ti: float | np.ndarray,
        dots: np.ndarray,
        g2: np.ndarray,
        in2x: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        span: np.ndarray,
        count: np.ndarray,
        same: np.ndarray,
        novel: np.ndarray | None = None,
    ) -> np.ndarray:
        """Join logits of pairs in reach: `dots`, `g2` (ROWS, pairs), `in2x` broadcast to them."""
        cos = _cosines(dots, g2, in2x)
        named = in2x[1] > 0
        if novel is not None:  # (names all novel still name something)
            named = named | (novel[1] > 0)
        has = (g2[1] > 0) & named
        gap = np.maximum(0.0, np.maximum(ti - hi, lo - ti)) / DAY
        feats = pair_features(cos[:VIEWS], cos[VIEWS:], has, gap, span / DAY, count, same, novel)
        return feats @ self._weights  # (`Model.logit`, its weights converted once)

    def _commit(
        self,
        items: Sequence[ItemId],
        xs: list[sp.csr_matrix],
        t: np.ndarray,
        cands: list[Group],
        choice: np.ndarray,
        used: int,
    ) -> dict[ItemId, str]:
        k = len(cands)
        m = len(items)
        groups = list(cands)
        width = self.n_features
        for _ in range(k, used):
            group = Group(new_id(), np.inf, -np.inf, empty_row(width), empty_row(width))
            group.titles = empty_row(width)
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
        order = sorted(pos, key=lambda j: pos[j])
        if self._kept is not None:
            self._kept.changed.update(groups[j].id for j in order)
        outlets = xs[VIEWS]
        xs = self.unweighted(xs[:VIEWS])
        sums = []
        for v in range(VIEWS):
            old = stack([groups[j].views(self.n_features)[v] for j in order], self.n_features)
            sums.append((old + (indicator @ xs[v])).tocsr())
        for j in order:
            n = pos[j]
            groups[j].words = row_of(sums[0], n)
            groups[j].names = row_of(sums[1], n)
            groups[j].titles = row_of(sums[2], n)
        old = stack([groups[j].outlet_row(self.n_features) for j in order], self.n_features)
        counted = (old + (indicator @ outlets)).tocsr()
        for j in order:
            groups[j].outlets = row_of(counted, pos[j])
        latest: dict[int, int] = {}
        for i, j in enumerate(choice):
            if t[i] >= groups[int(j)].last and t[i] >= t[latest.get(int(j), i)]:
                latest[int(j)] = i  # items come in time order: the last placed is the latest
        for j, i in latest.items():
            groups[j].latest = [row_of(x, i) for x in xs]
        out: dict[ItemId, str] = {}
        for i, j in enumerate(choice):
            g = groups[int(j)]
            g.members.append(items[i])
            g.count += 1
            g.first = min(g.first, float(t[i]))
            g.last = max(g.last, float(t[i]))
            out[items[i]] = g.id
        return out


class _Kept:
    """A grouper's groups' state rows, stacked once and kept from chunk to chunk.

    Story linking compares every chunk of events with every story; stacking
    thousands of stories' rows afresh for each chunk, and multiplying them the
    slow way round, was most of a first run's story linking. The rows are kept
    transposed (features x groups, CSR), so a chunk's products are items x kept
    with no conversion. The groups a chunk changed or created are stacked apart
    until they outnumber a quarter of the kept ones; then all are stacked again.
    """

    def __init__(self) -> None:
        self.col: dict[str, int] = {}  # group id -> its column in the kept rows
        self.rows: list[sp.csr_matrix] = []  # per state row (`ROWS` + outlets), transposed
        self.n2 = np.zeros((ROWS, 0))
        self.changed: set[str] = set()

    def products(
        self,
        grouper: Grouper,
        cands: list[Group],
        xs: list[sp.csr_matrix],
        dots: np.ndarray,
        gn2: np.ndarray,
        same: np.ndarray,
    ) -> None:
        """Fill the candidates' columns of `dots`, `gn2` and `same` (as `_chunk` does)."""
        cols = np.array([self._column(g.id) for g in cands], dtype=np.int64)
        apart = np.flatnonzero(cols < 0)
        if len(apart) > max(CHUNK, len(self.col) // 4):
            self._restack(grouper, cands)
            cols, apart = np.arange(len(cands)), np.zeros(0, dtype=np.int64)
        kept = np.flatnonzero(cols >= 0)
        fresh = _State(grouper, [cands[n] for n in apart])
        for r in range(ROWS + 1):
            x = xs[r % VIEWS] if r < ROWS else xs[VIEWS]
            target = dots[r] if r < ROWS else same
            if len(kept):
                target[:, kept] = (x @ self.rows[r]).toarray()[:, cols[kept]]
            if len(apart):
                target[:, apart] = (x @ fresh.rows[r]).toarray()
            if r < ROWS:
                gn2[r, kept] = self.n2[r, cols[kept]]
                gn2[r, apart] = fresh.n2[r]

    def _column(self, gid: str) -> int:
        return -1 if gid in self.changed else self.col.get(gid, -1)

    def _restack(self, grouper: Grouper, cands: list[Group]) -> None:
        self.rows = []  # (the old rows go first: two sets at once would be the run's peak)
        state = _State(grouper, cands)
        self.rows, self.n2 = state.rows, state.n2
        self.col = {g.id: n for n, g in enumerate(cands)}
        self.changed = set()


class _State:
    """Groups' state rows as compared (weighted), transposed, with their squared norms."""

    def __init__(self, grouper: Grouper, groups: list[Group]) -> None:
        width = grouper.n_features
        stacked = [g.state(width) for g in groups]
        self.rows: list[sp.csr_matrix] = []
        self.n2 = np.zeros((ROWS, len(groups)))
        for r in range(ROWS + 1):
            m = stack([s[r] for s in stacked], width)
            weight = grouper.weight(r) if r < ROWS else None
            if weight is not None:
                m.data *= weight[m.indices]
            if r < ROWS:
                self.n2[r] = row_norms2(m)
            self.rows.append(m.T.tocsr())
