"""Parsing from bytes: text kinds, encodings, and inputs that are not feeds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefing.fetch.parse import ParseError, html_to_text, parse_feed
from briefing.urls import canonical_url

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def parse(body: bytes, content_type: str = "") -> list[tuple[str, str, str]]:
    url = "https://thepatch.example/feed"
    feed = parse_feed(body, feed_url=url, feed_id=1, content_type=content_type, now=NOW)
    return [(a.guid, a.title, a.summary) for a in feed.articles]


def test_plain_text_keeps_angle_brackets_and_html_loses_tags() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>The Patch</title>'
        b'<entry><id>p1</id><title type="text">Why x&lt;y matters &amp; more</title>'
        b'<summary type="text">if a&lt;b then patch</summary></entry>'
        b'<entry><id>p2</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; vendor move</title>'
        b'<summary type="html">&lt;p&gt;One&lt;/p&gt;'
        b"&lt;p&gt;Two &amp;amp; three&lt;/p&gt;</summary>"
        b"</entry></feed>"
    )
    assert parse(body) == [
        ("p1", "Why x<y matters & more", "if a<b then patch"),
        ("p2", "Bold vendor move", "One\nTwo & three"),
    ]


def test_utf16_feed_is_read_and_its_entities_still_refused() -> None:
    text = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Euro Digital '
        "Affairs</title><item><guid>e1</guid><title>Régulateurs européens</title></item>"
        "</channel></rss>"
    )
    assert parse(text.encode("utf-16")) == [("e1", "Régulateurs européens", "")]
    bomb = text.replace("<rss", '<!DOCTYPE rss [<!ENTITY x "xxxxxxxx">]><rss')
    with pytest.raises(ParseError, match="entities"):
        parse(bomb.encode("utf-16"))


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"\xef\xbb\xbf  <!doctype html><html><body>hi</body></html>", "", "HTML page"),
        (b"   \n ", "application/rss+xml", "empty response"),
        (b'{"title": "not a feed"}', "application/json", "not a JSON Feed"),
        (b"{" * 100_000, "application/json", "not valid JSON"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "", "items list"),
    ],
)
def test_what_is_not_a_feed_says_so(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(body, content_type)


def test_entries_without_id_or_link_get_a_stable_guid() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Packet Post</title>'
        b"<item><title>Untitled item</title><description>Only words.</description></item>"
        b"</channel></rss>"
    )
    first, second = parse(body), parse(body)
    assert first == second and first[0][0].startswith("sha1:")


def test_html_to_text_drops_scripts_and_keeps_blocks() -> None:
    html = "<div>One<script>evil()</script></div><style>p{}</style><p>Two&nbsp;&amp;\tthree</p>"
    assert html_to_text(html) == "One\nTwo & three"


def test_stored_urls_lose_tracking_parameters_fragment_and_default_port() -> None:
    assert (
        canonical_url("HTTPS://Policywire.Example:443/a/?b=2&utm_source=mail&a=1&FBCLID=x#top")
        == "https://policywire.example/a/?b=2&a=1"
    )
    assert canonical_url("http://[::1]:8080/feed?ref=home") == "http://[::1]:8080/feed"
    assert canonical_url("mailto:desk@policywire.example") == "mailto:desk@policywire.example"
