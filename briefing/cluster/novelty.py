"""Which of an event's terms no earlier event has had: its "novel" terms, for story linking.

A name no story has ever carried (a product first heard of today) cannot
match any story the event is compared with; it only shrinks every cosine of
the event (cos = e.s / |e||s|: the term adds to |e| and to no e.s). Story
linking therefore compares an event by its known part, and tells the model
what share of the event was novel: a new storyline is mostly novel, and its
few known terms ("US", "FBI") must not pass for a match.

Known means: some event placed before it had the column. Events are placed
by their first article's time; `Seen` keeps, per view and column, the
earliest such time of any event (whole seconds, stored between runs), and the
columns of the events placed in this run (ties in time, events of one chunk).
An incremental run's event so sees what it would in a from-scratch build:
every strictly earlier event of the archive, and the run's events before it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

NEVER = np.uint32(0xFFFFFFFF)


class Seen:
    """Per view and column: the earliest time an event had it; and what this run placed."""

    def __init__(self, n_features: int, views: int = 3) -> None:
        self.first = np.full((views, n_features), NEVER, dtype=np.uint32)
        self.placed = np.zeros((views, n_features), dtype=bool)
        self._row = np.empty(0, dtype=np.int64)  # scratch: first row of a column in a batch

    def shares(
        self, rows: Sequence[sp.csr_matrix], times: np.ndarray, in_order: bool = True
    ) -> np.ndarray:
        """(views, items): each item's share of its squared mass in novel columns.

        With `in_order` the items are about to be placed in this order, so an
        item's predecessors among them count as placed before it.
        """
        stamp = _stamps(times)
        out = np.zeros((len(rows), rows[0].shape[0]))
        for v, m in enumerate(rows):
            item = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
            cols = m.indices
            known = self.first[v, cols] < stamp[item]
            known |= self.placed[v, cols]
            if in_order and m.shape[0] > 1:
                known |= self._first_rows(cols, item) < item
            mass = np.asarray(m.data, dtype=np.float64) ** 2
            total = np.bincount(item, weights=mass, minlength=m.shape[0])
            novel = np.bincount(item, weights=np.where(known, 0.0, mass), minlength=m.shape[0])
            np.divide(novel, total, out=out[v], where=total > 0)
        return out

    def _first_rows(self, cols: np.ndarray, item: np.ndarray) -> np.ndarray:
        """Per entry, the first item (row) of the batch holding its column."""
        if self._row.size != self.first.shape[1]:
            self._row = np.full(self.first.shape[1], np.iinfo(np.int64).max)
        np.minimum.at(self._row, cols, item)
        out = self._row[cols]
        self._row[cols] = np.iinfo(np.int64).max  # (reset only what was touched)
        return out

    def record(self, rows: Sequence[sp.csr_matrix], times: np.ndarray, placed: bool = True) -> None:
        """The items' columns are known from their time on (and, `placed`, to every item
        placed after them in this run, whatever its time)."""
        stamp = _stamps(times)
        for v, m in enumerate(rows):
            item = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
            held = m.data != 0  # (a correction's subtraction can leave explicit zeros)
            cols = m.indices[held]
            np.minimum.at(self.first[v], cols, stamp[item[held]])
            if placed:
                self.placed[v, cols] = True

    def to_bytes(self) -> bytes:
        """Only the columns ever had: (count, columns, times) per view."""
        parts = []
        for first in self.first:
            cols = np.flatnonzero(first != NEVER).astype(np.int32)
            parts += [struct.pack("<q", len(cols)), cols.tobytes(), first[cols].tobytes()]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, blob: bytes | None, n_features: int, views: int = 3) -> Seen:
        """The stored record (none, or another feature size's: as if nothing was seen)."""
        out = cls(n_features, views)
        data, at = blob or b"", 0
        try:
            for v in range(views):
                (n,) = struct.unpack_from("<q", data, at)
                cols = np.frombuffer(data, np.int32, n, at + 8)
                out.first[v, cols] = np.frombuffer(data, np.uint32, n, at + 8 + 4 * n)
                at += 8 + 8 * n
        except (struct.error, ValueError, IndexError):
            return cls(n_features, views)
        return out


def _stamps(times: np.ndarray) -> np.ndarray:
    """Whole seconds, as stored (NEVER is later than any)."""
    whole = np.floor(np.asarray(times, dtype=np.float64))
    return np.clip(whole, 0, int(NEVER) - 1).astype(np.uint32)
