"""Cluttered article texts, as an extractor leaves real news pages (our own words).

Every line that is not part of the report is listed in CLUTTER, so tests can
check that none of it is ever chosen.
"""

from __future__ import annotations

from datetime import UTC, datetime

from briefing.summarize.candidates import Source

CLUTTER = [
    "By Jane Doe | Staff writer",
    "Published June 20, 2024 at 9:41 am",
    "Photo: A shop shelf with boxed antivirus software. (Image credit: Sam Rivera/Policy Wire)",
    "Sign up for the free Policy Wire newsletter to get the day's top cyber stories in your inbox.",
    "Kaspersky did not respond to a request for comment on Thursday afternoon.",
    "Read more: How the 2017 directive pushed Kaspersky out of federal networks",
    "Jane Doe is a senior reporter at Policy Wire who covers federal cybersecurity policy.",
    "#cybersecurity #kaspersky #policy",
    "We use cookies to improve your experience on our site and to show you relevant news.",
    "This article was updated on Friday with comments from the Commerce Department.",
    "Racks of servers in a data centre at night. Photo: Lena Moor / Northlight Images",
    "A spokesperson for the company declined to comment on the ruling or its effect on sales.",
    "Already a subscriber? Log in to continue reading the full story and our analysis.",
    "Share this article",
    "Leave a comment below and tell us what you think about the new rules for vendors.",
    "Sam Rivera, Senior Correspondent",
    "(Reporting by Sam Rivera; Editing by Jordan Blake)",
    "© 2024 Global Wire Service. All rights reserved.",
]

POLICY_WIRE = "\n".join(
    [
        "By Jane Doe | Staff writer",
        "Published June 20, 2024 at 9:41 am",
        "WASHINGTON (Policy Wire) — The Commerce Department on Thursday banned the sale of "
        "Kaspersky antivirus software in the United States, citing risks to national security.",
        "Photo: A shop shelf with boxed antivirus software. (Image credit: Sam Rivera/Policy Wire)",
        "The rule, issued under authorities created after a 2019 executive order on the "
        "technology supply chain, bars new sales starting July 20. Kaspersky did not respond to "
        "a request for comment on Thursday afternoon.",
        "Sign up for the free Policy Wire newsletter to get the day's top cyber stories in your "
        "inbox.",
        "Existing customers can keep receiving software updates until September 29, after "
        "which the company may no longer provide them, officials said.",
        "Read more: How the 2017 directive pushed Kaspersky out of federal networks",
        "Commerce Secretary Gina Raimondo said Russia had shown it has the capacity and the "
        "intent to use Russian companies to collect and weaponize the data of Americans.",
        "The department also added three Kaspersky entities to its trade restriction list.",
        "Jane Doe is a senior reporter at Policy Wire who covers federal cybersecurity policy.",
        "#cybersecurity #kaspersky #policy",
        "We use cookies to improve your experience on our site and to show you relevant news.",
    ]
)

CYBER_LEDGER = "\n".join(
    [
        "Sam Rivera, Senior Correspondent",
        "This article was updated on Friday with comments from the Commerce Department.",
        "The United States will prohibit sales of software made by the Russian security firm "
        "Kaspersky Lab, the Commerce Department announced Thursday, in the first such ban "
        "under its information technology supply chain rules.",
        "Racks of servers in a data centre at night. Photo: Lena Moor / Northlight Images",
        "Officials said a lengthy investigation concluded that the company's ties to the "
        "Russian government made its products an unacceptable risk to American users.",
        "A spokesperson for the company declined to comment on the ruling or its effect on sales.",
        "Resellers will have until late September to stop offering updates, and customers were "
        "urged to find replacement antivirus products before then.",
        "Already a subscriber? Log in to continue reading the full story and our analysis.",
        "Share this article",
        "Leave a comment below and tell us what you think about the new rules for vendors.",
    ]
)

GLOBAL_WIRE = "\n".join(
    [
        "WASHINGTON (Global Wire) — The Biden administration on Thursday banned sales of "
        "Kaspersky antivirus software in the United States, saying the Russian company's ties "
        "to Moscow posed a threat to national security.",
        "Kaspersky, which has denied any ties to the Russian government, said it would pursue "
        "all legally available options to preserve its operations in the country.",
        "The company's software was already barred from federal networks under a 2017 "
        "directive from the Department of Homeland Security, later written into law by Congress.",
        "The ban takes effect for new sales on July 20, a month after the announcement, with "
        "updates allowed to continue into the autumn.",
        "(Reporting by Sam Rivera; Editing by Jordan Blake)",
        "© 2024 Global Wire Service. All rights reserved.",
    ]
)


def kaspersky_sources() -> list[Source]:
    day = datetime(2024, 6, 20, tzinfo=UTC)
    return [
        Source(
            CYBER_LEDGER, "US to bar Kaspersky sales", 12, "The Cyber Ledger", day.replace(hour=18)
        ),
        Source(
            GLOBAL_WIRE,
            "US bans Kaspersky software",
            10,
            "Global Wire Service",
            day.replace(hour=15),
        ),
        Source(
            POLICY_WIRE,
            "Commerce bans Kaspersky antivirus sales",
            11,
            "Policy Wire",
            day.replace(hour=16),
        ),
    ]
