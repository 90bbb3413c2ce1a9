"""Scoring candidate sentences with sumy's algorithms, or by position alone.

sumy's summarizers return the top sentences but keep their ratings private;
every one of them (LexRank, TextRank, LSA, Luhn) passes the rated sentences,
best first, through the `sentences_count` argument when it is a callable, so
that is where the ratings are read. Ratings are then turned into ranks scaled
to [0, 1], which puts all algorithms on one scale.

The final score mixes the algorithm's centrality with a position prior (news
puts what happened first) and, for events, how many sources carried the
sentence. The weights were chosen once, from how news is written, and are the
same for every algorithm; `benchmarks/eval_summaries.py` prints the pure
algorithms next to the mixed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from briefing.summarize import text
from briefing.summarize.candidates import Candidate

_SUMY: dict[str, Callable[..., Any]] = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
}
ALGORITHMS: tuple[str, ...] = (*_SUMY, "lead")
# The measured best (see benchmarks/eval_summaries.py and the README figures).
DEFAULT = "lexrank"


@dataclass(frozen=True, slots=True)
class Weights:
    """How the final score is mixed; see the module docstring."""

    centrality: float = 1.0
    position: float = 1.0
    support: float = 0.5


MIXED = Weights()
PURE = Weights(centrality=1.0, position=0.0, support=0.0)


class SummarizeError(ValueError):
    """A summarizer setting that briefing does not know."""


def resolve(name: str | None) -> str:
    """The algorithm for a setting value; empty means the measured best."""
    name = (name or "").strip().lower()
    if not name:
        return DEFAULT
    if name not in ALGORITHMS:
        raise SummarizeError(
            f"unknown summarizer {name!r}; choose one of {', '.join(ALGORITHMS)} (or leave empty)"
        )
    return name


def centrality(candidates: Sequence[Candidate], algorithm: str) -> list[float]:
    """Each candidate's rank under `algorithm`, scaled so the best is 1 and the worst 0."""
    n = len(candidates)
    if n == 0:
        return []
    if algorithm == "lead" or n == 1:
        return [1.0] * n
    tokenizer = text.OfflineTokenizer()
    # One paragraph per source keeps sumy's document structure meaningful for
    # the algorithms that look at it; order is what maps ratings back.
    document = ObjectDocumentModel(
        [Paragraph([SumySentence(c.text, tokenizer)]) for c in candidates]
    )
    summarizer = _SUMY[algorithm](text.stem)
    summarizer.stop_words = text.stop_words()
    order: list[int] = []

    def capture(infos: list[Any]) -> list[Any]:
        order.extend(info.order for info in infos)  # best first
        return infos

    summarizer(document, capture)
    scores = [0.0] * n
    for rank, index in enumerate(order):
        scores[index] = 1.0 - rank / (n - 1)
    return scores


def position_prior(position: int) -> float:
    """1 for a source's first sentence, 1/2 for its second, and so on."""
    return 1.0 / (1.0 + position)


def score(
    candidates: Sequence[Candidate],
    algorithm: str,
    weights: Weights = MIXED,
    n_sources: int = 1,
) -> list[float]:
    central = centrality(candidates, algorithm)
    if algorithm == "lead":
        # Position only; ties go to the earlier source.
        return [position_prior(c.position) - c.source * 1e-6 for c in candidates]
    support_scale = max(1, n_sources - 1)
    return [
        weights.centrality * central[i]
        + weights.position * position_prior(c.position)
        + weights.support * (c.support - 1) / support_scale
        for i, c in enumerate(candidates)
    ]
