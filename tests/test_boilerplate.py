"""Every boilerplate rule catches its clutter and lets real news through."""

from __future__ import annotations

import pytest

from briefing import boilerplate

# rule name -> (clutter it must catch, real news sentences that must survive)
EXAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "byline": (
        [
            "By Jane Doe",
            "By Jane Doe and John Roe, Staff Writers",
            "By Priya Natarajan | Policy Wire",
            "By Sam Rivera, June 4, 2024",
            "Written by Alex Moreno",
        ],
        [
            "By Thursday, the agency had removed the software from 40 systems.",
            "By law, operators must report a significant incident within 72 hours.",
        ],
    ),
    "byline_upper": (
        ["BY JANE DOE", "BY JANE DOE, POLICY WIRE"],
        ["BYOD policies were blamed for part of the exposure, the auditors said."],
    ),
    "byline_role": (
        ["Jane Doe | Staff writer", "Jordan Blake, Senior Correspondent"],
        ["John Roe, a former reporter, was charged on Tuesday with computer intrusion."],
    ),
    "wire_credits": (
        [
            "(Reporting by Jane Doe; Editing by John Roe)",
            "Additional reporting by Sam Rivera in Brussels",
        ],
        ["Reporting by the New York Times revealed the breach in March, officials said."],
    ),
    "author_bio": (
        [
            "Jane Doe is a reporter who covers cybersecurity policy for Policy Wire.",
            "Sam Rivera is a senior correspondent at The Cyber Ledger based in Brussels.",
        ],
        [
            "John Roe is a former editor who was charged on Tuesday with selling stolen data.",
            "Smith is a Russian journalist who reported on the hack and was later detained.",
        ],
    ),
    "author_contact": (
        [
            "Contact the author at jane@policywire.example.",
            "You can reach Sam securely on Signal.",
            "Follow Jane on X for more updates.",
        ],
        ["Email notifications at the agency were disabled during the outage."],
    ),
    "tip_prompt": (
        ["Have a tip? Send it to the newsroom.", "Send us a tip securely on Signal."],
        [
            "Police said they got a tip from a bank about the suspicious transfers.",
            "The hotline lets employees send tips about fraud to the inspector general.",
        ],
    ),
    "comment_prompt": (
        ["Leave a comment below.", "Comments are closed.", "Join the conversation", "12 comments"],
        [
            "The agency opened a 60-day comment period on the proposed rule on Monday.",
            "Industry groups filed comments urging regulators to delay the deadline.",
        ],
    ),
    "subscribe_prompt": (
        [
            "Subscribe now for unlimited access.",
            "Already a subscriber? Log in.",
            "This article is for subscribers only.",
            "Support independent journalism today.",
        ],
        [
            "The breach exposed the personal data of 2 million subscribers, the carrier said.",
            "Customers who subscribe to the monitoring service were notified by email.",
        ],
    ),
    "newsletter": (
        [
            "Sign up for our daily cyber newsletter.",
            "Get the top stories delivered to your inbox every morning.",
            "Enter your email address",
        ],
        ["The agency said in its newsletter that the vulnerability had been fixed in May."],
    ),
    "cookie_notice": (
        [
            "We use cookies to improve your experience.",
            "Accept all cookies",
            "By continuing to use this site you agree to our terms.",
        ],
        [
            "The regulator fined the company for setting tracking cookies without consent.",
            "Attackers stole session cookies to bypass multifactor authentication.",
        ],
    ),
    "image_caption": (
        [
            "Photo: Jane Doe/Global Wire",
            "Image credit: Policy Wire",
            "Illustration by Sam Rivera",
            "A server room in Virginia. (Image credit: John Roe)",
        ],
        ["The photo showed the ransom note displayed on a hospital computer, staff said."],
    ),
    "caption_with_credit": (
        ["Racks of servers in a data centre. Photo: Lena Moor / Northlight Images"],
        ["Investigators photographed the devices. Images of them were later published."],
    ),
    "photo_agency_credit": (
        ["John Roe/Getty Images", "(AP Photo/Jane Doe)", "Jane Doe via Shutterstock"],
        ["Getty Images said it was reviewing the report and had found no breach."],
    ),
    "hashtag_line": (
        ["#cybersecurity #infosec", "Stay safe out there #infosec #cyber #policy"],
        ["The group used the hashtag #OpRussia to recruit volunteers for the attacks."],
    ),
    "read_more": (
        [
            "Read more: What the new rules mean for small businesses",
            "Related: Lawmakers question CISA",
            "Related stories",
            "Recommended for you",
            "More from Policy Wire",
        ],
        [
            "Related charges were filed in Virginia against two other suspects.",
            "More from the agency is expected when the rule is published next week.",
            "Read the full order, the judge wrote, and the limits on the ban are clear.",
        ],
    ),
    "no_response": (
        [
            "Kaspersky did not respond to a request for comment.",
            "The company did not immediately respond to emailed questions.",
            "Representatives could not be reached for comment on Tuesday.",
            "Requests for comment were not returned.",
        ],
        [
            "The agency did not respond to the intrusion for weeks, the inspector found.",
            "The company has not returned to normal operations since the attack.",
        ],
    ),
    "declined_comment": (
        ["A spokesperson declined to comment.", "The White House would not comment."],
        [
            "The agency declined to renew the contract after the breach was disclosed.",
            "There was no comment period before the emergency directive took effect.",
        ],
    ),
    "update_note": (
        [
            "This article was updated on Wednesday with a statement from the company.",
            "Updated at 3:15 p.m. ET",
            "Correction: An earlier version misstated the date.",
            "Editor's note: This story has been updated.",
        ],
        ["The company updated its software on Tuesday to close the flaw."],
    ),
    "timestamp_line": (
        ["Published June 3, 2024 at 9:41 am", "4 min read", "Posted 2 hours ago"],
        ["Published in 2019, the report found that 40 agencies lacked basic controls."],
    ),
    "share_prompt": (
        [
            "Share this article",
            "Follow us on LinkedIn",
            "Facebook Twitter Email",
            "Click here",
            "Click to share on X (Opens in new window)",
        ],
        ["Share prices fell 11 percent after the outage, erasing billions in value."],
    ),
    "page_furniture": (
        [
            "Advertisement",
            "Story continues below advertisement",
            "Skip to content",
            "Continue reading",
            "Most popular",
        ],
        ["The advertisement network was used to deliver malware to thousands of visitors."],
    ),
    "tags_line": (
        ["Tags: ransomware, CISA, hospitals", "Filed under: Security", "Topics: Policy"],
        ["Topics at the hearing included the budget and the agency's hiring: both lagged."],
    ),
    "media_prompt": (
        [
            "WATCH: The director testifies before the committee",
            "Listen (4 min)",
            "Enlarge this image",
            "Toggle caption",
        ],
        ["Watchdogs said the agency's audit was late: it arrived two years after the breach."],
    ),
    "copyright": (
        ["© 2024 Global Wire Service", "All rights reserved."],
        ["The copyright office said the ruling did not apply to security research."],
    ),
    "republished": (
        [
            "This story originally appeared on Policy Wire.",
            "Originally published by The Cyber Ledger.",
            "It is republished with permission.",
        ],
        ["The flaw was first published on a hacking forum in March, researchers said."],
    ),
}


def test_every_rule_has_examples():
    droppers = {p.name for p in boilerplate.PATTERNS if p.action == "drop"}
    assert droppers == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_catches_its_clutter(name):
    pattern = next(p for p in boilerplate.PATTERNS if p.name == name)
    for line in EXAMPLES[name][0]:
        assert pattern.search(line), f"{name} missed {line!r}"
        assert boilerplate.clean_sentence(line) is None


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_real_news_survives_every_rule(name):
    for sentence in EXAMPLES[name][1]:
        hit = boilerplate.match(sentence)
        assert hit is None, f"{sentence!r} dropped by {hit.name if hit else ''}"
        assert boilerplate.clean_sentence(sentence) == sentence


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (
            "WASHINGTON (Global Wire) — The Commerce Department banned the software.",
            "The Commerce Department banned the software.",
        ),
        ("BRUSSELS — EU ministers approved the law.", "EU ministers approved the law."),
        (
            "SAN FRANCISCO, Calif. -- Researchers found the flaw in March.",
            "Researchers found the flaw in March.",
        ),
        (
            "LONDON, June 4 (Policy Wire) - Officials said the bill was ready.",
            "Officials said the bill was ready.",
        ),
    ],
)
def test_dateline_is_stripped_and_sentence_kept(raw, kept):
    assert boilerplate.clean_sentence(raw) == kept


@pytest.mark.parametrize(
    "sentence",
    [
        "The FBI — along with CISA — said the intrusion began in May.",
        "CISA said on Friday — a day after the disclosure — that agencies must patch.",
        "U.S. officials said the rule would take effect in 30 days.",
    ],
)
def test_dateline_rule_leaves_ordinary_sentences_alone(sentence):
    assert boilerplate.clean_sentence(sentence) == sentence
