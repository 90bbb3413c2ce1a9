"""After selection: `--since last` and `--max-stories`, as plain functions on a Brief.

- `changed_since(brief, when)`: what changed since the previous export. An event
  counts as changed when it is dated on or after that export's day, or when an
  article of it arrived (was first fetched) at or after that moment, so a late
  report on an old event is not missed. A story keeps only its changed events.
- `cap(brief, n)`: at most `n` stories, chosen by recency (latest event) and then
  by coverage (articles), kept in the brief's order. The `unclustered` bucket is
  not a story and is left out of a capped brief.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from briefing.brief.model import Brief, BriefEvent


def changed_since(brief: Brief, when: datetime) -> Brief:
    def changed(event: BriefEvent) -> bool:
        if event.date >= when.date():
            return True
        return any(a.first_seen is not None and a.first_seen >= when for a in event.articles)

    stories = []
    for story in brief.stories:
        events = [e for e in story.events if changed(e)]
        if events:
            stories.append(replace(story, events=events))
    return replace(brief, stories=stories, changed_since=when)


def cap(brief: Brief, count: int) -> Brief:
    real = [s for s in brief.stories if not s.synthetic]
    ranked = sorted(real, key=lambda s: (s.latest, s.article_count, s.id), reverse=True)
    keep = {s.id for s in ranked[: max(count, 0)]}
    return replace(brief, stories=[s for s in real if s.id in keep])
