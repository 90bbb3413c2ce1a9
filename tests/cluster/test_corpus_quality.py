"""Quality on the labeled corpus must not regress (figures: benchmarks/eval_cluster.py)."""

from __future__ import annotations

from benchmarks.corpus import all_articles, load_corpus
from benchmarks.eval_cluster import run_batch, scores
from briefing.cluster.params import DEFAULT

# A little under what the evaluation measures, so a regression fails.
EVENTS_F1 = 0.93
STORIES_F1 = 0.86
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
