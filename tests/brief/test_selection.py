"""Which stories, events and articles a brief holds, and in what order."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from briefing.brief.export import ExportError, ExportOptions, export
from briefing.store import Store
from briefing.store import articles as article_store
from tests.brief.conftest import GENERATED, add_loose_article, at


def as_json(store: Store, **kw: Any) -> dict[str, Any]:
    return json.loads(export(store, ExportOptions(format="json", **kw), generated=GENERATED))


def story_ids(doc: dict[str, Any]) -> list[str]:
    return [s["id"] for s in doc["stories"]]


def article_ids(doc: dict[str, Any]) -> list[str]:
    return [a["id"] for s in doc["stories"] for e in s["events"] for a in e["articles"]]


def test_unfiltered_is_everything_ordered_by_latest_activity(corpus: Store) -> None:
    doc = as_json(corpus)
    # latest event first; the dismissed story is in (an unfiltered export is the archive);
    # articles not yet clustered come last, in the synthetic story
    assert story_ids(doc) == [
        "eu-cyber-resilience",  # 2024-10-10
        "us-kaspersky",  # 2024-06-20
        "vendor-webinar",  # 2024-06-19
        "hospital-ransomware",  # 2024-06-18
        "unclustered",
    ]


def test_unfiltered_json_holds_every_article_exactly_once(corpus: Store) -> None:
    # an event with no story, and a wire copy of an unclustered article, make it harder
    with corpus.write() as conn:
        conn.execute(
            "INSERT INTO events(id, story_id, title, date, created_at) VALUES"
            " ('orphan', NULL, 'An event without a story', '2024-06-01', '2026-11-22T07:00:00Z')"
        )
        conn.execute("UPDATE articles SET event_id = 'orphan' WHERE title LIKE 'Records back%'")
    original = add_loose_article(corpus, "Loose original", at("2024-07-01"), "Threat Desk")
    copy = add_loose_article(corpus, "Loose copy", at("2024-07-02"), "Packet Post")
    with corpus.write() as conn:
        conn.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?", (original, copy))

    doc = as_json(corpus)
    ids = article_ids(doc)
    stored = [str(a.id) for a in article_store.all_articles(corpus)]
    assert sorted(ids) == sorted(stored)
    assert len(ids) == len(set(ids))

    bucket = doc["stories"][-1]
    assert bucket["id"] == "unclustered"
    events = {e["id"]: e for e in bucket["events"]}
    assert events["orphan"]["title"] == "An event without a story"
    folded = events[f"unclustered/{original}"]
    assert folded["title"] == "Loose original"
    assert [a["duplicate_of"] for a in folded["articles"]] == [None, str(original)]
    assert [e["date"] for e in bucket["events"]] == sorted(e["date"] for e in bucket["events"])


def test_since_until_keep_only_events_in_range(corpus: Store) -> None:
    doc = as_json(corpus, since=date(2024, 6, 1), until=date(2024, 6, 20))
    # dismissed stories drop out of a filtered export
    assert story_ids(doc) == ["us-kaspersky", "hospital-ransomware", "unclustered"]
    kaspersky = doc["stories"][0]
    assert [e["date"] for e in kaspersky["events"]] == ["2024-06-20"]
    # the story's own dates stay the whole story's
    assert (kaspersky["first_seen"], kaspersky["last_updated"]) == ("2017-09-13", "2024-06-20")
    assert [e["date"] for e in doc["stories"][1]["events"]] == ["2024-06-03", "2024-06-18"]


def test_range_bounds_are_inclusive(corpus: Store) -> None:
    doc = as_json(corpus, since=date(2024, 6, 18), until=date(2024, 6, 18))
    assert story_ids(doc) == ["hospital-ransomware"]
    assert [e["date"] for e in doc["stories"][0]["events"]] == ["2024-06-18"]
    assert story_ids(as_json(corpus, since=date(2024, 10, 10))) == ["eu-cyber-resilience"]
    assert story_ids(as_json(corpus, until=date(2017, 9, 13))) == ["us-kaspersky"]


def test_starred(corpus: Store) -> None:
    assert story_ids(as_json(corpus, starred=True)) == ["us-kaspersky"]


def test_story_ids_in_activity_order(corpus: Store) -> None:
    doc = as_json(corpus, story_ids=["hospital-ransomware", "eu-cyber-resilience"])
    assert story_ids(doc) == ["eu-cyber-resilience", "hospital-ransomware"]
    assert story_ids(as_json(corpus, story_ids=["unclustered"])) == ["unclustered"]


def test_dismissed_story_when_asked_by_id(corpus: Store) -> None:
    assert story_ids(as_json(corpus, story_ids=["vendor-webinar"])) == ["vendor-webinar"]
    assert "vendor-webinar" not in story_ids(as_json(corpus, since=date(2024, 6, 1)))


def test_filters_combine(corpus: Store) -> None:
    assert story_ids(as_json(corpus, starred=True, since=date(2024, 7, 1))) == []
    assert story_ids(as_json(corpus, starred=True, story_ids=["hospital-ransomware"])) == []
    doc = as_json(corpus, story_ids=["us-kaspersky"], until=date(2020, 1, 1))
    assert [e["id"] for e in doc["stories"][0]["events"]] == ["us-kaspersky-e0"]


def test_unknown_story_id_is_named(corpus: Store) -> None:
    with pytest.raises(ExportError, match="no-such-story, other"):
        export(corpus, ExportOptions(story_ids=["us-kaspersky", "no-such-story", "other"]))


def test_since_after_until(corpus: Store) -> None:
    with pytest.raises(ExportError, match="after"):
        export(corpus, ExportOptions(since=date(2024, 2, 1), until=date(2024, 1, 1)))


def test_ties_broken_by_id(tmp_path: Path) -> None:
    from tests.factories import ArticleSpec, EventSpec, StorySpec, populate

    store = Store(tmp_path / "t.db")
    day = date(2024, 3, 3)
    specs = [
        StorySpec(
            id=name,
            title=name.upper(),
            events=[
                EventSpec(
                    "e", day, [ArticleSpec("a", "Threat Desk", datetime(2024, 3, 3, tzinfo=UTC))]
                )
            ],
        )
        for name in ["b", "c", "a"]
    ]
    populate(store, specs)
    assert story_ids(as_json(store)) == ["a", "b", "c"]


def test_empty_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "e.db")
    assert as_json(store) == {"generated": "2026-11-22T08:00:00Z", "stories": []}
    text = export(store, ExportOptions(), generated=GENERATED)
    assert text.startswith("# Brief — 2026-11-22\n")
    assert "No stories match this selection." in text


def test_preview_does_not_write(corpus: Store, tmp_path: Path) -> None:
    before = sorted(tmp_path.iterdir())
    export(corpus, ExportOptions())
    assert sorted(tmp_path.iterdir()) == before
