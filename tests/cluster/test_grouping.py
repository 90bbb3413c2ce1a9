"""The grouping's sparse-row helpers build the same matrices scipy does."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from briefing.cluster.grouping import row_of, stack

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


def test_stack_of_rows_is_the_matrix() -> None:
    m = matrix(3)
    stacked = stack([row_of(m, n) for n in range(m.shape[0])], N)
    assert stacked.shape == m.shape and (stacked != m).nnz == 0
    assert stack([], N).shape == (0, N)
