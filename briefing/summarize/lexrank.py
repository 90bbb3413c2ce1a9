"""LexRank ratings (Erkan and Radev, 2004) as sumy computes them, without sumy.

sumy's `LexRankSummarizer` wants its document model (each sentence tokenized
again) and importing any sumy summarizer imports NLTK, which pulls SciPy and
scikit-learn in: over a second at every refresh that summarizes anything.
The candidates already carry their stemmed content words, so this is sumy's
algorithm on them: tf scaled by the sentence's most frequent term, idf
log(n / (1 + df)), the idf-modified cosine thresholded into a graph, and the
power method. The similarity matrix comes from one matrix product rather
than sumy's pair-by-pair Python loop. `tests/summarize/test_rank.py` checks
the ratings against sumy's own summarizer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy

# sumy's defaults.
THRESHOLD = 0.1
EPSILON = 0.1


def ratings(sentences: Sequence[Sequence[str]]) -> list[float]:
    """Each sentence's LexRank rating; a sentence is its stemmed non-stop words."""
    if not sentences:
        return []
    matrix = _matrix(sentences)
    return [float(r) for r in _power_method(matrix)]


def _matrix(sentences: Sequence[Sequence[str]]) -> numpy.ndarray:
    n = len(sentences)
    counts = [Counter(words) for words in sentences]
    df = Counter(term for words in sentences for term in set(words))
    idf = {term: math.log(n / (1 + count)) for term, count in df.items()}
    column = {term: i for i, term in enumerate(idf)}
    weights = numpy.zeros((n, len(column)))
    for row, tf in enumerate(counts):
        top = max(tf.values()) if tf else 1
        for term, count in tf.items():
            weights[row, column[term]] = count / top * idf[term]
    norms = numpy.linalg.norm(weights, axis=1)
    denominator = numpy.outer(norms, norms)
    products = weights @ weights.T
    cosine = numpy.divide(
        products, denominator, out=numpy.zeros_like(products), where=denominator > 0
    )
    graph = (cosine > THRESHOLD).astype(float)
    # A sentence is like itself even when every word has zero idf (a word in
    # all sentences but one): without this its row is empty and the power
    # method divides by a zero norm.
    numpy.fill_diagonal(graph, 1.0)
    result: numpy.ndarray = graph / graph.sum(axis=1)[:, None]
    return result


def _power_method(matrix: numpy.ndarray) -> numpy.ndarray:
    transposed = matrix.T
    n = len(matrix)
    p_vector = numpy.array([1.0 / n] * n)
    change = 1.0
    while change > EPSILON:
        following = numpy.dot(transposed, p_vector)
        following /= numpy.linalg.norm(following)
        change = float(numpy.linalg.norm(numpy.subtract(following, p_vector)))
        p_vector = following
    return p_vector
