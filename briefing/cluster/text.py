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

__all__ = ["field_names", "names", "shingle_hashes", "shingles", "stem", "words"]

# letters of any script (Société, Zürich); digits inside words (nis2, cve-2024-3094)
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W_]+)*|\d+(?:[.,]\d+)*")


def stem(word: str) -> str:
    """A light plural folding (sanctions ~ sanction) without a stemmer's surprises."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_FOLDED: dict[str, str] = {}


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
    out = []
    for raw in _WORD.findall(text):
        folded = _FOLDED.get(raw)
        if folded is None:
            folded = _fold(raw)
            if len(_FOLDED) < 500_000:  # a bounded memo: text reuses its words
                _FOLDED[raw] = folded
        if folded:
            out.append(folded)
    return out


def shingles(text: str, size: int) -> set[str]:
    """Word n-grams of the raw body (stop words kept: copies share them too)."""
    tokens = [t.lower() for t in _WORD.findall(text)]
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


_WORD_HASH: dict[str, int] = {}
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint64)


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """Stable 32-bit hashes of the word n-grams of `text` (distinct, sorted).

    Each word is hashed once (crc32) and an n-gram mixes its words' hashes with
    numpy, which is many times faster than hashing every n-gram string.
    """
    tokens = _WORD.findall(text.lower())
    hashes = np.empty(len(tokens), dtype=np.uint64)
    for n, token in enumerate(tokens):
        h = _WORD_HASH.get(token)
        if h is None:
            h = zlib.crc32(token.encode("utf-8"))
            if len(_WORD_HASH) < 500_000:
                _WORD_HASH[token] = h
        hashes[n] = h
    if len(tokens) < size:
        size = max(1, len(tokens))
    if not len(tokens):
        return hashes
    count = len(tokens) - size + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for k in range(size):
        mixed = (mixed * _MIX[k % len(_MIX)] + hashes[k : k + count]) & np.uint64(0xFFFFFFFFFFFF)
    mixed ^= mixed >> np.uint64(17)
    return np.unique(mixed & np.uint64(0xFFFFFFFF))
