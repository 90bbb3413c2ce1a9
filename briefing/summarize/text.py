"""Offline sentence segmentation, word tokenization and stemming.

sumy's default `Tokenizer` asks NLTK for its punkt model, which is a download
at run time; briefing never downloads anything. Sentences come from pysbd
(rule-based, no data files), words from one regular expression, stop words
from the list sumy ships, and stems from sumy's `Stemmer`, which for English
is NLTK's Snowball stemmer: pure code (NLTK only needs data for its stop-word
option, which sumy does not use). `tests/summarize/test_offline.py` proves all
of it with an empty NLTK_DATA and sockets blocked.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
from sumy.nlp.stemmers import Stemmer
from sumy.utils import get_stop_words

LANGUAGE = "english"

# A word is letters or digits, with inner hyphens, apostrophes and dots
# (U.S., 5.4, don't, zero-day). Punctuation never counts as a word.
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_LINE_BREAKS = re.compile(r"\n+")
_SPACES = re.compile(r"\s+")

_segmenter = pysbd.Segmenter(language="en", clean=False)
_stemmer = Stemmer(LANGUAGE)


def paragraphs(text: str) -> list[str]:
    """Extracted pages keep one paragraph per line; blank lines do not matter."""
    return [p for p in (_SPACES.sub(" ", line).strip() for line in _LINE_BREAKS.split(text)) if p]


# Sentence-ending punctuation anywhere but at the very end (closing quotes and
# brackets aside): without it, a paragraph is one sentence, and pysbd (about
# 2 ms a paragraph) has nothing to decide.
_INNER_END = re.compile(r"[.!?…](?![\"”’')\]]*$)")


@lru_cache(maxsize=50_000)
def _segment_cached(paragraph: str) -> tuple[str, ...]:
    if not _INNER_END.search(paragraph):
        return (paragraph,)
    return tuple(s for s in (part.strip() for part in _segmenter.segment(paragraph)) if s)


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph (pysbd is slow-ish, so results are memoized)."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    if len(paragraph) <= CHUNK:
        return list(_segment_cached(paragraph))
    return [s for chunk in _chunks(paragraph) for s in _segment_cached(chunk)]


# pysbd's time grows faster than the length of its input (80,000 characters
# without a line break take seconds), so a long paragraph is cut into pieces
# of about this size, at a likely sentence end, before segmenting.
CHUNK = 2_000
_LAST_WORD = re.compile(r"(?:^|\s)([\w.'’-]+)[.!?]$")
_LIKELY_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘(]?[A-Z0-9])")


def _chunks(paragraph: str) -> list[str]:
    chunks = []
    start = 0
    while len(paragraph) - start > CHUNK:
        cut = None
        for match in _LIKELY_END.finditer(paragraph, start + CHUNK // 2, start + CHUNK):
            # "warning. The" is an end; "Mr. Roe" and "U.S. Treasury" are not.
            before = _LAST_WORD.search(paragraph[max(0, match.start() - 40) : match.start() + 1])
            if before and (before.group(1).islower() or before.group(1).isdigit()):
                cut = match.end()
        if cut is None:  # no sentence end in sight: cut at a space
            space = paragraph.rfind(" ", start + CHUNK // 2, start + CHUNK)
            cut = space + 1 if space > 0 else start + CHUNK
        chunks.append(paragraph[start:cut].strip())
        start = cut
    chunks.append(paragraph[start:].strip())
    return [c for c in chunks if c]


def words(sentence: str) -> list[str]:
    return _WORD.findall(sentence)


def stem(word: str) -> str:
    return _stem_cached(word.lower())


@lru_cache(maxsize=100_000)
def _stem_cached(word: str) -> str:
    return str(_stemmer(word))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(get_stop_words(LANGUAGE))


def content_stems(sentence: str) -> frozenset[str]:
    """The stems of a sentence's non-stop words: what redundancy checks compare."""
    stops = stop_words()
    return frozenset(stem(w) for w in words(sentence) if w.lower() not in stops)


class OfflineTokenizer:
    """Duck-typed stand-in for `sumy.nlp.tokenizers.Tokenizer`, with no NLTK data."""

    @property
    def language(self) -> str:
        return LANGUAGE

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))
