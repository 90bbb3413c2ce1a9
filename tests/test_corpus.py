"""The labeled corpus loads, obeys its labeling rules, and is big enough to measure on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks.corpus import CorpusError, counts, load_corpus

# Issue 4 asks for at least this much labeled data; these reflect the FINAL corpus
# (written by three corpus helpers), so they fail until every story file is in.
MIN_ARTICLES = 200
MIN_STORIES = 25
MIN_EVENTS = 60


def test_whole_corpus_loads_and_is_big_enough() -> None:
    stories = load_corpus()
    n = counts(stories)
    assert n["articles"] >= MIN_ARTICLES, n
    assert n["stories"] >= MIN_STORIES, n
    assert n["events"] >= MIN_EVENTS, n
    assert n["duplicates"] >= 6, n
    assert n["outlets"] >= 8, n


def test_every_event_is_reported_and_summarized() -> None:
    for story in load_corpus():
        for event in story.events:
            assert event.articles
            assert 1 <= len(event.reference_summary) <= 6, event.id
            for art in event.articles:
                assert art.story_id == story.id and art.event_id == event.id
                assert len(art.paragraphs) >= 2, art.id


def _story(articles: list[dict], date: str = "2024-06-20") -> dict:
    return {
        "id": "s",
        "title": "S",
        "events": [
            {
                "id": "s/e",
                "date": date,
                "title": "E",
                "reference_summary": ["x."],
                "articles": articles,
            }
        ],
    }


def _art(aid: str, **kw: object) -> dict:
    base = {
        "id": aid,
        "outlet": "Policy Wire",
        "url": f"https://policywire.example/{aid}",
        "title": "T",
        "published": "2024-06-20T10:00:00Z",
        "teaser": "t",
        "paragraphs": ["p1", "p2"],
        "duplicate_of": None,
    }
    base.update(kw)
    return base


def _write(tmp_path: Path, raw: dict) -> Path:
    (tmp_path / f"{raw['id']}.json").write_text(json.dumps(raw), encoding="utf-8")
    return tmp_path


def test_valid_minimal_story(tmp_path: Path) -> None:
    stories = load_corpus(_write(tmp_path, _story([_art("a"), _art("b", duplicate_of="a")])))
    assert counts(stories)["duplicates"] == 1


@pytest.mark.parametrize(
    ("articles", "message"),
    [
        ([_art("a"), _art("a", url="https://x.example/2")], "used"),
        ([_art("a", duplicate_of="zzz")], "same event"),
        ([_art("a", published="2024-07-30T10:00:00Z")], "days from its event"),
        ([_art("a", published="2024-06-18T10:00:00Z")], "days from its event"),
        ([_art("a", published="June 20")], "ISO"),
        ([_art("a", published="2024-06-20T10:00:00")], "time zone"),
    ],
)
def test_labeling_mistakes_are_refused(tmp_path: Path, articles: list[dict], message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        load_corpus(_write(tmp_path, _story(articles)))


def test_bad_event_date_refused(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="ISO date"):
        load_corpus(_write(tmp_path, _story([_art("a")], date="20/06/2024")))


# --- the demo corpus built from it (scripts/make_demo.py -> briefing/data/demo) ---

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "briefing" / "data" / "demo"


def _make_demo():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_demo", ROOT / "scripts" / "make_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_demo_builder_is_deterministic_and_removes_stale_files(tmp_path: Path) -> None:
    make_demo = _make_demo()
    stories = load_corpus()
    first, second = tmp_path / "a", tmp_path / "b"
    make_demo.build(stories, first)
    stale = second / "pages" / "gone" / "old.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("stale")
    make_demo.build(stories, second)
    assert not stale.exists()
    assert _tree(first) == _tree(second)


def test_demo_feeds_parse_and_point_at_the_demo_server(tmp_path: Path) -> None:
    import feedparser

    make_demo = _make_demo()
    stories = load_corpus()
    make_demo.build(stories, tmp_path)
    versions = set()
    seen = 0
    for feed in sorted((tmp_path / "feeds").glob("*.xml")):
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, feed
        versions.add(parsed.version)
        for entry in parsed.entries:
            assert entry.link.startswith("__BASE__/pages/"), entry.link
            # Tracking-parameter variants link to their original's page plus a query.
            path = entry.link.removeprefix("__BASE__/").split("?", 1)[0]
            assert (tmp_path / path).is_file(), entry.link
            assert entry.get("published_parsed") is not None
            seen += 1
    assert {"rss20", "atom10"} <= versions
    assert seen == counts(stories)["articles"]


def test_demo_pages_extract_to_the_article_without_site_clutter(tmp_path: Path) -> None:
    from briefing.fetch.extract_worker import extract_page

    make_demo = _make_demo()
    stories = [s for s in load_corpus() if s.id == "us-kaspersky"]
    make_demo.build(stories, tmp_path)
    pages = sorted((tmp_path / "pages").rglob("*.html"))
    by_id = {a.id: a for a in stories[0].articles}
    templates = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "cookie" in html and "Leave a comment" in html and "Subscribe" in html
        templates.add(html.split('<body class="', 1)[1].split('"', 1)[0])
        # As briefing.fetch extracts it, in its worker processes.
        text = extract_page(page.read_bytes(), "http://demo.test/" + page.name)["text"]
        for paragraph in by_id[page.stem].paragraphs:
            assert paragraph in text, page.name
        for clutter in ("Accept all cookies", "All rights reserved", "Manage preferences"):
            assert clutter not in text, (page.name, clutter)
    assert len(templates) >= 4


def test_committed_demo_meets_the_issue_minimums() -> None:
    labels = json.loads((DEMO / "labels.json").read_text(encoding="utf-8"))
    feeds = sorted((DEMO / "feeds").glob("*.xml"))
    assert len(labels) >= 60 and len(feeds) >= 8
    pages = {p.stem for p in (DEMO / "pages").rglob("*.html")}
    # Every item has its own page, except same-page URL variants (tracking parameters).
    assert {v["article"] for u, v in labels.items() if "?" not in u} == pages
    stories = {v["story"] for v in labels.values()}
    assert len(stories) >= 10
    assert any(v["duplicate_of"] for v in labels.values())
    # Three or more stories with 4+ events, each event reported by several outlets.
    outlets_per_event: dict[str, set[str]] = {}
    for url, v in labels.items():
        outlets_per_event.setdefault(v["event"], set()).add(url.split("/")[2])
    rich = {
        s
        for s in stories
        if sum(1 for e, o in outlets_per_event.items() if e.startswith(s + "/") and len(o) >= 2)
        >= 4
    }
    assert "us-kaspersky" in rich and len(rich) >= 3
