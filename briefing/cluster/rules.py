"""Time helpers and the joining rules of both levels, shared by the stage and the batch form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from briefing.cluster.grouping import Group, Rule
from briefing.cluster.params import Params
from briefing.cluster.vectors import Doc

DAY = 86400.0


def event_rule(p: Params) -> Rule:
    return Rule(
        threshold=p.event_threshold,
        words_weight=p.event_words_weight,
        names_weight=p.event_names_weight,
        window_after=p.event_window_days * DAY,
        window_before=p.event_lead_days * DAY,
        min_names=p.event_min_names,
    )


def story_rule(p: Params) -> Rule:
    return Rule(
        threshold=p.story_threshold,
        words_weight=p.story_words_weight,
        names_weight=p.story_names_weight,
        window_after=p.story_window_days * DAY,
        window_before=p.story_window_days * DAY,
        min_names=p.story_min_names,
    )


def day_of(ts: float) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


def order_key(doc: Doc) -> tuple[float, str]:
    return (doc.published, f"{doc.id:>20}" if isinstance(doc.id, int) else str(doc.id))


def event_profile(groups: Sequence[Group]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Each event as one point: its normalized word and name centroids."""
    words = sp.vstack([g.words for g in groups], format="csr")
    names = sp.vstack([g.names for g in groups], format="csr")
    return (
        sp.csr_matrix(normalize(words, norm="l2", copy=False), dtype=np.float32),
        sp.csr_matrix(normalize(names, norm="l2", copy=False), dtype=np.float32),
    )
