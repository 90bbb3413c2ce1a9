"""Titles an analyst would write: a representative headline, never a keyword list.

An event is titled by the headline of the original article closest to the
event's centroid (wire copies are left out: their headlines are the
original's or a re-write of it). Headlines too short to say what happened
or too long to scan step back, as do those of how-to guides, explainers and
opinion pieces, and those of articles that came hours or a day after the first
report, when the analyses and reactions come: the title should report the news. A story
takes the title of its latest event, so a row's headline and date agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from briefing.cluster.params import Params
from briefing.sanitize import clean

LENGTH_PENALTY = 0.15
NOT_NEWS_PENALTY = 0.25
# per day after the event's first report, up to a day: the reports of a happening
# come first, the analyses, reactions and explainers after (a sweep on the demo,
# `benchmarks/eval_pipeline.py`: 0.1 to 0.3 all beat none by 0.035 to 0.055 ROUGE-1)
LATE_PENALTY = 0.2
# headlines of pieces that are about the news rather than reports of it
NOT_NEWS = re.compile(
    r"^(?:how to|how do|how (?:the|a|an|this|one)|why|what (?:to know|you need|we know)"
    r"|what (?:is|are|does)|here'?s|opinion|analysis|explainer|editorial|commentary"
    r"|column|perspectives?|\d+ (?:things|takeaways|ways|questions)|q&a|podcast|watch|live)\b"
    r"|\b(?:opinion|op-ed|editorial|explainer|analysis|guide|takeaways)\b\s*[:|-]"
    r"|\?\s*$|^[^.?!:]{3,80}\?\s",  # a question, at the end or opening the headline
    re.IGNORECASE,
)


def latest(titles: Sequence[str]) -> str:
    """The last non-empty title of a timeline (oldest first)."""
    for title in reversed(titles):
        if title.strip():
            return title
    return ""


def pick(
    titles: Sequence[str],
    vectors: sp.csr_matrix | None,
    centroid: sp.csr_matrix,
    params: Params,
    late: Sequence[float] | None = None,
) -> str:
    """The title whose vector is closest to the centroid, preferring medium length and
    early reports (`late`: each article's days after the event's first report)."""
    if not titles:
        return ""
    sims = None
    if vectors is not None and centroid.nnz:
        # a dense copy of the centroid: sparse @ sparse.T would transpose a
        # 2**18-column matrix for every event
        dense = np.zeros(centroid.shape[1], dtype=np.float32)
        dense[centroid.indices] = centroid.data
        sims = np.asarray(vectors @ dense).ravel()
    best, best_score = 0, -np.inf
    for n, title in enumerate(titles):
        length = len(title.split())
        value = float(sims[n]) if sims is not None else 0.0
        if length < params.title_min_words or length > params.title_max_words:
            value -= LENGTH_PENALTY
        if NOT_NEWS.search(title.strip()):
            value -= NOT_NEWS_PENALTY
        if late is not None:
            value -= LATE_PENALTY * min(1.0, late[n])
        if not title.strip():
            value -= 10
        if value > best_score + 1e-9:
            best, best_score = n, value
    return clean(titles[best], "title", single_line=True) if titles[best] else ""
