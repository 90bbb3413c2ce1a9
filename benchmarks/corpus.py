"""Typed loader for the labeled corpus in `benchmarks/data/corpus/*.json`.

One JSON file per story; each story has dated events, each event the articles
that report it. The labels (story, event, duplicate_of) are what the clustering
evaluation scores against, so the loader validates them strictly: a mislabeled
corpus would make every figure computed on it meaningless.

Run `python benchmarks/corpus.py [DIR]` to validate and print counts.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from briefing.models import Article

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "corpus"

# Articles usually appear the day of the event or a little later; a report that
# predates its event or trails it by more than this is almost surely mislabeled.
MAX_LAG_DAYS = 7
# Wire copies are allowed to run slightly before the nominal event day (time zones).
MAX_LEAD_DAYS = 1


class CorpusError(ValueError):
    """The corpus files break the format or the labeling rules."""


@dataclass(frozen=True, slots=True)
class CorpusArticle:
    id: str
    outlet: str
    url: str
    title: str
    published: datetime
    teaser: str
    paragraphs: tuple[str, ...]
    duplicate_of: str | None = None
    # Filled by the loader so an article alone knows its labels.
    event_id: str = ""
    story_id: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def as_entry(self, feed_id: int, page: bool = True) -> Article:
        """The article as a fetch stores it; without `page`, its page is still to come."""
        return Article(
            feed_id=feed_id,
            guid=self.id,
            url=self.url,
            title=self.title,
            outlet=self.outlet,
            published=self.published,
            summary=self.teaser,
            text=self.text if page else "",
            extract_status="ok" if page else "pending",
        )


@dataclass(frozen=True, slots=True)
class CorpusEvent:
    id: str
    date: date
    title: str
    reference_summary: tuple[str, ...]
    articles: tuple[CorpusArticle, ...]
    story_id: str = ""


@dataclass(frozen=True, slots=True)
class CorpusStory:
    id: str
    title: str
    notes: str
    events: tuple[CorpusEvent, ...]
    path: Path | None = field(default=None, compare=False)

    @property
    def articles(self) -> list[CorpusArticle]:
        return [a for e in self.events for a in e.articles]


def _require(obj: dict, key: str, kind: type, where: str) -> object:
    if key not in obj:
        raise CorpusError(f"{where}: missing field {key!r}")
    value = obj[key]
    if not isinstance(value, kind):
        raise CorpusError(f"{where}: field {key!r} must be {kind.__name__}")
    return value


def _parse_datetime(value: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CorpusError(f"{where}: not an ISO datetime: {value!r}") from exc
    if parsed.tzinfo is None:
        raise CorpusError(f"{where}: datetime without time zone: {value!r}")
    return parsed.astimezone(UTC)


def _parse_date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CorpusError(f"{where}: not an ISO date: {value!r}") from exc


def _strings(value: object, where: str, *, min_items: int = 1) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise CorpusError(f"{where}: must be a list of non-empty strings")
    if len(value) < min_items:
        raise CorpusError(f"{where}: needs at least {min_items} item(s)")
    return tuple(value)


def _article(raw: dict, event_id: str, story_id: str, event_date: date) -> CorpusArticle:
    aid = str(_require(raw, "id", str, f"article in {event_id}"))
    where = f"article {aid}"
    published = _parse_datetime(str(_require(raw, "published", str, where)), where)
    lag = (published.date() - event_date).days
    if lag < -MAX_LEAD_DAYS or lag > MAX_LAG_DAYS:
        raise CorpusError(
            f"{where}: published {published.date()} is {lag} days from its event {event_date}"
        )
    duplicate_of = raw.get("duplicate_of")
    if duplicate_of is not None and not isinstance(duplicate_of, str):
        raise CorpusError(f"{where}: duplicate_of must be a string or null")
    url = str(_require(raw, "url", str, where))
    if not url.startswith(("http://", "https://")):
        raise CorpusError(f"{where}: url must be http(s)")
    return CorpusArticle(
        id=aid,
        outlet=str(_require(raw, "outlet", str, where)),
        url=url,
        title=str(_require(raw, "title", str, where)),
        published=published,
        teaser=str(_require(raw, "teaser", str, where)),
        paragraphs=_strings(raw.get("paragraphs"), f"{where}: paragraphs"),
        duplicate_of=duplicate_of,
        event_id=event_id,
        story_id=story_id,
    )


def _event(raw: dict, story_id: str) -> CorpusEvent:
    eid = str(_require(raw, "id", str, f"event in {story_id}"))
    where = f"event {eid}"
    if not eid.startswith(story_id + "/"):
        raise CorpusError(f"{where}: event ids start with their story id ({story_id}/...)")
    day = _parse_date(str(_require(raw, "date", str, where)), where)
    raw_articles = _require(raw, "articles", list, where)
    articles = tuple(_article(a, eid, story_id, day) for a in raw_articles)  # type: ignore[attr-defined]
    if not articles:
        raise CorpusError(f"{where}: has no articles")
    ids = {a.id for a in articles}
    for art in articles:
        if art.duplicate_of is None:
            continue
        if art.duplicate_of == art.id:
            raise CorpusError(f"article {art.id}: duplicate_of points to itself")
        if art.duplicate_of not in ids:
            raise CorpusError(
                f"article {art.id}: duplicate_of {art.duplicate_of!r} is not an article "
                f"of the same event {eid}"
            )
        original = next(a for a in articles if a.id == art.duplicate_of)
        if original.duplicate_of is not None:
            raise CorpusError(f"article {art.id}: duplicate_of must point to an original")
    return CorpusEvent(
        id=eid,
        date=day,
        title=str(_require(raw, "title", str, where)),
        reference_summary=_strings(raw.get("reference_summary"), f"{where}: reference_summary"),
        articles=articles,
        story_id=story_id,
    )


def parse_story(raw: dict, path: Path | None = None) -> CorpusStory:
    where = str(path) if path else "story"
    sid = str(_require(raw, "id", str, where))
    if path is not None and path.stem != sid:
        raise CorpusError(f"{where}: file name must be the story id {sid!r}")
    events = tuple(_event(e, sid) for e in _require(raw, "events", list, where))  # type: ignore[attr-defined]
    if not events:
        raise CorpusError(f"{where}: story has no events")
    return CorpusStory(
        id=sid,
        title=str(_require(raw, "title", str, where)),
        notes=str(raw.get("notes", "")),
        events=tuple(sorted(events, key=lambda e: (e.date, e.id))),
        path=path,
    )


def validate(stories: list[CorpusStory]) -> None:
    """Cross-file rules: ids unique across the whole corpus."""
    seen_story: set[str] = set()
    seen_event: set[str] = set()
    seen_article: dict[str, str] = {}
    seen_url: dict[str, str] = {}
    for story in stories:
        if story.id in seen_story:
            raise CorpusError(f"story id {story.id!r} used twice")
        seen_story.add(story.id)
        for event in story.events:
            if event.id in seen_event:
                raise CorpusError(f"event id {event.id!r} used twice")
            seen_event.add(event.id)
            for art in event.articles:
                if art.id in seen_article:
                    raise CorpusError(
                        f"article id {art.id!r} used in {seen_article[art.id]} and {event.id}"
                    )
                seen_article[art.id] = event.id
                if art.url in seen_url:
                    raise CorpusError(f"url {art.url} used by {seen_url[art.url]} and {art.id}")
                seen_url[art.url] = art.id


def load_corpus(directory: str | Path | None = None) -> list[CorpusStory]:
    """Every story file in `directory` (default: benchmarks/data/corpus), validated."""
    root = Path(directory) if directory is not None else DEFAULT_DIR
    stories = []
    for path in sorted(root.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}: invalid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise CorpusError(f"{path}: top level must be an object")
        stories.append(parse_story(raw, path))
    validate(stories)
    return stories


def all_articles(stories: list[CorpusStory]) -> list[CorpusArticle]:
    """Every article, in a stable order (story, event date, publication)."""
    return [a for s in stories for e in s.events for a in e.articles]


def counts(stories: list[CorpusStory]) -> dict[str, int]:
    articles = all_articles(stories)
    return {
        "stories": len(stories),
        "events": sum(len(s.events) for s in stories),
        "articles": len(articles),
        "duplicates": sum(1 for a in articles if a.duplicate_of),
        "outlets": len({a.outlet for a in articles}),
    }


def main(argv: list[str]) -> int:
    try:
        stories = load_corpus(argv[0] if argv else None)
    except CorpusError as exc:
        print(f"corpus invalid: {exc}", file=sys.stderr)
        return 1
    for key, value in counts(stories).items():
        print(f"{key:>10}: {value}")
    per_outlet = Counter(a.outlet for a in all_articles(stories))
    print("per outlet:")
    for outlet, n in sorted(per_outlet.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:4d}  {outlet}")
    print("per story (events/articles):")
    for story in stories:
        print(f"  {len(story.events):3d} {len(story.articles):4d}  {story.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
