"""Quality on the labeled corpus must not regress (figures: benchmarks/eval_cluster.py)."""

from __future__ import annotations

from benchmarks.corpus import all_articles, load_corpus
from benchmarks.eval_cluster import run_batch, scores
from briefing.cluster.params import DEFAULT

# A little under what the evaluation measures, so a regression fails.
EVENTS_F1 = 0.96
STORIES_F1 = 0.90
DUPLICATES_P_R = 0.95


def test_corpus_figures_stay_above_floor() -> None:
    articles = all_articles(load_corpus())
    dup, event_of, story_of = run_batch(articles, DEFAULT)
    figures = scores(articles, dup, event_of, story_of)
    assert figures["events"][2] >= EVENTS_F1, figures["events"]
    assert figures["stories"][2] >= STORIES_F1, figures["stories"]
    precision, recall = figures["duplicates"][:2]
    assert precision >= DUPLICATES_P_R and recall >= DUPLICATES_P_R, figures["duplicates"]


def test_every_corpus_timeline_is_in_date_order() -> None:
    from benchmarks.eval_cluster import to_doc
    from briefing.cluster.core import cluster

    result = cluster([to_doc(a) for a in all_articles(load_corpus())])
    for story in result.stories.values():
        dates = [result.events[e].date for e in story.event_ids]
        assert dates == sorted(dates)
        assert story.first_date == dates[0] and story.last_date == max(dates)


def test_a_story_is_titled_by_its_latest_event() -> None:
    from benchmarks.eval_cluster import to_doc
    from briefing.cluster.core import cluster

    result = cluster([to_doc(a) for a in all_articles(load_corpus())])
    for story in result.stories.values():
        assert story.title == result.events[story.event_ids[-1]].title


def test_eight_incremental_batches_stay_close_to_one_batch() -> None:
    from benchmarks.eval_cluster import run_incremental

    articles = all_articles(load_corpus())
    batch = scores(articles, *run_batch(articles, DEFAULT))
    incremental = scores(articles, *run_incremental(articles, 8))
    assert abs(batch["events"][2] - incremental["events"][2]) <= 0.01
    assert abs(batch["stories"][2] - incremental["stories"][2]) <= 0.01
