"""Text features: content words, shingles (names come from `briefing.entities`).

The clustering's name feature uses the one name finder the program has,
`briefing.entities.shapes`, so the entity stage and the grouping agree on
what a name is.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from briefing.entities.shapes import STOP, field_names, names

__all__ = [
    "field_names",
    "names",
    "shingle_hashes",
    "shingles",
    "stem",
    "tokens",
    "word_hashes",
    "words",
]

# letters of any script (Société, Zürich); digits inside words (nis2, cve-2024-3094)
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W_]+)*|\d+(?:[.,]\d+)*")
# the same pattern for ASCII text, where [^\W\d_] is [A-Za-z]: ~30% faster to scan
_WORD_ASCII = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['-][A-Za-z0-9]+)*|[0-9]+(?:[.,][0-9]+)*")


def tokens(text: str) -> list[str]:
    """The raw words and numbers of `text`, in order (`_WORD`'s matches)."""
    return (_WORD_ASCII if text.isascii() else _WORD).findall(text)


def stem(word: str) -> str:
    """A light plural folding (sanctions ~ sanction) without a stemmer's surprises."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class _Memo(dict[str, str]):
    """Raw word -> its folded form, filled on first sight (text reuses its words)."""

    def __missing__(self, raw: str) -> str:
        folded = _fold(raw)
        if len(self) < 500_000:  # bounded
            self[raw] = folded
        return folded


_FOLDED = _Memo()


def _fold(raw: str) -> str:
    low = raw.lower().replace("’", "'")
    if low.endswith("'s"):
        low = low[:-2]
    if low in STOP or len(low) < 2:
        return ""
    if low[0].isdigit() and not (len(low) == 4 and low[:2] in {"19", "20"}):
        return ""  # years stay (they date a matter); other bare numbers are noise
    return stem(low)


def words(text: str) -> list[str]:
    """Content words, lowercased and folded; stop words and bare numbers dropped."""
    return fold(tokens(text))


def fold(raw: list[str]) -> list[str]:
    """`words` of text whose `tokens` these are."""
    return list(filter(None, map(_FOLDED.__getitem__, raw)))


def shingles(text: str, size: int) -> set[str]:
    """Word n-grams of the raw body (stop words kept: copies share them too)."""
    raw = [t.lower() for t in _WORD.findall(text)]
    if len(raw) < size:
        return {" ".join(raw)} if raw else set()
    return {" ".join(raw[i : i + size]) for i in range(len(raw) - size + 1)}


class _Hashes(dict[str, int]):
    """Word -> crc32 of the lowercased word, filled on first sight."""

    def __missing__(self, word: str) -> int:
        h = zlib.crc32(word.lower().encode("utf-8"))
        if len(self) < 500_000:  # bounded
            self[word] = h
        return h


_WORD_HASH = _Hashes()
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint64)


def word_hashes(text: str) -> np.ndarray:
    """The crc32 of each lowercased word of `text`, in order (uint64)."""
    # ASCII words tokenize the same before and after lowercasing, so the raw
    # words can be looked up; other scripts are lowercased first, as they always were
    return hash_words(tokens(text if text.isascii() else text.lower()))


def hash_words(raw: list[str]) -> np.ndarray:
    """`word_hashes` of ASCII text whose `tokens` these are."""
    return np.fromiter(map(_WORD_HASH.__getitem__, raw), dtype=np.uint64, count=len(raw))


def mix_grams(hashes: np.ndarray, size: int) -> np.ndarray:
    """32-bit hashes of every run of `size` consecutive word hashes (one per start)."""
    count = len(hashes) - size + 1
    mixed = np.zeros(max(count, 0), dtype=np.uint64)
    for k in range(size):
        mixed = (mixed * _MIX[k % len(_MIX)] + hashes[k : k + count]) & np.uint64(0xFFFFFFFFFFFF)
    mixed ^= mixed >> np.uint64(17)
    return mixed & np.uint64(0xFFFFFFFF)


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """Stable 32-bit hashes of the word n-grams of `text` (distinct, sorted).

    Each word is hashed once (crc32) and an n-gram mixes its words' hashes with
    numpy, which is many times faster than hashing every n-gram string.
    """
    hashes = word_hashes(text)
    if not len(hashes):
        return hashes
    return np.unique(mix_grams(hashes, min(size, len(hashes))))
