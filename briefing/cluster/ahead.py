"""A batch's per-article features, and for a big backlog, computed ahead in a worker.

The first fetch clusters tens of thousands of articles in batches. A batch's
word, name and headline counts, MinHash signatures and outlets depend on its own
articles alone (text scanning in Python: about a third of the run), while
placing it into events depends on every batch before it. So a worker process
scans the next batches while this process places the current one, and on two
cores the scanning leaves the critical path. A morning's few hundred articles
are scanned in-process: starting a worker costs more than it would save.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from briefing.cluster.dedup import signatures
from briefing.cluster.grouping import outlet_rows
from briefing.cluster.params import Params
from briefing.cluster.vectors import Doc, Featurizer

# backlogs larger than this are scanned in a worker process
PARALLEL_FROM = 5000
# batches handed to the worker before the first is needed back (each ~10 MB of text)
AHEAD = 2
# articles scanned at once (a slice's tokens, as Python strings, are most of the
# memory its scanning takes)
SLICE = 500


@dataclass(frozen=True, slots=True)
class Features:
    """What a batch's clustering needs of its articles' text, before any IDF."""

    words: sp.csr_matrix  # field-weighted sublinear counts (`Featurizer.counts`)
    names: sp.csr_matrix
    titles: sp.csr_matrix  # headline counts (`Featurizer.title_counts`)
    signatures: np.ndarray  # one MinHash row per article (uint64)
    outlets: sp.csr_matrix  # `grouping.outlet_rows` of the articles' sources


def compute(docs: list[Doc], params: Params, featurizer: Featurizer | None = None) -> Features:
    """The batch's features; `featurizer` may be one kept from batch to batch (its memo)."""
    featurizer = featurizer or Featurizer(params)
    # (every row is its own article's, so the slices stacked are the batch's rows)
    parts = [
        _scan(docs[n : n + SLICE], featurizer, params) for n in range(0, len(docs), SLICE)
    ] or [_scan(docs, featurizer, params)]

    def stacked(name: str) -> sp.csr_matrix:
        return sp.vstack([getattr(p, name) for p in parts], format="csr")

    return Features(
        stacked("words"),
        stacked("names"),
        stacked("titles"),
        np.concatenate([p.signatures for p in parts]),
        stacked("outlets"),
    )


def _scan(docs: list[Doc], featurizer: Featurizer, params: Params) -> Features:
    words, names, hashes = featurizer.counts_and_hashes(docs)
    sigs = signatures(docs, params, hashes)
    return Features(
        words,
        names,
        featurizer.title_counts([d.title for d in docs]),
        np.array(sigs, dtype=np.uint64).reshape(len(docs), params.num_perm),
        outlet_rows([d.source for d in docs], params.n_features),
    )


# the worker's featurizer, kept across batches for its memo of token columns
_KEPT: dict[Params, Featurizer] = {}


def _in_worker(docs: list[Doc], params: Params) -> Features:
    if params not in _KEPT:
        _KEPT.clear()
        _KEPT[params] = Featurizer(params)
    return compute(docs, params, _KEPT[params])


def _context() -> Any:
    # (not fork: the app that runs the clustering has threads)
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class Ahead:
    """`with Ahead(params, parallel) as ahead: for docs, features in ahead.of(batches)`.

    Without `parallel`, or once the worker is lost (a script without a
    `__main__` guard, a killed process), every batch is scanned in-process:
    the features are the same either way, only the time differs.
    """

    def __init__(self, params: Params, parallel: bool) -> None:
        self.params = params
        # (this process's featurizer lasts the run: its memo is freed with it)
        self._featurizer = Featurizer(params)
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self.from_worker = 0  # batches whose features the worker computed
        if parallel and (os.cpu_count() or 1) > 1:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def of(self, batches: Iterable[list[Doc]]) -> Iterator[tuple[list[Doc], Features]]:
        """Each batch with its features, in order."""
        it = iter(batches)
        if self._pool is None:
            for docs in it:
                yield docs, self._here(docs)
            return
        pending: deque[tuple[list[Doc], Future[Features]]] = deque()
        first = next(it, None)
        # the first batch is scanned here while the worker starts on the next ones
        for docs in it:
            pending.append((docs, self._submit(docs)))
            if len(pending) >= AHEAD:
                break
        if first is not None:
            yield first, self._here(first)
        while pending:
            docs, future = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, self._submit(nxt)))
            yield docs, self._result(docs, future)

    def _here(self, docs: list[Doc]) -> Features:
        return compute(docs, self.params, self._featurizer)

    def _submit(self, docs: list[Doc]) -> Future[Features]:
        if self._pool is not None and not self._broken:
            try:
                return self._pool.submit(_in_worker, docs, self.params)
            except (BrokenExecutor, RuntimeError):
                self._broken = True
        done: Future[Features] = Future()
        done.set_result(self._here(docs))
        return done

    def _result(self, docs: list[Doc], future: Future[Features]) -> Features:
        try:
            features = future.result()
        except BrokenExecutor:
            self._broken = True  # (the remaining batches are scanned here)
            return self._here(docs)
        self.from_worker += self._pool is not None and not self._broken
        return features
