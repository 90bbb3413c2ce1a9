"""A fixed, small clustered store for the brief's tests (our own words, fictional outlets)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from briefing import entity_stage
from briefing.models import Article, TriageState
from briefing.store import Store, triage
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate

GENERATED = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


KASPERSKY = StorySpec(
    id="us-kaspersky",
    title="US actions against Kaspersky",
    summary=[
        "Commerce barred sales of Kaspersky software in the United States.",
        "The ban followed years of federal restrictions on the vendor.",
    ],
    events=[
        EventSpec(
            "DHS orders federal agencies to remove Kaspersky software",
            date(2017, 9, 13),
            [
                ArticleSpec(
                    "Agencies told to drop Kaspersky products",
                    "Global Wire Service",
                    at("2017-09-13", 14),
                    url="https://globalwire.example/2017/09/13/kaspersky-directive",
                ),
                ArticleSpec(
                    "Agencies told to drop Kaspersky products (wire copy)",
                    "Packet Post",
                    at("2017-09-13", 16),
                    duplicate_of=0,
                ),
                ArticleSpec(
                    "DHS directive gives agencies 90 days on Kaspersky",
                    "Policy Wire",
                    at("2017-09-13", 18),
                ),
            ],
            summary=["Homeland Security gave agencies 90 days to remove the software."],
        ),
        EventSpec(
            "Commerce bans Kaspersky software sales",
            date(2024, 6, 20),
            [
                ArticleSpec(
                    "Commerce rule ends Kaspersky sales",
                    "Capitol Security Report",
                    at("2024-06-20", 15),
                ),
                ArticleSpec(
                    "Kaspersky ban: what customers must do", "The Cyber Ledger", at("2024-06-21", 9)
                ),
            ],
            summary=[
                "The Commerce Department barred new sales from July.",
                "Updates to existing customers end in September.",
            ],
        ),
    ],
)

RANSOMWARE = StorySpec(
    id="hospital-ransomware",
    title="Ransomware attack on regional hospitals",
    summary=["A ransomware group disrupted care at several hospitals."],
    events=[
        EventSpec(
            "Hospitals divert ambulances after ransomware attack",
            date(2024, 6, 3),
            [ArticleSpec("Hospitals divert ambulances", "Breach Daily", at("2024-06-03", 8))],
            summary=["Three hospitals diverted ambulances while systems were down."],
        ),
        EventSpec(
            "Hospitals restore records systems",
            date(2024, 6, 18),
            [ArticleSpec("Records back online at hospitals", "Infra Watch", at("2024-06-18", 10))],
        ),
    ],
)

EU_RULES = StorySpec(
    id="eu-cyber-resilience",
    title="EU Cyber Resilience Act",
    summary=["The EU adopted security rules for connected products."],
    events=[
        EventSpec(
            "Council adopts the Cyber Resilience Act",
            date(2024, 10, 10),
            [
                ArticleSpec(
                    "Council signs off on product security law",
                    "Euro Digital Affairs",
                    at("2024-10-10", 11),
                )
            ],
        ),
    ],
)

DISMISSED = StorySpec(
    id="vendor-webinar",
    title="Vendor webinar announcements",
    events=[
        EventSpec(
            "Vendor announces a webinar",
            date(2024, 6, 19),
            [ArticleSpec("Join our webinar on patching", "The Patch", at("2024-06-19", 9))],
        ),
    ],
)

# The team's fictional outlets and their domains.
DOMAINS = {
    "Global Wire Service": "globalwire.example",
    "Policy Wire": "policywire.example",
    "The Cyber Ledger": "cyberledger.example",
    "Capitol Security Report": "capitolsecurity.example",
    "Breach Daily": "breachdaily.example",
    "Threat Desk": "threatdesk.example",
    "Euro Digital Affairs": "eurodigital.example",
    "Packet Post": "packetpost.example",
    "Security & Statecraft": "statecraft.example",
    "Infra Watch": "infrawatch.example",
    "The Patch": "thepatch.example",
}


def article_url(outlet: str, published: datetime, title: str) -> str:
    slug = "-".join("".join(c for c in w if c.isalnum()) for w in title.lower().split())
    return f"https://{DOMAINS[outlet]}/{published:%Y/%m/%d}/{slug}"


STORIES = [KASPERSKY, RANSOMWARE, EU_RULES, DISMISSED]
for _story in STORIES:
    for _event in _story.events:
        for _art in _event.articles:
            _art.url = _art.url or article_url(_art.outlet, _art.published, _art.title)


def add_loose_article(store: Store, title: str, published: datetime, outlet: str) -> int:
    """An article the clustering stage has not placed in an event yet."""
    feed = feed_store.add(store, f"https://{DOMAINS[outlet]}/feed-{published:%Y%m%d%H}", outlet)
    new, _ = article_store.upsert(
        store,
        [
            Article(
                feed_id=int(feed.id or 0),
                guid=f"loose-{title}",
                url=article_url(outlet, published, title),
                title=title,
                outlet=outlet,
                published=published,
            )
        ],
    )
    return new[0]


def build_corpus(path: Path) -> Store:
    store = Store(path)
    populate(store, STORIES, attribute=True)
    triage.put(
        store,
        TriageState(
            story_id="us-kaspersky",
            starred=True,
            tags=["russia", "procurement"],
            note="Ask the policy team about the September deadline.\nCheck state-level bans too.",
        ),
    )
    triage.put(store, TriageState(story_id="eu-cyber-resilience", tags=["eu"]))
    triage.put(store, TriageState(story_id="vendor-webinar", dismissed=True))
    add_loose_article(
        store,
        "Senate panel schedules a hearing on spyware",
        at("2024-06-19", 17),
        "Security & Statecraft",
    )
    entity_stage.run(store)  # what a fetch does before clustering: the json lists entities
    return store


@pytest.fixture
def corpus(tmp_path: Path) -> Store:
    return build_corpus(tmp_path / "briefing.db")
