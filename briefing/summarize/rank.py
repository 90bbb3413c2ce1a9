"""Scoring candidate sentences with LexRank or sumy's algorithms, or by position alone.

LexRank, the default, is `briefing.summarize.lexrank` (sumy's algorithm on
the candidates' stems, without importing sumy and NLTK). The others are
sumy's, imported only when chosen. sumy's summarizers return the top
sentences but keep their ratings private; every one of them (LexRank,
TextRank, LSA, Luhn) passes the rated sentences, best first, through the
`sentences_count` argument when it is a callable, so that is where the
ratings are read. Ratings are then turned into ranks scaled
to [0, 1], which puts all algorithms on one scale.

The final score adds, with equal weights, the algorithm's centrality and two
priors from how news is written: a sentence's place in its article (the lead
says what happened) and its article's place in publication order (the first
report of an event is usually the primary one; later ones add reaction and
background). On the labeled corpus the pure algorithms all lose to the lead
baseline; centrality plus both priors beats it (`benchmarks/eval_summaries.py`
prints both). A headline-overlap term and a "carried by many sources" term
were measured too and added nothing, so they are not here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from briefing.summarize import lexrank, text
from briefing.summarize.candidates import Candidate
from briefing.summarize.config import ALGORITHMS, DEFAULT, SummarizeError, resolve

__all__ = [
    "ALGORITHMS",
    "DEFAULT",
    "MIXED",
    "PURE",
    "SummarizeError",
    "Weights",
    "resolve",
    "score",
]


@dataclass(frozen=True, slots=True)
class Weights:
    """How the final score is mixed; see the module docstring."""

    centrality: float = 1.0
    position: float = 1.0  # the sentence's place in its article
    source: float = 1.0  # its article's place in publication order


# Equal weights: no term was tuned against the references.
MIXED = Weights()
PURE = Weights(centrality=1.0, position=0.0, source=0.0)


def centrality(candidates: Sequence[Candidate], algorithm: str) -> list[float]:
    """Each candidate's rank under `algorithm`, scaled so the best is 1 and the worst 0."""
    n = len(candidates)
    if n == 0:
        return []
    if algorithm == "lead" or n == 1:
        return [1.0] * n
    if algorithm == "lexrank":
        ratings = lexrank.ratings([c.terms or text.content_terms(c.text) for c in candidates])
    else:
        ratings = _sumy_ratings(candidates, algorithm)
    # Ranks, not raw ratings: the algorithms' ratings live on unrelated scales.
    order = sorted(range(n), key=lambda i: -ratings[i])
    scores = [0.0] * n
    for r, index in enumerate(order):
        scores[index] = 1.0 - r / (n - 1)
    return scores


def _sumy_ratings(candidates: Sequence[Candidate], algorithm: str) -> list[float]:
    """The ratings sumy's `algorithm` gives the candidates (imported only when chosen)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence

    tokenizer = text.OfflineTokenizer()
    # These algorithms read only the document's sentences, in order, and the
    # order is what maps ratings back. (Candidates never repeat a text, which
    # matters: sumy keys some ratings by sentence text.)
    document = ObjectDocumentModel(
        [Paragraph([SumySentence(c.text, tokenizer)]) for c in candidates]
    )
    summarizer = _summarizer(algorithm)
    ratings = [0.0] * len(candidates)

    def capture(infos: list[Any]) -> list[Any]:
        for info in infos:
            ratings[info.order] = float(info.rating)
        return infos

    summarizer(document, capture)
    return ratings


@cache
def _summarizer(algorithm: str) -> Any:
    """One instance per algorithm: they keep no state between calls, and setting
    the stop words (normalizing 800 words) is not free."""
    summarizer = _sumy_classes()[algorithm](text.stem)
    summarizer.stop_words = text.stop_words()
    return summarizer


def _sumy_classes() -> dict[str, Callable[..., Any]]:
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    return {"textrank": TextRankSummarizer, "lsa": LsaSummarizer, "luhn": LuhnSummarizer}


def position_prior(position: int) -> float:
    """1 for the first (sentence, or source), 1/2 for the second, and so on."""
    return 1.0 / (1.0 + position)


def score(candidates: Sequence[Candidate], algorithm: str, weights: Weights = MIXED) -> list[float]:
    if algorithm == "lead":
        # Position only; ties go to the earlier source.
        return [position_prior(c.position) - c.source * 1e-6 for c in candidates]
    central = centrality(candidates, algorithm)
    return [
        weights.centrality * central[i]
        + weights.position * position_prior(c.position)
        + weights.source * position_prior(c.source)
        for i, c in enumerate(candidates)
    ]
