"""Near-copies: MinHash + LSH over word shingles of the body, and canonical URLs.

A wire story re-run by three outlets, a re-post with a new headline or an
added line, or the same page reached with tracking parameters: each is folded
under the original, the first to arrive (`vectors.arrival`: the earliest
published; among a day's articles, the same one whatever the fetch order).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from briefing.cluster import text as T
from briefing.cluster.params import Params
from briefing.cluster.vectors import Doc, ItemId, arrival
from briefing.urls import page_key

SEED = 1
SCHEME = "affine32"


# MurmurHash3's 32-bit finalizer, the pre-mix datasketch's "affine32" scheme applies
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)
_BATCH = 500


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's "affine32" permutations for `SEED`, drawn as its MinHash draws them
    (a test pins them): importing datasketch, for its LSH, also loads scipy.integrate."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> np.uint32(s1))
    hv = hv * np.uint32(m1)
    hv = hv ^ (hv >> np.uint32(s2))
    hv = hv * np.uint32(m2)
    return hv ^ (hv >> np.uint32(s3))


def _doc_hashes(doc: Doc, params: Params) -> np.ndarray:
    grams = T.shingle_hashes(doc.body, params.shingle_words)
    if len(grams) < params.min_shingles:
        # too short to estimate: only an identical text is a copy; with no text at
        # all (a feed item without summary, before its page is read) the headline
        # stands for it, else every such item would be a copy of the first
        text = doc.body if doc.body.strip() else f"\0{doc.title}\0{doc.url}"
        grams = np.array([zlib.crc32(" ".join(text.lower().split()).encode())])
    return grams.astype(np.uint32)


def _batch_hashes(
    docs: Sequence[Doc], params: Params, words: Sequence[np.ndarray] | None = None
) -> list[np.ndarray]:
    """What `_doc_hashes` gives for each article, with the n-grams of many articles
    mixed and deduplicated at once (one sort) instead of article by article.
    `words`: the bodies' `text.word_hashes`, when they are known already."""
    size = params.shingle_words
    if words is None:
        words = [T.word_hashes(doc.body) for doc in docs]
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    ends = np.cumsum(lengths)
    flat = np.concatenate(words) if words else np.zeros(0, dtype=np.uint64)
    grams = T.mix_grams(flat, size)
    owner = np.repeat(np.arange(len(docs), dtype=np.uint64), lengths)[: len(grams)]
    inside = np.arange(len(grams)) + size <= ends[owner.astype(np.int64)]  # not across articles
    keys = np.sort((owner[inside] << np.uint64(32)) | grams[inside])
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys
    counts = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=len(docs))
    values = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    out = np.split(values, np.cumsum(counts)[:-1])
    for n, doc in enumerate(docs):
        if lengths[n] < size or counts[n] < params.min_shingles:
            out[n] = _doc_hashes(doc, params)  # short texts: the exact-text rule
    return out


def signatures(
    docs: Sequence[Doc], params: Params, words: Sequence[np.ndarray] | None = None
) -> list[np.ndarray]:
    """datasketch MinHash signatures ("affine32" scheme) of the bodies' shingles.

    The same values `MinHash.update_batch` gives for these shingle hashes
    (a test pins that), computed for many articles at once with numpy.
    `words`: the bodies' `text.word_hashes` (`Featurizer.counts_and_hashes`), if known.
    """
    a, b = _permutations(params.num_perm)
    out: list[np.ndarray] = []
    with np.errstate(over="ignore"):
        for start in range(0, len(docs), _BATCH):
            known = words[start : start + _BATCH] if words is not None else None
            batch = _batch_hashes(docs[start : start + _BATCH], params, known)
            flat = _fmix32(np.concatenate(batch))
            offsets = np.cumsum([0] + [len(x) for x in batch[:-1]])
            # one row per permutation: each article's values are a contiguous run,
            # which reduceat takes many times faster than runs of rows
            permuted = np.multiply.outer(a, flat)  # wraps mod 2^32
            permuted += b[:, None]
            mins = np.minimum.reduceat(permuted, offsets, axis=1).T
            out.extend(mins[n].astype(np.uint64) for n in range(len(batch)))
    return out


# the exact comparison's budget: article pairs within the date window per run
PAIR_LIMIT = 8_000_000
_BLOCK_PAIRS = 1 << 18  # pairs compared at once (a few MB of temporaries)


def exact_pairs(published: np.ndarray, new: np.ndarray, window: float) -> int:
    """How many (new article, loaded article) pairs fall within `window` seconds.

    `published` are the loaded articles' dates, `new` the newcomers' (sorted).
    """
    times = np.sort(published)
    lo = np.searchsorted(times, new - window, side="left")
    hi = np.searchsorted(times, new + window, side="right")
    return int((hi - lo).sum())


def _equal_counts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row of `a` and each row of `b`, in how many places they are equal."""
    equal = a[:, None, :] == b[None, :, :]
    if equal.shape[2] % 8 or equal.shape[2] > 248:  # (the byte sums must stay below 256)
        return equal.sum(axis=2)
    # eight booleans at a time as one uint64, then the bytes added up by a multiply
    words = equal.view(np.uint64).sum(axis=2, dtype=np.uint64)
    return ((words * np.uint64(0x0101010101010101)) >> np.uint64(56)).astype(np.int64)


class DupIndex:
    """Originals and their copies; finds the original of a new article."""

    def __init__(self, params: Params, *, use_lsh: bool = True) -> None:
        """`use_lsh=False` compares with every loaded article in the date window
        instead (exact, and faster unless the window holds very many articles)."""
        self.params = params
        self.lsh = None
        if use_lsh:  # (imported only then: most runs compare exactly)
            from datasketch import MinHashLSH

            self.lsh = MinHashLSH(threshold=params.duplicate_jaccard, num_perm=params.num_perm)
        self._order: list[ItemId] = []
        self._sigs: list[np.ndarray] = []
        self._times: list[float] = []
        self.sig: dict[ItemId, np.ndarray] = {}
        self.published: dict[ItemId, float] = {}
        self.url: dict[ItemId, str] = {}
        self.original: dict[ItemId, ItemId | None] = {}
        self.by_url: dict[str, ItemId] = {}

    def add_known(
        self,
        doc_id: ItemId,
        sig: np.ndarray,
        published: float,
        url: str,
        original: ItemId | None,
    ) -> None:
        """An article already placed (loaded from the store)."""
        self._remember(doc_id, sig, published, url, original)

    def _remember(
        self, doc_id: ItemId, sig: np.ndarray, published: float, url: str, original: ItemId | None
    ) -> None:
        key = page_key(url)
        self.sig[doc_id] = sig
        self.published[doc_id] = published
        self.url[doc_id] = url
        self.original[doc_id] = original
        if key:  # articles without a link share "" and are not the same page
            self.by_url.setdefault(key, doc_id)
        if self.lsh is not None:
            from datasketch import LeanMinHash

            lean = LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)
            self.lsh.insert(doc_id, lean, check_duplication=False)
        else:
            self._order.append(doc_id)
            self._sigs.append(sig)
            self._times.append(published)

    def root(self, doc_id: ItemId) -> ItemId:
        seen = 0
        while (up := self.original.get(doc_id)) is not None and seen < 100:
            doc_id, seen = up, seen + 1
        return doc_id

    def add_all(
        self, docs: Sequence[Doc], sigs: Sequence[np.ndarray]
    ) -> dict[ItemId, ItemId | None]:
        """Place new articles in order; returns every article whose `duplicate_of` changed."""
        closest = self._closest(docs, sigs) if self.lsh is None else None
        changes: dict[ItemId, ItemId | None] = {}
        for n, (doc, sig) in enumerate(zip(docs, sigs, strict=True)):
            key = page_key(doc.url)
            match = self._same_page(doc, key)
            if match is None:
                match = self._lsh_match(doc, sig) if closest is None else closest[n]
            changes.update(self._place(doc, sig, match))
        return changes

    def _place(
        self, doc: Doc, sig: np.ndarray, match: ItemId | None
    ) -> dict[ItemId, ItemId | None]:
        self._remember(doc.id, sig, doc.published, doc.url, None)
        if match is None:
            return {doc.id: None}
        root = self.root(match)
        # an original older than the loaded window predates the newcomer by far
        root_published = self.published.get(root, float("-inf"))
        root_key = arrival(root_published, self.url.get(root, ""), root)
        if arrival(doc.published, doc.url, doc.id) >= root_key:
            self.original[doc.id] = root
            return {doc.id: root}
        # the newcomer predates the group's original: it becomes the original
        changes: dict[ItemId, ItemId | None] = {doc.id: None}
        members = [m for m, o in self.original.items() if o == root]
        for member in [root, *members]:
            self.original[member] = doc.id
            changes[member] = doc.id
        return changes

    def _same_page(self, doc: Doc, key: str) -> ItemId | None:
        same_url = self.by_url.get(key) if key else None
        return same_url if same_url is not None and same_url != doc.id else None

    def _lsh_match(self, doc: Doc, sig: np.ndarray) -> ItemId | None:
        assert self.lsh is not None
        from datasketch import LeanMinHash

        window = self.params.duplicate_window_days * 86400
        best, best_score = None, 0.0
        for other in self.lsh.query(LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)):
            if other == doc.id or abs(self.published[other] - doc.published) > window:
                continue
            score = float(np.mean(self.sig[other] == sig))
            if score >= self.params.duplicate_jaccard and score > best_score:
                best, best_score = other, score
        return best

    def _closest(self, docs: Sequence[Doc], sigs: Sequence[np.ndarray]) -> list[ItemId | None]:
        """For each newcomer, the most similar article placed before it (loaded, or an
        earlier newcomer) within the window and above the threshold; ties go to the
        one placed first. Computed for all newcomers at once, in blocks."""
        if not docs:
            return []
        p = self.params
        window = p.duplicate_window_days * 86400
        n_known = len(self._order)
        ids = self._order + [d.id for d in docs]
        matrix = np.vstack([*self._sigs, *sigs]).astype(np.uint32)
        times = np.array(self._times + [d.published for d in docs], dtype=np.float64)
        by_time = np.argsort(times, kind="stable")
        sorted_times = times[by_time]
        lows = np.searchsorted(sorted_times, times[n_known:] - window, "left")
        highs = np.searchsorted(sorted_times, times[n_known:] + window, "right")
        out: list[ItemId | None] = [None] * len(docs)
        start = 0
        while start < len(docs):
            # newcomers [start, stop) against everything in their joint window
            lo, hi, stop = lows[start], highs[start], start + 1
            while stop < len(docs):
                wider_lo, wider_hi = min(lo, lows[stop]), max(hi, highs[stop])
                if (stop + 1 - start) * (wider_hi - wider_lo) > _BLOCK_PAIRS:
                    break
                lo, hi, stop = wider_lo, wider_hi, stop + 1
            rows = np.arange(n_known + start, n_known + stop)
            cols = by_time[lo:hi]
            cols = cols[cols < rows[-1]]  # only articles placed before can be originals
            score = _equal_counts(matrix[rows], matrix[cols]) / p.num_perm
            ok = (
                (score >= p.duplicate_jaccard)
                & (cols[None, :] < rows[:, None])  # placed before the newcomer
                & (np.abs(times[cols][None, :] - times[rows][:, None]) <= window)
            )
            for r in np.flatnonzero(ok.any(axis=1)):
                best = score[r][ok[r]].max()
                out[start + r] = ids[int(cols[ok[r] & (score[r] == best)].min())]
            start = stop
        return out
