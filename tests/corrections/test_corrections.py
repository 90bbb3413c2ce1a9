"""Each correction through the CLI: it holds after new articles arrive and after a from-scratch run.

The pattern of every test: fetch a first batch, correct, publish more pieces
(some about the corrected story) and fetch them (the incremental run), check,
then group the whole archive again from scratch and check again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from briefing.cluster.params import DEFAULT, Params
from tests.cluster.fixtures import BY_KEY, MORNING
from tests.corrections.conftest import Home

FIRST = MORNING
LATER = ("ledger-ban", "packet-exit", "capitol-tiktok-law", "infra-lakeside", "packet-harbor")


def started(home: Home) -> Home:
    home.publish(*FIRST)
    home.fetch()
    return home


def holds_through_fetch_and_rebuild(home: Home, check: Callable[[], None]) -> None:
    check()
    home.publish(*FIRST, *LATER)
    home.fetch()
    check()
    home.recluster()
    check()


# Two stories no grouping would join (a TikTok law, a hospital attack): what a
# merge of them does cannot be the automatic grouping's doing.
TIKTOK, HOSPITAL = "policy-tiktok-law", "breach-lakeside"
NEWS = {"policy-tiktok-law": "capitol-tiktok-law", "breach-lakeside": "infra-lakeside"}


def with_news(home: Home, *keys: str) -> list[str]:
    """The keys, and the later pieces about them once they are published."""
    return [*keys, *(NEWS[k] for k in keys if k in NEWS and NEWS[k] in home.published)]


def test_merged_stories_stay_merged_and_gain_the_news_of_either(home: Home) -> None:
    started(home)
    assert not home.together("story", TIKTOK, HOSPITAL)
    out = home.ok("story", "merge", home.story(TIKTOK)[:6], home.story(HOSPITAL)[:6])
    assert out.startswith("#1: merged story")

    def check() -> None:
        assert home.together("story", *with_news(home, TIKTOK, HOSPITAL))
        assert not home.together("story", TIKTOK, "wire-ban")

    holds_through_fetch_and_rebuild(home, check)


def test_merge_takes_the_union_of_triage_and_keeps_the_older_id(home: Home) -> None:
    started(home)
    lake, harbor = home.story(HOSPITAL), home.story(TIKTOK)
    with home.store() as db:
        from briefing.models import TriageState
        from briefing.store import triage

        triage.put(db, TriageState(lake, starred=True, tags=["health"]))
        triage.put(db, TriageState(harbor, tags=["ransomware"], note="watch"))
    home.ok("story", "merge", harbor, lake)
    kept = home.story(TIKTOK)
    assert kept in {lake, harbor} and home.story(HOSPITAL) == kept
    state = home.query("SELECT starred, tags, note FROM triage WHERE story_id = ?", (kept,))
    assert state == [(1, '["health", "ransomware"]', "watch")]
    assert home.query("SELECT COUNT(*) FROM triage") == [(1,)]


def test_split_story_keeps_apart_and_new_articles_follow_their_part(home: Home) -> None:
    started(home)
    story = home.story("wire-ban")
    assert home.story("ledger-exit") == story
    with home.store() as db:
        from briefing.models import TriageState
        from briefing.store import triage

        triage.put(db, TriageState(story, starred=True))
    home.ok("story", "split", story[:5], "--from-event", home.event("ledger-exit")[:5])

    def check() -> None:
        assert not home.together("story", "wire-ban", "ledger-exit")
        if "packet-exit" in home.published:
            assert home.together("story", "ledger-exit", "packet-exit")
            assert home.together("story", "wire-ban", "ledger-ban")

    check()
    # the analyst stayed on the story: its id and its star stay with the ban
    assert home.story("wire-ban") == story
    assert home.query("SELECT starred FROM triage WHERE story_id = ?", (story,)) == [(1,)]
    holds_through_fetch_and_rebuild(home, check)


def test_split_parts_keep_their_ids_through_the_next_fetch(home: Home) -> None:
    started(home)
    story = home.story("wire-ban")
    with home.store() as db:
        from briefing.models import TriageState
        from briefing.store import triage

        triage.put(db, TriageState(story, starred=True))
    home.ok("story", "split", story, "--from-event", home.event("ledger-exit"))
    split = home.story("ledger-exit")
    home.publish(*FIRST, *LATER)
    home.fetch()  # re-links the ban's story with its new article: both parts come back
    assert home.story("wire-ban") == home.story("ledger-ban") == story
    assert home.story("ledger-exit") == home.story("packet-exit") == split
    assert home.query("SELECT story_id, starred FROM triage") == [(story, 1)]


def test_a_starred_split_off_part_keeps_its_star_when_a_fetch_re_links_both(home: Home) -> None:
    started(home)
    story = home.story("wire-ban")
    home.ok("story", "split", story, "--from-event", home.event("ledger-exit"))
    split = home.story("ledger-exit")
    with home.store() as db:
        from briefing.models import TriageState
        from briefing.store import triage

        triage.put(db, TriageState(split, starred=True))
    home.publish(*FIRST, *LATER)
    home.fetch()  # re-links both parts into one story before the split is enforced again
    assert home.story("wire-ban") == story and home.story("ledger-exit") == split
    assert home.query("SELECT story_id, starred FROM triage") == [(split, 1)]


def test_event_moved_to_another_story_takes_its_later_articles_along(home: Home) -> None:
    started(home)
    home.ok("event", "move", home.event("policy-tiktok-law"), "--to-story", home.story("wire-ban"))

    def check() -> None:
        keys = ["policy-tiktok-law", "wire-ban"]
        if "capitol-tiktok-law" in home.published:
            keys.append("capitol-tiktok-law")
        assert home.together("story", *keys)

    holds_through_fetch_and_rebuild(home, check)


def test_merged_events_stay_one_event(home: Home) -> None:
    started(home)
    # the ban and, four days on, a research report: two events an analyst might call one
    assert not home.together("event", "wire-ban", "threat-research")
    home.ok("event", "merge", home.event("wire-ban"), home.event("threat-research"))

    def check() -> None:
        news = ["ledger-ban"] if "ledger-ban" in home.published else []
        assert home.together("event", "wire-ban", "threat-research", *news)

    holds_through_fetch_and_rebuild(home, check)


def test_article_moved_to_another_event_stays_there(home: Home) -> None:
    started(home)
    home.ok(
        "article", "move", home.article("threat-research"), "--to-event", home.event("wire-ban")
    )

    def check() -> None:
        assert home.together("event", "threat-research", "wire-ban")
        assert not home.together("event", "threat-research", "ledger-exit")

    holds_through_fetch_and_rebuild(home, check)


def test_article_moved_out_never_comes_back(home: Home) -> None:
    started(home)
    assert home.together("event", "policy-ban", "wire-ban")
    home.ok("article", "move", home.article("policy-ban"), "--new-event")
    # out of its event, not out of its story (later runs link its event as they see fit)
    assert home.together("story", "policy-ban", "wire-ban")

    def check() -> None:
        assert not home.together("event", "policy-ban", "wire-ban")
        assert home.together("event", "wire-ban", "packet-ban-copy")

    holds_through_fetch_and_rebuild(home, check)


def test_renamed_story_keeps_the_analysts_title_until_cleared(home: Home) -> None:
    started(home)
    automatic = home.query("SELECT title FROM stories WHERE id = ?", (home.story("wire-ban"),))
    home.ok("story", "rename", home.story("wire-ban")[:6], "Kaspersky in the US")

    def check() -> None:
        title = home.query("SELECT title FROM stories WHERE id = ?", (home.story("wire-ban"),))
        assert title == [("Kaspersky in the US",)]

    holds_through_fetch_and_rebuild(home, check)
    out = home.ok("story", "rename", home.story("wire-ban"), "--clear")
    assert "undid" in out
    title = home.query("SELECT title FROM stories WHERE id = ?", (home.story("wire-ban"),))
    assert title != [("Kaspersky in the US",)] and title[0][0]
    assert automatic[0][0]


def test_undo_puts_the_grouping_and_the_triage_back(home: Home) -> None:
    started(home)
    lake, harbor = home.story(HOSPITAL), home.story(TIKTOK)
    with home.store() as db:
        from briefing.models import TriageState
        from briefing.store import triage

        triage.put(db, TriageState(harbor, note="mine"))
    home.ok("story", "merge", lake, harbor)
    assert home.together("story", HOSPITAL, TIKTOK)
    out = home.ok("corrections", "undo", "1")
    assert out.startswith("undid #1: merged story")
    assert home.story(HOSPITAL) == lake and home.story(TIKTOK) == harbor
    assert home.query("SELECT note FROM triage WHERE story_id = ?", (harbor,)) == [("mine",)]
    listing = home.ok("corrections", "list")
    assert "#1" in listing and "undone" in listing
    home.publish(*FIRST, *LATER)
    home.fetch()
    home.recluster()
    assert not home.together("story", HOSPITAL, TIKTOK)
    code, _, err = home.cli("corrections", "undo", "1")
    assert code == 1 and "already undone" in err


def test_unknown_and_ambiguous_ids_change_nothing(home: Home) -> None:
    started(home)
    before = home.query("SELECT id, story_id FROM events ORDER BY id")
    code, _, err = home.cli("story", "merge", "zzzz", home.story("wire-ban"))
    assert code == 1 and "no story with id 'zzzz'" in err
    code, _, err = home.cli("story", "merge", "ab", home.story("wire-ban"))
    assert code == 1 and "at least 4" in err
    # two stories that share a prefix, to be sure of the case
    with home.store() as db, db.write() as conn:
        for sid in ("feed00aa0001", "feed00aa0002"):
            conn.execute(
                "INSERT INTO stories(id, title, first_date, last_date, created_at)"
                " VALUES (?, ?, '2024-01-01', '2024-01-01', '2024-01-01T00:00:00Z')",
                (sid, f"Story {sid}"),
            )
    code, _, err = home.cli("story", "rename", "feed00aa", "New title")
    assert code == 1 and "ambiguous" in err
    assert "feed00aa0001  Story feed00aa0001" in err and "feed00aa0002" in err
    code, _, err = home.cli("article", "move", "x1", "--new-event")
    assert code == 1 and "article ids are numbers" in err
    assert home.query("SELECT id, story_id FROM events ORDER BY id") == before
    assert home.ok("corrections", "list").strip() == "no corrections yet"


def test_json_export_marks_what_the_analyst_changed(home: Home) -> None:
    started(home)
    home.ok("story", "split", home.story("wire-ban"), "--from-event", home.event("ledger-exit"))
    stories = home.export()["stories"]
    corrected = {s["id"] for s in stories if s.get("corrected")}
    assert corrected == {home.story("wire-ban"), home.story("ledger-exit")}
    assert all(s.get("corrected", False) in (True, False) for s in stories)
    untouched = next(s for s in stories if s["id"] == home.story("breach-harbor"))
    assert "corrected" not in untouched
    events = [e for s in stories for e in s["events"] if e.get("corrected")]
    assert events == []
    home.ok("article", "move", home.article("policy-ban"), "--new-event")
    events = [e["id"] for s in home.export()["stories"] for e in s["events"] if e.get("corrected")]
    assert events == [home.event("policy-ban")]


@pytest.mark.parametrize(
    "changed",
    [
        # events of hours and stories of days: the grouping falls apart into pieces
        replace(DEFAULT, event_window_days=0.25, story_window_days=1.0),
        # headlines and passing names count far more: a different grouping
        replace(DEFAULT, title_weight=10.0, name_body_weight=3.0, duplicate_jaccard=0.9),
    ],
    ids=["narrow-windows", "reweighted"],
)
def test_corrections_hold_after_a_settings_change(home: Home, changed: Params) -> None:
    started(home)
    home.ok("story", "merge", home.story(HOSPITAL), home.story(TIKTOK))
    home.ok("story", "split", home.story("wire-ban"), "--from-event", home.event("ledger-exit"))
    home.ok("article", "move", home.article("policy-ban"), "--new-event")
    home.ok("story", "rename", home.story("ledger-exit"), "The exit")
    home.publish(*FIRST, *LATER)
    home.fetch()
    home.recluster(changed)
    assert home.together("story", HOSPITAL, TIKTOK)
    assert not home.together("story", "wire-ban", "ledger-exit")
    assert not home.together("event", "policy-ban", "wire-ban")
    title = home.query("SELECT title FROM stories WHERE id = ?", (home.story("ledger-exit"),))
    assert title == [("The exit",)]


def test_benchmarks_read_the_corrections_as_labeled_pairs(home: Home) -> None:
    from benchmarks.correction_pairs import agreement, labeled_pairs, main

    started(home)
    lake, harbor = home.article(HOSPITAL), home.article(TIKTOK)
    home.ok("story", "merge", home.story(HOSPITAL), home.story(TIKTOK))
    home.ok("article", "move", home.article("policy-ban"), "--new-event")
    home.ok("story", "rename", home.story("wire-ban"), "Named")  # says nothing about pairs
    home.ok("event", "merge", home.event("wire-ban"), home.event("ledger-exit"))
    home.ok("corrections", "undo")  # the event merge: its pairs go with it
    with home.store() as db:
        pairs = labeled_pairs(db)
        assert {(p.level, p.same) for p in pairs} == {("story", True), ("event", False)}
        assert (int(lake), int(harbor), "story", True) in [
            (p.a, p.b, p.level, p.same) for p in pairs
        ]
        scores = agreement(db, pairs)
    # the automatic grouping made both mistakes the analyst fixed: it keeps none of the pairs
    assert scores["story"][0] == 0 and scores["event"][0] == 0
    main(["--home", str(home.path)])
    lines = [json.loads(x) for x in home.capsys.readouterr().out.splitlines()]
    assert {
        "a": BY_KEY[HOSPITAL].url,
        "b": BY_KEY[TIKTOK].url,
        "level": "story",
        "same": True,
    } in lines


def test_the_most_similar_stories_and_events_come_first(home: Home) -> None:
    from briefing.cluster.corrections import similar_events, similar_stories

    started(home)
    with home.store() as db:
        stories = similar_stories(db, home.story("threat-research"))
        events = similar_events(db, home.event("threat-research"))
    # Kaspersky's research is not its ban, but of all the stories it is the nearest
    assert stories[0].id == home.story("wire-ban")
    assert home.story("threat-research") not in {t.id for t in stories}
    assert len(stories) == len({home.story(k) for k in FIRST}) - 1
    assert [t.score for t in stories] == sorted((t.score for t in stories), reverse=True)
    assert {e.id for e in events[:2]} == {home.event("wire-ban"), home.event("ledger-exit")}
    assert stories[0].title and 0 < stories[0].score <= 1
