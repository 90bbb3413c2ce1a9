"""Feed XML, as properties: whatever a feed holds, the parser answers with safe articles
or a clear `ParseError`, never another exception (which would cost the feed).

Parser-level (no server): hypothesis drives a few hundred documents a second.
"""

from __future__ import annotations

import hypothesis
from hypothesis import strategies as st

from briefing.fetch.parse import ParseError, parse_feed
from briefing.sanitize import LIMITS

from .conftest import UNSAFE, rss
from .test_feed_xml import FINE


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(title=st.text(), summary=st.text(), link=st.text(max_size=60))
def test_any_entry_text_becomes_safe_text(title: str, summary: str, link: str) -> None:
    def xml(text: str) -> str:
        # Every character as a numeric reference: controls and surrogates included.
        return "".join(f"&#{ord(c)};" for c in text)

    body = rss([{"title": xml(title), "description": xml(summary), "link": xml(link), "guid": "p"}])
    try:
        parsed = parse_feed(body, feed_url="http://127.0.0.1/f", feed_id=1)
    except ParseError:
        return  # a clear per-feed error is an acceptable answer
    for article in parsed.articles:
        for value in (article.title, article.summary, article.outlet, article.url):
            assert not set(value) & UNSAFE
        assert article.url == "" or article.url.startswith(("http://", "https://"))
        assert len(article.title) <= LIMITS["title"]


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(
    body=st.one_of(
        st.binary(max_size=2_000),
        st.builds(lambda junk: rss([FINE]).replace(b"<item>", junk, 1), st.binary(max_size=200)),
    )
)
def test_any_bytes_are_a_feed_or_a_parse_error(body: bytes) -> None:
    try:
        parsed = parse_feed(body, feed_url="http://127.0.0.1/f", feed_id=1)
    except ParseError:
        return
    for article in parsed.articles:
        assert not set(article.title + article.summary) & UNSAFE
