"""Watch queries, mutes and the brief, on the brief tests' fixed corpus (entities extracted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import watching
from briefing.brief.export import ExportError, ExportOptions, render
from briefing.cli import main
from briefing.store import Store, search
from briefing.store import query as syntax
from briefing.store import watches as watch_store
from tests.brief.conftest import GENERATED, build_corpus


@pytest.fixture
def corpus(tmp_path: Path) -> Store:
    store = build_corpus(tmp_path / "briefing.db")
    store.conn.execute("UPDATE feeds SET category = 'eu' WHERE title = 'Euro Digital Affairs'")
    return store


def stories(store: Store, query: str) -> list[str]:
    return sorted(search.search_stories(store, query))


def test_query_fields_parse_and_leave_the_words() -> None:
    q = syntax.parse('vendor entity:"Volt Typhoon" source:PW tag:eu entity:CISA sales')
    assert q.text == "vendor sales"
    assert q.fields == {"entity": ("Volt Typhoon", "CISA"), "source": ("PW",), "tag": ("eu",)}
    assert syntax.parse("entity:").empty and not syntax.parse("x").empty


def test_search_understands_every_field(corpus: Store) -> None:
    assert stories(corpus, "entity:kaspersky") == ["us-kaspersky"]
    assert stories(corpus, "entity:DHS") == ["us-kaspersky"]  # any spelling, one entity
    assert stories(corpus, "entity:DHS source:'nobody'") == []
    assert stories(corpus, 'source:"policy wire"') == ["us-kaspersky"]
    assert stories(corpus, "category:EU") == ["eu-cyber-resilience"]
    assert stories(corpus, "tag:procurement") == ["us-kaspersky"]
    assert stories(corpus, "tag:procurement hospitals") == []
    assert stories(corpus, "hospitals source:'Breach Daily' source:'Infra Watch'") == [
        "hospital-ransomware"
    ]


def test_watch_story_matches_skip_muted_articles(corpus: Store) -> None:
    watch = watch_store.add_watch(corpus, "kasp", "entity:Kaspersky")
    assert watching.story_matches(corpus)[watch.id] == {"us-kaspersky"}
    watch_store.add_mute(corpus, "outlet", "Policy Wire")  # one source muted: still matches
    assert watching.story_matches(corpus)[watch.id] == {"us-kaspersky"}
    watch_store.add_mute(corpus, "keyword", "Kaspersky")  # every matching article muted
    assert watching.story_matches(corpus)[watch.id] == set()
    assert watch_store.remove_mute(corpus, "keyword", "kaspersky")
    assert watching.story_matches(corpus)[watch.id] == {"us-kaspersky"}


def test_each_kind_of_mute_hides_its_articles(corpus: Store) -> None:
    def hidden_titles(kind: str, value: str) -> set[str]:
        ids = watch_store.muted_ids(corpus, [watch_store.Mute(0, kind, value)])
        rows = corpus.query("SELECT id, title FROM articles")
        return {r["title"] for r in rows if r["id"] in ids}

    assert hidden_titles("outlet", "the patch") == {"Join our webinar on patching"}
    assert hidden_titles("feed", "Breach Daily") == {"Hospitals divert ambulances"}
    assert hidden_titles("feed", "https://breach-daily.example/feed") <= {
        "Hospitals divert ambulances"
    }
    assert hidden_titles("category", "eu") == {"Council signs off on product security law"}
    assert hidden_titles("keyword", "webinar") == {"Join our webinar on patching"}
    assert "DHS directive gives agencies 90 days on Kaspersky" in hidden_titles(
        "entity", "Department of Homeland Security"
    )


def json_brief(store: Store, **options: object) -> dict:
    return json.loads(render(store, ExportOptions(format="json", **options), GENERATED))  # type: ignore[arg-type]


def article_titles(doc: dict) -> list[str]:
    return [a["title"] for s in doc["stories"] for e in s["events"] for a in e["articles"]]


def test_mutes_hide_articles_from_the_brief_and_removing_restores_them(corpus: Store) -> None:
    before = json_brief(corpus)
    watch_store.add_mute(corpus, "keyword", "hospitals")
    after = json_brief(corpus)
    assert "hospital-ransomware" not in [s["id"] for s in after["stories"]]
    assert not [t for t in article_titles(after) if "ospital" in t]
    assert len(article_titles(after)) == len(article_titles(before)) - 2
    md = render(corpus, ExportOptions(), GENERATED)
    assert "Hospitals" not in md and "2 articles" not in md.split("Ransomware")[0]
    assert watch_store.remove_mute(corpus, "keyword", "hospitals")
    assert json_brief(corpus) == before


def test_export_watch_and_by_watch(corpus: Store) -> None:
    watch_store.add_watch(corpus, "kasp", "entity:Kaspersky")
    watch_store.add_watch(corpus, "eu", "category:eu")
    assert [s["id"] for s in json_brief(corpus, watch="KASP")["stories"]] == ["us-kaspersky"]
    doc = json_brief(corpus, by_watch=True)
    assert [(w["name"], [s["id"] for s in w["stories"]]) for w in doc["watches"]] == [
        ("eu", ["eu-cyber-resilience"]),
        ("kasp", ["us-kaspersky"]),
    ]
    md = render(corpus, ExportOptions(by_watch=True), GENERATED)
    assert md.index("# Watch: eu") < md.index("# Watch: kasp")
    with pytest.raises(ExportError, match="no watch named"):
        render(corpus, ExportOptions(watch="nope"), GENERATED)


def test_json_stories_and_events_carry_their_entities(corpus: Store) -> None:
    story = next(s for s in json_brief(corpus)["stories"] if s["id"] == "us-kaspersky")
    assert {"name": "Kaspersky", "type": "company"} in story["entities"]
    assert all({"name": "Kaspersky", "type": "company"} in e["entities"] for e in story["events"])


def test_watch_and_mute_commands(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "add", "k", "entity:Kaspersky", "sales"]) == 0
    assert main(["watch", "add", "k", "x"]) == 1
    assert main(["watch", "add", "empty", "entity:"]) == 1
    assert main(["watch", "list"]) == 0
    assert "k\tentity:Kaspersky sales\n" in capsys.readouterr().out
    assert main(["watch", "remove", "k"]) == 0
    assert main(["watch", "remove", "k"]) == 1
    assert main(["mute", "add", "outlet", "Vendor", "Blog"]) == 0
    assert main(["mute", "add", "outlet", "vendor blog"]) == 1  # same, any case
    assert main(["mute", "list"]) == 0
    assert "outlet\tVendor Blog\n" in capsys.readouterr().out
    assert main(["mute", "remove", "outlet", "Vendor", "Blog"]) == 0
    assert main(["mute", "list"]) == 0
    assert capsys.readouterr().out.endswith("no mutes\n")


QUERIES = [
    "entity:kaspersky",
    "entity:DHS agencies",
    "kasper",
    'source:"policy wire"',
    "category:eu",
    "tag:procurement",
    "tag:EU council",
    "hospitals source:'Breach Daily' source:'Infra Watch'",
    "nothing-matches-this",
    "entity:",
]


def test_matching_new_articles_agrees_with_matching_the_archive(corpus: Store) -> None:
    """A fetch matches its new articles in memory; it must say what the archive query says."""
    all_ids = [int(r[0]) for r in corpus.query("SELECT id FROM articles")]
    parsed = [syntax.parse(q) for q in QUERIES]
    some = all_ids[::2]
    by_memory = syntax.match_among(corpus, parsed, some)
    for query, found in zip(parsed, by_memory, strict=True):
        assert found == [i for i in syntax.matching_articles(corpus, query) if i in some], query
    assert any(by_memory)


def test_muted_among_agrees_with_muted_in_the_archive(corpus: Store) -> None:
    for kind, value in [("outlet", "the patch"), ("keyword", "kaspersky"), ("category", "EU"),
                        ("entity", "DHS"), ("feed", "Breach Daily")]:  # fmt: skip
        watch_store.add_mute(corpus, kind, value)
    all_ids = [int(r[0]) for r in corpus.query("SELECT id FROM articles")]
    everywhere = watch_store.muted_ids(corpus)
    assert everywhere and watch_store.muted_ids(corpus, among=all_ids[1:]) == everywhere - {
        all_ids[0]
    }


def test_story_watches_agrees_in_memory_and_through_the_archive(
    corpus: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch_store.add_watch(corpus, "kasp", "entity:Kaspersky")
    watch_store.add_watch(corpus, "eu", "category:eu")
    watch_store.add_watch(corpus, "both", "tag:eu tag:russia")
    ids = ["us-kaspersky", "eu-cyber-resilience", "hospital-ransomware"]
    in_memory = watching.story_watches(corpus, ids)
    monkeypatch.setattr(watching, "IN_MEMORY_LIMIT", 0)
    assert (
        watching.story_watches(corpus, ids)
        == in_memory
        == {
            "us-kaspersky": ("both", "kasp"),
            "eu-cyber-resilience": ("both", "eu"),
        }
    )


def test_an_entity_briefing_cannot_find_gets_a_note(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["watch", "add", "typo", "entity:Kasperski"]) == 0
    assert "'Kasperski' is not an entity briefing knows" in capsys.readouterr().err
    assert main(["watch", "add", "ok", "entity:cve-2024-3094 entity:'cozy bear'"]) == 0
    assert main(["mute", "add", "entity", "Executive", "Order", "14117"]) == 0
    assert "not an entity" not in capsys.readouterr().err
