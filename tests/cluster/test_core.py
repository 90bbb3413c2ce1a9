"""The in-memory clustering: each level, the hard negatives, titles and timelines."""

from __future__ import annotations

import string
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.cluster import text as T
from briefing.cluster.core import Clustering, cluster
from briefing.cluster.params import DEFAULT
from briefing.urls import page_key
from tests.cluster.fixtures import BY_KEY, PIECES, docs


@pytest.fixture(scope="module")
def result() -> Clustering:
    return cluster(docs())


def same_event(r: Clustering, *keys: str) -> bool:
    return len({r.event_of[k] for k in keys}) == 1


def same_story(r: Clustering, *keys: str) -> bool:
    return len({r.story_of(k) for k in keys}) == 1


# -- duplicates ----------------------------------------------------------------


def test_wire_copy_with_new_headline_and_added_line_is_folded(result: Clustering) -> None:
    assert result.duplicate_of["packet-ban-copy"] == "wire-ban"
    assert result.duplicate_of["wire-ban"] is None
    # different reporting of the same news is not a copy
    assert result.duplicate_of["policy-ban"] is None
    assert result.duplicate_of["ledger-ban"] is None
    assert sum(1 for v in result.duplicate_of.values() if v) == 1


def test_copy_follows_its_original_into_the_event(result: Clustering) -> None:
    assert result.event_of["packet-ban-copy"] == result.event_of["wire-ban"]


def test_the_original_is_the_earliest_even_when_it_arrives_last() -> None:
    wire, copy = docs("wire-ban", "packet-ban-copy")
    early_copy = replace(copy, published=wire.published - 3600)
    r = cluster([wire, early_copy])
    assert r.duplicate_of == {"packet-ban-copy": None, "wire-ban": "packet-ban-copy"}


def test_same_page_with_tracking_parameters_is_a_duplicate() -> None:
    (first,) = docs("policy-ban")
    again = replace(
        first,
        id="policy-ban-again",
        url=first.url.replace("https://", "http://www.") + "/?utm_source=newsletter#top",
        text="A shorter teaser-only version.",
        published=first.published + 600,
    )
    r = cluster([first, again])
    assert r.duplicate_of["policy-ban-again"] == "policy-ban"


def test_articles_without_a_link_are_not_the_same_page() -> None:
    first, second = docs("wire-ban", "breach-harbor")
    r = cluster([replace(first, url=""), replace(second, url="")])
    assert r.duplicate_of == {"wire-ban": None, "breach-harbor": None}


def test_page_key() -> None:
    assert (
        page_key("HTTP://WWW.Example.org/a/b/?utm_medium=x&id=3&fbclid=y#frag")
        == "https://example.org/a/b?id=3"
    )
    assert page_key("not a url") == "not a url"


# -- events --------------------------------------------------------------------


def test_differently_worded_reports_of_one_happening_are_one_event(result: Clustering) -> None:
    assert same_event(result, "wire-ban", "policy-ban", "ledger-ban")
    assert same_event(result, "ledger-exit", "packet-exit")
    assert same_event(result, "policy-tiktok-law", "capitol-tiktok-law")
    assert same_event(result, "fedtech-data-eo", "statecraft-data-eo")


def test_later_chapters_are_separate_events(result: Clustering) -> None:
    assert not same_event(result, "wire-ban", "ledger-exit")
    assert not same_event(result, "policy-tiktok-law", "ledger-tiktok-court")


def test_two_hospital_attacks_in_one_week_are_two_events_and_two_stories(
    result: Clustering,
) -> None:
    assert same_event(result, "breach-lakeside", "infra-lakeside")
    assert same_event(result, "breach-harbor", "packet-harbor")
    assert not same_event(result, "breach-lakeside", "breach-harbor")
    assert not same_story(result, "breach-lakeside", "breach-harbor")


def test_event_date_is_the_earliest_report(result: Clustering) -> None:
    event = result.events[result.event_of["wire-ban"]]
    assert event.date.isoformat() == "2024-06-20"
    assert event.article_ids[0] == "policy-ban"  # by publication time
    assert set(event.article_ids) == {"wire-ban", "packet-ban-copy", "policy-ban", "ledger-ban"}


def test_same_words_months_apart_are_not_one_event() -> None:
    a, b = docs("policy-tiktok-law", "capitol-tiktok-law")
    later = replace(b, published=a.published + 60 * 86400)
    r = cluster([a, later])
    assert not same_event(r, a.id, later.id)


# -- stories -------------------------------------------------------------------


def test_events_of_one_matter_weeks_apart_are_one_story(result: Clustering) -> None:
    assert same_story(result, "wire-ban", "ledger-exit")
    assert same_story(result, "policy-tiktok-law", "ledger-tiktok-court")  # nine months


def test_kaspersky_research_is_not_the_sanctions_story(result: Clustering) -> None:
    assert not same_story(result, "threat-research", "wire-ban")
    assert not same_story(result, "threat-research", "ledger-exit")


def test_passing_mention_of_tiktok_does_not_join_the_tiktok_story(result: Clustering) -> None:
    assert not same_story(result, "fedtech-data-eo", "policy-tiktok-law")
    assert not same_story(result, "fedtech-data-eo", "ledger-tiktok-court")


def test_gold_partition_of_the_fixtures(result: Clustering) -> None:
    stories = {}
    for piece in PIECES:
        stories.setdefault(piece.story, set()).add(result.story_of(piece.key))
    assert all(len(found) == 1 for found in stories.values()), stories
    assert len(result.stories) == len(stories)
    assert len(result.events) == len({p.event for p in PIECES})


def test_timeline_is_in_date_order(result: Clustering) -> None:
    story = result.stories[result.story_of("wire-ban")]
    dates = [result.events[e].date for e in story.event_ids]
    assert dates == sorted(dates)
    assert [result.events[e].date.isoformat() for e in story.event_ids] == [
        "2024-06-20",
        "2024-07-15",
    ]
    assert story.first_date.isoformat() == "2024-06-20"
    assert story.last_date.isoformat() == "2024-07-15"


def test_timeline_order_does_not_depend_on_input_order() -> None:
    r = cluster(list(reversed(docs())))
    story = r.stories[r.story_of("capitol-tiktok-law")]
    assert [r.events[e].date.isoformat() for e in story.event_ids] == ["2024-04-24", "2025-01-17"]


# -- titles --------------------------------------------------------------------


def test_event_title_is_a_real_headline_not_the_copy(result: Clustering) -> None:
    event = result.events[result.event_of["wire-ban"]]
    headlines = {BY_KEY[k].title for k in ("wire-ban", "policy-ban", "ledger-ban")}
    assert event.title in headlines
    assert event.title != BY_KEY["packet-ban-copy"].title


def test_story_title_is_one_of_its_event_titles(result: Clustering) -> None:
    for story in result.stories.values():
        assert story.title in {result.events[e].title for e in story.event_ids}


# -- text features ---------------------------------------------------------------


def test_names_weight_the_lead_and_find_acronyms_and_cves() -> None:
    found = T.names(
        "The Cybersecurity and Infrastructure Security Agency (CISA) and the SEC warned "
        "about CVE-2024-3094 under NIS2 rules, fining the firm $10 million."
    )
    assert {"cisa", "sec", "nis2", "CVE-2024-3094", "$10million"} <= set(found)
    assert "cybersecurity_infrastructure_security_agency" in found
    assert "the" not in found


def test_sentence_openers_are_not_names_unless_confirmed() -> None:
    title, lead, rest = T.field_names(
        "Officials Say Kaspersky Ban Stands",
        "Officials said the ban on Kaspersky stands. Officials declined to comment.",
        "Kaspersky disagreed with the officials.",
    )
    assert "officials" not in title + lead + rest
    assert "kaspersky" in title and "kaspersky" in rest


def test_params_live_in_one_place() -> None:
    from briefing.cluster.grouping import FEATURES

    assert len(DEFAULT.event_model) == len(DEFAULT.story_model) == len(FEATURES)
    assert DEFAULT.story_window_days > DEFAULT.event_window_days


def test_signatures_are_datasketch_minhashes() -> None:
    import numpy as np
    from datasketch import MinHash

    from briefing.cluster.dedup import SCHEME, SEED, _doc_hashes, signatures

    pieces = docs("wire-ban", "policy-ban", "threat-research")
    for doc, sig in zip(pieces, signatures(pieces, DEFAULT), strict=True):
        reference = MinHash(num_perm=DEFAULT.num_perm, seed=SEED, scheme=SCHEME, hashfunc=int)
        reference.update_batch(_doc_hashes(doc, DEFAULT).tolist())
        assert np.array_equal(reference.hashvalues.astype(np.uint64), sig)


def test_an_event_is_titled_by_a_news_report_not_a_guide_or_an_opinion() -> None:
    import numpy as np
    import scipy.sparse as sp

    from briefing.cluster.titles import pick

    heads = [
        "How to check whether your router runs the vulnerable firmware",
        "Opinion: the router maker waited too long to patch",
        "Which routers are affected? What the firmware advisory says",
        "Router maker patches flaw exploited in attacks on small offices",
    ]
    # the guide, the column and the explainer sit a little closer to the centroid than the report
    vectors = sp.csr_matrix(np.array([[0.95, 0.31], [0.93, 0.37], [0.94, 0.34], [0.85, 0.53]]))
    centroid = sp.csr_matrix(np.array([[1.0, 0.0]]))
    assert pick(heads, vectors, centroid, DEFAULT) == heads[3]
    assert pick(heads[2:], vectors[2:], centroid, DEFAULT) == heads[3]
    assert pick(heads[:2], vectors[:2], centroid, DEFAULT) == heads[0]


def test_an_event_is_titled_by_its_first_report_not_the_next_days_analysis() -> None:
    import numpy as np
    import scipy.sparse as sp

    from briefing.cluster.stage import _late
    from briefing.cluster.titles import pick

    heads = [
        "Kaspersky quietly swaps itself for UltraAV on US computers",
        "Forced UltraAV migration renews worries about antivirus update power",
    ]
    ats = ["2024-09-19T16:20:00Z", "2024-09-20T16:20:00Z"]
    assert _late(ats) == [0.0, 1.0]
    assert _late(["2024-09-19T16:20:00Z", "2024-09-19T22:20:00Z"]) == [0.0, 0.25]
    # the analysis sits a little closer to the centroid than the report
    vectors = sp.csr_matrix(np.array([[0.90, 0.44], [0.95, 0.31]]))
    centroid = sp.csr_matrix(np.array([[1.0, 0.0]]))
    assert pick(heads, vectors, centroid, DEFAULT) == heads[1]
    assert pick(heads, vectors, centroid, DEFAULT, _late(ats)) == heads[0]


def test_hashed_counts_match_scikit_learns_hashing_vectorizer() -> None:
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer

    from briefing.cluster.vectors import Featurizer

    featurizer = Featurizer(DEFAULT)
    texts = [doc.fields()[0] + " " + doc.fields()[1] for doc in docs()] + ["", "Zürich İstanbul"]
    tokens = [T.words(t) + T.names(t) for t in texts]
    reference = HashingVectorizer(
        analyzer=lambda x: x, n_features=DEFAULT.n_features, alternate_sign=False, norm=None
    ).transform(tokens)
    ours = featurizer._columns.counts(tokens)
    assert (ours != reference).nnz == 0 and ours.nnz == reference.nnz
    assert np.array_equal(ours.indptr, reference.indptr)


def test_rows_are_normalized_as_scikit_learn_normalizes_them_to_the_bit() -> None:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    from briefing.cluster.vectors import normalize_rows

    rng = np.random.default_rng(5)
    lengths = [0, 1, 3, 9, 40, 130, 700, 0, 2]  # empty rows, and rows past numpy's pairwise blocks
    for dtype in (np.float32, np.float64):
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate([np.sort(rng.choice(5000, n, replace=False)) for n in lengths])
        data = (rng.random(indptr[-1]) * 10.0 ** rng.integers(-3, 4, indptr[-1])).astype(dtype)
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(lengths), 5000))
        matrix.data[5] = 0.0  # a stored zero stays stored, as there
        ours = normalize_rows(matrix.copy())
        reference = normalize(matrix, norm="l2")
        assert ours.dtype == reference.dtype == dtype
        assert np.array_equal(ours.data, reference.data)
        assert np.array_equal(ours.indices, reference.indices)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable, max_size=80))
def test_ascii_text_is_split_as_the_unicode_pattern_splits_it(text: str) -> None:
    assert T._WORD_ASCII.findall(text) == T._WORD.findall(text)
    assert T.tokens(text + " Zürich") == T._WORD.findall(text + " Zürich")


def test_features_and_copies_read_one_tokenization_of_the_body() -> None:
    import numpy as np

    from briefing.cluster.dedup import signatures
    from briefing.cluster.vectors import Doc, Featurizer, _field_tokens

    def doc(n: int, title: str, summary: str, text: str) -> Doc:
        return Doc(n, title, summary, text, "Outlet", f"https://x.example/{n}", 0.0)

    pieces = [
        *docs(),
        doc(
            1,
            "Agency warns",
            "Lead line here.",
            "\n\nLead line here.\n\n  \nMore text, 3.5 v2-beta\n",
        ),
        doc(2, "Teaser only", "The feed's teaser, no page.", ""),
        doc(3, "Blank page", "Teaser.", "  \n \t"),
        doc(4, "Zürich bank", "Die Bank in Zürich", "ÉTAT d’urgence à Zürich.\n\nİstanbul office"),
        doc(5, "Mixed", "ascii teaser", "first line\n\nsecond line, Straße"),
        doc(6, "", "", ""),
        # pages whose text repeats the headline, and has a photo's caption (left out of
        # the pieces, still part of the body the copies are found by)
        doc(7, "Agency warns of flaw", "", "Agency warns of flaw\nFirst real line.\nMore."),
        doc(
            8,
            "Agency warns",
            "Teaser.",
            "Agency  warns\nServer racks. Photo: Jo Roe / Pix\nFirst real line.\nMore.",
        ),
    ]
    featurizer = Featurizer(DEFAULT)
    words, names, hashes = featurizer.counts_and_hashes(pieces)
    alone_words, alone_names = Featurizer(DEFAULT).counts(pieces)
    assert (words != alone_words).nnz == 0 and (names != alone_names).nnz == 0
    for d, h in zip(pieces, hashes, strict=True):
        assert np.array_equal(h, T.word_hashes(d.body)), d.id
        _, lead, first, rest = d.pieces()
        assert _field_tokens(d, lead, first, rest, None) == (T.tokens(lead), T.tokens(rest))
    for ours, theirs in zip(
        signatures(pieces, DEFAULT, hashes), signatures(pieces, DEFAULT), strict=True
    ):
        assert np.array_equal(ours, theirs)


def test_the_stop_words_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from briefing.entities import shapes

    assert shapes.ENGLISH_STOP_WORDS == ENGLISH_STOP_WORDS
    assert ENGLISH_STOP_WORDS <= shapes.STOP


def _placed_before(index_docs, sigs, window: float) -> dict:
    """The plain one-by-one rule: the most similar earlier article in the window wins."""
    import numpy as np

    out = {}
    for n, doc in enumerate(index_docs):
        best, best_score = None, 0.0
        for m in range(n):
            other = index_docs[m]
            if abs(other.published - doc.published) > window:
                continue
            score = float(np.mean(sigs[m] == sigs[n]))
            if score >= DEFAULT.duplicate_jaccard and score > best_score:
                best, best_score = other.id, score
        out[doc.id] = best
    return out


def test_copies_found_in_blocks_are_the_one_by_one_matches() -> None:
    import random

    from briefing.cluster.dedup import DupIndex, signatures
    from briefing.cluster.vectors import Doc

    rng = random.Random(5)
    vocabulary = [f"w{n}" for n in range(400)]
    bases = [" ".join(rng.choices(vocabulary, k=80)) for _ in range(12)]
    pieces = []
    for n in range(150):
        words = rng.choice(bases).split()
        for _ in range(rng.choice([0, 3, 10, 40])):  # light edits to rewrites
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        when = 1.7e9 + rng.uniform(0, 30) * 86400
        pieces.append(Doc(f"a{n}", "", "", " ".join(words), "o", f"https://x.example/{n}", when))
    pieces.sort(key=lambda d: d.published)
    sigs = signatures(pieces, DEFAULT)
    window = DEFAULT.duplicate_window_days * 86400
    expected = _placed_before(pieces, sigs, window)
    assert sum(v is not None for v in expected.values()) > 50  # the test has copies to find

    index = DupIndex(DEFAULT, use_lsh=False)
    known = 40  # some already placed, as loaded from the store
    for doc, sig in zip(pieces[:known], sigs[:known], strict=True):
        index.add_known(doc.id, sig, doc.published, doc.url, None)
    index.add_all(pieces[known:], sigs[known:])
    for doc in pieces[known:]:
        match = expected[doc.id]
        # a copy points at the original of its closest earlier article
        assert index.original[doc.id] == (index.root(match) if match is not None else None)


def test_items_without_any_text_are_copies_only_of_the_same_headline_and_link() -> None:
    from briefing.cluster.vectors import Doc

    def item(n: int, title: str, url: str) -> Doc:
        return Doc(f"t{n}", title, "", "", "o", url, 1.7e9 + n * 3600)

    result = cluster(
        [
            item(0, "Kaspersky banned in the US", "https://a.example/1"),
            item(1, "Volcano erupts in Iceland", "https://b.example/2"),
            item(2, "Fed raises rates", "https://c.example/3"),
            item(3, "Fed raises rates", "https://c.example/3?utm_source=feed"),
        ]
    )
    assert result.duplicate_of == {"t0": None, "t1": None, "t2": None, "t3": "t2"}


def test_the_lead_is_the_first_paragraph_not_the_headline_again_or_a_caption() -> None:
    """Extracted pages often open with their headline, and a photo's caption can
    follow; the lead (names weigh most there) is the article's first paragraph."""
    from briefing.cluster.vectors import Doc

    text = (
        "Chinese hackers breached US telecom carriers\n"
        "Racks of servers in a data centre. Photo: Lena Moor / Northlight Images\n"
        "Hackers broke into AT&T, Verizon and Lumen, a newspaper reported.\n"
        "The group is called Salt Typhoon.\n"
        "(AP Photo/John Roe)"
    )
    d = Doc(1, "Chinese hackers breached US telecom carriers", "", text, "Wire", "u", 0.0)
    _, lead, first, rest = d.pieces()
    assert first == "Hackers broke into AT&T, Verizon and Lumen, a newspaper reported."
    assert lead.strip() == first
    assert rest == "The group is called Salt Typhoon."
    # a text that does not repeat its headline keeps its first line
    other = Doc(2, "Another headline", "", text, "Wire", "u", 0.0)
    assert other.pieces()[2] == "Chinese hackers breached US telecom carriers"
    # the feed's title and the page's headline may differ in quotes, dashes and spacing
    quoted = Doc(
        3,
        "Kaspersky's US exit - what's next",
        "",
        "Kaspersky’s US exit — what’s  next\nIt left.",
        "W",
        "u",
        0.0,
    )
    assert quoted.pieces()[2] == "It left."
