"""Hashed TF-IDF vectors of an article: one over its words, one over its names.

Hashed features (as scikit-learn's `HashingVectorizer` hashes them) need no
fitted vocabulary, so an archive can grow for years without refitting
anything; the document frequencies that make the IDF are a plain array that
new articles add to (kept in the store between runs).
Title, lead and body are vectorized apart and added with their weights, so a
name in the headline counts many times a passing mention deep in the text.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from urllib.parse import urlsplit

import mmh3
import numpy as np
import scipy.sparse as sp

from briefing.boilerplate import is_caption, repeats_headline
from briefing.cluster import text as T
from briefing.cluster.params import Params

CAPTION_MAX = 300  # characters: a longer paragraph is the article's, whatever it mentions
# articles are ints in the store, strings in the labeled corpus
ItemId = int | str


def arrival(published: float, url: str, item: ItemId) -> tuple[float, str, str]:
    """The order articles are placed in: by time, then by address.

    A day's articles from feeds that give only a date tie on time. Their ids
    are the order a fetch happened to store them in: the same articles would
    group differently from one fetch to the next.
    """
    return (published, url, f"{item:>20}" if isinstance(item, int) else str(item))


@dataclass(frozen=True, slots=True)
class Doc:
    """What the clustering reads of an article (a store Article or a corpus entry)."""

    id: ItemId
    title: str
    summary: str  # the feed's teaser
    text: str  # the extracted full text, paragraphs separated by blank lines
    outlet: str
    url: str
    published: float  # POSIX seconds, UTC

    @property
    def source(self) -> str:
        return source_of(self.outlet, self.url)

    @property
    def body(self) -> str:
        return self.text or self.summary

    def fields(self) -> tuple[str, str, str]:
        """(title, lead, rest): the lead is the teaser and the first paragraph."""
        title, lead, _, rest = self.pieces()
        return title, lead, rest

    def pieces(self) -> tuple[str, str, str, str]:
        """(title, lead, first paragraph, rest): `fields` with the first paragraph apart."""
        paragraphs = _own_paragraphs(self.text, self.title)
        first = paragraphs[0] if paragraphs else ""
        lead = f"{self.summary}\n{first}" if self.summary.strip() != first.strip() else first
        return self.title, lead, first, "\n".join(paragraphs[1:])


def _own_paragraphs(text: str, title: str) -> list[str]:
    """The text's paragraphs, without the headline it may open with and photo captions.

    A page's extracted text often repeats the headline as its first line, and
    a caption can follow: read as the lead, they pushed the article's real first
    paragraph, where its names are, down to the body's weight.
    """
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if paragraphs and repeats_headline(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    return [p for p in paragraphs if len(p) > CAPTION_MAX or not is_caption(p)]


def _body_tokens(text: str, first: str, rest: str, own: list[str]) -> list[str]:
    """The tokens of the whole text, given `own`, those of the paragraphs `Doc.pieces` kept."""
    lines = [p for p in text.split("\n") if p.strip()]
    kept = "\n".join(p for p in (first, rest) if p)
    if kept == "\n".join(lines):
        return own
    if kept == "\n".join(lines[1:]):  # only the repeated headline was left out
        return T.tokens(lines[0]) + own
    return T.tokens(text)


def source_of(outlet: str, url: str) -> str:
    """Who published an article, as the outlet view tells them apart: name and link host.

    A feed names its articles after itself, so one aggregator feed would be one
    outlet; the hosts its links point to still tell its outlets apart.
    """
    host = urlsplit(url).hostname or ""
    return f"{outlet.strip().lower()}|{host.removeprefix('www.')}"


class _Columns(dict[str, int]):
    """Token -> its column, as scikit-learn's `HashingVectorizer` (signed 32-bit
    murmurhash3 of the UTF-8 bytes, seed 0, no alternate sign) places it;
    memoized, because an archive repeats its words and names. The hash is
    mmh3's, the same function: importing scikit-learn for it cost ~70 MB."""

    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.n_features = n_features

    def __missing__(self, token: str) -> int:
        h = mmh3.hash(token, 0, signed=True)
        # as sklearn's _hashing_fast, which defines abs(-2**31) this way
        n = self.n_features
        column = (2147483647 - (n - 1)) % n if h == -(2**31) else abs(h) % n
        if len(self) < 200_000:  # bounded
            self[token] = column
        return column

    def counts(self, docs: Sequence[list[str]]) -> sp.csr_matrix:
        """Token counts per document (float64, sorted indices), like `transform`."""
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        columns = np.fromiter(
            map(self.__getitem__, chain.from_iterable(docs)), dtype=np.int32, count=lengths.sum()
        )
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        out = sp.csr_matrix(
            (np.ones(len(columns)), columns, indptr), shape=(len(docs), self.n_features)
        )
        out.sum_duplicates()
        return out


class DocFreq:
    """Document frequencies over hashed features, for the words and for the names."""

    def __init__(self, n_features: int) -> None:
        self.n_docs = 0
        self.words = np.zeros(n_features, dtype=np.int32)
        self.names = np.zeros(n_features, dtype=np.int32)

    def add(self, words: sp.csr_matrix, names: sp.csr_matrix) -> None:
        self.n_docs += words.shape[0]
        self.words += np.bincount(words.indices, minlength=self.words.size).astype(np.int32)
        self.names += np.bincount(names.indices, minlength=self.names.size).astype(np.int32)

    def idf(self, which: str) -> np.ndarray:
        df = self.words if which == "words" else self.names
        return (np.log((1.0 + self.n_docs) / (1.0 + df)) + 1.0).astype(np.float32)

    def to_bytes(self) -> bytes:
        # mostly zeros: compressed, the blob rewritten each run is a few hundred KB
        raw = struct.pack("<q", self.n_docs) + self.words.tobytes() + self.names.tobytes()
        return zlib.compress(raw, 1)

    @classmethod
    def from_bytes(cls, blob: bytes, n_features: int) -> DocFreq:
        out = cls(n_features)
        try:
            data = zlib.decompress(blob)
        except zlib.error:
            return out
        if len(data) != 8 + 8 * n_features:
            return out  # written with another feature size: start over
        out.n_docs = struct.unpack_from("<q", data)[0]
        out.words = np.frombuffer(data, np.int32, n_features, 8).copy()
        out.names = np.frombuffer(data, np.int32, n_features, 8 + 4 * n_features).copy()
        return out


def _field_tokens(
    doc: Doc, lead: str, first: str, rest: str, hashes: list[np.ndarray] | None
) -> tuple[list[str], list[str]]:
    """The lead's and the rest's `text.tokens`; with `hashes`, the body's word hashes
    are appended to it. Tokens never span a line, so the lead's are the teaser's
    then the first paragraph's, and a body's are its first paragraph's then the rest's
    (unless `Doc.pieces` left a line out)."""
    raw_first, raw_rest = T.tokens(first), T.tokens(rest)
    raw_lead = raw_first if lead == first else T.tokens(doc.summary) + raw_first
    if hashes is not None:
        body = doc.body
        if not body.isascii():  # (lowercased before it is split, as `word_hashes` does)
            hashes.append(T.word_hashes(body))
        elif doc.text:
            hashes.append(T.hash_words(_body_tokens(doc.text, first, rest, raw_first + raw_rest)))
        else:
            hashes.append(T.hash_words(T.tokens(body)))
    return raw_lead, raw_rest


class Featurizer:
    def __init__(self, params: Params) -> None:
        self.params = params
        self._columns = _Columns(params.n_features)

    def counts(self, docs: Sequence[Doc]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Field-weighted, sublinear term counts (before IDF), words and names."""
        words, names, _ = self._counts(docs, None)
        return words, names

    def counts_and_hashes(
        self, docs: Sequence[Doc]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, list[np.ndarray]]:
        """`counts`, and each body's `text.word_hashes` (for its MinHash), from the same
        tokens: the body is the lead's paragraph and the rest, tokenized once."""
        hashes: list[np.ndarray] = []
        return self._counts(docs, hashes)

    def _counts(
        self, docs: Sequence[Doc], hashes: list[np.ndarray] | None
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, list[np.ndarray]]:
        p = self.params
        w_fields: list[list[list[str]]] = [[], [], []]
        n_fields: list[list[list[str]]] = [[], [], []]
        for doc in docs:
            title, lead, first, rest = doc.pieces()
            raw = _field_tokens(doc, lead, first, rest, hashes)
            w_fields[0].append(T.words(title))
            for i, found in enumerate(raw, start=1):
                w_fields[i].append(T.fold(found))
            for i, found in enumerate(T.field_names(title, lead, rest)):
                n_fields[i].append(found)
        words = self._combine(w_fields, (p.title_weight, p.lead_weight, p.body_weight))
        names = self._combine(
            n_fields, (p.name_title_weight, p.name_lead_weight, p.name_body_weight)
        )
        return words, names, hashes if hashes is not None else []

    def _combine(self, fields: list[list[list[str]]], weights: tuple[float, ...]) -> sp.csr_matrix:
        total: sp.csr_matrix | None = None
        for tokens, weight in zip(fields, weights, strict=True):
            part = self._columns.counts(tokens) * weight
            total = part if total is None else total + part
        assert total is not None
        out = sp.csr_matrix(total, dtype=np.float32)
        out.data = np.log1p(out.data)  # the tenth "Kaspersky" adds little
        out.eliminate_zeros()
        return out

    def titles(self, titles: Sequence[str], idf: np.ndarray) -> sp.csr_matrix:
        """Headlines alone, weighted like the words vectors (to pick a representative one)."""
        return self.weigh(self.title_counts(titles), idf)

    def title_counts(self, titles: Sequence[str]) -> sp.csr_matrix:
        """`titles` before the IDF: sublinear counts of the headlines' words."""
        counts = sp.csr_matrix(self._columns.counts([T.words(t) for t in titles]), dtype=np.float32)
        counts.data = np.log1p(counts.data)
        return counts

    @staticmethod
    def weigh(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        out = counts.copy()
        out.data = out.data * idf[out.indices]
        return sp.csr_matrix(normalize_rows(out), dtype=np.float32)


def normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row scaled to unit l2 norm in place (empty rows stay), and returned.

    The arithmetic of scikit-learn's `normalize(norm="l2")`, to the bit: squares
    in the data's precision, summed in float64 in index order, one division.
    numpy's own sums add pairwise, so the rows are summed a position at a time.
    """
    data, indptr = matrix.data, matrix.indptr
    lengths = np.diff(indptr)
    squares = (data * data).astype(np.float64)
    # longest rows first: the rows still adding at position k are a prefix
    order = np.argsort(-lengths, kind="stable")
    starts, longest = indptr[:-1][order], lengths[order]
    still = np.searchsorted(-longest, -np.arange(int(longest[0]) if len(longest) else 0), "left")
    sums = np.zeros(len(lengths))
    for k, n in enumerate(still):
        sums[:n] += squares[starts[:n] + k]
    norms = np.zeros(len(lengths))
    norms[order] = np.sqrt(sums)
    norms[norms == 0.0] = 1.0  # (a row of zeros only: left as it is)
    matrix.data = (data / np.repeat(norms, lengths)).astype(data.dtype, copy=False)
    return matrix


# -- compact storage of sparse rows (features table blobs) ---------------------


def pack_rows(rows: Sequence[sp.csr_matrix], header: Sequence[float] = ()) -> bytes:
    """Several 1xN sparse rows (and a few floats) as one blob."""
    parts = [struct.pack("<ii", len(header), len(rows))]
    parts.append(np.asarray(header, dtype=np.float64).tobytes())
    for row in rows:
        if not isinstance(row, sp.csr_matrix):  # (rebuilding a CSR row only costs time)
            row = sp.csr_matrix(row)
        nnz = int(row.indptr[-1])
        parts.append(struct.pack("<i", nnz))
        parts.append(row.indices[:nnz].astype(np.int32).tobytes())
        parts.append(row.data[:nnz].astype(np.float32).tobytes())
    return b"".join(parts)


def unpack_many(
    blobs: Sequence[bytes], n_features: int, n_rows: int
) -> tuple[np.ndarray, list[sp.csr_matrix]]:
    """Many blobs of `n_rows` rows each as one header array and `n_rows` matrices.

    The fast path for reading every story centroid at once: the blobs are read
    as one buffer, row kind by row kind for all of them together (a loop over
    thousands of blobs was most of a small run's time). A blob with fewer rows
    (written before that row existed) gets empty ones.
    """
    if not blobs:
        return np.zeros((0, 0)), [
            sp.csr_matrix((0, n_features), dtype=np.float32) for _ in range(n_rows)
        ]
    # every field is 4 or 8 bytes, so each blob is whole 4-byte words
    words = np.frombuffer(b"".join(blobs), dtype=np.int32)
    sizes = np.array([len(b) // 4 for b in blobs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes[:-1])])
    n_header, count = words[starts].astype(np.int64), words[starts + 1].astype(np.int64)
    headers = _headers(words, starts + 2, n_header)
    pos = starts + 2 + 2 * n_header
    floats = words.view(np.float32)
    mats = []
    for r in range(n_rows):
        present = r < count
        nnz = np.where(present, words[np.where(present, pos, 0)], 0).astype(np.int64)
        at = _ranges(pos + 1, nnz)
        indptr = np.concatenate([[0], np.cumsum(nnz)])
        indices = words[at]
        values = floats[at + np.repeat(nnz, nnz)]
        mats.append(sp.csr_matrix((values, indices, indptr), shape=(len(blobs), n_features)))
        pos = np.where(present, pos + 1 + 2 * nnz, pos)
    return headers, mats


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start, start+1, ... (length of them) of every range, concatenated."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    shift = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


def _headers(words: np.ndarray, at: np.ndarray, n_header: np.ndarray) -> np.ndarray:
    """Each blob's float64 header as a row; shorter ones (written before a field existed)
    padded with NaN."""
    width = int(n_header.max())
    out = np.full((len(at), width), np.nan)
    for k in range(width):
        has = k < n_header
        pairs = words[np.stack([at[has] + 2 * k, at[has] + 2 * k + 1], axis=1)]
        out[has, k] = np.ascontiguousarray(pairs).view(np.float64).ravel()
    return out


def norm(row: sp.csr_matrix) -> float:
    return math.sqrt(float(row.multiply(row).sum())) if row.nnz else 0.0
