"""The stored form of sparse rows: many records read back at once, old and new alike."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from briefing.cluster.vectors import pack_rows, unpack_many

N = 1000


def _record(rng: np.random.Generator) -> tuple[list[float], list[sp.csr_matrix]]:
    rows = [
        sp.random(1, N, density=rng.uniform(0, 0.05), format="csr", dtype=np.float32, rng=rng)
        for _ in range(int(rng.integers(0, 4)))
    ]
    return list(rng.normal(size=int(rng.integers(0, 5)))), rows


def test_records_with_fewer_rows_or_header_numbers_read_back_padded() -> None:
    rng = np.random.default_rng(3)
    records = [_record(rng) for _ in range(200)]
    header, mats = unpack_many([pack_rows(rows, head) for head, rows in records], N, 3)
    assert header.shape == (200, max(len(head) for head, _ in records))
    for n, (head, rows) in enumerate(records):
        # a number written by a later version is NaN in an older record
        assert np.allclose(header[n, : len(head)], head)
        assert np.isnan(header[n, len(head) :]).all()
        for r in range(3):
            want = rows[r] if r < len(rows) else sp.csr_matrix((1, N), dtype=np.float32)
            assert (mats[r][n] != want).nnz == 0


def test_no_records_read_back_as_empty_matrices() -> None:
    header, mats = unpack_many([], N, 2)
    assert header.shape[0] == 0 and [m.shape for m in mats] == [(0, N), (0, N)]
