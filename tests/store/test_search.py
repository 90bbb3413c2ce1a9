"""Search syntax: FTS5's phrases, OR, NOT, groups and prefix*, and clear errors."""

from __future__ import annotations

import pytest

from briefing.models import Article
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store
from briefing.store.search import (
    MARK_END,
    MARK_START,
    SearchError,
    fts_query,
    search_articles,
)

TEXTS = {
    "cisa": ("CISA issues an advisory", "The agency asked operators to patch routers."),
    "ncsc": ("NCSC warns schools", "The British centre published guidance for schools."),
    "harbor": ("Safe harbor for researchers", "A safe harbor protects good-faith testing."),
    "harbour": ("A harbor that is safe", "Ships wait in the harbor where it is safe."),
    "regs": ("Regulators meet", "Regulation of cloud providers was discussed."),
}


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    feed = feed_store.add(store, "https://a.example/feed")
    out = {}
    for key, (title, text) in TEXTS.items():
        new, _changed = article_store.upsert(
            store, [Article(feed.id or 0, key, f"https://a.example/{key}", title, text=text)]
        )
        out[key] = new[0]
    return out


def found(store: Store, query: str, ids: dict[str, int]) -> set[str]:
    names = {v: k for k, v in ids.items()}
    return {names[i] for i in search_articles(store, query)}


def test_or_phrase_not_and_prefix(store: Store, ids: dict[str, int]) -> None:
    assert found(store, "CISA OR NCSC", ids) == {"cisa", "ncsc"}
    assert found(store, '"safe harbor"', ids) == {"harbor"}
    assert found(store, "safe harbor", ids) == {"harbor", "harbour"}  # both words, anywhere
    assert found(store, "harbor NOT researchers", ids) == {"harbour"}
    assert found(store, "regulat*", ids) == {"regs"}
    assert found(store, "(CISA OR NCSC) schools", ids) == {"ncsc"}
    assert found(store, "kasper", ids) == set()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"safe harbor', "quote is not closed"),
        ("CISA OR", "OR needs words on both sides"),
        ("NOT CISA", "NOT needs words on both sides"),
        ("(CISA OR NCSC", "( is not closed"),
        ("CISA)", ") without its ("),
        ('""', "empty phrase"),
    ],
)
def test_bad_syntax_is_a_clear_error(store: Store, query: str, message: str) -> None:
    with pytest.raises(SearchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        search_articles(store, query)


def test_words_are_quoted_so_fts_operators_in_them_do_nothing() -> None:
    assert fts_query("co-operation title:x") == '"co operation"* AND "title x"*'
    assert fts_query("or and") == '"or"* AND "and"*'  # lower case: plain words


def test_snippets_mark_the_matched_terms(store: Store, ids: dict[str, int]) -> None:
    from briefing.store.search import story_snippets

    with store.write() as conn:
        conn.execute(
            "INSERT INTO stories(id, title, first_date, last_date, created_at) "
            "VALUES ('s', 'Harbor story', '2026-11-01', '2026-11-01', '2026-11-01T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO events(id, story_id, title, date, created_at) "
            "VALUES ('e', 's', 'e', '2026-11-01', '2026-11-01T00:00:00Z')"
        )
        conn.execute("UPDATE articles SET event_id = 'e' WHERE id = ?", (ids["harbor"],))
    (snip,) = story_snippets(store, '"safe harbor"', "s")
    assert snip.title == "Safe harbor for researchers"
    assert snip.text == f"A {MARK_START}safe harbor{MARK_END} protects good-faith testing."


def test_snippets_mark_the_right_words_when_the_feed_gave_a_summary(store: Store) -> None:
    from briefing.store.search import story_snippets

    feed = feed_store.add(store, "https://b.example/feed")
    article = Article(
        feed.id or 0,
        "port",
        "https://b.example/port",
        "Port operator fined",
        summary="A teaser from the feed, with several words of its own before the body.",
        text="The regulator fined the operator after the outage.",
    )
    (aid,), _ = article_store.upsert(store, [article])
    with store.write() as conn:
        conn.execute(
            "INSERT INTO stories(id, title, first_date, last_date, created_at) "
            "VALUES ('p', 'Port story', '2026-11-01', '2026-11-01', '2026-11-01T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO events(id, story_id, title, date, created_at) "
            "VALUES ('pe', 'p', 'e', '2026-11-01', '2026-11-01T00:00:00Z')"
        )
        conn.execute("UPDATE articles SET event_id = 'pe' WHERE id = ?", (aid,))
    (snip,) = story_snippets(store, "outage", "p")
    assert f"{MARK_START}outage{MARK_END}" in snip.text
    assert snip.text.count(MARK_START) == 1
