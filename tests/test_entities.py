"""The entity extractor: gazetteer names, patterns, and its quality on the labeled corpus."""

from __future__ import annotations

from collections import Counter

from benchmarks.eval_entities import load_labels, predictions, score
from briefing import entities
from briefing.entities import Entity, article_entities, extract, name_keys, parse_list


def names(text: str) -> set[tuple[str, str]]:
    return {(e.name, e.type) for e in extract(text)}


def test_spellings_map_to_one_canonical_entity() -> None:
    found = extract("CISA said so. The Cybersecurity and Infrastructure Security Agency agreed.")
    assert found == Counter(
        {Entity("Cybersecurity and Infrastructure Security Agency", "agency"): 2}
    )


def test_patterns_find_numbered_instruments() -> None:
    text = (
        "Executive Order 14117 and Regulation (EU) 2024/2847 apply; cve-2024-3094 was "
        "patched under Emergency Directive 24-01 and Directive (EU) 2022/2555."
    )
    assert names(text) == {
        ("Executive Order 14117", "law"),
        ("Regulation (EU) 2024/2847", "law"),
        ("Directive (EU) 2022/2555", "law"),
        ("Emergency Directive 24-01", "law"),
        ("CVE-2024-3094", "cve"),
    }


def test_whole_words_and_case_only() -> None:
    assert names("A delta of three, a signal, USAGE and Chinatown.") == set()
    assert ("Delta", "company") in names("Delta's flights were grounded.")


def test_longest_spelling_wins_where_names_overlap() -> None:
    assert names("Kaspersky Lab denied it.") == {("Kaspersky", "company")}
    assert names("China Telecom was told to leave.") == {("China Telecom", "company")}


def test_title_mentions_weigh_more_and_top_is_stable() -> None:
    counts = article_entities("Huawei banned", "The UK and the UK again, and Huawei.")
    assert counts[Entity("Huawei", "company")] == 4
    assert [e.name for e in entities.top(counts, 1)] == ["Huawei"]


def test_name_keys_give_one_key_per_mention_for_clustering() -> None:
    assert name_keys("NSA and the National Security Agency") == ["national security agency"] * 2


def test_lookup_by_any_spelling_case_insensitive() -> None:
    table = entities.gazetteer()
    assert table.lookup("cozy bear") == Entity("Midnight Blizzard", "threat")
    assert table.lookup("midnight blizzard") == Entity("Midnight Blizzard", "threat")
    assert table.lookup("no such thing") is None


def test_list_format_comments_and_aliases() -> None:
    parsed = parse_list("threat", "# a comment\n\nVolt Typhoon | Bronze Silhouette\n")
    assert set(parsed) == {"Volt Typhoon", "Bronze Silhouette"}
    assert parsed["Bronze Silhouette"] == Entity("Volt Typhoon", "threat")


def test_version_is_a_hash_of_the_lists() -> None:
    assert len(entities.gazetteer().version) == 12


# Floors a little under the measured figures (benchmarks/eval_entities.py), so a
# gazetteer edit that loses names or adds noise fails here.
FLOORS = {
    "agency": (0.95, 0.80),
    "country": (0.95, 0.90),
    "company": (0.95, 0.80),
    "threat": (0.95, 0.90),
    "law": (0.95, 0.80),
    "cve": (1.0, 1.0),
}


def test_precision_and_recall_per_type_on_the_labeled_corpus() -> None:
    labels = load_labels()
    assert len(labels) >= 100
    tally = score(labels, predictions(set(labels)))
    for kind, (min_p, min_r) in FLOORS.items():
        c = tally[kind]
        assert c["tp"] + c["fn"] > 0, kind
        assert c["tp"] / (c["tp"] + c["fp"]) >= min_p, (kind, c)
        assert c["tp"] / (c["tp"] + c["fn"]) >= min_r, (kind, c)


def test_shape_names_give_a_gazetteer_name_one_key_whatever_the_spelling() -> None:
    from briefing.entities import shapes

    short = shapes.names("Late on Friday the CISA warned utilities.")
    full = shapes.names(
        "Late on Friday the Cybersecurity and Infrastructure Security Agency warned utilities."
    )
    key = "=cybersecurity_and_infrastructure_security_agency"
    assert key in short and key in full
    assert "cisa" in short and "cybersecurity" in full  # the shape tokens stay too
    assert not any(t.startswith("=") for t in shapes.names("Late on Friday Acme Widgets failed."))


def test_the_clustering_finds_names_with_the_entity_module() -> None:
    from briefing.cluster import text
    from briefing.entities import shapes

    assert text.field_names is shapes.field_names and text.names is shapes.names


def test_a_sentence_opener_is_a_name_unless_the_text_also_writes_it_in_lower_case() -> None:
    from briefing.entities import shapes

    assert "zeta" in shapes.names("Markets slid. Zeta fell.")
    assert "zeta" not in shapes.names("Markets slid. Zeta fell, the zeta index too.")
    # inside a longer lowercase word ("rock'zeta") it is not a lowercase use
    assert "zeta" in shapes.names("Markets slid. Zeta fell on rock'zeta.")
    assert "zeta" not in shapes.names("Markets slid. Zeta fell on rock' zeta.")
    # quotes and brackets between the full stop and the capital still open a sentence
    assert "zeta" not in shapes.names('He said: "Zeta fell." Then the zeta index rose.')
    assert "zeta" in shapes.names("He said the Zeta index fell. Then the zeta index rose.")


def test_capitals_inside_a_word_or_an_identifier_are_not_names() -> None:
    from briefing.entities import shapes

    assert shapes.names("The x-Zeta and path/Omega and pre_Delta moved.") == []
    # the whole run of capitals goes with the word it is glued to
    assert shapes.names("Markets slid; x-Zeta Omega moved.") == ["markets"]


def test_a_list_of_known_names_is_each_name_not_one_long_one() -> None:
    from briefing.entities import shapes

    found = shapes.names("Late on Friday the FBI and CISA warned carriers.")
    assert "=federal_bureau_of_investigation" in found
    assert "=cybersecurity_and_infrastructure_security_agency" in found
    assert "fbi_cisa" not in found  # a rare made-up name would outweigh both
    found = shapes.names("Later AT&T, Verizon and Lumen Technologies declined to comment.")
    assert {"=verizon", "=lumen", "lumen_technologies"} <= set(found)
    assert "verizon_lumen_technologies" not in found
    # a name that holds "and" stays whole; one unknown part keeps the list whole too
    found = shapes.names("Later the Bureau of Industry and Security acted.")
    assert "=bureau_of_industry_and_security" in found and "bureau_industry_security" in found
    found = shapes.names("Later the Zorbex Team and Salt Typhoon were named.")
    assert "zorbex_team_salt_typhoon" in found and "=salt_typhoon" in found


def test_a_possessive_spelling_and_a_hyphenated_attribute_find_the_country() -> None:
    from briefing.entities import shapes

    for apostrophe in "'’":
        text = f"Later the People{apostrophe}s Republic of China denied it."
        assert "=china" in shapes.names(text)
    found = shapes.names("Investigators said China-linked hackers struck.")
    assert "=china" in found and "china-linked" not in found
    # the attribute ends its name: it does not run on into the next one
    found = shapes.names("He met the Shanghai-based Yin Kecheng.")
    assert "yin_kecheng" in found and "shanghai_yin_kecheng" not in found
    assert "shanghai" in found
