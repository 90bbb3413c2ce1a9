"""Extractive summaries of articles, events and stories, offline.

- `text`: sentence segmentation (pysbd), word tokens, stems, stop words; no NLTK data.
- `boilerplate`: the named patterns that keep page clutter out of summaries.
- `candidates`: each source's clean lead sentences, near-duplicates folded.
- `rank`: sumy's LexRank/TextRank/LSA/Luhn (or position only) plus news priors.
- `core`: article, event and story summaries as pure functions on plain text.
- `stage`: `run(store, settings)`, the incremental pipeline stage.
"""

from briefing.summarize.candidates import Source
from briefing.summarize.core import summarize_article, summarize_event, summarize_story

__all__ = ["Source", "summarize_article", "summarize_event", "summarize_story"]
