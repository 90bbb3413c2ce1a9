"""Time helpers and the joining rules of both levels, shared by the stage and the batch form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import numpy as np
import scipy.sparse as sp

from briefing.cluster.grouping import DAY, Group, Grouper, Model, Rule, scaled
from briefing.cluster.params import Params
from briefing.cluster.vectors import Doc, arrival, normalize_rows

__all__ = ["DAY", "day_of", "event_profile", "event_rows", "event_rule", "order_key", "story_rule"]


def event_rule(p: Params) -> Rule:
    return Rule(
        model=Model(p.event_model),
        window_after=p.event_window_days * DAY,
        window_before=p.event_lead_days * DAY,
        max_span=p.event_max_span_days * DAY,
        refine=p.event_refine_sweeps,
        refine_leave=p.event_refine_leave,
    )


def story_rule(p: Params) -> Rule:
    window = p.story_window_days * DAY
    return Rule(
        model=Model(p.story_model),
        window_after=window,
        window_before=window,
        max_span=np.inf,
    )


def day_of(ts: float) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


def order_key(doc: Doc) -> tuple[float, str, str]:
    return arrival(doc.published, doc.url, doc.id)


def event_profile(groups: Sequence[Group], events: Grouper) -> list[sp.csr_matrix]:
    """Each event as one point: its normalized word, name and headline centroids.

    The names weigh their IDF twice: a storyline is held together by its own
    rare names (Kaspersky, xz, Salt Typhoon), not by the agencies and countries
    half the archive names.
    """
    return _normalized(events.weighted(groups), events)


def event_rows(sums: Sequence[sp.csr_matrix], events: Grouper) -> list[sp.csr_matrix]:
    """`event_profile` of events given as stacked view sums (one matrix per view)."""
    return _normalized([scaled(m, events.weight(v)) for v, m in enumerate(sums)], events)


def _normalized(views: Sequence[sp.csr_matrix], events: Grouper) -> list[sp.csr_matrix]:
    views = list(views)
    views[1] = scaled(views[1], events.weight(1))
    return [sp.csr_matrix(normalize_rows(v), dtype=np.float32) for v in views]
