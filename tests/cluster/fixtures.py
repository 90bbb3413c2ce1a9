"""Small hand-written articles for the clustering tests (our own words, fictional outlets).

Each `Piece` is one article; `STORIES` groups them as a reader would: story ->
event -> articles. The hard negatives sit next to the stories they resemble.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from briefing.cluster.vectors import Doc
from briefing.models import Article


@dataclass(frozen=True)
class Piece:
    key: str
    story: str
    event: str
    outlet: str
    when: str
    title: str
    teaser: str
    paragraphs: tuple[str, ...]
    copy_of: str | None = None

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.when).replace(tzinfo=UTC)

    @property
    def url(self) -> str:
        host = "".join(c for c in self.outlet.lower() if c.isalnum())
        return f"https://{host}.example/{self.key}"

    def doc(self) -> Doc:
        return Doc(
            id=self.key,
            title=self.title,
            summary=self.teaser,
            text="\n\n".join(self.paragraphs),
            outlet=self.outlet,
            url=self.url,
            published=self.published.timestamp(),
        )


_BAN_WIRE = (
    "The Commerce Department on Thursday barred Kaspersky Lab from selling its antivirus "
    "software in the United States, saying the Russian company's ties to Moscow posed an "
    "unacceptable risk to American networks.",
    "The final determination, issued by the Bureau of Industry and Security under its "
    "information and communications technology authority, stops new sales in July and "
    "software updates at the end of September.",
    "Commerce Secretary Gina Raimondo said Russia had shown the capacity and the intent to "
    "exploit companies such as Kaspersky to collect data on Americans. Kaspersky Lab said it "
    "would pursue all legally available options.",
)

PIECES: tuple[Piece, ...] = (
    # --- story: US actions against Kaspersky --------------------------------
    Piece(
        "wire-ban",
        "kaspersky",
        "kaspersky-ban",
        "Global Wire Service",
        "2024-06-20T18:00:00",
        "US bans sales of Kaspersky antivirus software",
        "Commerce says the Russian firm poses an unacceptable national security risk.",
        _BAN_WIRE,
    ),
    Piece(
        "packet-ban-copy",
        "kaspersky",
        "kaspersky-ban",
        "Packet Post",
        "2024-06-20T19:10:00",
        "Washington bars Kaspersky antivirus from US market",
        "Commerce says the Russian firm poses an unacceptable national security risk.",
        (*_BAN_WIRE, "Packet Post readers who run Kaspersky products should plan a replacement."),
        copy_of="wire-ban",
    ),
    Piece(
        "policy-ban",
        "kaspersky",
        "kaspersky-ban",
        "Policy Wire",
        "2024-06-20T15:30:00",
        "Commerce issues final determination barring Kaspersky from US market",
        "The Bureau of Industry and Security used its ICTS rules for the first time.",
        (
            "Kaspersky Lab will be shut out of the American market under a final determination "
            "the Bureau of Industry and Security published Thursday, the first use of the ICTS "
            "supply chain rules against a single company.",
            "Officials at the Commerce Department said the Russian government could compel "
            "Kaspersky to hand over data or push malicious updates to customers.",
            "Retailers must stop selling the products within weeks, and the company loses the "
            "right to ship signature updates in the fall.",
        ),
    ),
    Piece(
        "ledger-ban",
        "kaspersky",
        "kaspersky-ban",
        "The Cyber Ledger",
        "2024-06-21T08:00:00",
        "Kaspersky is banned in the US: what users need to do",
        "Customers have until September before updates stop.",
        (
            "Owners of Kaspersky antivirus in the United States have a few months to switch "
            "products after the Commerce Department ban announced Thursday.",
            "The Bureau of Industry and Security said existing installations are not illegal, "
            "but without updates the software will slowly stop protecting anyone.",
            "Kaspersky Lab called the decision political and said it would challenge it.",
        ),
    ),
    Piece(
        "ledger-exit",
        "kaspersky",
        "kaspersky-exit",
        "The Cyber Ledger",
        "2024-07-15T20:00:00",
        "Kaspersky to wind down its US business after Commerce ban",
        "The company will lay off its American staff.",
        (
            "Kaspersky Lab told employees it will close its United States operations and lay "
            "off staff, weeks after the Commerce Department ban on its antivirus sales.",
            "The Russian company said the Bureau of Industry and Security determination left it "
            "no viable business in the American market.",
            "The wind-down begins on July 20, according to a letter seen by The Cyber Ledger.",
        ),
    ),
    Piece(
        "packet-exit",
        "kaspersky",
        "kaspersky-exit",
        "Packet Post",
        "2024-07-16T09:00:00",
        "Kaspersky confirms exit from US market",
        "Layoffs follow the federal ban on its products.",
        (
            "Kaspersky Lab confirmed on Tuesday that it is leaving the United States, "
            "blaming the Commerce Department ban that takes full effect in September.",
            "Dozens of American employees will lose their jobs, and the company will stop "
            "selling and updating its products in the country.",
            "The Russian firm said the Bureau of Industry and Security never showed evidence "
            "of wrongdoing.",
        ),
    ),
    # hard negative: Kaspersky's own threat research, days after the ban
    Piece(
        "threat-research",
        "kaspersky-research",
        "kaspersky-research",
        "Threat Desk",
        "2024-06-24T11:00:00",
        "Kaspersky researchers uncover spyware campaign aimed at Middle East diplomats",
        "The malware hid in fake video-conference installers.",
        (
            "Researchers at Kaspersky's Global Research and Analysis Team said a previously "
            "unknown espionage group has been planting a backdoor on the laptops of diplomats "
            "in the Middle East since last autumn.",
            "The implant, which the team named NightGecko, arrives inside a trojanized "
            "video-conference installer and loads its modules only into memory, leaving few "
            "traces on disk.",
            "The researchers published indicators of compromise and said the code shared "
            "fragments with tools used in earlier campaigns against embassies in Asia.",
        ),
    ),
    # --- story: TikTok in the United States ----------------------------------
    Piece(
        "policy-tiktok-law",
        "tiktok",
        "tiktok-law",
        "Policy Wire",
        "2024-04-24T17:00:00",
        "Biden signs law forcing ByteDance to sell TikTok or face a US ban",
        "The divest-or-ban measure rode along with a foreign aid package.",
        (
            "President Biden signed legislation on Wednesday that gives ByteDance nine months "
            "to sell TikTok to a buyer outside China or see the app removed from American "
            "app stores.",
            "Lawmakers attached the Protecting Americans from Foreign Adversary Controlled "
            "Applications Act to a foreign aid bill, ensuring its quick passage.",
            "TikTok said it would challenge the law in court, calling it a violation of the "
            "First Amendment rights of its users.",
        ),
    ),
    Piece(
        "capitol-tiktok-law",
        "tiktok",
        "tiktok-law",
        "Capitol Security Report",
        "2024-04-25T09:00:00",
        "TikTok divestiture law clears final hurdle with president's signature",
        "ByteDance now has until January to find a buyer.",
        (
            "The TikTok divestiture requirement became law when President Biden signed the "
            "foreign aid package, starting a clock for ByteDance to sell the app.",
            "The Foreign Adversary Controlled Applications Act lets the president extend the "
            "deadline by 90 days if a sale is under way.",
            "TikTok chief executive Shou Chew told users the company expects to win in court.",
        ),
    ),
    Piece(
        "ledger-tiktok-court",
        "tiktok",
        "tiktok-court",
        "The Cyber Ledger",
        "2025-01-17T16:00:00",
        "Supreme Court upholds TikTok divest-or-ban law",
        "The justices rejected the app's First Amendment challenge.",
        (
            "The Supreme Court on Friday unanimously upheld the law that requires ByteDance to "
            "divest TikTok, clearing the way for a ban two days later.",
            "The justices said the government's concerns about data collection by a company "
            "tied to China justified the burden on speech.",
            "TikTok said it would go dark for American users on Sunday unless the White House "
            "gave assurances to app stores and cloud providers.",
        ),
    ),
    Piece(
        "policy-tiktok-court",
        "tiktok",
        "tiktok-court",
        "Policy Wire",
        "2025-01-17T18:30:00",
        "Justices side with Congress on TikTok, setting up Sunday shutdown",
        "ByteDance's last legal avenue is gone.",
        (
            "TikTok lost its final appeal as the Supreme Court ruled the Foreign Adversary "
            "Controlled Applications Act does not violate the First Amendment.",
            "ByteDance has not agreed to sell the app, which means the ban takes effect on "
            "January 19 unless the incoming administration steps in.",
            "Lawmakers who wrote the measure said the ruling vindicated their national "
            "security concerns about China.",
        ),
    ),
    # hard negative: mentions TikTok in passing, deep in the body
    Piece(
        "fedtech-data-eo",
        "bulk-data",
        "bulk-data-eo",
        "Federal Tech Times",
        "2024-02-28T15:00:00",
        "Executive order limits sales of Americans' sensitive data to countries of concern",
        "The Justice Department will write rules on data brokers.",
        (
            "President Biden ordered the Justice Department to write rules that stop data "
            "brokers from selling Americans' genomic, health, location and financial data to "
            "China, Russia, Iran and other countries of concern.",
            "The executive order directs the department to define categories of bulk "
            "sensitive data and the transactions that will be prohibited or restricted.",
            "Officials stressed that the order targets commercial data brokers rather than "
            "any single app, and said the rulemaking would take months.",
            "Asked about TikTok, a senior official said the order was not aimed at ByteDance "
            "and that a separate debate in Congress covers social media apps.",
        ),
    ),
    Piece(
        "statecraft-data-eo",
        "bulk-data",
        "bulk-data-eo",
        "Security & Statecraft",
        "2024-02-29T10:00:00",
        "Closing the data broker loophole: what the new executive order does",
        "Genomic and location data top the list.",
        (
            "The executive order on bulk sensitive data gives the Justice Department power to "
            "block data brokers from selling Americans' personal information to adversaries.",
            "Rules from the department's National Security Division will cover genomic, "
            "biometric, health, geolocation and financial records.",
            "Privacy advocates welcomed the move but said Congress still needs a federal "
            "privacy law that covers domestic buyers of the same data.",
        ),
    ),
    # --- hard negative: two hospital ransomware attacks in one week -----------
    Piece(
        "breach-lakeside",
        "lakeside",
        "lakeside-attack",
        "Breach Daily",
        "2024-03-04T14:00:00",
        "Ransomware attack forces Lakeside Regional Medical Center to divert ambulances",
        "The Ohio hospital has switched to paper records.",
        (
            "Lakeside Regional Medical Center in Toledo diverted ambulances to other hospitals "
            "on Monday after a ransomware attack encrypted its electronic health records.",
            "Staff at the Ohio hospital are working from paper charts, and elective surgeries "
            "have been postponed while the Lakeside network is rebuilt.",
            "A gang calling itself Black Heron claimed the attack on its leak site and said it "
            "had stolen patient data.",
        ),
    ),
    Piece(
        "infra-lakeside",
        "lakeside",
        "lakeside-attack",
        "Infra Watch",
        "2024-03-05T09:00:00",
        "Black Heron gang claims Toledo hospital attack",
        "Lakeside Regional says emergency care continues.",
        (
            "The Black Heron ransomware group took responsibility for the cyberattack that "
            "crippled Lakeside Regional Medical Center in Toledo, Ohio.",
            "Hospital executives said emergency rooms remain open but ambulances are still "
            "being sent to nearby facilities.",
            "The FBI field office in Cleveland is investigating the Lakeside attack.",
        ),
    ),
    Piece(
        "breach-harbor",
        "harbor",
        "harbor-attack",
        "Breach Daily",
        "2024-03-06T16:00:00",
        "Ransomware hits Harbor Valley Children's Hospital in Oregon",
        "Appointments are cancelled as systems stay offline.",
        (
            "Harbor Valley Children's Hospital in Portland cancelled appointments on Wednesday "
            "after a ransomware attack took its scheduling and records systems offline.",
            "The Oregon hospital said it diverted some ambulances and that patient care "
            "continues on paper.",
            "A group called Silver Lynx listed Harbor Valley on its extortion site.",
        ),
    ),
    Piece(
        "packet-harbor",
        "harbor",
        "harbor-attack",
        "Packet Post",
        "2024-03-07T08:00:00",
        "Silver Lynx ransomware crew behind Portland children's hospital outage",
        "Harbor Valley has not said whether it will pay.",
        (
            "Silver Lynx, a ransomware operation active since last year, claimed the attack on "
            "Harbor Valley Children's Hospital in Portland.",
            "The hospital has been running on paper records and sending some ambulances to "
            "other emergency rooms in Oregon.",
            "Harbor Valley said it is working with the FBI and outside incident responders.",
        ),
    ),
)

BY_KEY = {p.key: p for p in PIECES}

# The first fetch of the correction tests: Kaspersky's ban (a copy among its
# reports), exit and research; the TikTok law; two hospital attacks of one week.
MORNING = (
    "wire-ban",
    "packet-ban-copy",
    "policy-ban",
    "ledger-exit",
    "threat-research",
    "policy-tiktok-law",
    "breach-lakeside",
    "breach-harbor",
)


def docs(*keys: str) -> list[Doc]:
    return [BY_KEY[k].doc() for k in (keys or BY_KEY)]


def articles(feed_id: int, keys: tuple[str, ...] | list[str]) -> list[Article]:
    """The pieces as a feed delivers them, pages already extracted."""
    return [
        Article(
            feed_id=feed_id,
            guid=k,
            url=BY_KEY[k].url,
            title=BY_KEY[k].title,
            outlet=BY_KEY[k].outlet,
            published=BY_KEY[k].published,
            summary=BY_KEY[k].teaser,
            text="\n\n".join(BY_KEY[k].paragraphs),
            extract_status="ok",
        )
        for k in keys
    ]
