"""The json brief, exactly the shape docs/ARCHITECTURE.md promises consumers.

Ids are strings (article ids too, so a consumer never has to guess); dates are
`YYYY-MM-DD`, times `YYYY-MM-DDTHH:MM:SSZ`; a link that is not http(s) is null.
"""

from __future__ import annotations

import json
from typing import Any

from briefing.brief.model import Brief, BriefArticle, BriefEvent, BriefStory
from briefing.models import to_iso


def render_json(brief: Brief) -> str:
    document = {
        "generated": to_iso(brief.generated),
        "stories": [_story(s) for s in brief.stories],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _story(story: BriefStory) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "summary": list(story.summary),
        "first_seen": story.first_seen.isoformat(),
        "last_updated": story.last_updated.isoformat(),
        "starred": story.starred,
        "tags": list(story.tags),
        "note": story.note,
        "events": [_event(e) for e in story.events],
        "entities": _entities(story.entities),
    } | _corrected(story.corrected)


def _event(event: BriefEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "date": event.date.isoformat(),
        "title": event.title,
        "summary": list(event.summary),
        "articles": [_article(a) for a in event.articles],
        "entities": _entities(event.entities),
    } | _corrected(event.corrected)


def _corrected(flag: bool) -> dict[str, Any]:
    # present only when true, so a brief nobody corrected keeps its exact shape
    return {"corrected": True} if flag else {}


def _entities(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "type": kind} for name, kind in pairs]


def _article(article: BriefArticle) -> dict[str, Any]:
    return {
        "id": str(article.id),
        "url": article.url,
        "title": article.title,
        "source": article.source,
        "published": to_iso(article.published),
        "duplicate_of": None if article.duplicate_of is None else str(article.duplicate_of),
    }
