"""Export: hostile feed text, fetched for real, cannot break the brief or add links to it.

The escaping rules themselves are tested line by line in tests/brief/ (every
hostile title shape, symlinks, --force, missing directories; see INPUTS.md).
Here the text comes the whole way: served by a hostile feed and its pages,
fetched, extracted, clustered and summarized by the real pipeline, then
exported as markdown and JSON.
"""

from __future__ import annotations

import json
import re

import pytest

from briefing.brief.export import ExportOptions, export
from briefing.config import Settings
from briefing.pipeline import RunReport, run
from briefing.store import Store
from briefing.store import feeds as feed_store
from tests.brief.helpers import FORBIDDEN, parse
from tests.fetch.conftest import client

from .conftest import UNSAFE, HostileServer, Reply, assert_nothing_unsafe, rss

# One event loop for the module, so the worker pool is shared (see conftest).
pytestmark = pytest.mark.asyncio(loop_scope="session")

HTML = {"Content-Type": "text/html; charset=utf-8"}
ESC = "\x1b"

# Titles as they travel in the feed (XML-escaped where XML needs it), and the
# plain text each must become.
TITLES = {
    "heading": (
        "# Agency | orders [patch](javascript:alert(1)) `now`",
        "# Agency | orders [patch](javascript:alert(1)) `now`",
    ),
    "html": (
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; Regulator fines a telecom",
        "<script>alert(1)</script> Regulator fines a telecom",
    ),
    "escape": (
        f"Ministry{ESC}]52;c;cm0gLXJmIH4K\x07 reports{ESC}[2J outage",
        "Ministry reports outage",
    ),
    "image": (
        "![pixel](https://tracker.example/p.png) Court hears ransomware appeal",
        "![pixel](https://tracker.example/p.png) Court hears ransomware appeal",
    ),
}

PAGES = {
    "heading": [
        "The agency ordered departments to patch | pipe | characters and # hashes aside.",
        "Its notice said [click here](javascript:alert(document.cookie)) for details.",
        "Officials expect the update to reach every department within a week.",
    ],
    "html": [
        "The regulator fined the telecom <b>four million</b> for the outage.",
        "A spokesperson quoted <img src=x onerror=alert(1)> as the attacker's test string.",
        "The company said it would appeal the fine in the administrative court.",
    ],
    "escape": [
        f"The ministry said the outage{ESC}[31m lasted six hours on Tuesday.",
        "Engineers traced the fault to a configuration change at a data centre.",
        "The ministry promised a full report to parliament by the end of the month.",
    ],
    "image": [
        "The court heard the appeal of a man convicted of running a ransomware service.",
        "His lawyers argued that the seized server logs were not properly authenticated.",
        "Judges said they would give their ruling in the new year after written submissions.",
    ],
}


def page(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><body><article>{body}</article></body></html>".encode()


async def fetch_hostile_world(server: HostileServer, store: Store, full: Settings) -> RunReport:
    items = []
    for key, (title, _) in TITLES.items():
        server.routes[f"/page/{key}"] = Reply(200, page(PAGES[key]), HTML)
        items.append({"title": title, "link": server.url(f"/page/{key}"), "guid": f"td-{key}"})
    items.append({"title": "Linked nowhere", "link": "javascript:alert(1)", "guid": "td-js"})
    server.feed("/hostile.xml", rss(items, title=f"Threat{ESC}[2J Desk"))
    feed_store.add(store, server.url("/hostile.xml"))
    async with client(full) as http:
        return await run(store, full, client=http)  # fetch, extract, cluster, summarize


async def test_fetched_hostile_text_exports_as_text_in_markdown(
    server: HostileServer, store: Store, full: Settings
) -> None:
    report = await fetch_hostile_world(server, store, full)
    assert report.completed, report.stage_errors
    assert report.extracted == len(TITLES)
    assert_nothing_unsafe(store)

    text = export(store, ExportOptions())
    assert not set(text) & UNSAFE
    parsed = parse(text)
    assert not parsed.types & FORBIDDEN, parsed.types & FORBIDDEN
    for href, _ in parsed.links:
        assert href.startswith("#") or href.startswith("http://127.0.0.1:"), href
    # Every title is a heading of its own, as literal text (the parser would fail
    # on any markup in a heading).
    headings = [text for _, text in parsed.headings]
    for _, plain in TITLES.values():
        assert any(text.endswith(plain) for text in headings), plain
    # The summaries quote the pages' markup-like text literally.
    shown = " ".join(
        "".join(c.content for c in tok.children or [] if c.type in {"text", "text_special"})
        for tok in parsed.tokens
        if tok.type == "inline"
    )
    assert "Its notice said [click here](javascript:alert(document.cookie)) for details." in shown
    assert "patch | pipe | characters and # hashes aside." in shown
    # ... with the day a relative date means next to it, the words left as they were.
    assert re.search(
        r"The ministry said the outage lasted six hours on Tuesday \[\d{4}-\d{2}-\d{2}\]\.", shown
    )
    # The entry whose link was javascript: is listed, without a link.
    assert "Linked nowhere" in headings
    assert all(label != "Linked nowhere" for href, label in parsed.links if href[0] != "#")


async def test_fetched_hostile_text_exports_as_clean_json(
    server: HostileServer, store: Store, full: Settings
) -> None:
    await fetch_hostile_world(server, store, full)
    doc = json.loads(export(store, ExportOptions(format="json")))
    seen: list[str] = []
    for story in doc["stories"]:
        for event in story["events"]:
            for article in event["articles"]:
                seen.append(article["title"])
                assert article["url"] is None or article["url"].startswith("http://127.0.0.1:")
    # every fetched article exactly once, each title as its plain text
    assert sorted(seen) == sorted([plain for _, plain in TITLES.values()] + ["Linked nowhere"])

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    for value in strings(doc):
        assert not set(value) & UNSAFE, value
