"""Extractive summaries of articles, events and stories, offline.

- `text`: sentence segmentation (sentencex), word tokens, stems, stop words; no NLTK data.
- `candidates`: each source's clean lead sentences (page clutter dropped by the shared
  `briefing.boilerplate` rules), near-duplicates folded.
- `config`: which summarizer, and whether stored summaries are current (no sumy).
- `lexrank`: sumy's LexRank on the candidates' stems, without sumy (the default).
- `rank`: LexRank, or sumy's TextRank/LSA/Luhn, or position only, plus news priors.
- `redundancy`: MMR against sentences that repeat one another.
- `core`: article, event and story summaries as pure functions on plain text.
- `stage`: `run(store, settings, submit)`, the incremental pipeline stage.

The names below are imported on first use: `briefing.summarize.config` must
not pull sumy and NLTK into a refresh that has nothing to summarize.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.summarize.candidates import Source
    from briefing.summarize.core import summarize_article, summarize_event, summarize_story

__all__ = ["Source", "summarize_article", "summarize_event", "summarize_story"]

_HOMES = {
    "Source": "briefing.summarize.candidates",
    "summarize_article": "briefing.summarize.core",
    "summarize_event": "briefing.summarize.core",
    "summarize_story": "briefing.summarize.core",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
