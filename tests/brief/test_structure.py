"""The markdown brief parses into the headings, links and tables a reader expects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from briefing.brief.export import ExportOptions, export
from briefing.store import Store
from tests.brief.conftest import GENERATED
from tests.brief.helpers import FORBIDDEN, github_slug, parse
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate


def test_headings_contents_and_anchors(corpus: Store) -> None:
    parsed = parse(export(corpus, ExportOptions(), generated=GENERATED))
    assert parsed.headings[:2] == [(1, "Brief: 2017-09-13 to 2024-10-10"), (2, "Contents")]
    stories = [text for level, text in parsed.headings if level == 2][1:]
    assert stories == [
        "EU Cyber Resilience Act",
        "US actions against Kaspersky",
        "Vendor webinar announcements",
        "Ransomware attack on regional hospitals",
        "Articles not yet grouped into a story",
    ]
    events = [text for level, text in parsed.headings if level == 3]
    assert events == [
        "2024-10-10: Council adopts the Cyber Resilience Act",
        "2017-09-13: DHS orders federal agencies to remove Kaspersky software",
        "2024-06-20: Commerce bans Kaspersky software sales",
        "2024-06-19: Vendor announces a webinar",
        "2024-06-03: Hospitals divert ambulances after ransomware attack",
        "2024-06-18: Hospitals restore records systems",
    ]
    assert not parsed.types & FORBIDDEN

    # Every in-document link points at a heading's anchor, numbered like a viewer does.
    seen: dict[str, int] = {}
    anchors = {github_slug(text, seen): text for _, text in parsed.headings}
    internal = [(href[1:], label) for href, label in parsed.links if href.startswith("#")]
    assert internal
    for anchor, label in internal:
        assert anchor in anchors, anchor
        assert anchors[anchor].endswith(label)
    # The table of contents comes first: one entry per story, in order.
    assert [label for _, label in internal[:5]] == stories


def test_timeline_tables(corpus: Store) -> None:
    parsed = parse(export(corpus, ExportOptions(story_ids=["us-kaspersky"]), generated=GENERATED))
    assert len(parsed.tables) == 1
    header, *rows = parsed.tables[0]
    assert header == ["Date", "Event", "Sources"]
    assert [row[0] for row in rows] == ["2017-09-13", "2024-06-20"]
    # Three articles, one a wire copy: two links and "+1 more".
    assert rows[0][2].count("](https://") == 2
    assert rows[0][2].endswith("+1 more")
    assert rows[1][2].count("](https://") == 2
    assert "more" not in rows[1][2]


def test_sources_are_outlet_links(corpus: Store) -> None:
    parsed = parse(export(corpus, ExportOptions(story_ids=["us-kaspersky"]), generated=GENERATED))
    external = [(href, label) for href, label in parsed.links if not href.startswith("#")]
    # each source shows in the table and under its event heading
    assert (
        external.count(
            ("https://globalwire.example/2017/09/13/kaspersky-directive", "Global Wire Service")
        )
        == 2
    )
    assert {label for _, label in external} == {
        "Global Wire Service",
        "Policy Wire",
        "Capitol Security Report",
        "The Cyber Ledger",
    }
    assert "Packet Post" not in {label for _, label in external}  # the copy is "+1 more"
    assert all(href.startswith("https://") for href, _ in external)


def test_story_shows_tags_note_and_summary(corpus: Store) -> None:
    text = export(corpus, ExportOptions(story_ids=["us-kaspersky"]), generated=GENERATED)
    parsed = parse(text)
    assert "blockquote_open" in parsed.types
    assert "**Tags:** russia, procurement" in text
    assert (
        "> **Analyst note:** Ask the policy team about the September deadline.\\\n"
        "> Check state-level bans too." in text
    )
    assert "Commerce barred sales of Kaspersky software in the United States." in text
    assert "*2017-09-13 to 2024-06-20 · 2 events · 5 articles · starred*" in text


def test_empty_brief(corpus: Store) -> None:
    options = ExportOptions(since=date(2030, 1, 1))
    parsed = parse(export(corpus, options, generated=GENERATED))
    assert parsed.headings == [(1, "Brief: since 2030-01-01")]
    assert parsed.tables == [] and parsed.links == []


def test_anchors_with_repeated_titles(tmp_path: Path) -> None:
    """Same titles, a story called "Contents", events sharing a heading: every link lands."""
    store = Store(tmp_path / "r.db")
    day = date(2024, 5, 5)

    def story(sid: str, title: str, event_title: str) -> StorySpec:
        art = ArticleSpec("a", "Threat Desk", datetime(2024, 5, 5, tzinfo=UTC))
        return StorySpec(id=sid, title=title, events=[EventSpec(event_title, day, [art])])

    populate(
        store,
        [
            story("a", "Same title", "Same event"),
            story("b", "Same title", "Same event"),
            story("c", "Contents", "Same event"),
            story("d", "Brief: 2024-05-05", "Same title"),
        ],
    )
    parsed = parse(export(store, ExportOptions(), generated=GENERATED))
    seen: dict[str, int] = {}
    slugs = [github_slug(text, seen) for _, text in parsed.headings]
    internal = [href[1:] for href, _ in parsed.links if href.startswith("#")]
    assert len(internal) == 8  # four contents entries, four timeline rows
    assert len(set(internal)) == 8
    assert set(internal) <= set(slugs)
    # contents entries land on the story headings, in order
    story_slugs = [slugs[i] for i, (level, _) in enumerate(parsed.headings) if level == 2][1:]
    assert internal[:4] == story_slugs
