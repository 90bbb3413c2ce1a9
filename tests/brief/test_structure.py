"""The markdown brief parses into what a reader expects, and keeps the brief's promises."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown as RichMarkdown

from briefing.brief.export import ExportOptions, export
from briefing.store import Store
from tests.brief.conftest import GENERATED
from tests.brief.helpers import FORBIDDEN, check_brief, parse
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate

STORIES = [
    "EU Cyber Resilience Act",
    "US actions against Kaspersky",
    "Vendor webinar announcements",
    "Ransomware attack on regional hospitals",
]


def known_sentences(store: Store) -> set[str]:
    doc = json.loads(export(store, ExportOptions(format="json"), generated=GENERATED))
    found = set()
    for story in doc["stories"]:
        found.update(story["summary"])
        for event in story["events"]:
            found.update(event["summary"])
    return found


def test_title_whats_new_then_stories(corpus: Store) -> None:
    text = export(corpus, ExportOptions(), generated=GENERATED)
    parsed = parse(text)
    assert parsed.headings[:2] == [(1, "Brief — 2026-11-22"), (2, "What's new")]
    assert text.splitlines()[2] == (
        "Covers 2017-09-13 to 2024-10-10 · 5 stories · 7 events · 10 articles"
        " · generated 2026-11-22T08:00:00Z"
    )
    stories = [t for level, t in parsed.headings if level == 2][1:]
    assert stories == [*STORIES, "Articles not yet grouped into a story"]
    # Newest first inside a story.
    events = [t for level, t in parsed.headings if level == 3]
    assert events[1:3] == [
        "2024-06-20: Commerce bans Kaspersky software sales",
        "2017-09-13: DHS orders federal agencies to remove Kaspersky software",
    ]
    assert not parsed.types & FORBIDDEN
    assert parsed.tables == []


def test_whats_new_has_one_line_per_story_newest_first(corpus: Store) -> None:
    text = export(corpus, ExportOptions(), generated=GENERATED)
    section = text.split("## What's new\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split(":**")[0] for line in section] == [
        "- **2024-10-10 · EU Cyber Resilience Act",
        "- **2024-06-20 · US actions against Kaspersky",
        "- **2024-06-19 · Vendor webinar announcements",
        "- **2024-06-18 · Ransomware attack on regional hospitals",
    ]
    assert section[1] == (
        "- **2024-06-20 · US actions against Kaspersky:** Commerce bans Kaspersky software"
        " sales. The Commerce Department barred new sales from July. — [Capitol Security"
        " Report](https://capitolsecurity.example/2024/06/20/commerce-rule-ends-kaspersky-sales)"
    )


def test_every_sentence_attributed_and_shown_once(corpus: Store) -> None:
    sentences = known_sentences(corpus)
    for options in (ExportOptions(), ExportOptions(full=True), ExportOptions(oldest_first=True)):
        shown = check_brief(export(corpus, options, generated=GENERATED), sentences)
        # the event summaries are all there (the corpus has no long timelines)
        assert shown["Homeland Security gave agencies 90 days to remove the software."] == 1
        assert shown["Updates to existing customers end in September."] == 1


def test_no_contents_and_no_dead_anchors(corpus: Store) -> None:
    """Plain CommonMark gives headings no ids, so the brief links to none."""
    text = export(corpus, ExportOptions(), generated=GENERATED)
    assert [h for h, _ in parse(text).links if h.startswith("#")] == []
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(RichMarkdown(text))
    assert "What's new" in out.getvalue()


def test_sources_link_every_outlet_copies_too(corpus: Store) -> None:
    text = export(corpus, ExportOptions(story_ids=["us-kaspersky"]), generated=GENERATED)
    line = next(x for x in text.splitlines() if x.startswith("Sources: [Global Wire Service]"))
    labels = [label for _, label in parse(line).links]
    assert labels == ["Global Wire Service", "Policy Wire", "Packet Post"]
    assert ", +1 more: [Packet Post](https://packetpost.example/" in line


def test_story_shows_tags_note_and_meta(corpus: Store) -> None:
    text = export(corpus, ExportOptions(story_ids=["us-kaspersky"]), generated=GENERATED)
    assert "blockquote_open" in parse(text).types
    assert "**Tags:** russia, procurement" in text
    assert (
        "> **Analyst note:** Ask the policy team about the September deadline.\\\n"
        "> Check state-level bans too." in text
    )
    assert "*2017-09-13 to 2024-06-20 · 2 events · 5 articles · starred*" in text


def test_empty_brief(corpus: Store) -> None:
    text = export(corpus, ExportOptions(since=date(2030, 1, 1)), generated=GENERATED)
    parsed = parse(text)
    assert parsed.headings == [(1, "Brief — 2026-11-22")]
    assert "Covers since 2030-01-01 · 0 stories" in text
    assert parsed.links == []


def long_story(tmp_path: Path, events: int = 5) -> Store:
    """One story of `events` events, one sentence each, months apart."""
    store = Store(tmp_path / "long.db")
    specs = [
        EventSpec(
            f"Step {n} of the rule",
            date(2024, n, 10),
            [ArticleSpec(f"Step {n}", "Policy Wire", datetime(2024, n, 10, 9, tzinfo=UTC))],
            summary=[f"The agency took step number {n} of its rule on Thursday."],
        )
        for n in range(1, events + 1)
    ]
    populate(store, [StorySpec("rule", "A rule in steps", specs)], attribute=True)
    return store


def test_short_by_default_full_on_request(tmp_path: Path) -> None:
    store = long_story(tmp_path)
    short = export(store, ExportOptions(), generated=GENERATED)
    headings = [t for level, t in parse(short).headings if level == 3]
    assert headings == [
        "2024-05-10: Step 5 of the rule",
        "2024-04-10: Step 4 of the rule",
        "2024-03-10: Step 3 of the rule",
    ]
    tail = short.split("Earlier: 2 events since 2024-01-10\n\n", 1)[1].splitlines()
    assert [line[:40] for line in tail] == [
        "- 2024-02-10: Step 2 of the rule",
        "- 2024-01-10: Step 1 of the rule",
    ]
    full = export(store, ExportOptions(full=True), generated=GENERATED)
    assert "Earlier:" not in full
    assert len([1 for level, _ in parse(full).headings if level == 3]) == 5
    check_brief(short, set())
    assert len(short.split()) < len(full.split())


def test_oldest_first_gives_the_old_order(tmp_path: Path) -> None:
    store = long_story(tmp_path)
    text = export(store, ExportOptions(oldest_first=True), generated=GENERATED)
    body = text.split("## A rule in steps", 1)[1]
    # The one-liners open the story, then the latest three in date order.
    assert body.index("Earlier: 2 events since 2024-01-10") < body.index("### 2024-03-10")
    assert body.index("### 2024-03-10") < body.index("### 2024-04-10") < body.index("### 2024-05")
    assert body.index("- 2024-01-10") < body.index("- 2024-02-10")
    full = export(store, ExportOptions(full=True, oldest_first=True), generated=GENERATED)
    dates = [t[:10] for level, t in parse(full).headings if level == 3]
    assert dates == sorted(dates)


def test_one_event_story_prints_its_summary_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "one.db")
    said = ["The regulator fined the carrier for the breach.", "It must also hire an auditor."]
    art = ArticleSpec("Carrier fined", "Threat Desk", datetime(2024, 5, 5, 8, tzinfo=UTC))
    spec = StorySpec(
        "fine",
        "Carrier fined over breach",
        [EventSpec("Carrier fined", date(2024, 5, 5), [art], said)],
        summary=said,
    )
    populate(store, [spec], attribute=True)
    shown = check_brief(export(store, ExportOptions(), generated=GENERATED), set(said))
    assert shown == {s: 1 for s in said}


def test_relative_dates_get_their_day(tmp_path: Path) -> None:
    store = long_story(tmp_path, events=1)
    text = export(store, ExportOptions(), generated=GENERATED)
    # 2024-01-10 was a Wednesday; "on Thursday" in that report is the day before.
    assert "its rule on Thursday \\[2024-01-04\\]." in text
    assert "on Thursday." not in text
    doc = json.loads(export(store, ExportOptions(format="json"), generated=GENERATED))
    assert doc["stories"][0]["events"][0]["summary"] == [
        "The agency took step number 1 of its rule on Thursday."
    ]
