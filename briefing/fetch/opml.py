"""OPML import and export of the feed list."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from briefing.errors import BriefingError
from briefing.models import Feed
from briefing.sanitize import clean
from briefing.urls import FeedUrlError, check_feed_url

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class OpmlError(BriefingError):
    pass


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str
    category: str


def parse(data: bytes) -> tuple[list[OpmlFeed], list[str]]:
    """The feeds in an OPML document, and a message for each outline refused."""
    if _DOCTYPE.search(data[:4096]):
        # No DTDs, so no entity expansion tricks: real OPML never needs one.
        raise OpmlError("OPML with a DOCTYPE is refused (entity declarations are not allowed)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not valid OPML: {exc}") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise OpmlError("not an OPML document (no <opml><body>)")
    feeds: list[OpmlFeed] = []
    refused: list[str] = []
    _walk(body, feeds, refused)
    return feeds, refused


def _walk(body: ET.Element, feeds: list[OpmlFeed], refused: list[str]) -> None:
    """Every outline with a feed URL, in document order, under its nearest named parent.

    Iterative: a file nested a thousand deep is a stranger's text too, and
    must not cost a RecursionError.
    """
    stack = [(iter(body.findall("outline")), "")]
    while stack:
        outlines, category = stack[-1]
        outline = next(outlines, None)
        if outline is None:
            stack.pop()
            continue
        url = (outline.get("xmlUrl") or "").strip()
        # A shared OPML file is a stranger's text too: C1 controls and bidi marks are
        # legal XML, and the title is printed by `feeds list` and shown in the app.
        title = clean(outline.get("title") or outline.get("text") or "", "outlet", single_line=True)
        if url:
            try:
                feeds.append(OpmlFeed(check_feed_url(url), title, category))
            except FeedUrlError as exc:
                refused.append(str(exc))
        else:
            stack.append((iter(outline.findall("outline")), title or category))


def read(path: Path) -> tuple[list[OpmlFeed], list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OpmlError(f"cannot read {path}: {exc.strerror}") from exc
    return parse(data)


def render(feeds: list[Feed], title: str = "briefing feeds") -> str:
    """OPML 2.0 with one outline per category, feeds in a stable order."""
    by_category: dict[str, list[Feed]] = {}
    for feed in sorted(feeds, key=lambda f: (f.category, f.title.lower(), f.url)):
        by_category.setdefault(feed.category, []).append(feed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_esc(title)}</title></head>",
        "  <body>",
    ]
    for category, members in by_category.items():
        indent = "    "
        if category:
            lines.append(f"    <outline text={quoteattr(category)} title={quoteattr(category)}>")
            indent = "      "
        for feed in members:
            name = quoteattr(feed.title or feed.url)
            lines.append(
                f'{indent}<outline type="rss" text={name} title={name} '
                f"xmlUrl={quoteattr(feed.url)}/>"
            )
        if category:
            lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _esc(text: str) -> str:
    return quoteattr(text)[1:-1]
