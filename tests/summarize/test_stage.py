"""The summary stage on a real SQLite store: what it stores and what it recomputes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from briefing.config import Settings
from briefing.store import Store, clusters
from briefing.store import articles as article_store
from briefing.store import summaries as summary_store
from briefing.summarize import core, rank, stage
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate
from tests.summarize.pages import CYBER_LEDGER, GLOBAL_WIRE, POLICY_WIRE

OLD_EVENT = "\n".join(
    [
        "By Jordan Blake",
        "The Department of Homeland Security ordered federal agencies on Wednesday to "
        "identify and remove Kaspersky Lab software from their networks within 90 days.",
        "The binding operational directive cited concerns about the company's ties to Russian "
        "intelligence and Russian laws that could compel it to assist the government.",
        "Kaspersky did not respond to a request for comment.",
        "Agencies must report back within 30 days on where the software is installed.",
    ]
)


def _day(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    populate(
        store,
        [
            StorySpec(
                "kaspersky",
                "US actions against Kaspersky",
                [
                    EventSpec(
                        "DHS orders removal",
                        date(2017, 9, 13),
                        [
                            ArticleSpec(
                                "DHS bans Kaspersky",
                                "Policy Wire",
                                _day(2017, 9, 13),
                                text=OLD_EVENT,
                            )
                        ],
                    ),
                    EventSpec(
                        "Commerce bans sales",
                        date(2024, 6, 20),
                        [
                            ArticleSpec(
                                "US bans Kaspersky",
                                "Global Wire Service",
                                _day(2024, 6, 20, 15),
                                text=GLOBAL_WIRE,
                            ),
                            ArticleSpec(
                                "Commerce bans Kaspersky",
                                "Policy Wire",
                                _day(2024, 6, 20, 16),
                                text=POLICY_WIRE,
                            ),
                            ArticleSpec(
                                "US to bar Kaspersky",
                                "The Cyber Ledger",
                                _day(2024, 6, 20, 18),
                                text=CYBER_LEDGER,
                            ),
                            # A wire copy re-run by another outlet: not a separate source.
                            ArticleSpec(
                                "Kaspersky banned",
                                "Packet Post",
                                _day(2024, 6, 20, 14),
                                text=GLOBAL_WIRE,
                                duplicate_of=0,
                            ),
                        ],
                    ),
                ],
            ),
            StorySpec(
                "other",
                "Another story",
                [
                    EventSpec(
                        "A lone report",
                        date(2024, 5, 1),
                        [
                            ArticleSpec(
                                "Lone",
                                "Threat Desk",
                                _day(2024, 5, 1),
                                summary="Researchers found a new espionage campaign "
                                "targeting telecom providers in Asia this spring.",
                            )
                        ],
                    )
                ],
            ),
        ],
    )
    yield store
    store.close()


def _counts(report: stage.SummaryReport) -> tuple[int, int, int]:
    return report.articles, report.events, report.stories


def test_first_run_summarizes_everything_and_second_run_nothing(store):
    first = stage.run(store, Settings())
    assert first.algorithm == rank.DEFAULT
    assert _counts(first) == (6, 3, 2)
    assert (first.articles_total, first.events_total, first.stories_total) == (6, 3, 2)
    assert _counts(stage.run(store, Settings())) == (0, 0, 0)


def test_stored_summaries_have_the_right_shape(store):
    stage.run(store, Settings())
    story = clusters.get_story(store, "kaspersky")
    assert story is not None
    events = clusters.timeline(store, "kaspersky")
    old, new = events
    assert 3 <= len(new.summary) <= 5
    assert 3 <= len(story.summary) <= 5
    # Latest event's gist first, then what led to it.
    assert story.summary[0] == new.summary[0]
    assert story.summary[-1] in old.summary
    by_id = {a.id: a for a in article_store.by_ids(store, new.article_ids)}
    copy_id = next(a.id for a in by_id.values() if a.duplicate_of is not None)
    for sentence in new.summary:
        assert sentence.article_id != copy_id
        article = by_id[sentence.article_id]  # type: ignore[index]
        assert sentence.source == article.outlet
        assert sentence.text in article.text
        assert "did not respond" not in sentence.text
    for article_id in new.article_ids:
        assert 2 <= len(article_store.summary_sentences(store, article_id)) <= 3
    lone = clusters.timeline(store, "other")[0]
    assert [s.text for s in lone.summary] == [
        "Researchers found a new espionage campaign targeting telecom providers in Asia this "
        "spring."
    ]


def test_changed_article_recomputes_its_event_and_story_only(store):
    stage.run(store, Settings())
    old_event = clusters.timeline(store, "kaspersky")[0]
    article_store.set_extracted(
        store,
        old_event.article_ids[0],
        text=OLD_EVENT + "\nThe directive was the first public federal action against the firm.",
        status="ok",
    )
    assert _counts(stage.run(store, Settings())) == (1, 1, 1)
    assert _counts(stage.run(store, Settings())) == (0, 0, 0)


def test_new_member_article_recomputes_its_event_and_story(store):
    stage.run(store, Settings())
    new_event = clusters.timeline(store, "kaspersky")[1]
    with store.write() as conn:
        feed_id = conn.execute("SELECT id FROM feeds LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO articles(feed_id, guid, title, outlet, published, first_seen, text,"
            " event_id) VALUES (?, 'g-new', 'Retailers react', 'Breach Daily',"
            " '2024-06-21T09:00:00Z', '2024-06-21T09:00:00Z', ?, ?)",
            (
                feed_id,
                "Retailers began pulling boxed Kaspersky products from shelves on Friday, a day "
                "after the federal ban was announced.",
                new_event.id,
            ),
        )
    assert _counts(stage.run(store, Settings())) == (1, 1, 1)


def test_membership_change_recomputes_event(store):
    stage.run(store, Settings())
    new_event = clusters.timeline(store, "kaspersky")[1]
    with store.write() as conn:
        conn.execute(
            "UPDATE articles SET event_id = NULL WHERE id = ?", (new_event.article_ids[-1],)
        )
    assert _counts(stage.run(store, Settings())) == (0, 1, 1)


def test_changing_the_algorithm_recomputes_all(store):
    stage.run(store, Settings())
    report = stage.run(store, Settings(summarizer="textrank"))
    assert report.algorithm == "textrank"
    assert _counts(report) == (6, 3, 2)


def test_the_chosen_algorithm_writes_the_article_summaries(store):
    # Counting recomputations is not enough: the setting must reach the summarizer.
    stage.run(store, Settings(summarizer="luhn"))
    differs = 0
    for meta in summary_store.article_meta(store):
        (article,) = summary_store.articles(store, [meta.id])
        stored = [s.text for s in article_store.summary_sentences(store, meta.id)]
        source = stage._source(article)
        assert stored == [s.text for s in core.summarize_article(source, "luhn")]
        differs += stored != [s.text for s in core.summarize_article(source, rank.DEFAULT)]
    assert differs, "the fixture cannot tell luhn from the default; the test would prove nothing"


def test_unknown_algorithm_fails_before_touching_anything(store):
    with pytest.raises(rank.SummarizeError):
        stage.run(store, Settings(summarizer="nonsense"))
    assert store.query("SELECT COUNT(*) FROM events WHERE summary_key IS NOT NULL")[0][0] == 0


def test_report_counts_are_the_computations_done(store, monkeypatch):
    calls = {"article": 0, "event": 0, "story": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        stage.core, "summarize_article", counting("article", stage.core.summarize_article)
    )
    monkeypatch.setattr(
        stage.core, "summarize_event", counting("event", stage.core.summarize_event)
    )
    monkeypatch.setattr(
        stage.core, "summarize_story", counting("story", stage.core.summarize_story)
    )
    report = stage.run(store, Settings())
    assert calls == {"article": 6, "event": 3, "story": 2} and _counts(report) == (6, 3, 2)
    stage.run(store, Settings())
    assert calls == {"article": 6, "event": 3, "story": 2}


def test_article_summaries_are_saved_in_batches(store, monkeypatch):
    monkeypatch.setattr(stage, "SAVE_EVERY", 4)
    saved: list[int] = []
    real = summary_store.save_articles

    def spy(store_, items):
        items = list(items)
        saved.append(len(items))
        real(store_, items)

    monkeypatch.setattr(stage.db, "save_articles", spy)
    assert stage.run(store, Settings()).articles == 6
    assert saved == [4, 2]
    count = store.query("SELECT COUNT(*) FROM articles WHERE summary_key IS NOT NULL")[0][0]
    assert count == 6


def test_attribution_falls_back_to_the_feed_title(store):
    lone = clusters.timeline(store, "other")[0]
    with store.write() as conn:
        conn.execute("UPDATE articles SET outlet = '' WHERE id = ?", (lone.article_ids[0],))
    stage.run(store, Settings())
    summary = clusters.timeline(store, "other")[0].summary
    assert [s.source for s in summary] == ["Threat Desk"]  # the factory's feed title


def _article_summaries(store: Store) -> dict[int, object]:
    rows = store.query("SELECT id, summary_sentences FROM articles ORDER BY id")
    return {row[0]: row[1] for row in rows}


def _forget_article_summaries(store: Store) -> None:
    with store.write() as conn:
        conn.execute("UPDATE articles SET summary_sentences = '[]', summary_key = NULL")


def test_article_summaries_made_by_helper_processes_are_those_made_here(store, monkeypatch):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    monkeypatch.setattr(stage, "OFFLOAD_FROM", 1)
    monkeypatch.setattr(stage, "SAVE_EVERY", 2)  # three batches
    handed: list[int] = []
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:

        def submit(sources, algorithm):
            handed.append(len(sources))
            return pool.submit(core.summarize_articles, sources, algorithm)

        report = stage.run(store, Settings(), submit)
    # the first batch always goes out; the others when the helper has room
    assert handed[:1] == [2] and set(handed) == {2} and report.articles == 6
    helped = _article_summaries(store)
    _forget_article_summaries(store)
    assert stage.run(store, Settings()).articles == 6
    assert _article_summaries(store) == helped
    assert all(value != "[]" for value in helped.values())


def test_when_a_helper_fails_the_stage_makes_those_summaries_itself(store, monkeypatch):
    from concurrent.futures import Future

    monkeypatch.setattr(stage, "OFFLOAD_FROM", 1)
    monkeypatch.setattr(stage, "SAVE_EVERY", 2)
    stage.run(store, Settings())
    expected = _article_summaries(store)
    _forget_article_summaries(store)
    calls = 0

    def failing(sources, algorithm):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("event loop closed")  # could not even hand it out
        failed: Future[list] = Future()
        failed.set_exception(RuntimeError("the worker process died on this task"))
        return failed

    assert stage.run(store, Settings(), failing).articles == 6
    assert calls == 3
    assert _article_summaries(store) == expected


def test_a_small_run_keeps_its_article_summaries_in_process(store):
    def refuse(sources, algorithm):
        raise AssertionError("a handful of articles is not worth a helper process")

    assert stage.run(store, Settings(), refuse).articles == 6
