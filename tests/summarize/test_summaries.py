"""Article, event and story summaries on cluttered pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from briefing.models import Sentence
from briefing.summarize import core, rank
from briefing.summarize.candidates import Source
from tests.summarize.pages import CLUTTER, kaspersky_sources


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _near_duplicates(summary: list[Sentence]) -> list[tuple[str, str]]:
    """Pairs whose plain word sets (no stemming, stop words kept) overlap by half or more."""
    pairs = []
    for i, a in enumerate(summary):
        for b in summary[i + 1 :]:
            wa, wb = _words(a.text), _words(b.text)
            if len(wa & wb) / len(wa | wb) >= 0.5:
                pairs.append((a.text, b.text))
    return pairs


def _is_clutter(text: str) -> bool:
    return any(text in line or line in text for line in CLUTTER)


@pytest.mark.parametrize("algorithm", rank.ALGORITHMS)
def test_event_summary_has_no_clutter_no_repeats_and_is_attributed(algorithm):
    sources = kaspersky_sources()
    summary = core.summarize_event(sources, algorithm)
    assert 3 <= len(summary) <= 5
    assert not [s.text for s in summary if _is_clutter(s.text)]
    assert _near_duplicates(summary) == []
    by_id = {s.article_id: s for s in sources}
    for sentence in summary:
        source = by_id[sentence.article_id]
        assert sentence.source == source.outlet
        # Extractive: every sentence is in its own article (datelines stripped).
        assert sentence.text in source.text


@pytest.mark.parametrize("algorithm", rank.ALGORITHMS)
def test_article_summaries_are_two_or_three_clean_sentences(algorithm):
    for source in kaspersky_sources():
        summary = core.summarize_article(source, algorithm)
        assert 2 <= len(summary) <= 3
        assert not [s.text for s in summary if _is_clutter(s.text)]
        assert all(s.article_id == source.article_id for s in summary)
        assert all(s.text in source.text for s in summary)
        # In the article's own order.
        positions = [source.text.index(s.text) for s in summary]
        assert positions == sorted(positions)


def test_event_summary_opens_with_what_happened_and_strips_the_dateline():
    summary = core.summarize_event(kaspersky_sources())
    first = summary[0]
    assert first.source == "Global Wire Service"  # the earliest report
    assert first.text.startswith("The Biden administration on Thursday banned")
    assert "(Global Wire)" not in first.text


def test_wire_copies_are_not_separate_sources():
    """The caller passes originals only; a copy would just repeat the original."""
    sources = kaspersky_sources()
    copy = Source(sources[1].text, "Copy", 99, "Packet Post", sources[1].published)
    summary = core.summarize_event([*sources, copy])
    assert _near_duplicates(summary) == []
    assert 99 not in {s.article_id for s in summary}  # the earlier original wins


def test_near_duplicate_sentences_across_outlets_appear_once():
    day = datetime(2024, 3, 1, tzinfo=UTC)
    lede = (
        "Federal investigators said on Friday that the ransomware gang behind the "
        "pharmacy outage had been paid a ransom of 22 million dollars."
    )
    reworded = (
        "Investigators said on Friday that the ransomware gang behind the pharmacy outage "
        "was paid a 22 million dollar ransom."
    )
    a = Source(
        lede + "\nPharmacies across the country could not process insurance claims.",
        "A",
        1,
        "Breach Daily",
        day,
    )
    b = Source(
        reworded + "\nThe company said it expected systems to return within weeks.",
        "B",
        2,
        "Threat Desk",
        day.replace(hour=5),
    )
    summary = core.summarize_event([a, b])
    texts = [s.text for s in summary]
    assert sum(("ransom" in t) for t in texts) == 1
    assert texts[0] == lede  # the earliest phrasing is kept


def test_event_length_grows_with_sources():
    base = kaspersky_sources()
    extra = []
    for n in range(6):
        text = "\n".join(
            f"Outlet {n} reported that distinct detail number {k} concerned agency {n} "
            f"and program {k} in particular, officials said."
            for k in range(4)
        )
        extra.append(
            Source(text, f"T{n}", 100 + n, f"Outlet {n}", datetime(2024, 6, 21, n, tzinfo=UTC))
        )
    assert len(core.summarize_event(base[:1])) == 3
    assert len(core.summarize_event(base + extra[:2])) == 4
    assert len(core.summarize_event(base + extra)) == 5


def test_empty_and_short_inputs():
    assert core.summarize_event([]) == []
    assert core.summarize_article(Source("")) == []
    teaser_only = Source(
        "",
        "T",
        5,
        "Policy Wire",
        teaser="The agency issued an emergency directive ordering patches by Friday.",
    )
    summary = core.summarize_article(teaser_only)
    assert [s.text for s in summary] == [teaser_only.teaser]
    only_clutter = Source("\n".join(CLUTTER), "T", 6, "Policy Wire")
    assert core.summarize_article(only_clutter) == []


def _s(text: str, article_id: int) -> Sentence:
    return Sentence(text, article_id, "Policy Wire")


def test_story_summary_latest_first_then_what_led_to_it():
    events = [
        core.EventInput(
            date(2017, 9, 13),
            [
                _s(
                    "Homeland Security ordered agencies to remove Kaspersky products from systems.",
                    1,
                ),
                _s(
                    "Agencies had ninety days to finish removing the antivirus software entirely.",
                    2,
                ),
            ],
            "e2017",
        ),
        core.EventInput(
            date(2024, 6, 20),
            [
                _s(
                    "Commerce banned sales of Kaspersky software in the United States on Thursday.",
                    5,
                ),
                _s(
                    "Updates for existing customers will stop at the end of September this year.", 6
                ),
                _s(
                    "The company said it would challenge the decision through every legal means.", 7
                ),
            ],
            "e2024",
        ),
        core.EventInput(
            date(2022, 3, 25),
            [
                _s(
                    "The FCC added Kaspersky to its list of national security threats on Friday.", 3
                ),
                _s(
                    "The listing bars subsidies for buying equipment and services from the firm.", 4
                ),
            ],
            "e2022",
        ),
    ]
    summary = core.summarize_story(events)
    assert [s.article_id for s in summary] == [5, 6, 3, 1]


def test_story_summary_of_one_event_takes_three_sentences():
    event = core.EventInput(
        date(2024, 6, 20),
        [
            _s("Commerce banned sales of Kaspersky software in the United States on Thursday.", 5),
            _s("Updates for existing customers will stop at the end of September this year.", 6),
            _s("The company said it would challenge the decision through every legal means.", 7),
            _s("Retailers were told to pull the boxed product from shelves within a month.", 8),
        ],
    )
    assert [s.article_id for s in core.summarize_story([event])] == [5, 6, 7]
    assert core.summarize_story([]) == []


_FACTS = [
    ("Regulators opened an inquiry into the vendor's update process.", "Auditors found gaps."),
    ("Congress held a hearing where the chief executive apologized.", "Senators asked for logs."),
    ("The airline sued the vendor for lost revenue and damages.", "Flights resumed slowly."),
    ("Hospitals postponed surgeries while technicians restored machines.", "Clinics reopened."),
    ("Insurers estimated losses above five billion dollars worldwide.", "Claims kept arriving."),
    ("A researcher published a timeline of the faulty content file.", "Engineers studied it."),
    ("Banks reported delayed payments across several European countries.", "Queues formed."),
    ("The vendor promised staged rollouts and customer control of updates.", "Critics doubted."),
]


def test_story_summary_is_at_most_five_sentences():
    events = [
        core.EventInput(date(2020, 1, n + 1), [_s(first + " It matters.", n), _s(second, 100 + n)])
        for n, (first, second) in enumerate(_FACTS)
    ]
    summary = core.summarize_story(events)
    assert [s.article_id for s in summary] == [7, 107, 6, 5, 4]


def test_unknown_algorithm_is_a_clear_error():
    with pytest.raises(rank.SummarizeError, match="unknown summarizer 'bart'"):
        rank.resolve("bart")
    assert rank.resolve("") == rank.DEFAULT
    assert rank.resolve(" TextRank ") == "textrank"
