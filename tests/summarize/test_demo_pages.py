"""No clutter from the bundled demo pages ever reaches a summary.

The demo pages (`briefing/data/demo/pages`) carry the navigation, captions,
bylines, "Read more" lines, newsletter boxes and bios of real news sites.
They are extracted here as the fetcher does, summarized,
and every chosen sentence is checked against the labeled corpus the pages
were generated from: a sentence that is not in the article's own paragraphs
(or its feed teaser) is clutter that got through.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from benchmarks.corpus import CorpusArticle, all_articles, load_corpus
from briefing.fetch.extract_worker import extract_page
from briefing.summarize import core
from briefing.summarize.candidates import Source, clean_sentences

PAGES = Path(__file__).resolve().parents[2] / "briefing" / "data" / "demo" / "pages"


def _extract(path: Path) -> str:
    # As the fetcher extracts it, in its worker processes.
    return extract_page(path.read_bytes(), f"http://demo.test/{path.name}")["text"]


@pytest.fixture(scope="module")
def demo() -> list[tuple[CorpusArticle, Source]]:
    articles = {a.id: a for a in all_articles(load_corpus())}
    pages = sorted(PAGES.glob("*/*.html"))
    assert len(pages) >= 100
    made = []
    for number, path in enumerate(pages):
        article = articles[path.stem]
        if number % 5 and not article.id.startswith("globalwire"):
            continue  # a fifth of the pages, plus every wire original, keeps this fast
        source = Source(
            _extract(path),
            article.title,
            number,
            article.outlet,
            article.published,
            article.teaser,
        )
        made.append((article, source))
    return made


def _real(article: CorpusArticle) -> str:
    return " ".join((*article.paragraphs, article.teaser))


def test_demo_pages_do_carry_clutter(demo):
    """The check below means something only if the extracted text has clutter in it."""
    cluttered = [
        s for a, s in demo if any(line not in _real(a) for line in s.text.splitlines()[1:])
    ]
    assert len(cluttered) >= len(demo) // 3


def test_no_clutter_among_candidate_sentences(demo):
    leaked = [
        (article.id, sentence)
        for article, source in demo
        for sentence in clean_sentences(source)
        if sentence not in _real(article)
    ]
    assert leaked == []


def test_no_clutter_in_article_and_event_summaries(demo):
    by_event: dict[str, list[tuple[CorpusArticle, Source]]] = defaultdict(list)
    for article, source in demo:
        summary = core.summarize_article(source)
        assert summary, article.id
        assert [s.text for s in summary if s.text not in _real(article)] == []
        if article.duplicate_of is None:
            by_event[article.event_id].append((article, source))
    for pairs in by_event.values():
        real = {source.article_id: _real(article) for article, source in pairs}
        summary = core.summarize_event([source for _, source in pairs])
        assert 3 <= len(summary) <= 5 or len(pairs) == 1
        assert [s.text for s in summary if s.text not in real[s.article_id]] == []
