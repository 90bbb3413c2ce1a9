"""Offline sentence segmentation, word tokenization and stemming.

sumy's default `Tokenizer` asks NLTK for its punkt model, which is a download
at run time; briefing never downloads anything. Sentences come from sentencex
(rule-based, compiled, no data files; on the labeled corpus it splits every
paragraph exactly as pysbd did, about 80 times faster), words from one regular
expression, stop words from the list sumy ships (read from its file), and
stems from snowballstemmer's English (Porter2) stemmer, given words the way
NLTK's Snowball stemmer (which sumy used) gives them: the same stems
(`tests/summarize/test_rank.py` compares them), without importing NLTK,
which pulls SciPy and scikit-learn in with it (over a second per refresh).
`tests/summarize/test_offline.py` proves all of it with an empty NLTK_DATA and
sockets blocked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import sentencex
import snowballstemmer

LANGUAGE = "english"
LANGUAGE_CODE = "en"

# A word is letters or digits, with inner hyphens, apostrophes and dots
# (U.S., 5.4, don't, zero-day). Punctuation never counts as a word.
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_LINE_BREAKS = re.compile(r"\n+")
_SPACES = re.compile(r"\s+")

_stemmer = snowballstemmer.stemmer(LANGUAGE)
# NLTK reads these as the ASCII apostrophe before stemming ("agency’s" -> "agenc").
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201b": "'"})


def paragraphs(text: str) -> list[str]:
    """Extracted pages keep one paragraph per line; blank lines do not matter."""
    return [p for p in (_SPACES.sub(" ", line).strip() for line in _LINE_BREAKS.split(text)) if p]


# Sentence-ending punctuation anywhere but at the very end (closing quotes and
# brackets aside): without it, a paragraph is one sentence, with nothing to decide.
_INNER_END = re.compile(r"[.!?…](?![\"”’')\]]*$)")


@lru_cache(maxsize=50_000)
def _segment_cached(paragraph: str) -> tuple[str, ...]:
    if not _INNER_END.search(paragraph):
        return (paragraph,)
    parts = sentencex.segment(LANGUAGE_CODE, paragraph)
    return tuple(s for s in (part.strip() for part in parts) if s)


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph (memoized: an event re-reads its articles' leads)."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    return list(_segment_cached(paragraph))


def words(sentence: str) -> list[str]:
    return _WORD.findall(sentence)


def stem(word: str) -> str:
    return _stem_cached(word.lower())


@lru_cache(maxsize=100_000)
def _stem_cached(word: str) -> str:
    # As NLTK's EnglishStemmer.stem: two letters or fewer stay as they are.
    if len(word) <= 2:
        return word
    return str(_stemmer.stemWord(word.translate(_APOSTROPHES)))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """sumy's English stop words (its `get_stop_words` imports requests and pycountry)."""
    data = resources.files("sumy").joinpath(f"data/stopwords/{LANGUAGE}.txt").read_text("utf-8")
    return frozenset(w.rstrip() for w in data.splitlines() if w)


def content_terms(sentence: str) -> tuple[str, ...]:
    """The stems of a sentence's non-stop words, in order, repeats kept: what LexRank counts."""
    stops = stop_words()
    lowered = (w.lower() for w in words(sentence))
    return tuple(_stem_cached(w) for w in lowered if w not in stops)


def content_stems(sentence: str) -> frozenset[str]:
    """The stems of a sentence's non-stop words: what redundancy checks compare."""
    return frozenset(content_terms(sentence))


class OfflineTokenizer:
    """Duck-typed stand-in for `sumy.nlp.tokenizers.Tokenizer`, with no NLTK data."""

    @property
    def language(self) -> str:
        return LANGUAGE

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))
