"""Near-copies: MinHash + LSH over word shingles of the body, and canonical URLs.

A wire story re-run by three outlets, a re-post with a new headline or an
added line, or the same page reached with tracking parameters: each is folded
under the original, which is the earliest published (ties: the smaller id).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from briefing.cluster import text as T
from briefing.cluster.params import Params
from briefing.cluster.vectors import Doc, ItemId
from briefing.urls import page_key

SEED = 1
SCHEME = "affine32"


# MurmurHash3's 32-bit finalizer, the pre-mix datasketch's "affine32" scheme applies
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)
_BATCH = 500


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


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
        # too short to estimate: only an identical text is a copy
        grams = np.array([zlib.crc32(" ".join(doc.body.lower().split()).encode())])
    return grams.astype(np.uint32)


def signatures(docs: Iterable[Doc], params: Params) -> list[np.ndarray]:
    """datasketch MinHash signatures ("affine32" scheme) of the bodies' shingles.

    The same values `MinHash.update_batch` gives for these shingle hashes
    (a test pins that), computed for many articles at once with numpy.
    """
    a, b = _permutations(params.num_perm)
    sets = [_doc_hashes(doc, params) for doc in docs]
    out: list[np.ndarray] = []
    with np.errstate(over="ignore"):
        for start in range(0, len(sets), _BATCH):
            batch = sets[start : start + _BATCH]
            flat = _fmix32(np.concatenate(batch))
            offsets = np.cumsum([0] + [len(x) for x in batch[:-1]])
            permuted = flat[:, None] * a[None, :] + b[None, :]  # wraps mod 2^32
            mins = np.minimum.reduceat(permuted, offsets, axis=0)
            out.extend(mins[n].astype(np.uint64) for n in range(len(batch)))
    return out


def _key(published: float, doc_id: ItemId) -> tuple[float, str]:
    return (published, f"{doc_id:>20}" if isinstance(doc_id, int) else str(doc_id))


class DupIndex:
    """Originals and their copies; finds the original of a new article."""

    def __init__(self, params: Params, *, use_lsh: bool = True) -> None:
        """`use_lsh=False` compares with every loaded article instead (exact, and
        faster for the few thousand a store run loads for its date window)."""
        self.params = params
        self.lsh = (
            MinHashLSH(threshold=params.duplicate_jaccard, num_perm=params.num_perm)
            if use_lsh
            else None
        )
        self._order: list[ItemId] = []
        self._matrix: np.ndarray | None = None
        self.sig: dict[ItemId, np.ndarray] = {}
        self.published: dict[ItemId, float] = {}
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
        self.sig[doc_id] = sig
        self.published[doc_id] = published
        self.original[doc_id] = original
        key = page_key(url)
        if key:  # articles without a link share "" and are not the same page
            self.by_url.setdefault(key, doc_id)
        if self.lsh is not None:
            lean = LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)
            self.lsh.insert(doc_id, lean, check_duplication=False)
        else:
            n = len(self._order)
            if self._matrix is None or n == len(self._matrix):
                grown = np.zeros((max(64, 2 * n), len(sig)), dtype=np.uint64)
                if self._matrix is not None:
                    grown[:n] = self._matrix
                self._matrix = grown
            self._matrix[n] = sig
            self._order.append(doc_id)

    def root(self, doc_id: ItemId) -> ItemId:
        seen = 0
        while (up := self.original.get(doc_id)) is not None and seen < 100:
            doc_id, seen = up, seen + 1
        return doc_id

    def add(self, doc: Doc, sig: np.ndarray) -> dict[ItemId, ItemId | None]:
        """Place a new article; returns every article whose `duplicate_of` is now different."""
        match = self._match(doc, sig)
        self.add_known(doc.id, sig, doc.published, doc.url, None)
        if match is None:
            return {doc.id: None}
        root = self.root(match)
        # an original older than the loaded window predates the newcomer by far
        root_published = self.published.get(root, float("-inf"))
        if _key(doc.published, doc.id) >= _key(root_published, root):
            self.original[doc.id] = root
            return {doc.id: root}
        # the newcomer predates the group's original: it becomes the original
        changes: dict[ItemId, ItemId | None] = {doc.id: None}
        members = [m for m, o in self.original.items() if o == root]
        for member in [root, *members]:
            self.original[member] = doc.id
            changes[member] = doc.id
        return changes

    def _candidates(self, sig: np.ndarray) -> list[ItemId]:
        if self.lsh is not None:
            return list(self.lsh.query(LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)))
        if not self._order or self._matrix is None:
            return []
        known = self._matrix[: len(self._order)]
        close = (known == sig).mean(axis=1) >= self.params.duplicate_jaccard
        return [self._order[n] for n in np.flatnonzero(close)]

    def _match(self, doc: Doc, sig: np.ndarray) -> ItemId | None:
        window = self.params.duplicate_window_days * 86400
        key = page_key(doc.url)
        same_url = self.by_url.get(key) if key else None
        if same_url is not None and same_url != doc.id:
            return same_url
        best, best_score = None, 0.0
        for other in self._candidates(sig):
            if other == doc.id or abs(self.published[other] - doc.published) > window:
                continue
            score = float(np.mean(self.sig[other] == sig))
            if score >= self.params.duplicate_jaccard and score > best_score:
                best, best_score = other, score
        return best
