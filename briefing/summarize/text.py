"""Offline sentence segmentation, word tokenization and stemming.

sumy's default `Tokenizer` asks NLTK for its punkt model, which is a download
at run time; briefing never downloads anything. Sentences come from sentencex
(rule-based, compiled, no data files; on the labeled corpus it splits every
paragraph exactly as pysbd did, about 80 times faster), words from one regular
expression, stop words from the list sumy ships, and stems from sumy's
`Stemmer`, which for English is NLTK's Snowball stemmer: pure code (NLTK only
needs data for its stop-word option, which sumy does not use).
`tests/summarize/test_offline.py` proves all of it with an empty NLTK_DATA and
sockets blocked.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sentencex
from sumy.nlp.stemmers import Stemmer
from sumy.utils import get_stop_words

LANGUAGE = "english"
LANGUAGE_CODE = "en"

# A word is letters or digits, with inner hyphens, apostrophes and dots
# (U.S., 5.4, don't, zero-day). Punctuation never counts as a word.
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_LINE_BREAKS = re.compile(r"\n+")
_SPACES = re.compile(r"\s+")

_stemmer = Stemmer(LANGUAGE)


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
