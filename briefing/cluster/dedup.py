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

SEED = 1
SCHEME = "affine32"


def _as_is(value: int) -> int:
    return value


def signatures(docs: Iterable[Doc], params: Params) -> list[np.ndarray]:
    sets = []
    for doc in docs:
        grams = T.shingle_hashes(doc.body, params.shingle_words)
        if len(grams) < params.min_shingles:
            # too short to estimate: only an identical text is a copy
            grams = np.array([zlib.crc32(" ".join(doc.body.lower().split()).encode())])
        sets.append(grams.tolist())
    # the items are already stable 32-bit hashes: MinHash permutes them as they are
    hashes = MinHash.bulk(sets, num_perm=params.num_perm, seed=SEED, scheme=SCHEME, hashfunc=_as_is)
    return [np.asarray(h.hashvalues, dtype=np.uint64) for h in hashes]


def _key(published: float, doc_id: ItemId) -> tuple[float, str]:
    return (published, f"{doc_id:>20}" if isinstance(doc_id, int) else str(doc_id))


class DupIndex:
    """Originals and their copies; finds the original of a new article."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.lsh = MinHashLSH(threshold=params.duplicate_jaccard, num_perm=params.num_perm)
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
        self.by_url.setdefault(T.canonical_url(url), doc_id)
        self.lsh.insert(
            doc_id, LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME), check_duplication=False
        )

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

    def _match(self, doc: Doc, sig: np.ndarray) -> ItemId | None:
        window = self.params.duplicate_window_days * 86400
        same_url = self.by_url.get(T.canonical_url(doc.url))
        if same_url is not None and same_url != doc.id:
            return same_url
        best, best_score = None, 0.0
        for other in self.lsh.query(LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)):
            if other == doc.id or abs(self.published[other] - doc.published) > window:
                continue
            score = float(np.mean(self.sig[other] == sig))
            if score >= self.params.duplicate_jaccard and score > best_score:
                best, best_score = other, score
        return best
